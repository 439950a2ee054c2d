//! The fleet's trend (`GET /api/v1/trend`) through the real server, its
//! clock set to the days of the test (`ACSREADY_CLOCK_START`): the counts
//! of each day after ingests on different days, a re-assessment after a
//! rules change counted on its day, bad `days` refused. On PostgreSQL
//! (`ACSREADY_TEST_PG`, as `scripts/test` runs it) also: a schema 1
//! database starts its trend on the day it is brought up to date, and
//! `store migrate` carries the trend.

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::process::Command;

use harness::{bin, facts, new_db, pg_database, ready_by_day, repo, setup, sql, token, Server};

const NDJSON: &str = "application/x-ndjson";

/// Noon (UTC) of a day of November 2026.
fn noon(day: u32) -> String {
    format!("2026-11-{day:02}T12:00:00Z")
}

fn ingest(server: &Server, token: &str, lines: &[String]) {
    let body = lines.join("\n");
    let (status, text) = server.post("/api/v1/facts", Some(token), NDJSON, body.as_bytes());
    assert_eq!(status, 200, "{text}");
}

fn days(list: &[(&str, u64, u64)]) -> Vec<(String, u64, u64)> {
    list.iter()
        .map(|(d, r, h)| (d.to_string(), *r, *h))
        .collect()
}

/// Rules under which Windows Server 2019 is ready from UBR 2000 (the real
/// rules: 2210), as a new rules version.
fn looser_rules(dir: &std::path::Path, version: &str) -> std::path::PathBuf {
    let rules = std::fs::read_to_string(repo().join("rules/acsready-rules.toml")).unwrap();
    let looser = rules
        .replacen(
            "requirements = [{ kind = \"min_ubr\", ubr = 2210, kb = \"KB5005625\"",
            "requirements = [{ kind = \"min_ubr\", ubr = 2000, kb = \"KB5005625\"",
            1,
        )
        .replacen(
            &format!("rules_version = \"{version}\""),
            "rules_version = \"9999.1.1\"",
            1,
        );
    assert_eq!(
        looser.matches("9999.1.1").count()
            + looser.matches("ubr = 2000, kb = \"KB5005625\"").count(),
        2,
        "the rules file changed: this test edits its Windows Server 2019 row and its version"
    );
    let file = dir.join("looser.toml");
    std::fs::write(&file, looser).unwrap();
    file
}

#[test]
fn each_day_counts_the_hosts_as_they_stood_at_its_end() {
    let s = setup();
    // Day 1: a is not ready (UBR 2183), b ready.
    let server = Server::start_at(&s.db, &[], Some(&noon(1)));
    ingest(
        &server,
        &s.ingest,
        &[facts("a", 2183, None), facts("b", 6414, None)],
    );
    let trend = server.get_json("/api/v1/trend?days=7", &s.read);
    assert_eq!(trend["today"], "2026-11-01");
    assert_eq!(trend["first_day"], "2026-11-01");
    assert_eq!(ready_by_day(&trend), days(&[("2026-11-01", 1, 2)]));
    assert_eq!(trend["days"][0]["not_ready"], 1);
    let version = server.get_json("/api/v1/summary", &s.read)["rules"]["version"]
        .as_str()
        .expect("rules version")
        .to_string();
    drop(server);

    // Day 3: a is patched, c arrives not ready. Day 2 carries day 1.
    let server = Server::start_at(&s.db, &[], Some(&noon(3)));
    ingest(
        &server,
        &s.ingest,
        &[facts("a", 6414, None), facts("c", 2183, None)],
    );
    let trend = server.get_json("/api/v1/trend?days=7", &s.read);
    assert_eq!(trend["today"], "2026-11-03");
    assert_eq!(
        ready_by_day(&trend),
        days(&[
            ("2026-11-01", 1, 2),
            ("2026-11-02", 1, 2),
            ("2026-11-03", 2, 3)
        ])
    );
    let summary = server.get_json("/api/v1/summary", &s.read);
    let last = &trend["days"][2];
    for v in ["hosts", "ready", "not_ready", "unknown", "unsupported"] {
        assert_eq!(last[v], summary[v], "today's {v} is the summary's");
    }
    // A window of two days: the last two; without `days`: 90 (all kept).
    let two = server.get_json("/api/v1/trend?days=2", &s.read);
    assert_eq!(
        ready_by_day(&two),
        days(&[("2026-11-02", 1, 2), ("2026-11-03", 2, 3)])
    );
    assert_eq!(
        server.get_json("/api/v1/trend", &s.read)["days"],
        trend["days"]
    );
    assert_eq!(
        server.get_json("/api/v1/trend?days=", &s.read)["days"],
        trend["days"]
    );
    for bad in ["0", "731", "-1", "abc", "1.5", "99999999999999999999"] {
        let (status, body) = server.get(&format!("/api/v1/trend?days={bad}"), Some(&s.read));
        assert_eq!(status, 400, "days={bad}: {body}");
        let error = harness::json(&body)["error"].as_str().unwrap().to_string();
        assert!(
            error.contains("days") && error.contains("from 1 to 730"),
            "days={bad}: {error}"
        );
    }
    assert_eq!(server.get("/api/v1/trend", None).0, 401);
    assert_eq!(server.get("/api/v1/trend", Some(&s.ingest)).0, 403);
    drop(server);

    // Day 5: new rules make c ready; the re-assessment counts on day 5.
    let rules = looser_rules(s._dir.path(), &version);
    let server = Server::start_at(&s.db, &["--rules", rules.to_str().unwrap()], Some(&noon(5)));
    server.eventually("c is re-assessed", || {
        server.get_json("/api/v1/hosts/c", &s.read)["rules_version"] == "9999.1.1"
    });
    let trend = server.get_json("/api/v1/trend?days=7", &s.read);
    assert_eq!(
        ready_by_day(&trend),
        days(&[
            ("2026-11-01", 1, 2),
            ("2026-11-02", 1, 2),
            ("2026-11-03", 2, 3),
            ("2026-11-04", 2, 3),
            ("2026-11-05", 3, 3),
        ])
    );
    // The host's own history still shows each assessment.
    let c = server.get_json("/api/v1/hosts/c", &s.read);
    let verdicts: Vec<&str> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["ready", "not_ready"]);
}

#[test]
fn a_clock_that_cannot_be_read_stops_the_server() {
    let s = setup();
    let out = Command::new(bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(&s.db)
        .env("ACSREADY_CLOCK_START", "yesterday")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ACSREADY_CLOCK_START") && stderr.contains("yesterday"),
        "{stderr}"
    );
}

#[test]
fn a_postgresql_database_of_schema_1_starts_its_trend_on_the_day_it_is_brought_up_to_date() {
    let Some((_dir, db, ingest_token, read)) = pg_database() else {
        return;
    };
    let server = Server::start_at(&db, &[], Some(&noon(1)));
    ingest(
        &server,
        &ingest_token,
        &[
            facts("a", 2183, None),
            facts("b", 6414, None),
            facts("c", 6414, None),
        ],
    );
    drop(server);
    // What schema 1 had: no trend.
    sql(
        &db,
        "DROP TABLE trend; UPDATE meta SET value = '1' WHERE key = 'schema'",
    );
    let server = Server::start_at(&db, &[], Some(&noon(9)));
    let trend = server.get_json("/api/v1/trend?days=30", &read);
    assert_eq!(trend["first_day"], "2026-11-09");
    assert_eq!(ready_by_day(&trend), days(&[("2026-11-09", 2, 3)]));
    // Then on as any other.
    ingest(&server, &ingest_token, &[facts("a", 6414, None)]);
    let trend = server.get_json("/api/v1/trend?days=30", &read);
    assert_eq!(ready_by_day(&trend), days(&[("2026-11-09", 3, 3)]));
}

#[test]
fn store_migrate_carries_the_trend_and_checks_it() {
    let Some((dir, _, _, _)) = pg_database() else {
        return;
    };
    let sqlite = dir.path().join("old.db");
    let ingest_token = token(&sqlite, "ingest");
    let read = token(&sqlite, "read");
    let old = Server::start_at(&sqlite, &[], Some(&noon(1)));
    ingest(
        &old,
        &ingest_token,
        &[facts("a", 2183, None), facts("b", 6414, None)],
    );
    drop(old);
    let old = Server::start_at(&sqlite, &[], Some(&noon(4)));
    ingest(&old, &ingest_token, &[facts("a", 6414, None)]);
    let before = old.get_json("/api/v1/trend?days=10", &read);
    assert_eq!(before["days"].as_array().unwrap().len(), 4);
    drop(old);
    let migrate = |to: &std::path::Path| {
        Command::new(bin())
            .args(["store", "migrate", "--from"])
            .arg(format!("sqlite:{}", sqlite.display()))
            .arg("--to")
            .arg(to)
            .output()
            .unwrap()
    };
    let pg = new_db(dir.path());
    let out = migrate(&pg);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("2 trend days"), "{stderr}");
    let new = Server::start_at(&pg, &[], Some(&noon(4)));
    assert_eq!(new.get_json("/api/v1/trend?days=10", &read), before);

    // A trend that does not add up to the hosts' verdicts is refused.
    rusqlite::Connection::open(&sqlite)
        .unwrap()
        .execute("UPDATE trend SET ready = ready + 5", [])
        .unwrap();
    let pg = new_db(dir.path());
    let out = migrate(&pg);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("trend: its days add up to") && stderr.contains("nothing was copied"),
        "{stderr}"
    );
}
