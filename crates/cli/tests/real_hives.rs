//! The real SYSTEM hives of the shared data (`real/hives/`, truth in
//! `real/truth.json`) through the command line: the same replay and the
//! same warnings on `--hive`, `preflight --server-hive` and host folders.

use std::path::{Path, PathBuf};

use acsready_testkit::{temp_dir, unxz};
use assert_cmd::Command;
use serde_json::Value;

const SYSTEM_B: &str = "testdata/real/hives/regipy__SYSTEM_B";

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .env_remove("NO_COLOR");
    c
}

fn json(cmd: &mut Command) -> (Value, i32) {
    let out = cmd.output().expect("run acsready");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (v, out.status.code().unwrap_or(-1))
}

fn system_b(dir: &Path, logs: bool) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let hive = unxz(&format!("{SYSTEM_B}.xz"), dir, "SYSTEM");
    if logs {
        unxz(&format!("{SYSTEM_B}.LOG1.xz"), dir, "SYSTEM.LOG1");
        unxz(&format!("{SYSTEM_B}.LOG2.xz"), dir, "SYSTEM.LOG2");
    }
    hive
}

fn messages(report: &Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .map(|w| {
            w.iter()
                .map(|w| format!("{}: {}", w["source"].as_str().unwrap_or(""), w["message"]))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn server_hive_with_its_logs_is_replayed_without_a_warning() {
    let dir = temp_dir("cli-real-hive-server");
    let hive = system_b(&dir.join("osce"), true);
    let fleet = dir.join("agents.ndjson");
    std::fs::write(
        &fleet,
        "{\"host\":\"a\",\"os\":{\"current_build\":\"20348.2700\"}}\n",
    )
    .expect("write");
    let (r, _) = json(
        acsready()
            .args(["preflight", "apex-one", "--format", "json", "--server-hive"])
            .arg(&hive)
            .arg(&fleet),
    );
    let warnings = messages(&r);
    assert!(
        !warnings
            .iter()
            .any(|w| w.contains("recovery") || w.contains("dirty")),
        "{warnings:?}"
    );
    assert!(
        r.to_string().contains("DESKTOP-PM6C56D"),
        "the server is named from its SYSTEM hive"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn hive_without_its_logs_warns_and_a_system_hive_is_not_software() {
    let dir = temp_dir("cli-real-hive-dirty");
    let hive = system_b(&dir, false);
    let (r, _) = json(
        acsready()
            .args(["assess", "--format", "json", "--hive"])
            .arg(&hive),
    );
    assert_eq!(r["hosts"][0]["host"], "DESKTOP-PM6C56D");
    let warnings = messages(&r);
    let shown = hive.display().to_string();
    assert!(
        warnings.iter().any(|w| w.starts_with(&shown)
            && w.contains("dirty")
            && w.contains("SYSTEM.LOG1 and SYSTEM.LOG2")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with(&shown) && w.contains("expects the host's SOFTWARE hive")),
        "{warnings:?}"
    );

    // The same hive in a host folder with its logs: replayed, no warning.
    let host = dir.join("hosts").join("DESKTOP-PM6C56D");
    system_b(&host, true);
    std::fs::write(
        host.join("collector.txt"),
        "collector_version=1\ncomplete=yes\n",
    )
    .expect("write");
    let (r, _) = json(
        acsready()
            .args(["assess", "--format", "json", "--collected"])
            .arg(dir.join("hosts")),
    );
    assert_eq!(r["hosts"][0]["host"], "DESKTOP-PM6C56D");
    let warnings = messages(&r);
    assert!(
        !warnings.iter().any(|w| w.contains("dirty")),
        "{warnings:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
