//! Arbitrary bytes as the fleet server receives them: a facts body
//! (every record stored or rejected with a line) and a collector zip
//! (unpacked only inside its folder, or refused). No panic.
//!
//! Run with `cargo +nightly fuzz run server_upload` from this folder.

#![no_main]

use acsready_intake::body::parse_facts;
use acsready_intake::upload::{unpack, ZipLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = parse_facts(data);
    for facts in &parsed.facts {
        assert!(!facts.host.is_empty());
    }
    let outer = tempfile::tempdir().expect("temp dir");
    let root = outer.path().join("root");
    std::fs::create_dir(&root).expect("root");
    let limits = ZipLimits {
        max_entries: 64,
        max_unpacked: 1 << 20,
        ..ZipLimits::default()
    };
    let _ = unpack(data, &root, limits);
    let entries: Vec<_> = std::fs::read_dir(outer.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(entries.len(), 1, "something was written beside the folder");
});
