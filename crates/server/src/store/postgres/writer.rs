//! This replica's writer: queued writes taken in groups into one
//! transaction, answered after the commit. A group takes a
//! transaction-level advisory lock per host it writes, in ascending order
//! (so replicas writing the same hosts wait for each other and never
//! deadlock), reads those hosts' rows of `latest`, works out in memory
//! which record becomes each host's latest, then writes facts, history,
//! `latest`, the change of the counts and of the day's trend in a few
//! statements. A group that
//! fails for a conflict or a lost connection is written again: records are
//! idempotent, and the client was not answered yet.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;
use std::time::Duration;

use acsready_assess::Action;
use acsready_intake::{host_key, preferred_name};
use deadpool_postgres::{Pool, Transaction};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio_postgres::types::ToSql;

use crate::store::queue::{self, Job, Outcome};
use crate::store::schema::action_column;
use crate::store::{Assessed, StoreError, Stored};

/// Times a group is written again after a conflict or a lost connection.
const RETRIES: u32 = 8;

pub async fn write_loop(pool: Pool, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let jobs = queue::group(first, &mut rx);
        let result = write_retrying(&pool, &jobs).await;
        queue::answer(jobs, result);
    }
}

async fn write_retrying(pool: &Pool, jobs: &[Job]) -> Result<Vec<Outcome>, StoreError> {
    let mut attempt = 0;
    loop {
        let result = async {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            let outcomes = write_group(&tx, jobs).await?;
            tx.commit().await?;
            Ok(outcomes)
        }
        .await;
        match result {
            Err(e) if attempt < RETRIES && retryable(&e) => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "write conflict or lost connection; writing the group again");
                tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
            }
            other => return other,
        }
    }
}

/// A deadlock, a serialization failure or a lost connection: the group
/// was not committed (or, for a connection lost during the commit, maybe
/// was: writing it again is harmless).
fn retryable(e: &StoreError) -> bool {
    use tokio_postgres::error::SqlState;
    match e {
        StoreError::Pg(e) => {
            e.is_closed()
                || e.code().is_some_and(|c| {
                    [
                        SqlState::T_R_DEADLOCK_DETECTED,
                        SqlState::T_R_SERIALIZATION_FAILURE,
                        SqlState::ADMIN_SHUTDOWN,
                        SqlState::CONNECTION_FAILURE,
                    ]
                    .contains(c)
                })
                || e.as_db_error().is_none()
        }
        StoreError::Connect(_) => true,
        _ => false,
    }
}

/// The advisory lock of a host: 64 bits of the SHA-256 of its identity.
fn lock_of(hkey: &str) -> i64 {
    let digest = Sha256::digest(hkey.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// The columns of `latest` that the counts add up.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Counted {
    release: String,
    verdict: String,
    os_name: String,
    agents: [i64; Action::ALL.len()],
}

impl Counted {
    fn of(a: &Assessed) -> Counted {
        Counted {
            release: a.os.release.clone().unwrap_or_default(),
            verdict: a.verdict.as_str().to_string(),
            os_name: a.os.name.clone(),
            agents: Action::ALL.map(|x| a.agents.iter().filter(|g| g.action == x).count() as i64),
        }
    }
}

/// A host's row of `latest` as the group leaves it.
struct Row {
    host: String,
    facts_id: i64,
    seen_ms: i64,
    collected_at: Option<String>,
    counted: Counted,
    /// The new assessment, when the row is written whole.
    assessed: Option<Assessed>,
}

#[derive(Default)]
struct Host {
    /// What the counts hold for this host now.
    before: Option<Counted>,
    row: Option<Row>,
    renamed: bool,
}

/// One assessment to add to the history.
struct History<'a> {
    hkey: String,
    facts_id: i64,
    collected_at: Option<&'a str>,
    assessed: &'a Assessed,
}

static SELECT_LATEST: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT hkey, host, facts_id, seen_ms, collected_at, release, verdict, os_name, {}
         FROM latest WHERE hkey = ANY($1)",
        crate::store::schema::action_columns(str::to_string, ", ")
    )
});

async fn write_group(tx: &Transaction<'_>, jobs: &[Job]) -> Result<Vec<Outcome>, StoreError> {
    let mut keys: Vec<String> = Vec::new();
    for job in jobs {
        match job {
            Job::Put(records, _) => keys.extend(records.iter().map(|r| host_key(&r.facts.host))),
            Job::Reassess(batch, _) => keys.extend(batch.iter().map(|r| host_key(&r.host))),
        }
    }
    let mut locks: Vec<i64> = keys.iter().map(|k| lock_of(k)).collect();
    locks.sort_unstable();
    locks.dedup();
    // `unnest` keeps the order: every writer locks hosts in ascending order.
    tx.execute(
        "SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k",
        &[&locks],
    )
    .await?;
    keys.sort_unstable();
    keys.dedup();
    let mut hosts: HashMap<String, Host> = HashMap::with_capacity(keys.len());
    for r in tx.query(SELECT_LATEST.as_str(), &[&keys]).await? {
        let counted = Counted {
            release: r.try_get(5)?,
            verdict: r.try_get(6)?,
            os_name: r.try_get(7)?,
            agents: {
                let mut n = [0i64; Action::ALL.len()];
                for (i, slot) in n.iter_mut().enumerate() {
                    *slot = i64::from(r.try_get::<_, i32>(8 + i)?);
                }
                n
            },
        };
        hosts.insert(
            r.try_get(0)?,
            Host {
                before: Some(counted.clone()),
                row: Some(Row {
                    host: r.try_get(1)?,
                    facts_id: r.try_get(2)?,
                    seen_ms: r.try_get(3)?,
                    collected_at: r.try_get(4)?,
                    counted,
                    assessed: None,
                }),
                renamed: false,
            },
        );
    }
    let new_ids = insert_facts(tx, jobs).await?;
    let mut ids = new_ids;
    let mut history: Vec<History> = Vec::new();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        match job {
            Job::Put(records, _) => {
                let mut stored = Vec::with_capacity(records.len());
                for r in records {
                    let hkey = host_key(&r.facts.host);
                    let host = hosts.entry(hkey.clone()).or_default();
                    let name = match &host.row {
                        Some(row) => preferred_name(&row.host, &r.facts.host).to_string(),
                        None => r.facts.host.clone(),
                    };
                    if let Some(row) = host.row.as_mut().filter(|row| row.host != name) {
                        row.host = name.clone();
                        host.renamed = true;
                    }
                    let Some(facts_id) = ids.remove(&(hkey.clone(), r.key.clone())) else {
                        stored.push(Stored::Duplicate);
                        continue;
                    };
                    history.push(History {
                        hkey,
                        facts_id,
                        collected_at: r.facts.collected_at.as_deref(),
                        assessed: &r.assessed,
                    });
                    if host.row.as_ref().is_none_or(|row| r.seen_ms >= row.seen_ms) {
                        host.row = Some(Row {
                            host: name,
                            facts_id,
                            seen_ms: r.seen_ms,
                            collected_at: r.facts.collected_at.clone(),
                            counted: Counted::of(&r.assessed),
                            assessed: Some(r.assessed.clone()),
                        });
                    }
                    stored.push(Stored::New);
                }
                outcomes.push(Outcome::Put(stored));
            }
            Job::Reassess(batch, _) => {
                let mut n = 0;
                for r in batch {
                    let hkey = host_key(&r.host);
                    let Some(row) = hosts
                        .get_mut(&hkey)
                        .and_then(|h| h.row.as_mut())
                        .filter(|row| row.facts_id == r.facts_id)
                    else {
                        continue;
                    };
                    row.counted = Counted::of(&r.assessed);
                    row.assessed = Some(r.assessed.clone());
                    history.push(History {
                        hkey,
                        facts_id: r.facts_id,
                        collected_at: r.collected_at.as_deref(),
                        assessed: &r.assessed,
                    });
                    n += 1;
                }
                outcomes.push(Outcome::Reassess(n));
            }
        }
    }
    insert_history(tx, &history).await?;
    write_latest(tx, &hosts).await?;
    write_counts(tx, &hosts).await?;
    let changes = hosts.values().filter_map(|h| {
        let row = h.row.as_ref()?;
        let a = row.assessed.as_ref()?;
        Some(super::trend::Change {
            day: crate::clock::day_of(&a.assessed_at),
            before: h.before.as_ref().map(|b| b.verdict.as_str()),
            after: row.counted.verdict.as_str(),
        })
    });
    super::trend::write(tx, changes).await?;
    Ok(outcomes)
}

/// Inserts every record of the group not stored before; answers the ids
/// of the new ones by host identity and idempotency key.
async fn insert_facts(
    tx: &Transaction<'_>,
    jobs: &[Job],
) -> Result<HashMap<(String, String), i64>, StoreError> {
    let mut columns: [Vec<Option<String>>; 6] = Default::default();
    for job in jobs {
        let Job::Put(records, _) = job else { continue };
        for r in records {
            let body =
                serde_json::to_string(&r.facts).map_err(|e| StoreError::Damaged(e.to_string()))?;
            let values = [
                Some(host_key(&r.facts.host)),
                Some(r.facts.host.clone()),
                Some(r.key.clone()),
                r.facts.collected_at.clone(),
                Some(r.received_at.clone()),
                Some(body),
            ];
            for (column, value) in columns.iter_mut().zip(values) {
                column.push(value);
            }
        }
    }
    let mut ids = HashMap::new();
    if columns[0].is_empty() {
        return Ok(ids);
    }
    let params: Vec<&(dyn ToSql + Sync)> =
        columns.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
    let rows = tx
        .query(
            "INSERT INTO facts (hkey, host, ikey, collected_at, received_at, body)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             ON CONFLICT (hkey, ikey) DO NOTHING
             RETURNING id, hkey, ikey",
            &params,
        )
        .await?;
    for r in rows {
        ids.insert((r.try_get(1)?, r.try_get(2)?), r.try_get(0)?);
    }
    Ok(ids)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Damaged(e.to_string()))
}

async fn insert_history(tx: &Transaction<'_>, history: &[History<'_>]) -> Result<(), StoreError> {
    if history.is_empty() {
        return Ok(());
    }
    let mut hkey = Vec::new();
    let mut facts_id = Vec::new();
    let mut assessed_at = Vec::new();
    let mut collected_at = Vec::new();
    let mut rules_version = Vec::new();
    let mut verdict = Vec::new();
    let mut codes = Vec::new();
    for h in history {
        hkey.push(h.hkey.as_str());
        facts_id.push(h.facts_id);
        assessed_at.push(h.assessed.assessed_at.as_str());
        collected_at.push(h.collected_at);
        rules_version.push(h.assessed.rules_version.as_str());
        verdict.push(h.assessed.verdict.as_str());
        codes.push(json(&h.assessed.codes)?);
    }
    tx.execute(
        "INSERT INTO assessments (hkey, facts_id, assessed_at, collected_at, rules_version, verdict, codes)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])",
        &[&hkey, &facts_id, &assessed_at, &collected_at, &rules_version, &verdict, &codes],
    )
    .await?;
    Ok(())
}

/// The columns of `latest`, in the order [`write_latest`] sends them.
static UPSERT_LATEST: LazyLock<String> = LazyLock::new(|| {
    let actions: Vec<String> = Action::ALL.map(action_column).to_vec();
    let mut columns: Vec<String> = [
        "hkey", "host", "facts_id", "seen_ms", "verdict", "os_name", "os_build", "os_ubr",
        "release", "agents", "codes",
    ]
    .map(String::from)
    .to_vec();
    columns.extend(actions.iter().cloned());
    columns.extend(["assessed_at", "collected_at", "rules_version"].map(String::from));
    let types: Vec<&str> = [
        "text", "text", "bigint", "bigint", "text", "text", "bigint", "bigint", "text", "text",
        "text",
    ]
    .into_iter()
    .chain(actions.iter().map(|_| "integer"))
    .chain(["text", "text", "text"])
    .collect();
    let unnest: Vec<String> = (types.iter().enumerate())
        .map(|(i, t)| format!("${}::{t}[]", i + 1))
        .collect();
    let set: Vec<String> = (columns.iter().skip(1))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO latest ({}) SELECT * FROM unnest({})
         ON CONFLICT (hkey) DO UPDATE SET {}",
        columns.join(", "),
        unnest.join(", "),
        set.join(", ")
    )
});

/// Writes the rows of `latest` the group changed: whole rows for new
/// assessments, the name alone for renamed hosts. Each host is in at most
/// one row of each statement.
async fn write_latest(
    tx: &Transaction<'_>,
    hosts: &HashMap<String, Host>,
) -> Result<(), StoreError> {
    let mut whole: Vec<(&String, &Row, &Assessed)> = Vec::new();
    let mut renamed: (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for (hkey, h) in hosts {
        let Some(row) = &h.row else { continue };
        match &row.assessed {
            Some(a) => whole.push((hkey, row, a)),
            None if h.renamed => {
                renamed.0.push(hkey);
                renamed.1.push(&row.host);
            }
            None => {}
        }
    }
    if !renamed.0.is_empty() {
        tx.execute(
            "UPDATE latest SET host = u.host FROM unnest($1::text[], $2::text[]) AS u(hkey, host)
             WHERE latest.hkey = u.hkey",
            &[&renamed.0, &renamed.1],
        )
        .await?;
    }
    if whole.is_empty() {
        return Ok(());
    }
    let mut text: [Vec<Option<String>>; 7] = Default::default();
    let mut ints: [Vec<Option<i64>>; 4] = Default::default();
    let mut agents: Vec<Vec<i32>> = vec![Vec::new(); Action::ALL.len()];
    let mut tail: [Vec<Option<String>>; 3] = Default::default();
    for (hkey, row, a) in whole {
        let c = &row.counted;
        for (column, value) in text.iter_mut().zip([
            Some((*hkey).clone()),
            Some(row.host.clone()),
            Some(c.verdict.clone()),
            Some(c.os_name.clone()),
            Some(c.release.clone()),
            Some(json(&a.agents)?),
            Some(json(&a.codes)?),
        ]) {
            column.push(value);
        }
        for (column, value) in ints.iter_mut().zip([
            Some(row.facts_id),
            Some(row.seen_ms),
            a.os.build.map(i64::from),
            a.os.ubr.map(i64::from),
        ]) {
            column.push(value);
        }
        for (column, n) in agents.iter_mut().zip(c.agents) {
            column.push(n as i32);
        }
        for (column, value) in tail.iter_mut().zip([
            Some(a.assessed_at.clone()),
            row.collected_at.clone(),
            Some(a.rules_version.clone()),
        ]) {
            column.push(value);
        }
    }
    let [hkey, host, verdict, os_name, release, agents_json, codes] = &text;
    let [facts_id, seen_ms, os_build, os_ubr] = &ints;
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![
        hkey,
        host,
        facts_id,
        seen_ms,
        verdict,
        os_name,
        os_build,
        os_ubr,
        release,
        agents_json,
        codes,
    ];
    params.extend(agents.iter().map(|c| c as &(dyn ToSql + Sync)));
    params.extend(tail.iter().map(|c| c as &(dyn ToSql + Sync)));
    tx.execute(UPSERT_LATEST.as_str(), &params).await?;
    Ok(())
}

static UPSERT_COUNTS: LazyLock<String> = LazyLock::new(|| {
    let actions: Vec<String> = Action::ALL.map(action_column).to_vec();
    let unnest: Vec<String> = (0..actions.len())
        .map(|i| format!("${}::bigint[]", i + 5))
        .collect();
    let add: Vec<String> = (actions.iter())
        .map(|c| format!("{c} = counts.{c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO counts (release, verdict, name, hosts, {})
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], {})
         ON CONFLICT (release, verdict) DO UPDATE SET
           hosts = counts.hosts + excluded.hosts,
           name = least(counts.name, excluded.name),
           {}",
        actions.join(", "),
        unnest.join(", "),
        add.join(", ")
    )
});

/// Changes the counts by what the group changed, in the same transaction:
/// each host's old row taken away, its new one added. Rows are written in
/// ascending order of (release, verdict), the same in every writer.
async fn write_counts(
    tx: &Transaction<'_>,
    hosts: &HashMap<String, Host>,
) -> Result<(), StoreError> {
    #[derive(Default)]
    struct Delta {
        name: Option<String>,
        hosts: i64,
        agents: [i64; Action::ALL.len()],
    }
    let mut deltas: BTreeMap<(String, String), Delta> = BTreeMap::new();
    for h in hosts.values() {
        let Some(after) = h.row.as_ref().filter(|r| r.assessed.is_some()) else {
            continue;
        };
        if let Some(before) = &h.before {
            let d = deltas
                .entry((before.release.clone(), before.verdict.clone()))
                .or_default();
            d.hosts -= 1;
            for (slot, n) in d.agents.iter_mut().zip(before.agents) {
                *slot -= n;
            }
        }
        let c = &after.counted;
        let d = deltas
            .entry((c.release.clone(), c.verdict.clone()))
            .or_default();
        d.hosts += 1;
        for (slot, n) in d.agents.iter_mut().zip(c.agents) {
            *slot += n;
        }
        if d.name.as_ref().is_none_or(|n| c.os_name < *n) {
            d.name = Some(c.os_name.clone());
        }
    }
    deltas.retain(|_, d| d.hosts != 0 || d.agents.iter().any(|n| *n != 0) || d.name.is_some());
    if deltas.is_empty() {
        return Ok(());
    }
    let mut release = Vec::new();
    let mut verdict = Vec::new();
    let mut name = Vec::new();
    let mut n_hosts = Vec::new();
    let mut agents: Vec<Vec<i64>> = vec![Vec::new(); Action::ALL.len()];
    for ((r, v), d) in &deltas {
        release.push(r.as_str());
        verdict.push(v.as_str());
        // None (a row only taken from) leaves the name: least() skips NULL.
        name.push(d.name.as_deref());
        n_hosts.push(d.hosts);
        for (column, n) in agents.iter_mut().zip(d.agents) {
            column.push(n);
        }
    }
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&release, &verdict, &name, &n_hosts];
    params.extend(agents.iter().map(|c| c as &(dyn ToSql + Sync)));
    tx.execute(UPSERT_COUNTS.as_str(), &params).await?;
    Ok(())
}
