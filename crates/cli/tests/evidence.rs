//! Assessing hosts from Windows evidence: an offline hive, its `.reg` export,
//! a collector folder tree, event logs; and the `facts` command.

use std::path::Path;

use acsready_testkit::{export_hive, shared, temp_dir, utf16le_bom, Software};
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const PREFIX: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE";

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .env_remove("NO_COLOR");
    c
}

fn report(cmd: &mut Command) -> (Value, i32) {
    let out = cmd.output().expect("run acsready");
    let code = out.status.code().unwrap_or(-1);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, code)
}

fn server_2012_r2() -> Software {
    Software {
        product_name: "Windows Server 2012 R2 Standard",
        installation_type: "Server",
        build: 9600,
        ubr: None,
        packages: vec![("KB4474419", 0x70), ("KB5006714", 0x70)],
        root_in: vec!["AuthRoot"],
        disable_root_auto_update: None,
        uninstall: vec![
            ("Trend Micro Deep Security Agent", "20.0.0.6690"),
            ("Contoso Backup", "1.0"),
        ],
        no_program_upgrade: None,
    }
}

fn server_2019_unready() -> Software {
    Software {
        product_name: "Windows Server 2019 Standard",
        installation_type: "Server",
        build: 17763,
        ubr: Some(2183),
        packages: vec![("KB5005625", 0x40)],
        root_in: vec![],
        disable_root_auto_update: Some(1),
        uninstall: vec![("Trend Micro Apex One Security Agent", "14.0.11564")],
        no_program_upgrade: Some(0),
    }
}

fn summary_of(host: &Value) -> (String, Vec<String>, Vec<(String, String)>) {
    let codes = host["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    let agents = host["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["product"].as_str().unwrap().to_string(),
                a["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (host["verdict"].as_str().unwrap().to_string(), codes, agents)
}

/// A SOFTWARE hive written by hivex into a copy of a real hive, assessed
/// directly and through its hivexregedit export in a collector folder:
/// the same verdict, findings and agent plan.
#[test]
fn a_hive_and_its_reg_export_give_the_same_assessment() {
    let dir = temp_dir("cli-hive");
    let hive = server_2012_r2().reg().into_hive(
        &shared("testdata/hives/regipy__ntuser_software_partial"),
        PREFIX,
        &dir.join("SOFTWARE"),
    );
    let (from_hive, code) = report(
        acsready()
            .args([
                "assess",
                "--format",
                "json",
                "--host",
                "ws12r2-app01",
                "--hive",
            ])
            .arg(&hive),
    );
    assert_eq!(code, 0, "{from_hive}");
    let h = &from_hive["hosts"][0];
    assert_eq!(h["host"], "ws12r2-app01");
    assert_eq!(h["os"]["name"], "Windows Server 2012 R2");
    let (verdict, codes, agents) = summary_of(h);
    assert_eq!(verdict, "ready");
    assert!(
        codes.contains(&"ACS100".to_string()) && codes.contains(&"ACS101".to_string()),
        "{codes:?}"
    );
    assert_eq!(
        agents,
        [("deep_security_agent".to_string(), "upgrade".to_string())]
    );

    for (name, bytes) in [
        ("utf8", export_hive(&hive, PREFIX)),
        (
            "utf16",
            utf16le_bom(&String::from_utf8_lossy(&export_hive(&hive, PREFIX))),
        ),
    ] {
        let collected = dir.join(format!("collected-{name}"));
        let host_dir = collected.join("ws12r2-app01");
        std::fs::create_dir_all(&host_dir).unwrap();
        std::fs::write(host_dir.join("SOFTWARE.reg"), bytes).unwrap();
        let (from_export, code) = report(
            acsready()
                .args(["assess", "--format", "json", "--collected"])
                .arg(&collected),
        );
        assert_eq!(code, 0, "{from_export}");
        let e = &from_export["hosts"][0];
        assert_eq!(e["host"], "ws12r2-app01", "named after its folder");
        assert_eq!(summary_of(e), summary_of(h), "{name}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn write_host(dir: &Path, files: &[(&str, Vec<u8>)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// A share as the collector fills it: a complete host, a host whose folder
/// holds no evidence, and a collection still being written.
#[test]
fn a_collected_share_with_a_bad_host_still_reports_the_others() {
    let dir = temp_dir("cli-collected");
    let share = dir.join("share");
    let event = "<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Trend Micro Apex One'/><EventID>900</EventID><TimeCreated SystemTime='2023-04-01T10:00:00.000Z'/></System><EventData><Data>C:\\x.dll</Data></EventData><RenderingInfo Culture='ja-JP'><Message>ダウンロードされた1つ以上のファイルに有効なデジタル署名が含まれていませんでした C:\\x.dll</Message></RenderingInfo></Event></Events>";
    write_host(
        &share.join("WEB01"),
        &[
            (
                "SOFTWARE.reg",
                utf16le_bom(&server_2019_unready().reg().text()),
            ),
            ("Application-events.xml", event.as_bytes().to_vec()),
            (
                "collector.txt",
                b"computer=WEB01\r\ncollector_version=1\r\ncomplete=yes\r\n".to_vec(),
            ),
            ("errors.txt", b"[qfe.txt] skipped\r\n".to_vec()),
        ],
    );
    write_host(
        &share.join("EMPTY02"),
        &[("Cert-ROOT.reg.partial", b"x".to_vec())],
    );
    write_host(
        &share.join("WEB03.tmp"),
        &[("SOFTWARE.reg", b"half written".to_vec())],
    );

    let mut cmd = acsready();
    cmd.args(["assess", "--format", "json", "--collected"])
        .arg(&share);
    let (r, code) = report(&mut cmd);
    assert_eq!(code, 2, "a host folder without evidence is bad input");
    let hosts = r["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 1);
    let (verdict, codes, agents) = summary_of(&hosts[0]);
    assert_eq!(verdict, "not_ready");
    for code in ["ACS001", "ACS004", "ACS013", "ACS030", "ACS021", "ACS023"] {
        assert!(
            codes.contains(&code.to_string()),
            "{code} missing from {codes:?}"
        );
    }
    assert_eq!(agents, [("apex_one_agent".to_string(), "pin".to_string())]);
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]["source"].as_str().unwrap().contains("EMPTY02"),
        "{errors:?}"
    );
    // Evidence names its file.
    let f = hosts[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "ACS001")
        .unwrap();
    let ubr = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["fact"] == "os.ubr")
        .unwrap();
    assert!(
        ubr["source"].as_str().unwrap().contains("SOFTWARE.reg"),
        "{ubr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_facts_command_shows_every_fact_with_its_file() {
    let dir = temp_dir("cli-facts");
    let host = dir.join("share").join("WEB01");
    write_host(
        &host,
        &[
            (
                "SOFTWARE.reg",
                utf16le_bom(&server_2019_unready().reg().text()),
            ),
            (
                "qfe.txt",
                utf16le_bom("\r\nHotFixID=KB4474419\r\nInstalledOn=1/1/2022\r\n\r\n"),
            ),
            ("SCPeasyFix.txt", b"Fixing result is True\r\n".to_vec()),
        ],
    );
    let out = acsready()
        .args(["facts", "--collected"])
        .arg(dir.join("share"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let facts: Value = serde_json::from_slice(&out.stdout).expect("one JSON host per line");
    assert_eq!(facts["host"], "WEB01");
    assert_eq!(facts["os"]["ubr"], 2183);
    assert!(facts["sources"]["os.ubr"]
        .as_str()
        .unwrap()
        .contains("SOFTWARE.reg"));
    assert!(facts["sources"]["updates"]
        .as_str()
        .unwrap()
        .contains("qfe.txt"));
    assert_eq!(facts["easyfix"], "fixed");
    assert_eq!(facts["pending_updates"], serde_json::json!(["KB5005625"]));

    // The NDJSON goes back into assess as it is.
    let file = dir.join("facts.ndjson");
    std::fs::write(&file, &out.stdout).unwrap();
    acsready()
        .args(["assess"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("WEB01"));

    acsready()
        .args(["facts", "--format", "table", "--collected"])
        .arg(dir.join("share"))
        .assert()
        .success()
        .stdout(predicate::str::contains("os.ubr").and(predicate::str::contains("qfe.txt")));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn real_event_logs_are_read_and_unrelated_events_do_not_become_findings() {
    let dir = temp_dir("cli-evtx");
    let hive = server_2012_r2().reg().into_hive(
        &shared("testdata/hives/regipy__ntuser_software_partial"),
        PREFIX,
        &dir.join("SOFTWARE"),
    );
    let evtx = shared("testdata/evtx/hayabusa-sample__DeepBlueCLI__many-events-application.evtx");
    let (r, code) = report(
        acsready()
            .args(["assess", "--format", "json", "--hive"])
            .arg(&hive)
            .arg("--evtx")
            .arg(&evtx),
    );
    assert_eq!(code, 0, "{r}");
    let codes: Vec<&str> = r["hosts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.iter().any(|c| c.starts_with("ACS03")), "{codes:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Damaged files beside good ones: warnings naming them, the host is still
/// assessed, and the exit code is the verdict's.
#[test]
fn damaged_files_are_warnings_when_the_host_can_still_be_assessed() {
    let dir = temp_dir("cli-damaged");
    let share = dir.join("share");
    let evtx = std::fs::read(shared("testdata/evtx/evtx-rs__Application_no_crc32.evtx")).unwrap();
    let mut hive_head =
        std::fs::read(shared("testdata/hives/regipy__ntuser_software_partial")).unwrap();
    hive_head.truncate(6000);
    write_host(
        &share.join("WEB01"),
        &[
            ("SOFTWARE.reg", utf16le_bom(&server_2012_r2().reg().text())),
            ("Application.evtx", evtx[..evtx.len() / 3].to_vec()),
            ("SOFTWARE", hive_head),
            ("broken.reg", b"Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n\"v\"=hex:zz,1\r\n".to_vec()),
        ],
    );
    let out = acsready()
        .args(["assess", "--format", "json", "--collected"])
        .arg(&share)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(r["hosts"][0]["verdict"], "ready");
    let warnings = r["warnings"].to_string();
    for name in ["SOFTWARE", "broken.reg"] {
        assert!(warnings.contains(name), "{name} not named in {warnings}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_file_that_is_not_evidence_is_an_error_naming_it() {
    let dir = temp_dir("cli-bad-hive");
    let bad = dir.join("SOFTWARE");
    std::fs::write(&bad, b"regf but truncated").unwrap();
    acsready()
        .args(["assess", "--hive"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SOFTWARE"));
    let _ = std::fs::remove_dir_all(dir);
}
