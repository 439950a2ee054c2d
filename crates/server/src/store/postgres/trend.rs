//! The trend's changes of a group (store/trend.rs), written by this
//! replica's writer in the transaction that changes the counts.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use acsready_assess::Verdict;
use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

use crate::store::trend::verdict_columns;
use crate::store::StoreError;

/// One host's latest row rewritten by the group: the day (UTC) of its new
/// assessment, its verdict before (none for a new host) and after.
pub struct Change<'a> {
    pub day: &'a str,
    pub before: Option<&'a str>,
    pub after: &'a str,
}

static UPSERT_TREND: LazyLock<String> = LazyLock::new(|| {
    let unnest = verdict_columns(str::to_string, ", ");
    let types: Vec<String> = (0..Verdict::ALL.len())
        .map(|i| format!("${}::bigint[]", i + 2))
        .collect();
    format!(
        "INSERT INTO trend (day, {unnest}) SELECT * FROM unnest($1::text[], {})
         ON CONFLICT (day) DO UPDATE SET {}",
        types.join(", "),
        verdict_columns(|v| format!("{v} = trend.{v} + excluded.{v}"), ", ")
    )
});

fn slot(verdict: &str) -> Option<usize> {
    Verdict::ALL.iter().position(|v| v.as_str() == verdict)
}

/// Adds the group's changes to their days, in ascending order of day (the
/// same in every writer: after the counts' rows, so never a deadlock).
pub async fn write<'a>(
    tx: &Transaction<'_>,
    changes: impl Iterator<Item = Change<'a>>,
) -> Result<(), StoreError> {
    let mut days: BTreeMap<&str, [i64; 4]> = BTreeMap::new();
    for c in changes.filter(|c| c.before != Some(c.after)) {
        let n = days.entry(c.day).or_default();
        if let Some(i) = c.before.and_then(slot) {
            n[i] -= 1;
        }
        if let Some(i) = slot(c.after) {
            n[i] += 1;
        }
    }
    days.retain(|_, n| n.iter().any(|x| *x != 0));
    if days.is_empty() {
        return Ok(());
    }
    let day: Vec<&str> = days.keys().copied().collect();
    let columns: Vec<Vec<i64>> = (0..Verdict::ALL.len())
        .map(|i| days.values().map(|n| n[i]).collect())
        .collect();
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&day];
    params.extend(columns.iter().map(|c| c as &(dyn ToSql + Sync)));
    tx.execute(UPSERT_TREND.as_str(), &params).await?;
    Ok(())
}
