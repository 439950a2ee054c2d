//! `acsready serve`, `token` and `push`, run as the real binary on a free
//! loopback port with a temporary database: access control, ingest
//! semantics, bad input, concurrency, a crash, rules updates.

#[path = "server/harness.rs"]
mod harness;

use std::process::Command;

use harness::{bin, facts, json, repo, setup, Server};

const NDJSON: &str = "application/x-ndjson";

#[test]
fn every_endpoint_but_health_needs_a_token_of_its_scope() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let (status, body) = server.get("/api/v1/health", None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["status"], "ok");
    for path in [
        "/api/v1/summary",
        "/api/v1/hosts",
        "/api/v1/hosts/x",
        "/api/v1/report.csv",
        "/api/v1/openapi.json",
        "/api/v1/session",
    ] {
        let (status, body) = server.get(path, None);
        assert_eq!(status, 401, "{path}: {body}");
        assert!(json(&body)["error"].as_str().is_some(), "{path}: {body}");
        assert_eq!(server.get(path, Some("acsr_not-a-token")).0, 401, "{path}");
        let (status, body) = server.get(path, Some(&s.ingest));
        let expected = if path == "/api/v1/session" { 200 } else { 403 };
        assert_eq!(status, expected, "{path} with an ingest token: {body}");
    }
    let line = facts("h1", 6414, None);
    assert_eq!(
        server
            .post("/api/v1/facts", None, NDJSON, line.as_bytes())
            .0,
        401
    );
    let (status, body) = server.post("/api/v1/facts", Some(&s.read), NDJSON, line.as_bytes());
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        server
            .post("/api/v1/collected", Some(&s.read), "application/zip", b"PK")
            .0,
        403
    );
    // Nothing was stored by the refused requests.
    assert_eq!(server.get_json("/api/v1/summary", &s.read)["hosts"], 0);
    // The openapi document is served to readers.
    let doc = server.get_json("/api/v1/openapi.json", &s.read);
    assert!(doc["paths"]["/api/v1/facts"]["post"].is_object());
    // A revoked token stops working at once, also for a running server.
    let list = Command::new(bin())
        .args(["token", "list", "--db"])
        .arg(&s.db)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(
        listing.contains("ingest") && listing.contains("read"),
        "{listing}"
    );
    assert!(
        !listing.contains(&s.read),
        "token list shows a token: {listing}"
    );
    let revoke = Command::new(bin())
        .args(["token", "revoke", "2", "--db"])
        .arg(&s.db)
        .output()
        .unwrap();
    assert!(revoke.status.success());
    assert_eq!(server.get("/api/v1/summary", Some(&s.read)).0, 401);
    let missing = Command::new(bin())
        .args(["token", "revoke", "99", "--db"])
        .arg(&s.db)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn good_lines_are_stored_bad_ones_named_and_records_are_idempotent() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let body = format!(
        "{}\n{{\"host\":\"bad\",\"os\":{{\"ubr\":\"x\"}}}}\nnot json\n{}\n",
        facts("a", 2183, Some("2026-11-01T09:00:00+09:00")),
        facts("b", 6414, None)
    );
    let (status, text) = server.post("/api/v1/facts", Some(&s.ingest), NDJSON, body.as_bytes());
    assert_eq!(status, 422, "{text}");
    let v = json(&text);
    assert_eq!(v["accepted"], 2);
    let rejected = v["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["line"], 2);
    assert!(
        rejected[0]["error"].as_str().unwrap().contains("os.ubr"),
        "{text}"
    );
    assert_eq!(rejected[1]["line"], 3);
    assert!(v["error"].as_str().unwrap().contains("line 2"), "{text}");

    // The same records again: accepted, nothing new.
    let again = format!(
        "{}\n{}\n",
        facts("a", 2183, Some("2026-11-01T00:00:00Z")),
        facts("b", 6414, None)
    );
    let (status, text) = server.post("/api/v1/facts", Some(&s.ingest), NDJSON, again.as_bytes());
    assert_eq!(status, 200, "{text}");
    assert_eq!(json(&text)["duplicates"], 2);
    let a = server.get_json("/api/v1/hosts/a", &s.read);
    assert_eq!(a["history"].as_array().unwrap().len(), 1);
    assert_eq!(a["collected_at"], "2026-11-01T00:00:00Z");
    assert_eq!(a["assessment"]["verdict"], "not_ready");
    assert_eq!(a["assessment"]["findings"][0]["code"], "ACS001");

    // A newer collection replaces the latest assessment; an older one only joins the history.
    let newer = facts("a", 6414, Some("2026-11-02T00:00:00Z"));
    assert_eq!(
        server
            .post("/api/v1/facts", Some(&s.ingest), NDJSON, newer.as_bytes())
            .0,
        200
    );
    let older = facts("a", 1000, Some("2026-10-01T00:00:00Z"));
    assert_eq!(
        server
            .post(
                "/api/v1/facts",
                Some(&s.ingest),
                "application/json",
                older.as_bytes()
            )
            .0,
        200
    );
    let a = server.get_json("/api/v1/hosts/a?lang=ja", &s.read);
    assert_eq!(a["assessment"]["verdict"], "ready");
    assert_eq!(a["facts"]["os"]["ubr"], 6414);
    assert_eq!(a["history"].as_array().unwrap().len(), 3);

    let list = server.get_json("/api/v1/hosts?verdict=ready&sort=host&order=desc", &s.read);
    assert_eq!(list["total"], 2);
    assert_eq!(list["hosts"][0]["host"], "b");
    let list = server.get_json("/api/v1/hosts?q=b&limit=1", &s.read);
    assert_eq!(
        (
            list["total"].as_u64(),
            list["hosts"].as_array().unwrap().len()
        ),
        (Some(1), 1)
    );
    assert_eq!(list["hosts"][0]["host"], "b");
    assert_eq!(server.get_json("/api/v1/hosts?q=%25", &s.read)["total"], 0);
    let list = server.get_json("/api/v1/hosts?limit=1&offset=1", &s.read);
    assert_eq!(
        (list["total"].as_u64(), list["hosts"][0]["host"].as_str()),
        (Some(2), Some("b"))
    );
    assert_eq!(
        server.get("/api/v1/hosts?verdict=fine", Some(&s.read)).0,
        400
    );
    assert_eq!(server.get("/api/v1/hosts?sort=color", Some(&s.read)).0, 400);
    let (status, body) = server.get("/api/v1/hosts/nobody", Some(&s.read));
    assert_eq!(status, 404);
    assert!(json(&body)["error"].as_str().unwrap().contains("nobody"));
    let summary = server.get_json("/api/v1/summary", &s.read);
    assert_eq!(
        (summary["hosts"].as_u64(), summary["ready"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(summary["by_release"][0]["release"], "win10-1809");
    assert!(summary["rules"]["version"].is_string());
    let names = &summary["products"]["apex_one_agent"];
    assert_eq!(names["ja"], "Apex One セキュリティエージェント", "{names}");
}

#[test]
fn malformed_oversized_and_wrong_type_bodies_are_refused_without_harm() {
    let s = setup();
    let server = Server::start(&s.db, &["--max-body", "4096", "--max-upload", "4096"]);
    let ok = facts("good", 6414, None);
    // Good requests run beside the bad ones and all succeed.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let neighbour = {
        let (url, token, stop) = (server.url.clone(), s.ingest.clone(), stop.clone());
        std::thread::spawn(move || {
            let agent = harness::agent();
            let mut statuses = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || i < 20 {
                let line = facts(&format!("neighbour-{i}"), 6414, None);
                statuses.push(
                    harness::post(
                        &agent,
                        &url,
                        "/api/v1/facts",
                        Some(&token),
                        NDJSON,
                        line.as_bytes(),
                    )
                    .0,
                );
                i += 1;
            }
            statuses
        })
    };
    let big = format!("{ok}\n").repeat(100);
    let cases: Vec<(&str, &str, Vec<u8>, u16)> = vec![
        ("/api/v1/facts", NDJSON, big.clone().into_bytes(), 413),
        ("/api/v1/facts", NDJSON, b"{\"host\": ".to_vec(), 400),
        ("/api/v1/facts", NDJSON, b"".to_vec(), 400),
        ("/api/v1/facts", NDJSON, b"[1, 2]".to_vec(), 400),
        (
            "/api/v1/facts",
            NDJSON,
            vec![0xff, 0xfe, 0x00, 0xd8, 0x00],
            400,
        ),
        (
            "/api/v1/facts",
            "application/zip",
            ok.clone().into_bytes(),
            415,
        ),
        (
            "/api/v1/facts",
            "application/x-www-form-urlencoded",
            b"host=a".to_vec(),
            415,
        ),
        (
            "/api/v1/collected",
            "application/zip",
            b"not a zip".to_vec(),
            422,
        ),
        ("/api/v1/collected", NDJSON, ok.clone().into_bytes(), 415),
        (
            "/api/v1/collected",
            "application/zip",
            vec![0u8; 10_000],
            413,
        ),
    ];
    for (path, kind, body, expected) in cases {
        let (status, text) = server.post(path, Some(&s.ingest), kind, &body);
        assert_eq!(status, expected, "{path} {kind}: {text}");
        assert!(
            json(&text)["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{text}"
        );
    }
    // A zip whose entry climbs out of its folder is refused.
    let evil = zip(&[("../../evil.json", ok.as_bytes())]);
    let (status, text) = server.post(
        "/api/v1/collected",
        Some(&s.ingest),
        "application/zip",
        &evil,
    );
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("leaves the folder"), "{text}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let neighbours = neighbour.join().unwrap();
    assert!(neighbours.iter().all(|s| *s == 200), "{neighbours:?}");
    // The server still works and stored nothing of the above.
    assert_eq!(
        server
            .post("/api/v1/facts", Some(&s.ingest), NDJSON, ok.as_bytes())
            .0,
        200
    );
    let summary = server.get_json("/api/v1/summary", &s.read);
    assert_eq!(summary["hosts"].as_u64(), Some(1 + neighbours.len() as u64));
    // A collector folder as a zip is read like --collected reads it.
    let folder = zip(&[("web01/facts.json", facts("web01", 2183, None).as_bytes())]);
    let (status, text) = server.post(
        "/api/v1/collected",
        Some(&s.ingest),
        "application/zip",
        &folder,
    );
    assert_eq!(status, 200, "{text}");
    assert_eq!(json(&text)["host"], "web01");
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn a_thousand_concurrent_ingests_are_all_stored() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let threads: Vec<_> = (0..50)
        .map(|t| {
            let (url, token) = (server.url.clone(), s.ingest.clone());
            std::thread::spawn(move || {
                let agent = harness::agent();
                (0..20)
                    .map(|i| {
                        let line = facts(&format!("host-{t:02}-{i:02}"), 2000 + i, None);
                        harness::post(
                            &agent,
                            &url,
                            "/api/v1/facts",
                            Some(&token),
                            NDJSON,
                            line.as_bytes(),
                        )
                        .0
                    })
                    .collect::<Vec<u16>>()
            })
        })
        .collect();
    let statuses: Vec<u16> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(statuses.len(), 1000);
    assert!(
        statuses.iter().all(|s| *s == 200),
        "{:?}",
        statuses.iter().filter(|s| **s != 200).collect::<Vec<_>>()
    );
    let summary = server.get_json("/api/v1/summary", &s.read);
    assert_eq!(summary["hosts"], 1000);
    let page = server.get_json("/api/v1/hosts?limit=1000&offset=990", &s.read);
    assert_eq!(page["hosts"].as_array().unwrap().len(), 10);
    assert_eq!(page["total"], 1000);
}

#[cfg(unix)]
#[test]
fn every_acknowledged_record_survives_kill_9() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|t| {
            let (url, token, acked, stop) = (
                server.url.clone(),
                s.ingest.clone(),
                acked.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || {
                let agent = harness::agent();
                for i in 0..2000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let host = format!("crash-{t}-{i:04}");
                    let line = facts(&host, 100 + i, None);
                    let (status, _) = harness::post(
                        &agent,
                        &url,
                        "/api/v1/facts",
                        Some(&token),
                        NDJSON,
                        line.as_bytes(),
                    );
                    match status {
                        200 => acked.lock().unwrap().push(host),
                        0 => break,
                        other => panic!("unexpected status {other}"),
                    }
                }
            })
        })
        .collect();
    server.eventually("300 acknowledged ingests", || {
        acked.lock().unwrap().len() >= 300
    });
    server.kill();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let server = Server::start(&s.db, &[]);
    let total = server.get_json("/api/v1/summary", &s.read)["hosts"]
        .as_u64()
        .unwrap();
    assert!(
        total as usize >= acked.len(),
        "{total} stored, {} acknowledged",
        acked.len()
    );
    let mut stored = std::collections::HashSet::new();
    let mut offset = 0;
    while offset < total {
        let page = server.get_json(
            &format!("/api/v1/hosts?limit=1000&offset={offset}"),
            &s.read,
        );
        for h in page["hosts"].as_array().unwrap() {
            stored.insert(h["host"].as_str().unwrap().to_string());
        }
        offset += 1000;
    }
    let lost: Vec<&String> = acked.iter().filter(|h| !stored.contains(*h)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged records lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
}

#[test]
fn no_secret_reaches_the_log() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let line = facts("h", 6414, None);
    assert_eq!(
        server
            .post("/api/v1/facts", Some(&s.ingest), NDJSON, line.as_bytes())
            .0,
        200
    );
    assert_eq!(server.get("/api/v1/summary", Some(&s.read)).0, 200);
    assert_eq!(server.get("/api/v1/summary", Some(&s.ingest)).0, 403);
    let form = format!("token={}", s.read);
    let (status, _) = server.post(
        "/login",
        None,
        "application/x-www-form-urlencoded",
        form.as_bytes(),
    );
    assert_eq!(status, 303);
    server.eventually("the requests are logged", || {
        server.log().contains("path=\"/login\"")
    });
    let log = server.log();
    assert!(
        log.contains("/api/v1/facts") && log.contains("/login"),
        "{log}"
    );
    for secret in [&s.ingest, &s.read] {
        assert!(!log.contains(secret.as_str()), "a token is in the log");
        assert!(
            !log.contains(&secret[5..20]),
            "part of a token is in the log"
        );
    }
}

#[test]
fn sessions_read_only_and_only_from_this_origin() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let agent = harness::agent();
    let login = |token: &str, origin: Option<&str>| {
        let mut req = agent
            .post(format!("{}/login", server.url))
            .content_type("application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let res = req.send(format!("token={token}")).unwrap();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        (
            res.status().as_u16(),
            header("location"),
            header("set-cookie"),
        )
    };
    let (status, location, _) = login("wrong", None);
    assert_eq!((status, location.as_str()), (303, "/?login=failed"));
    let (_, location, _) = login(&s.ingest, None);
    assert_eq!(
        location, "/?login=failed",
        "an ingest token does not sign in"
    );
    let (status, _, _) = login(&s.read, Some("http://evil.example"));
    assert_eq!(status, 403);
    let own = server.url.clone();
    let (status, location, cookie) = login(&s.read, Some(&own));
    assert_eq!((status, location.as_str()), (303, "/"));
    for part in ["acsready_session=", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let session = cookie.split(';').next().unwrap().to_string();
    let with_cookie = |method: &str, path: &str| {
        let url = format!("{}{path}", server.url);
        let res = match method {
            "GET" => agent.get(url).header("Cookie", &session).call(),
            _ => agent
                .post(url)
                .header("Cookie", &session)
                .content_type(NDJSON)
                .send(facts("c", 1, None)),
        };
        res.unwrap().status().as_u16()
    };
    assert_eq!(with_cookie("GET", "/api/v1/session"), 200);
    assert_eq!(with_cookie("GET", "/api/v1/summary"), 200);
    assert_eq!(
        with_cookie("POST", "/api/v1/facts"),
        401,
        "a cookie never authorizes a write"
    );
    let res = agent
        .post(format!("{}/logout", server.url))
        .header("Cookie", &session)
        .send("")
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(with_cookie("GET", "/api/v1/summary"), 401);
    // The dashboard files need no token and forbid anything from elsewhere.
    let res = agent.get(format!("{}/", server.url)).call().unwrap();
    let csp = res
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    for asset in ["/assets/dashboard.js", "/assets/dashboard.css"] {
        assert_eq!(server.get(asset, None).0, 200);
    }
}

#[test]
fn the_csv_report_is_the_one_assess_writes() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let fleet = std::fs::read(repo().join("examples/fleet.ndjson")).unwrap();
    let (status, text) = server.post("/api/v1/facts", Some(&s.ingest), NDJSON, &fleet);
    assert_eq!(status, 200, "{text}");
    let (status, served) = server.get("/api/v1/report.csv?lang=ja", Some(&s.read));
    assert_eq!(status, 200);
    let out = Command::new(bin())
        .args(["--lang", "ja", "assess", "--format", "csv"])
        .arg(repo().join("examples/fleet.ndjson"))
        .output()
        .unwrap();
    let local = String::from_utf8(out.stdout).unwrap();
    // Rows by host; the `sources` column names the file only in the local run.
    let rows = |csv: &str| {
        let mut r = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let headers = r.headers().unwrap().clone();
        let sources = headers.iter().position(|h| h == "sources").unwrap();
        let mut rows: Vec<Vec<String>> = r
            .records()
            .map(|rec| {
                let rec = rec.unwrap();
                rec.iter()
                    .enumerate()
                    .filter(|(i, _)| *i != sources)
                    .map(|(_, v)| v.to_string())
                    .collect()
            })
            .collect();
        rows.sort();
        (headers, rows)
    };
    let (h1, served_rows) = rows(&served);
    let (h2, local_rows) = rows(&local);
    assert_eq!(h1, h2);
    let hosts = fleet
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(served_rows.len(), hosts);
    assert_eq!(served_rows, local_rows);
    // People read products by name, in the language asked for.
    let agents = h1.iter().position(|h| h == "agents").unwrap();
    let cells: String = served_rows.iter().map(|r| r[agents].as_str()).collect();
    assert!(cells.contains("Apex One セキュリティエージェント 14.") && !cells.contains("_agent"));
}

/// A stored host is served in the language of each request, rendered from
/// the codes and parameters of its assessment: the same findings, plans and
/// texts `assess` writes in that language.
#[test]
fn a_stored_host_is_served_in_japanese_and_in_english() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let fleet = repo().join("examples/fleet.ndjson");
    let (status, text) = server.post(
        "/api/v1/facts",
        Some(&s.ingest),
        NDJSON,
        &std::fs::read(&fleet).unwrap(),
    );
    assert_eq!(status, 200, "{text}");
    for lang in ["ja", "en"] {
        let out = Command::new(bin())
            .args(["--lang", lang, "assess", "--format", "json"])
            .arg(&fleet)
            .output()
            .unwrap();
        let local = json(&String::from_utf8(out.stdout).unwrap());
        let mut pinned = 0;
        for host in local["hosts"].as_array().unwrap() {
            let name = host["host"].as_str().unwrap();
            let served = server.get_json(&format!("/api/v1/hosts/{name}?lang={lang}"), &s.read);
            let served = &served["assessment"];
            for key in ["verdict", "findings", "agents"] {
                assert_eq!(served[key], host[key], "{name} {lang} {key}");
            }
            for plan in served["agents"].as_array().unwrap() {
                if plan["action"] == "pin" {
                    pinned += 1;
                    let reason = plan["reason"].as_str().unwrap();
                    assert_eq!(reason.contains("固定"), lang == "ja", "{reason}");
                }
            }
        }
        assert!(pinned > 0);
    }
}

#[test]
fn a_rules_update_reassesses_stored_hosts_in_the_background() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let line = facts("old", 2183, None);
    assert_eq!(
        server
            .post("/api/v1/facts", Some(&s.ingest), NDJSON, line.as_bytes())
            .0,
        200
    );
    let before = server.get_json("/api/v1/hosts/old", &s.read)["rules_version"]
        .as_str()
        .unwrap()
        .to_string();
    drop(server);
    let rules = std::fs::read_to_string(repo().join("rules/acsready-rules.toml")).unwrap();
    let newer = rules.replacen(
        &format!("rules_version = \"{before}\""),
        "rules_version = \"9999.1.1\"",
        1,
    );
    assert_ne!(rules, newer, "rules_version not found in the rules file");
    let file = s._dir.path().join("newer.toml");
    std::fs::write(&file, newer).unwrap();
    let server = Server::start(&s.db, &["--rules", file.to_str().unwrap()]);
    server.eventually("the host is re-assessed", || {
        server.get_json("/api/v1/hosts/old", &s.read)["rules_version"] == "9999.1.1"
    });
    let host = server.get_json("/api/v1/hosts/old", &s.read);
    let history = host["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["rules_version"], "9999.1.1");
    assert_eq!(history[1]["rules_version"], before.as_str());
    assert_eq!(
        server.get_json("/api/v1/summary", &s.read)["rules"]["version"],
        "9999.1.1"
    );
}

#[test]
fn push_sends_every_host_folder_and_reports_the_bad_ones() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let share = tempfile::tempdir().unwrap();
    for (name, host) in [("WEB01", "web01"), ("DB01", "db01")] {
        let dir = share.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("facts.json"), facts(host, 6414, None)).unwrap();
    }
    let push = || {
        Command::new(bin())
            .args(["push", "--server", &server.url, "--token", &s.ingest])
            .arg(share.path())
            .output()
            .unwrap()
    };
    let out = push();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.get_json("/api/v1/summary", &s.read)["hosts"], 2);
    // A folder without evidence is refused; the others still go.
    std::fs::create_dir(share.path().join("EMPTY")).unwrap();
    std::fs::write(share.path().join("EMPTY").join("notes.bin"), [0u8, 1, 2]).unwrap();
    let out = push();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("EMPTY") && stderr.contains("2 host folder(s) accepted, 1 failed"),
        "{stderr}"
    );
    // A wrong token fails every folder.
    let out = Command::new(bin())
        .args(["push", "--server", &server.url, "--token", "acsr_wrong"])
        .arg(share.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"));
}

#[test]
fn a_short_name_and_its_fqdn_are_one_stored_host() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    // Shown by its FQDN, as the command line shows it, whichever came first;
    // an address is a host of its own.
    for (host, at) in [
        ("WEB01", "2026-11-01T00:00:00Z"),
        ("web01.corp.example", "2026-11-02T00:00:00Z"),
        ("Web01", "2026-11-03T00:00:00Z"),
        ("db01.corp.example", "2026-11-01T00:00:00Z"),
        ("DB01", "2026-11-02T00:00:00Z"),
        ("10.0.0.1", "2026-11-01T00:00:00Z"),
        ("10.0.0.2", "2026-11-01T00:00:00Z"),
    ] {
        let line = facts(host, 6414, Some(at));
        let (status, text) = server.post("/api/v1/facts", Some(&s.ingest), NDJSON, line.as_bytes());
        assert_eq!(status, 200, "{text}");
        assert_eq!(json(&text)["stored"], 1, "{text}");
    }
    assert_eq!(server.get_json("/api/v1/summary", &s.read)["hosts"], 4);
    let list = server.get_json("/api/v1/hosts", &s.read);
    let mut names: Vec<&str> = list["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "10.0.0.1",
            "10.0.0.2",
            "db01.corp.example",
            "web01.corp.example"
        ],
        "{list}"
    );
    let web = server.get_json("/api/v1/hosts/web01.corp.example", &s.read);
    assert_eq!(web["history"].as_array().unwrap().len(), 3, "{web}");
    assert_eq!(web["collected_at"], "2026-11-03T00:00:00Z");
    // Any spelling of the host finds it.
    let short = server.get_json("/api/v1/hosts/WEB01", &s.read);
    assert_eq!(short["host"], "web01.corp.example", "{short}");
    assert_eq!(short["history"].as_array().unwrap().len(), 3, "{short}");
}
