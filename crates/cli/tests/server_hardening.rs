//! `acsready serve` against hostile or unlucky clients: cells a spreadsheet
//! would run, revoked tokens, bad host names, odd requests, a full disk,
//! dates at the ends of the range. The real binary on a free loopback port.

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use harness::{json, token, Server};

const NDJSON: &str = "application/x-ndjson";

struct Setup {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    ingest: String,
    read: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fleet.db");
    let ingest = token(&db, "ingest");
    let read = token(&db, "read");
    Setup {
        _dir: dir,
        db,
        ingest,
        read,
    }
}

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
