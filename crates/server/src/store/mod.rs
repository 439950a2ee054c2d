//! Where the server keeps facts, assessments, tokens and sessions.
//!
//! The API sees only the [`Store`] trait. [`SqliteStore`] is the embedded
//! implementation (one file, WAL, one writer thread doing group commits);
//! [`PostgresStore`] keeps the fleet in PostgreSQL, shared by several
//! replicas of the server (docs/server.md).

mod filter;
mod postgres;
mod queue;
mod schema;
mod sqlite;
mod transfer;
pub mod trend;

use acsready_assess::{Action, OsSummary, Summary, Verdict};
use acsready_facts::HostFacts;
use serde::Serialize;
use tokio::sync::oneshot;

pub use postgres::{
    is_url as is_postgres_url, redacted as redacted_url, url_has_password, PgOptions, PostgresStore,
};
pub use sqlite::SqliteStore;
pub use transfer::{copy_sqlite_to_postgres, Copied};
pub use trend::{DayCounts, TrendRows};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {cause}")]
    Open {
        path: String,
        cause: rusqlite::Error,
    },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("PostgreSQL: {}", postgres::message(.0))]
    Pg(#[from] tokio_postgres::Error),
    #[error("PostgreSQL: {0}")]
    Connect(String),
    /// The database was written by a newer acsready: this one does not know
    /// its schema and changes nothing.
    #[error("the database has schema version {found}, this acsready knows up to {known}: run the newer acsready (or restore a backup)")]
    Newer { found: i64, known: i64 },
    #[error("cannot create the folder of the database {path}: {cause}")]
    Folder { path: String, cause: std::io::Error },
    #[error("the store is shutting down")]
    Closed,
    #[error("the server is busy: too many writes queued")]
    Busy,
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    /// The disk, a quota or the database's size limit is full: the write
    /// was rolled back and succeeds again once there is space.
    #[error("no space left for the database: {0}")]
    Full(String),
}

impl StoreError {
    /// Whether the error is a full disk (SQLite `SQLITE_FULL`, or an I/O
    /// error saying no space or quota is left): a passing condition.
    pub fn is_full(&self) -> bool {
        match self {
            StoreError::Full(_) => true,
            StoreError::Sql(e) | StoreError::Open { cause: e, .. } => {
                e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
            }
            StoreError::Folder { cause, .. } => io_full(cause),
            StoreError::Pg(e) => postgres::is_full(e),
            _ => false,
        }
    }
}

/// Whether an I/O error says that no space (or quota) is left.
pub fn io_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Send facts and collector folders.
    Ingest,
    /// Read hosts, summary, reports (also the dashboard).
    Read,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Ingest => "ingest",
            Scope::Read => "read",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "ingest" => Some(Scope::Ingest),
            "read" => Some(Scope::Read),
            _ => None,
        }
    }
}

/// One agent of a host in the host list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AgentBrief {
    pub product: String,
    pub version: String,
    pub action: Action,
    pub target: String,
}

/// The language-independent part of an assessment: what lists and counts need.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessed {
    pub verdict: Verdict,
    pub os: OsSummary,
    pub agents: Vec<AgentBrief>,
    pub codes: Vec<String>,
    pub rules_version: String,
    /// RFC 3339, UTC.
    pub assessed_at: String,
}

impl Assessed {
    pub fn of(a: &acsready_assess::HostAssessment, rules_version: &str, assessed_at: &str) -> Self {
        Assessed {
            verdict: a.verdict,
            os: a.os.clone(),
            agents: a
                .agents
                .iter()
                .map(|p| AgentBrief {
                    product: p.product.clone(),
                    version: p.version.clone(),
                    action: p.action,
                    target: p.target.clone(),
                })
                .collect(),
            codes: a.findings.iter().map(|f| f.code.clone()).collect(),
            rules_version: rules_version.to_string(),
            assessed_at: assessed_at.to_string(),
        }
    }
}

/// A facts record to store, already validated and assessed.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub facts: HostFacts,
    /// Idempotency key: `collected_at`, else a hash of the facts.
    pub key: String,
    /// When the server received it (RFC 3339, UTC).
    pub received_at: String,
    /// Which record is the newest of a host: `collected_at`, else `received_at`, in Unix ms.
    pub seen_ms: i64,
    pub assessed: Assessed,
}

/// What happened to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    /// The same host and key were stored before: nothing changed.
    Duplicate,
}

/// A stored host whose latest assessment was made by other rules.
#[derive(Debug, Clone)]
pub struct Stale {
    /// The name the host is stored under.
    pub host: String,
    pub facts_id: i64,
    pub facts: HostFacts,
}

/// A new assessment of stored facts.
#[derive(Debug, Clone)]
pub struct Reassessed {
    /// The name the host is stored under ([`Stale::host`]).
    pub host: String,
    pub facts_id: i64,
    pub collected_at: Option<String>,
    pub assessed: Assessed,
}

/// Sort keys of the host list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Host,
    Verdict,
    Release,
    AssessedAt,
}

/// Filters, order and page of the host list.
#[derive(Debug, Clone, Default)]
pub struct HostQuery {
    pub verdict: Option<Verdict>,
    pub release: Option<String>,
    pub action: Option<Action>,
    /// Part of the host name, OS name or a finding code.
    pub q: Option<String>,
    pub offset: u64,
    pub limit: u64,
    pub sort: Sort,
    pub descending: bool,
}

/// One host in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostRow {
    pub host: String,
    pub verdict: Verdict,
    pub os: OsSummary,
    pub agents: Vec<AgentBrief>,
    pub codes: Vec<String>,
    pub assessed_at: String,
    pub collected_at: Option<String>,
    pub rules_version: String,
}

/// A page of the host list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostPage {
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    pub hosts: Vec<HostRow>,
}

/// One past assessment of a host.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub assessed_at: String,
    pub collected_at: Option<String>,
    pub rules_version: String,
    pub verdict: Verdict,
    pub codes: Vec<String>,
}

/// Everything stored about one host.
#[derive(Debug, Clone)]
pub struct HostRecord {
    pub row: HostRow,
    pub facts: HostFacts,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

/// Counts of one OS release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReleaseCounts {
    /// Rules row id ("win10-1809"); "" when the build is not in the rules.
    pub release: String,
    pub name: String,
    pub hosts: u64,
    pub ready: u64,
    pub not_ready: u64,
    pub unknown: u64,
    pub unsupported: u64,
}

/// Counts over the latest assessment of every host.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetCounts {
    pub summary: Summary,
    pub by_release: Vec<ReleaseCounts>,
}

impl FleetCounts {
    /// Adds `n` hosts of `verdict` in `release` (named `name`); rows come
    /// ordered by release.
    pub fn add(&mut self, release: String, name: String, verdict: Verdict, n: u64) {
        if self.by_release.last().is_none_or(|r| r.release != release) {
            self.by_release.push(ReleaseCounts {
                release,
                name,
                ..Default::default()
            });
        }
        let s = &mut self.summary;
        let Some(r) = self.by_release.last_mut() else {
            return;
        };
        r.hosts += n;
        match verdict {
            Verdict::Ready => (s.ready += n, r.ready += n),
            Verdict::NotReady => (s.not_ready += n, r.not_ready += n),
            Verdict::Unknown => (s.unknown += n, r.unknown += n),
            Verdict::Unsupported => (s.unsupported += n, r.unsupported += n),
        };
    }
}

/// A token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub scope: Scope,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// An answer from the writer, after its transaction is committed.
pub type Pending<T> = oneshot::Receiver<Result<T, StoreError>>;

/// The server's storage. Reads block (call them off the async runtime);
/// writes of facts go to a queue and are answered once committed.
pub trait Store: Send + Sync + 'static {
    /// Stores records (idempotent per host and key) with their assessments.
    fn put(&self, records: Vec<NewRecord>) -> Result<Pending<Vec<Stored>>, StoreError>;
    /// Records new assessments of stored facts; a host whose latest facts
    /// changed meanwhile is left alone. Answers how many were recorded.
    fn reassess(&self, batch: Vec<Reassessed>) -> Result<Pending<usize>, StoreError>;
    /// Up to `limit` hosts, by name after `after`, whose latest assessment
    /// was not made by `rules_version`.
    fn stale(
        &self,
        rules_version: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<Stale>, StoreError>;
    /// The host list.
    fn hosts(&self, query: &HostQuery) -> Result<HostPage, StoreError>;
    /// One host, with up to `history` past assessments.
    fn host(&self, name: &str, history: usize) -> Result<Option<HostRecord>, StoreError>;
    /// The latest facts of every host, by host name, `limit` at a time after `after`.
    fn latest_facts(&self, after: &str, limit: usize) -> Result<Vec<HostFacts>, StoreError>;
    /// Counts over the latest assessments.
    fn counts(&self) -> Result<FleetCounts, StoreError>;
    /// The trend's rows after the day `after` ("2026-11-01"), the first day
    /// kept and the counts, in one snapshot ([`trend::days`] makes the days).
    fn trend(&self, after: &str) -> Result<TrendRows, StoreError>;

    /// Creates a token; `hash` is the SHA-256 of the token. Returns its id.
    fn token_create(&self, name: &str, scope: Scope, hash: &[u8; 32]) -> Result<i64, StoreError>;
    fn token_list(&self) -> Result<Vec<TokenInfo>, StoreError>;
    /// Revokes a token and ends every session opened with it; false when
    /// there is no such token.
    fn token_revoke(&self, id: i64) -> Result<bool, StoreError>;
    /// The id and scope of a live (not revoked) token.
    fn token_scope(&self, hash: &[u8; 32]) -> Result<Option<(i64, Scope)>, StoreError>;

    /// Creates a session (its id hashed), opened with token `token_id`,
    /// valid until `expires_ms` (Unix ms) or until that token is revoked.
    fn session_create(
        &self,
        hash: &[u8; 32],
        token_id: i64,
        scopes: &[Scope],
        expires_ms: i64,
    ) -> Result<(), StoreError>;
    /// The scopes of a session that has not expired at `now_ms` and whose
    /// token is not revoked.
    fn session_scopes(
        &self,
        hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<Vec<Scope>>, StoreError>;
    fn session_delete(&self, hash: &[u8; 32]) -> Result<(), StoreError>;

    /// Held while stale hosts are re-assessed: with several replicas on
    /// one database, one at a time (the others wait, then find nothing
    /// left to do). One process owns an SQLite file: nothing to take.
    fn reassessment_turn(&self) -> Result<Box<dyn Send>, StoreError> {
        Ok(Box::new(()))
    }
}
