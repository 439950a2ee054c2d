//! Transaction log replay: a dirty copy of a real hive with a `.LOG1`
//! written here in the new (Windows 8.1+) format, whose one log entry
//! carries a newer version of a hive bin page.

use std::path::PathBuf;

use acsready_registry::{Hive, Recovery, RegistryView};

fn hive_path(name: &str) -> PathBuf {
    acsready_testkit::shared(&format!("testdata/hives/{name}"))
}

/// Marvin32, the hash of log entries (as in .NET and the regf spec).
fn marvin32(seed: u64, data: &[u8]) -> u64 {
    let mut s0 = seed as u32;
    let mut s1 = (seed >> 32) as u32;
    let block = |s0: &mut u32, s1: &mut u32| {
        *s1 ^= *s0;
        *s0 = s0.rotate_left(20).wrapping_add(*s1);
        *s1 = s1.rotate_left(9) ^ *s0;
        *s0 = s0.rotate_left(27).wrapping_add(*s1);
        *s1 = s1.rotate_left(19);
    };
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        s0 = s0.wrapping_add(u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        block(&mut s0, &mut s1);
    }
    let rest = chunks.remainder();
    let last = match rest.len() {
        0 => 0x80,
        1 => 0x8000 | u32::from(rest[0]),
        2 => 0x80_0000 | u32::from(u16::from_le_bytes([rest[0], rest[1]])),
        _ => {
            0x8000_0000
                | (u32::from(rest[2]) << 16)
                | u32::from(u16::from_le_bytes([rest[0], rest[1]]))
        }
    };
    s0 = s0.wrapping_add(last);
    block(&mut s0, &mut s1);
    block(&mut s0, &mut s1);
    u64::from(s0) | (u64::from(s1) << 32)
}

const LOG_SEED: u64 = 0x82EF_4D88_7A4E_55C5;

fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn get_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Recomputes the base block checksum (XOR of the first 127 dwords).
fn fix_checksum(base: &mut [u8]) {
    let mut sum = (0..508)
        .step_by(4)
        .fold(0u32, |x, at| x ^ get_u32(base, at));
    sum = match sum {
        0 => 1,
        u32::MAX => u32::MAX - 1,
        n => n,
    };
    put_u32(base, 508, sum);
}

/// A new-format transaction log: the 512-byte base block, then one log
/// entry (`HvLE`) with one dirty page at `page_offset` (relative to the
/// first hive bin).
fn write_log(primary_base: &[u8], sequence: u32, page_offset: u32, page: &[u8]) -> Vec<u8> {
    let mut base = primary_base[..512].to_vec();
    put_u32(&mut base, 28, 6); // file type: transaction log (new format)
    fix_checksum(&mut base);

    let header = 40 + 8;
    let size = (header + page.len()).div_ceil(512) * 512;
    let mut entry = vec![0u8; size];
    entry[..4].copy_from_slice(b"HvLE");
    put_u32(&mut entry, 4, size as u32);
    put_u32(&mut entry, 12, sequence);
    put_u32(&mut entry, 16, get_u32(primary_base, 40)); // hive bins data size
    put_u32(&mut entry, 20, 1); // dirty pages
    put_u32(&mut entry, 40, page_offset);
    put_u32(&mut entry, 44, page.len() as u32);
    entry[header..header + page.len()].copy_from_slice(page);
    let hash1 = marvin32(LOG_SEED, &entry[40..]);
    entry[24..32].copy_from_slice(&hash1.to_le_bytes());
    let hash2 = marvin32(LOG_SEED, &entry[..32]);
    entry[32..40].copy_from_slice(&hash2.to_le_bytes());
    [base, entry].concat()
}

#[test]
fn marvin32_matches_published_vectors() {
    assert_eq!(marvin32(0x004F_B61A_001B_DBCC, &[]), 0x30ED_35C1_00CD_3C7D);
    assert_eq!(
        marvin32(0x004F_B61A_001B_DBCC, &[0xAF]),
        0x48E7_3FC7_7D75_DDC1
    );
    assert_eq!(
        marvin32(0x004F_B61A_001B_DBCC, &[0x15, 0x3F, 0xB7, 0x98, 0x26]),
        0xE6C0_8C6D_A2AF_A997
    );
    let all: Vec<u8> = (0..=255).collect();
    assert_eq!(marvin32(0x804F_B61A_001B_DBCC, &all), 0x73B4_AE56_9E0D_B919);
}

#[test]
fn dirty_hive_with_log_is_replayed() -> std::io::Result<()> {
    let original = std::fs::read(hive_path("dfwinreg__SAM"))?;
    let sequence = get_u32(&original, 8);
    assert_eq!(get_u32(&original, 4), sequence, "the test hive is clean");

    // The key node of "SAM", the root's only subkey: "nk", name length 3
    // at +0x48, name at +0x4C.
    let nk = (4096..original.len() - 0x50)
        .find(|&p| {
            &original[p..p + 2] == b"nk"
                && original[p + 0x48..p + 0x4A] == [3, 0]
                && &original[p + 0x4C..p + 0x4F] == b"SAM"
        })
        .unwrap_or_else(|| panic!("no key node named SAM"));
    let page_offset = (nk - 4096) / 4096 * 4096;
    let mut page = original[4096 + page_offset..4096 + page_offset + 4096].to_vec();
    let at = nk - 4096 - page_offset + 0x4C;
    page[at..at + 3].copy_from_slice(b"SAX");

    // The primary file was being written: sequence numbers differ, the
    // page on disk is still the old one.
    let mut primary = original.clone();
    put_u32(&mut primary, 4, sequence + 1);
    fix_checksum(&mut primary[..512]);

    let dir = tempfile::tempdir()?;
    let sam = dir.path().join("SAM");
    std::fs::write(&sam, &primary)?;

    let without = Hive::open(&sam).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(without.subkeys(""), Some(vec!["SAM".to_string()]));
    assert!(
        without.origin().contains("dirty and no .LOG1/.LOG2"),
        "{}",
        without.origin()
    );

    let log = write_log(&primary, sequence, page_offset as u32, &page);
    std::fs::write(dir.path().join("Sam.LOG1"), &log)?;
    let with = Hive::open(&sam).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        with.subkeys(""),
        Some(vec!["SAX".to_string()]),
        "{:?}",
        with.notes()
    );
    assert!(with.subkeys("SAX\\Domains").is_some());
    assert!(
        with.origin().ends_with("SAM (hive, 1 log replayed)"),
        "{}",
        with.origin()
    );
    assert_eq!(with.recovery(), &Recovery::Replayed { logs: 1 });
    assert_eq!(without.recovery(), &Recovery::DirtyWithoutLogs);

    // A log entry whose hash does not match is not applied.
    let mut damaged = log.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 0xff;
    std::fs::write(dir.path().join("Sam.LOG1"), &damaged)?;
    let rejected = Hive::open(&sam).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rejected.subkeys(""), Some(vec!["SAM".to_string()]));
    assert!(
        rejected
            .origin()
            .ends_with("SAM (hive, dirty, 1 log not replayed: its latest changes may be missing)"),
        "{}",
        rejected.origin()
    );
    assert!(
        rejected.notes().iter().any(|n| n.contains("hash mismatch")),
        "{:?}",
        rejected.notes()
    );
    assert_eq!(rejected.recovery(), &Recovery::NotReplayed { logs: 1 });

    // A clean hive ignores its logs.
    std::fs::write(&sam, &original)?;
    std::fs::write(dir.path().join("Sam.LOG1"), &log)?;
    let clean = Hive::open(&sam).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(clean.subkeys(""), Some(vec!["SAM".to_string()]));
    assert!(
        clean
            .origin()
            .ends_with("SAM (hive, clean, 1 log not needed)"),
        "{}",
        clean.origin()
    );
    assert_eq!(clean.recovery(), &Recovery::Clean { logs: 1 });
    // A clean hive's unneeded logs are not a problem to report.
    assert!(clean.notes().is_empty(), "{:?}", clean.notes());
    Ok(())
}
