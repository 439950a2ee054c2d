//! The sample data the README's first hour uses, used as the README uses it:
//! the collector share `examples/collected/` (assess, facts, push to a
//! server) and the Corp. XG server's evidence `examples/preflight/`
//! (preflight). The files are written by `examples/make-collected.py`.

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::process::Command;

use harness::{bin, repo, run_in_repo};
use serde_json::Value;

fn run(args: &[&str]) -> (Value, i32, String) {
    let out = run_in_repo(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "acsready {args:?}: {e}: {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (v, out.status.code().unwrap_or(-1), stderr)
}

fn codes(v: &Value) -> Vec<&str> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code"))
        .collect()
}

/// The verdicts examples/README.md gives the collected hosts.
const COLLECTED: [(&str, &str, &str); 3] = [
    ("WS12R2-DB-07", "ready", "upgrade"),
    ("WS19-APP-01", "not_ready", "pin"),
    ("WS22-WEB-02", "ready", "upgrade"),
];

#[test]
fn the_collected_share_is_assessed_host_by_host() {
    let (v, code, stderr) = run(&[
        "assess",
        "--collected",
        "examples/collected",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "one host is not ready: {stderr}");
    let hosts = v["hosts"].as_array().expect("hosts");
    let got: Vec<(&str, &str, &str)> = hosts
        .iter()
        .map(|h| {
            (
                h["host"].as_str().expect("host"),
                h["verdict"].as_str().expect("verdict"),
                h["agents"][0]["action"].as_str().expect("an agent"),
            )
        })
        .collect();
    assert_eq!(got, COLLECTED);
    let not_ready = &hosts[1];
    assert!(codes(not_ready).contains(&"ACS001"), "{not_ready}");
    assert_eq!(not_ready["agents"][0]["target"], "20.0.0.6313");
    // Folders exactly as the collector writes them: nothing to warn about.
    assert_eq!(v["warnings"], serde_json::json!([]), "{stderr}");
    assert_eq!(v["errors"], serde_json::json!([]));
    // One host folder given as a plain input is that host.
    let (one, _, _) = run(&["facts", "examples/collected/WS19-APP-01"]);
    assert_eq!(one["host"], "WS19-APP-01");
    assert_eq!(one["os"]["ubr"], 2183);
}

#[test]
fn the_collected_share_is_pushed_to_a_server() {
    let (dir, server, ingest, read) = harness::empty_server();
    // As README does it: the token in a file, out of the command line.
    let token_file = dir.path().join("ingest.token");
    std::fs::write(&token_file, format!("{ingest}\n")).expect("token file written");
    let out = Command::new(bin())
        .current_dir(repo())
        .args([
            "push",
            "examples/collected",
            "--server",
            &server.url,
            "--token-file",
        ])
        .arg(&token_file)
        .output()
        .expect("push runs");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "every host folder accepted: {log}");
    let summary = server.get_json("/api/v1/summary", &read);
    assert_eq!(summary["hosts"], 3, "{summary}");
    assert_eq!(summary["not_ready"], 1, "{summary}");
    let host = server.get_json("/api/v1/hosts/WS19-APP-01", &read);
    assert_eq!(host["assessment"]["verdict"], "not_ready");
}

#[test]
fn the_preflight_example_is_blocked_by_the_windows_8_agent() {
    let (v, code, stderr) = run(&[
        "preflight",
        "apex-one",
        "examples/preflight/agents.ndjson",
        "--server-reg",
        "examples/preflight/OSCE01/SOFTWARE.reg",
        "--server-reg",
        "examples/preflight/OSCE01/SYSTEM.reg",
        "--server-dir",
        "examples/preflight/OSCE01/dir.txt",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(v["summary"]["blocked"], true);
    let blocker = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "ACS200")
        .expect("ACS200");
    assert_eq!(blocker["hosts"], serde_json::json!(["pc-w8"]));
    // The server's registry: its version, ready for ACS; the listing: the backup.
    assert_eq!(v["server"]["version"], "12.0.0.5500");
    assert_eq!(v["server"]["verdict"], "ready");
    assert!(codes(&v).contains(&"ACS211"), "{:?}", codes(&v));
    assert_eq!(v["errors"], serde_json::json!([]));
}
