//! `acsready serve` against slow, idle and too many clients, and the CSV
//! report of a fleet of thousands: the real binary on a free loopback port
//! with short timeouts given by its options. Every test is bounded in time.

#[allow(dead_code)] // not every helper of the harness is used here
#[path = "server/harness.rs"]
mod harness;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use harness::{bin, empty_server_with, facts, Server};

const NDJSON: &str = "application/x-ndjson";

fn addr(server: &Server) -> SocketAddr {
    server
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("host:port")
}

/// A connection to the server from `from` (any 127.x.y.z: all of 127/8 is
/// loopback on Linux, so one machine can be several clients).
fn connect_from(server: &Server, from: &str) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let to = addr(server);
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
        socket.connect(to).await.expect("connect")
    });
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

fn connect(server: &Server) -> TcpStream {
    TcpStream::connect(addr(server)).expect("connect")
}

/// Waits, at most `bound`, until the server closes `stream`; returns what it
/// sent before closing, or None if it never closed.
fn closed_within(stream: &mut TcpStream, bound: Duration) -> Option<String> {
    let deadline = Instant::now() + bound;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(String::from_utf8_lossy(&got).into_owned()),
        }
    }
    None
}

/// A request's head (its body follows separately).
fn head(method: &str, path: &str, token: &str, extra: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n{extra}\r\n"
    )
}

#[test]
fn a_client_trickling_its_headers_is_cut_after_the_header_timeout() {
    let (_dir, server, _, _) = empty_server_with(&["--header-timeout", "1"]);
    let mut slow = connect(&server);
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    let started = Instant::now();
    // One more header byte every 200 ms, never the blank line.
    let cut = loop {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "a trickling client was never cut"
        );
        if slow.write_all(b"X").is_err() {
            break started.elapsed();
        }
        if closed_within(&mut slow, Duration::from_millis(200)).is_some() {
            break started.elapsed();
        }
    };
    assert!(cut >= Duration::from_millis(900), "cut too early: {cut:?}");
    // The server still serves.
    assert_eq!(server.get("/api/v1/health", None).0, 200);
}

#[test]
fn slow_bodies_are_cut_and_hold_up_only_their_own_client() {
    let (_dir, server, ingest, read) = empty_server_with(&["--body-timeout", "3"]);
    // More trickling requests from one client than the server has ingest
    // slots (64): without a share per client they would hold every slot.
    let mut slow: Vec<TcpStream> = (0..70)
        .map(|_| {
            let mut c = connect_from(&server, "127.0.0.1");
            let h = head(
                "POST",
                "/api/v1/facts",
                &ingest,
                "Content-Type: application/x-ndjson\r\nContent-Length: 1000\r\n",
            );
            c.write_all(h.as_bytes()).unwrap();
            c.write_all(b"{").unwrap();
            c
        })
        .collect();
    // Let the server take them in (a shorter wait only makes this test
    // weaker, never fail).
    std::thread::sleep(Duration::from_secs(1));
    // Another client's ingest is answered while they trickle.
    let line = facts("fair-01", 6414, None);
    let mut other = connect_from(&server, "127.0.0.2");
    let h = head(
        "POST",
        "/api/v1/facts",
        &ingest,
        &format!(
            "Content-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n",
            line.len()
        ),
    );
    other.write_all(h.as_bytes()).unwrap();
    other.write_all(line.as_bytes()).unwrap();
    let answer = closed_within(&mut other, Duration::from_secs(10)).expect("answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""stored":1"#), "{answer}");
    // ... before any trickling request was answered or cut.
    for c in &mut slow {
        c.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 64];
        assert!(
            matches!(c.read(&mut buf), Err(e) if e.kind() == ErrorKind::WouldBlock),
            "a trickling request was answered before the other client's"
        );
        c.set_nonblocking(false).unwrap();
    }
    // The ones being read are cut after the body timeout, with a reason.
    let started = Instant::now();
    let mut cut = None;
    while cut.is_none() && started.elapsed() < Duration::from_secs(12) {
        for c in &mut slow {
            let _ = c.write_all(b" ");
            if let Some(text) = closed_within(c, Duration::from_millis(20)) {
                cut = Some(text);
                break;
            }
        }
    }
    let text = cut.expect("no trickling request was cut after the body timeout");
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("within 3 s"), "{text}");
    drop(slow);
    let stored = server.get_json("/api/v1/hosts", &read);
    assert_eq!(stored["total"], 1, "{stored}");
}

#[test]
fn idle_keep_alive_connections_are_closed() {
    let (_dir, server, _, _) =
        empty_server_with(&["--idle-timeout", "1", "--header-timeout", "30"]);
    let mut idle = connect(&server);
    idle.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 4096];
    idle.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let n = idle.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    // Kept alive, then closed once idle: long before the header timeout.
    let started = Instant::now();
    assert!(
        closed_within(&mut idle, Duration::from_secs(10)).is_some(),
        "an idle connection stayed open"
    );
    assert!(started.elapsed() >= Duration::from_millis(500));
}

#[test]
fn connections_beyond_the_cap_are_refused_and_the_server_stays_up() {
    let (_dir, server, _, read) =
        empty_server_with(&["--max-connections", "4", "--header-timeout", "30"]);
    let held: Vec<TcpStream> = (0..4).map(|_| connect(&server)).collect();
    // Connection 5 is answered 503 (or just closed), not served.
    let mut fifth = connect(&server);
    let _ = fifth.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let answer = closed_within(&mut fifth, Duration::from_secs(10)).expect("closed");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 503"),
        "{answer}"
    );
    assert!(!answer.contains(r#""status":"ok""#), "{answer}");
    server.eventually("a log line about the refused connection", || {
        server.log().contains("too many connections")
    });
    // Once they close, the server serves again.
    drop(held);
    server.eventually("served again", || {
        server.get("/api/v1/health", None).0 == 200
    });
    assert_eq!(server.get("/api/v1/summary", Some(&read)).0, 200);
}

#[test]
fn the_csv_report_of_thousands_of_hosts_is_streamed_whole() {
    const HOSTS: usize = 20_000;
    let (_dir, server, ingest, read) = empty_server_with(&[]);
    let lines: Vec<String> = (0..HOSTS)
        .map(|i| facts(&format!("csv-{i:05}"), 1000 + (i % 7000) as u32, None))
        .collect();
    // Small bodies, sent as an agent fleet would send them
    // (500 hosts a request).
    for chunk in lines.chunks(500) {
        let body = chunk.join("\n");
        let (status, text) = server.post("/api/v1/facts", Some(&ingest), NDJSON, body.as_bytes());
        assert_eq!(status, 200, "{text}");
    }
    // Its memory is measured by bench/report_csv_bench.sh at 200,000 hosts:
    // at this size the peak moves with SQLite's caches and the checkpointer
    // as much as with the report, and a test must not depend on that.
    let (status, served) = server.get("/api/v1/report.csv", Some(&read));
    assert_eq!(status, 200, "{served}");
    // What `assess --format csv` writes of the same hosts: the same header
    // line and the same cells, but for the `sources` column (file and line,
    // only known locally).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.ndjson");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = Command::new(bin())
        .args(["assess", "--format", "csv"])
        .arg(&file)
        .output()
        .unwrap();
    let local = String::from_utf8(out.stdout).unwrap();
    assert!(served.starts_with('\u{feff}') && local.starts_with('\u{feff}'));
    assert!(served.ends_with("\r\n"));
    let header = |csv: &str| csv.split("\r\n").next().map(str::to_string);
    assert_eq!(header(&served), header(&local));
    let without_sources = |csv: &str| -> Vec<Vec<String>> {
        let mut r = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let sources = r.headers().unwrap().iter().position(|h| h == "sources");
        let mut rows: Vec<Vec<String>> = r
            .records()
            .map(|rec| {
                rec.unwrap()
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| Some(*i) != sources)
                    .map(|(_, v)| v.to_string())
                    .collect()
            })
            .collect();
        rows.sort();
        rows
    };
    let (served_rows, local_rows) = (without_sources(&served), without_sources(&local));
    assert_eq!(served_rows.len(), HOSTS);
    if let Some((a, b)) = served_rows.iter().zip(&local_rows).find(|(a, b)| a != b) {
        panic!("the served CSV differs from assess's:\n{a:?}\n{b:?}");
    }
    assert_eq!(served_rows.len(), local_rows.len());
}
