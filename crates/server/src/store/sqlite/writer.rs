//! The writer thread: queued writes taken in groups into one transaction
//! (group commit), the writers answered after the commit.

use std::collections::HashMap;
use std::sync::LazyLock;

use acsready_intake::{host_key, preferred_name};
use rusqlite::{params, Connection, ToSql, Transaction};
use tokio::sync::mpsc;

use super::*;
use crate::store::queue::{self, Job, Outcome};
use crate::store::schema::action_column;

/// The stored name of every host by its identity ([`host_key`]): facts
/// sent as `web01.corp.example` after `WEB01` are the same host, stored
/// under the spelling [`preferred_name`] chooses, as the command line
/// shows it.
#[derive(Default)]
struct Names {
    by_key: HashMap<String, String>,
}

impl Names {
    fn load(tx: &Transaction) -> Result<Names, StoreError> {
        let mut names = Names::default();
        let mut stmt = tx.prepare("SELECT host FROM latest ORDER BY rowid")?;
        let hosts = stmt.query_map([], |row| row.get::<_, String>(0))?;
        for host in hosts {
            let host = host?;
            names.by_key.entry(host_key(&host)).or_insert(host);
        }
        Ok(names)
    }

    /// The name a host is stored as. A spelling to prefer over the stored
    /// one renames the host's rows (facts, history, latest) in `tx`.
    fn stored(&mut self, tx: &Transaction, host: &str) -> Result<String, StoreError> {
        let key = host_key(host);
        let Some(kept) = self.by_key.get_mut(&key) else {
            self.by_key.insert(key, host.to_string());
            return Ok(host.to_string());
        };
        if preferred_name(kept, host) != kept.as_str() {
            for table in ["facts", "assessments", "latest"] {
                tx.prepare_cached(&format!("UPDATE {table} SET host = ?1 WHERE host = ?2"))?
                    .execute(params![host, kept.as_str()])?;
            }
            *kept = host.to_string();
        }
        Ok(kept.clone())
    }
}

pub(super) fn write_loop(mut conn: Connection, mut rx: mpsc::Receiver<Job>) {
    let mut names = None;
    while let Some(first) = rx.blocking_recv() {
        let jobs = queue::group(first, &mut rx);
        let result = write_group(&mut conn, &jobs, &mut names);
        if result.is_err() {
            // The group was rolled back: names it renamed are not stored.
            names = None;
        }
        queue::answer(jobs, result);
    }
}

fn write_group(
    conn: &mut Connection,
    jobs: &[Job],
    names: &mut Option<Names>,
) -> Result<Vec<Outcome>, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let names = match names {
        Some(names) => names,
        None => names.insert(Names::load(&tx)?),
    };
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        outcomes.push(match job {
            Job::Put(records, _) => Outcome::Put(
                records
                    .iter()
                    .map(|r| put_record(&tx, r, names))
                    .collect::<Result<_, _>>()?,
            ),
            Job::Reassess(batch, _) => {
                let mut n = 0;
                for r in batch {
                    n += usize::from(reassess_one(&tx, r)?);
                }
                Outcome::Reassess(n)
            }
        });
    }
    tx.commit()?;
    Ok(outcomes)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Damaged(e.to_string()))
}

fn put_record(tx: &Transaction, r: &NewRecord, names: &mut Names) -> Result<Stored, StoreError> {
    let body = json(&r.facts)?;
    let host = names.stored(tx, &r.facts.host)?;
    let inserted = tx
        .prepare_cached(
            "INSERT INTO facts (host, ikey, collected_at, received_at, body) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (host, ikey) DO NOTHING",
        )?
        .execute(params![host, r.key, r.facts.collected_at, r.received_at, body])?;
    if inserted == 0 {
        return Ok(Stored::Duplicate);
    }
    let facts_id = tx.last_insert_rowid();
    let a = &r.assessed;
    insert_history(tx, &host, facts_id, r.facts.collected_at.as_deref(), a)?;
    let assessment = AssessmentValues::new(a)?;
    let mut values: Vec<&dyn ToSql> = vec![&host, &facts_id, &r.seen_ms];
    values.extend(assessment.values());
    values.extend([&r.facts.collected_at as &dyn ToSql, &a.rules_version]);
    tx.prepare_cached(&UPSERT_LATEST)?.execute(&*values)?;
    Ok(Stored::New)
}

fn insert_history(
    tx: &Transaction,
    host: &str,
    facts_id: i64,
    collected_at: Option<&str>,
    a: &Assessed,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO assessments (host, facts_id, assessed_at, collected_at, rules_version, verdict, codes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        host,
        facts_id,
        a.assessed_at,
        collected_at,
        a.rules_version,
        a.verdict.as_str(),
        json(&a.codes)?
    ])?;
    Ok(())
}

/// The columns of `latest` an assessment gives, in order: its own, one
/// count of agents per action (in the order of [`Action::ALL`]), its time.
fn assessment_columns() -> Vec<String> {
    let own = [
        "verdict", "os_name", "os_build", "os_ubr", "release", "agents", "codes",
    ];
    (own.map(String::from).into_iter())
        .chain(Action::ALL.map(action_column))
        .chain(["assessed_at".to_string()])
        .collect()
}

/// The values of [`assessment_columns`] for one assessment.
struct AssessmentValues<'a> {
    a: &'a Assessed,
    verdict: &'static str,
    release: &'a str,
    agents: String,
    codes: String,
    counts: [i64; Action::ALL.len()],
}

impl<'a> AssessmentValues<'a> {
    fn new(a: &'a Assessed) -> Result<Self, StoreError> {
        Ok(AssessmentValues {
            a,
            verdict: a.verdict.as_str(),
            release: a.os.release.as_deref().unwrap_or(""),
            agents: json(&a.agents)?,
            codes: json(&a.codes)?,
            counts: Action::ALL.map(|x| a.agents.iter().filter(|g| g.action == x).count() as i64),
        })
    }

    fn values(&self) -> Vec<&dyn ToSql> {
        let a = self.a;
        let mut values: Vec<&dyn ToSql> = vec![
            &self.verdict,
            &a.os.name,
            &a.os.build,
            &a.os.ubr,
            &self.release,
            &self.agents,
            &self.codes,
        ];
        values.extend(self.counts.iter().map(|n| n as &dyn ToSql));
        values.push(&a.assessed_at);
        values
    }
}

/// A host's row of `latest`, kept when the facts are newer than those it has.
static UPSERT_LATEST: LazyLock<String> = LazyLock::new(|| {
    let columns: Vec<String> = (["host", "facts_id", "seen_ms"]
        .map(String::from)
        .into_iter())
    .chain(assessment_columns())
    .chain(["collected_at", "rules_version"].map(String::from))
    .collect();
    let set: Vec<String> = (columns.iter().skip(1))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO latest ({}) VALUES ({})
         ON CONFLICT (host) DO UPDATE SET {}
         WHERE excluded.seen_ms >= latest.seen_ms",
        columns.join(", "),
        vec!["?"; columns.len()].join(", "),
        set.join(", ")
    )
});

/// A host's assessment again, on the facts it was made from.
static REASSESS_LATEST: LazyLock<String> = LazyLock::new(|| {
    let columns = assessment_columns()
        .into_iter()
        .chain(["rules_version".into()]);
    let set: Vec<String> = (columns.enumerate())
        .map(|(i, c)| format!("{c} = ?{}", i + 3))
        .collect();
    format!(
        "UPDATE latest SET {} WHERE host = ?1 AND facts_id = ?2",
        set.join(", ")
    )
});

fn reassess_one(tx: &Transaction, r: &Reassessed) -> Result<bool, StoreError> {
    let a = &r.assessed;
    let assessment = AssessmentValues::new(a)?;
    let mut values: Vec<&dyn ToSql> = vec![&r.host, &r.facts_id];
    values.extend(assessment.values());
    values.push(&a.rules_version);
    let changed = tx.prepare_cached(&REASSESS_LATEST)?.execute(&*values)?;
    if changed > 0 {
        insert_history(tx, &r.host, r.facts_id, r.collected_at.as_deref(), a)?;
    }
    Ok(changed > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema::SCHEMA;
    use tokio::sync::oneshot;

    fn record(host: &str, updates: usize) -> NewRecord {
        let facts = HostFacts {
            host: host.into(),
            updates: Some(
                (0..updates)
                    .map(|i| format!("KB{}", 1_000_000 + i))
                    .collect(),
            ),
            ..Default::default()
        };
        let rules = acsready_rules::Rules::embedded().expect("rules");
        crate::ingest::record(facts, &rules, (0, "2026-11-01T00:00:00Z"))
    }

    fn put(queue: &mpsc::Sender<Job>, r: NewRecord) -> Result<Vec<Stored>, StoreError> {
        let (tx, rx) = oneshot::channel();
        queue.blocking_send(Job::Put(vec![r], tx)).expect("queue");
        rx.blocking_recv().expect("answer")
    }

    #[test]
    fn a_full_database_refuses_the_write_as_full_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let conn = super::super::connect(&dir.path().join("full.db")).unwrap();
        conn.execute_batch(&SCHEMA).unwrap();
        // A database that may grow by a few pages only, as a full disk.
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "max_page_count", pages + 4)
            .unwrap();
        let (queue, jobs) = mpsc::channel(4);
        let writer = std::thread::spawn(move || write_loop(conn, jobs));
        let err = put(&queue, record("big", 20_000)).unwrap_err();
        assert!(err.is_full(), "{err}");
        assert!(matches!(err, StoreError::Full(_)), "{err:?}");
        // What fits is still stored: the writer recovered by itself.
        assert_eq!(put(&queue, record("small", 1)).unwrap(), [Stored::New]);
        drop(queue);
        writer.join().unwrap();
    }
}
