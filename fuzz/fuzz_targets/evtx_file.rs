//! Arbitrary bytes as an `.evtx` file: no panic, damage only in `problems`,
//! and never more records than the data could hold.
//!
//! Arbitrary bytes rarely get past the file signature: input that starts
//! with "ElfFile" is used as it is, other input with an odd first byte is
//! laid after a valid file header and chunk signature (the fuzzer then
//! mutates chunk and record data), and the rest is used as it is.
//! Seed the corpus with small real logs, e.g. from `shared/testdata/evtx`.
//!
//! Run with `cargo +nightly fuzz run evtx_file` from this folder.

#![no_main]

use acsready_sources::{read_evtx_bytes, EventFilter};
use libfuzzer_sys::fuzz_target;

/// A file header that says one chunk, then a chunk header with the
/// signature; the fuzzer's data follows.
fn skeleton(data: &[u8]) -> Vec<u8> {
    let mut file = vec![0u8; 4096];
    file[..8].copy_from_slice(b"ElfFile\0");
    file[32..36].copy_from_slice(&128u32.to_le_bytes()); // header size
    file[36..38].copy_from_slice(&1u16.to_le_bytes()); // minor version
    file[38..40].copy_from_slice(&3u16.to_le_bytes()); // major version
    file[40..42].copy_from_slice(&4096u16.to_le_bytes()); // header block size
    file[42..44].copy_from_slice(&1u16.to_le_bytes()); // chunk count
    file.extend_from_slice(b"ElfChnk\0");
    file.extend_from_slice(data);
    // Whole chunks only half of the time, so cut files are fuzzed too.
    if data.len() % 2 == 0 {
        file.resize(4096 + 65536, 0);
    }
    file
}

fuzz_target!(|data: &[u8]| {
    let bytes = match data.split_first() {
        _ if data.starts_with(b"ElfFile") => data.to_vec(),
        Some((mode, rest)) if mode % 2 == 1 => skeleton(rest),
        _ => data.to_vec(),
    };
    let len = bytes.len();
    if let Ok(log) = read_evtx_bytes(bytes, "fuzz.evtx", &EventFilter::all()) {
        // A record takes at least 24 bytes of a 64 KiB chunk.
        assert!(log.records_read as usize <= len / 24);
        assert_eq!(log.events.len() as u64, log.records_read);
        assert!(log.problems.len() <= acsready_sources::MAX_PROBLEMS);
    }
});
