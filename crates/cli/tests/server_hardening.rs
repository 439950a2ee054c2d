//! `acsready serve` against hostile clients: cells a spreadsheet would run,
//! revoked tokens, bad host names, odd requests, dates at the ends of the
//! range. The real binary on a free loopback port. (A full disk is tested
//! on the store's writer: crates/server/src/store/sqlite/writer.rs.)

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use harness::{json, setup, Server};

const NDJSON: &str = "application/x-ndjson";

#[test]
fn the_csv_report_holds_no_formula() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let body = concat!(
        r#"{"host":"=cmd|' /C calc'!A0","os":{"current_build":"17763.6414"}}"#,
        "\n",
        r#"{"host":"web01","os":{"current_build":"17763.6414"},"agents":[{"product":"=1+1","version":"20.0.0.6313"}]}"#,
        "\n"
    );
    let (status, text) = server.post("/api/v1/facts", Some(&s.ingest), NDJSON, body.as_bytes());
    assert_eq!(status, 200, "{text}");
    let (status, csv) = server.get("/api/v1/report.csv", Some(&s.read));
    assert_eq!(status, 200, "{csv}");
    let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    let hosts: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(hosts, ["'=cmd|' /C calc'!A0", "web01"], "{csv}");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in {csv}"
            );
        }
    }
    assert!(rows[1][9].starts_with("'=1+1 20.0.0.6313"), "{csv}");
}

/// One request as raw bytes on its own connection: status, headers (names
/// lower case) and body.
fn raw(server: &Server, request: &[u8]) -> (u16, Vec<(String, String)>, String) {
    use std::io::{Read, Write};
    let addr = server.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `GET path` with extra header lines, on its own connection.
fn get(server: &Server, path: &str, extra: &str) -> (u16, Vec<(String, String)>, String) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n");
    raw(server, request.as_bytes())
}

#[test]
fn revoking_a_token_ends_the_sessions_signed_in_with_it() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let form = format!("token={}", s.read);
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    let (status, headers, body) = raw(&server, request.as_bytes());
    assert_eq!(status, 303, "{body}");
    let cookie = header(&headers, "set-cookie").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let with_cookie = format!("Cookie: {cookie}\r\n");
    let (status, _, body) = get(&server, "/api/v1/summary", &with_cookie);
    assert_eq!(status, 200, "{body}");
    let revoke = std::process::Command::new(harness::bin())
        .args(["token", "revoke", "2", "--db"])
        .arg(&s.db)
        .output()
        .unwrap();
    assert!(revoke.status.success());
    let (status, _, body) = get(&server, "/api/v1/summary", &with_cookie);
    assert_eq!(status, 401, "{body}");
    assert!(json(&body)["error"].is_string(), "{body}");
}

#[test]
fn host_names_are_checked_on_ingest_and_in_queries() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let name = "a".repeat(256);
    let long = format!(r#"{{"host":"{name}"}}"#);
    let longest = format!(r#"{{"host":"{}"}}"#, "b".repeat(255));
    let body = [
        r#"{"host":"good01"}"#,
        &long,
        r#"{"host":"a\u0000b"}"#,
        r#"{"host":"x\u001b[31m"}"#,
        &longest,
    ]
    .join("\n");
    let (status, text) = server.post("/api/v1/facts", Some(&s.ingest), NDJSON, body.as_bytes());
    assert_eq!(status, 422, "{text}");
    let v = json(&text);
    assert_eq!(v["accepted"], 2, "{text}");
    let rejected = v["rejected"].as_array().unwrap();
    let lines: Vec<u64> = rejected
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 4], "{text}");
    let errors: Vec<&str> = rejected
        .iter()
        .map(|r| r["error"].as_str().unwrap())
        .collect();
    assert!(errors[0].starts_with("host: 256 bytes"), "{text}");
    assert!(!errors[0].contains(&name), "the name is not echoed: {text}");
    assert!(errors[1].contains("U+0000"), "{text}");
    assert!(errors[2].contains("U+001B"), "{text}");
    // Only bad names: 400, like any body with no good record.
    let (status, text) = server.post(
        "/api/v1/facts",
        Some(&s.ingest),
        NDJSON,
        br#"{"host":"a\u0007"}"#,
    );
    assert_eq!(status, 400, "{text}");
    assert_eq!(server.get_json("/api/v1/summary", &s.read)["hosts"], 2);
    // A collector folder named with a control character.
    let (status, text) = server.post(
        "/api/v1/collected?host=a%1Bb",
        Some(&s.ingest),
        "application/zip",
        b"PK",
    );
    assert_eq!(status, 400, "{text}");
    assert!(json(&text)["error"].as_str().unwrap().starts_with("host: "));
    // A NUL in a query is refused, not cut.
    for path in ["/api/v1/hosts?q=good%00x", "/api/v1/hosts/good01%00x"] {
        let (status, text) = server.get(path, Some(&s.read));
        assert_eq!(status, 400, "{path}: {text}");
        assert!(
            json(&text)["error"].as_str().unwrap().contains("U+0000"),
            "{text}"
        );
    }
    let found = server.get_json("/api/v1/hosts?q=good", &s.read);
    assert_eq!(found["total"], 1);
}

/// A JSON error body: its message.
fn error_of(status: u16, headers: &[(String, String)], body: &str) -> String {
    let kind = header(headers, "content-type").unwrap_or("");
    assert!(
        kind.starts_with("application/json"),
        "{status}: {kind}: {body}"
    );
    json(body)["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{status}: {body}"))
        .to_string()
}

#[test]
fn every_error_is_json() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let auth = format!("Authorization: Bearer {}\r\n", s.read);
    // A method the route does not take.
    let (status, headers, body) = raw(
        &server,
        b"DELETE /api/v1/hosts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 405, "{body}");
    assert!(
        error_of(status, &headers, &body).contains("DELETE"),
        "{body}"
    );
    assert!(header(&headers, "allow").is_some_and(|a| a.contains("GET")));
    // A path that does not decode to text.
    let (status, headers, body) = get(&server, "/api/v1/hosts/%FF", &auth);
    assert_eq!(status, 400, "{body}");
    error_of(status, &headers, &body);
    // Too long an address.
    let long = format!("/api/v1/hosts?q={}", "a".repeat(10_000));
    let (status, headers, body) = get(&server, &long, &auth);
    assert_eq!(status, 414, "{body}");
    assert!(error_of(status, &headers, &body).contains("8192"), "{body}");
    // Too many headers, too large ones.
    let many: String = (0..70).map(|i| format!("X-Filler-{i}: a\r\n")).collect();
    let (status, headers, body) = get(&server, "/api/v1/summary", &format!("{auth}{many}"));
    assert_eq!(status, 431, "{body}");
    error_of(status, &headers, &body);
    let large = format!("X-Filler: {}\r\n", "a".repeat(40_000));
    let (status, headers, body) = get(&server, "/api/v1/summary", &format!("{auth}{large}"));
    assert_eq!(status, 431, "{body}");
    error_of(status, &headers, &body);
    // Security headers stay on rewritten errors.
    assert!(header(&headers, "content-security-policy").is_some());
    // An unknown endpoint, and a bad query.
    for path in ["/nothing", "/api/v1/hosts?limit=x"] {
        let (status, headers, body) = get(&server, path, &auth);
        assert!(status == 404 || status == 400, "{path}: {status} {body}");
        error_of(status, &headers, &body);
    }
    // What is within the limits still works.
    let (status, _, body) = get(&server, "/api/v1/summary", &auth);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let auth = format!("Authorization: {scheme} {}\r\n", s.read);
        let (status, _, body) = get(&server, "/api/v1/summary", &auth);
        assert_eq!(status, 200, "{scheme}: {body}");
    }
    let auth = format!("Authorization: Basic {}\r\n", s.read);
    let (status, headers, body) = get(&server, "/api/v1/summary", &auth);
    assert_eq!(status, 401, "{body}");
    error_of(status, &headers, &body);
}

#[test]
fn collected_at_has_one_range_on_the_command_line_and_the_server() {
    let lines = [
        ("a", "1970-01-01T00:00:00Z"),
        ("b", "9998-12-31T23:59:59Z"),
        ("c", "1969-12-31T23:59:59Z"),
        ("d", "9999-12-31T23:59:59Z"),
    ];
    let body: String = lines
        .iter()
        .map(|(h, at)| format!("{{\"host\":\"{h}\",\"collected_at\":\"{at}\"}}\n"))
        .collect();
    let s = setup();
    let file = s._dir.path().join("facts.ndjson");
    std::fs::write(&file, &body).unwrap();
    let out = std::process::Command::new(harness::bin())
        .args(["assess", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let report = json(&String::from_utf8_lossy(&out.stdout));
    let hosts: Vec<&str> = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["a", "b"], "{report}");
    let errors = report["errors"].to_string();
    assert_eq!(
        errors.matches("outside the years 1970 to 9998").count(),
        2,
        "{errors}"
    );

    let server = Server::start(&s.db, &[]);
    let (status, text) = server.post("/api/v1/facts", Some(&s.ingest), NDJSON, body.as_bytes());
    assert_eq!(status, 422, "{text}");
    let v = json(&text);
    assert_eq!(v["accepted"], 2, "{text}");
    let rejected = v["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{text}");
    for (r, line) in rejected.iter().zip([3, 4]) {
        assert_eq!(r["line"], line, "{text}");
        let e = r["error"].as_str().unwrap();
        assert!(e.contains("outside the years 1970 to 9998"), "{text}");
    }
    let b = server.get_json("/api/v1/hosts/b", &s.read);
    assert_eq!(b["collected_at"], "9998-12-31T23:59:59Z");
}
