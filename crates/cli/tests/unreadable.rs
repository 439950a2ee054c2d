//! What a reader cannot read is unknown, through the binary: the example
//! collection whose CBS export was cut, and the real Application and System
//! logs of `shared/testdata/real/evtx` (their dirty, stale headers are said,
//! and event 900 of Windows' Software Protection service,
//! Microsoft-Windows-Security-SPP, which shares its ID with the Apex One
//! program-update block, gives no finding).

use acsready_testkit::shared;
use assert_cmd::Command;
use serde_json::Value;

fn assess(log: &str) -> (Value, String) {
    let path = shared(&format!("testdata/real/evtx/{log}"));
    let out = Command::cargo_bin("acsready")
        .expect("binary")
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .args([
            "assess",
            "--format",
            "json",
            "--host",
            "real-host",
            "--evtx",
        ])
        .arg(&path)
        .output()
        .expect("run acsready");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn spp_event_900_is_no_apex_one_block_and_stale_headers_are_said() {
    for log in [
        "dfirmuseum__RathbunVM_W10EventLogs__Application.evtx",
        "dfirmuseum__APTSimulatorVM_EventLogs_Server2022__Application.evtx",
        "dfirmuseum__RathbunVM_W11EventLogs__System.evtx",
    ] {
        let (report, stderr) = assess(log);
        let host = &report["hosts"][0];
        let codes: Vec<&str> = host["findings"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["code"].as_str()).collect())
            .unwrap_or_default();
        assert!(!codes.contains(&"ACS030"), "{log}: {codes:?}");
        // Only the logs: the host cannot be judged ready or not.
        assert_eq!(host["verdict"], "unknown", "{log}: {host}");
        let all = format!("{report}{stderr}");
        assert!(all.contains("the file header is stale"), "{log}: {all}");
    }
}

#[test]
fn a_cut_cbs_export_is_unknown_updates_not_a_missing_kb() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/cut-export/WS12R2-DB-07"
    );
    let out = Command::cargo_bin("acsready")
        .expect("binary")
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .args(["assess", "--format", "json", example])
        .output()
        .expect("run acsready");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let host = &report["hosts"][0];
    assert_eq!(host["verdict"], "unknown", "{host}");
    let codes: Vec<&str> = host["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"ACS010") && !codes.contains(&"ACS002"),
        "{codes:?}"
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("CBS-Packages.reg:13")
            && warnings.contains("updates unknown: the export ends without"),
        "{warnings}"
    );
}
