//! Every real `systeminfo` / `wmic qfe` / update-list output of the shared
//! test data (`testdata/real/systeminfo/`, from WES-NG's `validation/`
//! folder, see its MANIFEST.md) against `testdata/real/truth.json`, made by
//! wes.py: the build and the set of KB numbers of each file.
//!
//! Where the reader and wes.py may differ, and why (each case is checked):
//!
//! * wes.py skips update numbers written without "KB" (Vista lists
//!   `943729`); the reader reads them: more, not wrong;
//! * systeminfo cuts long lists, sometimes inside an entry (`[240]: KB2862`
//!   of `KB2862xxx`): wes.py keeps the piece, the reader marks the list
//!   partial and does not use the last entry;
//! * `wmic qfe > file` writes a blank line when it lists nothing *or*
//!   fails: wes.py reads no KB, the reader says "unknown";
//! * `*_updates.txt` list the updates Windows Update says are *missing*
//!   (WES-NG's missingkbs script): the reader refuses them.

use std::collections::BTreeSet;
use std::path::PathBuf;

use acsready_sources::parse_hotfixes;
use serde_json::Value;

fn truth() -> Value {
    let p = acsready_testkit::shared("testdata/real/truth.json");
    serde_json::from_slice(&std::fs::read(&p).expect("read truth.json"))
        .expect("truth.json is JSON")
}

fn files() -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(acsready_testkit::shared("testdata/real/systeminfo"))
        .expect("list the test data")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    v.sort();
    v
}

/// The file's text with NULs removed (UTF-16 as ASCII) and upper-cased.
fn plain(bytes: &[u8]) -> String {
    bytes
        .iter()
        .filter(|&&b| b != 0)
        .map(|&b| b as char)
        .collect::<String>()
        .to_ascii_uppercase()
}

#[test]
fn every_real_output_agrees_with_wes_ng() {
    let truth = truth();
    let truth = truth["systeminfo"]
        .as_object()
        .expect("a systeminfo object");
    let files = files();
    assert_eq!(files.len(), truth.len(), "one truth entry per file");
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        let want = &truth[&name];
        let bytes = std::fs::read(path).expect("read the file");
        let parsed = parse_hotfixes(&bytes, &name);
        if name.contains("_updates") {
            match parsed {
                Err(e) => assert!(e.to_string().contains("missing"), "{name}: {e}"),
                Ok(h) => failures.push(format!("{name}: read as {:?}", h.format)),
            }
            continue;
        }
        let h = match parsed {
            Ok(h) => h,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if let Some(build) = want["build"].as_u64() {
            if h.build.map(u64::from) != Some(build) {
                failures.push(format!("{name}: build {:?}, want {build}", h.build));
            }
        }
        let want_kbs: BTreeSet<String> = want["kbs"]
            .as_array()
            .expect("kbs")
            .iter()
            .map(|k| k.as_str().expect("a KB").to_string())
            .collect();
        let Some(updates) = &h.updates else {
            let blank = bytes.iter().all(|b| b" \r\n\t\xFF\xFE\0".contains(b));
            if !(want_kbs.is_empty() && blank) {
                failures.push(format!("{name}: updates unknown: {:?}", h.problems));
            }
            continue;
        };
        let got: BTreeSet<String> = updates.iter().cloned().collect();
        let text = plain(&bytes);
        for extra in got.difference(&want_kbs) {
            // Only numbers written without "KB".
            if text.contains(extra.as_str()) {
                failures.push(format!("{name}: {extra} read, not in the truth"));
            }
        }
        for lost in want_kbs.difference(&got) {
            let cut = !h.complete
                && h.problems
                    .iter()
                    .any(|p| p.message.contains(&format!("\"{lost}\" may be cut off")));
            if !cut {
                failures.push(format!("{name}: {lost} not read"));
            }
        }
        if h.complete && got.len() != updates.len() {
            failures.push(format!("{name}: duplicates"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The lists systeminfo cut are read as partial, the others as complete.
#[test]
fn cut_lists_are_partial() {
    let mut partial = Vec::new();
    for path in files() {
        let name = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        if name.contains("_updates") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read the file");
        let h = parse_hotfixes(&bytes, &name).expect("read");
        if h.updates.is_some() && !h.complete {
            partial.push(name);
        }
    }
    assert_eq!(
        partial,
        [
            "7_sp1_x64_enterprise_en-us_20190305_systeminfo.txt",
            "7_sp1_x64_enterprise_en-us_B_systeminfo.txt",
            "7_sp1_x64_ultimaten_de_systeminfo.txt",
            "srv_2003r2_sp2_x86_standard_en-us_systeminfo.txt",
            "xp_sp2_x64_systeminfo.txt",
            "xp_sp3_x86_professional_en-us_systeminfo.txt",
        ]
    );
}
