//! The remediation kit closes the loop: a SOFTWARE hive without the ACS
//! root, with automatic root update off and program delivery on; the kit's
//! `.reg` files merged into it with `hivexregedit --merge` (what `reg
//! import` does on the host); assessed again, each finding is gone, and
//! each undo brings it back. `verify` then tells fixed from still failing.

use std::path::{Path, PathBuf};

use acsready_testkit::{
    acs_root_der, cert_blob, merge_into_hive, shared, temp_dir, Software, ACS_ROOT_SHA1,
};
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

/// The kit of one hive, written to `kit`.
fn kit_of(hive: &Path, kit: &Path) {
    acsready()
        .args(["--lang", "en", "fix-kit", "--host", HOST, "--hive"])
        .arg(hive)
        .arg("--out")
        .arg(kit)
        .assert()
        .success();
}

/// The `.cmd` files of a kit folder pass the project's static checks.
fn scripts_pass_the_checks(folder: &Path) {
    let cmds: Vec<PathBuf> = files_under(folder)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "cmd"))
        .collect();
    assert!(!cmds.is_empty(), "{}", folder.display());
    cmds_pass_the_checks(&cmds);
}

/// `collector/check_kit.py` passes the batch files `cmds`.
fn cmds_pass_the_checks(cmds: &[PathBuf]) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::process::Command::new("python3")
        .arg(repo.join("collector/check_kit.py"))
        .args(cmds)
        .output()
        .expect("python3 runs collector/check_kit.py");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The root in the ROOT store of [`host`], and more store entries.
fn rooted_host(extra: &[(&str, Vec<u8>)]) -> acsready_testkit::RegText {
    let mut reg = Software {
        root_in: vec!["ROOT"],
        ..host()
    }
    .reg();
    for (store_key, der) in extra {
        reg = reg
            .key(&format!(
                "{PREFIX}\\{store_key}\\Certificates\\{ACS_ROOT_SHA1}"
            ))
            .binary("Blob", &cert_blob(der));
    }
    reg
}

#[test]
fn the_kits_store_entry_repairs_fix_the_hive() {
    let dir = temp_dir("fix-kit-entries");
    let base = shared("testdata/hives/regipy__ntuser_software_partial");

    // ACS006: the root is trusted (ROOT) but also in Disallowed.
    let distrusted = rooted_host(&[("Microsoft\\SystemCertificates\\Disallowed", acs_root_der())])
        .into_hive(&base, PREFIX, &dir.join("distrusted"));
    let before = assess(&distrusted);
    assert!(codes(&before).contains(&"ACS006".to_string()), "{before}");
    assert_eq!(before["verdict"], "not_ready", "{before}");
    let kit = dir.join("kit-distrusted");
    kit_of(&distrusted, &kit);
    let folder = kit.join("root-distrusted");
    assert_eq!(
        std::fs::read_to_string(folder.join("hosts.txt")).expect("hosts.txt"),
        format!("{HOST}\r\n")
    );
    scripts_pass_the_checks(&folder);
    let trusted = merged(
        &distrusted,
        &folder.join("remove-distrust.reg"),
        &dir.join("trusted"),
    );
    let after = assess(&trusted);
    let c = codes(&after);
    assert!(
        !c.contains(&"ACS006".to_string()) && c.contains(&"ACS101".to_string()),
        "{c:?}"
    );
    assert_eq!(after["verdict"], "ready", "{after}");
    let again = merged(
        &trusted,
        &folder.join("restore-distrust.reg"),
        &dir.join("distrusted-again"),
    );
    assert!(codes(&assess(&again)).contains(&"ACS006".to_string()));

    // ACS009: the ROOT entry named by the root's thumbprint holds another
    // certificate (its signature's last byte changed).
    let mut other = acs_root_der();
    if let Some(last) = other.last_mut() {
        *last ^= 0xFF;
    }
    let damaged = Software {
        root_in: vec![],
        ..host()
    }
    .reg()
    .key(&format!(
        "{PREFIX}\\Microsoft\\SystemCertificates\\ROOT\\Certificates\\{ACS_ROOT_SHA1}"
    ))
    .binary("Blob", &cert_blob(&other))
    .into_hive(&base, PREFIX, &dir.join("damaged"));
    let before = assess(&damaged);
    let c = codes(&before);
    assert!(
        c.contains(&"ACS009".to_string()) && c.contains(&"ACS004".to_string()),
        "{c:?}"
    );
    let kit = dir.join("kit-damaged");
    kit_of(&damaged, &kit);
    let folder = kit.join("root-entry-damaged");
    scripts_pass_the_checks(&folder);
    let entries = std::fs::read_to_string(folder.join("entries.csv")).expect("entries.csv");
    assert!(
        entries.contains(&format!(
            "{HOST},ROOT,Microsoft\\SystemCertificates\\ROOT\\Certificates\\{ACS_ROOT_SHA1}"
        )),
        "{entries}"
    );
    // What repair-entry.cmd imports, in its order: the damaged entry
    // deleted, then the genuine root added.
    let deleted = merged(
        &damaged,
        &folder.join("delete-entry-microsoft-systemcertificates-root.reg"),
        &dir.join("deleted"),
    );
    let c = codes(&assess(&deleted));
    assert!(
        !c.contains(&"ACS009".to_string()) && c.contains(&"ACS004".to_string()),
        "{c:?}"
    );
    let repaired = merged(
        &deleted,
        &folder.join("add-root.reg"),
        &dir.join("repaired"),
    );
    let after = assess(&repaired);
    let c = codes(&after);
    assert!(
        !c.contains(&"ACS009".to_string())
            && !c.contains(&"ACS004".to_string())
            && c.contains(&"ACS101".to_string()),
        "{c:?}"
    );
    assert_eq!(after["verdict"], "ready", "{after}");
    // The script tells the genuine root by the start and the end of its DER,
    // as `reg query` prints the Blob (upper-case hex).
    let script = std::fs::read_to_string(folder.join("repair-entry.cmd")).expect("script");
    let hex: String = acs_root_der().iter().map(|b| format!("{b:02X}")).collect();
    assert!(script.contains(&format!("\"{}\"", &hex[..64])), "head");
    assert!(
        script.contains(&format!("\"{}\"", &hex[hex.len() - 64..])),
        "tail"
    );
}

/// The example fleet's kit, read file by file: every kind of file parses
/// as what it claims to be, every script passes the static checks, every
/// group lists hosts of the report with the codes that put them there, and
/// every README names every file of its folder.
#[test]
fn every_file_of_the_example_fleets_kit_is_what_it_claims() {
    let dir = temp_dir("fix-kit-fleet");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for lang in ["en", "ja"] {
        let kit = dir.join(lang);
        acsready()
            .args(["--lang", lang, "fix-kit"])
            .arg(repo.join("examples/fleet.ndjson"))
            .arg("--out")
            .arg(&kit)
            .assert()
            .success();
        check_kit(&kit, lang);
    }
    // A kit never mixes with an older one.
    acsready()
        .args(["fix-kit"])
        .arg(repo.join("examples/fleet.ndjson"))
        .arg("--out")
        .arg(dir.join("en"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not empty"));
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("kit folder") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn check_kit(kit: &Path, lang: &str) {
    let report: Value =
        serde_json::from_slice(&std::fs::read(kit.join("report.json")).expect("report.json"))
            .expect("report.json is a JSON report");
    let host = |name: &str| -> Value {
        report["hosts"]
            .as_array()
            .expect("hosts")
            .iter()
            .find(|h| h["host"] == name)
            .unwrap_or_else(|| panic!("{name} is not a host of the report"))
            .clone()
    };
    let files = files_under(kit);
    let mut version_bodies = 0;
    let mut cmds = Vec::new();
    let mut groups = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(kit)
            .expect("under the kit")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(f).expect("read");
        let name = f.file_name().and_then(|n| n.to_str()).expect("name");
        match f.extension().and_then(|e| e.to_str()).unwrap_or("") {
            "cer" => {
                let real =
                    std::fs::read(shared("facts/MicrosoftIdentityVerificationRootCA2020.cer"))
                        .expect("the real root");
                assert_eq!(bytes, real, "{rel}");
            }
            "reg" => {
                let text = std::str::from_utf8(&bytes).expect(".reg is ASCII");
                assert!(
                    text.is_ascii() && text.starts_with("Windows Registry Editor Version 5.00\r\n"),
                    "{rel}"
                );
                assert!(!text.replace("\r\n", "").contains('\n'), "{rel}: CRLF only");
                for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
                    let ok = line.starts_with("[HKEY_LOCAL_MACHINE\\SOFTWARE\\")
                        || line.starts_with("[-HKEY_LOCAL_MACHINE\\SOFTWARE\\")
                        || line.starts_with('"')
                        || line.starts_with("  ");
                    assert!(ok, "{rel}: {line}");
                }
                // hivex reads it as a registry file.
                let base = shared("testdata/hives/regipy__ntuser_software_partial");
                merge_into_hive(text, &base, PREFIX, &kit.join("merge-check"));
            }
            "cmd" => {
                assert!(bytes.is_ascii(), "{rel}");
                cmds.push(f.clone());
            }
            "csv" => {
                assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{rel}: BOM");
                let mut r = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
                let width = r.headers().expect("header").len();
                let mut rows = 0;
                for rec in r.records() {
                    assert_eq!(rec.expect("record").len(), width, "{rel}");
                    rows += 1;
                }
                assert!(rows > 0, "{rel}: rows");
            }
            "txt" => {
                assert_eq!(name, "hosts.txt", "{rel}");
                let text = std::str::from_utf8(&bytes).expect("UTF-8");
                let group = rel.split('/').next().expect("group");
                let mut n = 0;
                for h in text.split("\r\n").filter(|l| !l.is_empty()) {
                    let a = host(h);
                    let codes = codes(&a);
                    let has = |c: &str| codes.iter().any(|x| x == c);
                    let why = match group {
                        "root-missing" => has("ACS004") || has("ACS005"),
                        "root-distrusted" => has("ACS006"),
                        "root-entry-damaged" => has("ACS009"),
                        "root-auto-update" => has("ACS004") || has("ACS017"),
                        "unsupported" => has("ACS003"),
                        g if g.starts_with("kb-") => {
                            (has("ACS001") || has("ACS002"))
                                && a["os"]["release"].as_str() == g.strip_prefix("kb-")
                        }
                        g if g.starts_with("pin-") => a["verdict"] != "ready",
                        other => panic!("unexpected group {other}"),
                    };
                    assert!(why, "{h} in {group}: {codes:?}");
                    n += 1;
                }
                assert!(n > 0, "{rel}");
                groups.push(group.to_string());
            }
            "md" => {
                let text = std::str::from_utf8(&bytes).expect("UTF-8");
                let folder = f.parent().expect("folder");
                if folder != kit {
                    for other in std::fs::read_dir(folder).expect("folder") {
                        let other = other.expect("entry").file_name();
                        let other = other.to_string_lossy();
                        assert!(text.contains(&format!("`{other}`")), "{rel} names {other}");
                    }
                }
                let japanese = text.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c));
                assert_eq!(japanese, lang == "ja", "{rel}");
            }
            "json" if rel == "report.json" => {}
            "json" => {
                // Agent Version Control's request body, per target build.
                let target = name
                    .strip_prefix("agent-version-control-")
                    .and_then(|n| n.strip_suffix(".json"))
                    .unwrap_or_else(|| panic!("{rel}: unexpected JSON file"));
                assert!(rel.starts_with("pin-workload-security/"), "{rel}");
                let body: Value = serde_json::from_slice(&bytes).expect("the body is JSON");
                let controls = body["agentVersionControls"].as_array().expect("controls");
                assert!(!controls.is_empty(), "{rel}");
                for c in controls {
                    assert_eq!(c["type"], "specified", "{rel}");
                    assert_eq!(c["version"], target, "{rel}");
                    // The ID is to be filled in: a text the API refuses.
                    let id = c["ID"].as_str().expect("the ID is a text to replace");
                    assert!(
                        id.starts_with("REPLACE: the ID of the control whose platform is "),
                        "{id}"
                    );
                    assert!(id.contains("/agentversioncontrols"), "{id}");
                }
                // The computers pinned to that build are listed with it.
                let csv = std::fs::read_to_string(f.with_file_name("computers.csv")).expect("csv");
                assert!(csv.contains(&format!(",pin,{target},")), "{csv}");
                let readme =
                    std::fs::read_to_string(f.with_file_name("README.md")).expect("README");
                assert!(readme.contains(&format!("`{name}`")), "{rel}");
                version_bodies += 1;
            }
            other => panic!("{rel}: unexpected kind of file {other:?}"),
        }
    }
    let _ = std::fs::remove_file(kit.join("merge-check"));
    assert!(
        version_bodies > 0,
        "Agent Version Control bodies in pin-workload-security"
    );
    for g in [
        "root-missing",
        "root-auto-update",
        "root-distrusted",
        "unsupported",
        "pin-apex-one",
        "pin-workload-security",
        "kb-win81-ws2012r2",
    ] {
        assert!(groups.iter().any(|x| x == g), "{g} in {groups:?}");
    }
    // Every hosts.txt host of the root group gets everything it needs.
    for name in [
        "MicrosoftIdentityVerificationRootCA2020.cer",
        "add-root.cmd",
        "add-root.reg",
        "remove-root.cmd",
        "remove-root.reg",
    ] {
        assert!(kit.join("root-missing").join(name).is_file(), "{name}");
    }
    // The scripts pass the project's static checks.
    cmds_pass_the_checks(&cmds);
    assert!(cmds.len() >= 6, "{cmds:?}");
}
