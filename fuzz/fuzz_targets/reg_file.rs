//! Arbitrary bytes as a `.reg` file and as `reg query` output: no panic,
//! bad lines are warnings with a line number, damage only where a warning
//! says so, and every subkey a view lists can be read.
//!
//! Run with `cargo +nightly fuzz run reg_file` from this folder.

#![no_main]

use acsready_registry::{RegFiles, RegistryError, RegistryView};
use libfuzzer_sys::fuzz_target;

/// Walks at most `budget` keys, checking that listed subkeys exist.
fn walk(view: &dyn RegistryView, path: &str, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    assert!(view.values(path).is_some(), "{path:?} has no values list");
    for key in view.subkeys(path).unwrap_or_default() {
        assert!(
            !key.is_empty() && !key.contains('\\'),
            "bad key name {key:?}"
        );
        walk(view, &format!("{path}\\{key}"), budget);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut files = RegFiles::new();
    // As a file: encoding detection and the header check.
    let _ = files.add_bytes(data, "fuzz.reg");
    // Behind a header, so the line parser sees every input.
    let text = String::from_utf8_lossy(data);
    let with_header = format!("Windows Registry Editor Version 5.00\r\n{text}");
    assert!(files.add_text(&with_header, "fuzz2.reg").is_ok());
    let lines = with_header.split('\n').count() as u64;
    for warning in files.warnings() {
        match warning {
            RegistryError::Syntax { line, .. } => assert!(*line >= 1 && *line <= lines.max(1)),
            other => panic!("unexpected warning {other:?}"),
        }
    }
    walk(&files.view(""), "", &mut 2000);
    // Damage is only ever where a warning says so.
    if files.view("").damage("").is_some() {
        assert!(!files.warnings().is_empty());
    }
    // The same bytes as `reg query` output.
    let mut query = RegFiles::new();
    if query.add_query_output(data, "fuzz.txt").is_ok() {
        if query.view("").damage("").is_some() {
            assert!(!query.warnings().is_empty());
        }
        walk(&query.view(""), "", &mut 2000);
    }
});
