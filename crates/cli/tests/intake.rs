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
