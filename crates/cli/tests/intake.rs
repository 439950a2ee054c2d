//! Reading the inputs as they arrive: empty ones, bad records that name
//! their host, compressed evidence, and text in any language.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const ROOT: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env_remove("NO_COLOR")
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG");
    c
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("stdout is one JSON document")
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

fn ready_host(name: &str) -> String {
    format!(
        r#"{{"host":"{name}","os":{{"current_build":"20348.2700","installation_type":"Server"}},"certificates":[{{"sha1":"{ROOT}","store":"AuthRoot"}}]}}"#
    )
}

/// A Japanese facts record whose product name puts a three-byte character
/// across byte `at` of the file.
fn japanese_record_across(at: usize) -> String {
    let head = r#"{"host":"ja01","os":{"current_build":"20348.2700","installation_type":"Server","product_name":""#;
    let tail = format!(r#""}},"certificates":[{{"sha1":"{ROOT}","store":"AuthRoot"}}]}}"#);
    let mut name = "x".repeat(at - 1 - head.len());
    name.push_str(&"日本語".repeat(10));
    let text = format!("{head}{name}{tail}");
    assert!(
        !text.is_char_boundary(at),
        "byte {at} is inside a character"
    );
    text
}

#[test]
fn japanese_text_across_the_detection_window_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "ja.json", japanese_record_across(4096));
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&f)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out.stdout);
    assert_eq!(v["hosts"][0]["host"], "ja01");
    // And as one of several inputs (the kind of each is detected).
    let other = write(dir.path(), "other.json", ready_host("web01"));
    acsready()
        .args(["facts", "--format", "json"])
        .arg(&f)
        .arg(&other)
        .assert()
        .code(0);
}

#[test]
fn an_empty_folder_or_empty_standard_input_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("share");
    std::fs::create_dir(&empty).expect("mkdir");
    write(&empty, "notes.txt", "not a facts file");
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&empty)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("no hosts read from {}", empty.display())),
        "{stderr}"
    );
    let v = json_of(&out.stdout);
    assert_eq!(v["summary"]["hosts"], 0);
    assert!(v["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("no hosts read from")));

    let out = acsready()
        .args(["assess", "-"])
        .write_stdin("")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no hosts read from standard input"),
        "{stderr}"
    );

    acsready()
        .args(["assess", "--summary"])
        .arg(&empty)
        .assert()
        .code(2);
    let out = acsready().arg("facts").arg(&empty).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no hosts read from"));
    let out = acsready()
        .args(["preflight", "apex-one"])
        .arg(&empty)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no hosts read from"));
}

#[test]
fn a_saved_report_without_hosts_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&empty)
        .output()
        .expect("run");
    let saved = write(dir.path(), "report.json", &out.stdout);
    acsready()
        .args(["report", "--from"])
        .arg(&saved)
        .assert()
        .code(2);
}

fn bad_and_good_records(dir: &Path) -> PathBuf {
    let text = [
        ready_host("web01"),
        r#"{"host":"web02","os":{"ubr":"x"}}"#.to_string(),
        r#"{"host":"web03","os":"#.to_string(),
    ]
    .join("\n");
    write(dir, "fleet.ndjson", text)
}

#[test]
fn a_bad_record_names_its_host_and_is_counted_as_not_assessed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fleet = bad_and_good_records(dir.path());
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&fleet)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "a bad record keeps exit 2");
    let v = json_of(&out.stdout);
    assert_eq!(v["summary"]["hosts"], 1);
    assert_eq!(v["summary"]["not_assessed"], 2);
    assert_eq!(v["errors"][0]["host"], "web02");
    assert_eq!(
        v["errors"][0]["source"],
        format!("{}:2:32", fleet.display())
    );
    assert_eq!(v["errors"][1]["host"], "web03");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(host web02): os.ubr"), "{stderr}");

    for (lang, line) in [
        ("en", "Not assessed: 2 (records, host folders or inputs"),
        ("ja", "判定できなかった入力: 2 件"),
    ] {
        let out = acsready()
            .args(["--lang", lang, "assess"])
            .arg(&fleet)
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(line), "{lang}: {text}");
    }
    let out = acsready()
        .args(["assess", "--summary", "--format", "csv"])
        .arg(&fleet)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("unsupported,not_assessed\r\n1,1,0,0,0,2"),
        "{text}"
    );
    let out = acsready()
        .args(["assess", "--format", "html"])
        .arg(&fleet)
        .output()
        .expect("run");
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(html.contains("id=\"summary-not_assessed\">2<"));
    let out = acsready()
        .args(["facts", "--format", "json"])
        .arg(&fleet)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(host web03)"));
}

#[test]
fn evidence_that_cannot_be_read_names_its_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(dir.path(), "good.json", ready_host("web01"));
    let out = acsready()
        .args(["assess", "--format", "json", "--host", "WEB07", "--hive"])
        .arg(dir.path().join("SOFTWARE"))
        .arg(&good)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let v = json_of(&out.stdout);
    assert_eq!(v["summary"]["hosts"], 1);
    assert_eq!(v["summary"]["not_assessed"], 1);
    assert_eq!(v["errors"][0]["host"], "WEB07", "{v}");
}
