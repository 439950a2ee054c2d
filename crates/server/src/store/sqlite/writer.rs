//! The writer thread: queued writes taken in groups into one transaction
//! (group commit), the writers answered after the commit.

use std::collections::HashMap;

use acsready_intake::host_key;
use rusqlite::{params, Connection, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::*;

/// Jobs taken into one transaction at most.
const MAX_GROUP: usize = 1024;

pub(super) enum Job {
    Put(
        Vec<NewRecord>,
        oneshot::Sender<Result<Vec<Stored>, StoreError>>,
    ),
    Reassess(Vec<Reassessed>, oneshot::Sender<Result<usize, StoreError>>),
}

/// The stored name of every host by its identity ([`host_key`]): facts
/// sent as `web01.corp.example` after `WEB01` are the same host, stored
/// under the name it was first stored as.
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

    /// The name a host is stored as: the first spelling of its identity.
    fn stored(&mut self, host: &str) -> String {
        self.by_key
            .entry(host_key(host))
            .or_insert_with(|| host.to_string())
            .clone()
    }
}

pub(super) fn write_loop(mut conn: Connection, mut rx: mpsc::Receiver<Job>) {
    let mut names = None;
    while let Some(first) = rx.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let count = jobs.len();
        match write_group(&mut conn, &jobs, &mut names) {
            Ok(outcomes) => {
                tracing::debug!(jobs = count, "group committed");
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    match (job, outcome) {
                        (Job::Put(_, ack), Outcome::Put(stored)) => {
                            let _ = ack.send(Ok(stored));
                        }
                        (Job::Reassess(_, ack), Outcome::Reassess(n)) => {
                            let _ = ack.send(Ok(n));
                        }
                        _ => {}
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = count, "write failed");
                let message = e.to_string();
                for job in jobs {
                    let err = || StoreError::Damaged(message.clone());
                    match job {
                        Job::Put(_, ack) => {
                            let _ = ack.send(Err(err()));
                        }
                        Job::Reassess(_, ack) => {
                            let _ = ack.send(Err(err()));
                        }
                    }
                }
            }
        }
    }
}

enum Outcome {
    Put(Vec<Stored>),
    Reassess(usize),
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
    let host = names.stored(&r.facts.host);
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
    let counts = action_counts(&a.agents);
    tx.prepare_cached(
        "INSERT INTO latest (host, facts_id, seen_ms, verdict, os_name, os_build, os_ubr, release, agents,
             codes, n_upgrade, n_pin, n_fix_host, n_hold, n_none, assessed_at, collected_at, rules_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
         ON CONFLICT (host) DO UPDATE SET facts_id = excluded.facts_id, seen_ms = excluded.seen_ms,
             verdict = excluded.verdict, os_name = excluded.os_name, os_build = excluded.os_build,
             os_ubr = excluded.os_ubr, release = excluded.release, agents = excluded.agents,
             codes = excluded.codes, n_upgrade = excluded.n_upgrade, n_pin = excluded.n_pin,
             n_fix_host = excluded.n_fix_host, n_hold = excluded.n_hold, n_none = excluded.n_none,
             assessed_at = excluded.assessed_at, collected_at = excluded.collected_at,
             rules_version = excluded.rules_version
         WHERE excluded.seen_ms >= latest.seen_ms",
    )?
    .execute(params![
        host,
        facts_id,
        r.seen_ms,
        a.verdict.as_str(),
        a.os.name,
        a.os.build,
        a.os.ubr,
        a.os.release.as_deref().unwrap_or(""),
        json(&a.agents)?,
        json(&a.codes)?,
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
        a.assessed_at,
        r.facts.collected_at,
        a.rules_version,
    ])?;
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

/// Agents per action, in the order of [`Action::ALL`].
fn action_counts(agents: &[AgentBrief]) -> [i64; 5] {
    let mut n = [0i64; 5];
    for agent in agents {
        if let Some(i) = Action::ALL.iter().position(|a| *a == agent.action) {
            n[i] += 1;
        }
    }
    n
}

fn reassess_one(tx: &Transaction, r: &Reassessed) -> Result<bool, StoreError> {
    let a = &r.assessed;
    let counts = action_counts(&a.agents);
    let changed = tx
        .prepare_cached(
            "UPDATE latest SET verdict = ?3, os_name = ?4, os_build = ?5, os_ubr = ?6, release = ?7,
                 agents = ?8, codes = ?9, n_upgrade = ?10, n_pin = ?11, n_fix_host = ?12, n_hold = ?13,
                 n_none = ?14, assessed_at = ?15, rules_version = ?16
             WHERE host = ?1 AND facts_id = ?2",
        )?
        .execute(params![
            r.host,
            r.facts_id,
            a.verdict.as_str(),
            a.os.name,
            a.os.build,
            a.os.ubr,
            a.os.release.as_deref().unwrap_or(""),
            json(&a.agents)?,
            json(&a.codes)?,
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            counts[4],
            a.assessed_at,
            a.rules_version,
        ])?;
    if changed > 0 {
        insert_history(tx, &r.host, r.facts_id, r.collected_at.as_deref(), a)?;
    }
    Ok(changed > 0)
}
