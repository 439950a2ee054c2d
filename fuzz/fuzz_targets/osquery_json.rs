//! Arbitrary bytes as osquery results: no panic, hosts are unique
//! (case-insensitively) and every known list fact is attributed.
//!
//! Run with `cargo +nightly fuzz run osquery_json` from this folder.

#![no_main]

use acsready_sources::read_osquery;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let products = [(
        "Trend Micro Deep Security Agent".to_string(),
        "deep_security_agent".to_string(),
    )];
    if let Ok(out) = read_osquery(data, "fuzz.log", &products) {
        for (i, h) in out.hosts.iter().enumerate() {
            let lower = h.host.to_lowercase();
            assert!(
                !out.hosts[..i].iter().any(|o| o.host.to_lowercase() == lower),
                "host {} twice",
                h.host
            );
            if h.updates.is_some() {
                assert!(h.sources.contains_key("updates"));
            }
            if h.certificates.is_some() {
                assert!(h.sources.contains_key("certificates"));
            }
        }
        assert!(out.problems.len() <= acsready_sources::MAX_PROBLEMS);
    }
});
