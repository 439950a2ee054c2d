//! Arbitrary bytes as a Deep Security console export (CSV and API JSON):
//! no panic, no host without a name, no UBR from the console.
//!
//! Run with `cargo +nightly fuzz run console_csv` from this folder.

#![no_main]

use acsready_sources::registry_facts::KnownProducts;
use acsready_sources::{read_console, ConsoleFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let products = KnownProducts {
        console_agent: Some("deep_security_agent".into()),
        ..KnownProducts::default()
    };
    for out in [
        read_console(ConsoleFormat::Csv, data, "fuzz.csv", &products),
        read_console(ConsoleFormat::Json, data, "fuzz.json", &products),
    ]
    .into_iter()
    .flatten()
    {
        for h in &out.hosts {
            assert!(!h.host.trim().is_empty());
            assert_eq!(h.ubr(), None, "the console has no UBR");
        }
        assert!(out.problems.len() <= acsready_sources::MAX_PROBLEMS);
    }
});
