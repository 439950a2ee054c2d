//! The remediation kit closes the loop: a SOFTWARE hive without the ACS
//! root, with automatic root update off and program delivery on; the kit's
//! `.reg` files merged into it with `hivexregedit --merge` (what `reg
//! import` does on the host); assessed again, each finding is gone, and
//! each undo brings it back. `verify` then tells fixed from still failing.

use std::path::{Path, PathBuf};

use acsready_testkit::{merge_into_hive, shared, temp_dir, Software};
use assert_cmd::Command;
use serde_json::Value;

const PREFIX: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE";
const HOST: &str = "ws19-app-09";

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env("LANG", "C").env_remove("ACSREADY_LANG");
    c
}

/// Windows Server 2019 with its ACS update, an Apex One agent, no root.
fn host() -> Software {
    Software {
        product_name: "Windows Server 2019 Standard",
        installation_type: "Server",
        build: 17763,
        ubr: Some(5458),
        packages: vec![],
        root_in: vec![],
        disable_root_auto_update: Some(1),
        uninstall: vec![("Trend Micro Apex One Security Agent", "14.0.11564")],
        no_program_upgrade: Some(0),
    }
}

fn assess(hive: &Path) -> Value {
    let out = acsready()
        .args(["assess", "--format", "json", "--host", HOST, "--hive"])
        .arg(hive)
        .output()
        .expect("acsready runs");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    v["hosts"][0].clone()
}

fn facts(hive: &Path) -> Value {
    let out = acsready()
        .args(["facts", "--host", HOST, "--hive"])
        .arg(hive)
        .output()
        .expect("acsready runs");
    serde_json::from_slice(&out.stdout).expect("facts JSON")
}

fn codes(host: &Value) -> Vec<String> {
    host["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_string())
        .collect()
}

/// The hive with one `.reg` of the kit merged into it.
fn merged(hive: &Path, reg: &Path, out: &Path) -> PathBuf {
    let text = std::fs::read_to_string(reg).expect("the kit's .reg is ASCII");
    merge_into_hive(&text, hive, PREFIX, out)
}

#[test]
fn the_kits_registry_files_fix_the_hive_and_their_undo_restores_it() {
    let dir = temp_dir("fix-kit-loop");
    let base = shared("testdata/hives/regipy__ntuser_software_partial");
    let hive = host().reg().into_hive(&base, PREFIX, &dir.join("SOFTWARE"));
    let before = assess(&hive);
    assert_eq!(before["verdict"], "not_ready", "{before}");
    assert!(codes(&before).contains(&"ACS004".to_string()), "{before}");
    assert_eq!(before["agents"][0]["action"], "pin", "{before}");

    let kit = dir.join("kit");
    acsready()
        .args(["--lang", "en", "fix-kit", "--host", HOST, "--hive"])
        .arg(&hive)
        .arg("--out")
        .arg(&kit)
        .assert()
        .success();
    for group in ["root-missing", "root-auto-update", "pin-apex-one"] {
        let hosts = std::fs::read_to_string(kit.join(group).join("hosts.txt")).expect(group);
        assert_eq!(hosts, format!("{HOST}\r\n"), "{group}");
    }
    // The certificate is the real root, byte for byte.
    let cer = std::fs::read(kit.join("root-missing/MicrosoftIdentityVerificationRootCA2020.cer"))
        .expect(".cer");
    let real = std::fs::read(shared("facts/MicrosoftIdentityVerificationRootCA2020.cer"))
        .expect("the real root");
    assert_eq!(cer, real);

    // Automatic root update on: ACS004 (root missing, update off) becomes
    // ACS005 (root missing, Windows may fetch it); the undo brings it back.
    let on = merged(
        &hive,
        &kit.join("root-auto-update/enable-root-auto-update.reg"),
        &dir.join("on"),
    );
    assert_eq!(facts(&on)["root_auto_update_disabled"], false);
    let c = codes(&assess(&on));
    assert!(
        !c.contains(&"ACS004".to_string()) && c.contains(&"ACS005".to_string()),
        "{c:?}"
    );
    let off = merged(
        &on,
        &kit.join("root-auto-update/undo-root-auto-update.reg"),
        &dir.join("off"),
    );
    assert_eq!(facts(&off)["root_auto_update_disabled"], true);
    assert!(codes(&assess(&off)).contains(&"ACS004".to_string()));

    // The root's store entry: the root is trusted, its Blob holds the
    // certificate its name says (no ACS009); the undo removes it.
    let rooted = merged(
        &hive,
        &kit.join("root-missing/add-root.reg"),
        &dir.join("rooted"),
    );
    let after = assess(&rooted);
    let c = codes(&after);
    assert!(c.contains(&"ACS101".to_string()), "{c:?}");
    for gone in ["ACS004", "ACS005", "ACS009"] {
        assert!(!c.contains(&gone.to_string()), "{gone}: {c:?}");
    }
    assert_eq!(after["verdict"], "ready", "{after}");
    let unrooted = merged(
        &rooted,
        &kit.join("root-missing/remove-root.reg"),
        &dir.join("unrooted"),
    );
    assert!(codes(&assess(&unrooted)).contains(&"ACS004".to_string()));

    // Program delivery stopped in the 64-bit Windows key the agent uses, and
    // restored by the undo.
    let npu = "pin-apex-one/stop-program-upgrade-64bit.reg";
    let stopped = merged(&hive, &kit.join(npu), &dir.join("stopped"));
    assert_eq!(facts(&stopped)["delivery"]["no_program_upgrade"], true);
    let pin = assess(&stopped);
    let text = pin.to_string();
    assert!(
        text.contains("NoProgramUpgrade = 1 is already set"),
        "{pin}"
    );
    let restored = merged(
        &stopped,
        &kit.join("pin-apex-one/restore-program-upgrade-64bit.reg"),
        &dir.join("restored"),
    );
    assert_eq!(facts(&restored)["delivery"]["no_program_upgrade"], false);

    // verify: the rooted hive is fixed (exit 0), the one with automatic
    // root update still off still failing (exit 1), each with its reason.
    let report = kit.join("report.json");
    let out = acsready()
        .args(["verify", "--format", "json", "--host", HOST, "--before"])
        .arg(&report)
        .arg("--hive")
        .arg(&rooted)
        .output()
        .expect("verify runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("verify JSON");
    assert_eq!(v["hosts"][0]["outcome"], "fixed", "{v}");
    assert!(
        v["hosts"][0]["resolved"].to_string().contains("ACS004"),
        "{v}"
    );
    assert_eq!(v["summary"]["fixed"], 1);
    let out = acsready()
        .args(["verify", "--host", HOST, "--before"])
        .arg(&report)
        .arg("--hive")
        .arg(&off)
        .output()
        .expect("verify runs");
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("still failing")
            && table.contains("remaining: ACS004")
            && !table.contains("ACS100"),
        "{table}"
    );
}
