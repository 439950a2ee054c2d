//! Two `acsready serve` replicas on one PostgreSQL database (started by
//! `scripts/pg-cluster`; `ACSREADY_TEST_PG` names it): what one replica
//! stores or revokes holds on the other, a replica killed with SIGKILL
//! loses no acknowledged record, and a rules update re-assesses each host
//! once. Without `ACSREADY_TEST_PG` the tests say so and pass, unless
//! `ACSREADY_PG_TESTS=require` (as `scripts/test` sets).

#[path = "server/harness.rs"]
mod harness;

use std::collections::HashSet;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use harness::{bin, facts, new_db, pg_database as database, repo, sql, token, Server};

const NDJSON: &str = "application/x-ndjson";

#[test]
fn what_one_replica_stores_or_revokes_holds_on_the_other() {
    let Some((_dir, db, ingest, read)) = database() else {
        return;
    };
    let a = Server::start(&db, &[]);
    let b = Server::start(&db, &[]);
    let body = format!(
        "{}\n{}\n",
        facts("web01", 6414, Some("2026-11-01T00:00:00Z")),
        facts("db01", 2183, None)
    );
    let (status, text) = a.post("/api/v1/facts", Some(&ingest), NDJSON, body.as_bytes());
    assert_eq!(status, 200, "{text}");
    // Read through the other replica: stored, counted, the same host by any spelling.
    assert_eq!(b.get_json("/api/v1/summary", &read)["hosts"], 2);
    let host = b.get_json("/api/v1/hosts/WEB01.corp.example", &read);
    assert_eq!(host["host"], "web01", "{host}");
    // The same record through the other replica is a duplicate; a longer
    // spelling renames the host on both.
    let again = facts("web01.corp.example", 6414, Some("2026-11-01T00:00:00Z"));
    let (status, text) = b.post("/api/v1/facts", Some(&ingest), NDJSON, again.as_bytes());
    assert_eq!(status, 200, "{text}");
    assert_eq!(harness::json(&text)["duplicates"], 1, "{text}");
    assert_eq!(
        a.get_json("/api/v1/hosts/web01", &read)["host"],
        "web01.corp.example"
    );
    // A session signed in on one replica works on the other.
    let login = a
        .agent
        .post(format!("{}/login", a.url))
        .header("Origin", &a.url)
        .content_type("application/x-www-form-urlencoded")
        .send(format!("token={read}"))
        .expect("login");
    assert_eq!(login.status().as_u16(), 303);
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let session = |server: &Server| {
        let mut r = server
            .agent
            .get(format!("{}/api/v1/summary", server.url))
            .header("Cookie", &cookie)
            .call()
            .expect("GET");
        (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        )
    };
    assert_eq!(session(&b).0, 200);
    // Revoked once: refused by both replicas at once, sessions included.
    let revoke = Command::new(bin())
        .args(["token", "revoke", "2", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        revoke.status.success(),
        "{}",
        String::from_utf8_lossy(&revoke.stderr)
    );
    for server in [&a, &b] {
        assert_eq!(server.get("/api/v1/summary", Some(&read)).0, 401);
        assert_eq!(session(server).0, 401);
    }
}

#[cfg(unix)]
#[test]
fn a_replica_killed_during_32_writers_loses_no_acknowledged_record() {
    let Some((_dir, db, ingest, read)) = database() else {
        return;
    };
    let a = Server::start(&db, &[]);
    let b = Server::start(&db, &[]);
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..32)
        .map(|t| {
            // Half the clients send to the replica that is killed.
            let url = if t % 2 == 0 {
                a.url.clone()
            } else {
                b.url.clone()
            };
            let (token, acked, stop) = (ingest.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let agent = harness::agent();
                for i in 0..1000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    // Each record of two hosts, one of them shared by two clients.
                    let own = format!("kill-{t:02}-{i:04}");
                    let shared = format!("shared-{:02}-{i:04}", t / 2);
                    let body = format!(
                        "{}\n{}\n",
                        facts(&own, 100 + i, None),
                        facts(&shared, 100 + i, None)
                    );
                    let (status, _) = harness::post(
                        &agent,
                        &url,
                        "/api/v1/facts",
                        Some(&token),
                        NDJSON,
                        body.as_bytes(),
                    );
                    match status {
                        200 => acked.lock().unwrap().extend([own, shared]),
                        0 => return,
                        other => panic!("unexpected status {other}"),
                    }
                }
            })
        })
        .collect();
    a.eventually("600 acknowledged records", || {
        acked.lock().unwrap().len() >= 600
    });
    a.kill();
    b.eventually("400 more acknowledged records", || {
        acked.lock().unwrap().len() >= 1000
    });
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acked: HashSet<String> = acked.lock().unwrap().iter().cloned().collect();
    let total = b.get_json("/api/v1/summary", &read)["hosts"]
        .as_u64()
        .unwrap();
    let mut stored = HashSet::new();
    let mut offset = 0;
    while offset < total {
        let page = b.get_json(&format!("/api/v1/hosts?limit=1000&offset={offset}"), &read);
        for h in page["hosts"].as_array().unwrap() {
            stored.insert(h["host"].as_str().unwrap().to_string());
        }
        offset += 1000;
    }
    let lost: Vec<&String> = acked.iter().filter(|h| !stored.contains(*h)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged hosts lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    // The counts agree with the rows: maintained in the same transactions.
    assert_eq!(total, stored.len() as u64);
    assert_eq!(
        sql(
            &db,
            "SELECT (SELECT sum(hosts) FROM counts) = (SELECT count(*) FROM latest)"
        ),
        "t"
    );
    // So does the trend: each verdict's changes add up to its hosts.
    for v in ["ready", "not_ready", "unknown", "unsupported"] {
        assert_eq!(
            sql(
                &db,
                &format!(
                    "SELECT (SELECT coalesce(sum({v}), 0) FROM trend) \
                     = (SELECT count(*) FROM latest WHERE verdict = '{v}')"
                )
            ),
            "t",
            "{v}"
        );
    }
}

#[test]
fn a_rules_update_reassesses_each_host_once_across_replicas() {
    let Some((dir, db, ingest, read)) = database() else {
        return;
    };
    let first = Server::start(&db, &[]);
    let fleet: String = (0..1200)
        .map(|i| facts(&format!("r-{i:04}"), 2183 + (i % 7), None) + "\n")
        .collect();
    let (status, text) = first.post("/api/v1/facts", Some(&ingest), NDJSON, fleet.as_bytes());
    assert_eq!(status, 200, "{text}");
    let before = first.get_json("/api/v1/hosts/r-0000", &read)["rules_version"]
        .as_str()
        .unwrap()
        .to_string();
    drop(first);
    let rules = std::fs::read_to_string(repo().join("rules/acsready-rules.toml")).unwrap();
    let newer = rules.replacen(
        &format!("rules_version = \"{before}\""),
        "rules_version = \"9999.1.1\"",
        1,
    );
    let file = dir.path().join("newer.toml");
    std::fs::write(&file, newer).unwrap();
    let rules_arg = ["--rules", file.to_str().unwrap()];
    let a = Server::start(&db, &rules_arg);
    let b = Server::start(&db, &rules_arg);
    a.eventually("every host re-assessed", || {
        sql(
            &db,
            "SELECT count(*) FROM latest WHERE rules_version <> '9999.1.1'",
        ) == "0"
    });
    b.eventually("both replicas done", || {
        a.log().contains("re-assessed") || b.log().contains("re-assessed")
    });
    drop((a, b));
    // Each host: its ingest and one re-assessment, whichever replica made it.
    assert_eq!(
        sql(&db, "SELECT count(*) || ' ' || min(n) || ' ' || max(n) FROM (SELECT count(*) AS n FROM assessments GROUP BY hkey) h"),
        "1200 2 2"
    );
    assert_eq!(
        sql(
            &db,
            "SELECT (SELECT sum(hosts) FROM counts) = (SELECT count(*) FROM latest)"
        ),
        "t"
    );
}

#[test]
fn an_sqlite_fleet_moves_to_postgresql_with_its_tokens() {
    let Some((dir, pg, _, _)) = database() else {
        return;
    };
    // The target must be empty: this one holds two tokens.
    let sqlite = dir.path().join("old.db");
    let ingest = token(&sqlite, "ingest");
    let read = token(&sqlite, "read");
    let old = Server::start(&sqlite, &[]);
    let fleet = std::fs::read(repo().join("examples/fleet.ndjson")).unwrap();
    assert_eq!(
        old.post("/api/v1/facts", Some(&ingest), NDJSON, &fleet).0,
        200
    );
    let summary = old.get_json("/api/v1/summary", &read);
    let hosts = old.get_json("/api/v1/hosts?limit=1000", &read);
    drop(old);
    let from = format!("sqlite:{}", sqlite.display());
    let migrate = |to: &std::path::Path| {
        Command::new(bin())
            .args(["store", "migrate", "--from", &from, "--to"])
            .arg(to)
            .output()
            .unwrap()
    };
    let refused = migrate(&pg);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("empty database"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let empty = new_db(dir.path());
    let out = migrate(&empty);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("78 hosts") && stderr.contains("2 tokens"),
        "{stderr}"
    );
    // The old tokens work on PostgreSQL and the fleet reads the same.
    let new = Server::start(&empty, &[]);
    assert_eq!(new.get_json("/api/v1/summary", &read), summary);
    assert_eq!(new.get_json("/api/v1/hosts?limit=1000", &read), hosts);
    let line = facts("after-move", 6414, None);
    assert_eq!(
        new.post("/api/v1/facts", Some(&ingest), NDJSON, line.as_bytes())
            .0,
        200
    );
    assert_eq!(new.get_json("/api/v1/summary", &read)["hosts"], 79);
}

#[test]
fn a_database_of_a_newer_schema_is_refused() {
    let Some((_dir, db, _, _)) = database() else {
        return;
    };
    sql(&db, "UPDATE meta SET value = '99' WHERE key = 'schema'");
    let out = Command::new(bin())
        .args(["token", "list", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("schema version 99, this acsready knows up to 2"),
        "{stderr}"
    );
    // A password on the command line is refused before anything is tried.
    let url = db
        .to_str()
        .unwrap()
        .replacen("://acsready@", "://acsready:secret@", 1);
    let out = Command::new(bin())
        .args(["token", "list", "--db", &url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("PGPASSWORD") && !stderr.contains("secret"),
        "{stderr}"
    );
}

#[test]
fn tls_to_the_database_is_verified() {
    let Some((_dir, db, _, _)) = database() else {
        return;
    };
    let Ok(ca) = std::env::var("ACSREADY_TEST_PG_CA") else {
        return;
    };
    let url = format!("{}?sslmode=require", db.to_str().unwrap());
    let list = |ca: Option<&str>| {
        let mut c = Command::new(bin());
        c.args(["token", "list", "--db", &url]);
        if let Some(ca) = ca {
            c.args(["--db-ca-file", ca]);
        }
        c.output().unwrap()
    };
    let trusted = list(Some(&ca));
    assert!(
        trusted.status.success(),
        "{}",
        String::from_utf8_lossy(&trusted.stderr)
    );
    // Not signed by a known authority: refused.
    let unknown = list(None);
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert_eq!(unknown.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("certificate"), "{stderr}");
}
