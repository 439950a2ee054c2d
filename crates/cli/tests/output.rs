//! Where documents go: a pipe gets one line per host, `--output FILE` the
//! same bytes written atomically, and a closed pipe ends every command
//! quietly.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;
use predicates::prelude::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fleet() -> PathBuf {
    repo().join("examples/fleet.ndjson")
}

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("ACSREADY_LANG")
        .env("LANG", "C");
    c
}

fn stdout_of(args: &[&str]) -> Vec<u8> {
    acsready().args(args).output().unwrap().stdout
}

fn hosts_of_fleet() -> Vec<String> {
    std::fs::read_to_string(fleet())
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["host"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn piped_the_table_is_one_line_per_host_that_grep_finds() {
    let fleet = fleet();
    let fleet = fleet.to_str().unwrap();
    let text = String::from_utf8(stdout_of(&["--lang", "en", "assess", fleet])).unwrap();
    let table: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    let hosts = hosts_of_fleet();
    assert_eq!(table.len(), hosts.len() + 1, "{text}");
    assert!(table[0].starts_with("Host "), "{}", table[0]);
    for (row, host) in table[1..].iter().zip(&hosts) {
        assert!(row.starts_with(&format!("{host} ")), "{row}");
        assert!(!row.ends_with(' '), "{row:?}");
    }
    // Everything in full: the plan with the installed versions, codes once.
    let row = |host: &str| {
        *table
            .iter()
            .find(|r| r.starts_with(&format!("{host} ")))
            .unwrap()
    };
    assert!(row("ws22-core-01.corp.example.jp")
        .ends_with("Deep Security Agent 20.0.0.5394 → pin 20.0.0.6313"));
    assert!(row("apexone-srv01.corp.example.jp").contains("  ACS001 ACS023 ACS021  "));
    assert!(row("vdi-1809-07").contains("  ACS001 ACS028 ACS021  "));
    assert!(!text.contains('\x1b'));
    // --wide changes nothing in a pipe.
    assert_eq!(
        text.as_bytes(),
        stdout_of(&["--lang", "en", "assess", fleet, "--wide"])
    );
}

#[test]
fn counts_are_worded_for_one_and_for_many() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.json");
    std::fs::write(
        &one,
        r#"{"host":"h1","os":{"current_build":"20348.2700","installation_type":"Server"},"certificates":[{"sha1":"F40042E2E5F7E8EF8189FED15519AECE42C3BFA2","store":"AuthRoot"}]}"#,
    )
    .unwrap();
    acsready()
        .args(["--lang", "en", "assess"])
        .arg(&one)
        .assert()
        .success()
        .stdout(predicate::str::contains("Summary: 1 host — ready 1,"));
    acsready()
        .args(["--lang", "en", "facts", "--format", "table"])
        .arg(&one)
        .assert()
        .success()
        .stdout(
            predicate::str::contains(" 1 entry ").and(predicate::str::contains("entries").not()),
        );
    acsready()
        .args(["--lang", "en", "assess"])
        .arg(fleet())
        .assert()
        .stdout(predicate::str::contains("Summary: 78 hosts — "));
    acsready()
        .args(["--lang", "ja", "assess"])
        .arg(&one)
        .assert()
        .stdout(predicate::str::contains("集計: 1 台 — "));
}

/// Every command that writes a document, and its arguments; `report` reads
/// the saved report `json`.
fn documents(json: &Path) -> Vec<Vec<String>> {
    let fleet = fleet().display().to_string();
    let json = json.display().to_string();
    let inspect = repo().join("crates/cli/Cargo.toml").display().to_string();
    let mut all: Vec<Vec<&str>> = vec![
        vec!["rules"],
        vec!["rules", "--format", "json"],
        vec!["facts", &fleet],
        vec!["facts", "--format", "table", &fleet],
        vec!["inspect", &inspect],
        vec!["inspect", "--format", "json", &inspect],
        vec!["assess", "--summary", &fleet],
    ];
    for format in ["table", "json", "csv", "jsonl", "html"] {
        all.push(vec!["assess", "--format", format, &fleet]);
        all.push(vec!["report", "--format", format, "--from", &json]);
    }
    all.into_iter()
        .map(|a| a.into_iter().map(String::from).collect())
        .collect()
}

/// The saved JSON report of the example fleet, in `dir`.
fn saved_report(dir: &Path) -> PathBuf {
    let json = dir.join("r.json");
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(fleet())
        .output()
        .unwrap();
    std::fs::write(&json, out.stdout).unwrap();
    json
}

#[test]
fn output_writes_the_bytes_of_standard_output_and_leaves_no_temporary_file() {
    let saved = tempfile::tempdir().unwrap();
    let json = saved_report(saved.path());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out");
    for args in documents(&json) {
        let piped = acsready().args(&args).output().unwrap();
        // An older file is replaced whole.
        std::fs::write(&file, "old content, longer than nothing").unwrap();
        let written = acsready()
            .args(&args)
            .arg("-o")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(written.status.code(), piped.status.code(), "{args:?}");
        assert!(written.stdout.is_empty(), "{args:?}");
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(bytes, piped.stdout, "{args:?}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out"], "{args:?}");
        let dash = acsready().args(&args).args(["-o", "-"]).output().unwrap();
        assert_eq!(dash.stdout, piped.stdout, "{args:?} -o -");
        if args.contains(&"csv".to_string()) {
            // CSV keeps its CRLF line ends, as on any system.
            assert!(bytes.starts_with("\u{feff}".as_bytes()));
            assert_eq!(
                bytes.windows(2).filter(|w| w == b"\r\n").count(),
                bytes.iter().filter(|b| **b == b'\n').count()
            );
        }
    }
}

#[test]
fn output_into_a_missing_folder_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("missing").join("report.html");
    acsready()
        .args(["assess", "--format", "html", "--output"])
        .arg(&file)
        .arg(fleet())
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "{}: cannot write: ",
            file.display()
        )))
        .stderr(predicate::str::contains(".acsready-").not());
    assert!(!file.exists());
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let saved = tempfile::tempdir().unwrap();
    let mut commands = documents(&saved_report(saved.path()));
    commands.push(vec!["explain".into()]);
    commands.push(vec!["explain".into(), "ACS001".into()]);
    for args in commands {
        // The reading end is closed before acsready writes anything.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_acsready"))
            .args(&args)
            .env("LANG", "C")
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
