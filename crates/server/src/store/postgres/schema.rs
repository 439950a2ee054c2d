//! The PostgreSQL schema and its migrations. `meta.schema` holds the
//! version; each migration brings the database from the version before it,
//! in its own transaction, while every other replica starting at the same
//! time waits on an advisory lock. A database of a newer version is refused
//! before anything is touched.
//!
//! Hosts are keyed by their identity ([`acsready_intake::host_key`]):
//! `hkey` is the unique key of `latest`, part of the unique key of `facts`
//! (with the idempotency key), and the key of the history. `host` is the
//! spelling shown ([`acsready_intake::preferred_name`]). Text compared or
//! sorted is `COLLATE "C"`: the order of bytes, as SQLite's.

use std::sync::LazyLock;

use crate::store::schema::action_columns;
use crate::store::trend::{verdict_columns, with_param, SEED_SQL};
use crate::store::StoreError;

/// 1: facts, history, latest, counts, tokens, sessions.
/// 2: `trend`, the changes of each day's hosts per verdict (store/trend.rs),
/// seeded from the counts on the day of the migration.
pub const SCHEMA_VERSION: i64 = 2;

/// The advisory lock (two-key form) held while migrating.
pub const MIGRATE_LOCK: (i32, i32) = (0x6163_7372, 1);
/// The advisory lock (two-key form) held while re-assessing stale hosts.
pub const REASSESS_LOCK: (i32, i32) = (0x6163_7372, 2);

/// Each migration, from version `index` to `index + 1`.
static MIGRATIONS: LazyLock<[String; 2]> = LazyLock::new(|| {
    [
        V1.replace(
            "{action_columns}\n",
            &action_columns(|c| format!("    {c:<13} INTEGER NOT NULL,\n"), ""),
        )
        .replace(
            "{count_columns}\n",
            &action_columns(|c| format!("    {c:<13} BIGINT NOT NULL DEFAULT 0,\n"), ""),
        ),
        V2.replace(
            "{trend_columns}\n",
            &verdict_columns(|v| format!("    {v:<11} BIGINT NOT NULL DEFAULT 0,\n"), ""),
        ),
    ]
});

/// The changes of each day (UTC) of the hosts per verdict, written with
/// the counts; the fleet stored before it starts its trend today (the seed
/// runs after this, with the day as its parameter).
const V2: &str = r#"
CREATE TABLE trend (
    day         TEXT COLLATE "C" NOT NULL,
{trend_columns}
    PRIMARY KEY (day)
);
"#;

const V1: &str = r#"
CREATE TABLE facts (
    id           BIGSERIAL PRIMARY KEY,
    hkey         TEXT COLLATE "C" NOT NULL,
    host         TEXT NOT NULL,
    ikey         TEXT COLLATE "C" NOT NULL,
    collected_at TEXT,
    received_at  TEXT NOT NULL,
    body         TEXT NOT NULL,
    UNIQUE (hkey, ikey)
);
CREATE TABLE assessments (
    id            BIGSERIAL PRIMARY KEY,
    hkey          TEXT COLLATE "C" NOT NULL,
    facts_id      BIGINT NOT NULL,
    assessed_at   TEXT NOT NULL,
    collected_at  TEXT,
    rules_version TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    codes         TEXT NOT NULL
);
CREATE INDEX assessments_host ON assessments (hkey, id);
CREATE TABLE latest (
    hkey          TEXT COLLATE "C" PRIMARY KEY,
    host          TEXT COLLATE "C" NOT NULL UNIQUE,
    facts_id      BIGINT NOT NULL,
    seen_ms       BIGINT NOT NULL,
    verdict       TEXT COLLATE "C" NOT NULL,
    os_name       TEXT NOT NULL,
    os_build      BIGINT,
    os_ubr        BIGINT,
    release       TEXT COLLATE "C" NOT NULL,
    agents        TEXT NOT NULL,
    codes         TEXT NOT NULL,
{action_columns}
    assessed_at   TEXT COLLATE "C" NOT NULL,
    collected_at  TEXT,
    rules_version TEXT COLLATE "C" NOT NULL
);
CREATE INDEX latest_verdict ON latest (verdict, host);
CREATE INDEX latest_verdict_assessed ON latest (verdict, assessed_at, host);
CREATE INDEX latest_release ON latest (release, host);
CREATE INDEX latest_assessed ON latest (assessed_at, host);
CREATE INDEX latest_rules ON latest (rules_version, host);
CREATE TABLE counts (
    release       TEXT COLLATE "C" NOT NULL,
    verdict       TEXT COLLATE "C" NOT NULL,
    name          TEXT,
    hosts         BIGINT NOT NULL DEFAULT 0,
{count_columns}
    PRIMARY KEY (release, verdict)
);
CREATE TABLE tokens (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    hash       BYTEA NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE sessions (
    hash       BYTEA PRIMARY KEY,
    scopes     TEXT NOT NULL,
    expires_ms BIGINT NOT NULL,
    token_id   BIGINT NOT NULL
);
CREATE INDEX sessions_token ON sessions (token_id);
"#;

/// Brings the database to [`SCHEMA_VERSION`], or refuses a newer one.
pub async fn migrate(client: &mut deadpool_postgres::Client) -> Result<(), StoreError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        )
        .await
        .or_else(|e| {
            // Two replicas creating it at once: the other one won.
            if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
                Ok(())
            } else {
                Err(e)
            }
        })?;
    let tx = client.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&MIGRATE_LOCK.0, &MIGRATE_LOCK.1],
    )
    .await?;
    let found = version(&tx).await?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::Newer {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tracing::info!(from, to = from + 1, "migrating the database schema");
        tx.batch_execute(sql).await?;
        if from == 1 {
            let today = crate::clock::today().to_string();
            tx.execute(&with_param(&SEED_SQL, "$1"), &[&today]).await?;
        }
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&SCHEMA_VERSION.to_string()],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The schema version of the database; 0 for a new one.
async fn version(tx: &deadpool_postgres::Transaction<'_>) -> Result<i64, StoreError> {
    let row = tx
        .query_opt("SELECT value FROM meta WHERE key = 'schema'", &[])
        .await?;
    let Some(row) = row else { return Ok(0) };
    let text: String = row.try_get(0)?;
    text.parse()
        .map_err(|_| StoreError::Damaged(format!("meta.schema is {text:?}, not a version")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_action_columns_come_from_the_actions() {
        for sql in MIGRATIONS.iter() {
            assert!(!sql.contains('{'), "{sql}");
        }
        assert!(MIGRATIONS[0].contains("    n_upgrade     INTEGER NOT NULL,\n"));
        assert!(MIGRATIONS[0].contains("    n_upgrade     BIGINT NOT NULL DEFAULT 0,\n"));
        assert!(MIGRATIONS[1].contains("    not_ready   BIGINT NOT NULL DEFAULT 0,\n"));
    }
}
