//! The SQLite schema. `latest` holds one row per host with indexed columns,
//! so lists and counts never read the facts; `assessments` is the history.

use std::sync::LazyLock;

use acsready_assess::Action;

pub const SCHEMA_VERSION: i64 = 1;

/// The column of `latest` counting a host's agents planned for `a` ("n_upgrade").
pub fn action_column(a: Action) -> String {
    format!("n_{}", a.as_str())
}

/// The action columns in the order of [`Action::ALL`], joined by `sep`,
/// each written through `each` ("sum(n_upgrade)").
pub fn action_columns(each: impl Fn(&str) -> String, sep: &str) -> String {
    Action::ALL.map(|a| each(&action_column(a))).join(sep)
}

/// The schema, its action columns written from [`Action::ALL`].
pub static SCHEMA: LazyLock<String> = LazyLock::new(|| {
    SCHEMA_TEXT
        .replace(
            "{action_columns}\n",
            &action_columns(|c| format!("    {c:<13} INTEGER NOT NULL,\n"), ""),
        )
        .replace("{action_index}", &action_columns(str::to_string, ", "))
});

const SCHEMA_TEXT: &str = r#"
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
{action_columns}
    assessed_at   TEXT NOT NULL,
    collected_at  TEXT,
    rules_version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS latest_counts ON latest
    (release, verdict, os_name, {action_index});
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_action_columns_come_from_the_actions() {
        for a in Action::ALL {
            let column = format!("    {:<13} INTEGER NOT NULL,\n", action_column(a));
            assert!(SCHEMA.contains(&column), "{column:?} in {}", *SCHEMA);
        }
        assert!(SCHEMA.contains(
            "(release, verdict, os_name, n_upgrade, n_pin, n_fix_host, n_hold, n_none);"
        ));
        assert!(!SCHEMA.contains('{'), "{}", *SCHEMA);
    }
}
