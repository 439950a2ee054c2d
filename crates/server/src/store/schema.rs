//! The SQLite schema. `latest` holds one row per host with indexed columns,
//! so lists and counts never read the facts; `assessments` is the history.

use std::sync::LazyLock;

use acsready_assess::Action;

use super::trend::{verdict_columns, with_param, SEED_SQL};

/// 2: a session knows the token it was created with (`sessions.token_id`).
/// 3: `counts`, kept by triggers on `latest` in the same transactions.
/// 4: `trend`, the changes of each day's hosts per verdict, kept by
/// triggers on `latest` too (store/trend.rs).
pub const SCHEMA_VERSION: i64 = 4;

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
        .replace(
            "{count_columns}\n",
            &action_columns(|c| format!("    {c:<13} INTEGER NOT NULL DEFAULT 0,\n"), ""),
        )
        .replace("{add_new}", &counted("new", "+"))
        .replace("{take_old}", &counted("old", "-"))
        .replace(
            "{trend_columns}\n",
            &verdict_columns(|v| format!("    {v:<11} INTEGER NOT NULL DEFAULT 0,\n"), ""),
        )
        .replace(
            "{trend_new}",
            &trend_change("substr(new.assessed_at, 1, 10)", |v| {
                format!("(new.verdict = '{v}')")
            }),
        )
        .replace(
            "{trend_changed}",
            &trend_change("substr(new.assessed_at, 1, 10)", |v| {
                format!("(new.verdict = '{v}') - (old.verdict = '{v}')")
            }),
        )
        .replace(
            "{trend_old}",
            &trend_change("strftime('%Y-%m-%d', 'now')", |v| {
                format!("-(old.verdict = '{v}')")
            }),
        )
});

/// The statement of a trigger adding to the day `day` of `trend` the
/// change of each verdict's host count that `change` writes.
fn trend_change(day: &str, change: impl Fn(&str) -> String) -> String {
    format!(
        "INSERT INTO trend (day, {}) VALUES ({day}, {})
         ON CONFLICT (day) DO UPDATE SET {};",
        verdict_columns(str::to_string, ", "),
        verdict_columns(change, ", "),
        verdict_columns(|v| format!("{v} = {v} + excluded.{v}"), ", ")
    )
}

/// The statements of a trigger adding (`+`) or taking away (`-`) the row
/// `row` (`new`, `old`) of `latest` to or from its counts.
fn counted(row: &str, sign: &str) -> String {
    let columns = action_columns(str::to_string, ", ");
    let values = action_columns(|c| format!("{sign}{row}.{c}"), ", ");
    let add = action_columns(|c| format!("{c} = {c} + excluded.{c}"), ", ");
    format!(
        "INSERT INTO counts (release, verdict, name, hosts, {columns})
         VALUES ({row}.release, {row}.verdict, {row}.os_name, {sign}1, {values})
         ON CONFLICT (release, verdict) DO UPDATE SET hosts = hosts + excluded.hosts, {add}{name};",
        // The name of a release: the least OS name counted in it.
        name = if sign == "+" {
            ", name = CASE WHEN name IS NULL OR excluded.name < name THEN excluded.name ELSE name END"
        } else {
            ""
        }
    )
}

/// Hosts and agents per action, by release and verdict: the counts kept
/// with every write (both stores).
pub static COUNTS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT release, verdict, coalesce(name, ''), hosts, {}
         FROM counts WHERE hosts > 0 ORDER BY release, verdict",
        action_columns(str::to_string, ", ")
    )
});

/// The counts worked out from `latest` (both stores), to fill `counts`.
pub static COUNTS_FROM_LATEST: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO counts (release, verdict, name, hosts, {})
         SELECT release, verdict, min(os_name), count(*), {} FROM latest GROUP BY release, verdict",
        action_columns(str::to_string, ", "),
        action_columns(|c| format!("sum({c})"), ", ")
    )
});

/// The schema version of an SQLite database; 0 for a new one.
pub fn version(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    let has_meta: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
        [],
        |r| r.get(0),
    )?;
    if has_meta == 0 {
        return Ok(0);
    }
    let mut stmt = conn.prepare("SELECT value FROM meta WHERE key = 'schema'")?;
    let mut rows = stmt.query([])?;
    Ok(match rows.next()? {
        Some(row) => row.get::<_, String>(0)?.parse().unwrap_or(0),
        None => 0,
    })
}

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
CREATE INDEX IF NOT EXISTS latest_verdict_assessed ON latest (verdict, assessed_at, host);
CREATE INDEX IF NOT EXISTS latest_release ON latest (release, host);
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
CREATE TABLE IF NOT EXISTS counts (
    release       TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    name          TEXT,
    hosts         INTEGER NOT NULL DEFAULT 0,
{count_columns}
    PRIMARY KEY (release, verdict)
);
CREATE TRIGGER IF NOT EXISTS latest_counts_insert AFTER INSERT ON latest BEGIN
    {add_new}
END;
CREATE TRIGGER IF NOT EXISTS latest_counts_delete AFTER DELETE ON latest BEGIN
    {take_old}
END;
CREATE TRIGGER IF NOT EXISTS latest_counts_update AFTER UPDATE ON latest BEGIN
    {take_old}
    {add_new}
END;
CREATE TABLE IF NOT EXISTS trend (
    day         TEXT NOT NULL,
{trend_columns}
    PRIMARY KEY (day)
);
CREATE TRIGGER IF NOT EXISTS latest_trend_insert AFTER INSERT ON latest BEGIN
    {trend_new}
END;
CREATE TRIGGER IF NOT EXISTS latest_trend_update AFTER UPDATE OF verdict ON latest
    WHEN old.verdict IS NOT new.verdict BEGIN
    {trend_changed}
END;
-- The server never removes a host; one removed by hand leaves the trend on
-- the day it is removed.
CREATE TRIGGER IF NOT EXISTS latest_trend_delete AFTER DELETE ON latest BEGIN
    {trend_old}
END;
CREATE TABLE IF NOT EXISTS sessions (
    hash       BLOB PRIMARY KEY,
    scopes     TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    token_id   INTEGER NOT NULL DEFAULT 0
);
"#;

/// Brings a database of an older schema to this one, after [`SCHEMA`]
/// (which creates what is missing but changes no existing table).
/// Schema 1 sessions do not know their token: they are ended (people sign
/// in again), so revoking a token ends every session it opened.
pub fn migrate(conn: &rusqlite::Connection, found: i64) -> rusqlite::Result<()> {
    if (1..3).contains(&found) {
        // Schema 3: the counts of the hosts stored before it.
        conn.execute_batch(&format!(
            "BEGIN; DELETE FROM counts; {}; COMMIT;",
            *COUNTS_FROM_LATEST
        ))?;
    }
    let has_token: bool = conn.query_row(
        "SELECT count(*) FROM pragma_table_info('sessions') WHERE name = 'token_id'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if !has_token {
        conn.execute_batch(
            "BEGIN;
             DELETE FROM sessions;
             ALTER TABLE sessions ADD COLUMN token_id INTEGER NOT NULL DEFAULT 0;
             COMMIT;",
        )?;
    }
    conn.execute_batch("CREATE INDEX IF NOT EXISTS sessions_token ON sessions (token_id);")?;
    let tx = conn.unchecked_transaction()?;
    if (1..4).contains(&found) {
        // Schema 4: the trend of the hosts stored before it starts today.
        tx.execute(
            &with_param(&SEED_SQL, "?1"),
            [crate::clock::today().to_string()],
        )?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [SCHEMA_VERSION.to_string()],
    )?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_1_database_opens_and_its_sessions_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 INSERT INTO meta VALUES ('schema', '1');
                 CREATE TABLE sessions (hash BLOB PRIMARY KEY, scopes TEXT NOT NULL, expires_ms INTEGER NOT NULL);
                 INSERT INTO sessions VALUES (x'00', 'read', 9223372036854775807);",
            )
            .unwrap();
        }
        let store = crate::store::SqliteStore::open(&path).unwrap();
        use crate::store::Store;
        assert_eq!(store.session_scopes(&[0; 32], 0).unwrap(), None);
        drop(store);
        let c = rusqlite::Connection::open(&path).unwrap();
        let (sessions, version): (i64, String) = c
            .query_row(
                "SELECT (SELECT count(*) FROM sessions), (SELECT value FROM meta WHERE key = 'schema')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((sessions, version), (0, SCHEMA_VERSION.to_string()));
        // Opening again changes nothing.
        migrate(&c, SCHEMA_VERSION).unwrap();
    }

    #[test]
    fn a_database_of_a_newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("newer.db");
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 INSERT INTO meta VALUES ('schema', '99');",
            )
            .unwrap();
        }
        let err = crate::store::SqliteStore::open(&path)
            .err()
            .expect("refused");
        assert!(
            matches!(
                err,
                crate::store::StoreError::Newer {
                    found: 99,
                    known: SCHEMA_VERSION
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("schema version 99"), "{err}");
        let c = rusqlite::Connection::open(&path).unwrap();
        let tables: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1, "nothing was created");
    }

    #[test]
    fn counts_follow_every_change_of_latest() {
        let dir = tempfile::tempdir().unwrap();
        let c = rusqlite::Connection::open(dir.path().join("c.db")).unwrap();
        c.execute_batch(&SCHEMA).unwrap();
        let row = |host: &str, release: &str, verdict: &str, upgrade: i64| {
            c.execute(
                "INSERT INTO latest (host, facts_id, seen_ms, verdict, os_name, release, agents, codes,
                   n_upgrade, n_pin, n_fix_host, n_hold, n_none, assessed_at, rules_version)
                 VALUES (?1, 1, 0, ?2, ?3, ?3, '[]', '[]', ?4, 0, 0, 0, 0, '', '')
                 ON CONFLICT (host) DO UPDATE SET verdict = excluded.verdict, release = excluded.release,
                   os_name = excluded.os_name, n_upgrade = excluded.n_upgrade",
                rusqlite::params![host, verdict, release, upgrade],
            )
            .unwrap();
        };
        row("a", "r1", "ready", 1);
        row("b", "r1", "ready", 2);
        row("a", "r2", "not_ready", 0);
        c.execute("DELETE FROM latest WHERE host = 'b'", [])
            .unwrap();
        row("c", "r2", "not_ready", 5);
        let counted = |c: &rusqlite::Connection| -> Vec<(String, String, i64, i64)> {
            let mut stmt = c
                .prepare("SELECT release, verdict, hosts, n_upgrade FROM counts WHERE hosts > 0 ORDER BY 1, 2")
                .unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(counted(&c), [("r2".into(), "not_ready".into(), 2, 5)]);
        // The same as working them out from latest.
        c.execute_batch(&format!("DELETE FROM counts; {};", *COUNTS_FROM_LATEST))
            .unwrap();
        assert_eq!(counted(&c), [("r2".into(), "not_ready".into(), 2, 5)]);
    }

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
