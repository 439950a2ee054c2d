//! Arbitrary bytes as compressed evidence (.gz, .xz, .zip, .7z): no panic,
//! no hang, and never more than the caps unpacked.
//!
//! Run with `cargo +nightly fuzz run unpack` from this folder.

#![no_main]

use acsready_sources::compressed::{packing, unpack, unpack_bytes, Limits};
use libfuzzer_sys::fuzz_target;

const LIMITS: Limits = Limits {
    max_bytes: 1 << 20,
    max_ratio: 50,
    ratio_after: 64 << 10,
    max_entries: 64,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(out)) = unpack_bytes(data, "fuzz", LIMITS) {
        assert!(out.len() as u64 <= LIMITS.max_bytes);
    }
    // Archives unpack to a folder: through a file, as given on the command line.
    if packing(data).is_some_and(|p| p.is_archive()) {
        let Ok(dir) = tempfile::tempdir() else {
            return;
        };
        let path = dir.path().join("fuzz.zip");
        if std::fs::write(&path, data).is_err() {
            return;
        }
        if let Ok(Some(u)) = unpack(&path, LIMITS) {
            assert!(u.root.starts_with(u.dir()), "unpacked inside its folder");
        }
    }
});
