//! The embedded store: one SQLite file in WAL mode. Facts are written by one
//! thread that takes every queued write into one transaction (group commit)
//! and answers the writers after the commit; reads use a small pool of
//! connections. `synchronous=NORMAL` in WAL mode loses no committed
//! transaction when the process dies (only on power loss or an OS crash).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

use acsready_assess::{Action, OsSummary, Verdict};
use acsready_facts::HostFacts;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::schema::{SCHEMA, SCHEMA_VERSION};
use super::*;

/// Writes waiting for the writer; more are refused as busy.
const QUEUE: usize = 16_384;
/// Jobs taken into one transaction at most.
const MAX_GROUP: usize = 1024;
/// Idle read connections kept (one per request in flight avoids reopening).
const POOL: usize = 64;

enum Job {
    Put(
        Vec<NewRecord>,
        oneshot::Sender<Result<Vec<Stored>, StoreError>>,
    ),
    Reassess(Vec<Reassessed>, oneshot::Sender<Result<usize, StoreError>>),
}

/// The SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    pool: Mutex<Vec<Connection>>,
    queue: Option<mpsc::Sender<Job>>,
    writer: Option<JoinHandle<()>>,
    /// Dropped to stop the checkpointer.
    stop: Option<std::sync::mpsc::Sender<()>>,
    checkpointer: Option<JoinHandle<()>>,
}

impl SqliteStore {
    /// Where the database is by default: `acsready/acsready.db` in the
    /// platform's data directory (XDG data home, %APPDATA%, Application Support).
    pub fn default_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("acsready")
            .join("acsready.db")
    }

    /// Opens (creating if needed) the database at `path` and starts its writer.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|cause| StoreError::Folder {
                path: dir.display().to_string(),
                cause,
            })?;
        }
        let open_err = |cause| StoreError::Open {
            path: path.display().to_string(),
            cause,
        };
        let conn = connect(path).map_err(open_err)?;
        conn.execute_batch(SCHEMA).map_err(open_err)?;
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?1)",
            [SCHEMA_VERSION.to_string()],
        )
        .map_err(open_err)?;
        // Checkpoints run beside the writer, not inside its commits.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(open_err)?;
        let checkpoint_conn = connect(path).map_err(open_err)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let thread_err =
            |e: std::io::Error| StoreError::Damaged(format!("cannot start a thread: {e}"));
        let writer = std::thread::Builder::new()
            .name("acsready-writer".into())
            .spawn(move || write_loop(conn, rx))
            .map_err(thread_err)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let checkpointer = std::thread::Builder::new()
            .name("acsready-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpoint_conn, stopped))
            .map_err(thread_err)?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            pool: Mutex::new(Vec::new()),
            queue: Some(tx),
            writer: Some(writer),
            stop: Some(stop),
            checkpointer: Some(checkpointer),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let conn = match pooled {
            Some(c) => c,
            None => connect(&self.path)?,
        };
        let result = f(&conn);
        if let Ok(mut pool) = self.pool.lock() {
            if pool.len() < POOL {
                pool.push(conn);
            }
        }
        result
    }

    fn send(&self, job: Job) -> Result<(), StoreError> {
        let queue = self.queue.as_ref().ok_or(StoreError::Closed)?;
        queue.try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => StoreError::Busy,
            mpsc::error::TrySendError::Closed(_) => StoreError::Closed,
        })
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the queue lets the writer finish what is queued and stop.
        self.queue.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        self.stop.take();
        if let Some(checkpointer) = self.checkpointer.take() {
            let _ = checkpointer.join();
        }
    }
}

/// Copies the WAL into the database every half second (PASSIVE: never
/// waits for or blocks the writer or readers), and once more at the end.
fn checkpoint_loop(conn: Connection, stop: std::sync::mpsc::Receiver<()>) {
    let checkpoint = |mode: &str| {
        if let Err(e) = conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |_| Ok(())) {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    };
    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
        stop.recv_timeout(std::time::Duration::from_millis(500))
    {
        checkpoint("PASSIVE");
    }
    checkpoint("TRUNCATE");
}

fn connect(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL is a property of the file: set once, it stays.
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

fn write_loop(mut conn: Connection, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let count = jobs.len();
        match write_group(&mut conn, &jobs) {
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

fn write_group(conn: &mut Connection, jobs: &[Job]) -> Result<Vec<Outcome>, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        outcomes.push(match job {
            Job::Put(records, _) => Outcome::Put(
                records
                    .iter()
                    .map(|r| put_record(&tx, r))
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

fn put_record(tx: &Transaction, r: &NewRecord) -> Result<Stored, StoreError> {
    let body = json(&r.facts)?;
    let inserted = tx
        .prepare_cached(
            "INSERT INTO facts (host, ikey, collected_at, received_at, body) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (host, ikey) DO NOTHING",
        )?
        .execute(params![r.facts.host, r.key, r.facts.collected_at, r.received_at, body])?;
    if inserted == 0 {
        return Ok(Stored::Duplicate);
    }
    let facts_id = tx.last_insert_rowid();
    let a = &r.assessed;
    insert_history(
        tx,
        &r.facts.host,
        facts_id,
        r.facts.collected_at.as_deref(),
        a,
    )?;
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
        r.facts.host,
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

const ROW_COLUMNS: &str = "host, verdict, os_name, os_build, os_ubr, release, agents, codes, assessed_at, collected_at, rules_version";

fn damaged(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Damaged(format!("{what}: {e}"))
}

fn host_row(row: &Row) -> Result<HostRow, StoreError> {
    let verdict: String = row.get(1)?;
    let release: String = row.get(5)?;
    let agents: String = row.get(6)?;
    let codes: String = row.get(7)?;
    Ok(HostRow {
        host: row.get(0)?,
        verdict: verdict.parse().map_err(|e| damaged("verdict", e))?,
        os: OsSummary {
            name: row.get(2)?,
            build: row.get(3)?,
            ubr: row.get(4)?,
            release: (!release.is_empty()).then_some(release),
        },
        agents: serde_json::from_str(&agents).map_err(|e| damaged("agents", e))?,
        codes: serde_json::from_str(&codes).map_err(|e| damaged("codes", e))?,
        assessed_at: row.get(8)?,
        collected_at: row.get(9)?,
        rules_version: row.get(10)?,
    })
}

fn facts_of(body: &str) -> Result<HostFacts, StoreError> {
    serde_json::from_str(body).map_err(|e| damaged("facts", e))
}

/// `LIKE` pattern matching `text` anywhere, with `\` as escape.
fn contains_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl Store for SqliteStore {
    fn put(&self, records: Vec<NewRecord>) -> Result<Pending<Vec<Stored>>, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Put(records, tx))?;
        Ok(rx)
    }

    fn reassess(&self, batch: Vec<Reassessed>) -> Result<Pending<usize>, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Reassess(batch, tx))?;
        Ok(rx)
    }

    fn stale(
        &self,
        rules_version: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<Stale>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT l.facts_id, f.body FROM latest l JOIN facts f ON f.id = l.facts_id
                 WHERE l.rules_version <> ?1 AND l.host > ?2 ORDER BY l.host LIMIT ?3",
            )?;
            let mut rows = stmt.query(params![rules_version, after, limit as i64])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let body: String = row.get(1)?;
                out.push(Stale {
                    facts_id: row.get(0)?,
                    facts: facts_of(&body)?,
                });
            }
            Ok(out)
        })
    }

    fn hosts(&self, query: &HostQuery) -> Result<HostPage, StoreError> {
        let mut clauses: Vec<String> = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        let mut bind = |template: &str, value: String| {
            values.push(value.into());
            clauses.push(template.replace("{p}", &format!("?{}", values.len())));
        };
        if let Some(v) = query.verdict {
            bind("verdict = {p}", v.as_str().to_string());
        }
        if let Some(r) = &query.release {
            bind("release = {p}", r.clone());
        }
        if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
            bind(
                "(host LIKE {p} ESCAPE '\\' OR os_name LIKE {p} ESCAPE '\\' OR codes LIKE {p} ESCAPE '\\')",
                contains_pattern(q.trim()),
            );
        }
        if let Some(a) = query.action {
            // A fixed column name per action: nothing of the query goes into the SQL text.
            clauses.push(
                match a {
                    Action::Upgrade => "n_upgrade > 0",
                    Action::Pin => "n_pin > 0",
                    Action::FixHost => "n_fix_host > 0",
                    Action::Hold => "n_hold > 0",
                    Action::None => "n_none > 0",
                }
                .to_string(),
            );
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let column = match query.sort {
            Sort::Host => "host",
            Sort::Verdict => "verdict",
            Sort::Release => "release",
            Sort::AssessedAt => "assessed_at",
        };
        let dir = if query.descending { "DESC" } else { "ASC" };
        let order = if column == "host" {
            format!("host {dir}")
        } else {
            format!("{column} {dir}, host {dir}")
        };
        self.read(|c| {
            let total: i64 = c.query_row(
                &format!("SELECT count(*) FROM latest {filter}"),
                rusqlite::params_from_iter(values.iter()),
                |r| r.get(0),
            )?;
            let mut page_values = values.clone();
            page_values.push((query.limit as i64).into());
            page_values.push((query.offset as i64).into());
            let n = page_values.len();
            let sql = format!(
                "SELECT {ROW_COLUMNS} FROM latest {filter} ORDER BY {order} LIMIT ?{} OFFSET ?{n}",
                n - 1
            );
            let mut stmt = c.prepare(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(page_values.iter()))?;
            let mut hosts = Vec::new();
            while let Some(row) = rows.next()? {
                hosts.push(host_row(row)?);
            }
            Ok(HostPage {
                total: total as u64,
                offset: query.offset,
                limit: query.limit,
                hosts,
            })
        })
    }

    fn host(&self, name: &str, history: usize) -> Result<Option<HostRecord>, StoreError> {
        self.read(|c| {
            let found = c
                .prepare_cached(&format!(
                    "SELECT {ROW_COLUMNS}, (SELECT body FROM facts WHERE id = latest.facts_id)
                     FROM latest WHERE host = ?1"
                ))?
                .query_row([name], |r| {
                    Ok((host_row(r), r.get::<_, Option<String>>(11)?))
                })
                .optional()?;
            let Some((row, body)) = found else {
                return Ok(None);
            };
            let row = row?;
            let facts = facts_of(body.as_deref().unwrap_or("null"))?;
            let mut stmt = c.prepare_cached(
                "SELECT assessed_at, collected_at, rules_version, verdict, codes FROM assessments
                 WHERE host = ?1 ORDER BY id DESC LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![name, history as i64])?;
            let mut past = Vec::new();
            while let Some(r) = rows.next()? {
                let verdict: String = r.get(3)?;
                let codes: String = r.get(4)?;
                past.push(HistoryEntry {
                    assessed_at: r.get(0)?,
                    collected_at: r.get(1)?,
                    rules_version: r.get(2)?,
                    verdict: verdict.parse().map_err(|e| damaged("verdict", e))?,
                    codes: serde_json::from_str(&codes).map_err(|e| damaged("codes", e))?,
                });
            }
            Ok(Some(HostRecord {
                row,
                facts,
                history: past,
            }))
        })
    }

    fn latest_facts(&self, after: &str, limit: usize) -> Result<Vec<HostFacts>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT f.body FROM latest l JOIN facts f ON f.id = l.facts_id
                 WHERE l.host > ?1 ORDER BY l.host LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![after, limit as i64])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let body: String = row.get(0)?;
                out.push(facts_of(&body)?);
            }
            Ok(out)
        })
    }

    fn counts(&self) -> Result<FleetCounts, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT release, verdict, min(os_name), count(*), sum(n_upgrade), sum(n_pin),
                        sum(n_fix_host), sum(n_hold), sum(n_none)
                 FROM latest GROUP BY release, verdict ORDER BY release",
            )?;
            let mut rows = stmt.query([])?;
            let mut counts = FleetCounts::default();
            while let Some(row) = rows.next()? {
                let release: String = row.get(0)?;
                let verdict: String = row.get(1)?;
                let verdict: Verdict = verdict.parse().map_err(|e| damaged("verdict", e))?;
                let name: String = row.get(2)?;
                let n = row.get::<_, i64>(3)? as u64;
                let s = &mut counts.summary;
                s.hosts += n;
                let actions = &mut s.agent_actions;
                actions.upgrade += row.get::<_, i64>(4)? as u64;
                actions.pin += row.get::<_, i64>(5)? as u64;
                actions.fix_host += row.get::<_, i64>(6)? as u64;
                actions.hold += row.get::<_, i64>(7)? as u64;
                actions.none += row.get::<_, i64>(8)? as u64;
                if counts
                    .by_release
                    .last()
                    .is_none_or(|r| r.release != release)
                {
                    counts.by_release.push(ReleaseCounts {
                        release: release.clone(),
                        name: name.clone(),
                        ..Default::default()
                    });
                }
                let Some(r) = counts.by_release.last_mut() else {
                    continue;
                };
                r.hosts += n;
                match verdict {
                    Verdict::Ready => (s.ready += n, r.ready += n),
                    Verdict::NotReady => (s.not_ready += n, r.not_ready += n),
                    Verdict::Unknown => (s.unknown += n, r.unknown += n),
                    Verdict::Unsupported => (s.unsupported += n, r.unsupported += n),
                };
            }
            Ok(counts)
        })
    }

    fn token_create(&self, name: &str, scope: Scope, hash: &[u8; 32]) -> Result<i64, StoreError> {
        let (_, now) = crate::clock::now();
        self.read(|c| {
            c.execute(
                "INSERT INTO tokens (name, scope, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name, scope.as_str(), &hash[..], now],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    fn token_list(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, name, scope, created_at, revoked_at FROM tokens ORDER BY id",
            )?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let scope: String = row.get(2)?;
                out.push(TokenInfo {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    scope: Scope::parse(&scope).ok_or_else(|| damaged("token scope", &scope))?,
                    created_at: row.get(3)?,
                    revoked_at: row.get(4)?,
                });
            }
            Ok(out)
        })
    }

    fn token_revoke(&self, id: i64) -> Result<bool, StoreError> {
        let (_, now) = crate::clock::now();
        self.read(|c| {
            c.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now],
            )?;
            let exists = c
                .query_row("SELECT 1 FROM tokens WHERE id = ?1", [id], |_| Ok(()))
                .optional()?;
            Ok(exists.is_some())
        })
    }

    fn token_scope(&self, hash: &[u8; 32]) -> Result<Option<(i64, Scope)>, StoreError> {
        self.read(|c| {
            let found: Option<(i64, String)> = c
                .prepare_cached(
                    "SELECT id, scope FROM tokens WHERE hash = ?1 AND revoked_at IS NULL",
                )?
                .query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            Ok(found.and_then(|(id, s)| Scope::parse(&s).map(|s| (id, s))))
        })
    }

    fn session_create(
        &self,
        hash: &[u8; 32],
        scopes: &[Scope],
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        let (now, _) = crate::clock::now();
        let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        self.read(|c| {
            c.execute("DELETE FROM sessions WHERE expires_ms <= ?1", [now])?;
            c.execute(
                "INSERT INTO sessions (hash, scopes, expires_ms) VALUES (?1, ?2, ?3)",
                params![&hash[..], scopes.join(","), expires_ms],
            )?;
            Ok(())
        })
    }

    fn session_scopes(
        &self,
        hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<Vec<Scope>>, StoreError> {
        self.read(|c| {
            let found: Option<String> = c
                .prepare_cached("SELECT scopes FROM sessions WHERE hash = ?1 AND expires_ms > ?2")?
                .query_row(params![&hash[..], now_ms], |r| r.get(0))
                .optional()?;
            Ok(found.map(|s| s.split(',').filter_map(Scope::parse).collect()))
        })
    }

    fn session_delete(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.read(|c| {
            c.execute("DELETE FROM sessions WHERE hash = ?1", [&hash[..]])?;
            Ok(())
        })
    }
}
