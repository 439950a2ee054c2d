//! The SQLite schema. `latest` holds one row per host with indexed columns,
//! so lists and counts never read the facts; `assessments` is the history.

pub const SCHEMA_VERSION: i64 = 1;

pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS facts (
    id           INTEGER PRIMARY KEY,
    host         TEXT NOT NULL,
    ikey         TEXT NOT NULL,
    collected_at TEXT,
    received_at  TEXT NOT NULL,
    body         TEXT NOT NULL,
    UNIQUE (host, ikey)
);
CREATE TABLE IF NOT EXISTS assessments (
    id            INTEGER PRIMARY KEY,
    host          TEXT NOT NULL,
    facts_id      INTEGER NOT NULL,
    assessed_at   TEXT NOT NULL,
    collected_at  TEXT,
    rules_version TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    codes         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assessments_host ON assessments (host, id);
CREATE TABLE IF NOT EXISTS latest (
    host          TEXT PRIMARY KEY,
    facts_id      INTEGER NOT NULL,
    seen_ms       INTEGER NOT NULL,
    verdict       TEXT NOT NULL,
    os_name       TEXT NOT NULL,
    os_build      INTEGER,
    os_ubr        INTEGER,
    release       TEXT NOT NULL,
    agents        TEXT NOT NULL,
    codes         TEXT NOT NULL,
    n_upgrade     INTEGER NOT NULL,
    n_pin         INTEGER NOT NULL,
    n_fix_host    INTEGER NOT NULL,
    n_hold        INTEGER NOT NULL,
    n_none        INTEGER NOT NULL,
    assessed_at   TEXT NOT NULL,
    collected_at  TEXT,
    rules_version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS latest_counts ON latest
    (release, verdict, os_name, n_upgrade, n_pin, n_fix_host, n_hold, n_none);
CREATE INDEX IF NOT EXISTS latest_verdict ON latest (verdict, host);
CREATE INDEX IF NOT EXISTS latest_assessed ON latest (assessed_at, host);
CREATE INDEX IF NOT EXISTS latest_rules ON latest (rules_version, host);
CREATE TABLE IF NOT EXISTS tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    hash       BLOB PRIMARY KEY,
    scopes     TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
);
"#;
