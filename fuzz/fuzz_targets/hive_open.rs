//! Arbitrary bytes as a registry hive: opening either fails with an error
//! or gives a hive whose keys can be walked, never a panic or a hang.
//!
//! notatin, the hive reader, has arithmetic that overflows on damaged
//! hives (a panic only with overflow checks on, as here); acsready-registry
//! catches panics raised inside notatin and reports the key as unreadable.
//! So a panic located in notatin is let through to that catch, and any
//! other panic, or a notatin panic that escapes, still aborts the run.
//!
//! Run with `cargo +nightly fuzz run hive_open` from this folder. A useful
//! seed is a small real hive, e.g. the first 32,768 bytes of
//! shared/testdata/hives/dfwinreg__SAM (its hive bins end there).

#![no_main]

use std::sync::Once;

use acsready_registry::{Hive, Recovery, RegistryView};
use libfuzzer_sys::fuzz_target;

static HOOK: Once = Once::new();

/// Aborts on every panic except those raised inside notatin.
fn install_hook() {
    HOOK.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_notatin = info
                .location()
                .is_some_and(|l| l.file().contains("/notatin-") || l.file().contains("\\notatin-"));
            if !in_notatin {
                abort(info);
                std::process::abort();
            }
        }));
    });
}

/// Walks at most `budget` keys, at most 32 deep.
fn walk(view: &dyn RegistryView, path: &str, depth: usize, budget: &mut usize) {
    if *budget == 0 || depth > 32 {
        return;
    }
    *budget -= 1;
    let _ = view.values(path);
    let _ = view.value(path, "");
    for key in view.subkeys(path).unwrap_or_default() {
        walk(view, &format!("{path}\\{key}"), depth + 1, budget);
    }
}

fuzz_target!(|data: &[u8]| {
    install_hook();
    if let Ok(hive) = Hive::from_bytes(data.to_vec(), "fuzz") {
        assert!(hive.origin().starts_with("fuzz ("));
        walk(&hive, "", 0, &mut 500);
        let _ = hive.notes();
        let _ = hive.root_name();
        // Without logs, a hive is clean or dirty without logs, never replayed.
        let (primary, secondary) = hive.sequence_numbers();
        let expected = if primary == secondary {
            Recovery::Clean { logs: 0 }
        } else {
            Recovery::DirtyWithoutLogs
        };
        assert_eq!(hive.recovery(), &expected);
    }
});
