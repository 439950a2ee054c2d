//! The trend as the SQLite store keeps it: changes on the day of each
//! assessment, added up to the counts, a schema 3 database seeded today.

use acsready_assess::Verdict;
use acsready_facts::HostFacts;

use crate::store::trend::{days, TrendRows};
use crate::store::*;

/// Facts as the server reads them from a request.
fn facts(host: &str, ubr: u32) -> HostFacts {
    let line = serde_json::json!({
        "host": host,
        "os": {"current_build": format!("17763.{ubr}"), "installation_type": "Server"},
        "certificates": [{"sha1": "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2", "store": "AuthRoot"}],
    });
    let mut parsed = acsready_intake::body::parse_facts(line.to_string().as_bytes());
    assert!(parsed.rejected.is_empty());
    parsed.facts.remove(0)
}

/// A record of `host` received on `day` at noon (UTC); Windows Server 2019
/// at UBR 2183 is not ready, at 6414 ready.
fn record(host: &str, ubr: u32, day: &str) -> NewRecord {
    let rules = acsready_rules::Rules::embedded().expect("rules");
    let at = format!("{day}T12:00:00.000Z");
    let ms = crate::clock::millis(&at).expect("time");
    let mut f = facts(host, ubr);
    f.collected_at = Some(at.clone());
    crate::ingest::record(f, &rules, (ms, &at))
}

fn put(store: &SqliteStore, records: Vec<NewRecord>) {
    let pending = store.put(records).expect("queued");
    pending.blocking_recv().expect("answer").expect("stored");
}

fn ready_by_day(store: &SqliteStore, today: &str) -> Vec<(String, u64, u64)> {
    let rows = store.trend("").expect("trend");
    days(&rows, today.parse().expect("day"), 90)
        .into_iter()
        .map(|d| (d.day, d.ready, d.hosts))
        .collect()
}

/// The trend's rows add up to the counts, verdict by verdict.
fn adds_up(rows: &TrendRows) {
    let sums: Vec<i64> = (0..4)
        .map(|i| rows.changes.iter().map(|(_, n)| n[i]).sum())
        .collect();
    assert_eq!(sums, rows.totals, "{rows:?}");
}

#[test]
fn each_day_keeps_what_changed_that_day_and_adds_up_to_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    put(
        &store,
        vec![
            record("a", 2183, "2026-11-01"),
            record("b", 6414, "2026-11-01"),
        ],
    );
    // Day 3: a is patched (ready), c arrives not ready; b sends the same
    // verdict again (no change).
    put(
        &store,
        vec![
            record("a", 6414, "2026-11-03"),
            record("c", 2183, "2026-11-03"),
            record("b", 6415, "2026-11-03"),
        ],
    );
    // An older collection of c sent late joins the history only.
    put(&store, vec![record("c", 6414, "2026-11-02")]);
    let got = ready_by_day(&store, "2026-11-04");
    let want = [
        ("2026-11-01", 1, 2),
        ("2026-11-02", 1, 2),
        ("2026-11-03", 2, 3),
        ("2026-11-04", 2, 3),
    ];
    assert_eq!(got, want.map(|(d, r, h)| (d.to_string(), r, h)).to_vec());
    let rows = store.trend("").unwrap();
    adds_up(&rows);
    assert_eq!(rows.changes.len(), 2, "one row per day with a change");
    assert_eq!(rows.first.as_deref(), Some("2026-11-01"));
    // Only the days asked for are read.
    assert_eq!(store.trend("2026-11-02").unwrap().changes.len(), 1);

    // A re-assessment (new rules) on day 5 that makes c ready.
    let rules = acsready_rules::Rules::embedded().expect("rules");
    let stale = store.stale("another version", "", 10).unwrap();
    let c = stale.into_iter().find(|s| s.host == "c").expect("c");
    let a = acsready_assess::assess_with(
        &facts("c", 6414),
        &rules,
        acsready_rules::Lang::En,
        acsready_assess::Detail::Codes,
    );
    assert_eq!(a.verdict, Verdict::Ready);
    let again = Reassessed {
        host: c.host,
        facts_id: c.facts_id,
        collected_at: c.facts.collected_at,
        assessed: Assessed::of(&a, "9999.1.1", "2026-11-05T08:00:00.000Z"),
    };
    let n = store
        .reassess(vec![again])
        .unwrap()
        .blocking_recv()
        .unwrap()
        .unwrap();
    assert_eq!(n, 1);
    let got = ready_by_day(&store, "2026-11-05");
    assert_eq!(got.last(), Some(&("2026-11-05".to_string(), 3, 3)));
    assert_eq!(got[3], ("2026-11-04".to_string(), 2, 3));
    adds_up(&store.trend("").unwrap());
}

#[test]
fn a_schema_3_database_starts_its_trend_today_from_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        put(
            &store,
            vec![
                record("a", 2183, "2026-10-01"),
                record("b", 6414, "2026-10-01"),
                record("c", 6414, "2026-10-02"),
            ],
        );
    }
    // What schema 3 had: no trend.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "DROP TRIGGER latest_trend_insert; DROP TRIGGER latest_trend_update;
             DROP TRIGGER latest_trend_delete; DROP TABLE trend;
             UPDATE meta SET value = '3' WHERE key = 'schema';",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let today = crate::clock::today().to_string();
    let rows = store.trend("").unwrap();
    assert_eq!(rows.first.as_deref(), Some(today.as_str()));
    assert_eq!(rows.changes, [(today.clone(), [2, 1, 0, 0])]);
    adds_up(&rows);
    assert_eq!(ready_by_day(&store, &today), [(today.clone(), 2, 3)]);
    drop(store);
    // Opened again: nothing seeded twice.
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.trend("").unwrap().changes.len(), 1);
    let c = rusqlite::Connection::open(&path).unwrap();
    let version: String = c
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, crate::store::schema::SCHEMA_VERSION.to_string());
}
