//! A VHDX log ([MS-VHDX] 2.3): entry headers, zero and data descriptors,
//! data sectors, sequence numbers, checksums and the search for the
//! active sequence round the ring. The input is the header's LogGuid (16
//! bytes), the file's size (8 bytes), then the log, padded to whole 4 KiB
//! sectors. Replaying either fails with a reason or gives the writes of
//! one sequence, never a panic, a hang or an allocation past the log's
//! size.
//!
//! Run with `cargo +nightly fuzz run vhdx_log` from this folder.

#![no_main]

use acsready_diskimage::vhdx_log::{replay, Write, SECTOR};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 24 {
        return;
    }
    let mut guid = [0u8; 16];
    guid.copy_from_slice(&data[..16]);
    let file_size = u64::from_le_bytes(data[16..24].try_into().unwrap_or_default());
    let mut log = data[24..].to_vec();
    log.resize(log.len().div_ceil(SECTOR as usize).max(1) * SECTOR as usize, 0);
    let log_offset = 1 << 20;
    if let Ok(r) = replay(&log, &guid, log_offset, file_size) {
        let data_bytes: usize = r
            .writes
            .iter()
            .map(|w| match w {
                Write::Data { bytes, .. } => bytes.len(),
                Write::Zero { .. } => 0,
            })
            .sum();
        assert!(data_bytes <= log.len());
        assert!(r.sequences.0 <= r.sequences.1);
        assert!(r.file_size >= file_size);
        for w in &r.writes {
            let range = w.range();
            assert!(range.start >= 192 * 1024 && range.end <= r.file_size);
            assert!(range.end <= log_offset || range.start >= log_offset + log.len() as u64);
        }
    }
});
