//! Every file of the shared real Windows outputs (`testdata/real/`, see its
//! MANIFEST.md) given to the binary as it is, one input each, the way an
//! administrator would: `acsready facts FILE`. The facts must agree with
//! `testdata/real/truth.json`, made by independent tools (WES-NG for
//! systeminfo / wmic, python-evtx for event logs, regipy and hivex for
//! hives); what the readers could not read must be unknown with a warning,
//! never an empty list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use acsready_testkit::shared;
use assert_cmd::Command;
use serde_json::Value;

fn truth() -> Value {
    let p = shared("testdata/real/truth.json");
    serde_json::from_slice(&std::fs::read(p).expect("read truth.json")).expect("truth is JSON")
}

fn files(folder: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(shared(&format!("testdata/real/{folder}")))
        .expect("list the real test data")
        .map(|e| e.expect("an entry").path())
        .collect();
    v.sort();
    v
}

struct Run {
    code: i32,
    facts: Option<Value>,
    stderr: String,
}

fn facts(path: &Path) -> Run {
    let out = Command::cargo_bin("acsready")
        .expect("binary")
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .args(["facts", "--format", "json"])
        .arg(path)
        .output()
        .expect("run acsready");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let facts = stdout.lines().find(|l| !l.trim().is_empty()).map(|l| {
        serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display()))
    });
    Run {
        code: out.status.code().unwrap_or(-1),
        facts,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn every_systeminfo_and_wmic_output_agrees_with_wes_ng() {
    let truth = truth();
    let mut known = 0;
    for path in files("systeminfo") {
        let file = name(&path);
        let run = facts(&path);
        if file.contains("_updates") {
            // Lists of *missing* updates (WES-NG's missingkbs): refused.
            assert_eq!(run.code, 2, "{file}: {}", run.stderr);
            assert!(run.stderr.contains(&file), "{file}: {}", run.stderr);
            continue;
        }
        let want = &truth["systeminfo"][&file];
        let Some(got) = run.facts else {
            // Nothing read (wmic's blank output: no list, or a failure):
            // an error naming the file, never "no updates".
            assert_eq!(run.code, 2, "{file}: {}", run.stderr);
            assert!(
                run.stderr.contains(&file) && run.stderr.contains("unknown"),
                "{file}: {}",
                run.stderr
            );
            continue;
        };
        if let Some(build) = want["build"].as_u64() {
            assert_eq!(
                got["os"]["current_build"].as_str(),
                Some(build.to_string().as_str()),
                "{file}"
            );
        }
        let truth_kbs: BTreeSet<&str> = want["kbs"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match got["updates"].as_array() {
            Some(list) => {
                known += 1;
                let got_kbs: BTreeSet<&str> = list.iter().filter_map(Value::as_str).collect();
                // Every KB WES-NG read; more only where the file lists bare
                // numbers without "KB" (Vista), which WES-NG skips.
                assert!(got_kbs.is_superset(&truth_kbs), "{file}: {got_kbs:?}");
                for extra in got_kbs.difference(&truth_kbs) {
                    let bytes = std::fs::read(&path).expect("read");
                    let text: String = bytes
                        .iter()
                        .filter(|&&b| b != 0)
                        .map(|&b| b as char)
                        .collect();
                    let digits = &extra[2..];
                    assert!(
                        text.contains(digits) && !text.to_ascii_uppercase().contains(extra),
                        "{file}: {extra} is not in the file as a bare number"
                    );
                }
            }
            // Unknown, never empty-by-default: a warning names the file.
            None => assert!(
                run.stderr.contains(&file),
                "{file}: updates unknown without a warning: {}",
                run.stderr
            ),
        }
    }
    assert!(known >= 40, "only {known} update lists read whole");
}

#[test]
fn every_event_log_agrees_with_a_full_chunk_scan() {
    let truth = truth();
    let rules = acsready_rules::Rules::embedded().expect("embedded rules");
    let watched: BTreeSet<u32> = rules.events.iter().flat_map(|r| r.ids.clone()).collect();
    assert!(watched.contains(&900), "{watched:?}");
    for path in files("evtx") {
        let file = name(&path);
        let want = &truth["evtx"][&file];
        let run = facts(&path);
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        let got = run.facts.expect("facts");
        let mut counts: BTreeMap<u32, u64> = BTreeMap::new();
        for e in got["events"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            *counts
                .entry(e["id"].as_u64().expect("id") as u32)
                .or_default() += 1;
        }
        // Every record of a watched event id, including those past the
        // stale chunk count of the header.
        for id in &watched {
            let expected = want["event_id_counts"][id.to_string()]
                .as_u64()
                .unwrap_or(0);
            assert_eq!(
                counts.get(id).copied().unwrap_or(0),
                expected,
                "{file}: event {id}"
            );
        }
        if want["records"].as_u64() > want["header_records"].as_u64() {
            assert!(run.stderr.contains("stale"), "{file}: {}", run.stderr);
        }
    }
}

#[test]
fn every_hive_gives_its_computer_name_and_recovery_state() {
    let truth = truth();
    for (file, want) in truth["hives"].as_object().expect("hives") {
        let path = shared(&format!("testdata/real/hives/{file}"));
        let run = facts(&path);
        let got = run
            .facts
            .unwrap_or_else(|| panic!("{file}: no facts: {}", run.stderr));
        assert_eq!(got["host"], want["computer_name"], "{file}: {}", run.stderr);
        // SYSTEM_B is dirty with its logs beside it: replayed, no warning
        // that changes may be missing.
        assert!(!run.stderr.contains("LOG1"), "{file}: {}", run.stderr);
    }
}
