//! The log's active sequence found and replayed as [MS-VHDX] 2.3.3 says,
//! on logs written by acsready-testkit.

use acsready_testkit::vhdx_log::{put_ring, LogEntry, LogWrite};

use super::*;

const GUID: [u8; 16] = *b"the log guid 001";
const LOG_AT: u64 = MIB;
const FILE: u64 = 8 * MIB;

fn entry(seq: u64, tail: u64, writes: Vec<LogWrite>) -> LogEntry {
    LogEntry {
        seq,
        tail,
        guid: GUID,
        flushed_file_offset: FILE,
        last_file_offset: FILE,
        writes,
    }
}

/// A sector of `byte`, its first 8 and last 4 bytes distinct (they are
/// kept in the descriptor).
fn sector(byte: u8) -> Vec<u8> {
    let mut s = vec![byte; SECTOR as usize];
    s[0..8].copy_from_slice(b"LEADING!");
    s[4092..4096].copy_from_slice(b"TAIL");
    s
}

fn data(offset: u64, byte: u8) -> LogWrite {
    LogWrite::Data {
        offset,
        bytes: sector(byte),
    }
}

/// A 1 MiB log holding `entries` at their sectors.
fn log(entries: &[(u64, &LogEntry)]) -> Vec<u8> {
    let mut log = vec![0u8; MIB as usize];
    for (sector, e) in entries {
        put_ring(&mut log, (sector * SECTOR) as usize, &e.bytes());
    }
    log
}

fn run(log: &[u8]) -> Result<Replay, LogError> {
    replay(log, &GUID, LOG_AT, FILE)
}

/// The offsets and first data bytes of the writes, in order.
fn written(r: &Replay) -> Vec<(u64, Option<u8>)> {
    r.writes
        .iter()
        .map(|w| match w {
            Write::Data { offset, bytes } => (*offset, Some(bytes[100])),
            Write::Zero { offset, .. } => (*offset, None),
        })
        .collect()
}

fn damaged(r: Result<Replay, LogError>) -> String {
    match r {
        Err(LogError::Damaged(why)) => why,
        other => panic!("not damaged: {other:?}"),
    }
}

#[test]
fn one_entry_gives_its_sectors_back_whole_and_its_zero_ranges() {
    let e = entry(
        7,
        0,
        vec![
            data(2 * MIB, 1),
            LogWrite::Zero {
                offset: 3 * MIB,
                len: 2 * SECTOR,
            },
            data(3 * MIB + SECTOR, 2),
        ],
    );
    let r = run(&log(&[(0, &e)])).unwrap();
    assert_eq!(r.sequences, (7, 7));
    assert_eq!(r.file_size, FILE);
    assert_eq!(
        r.writes,
        [
            Write::Data {
                offset: 2 * MIB,
                bytes: sector(1)
            },
            Write::Zero {
                offset: 3 * MIB,
                len: 2 * SECTOR
            },
            Write::Data {
                offset: 3 * MIB + SECTOR,
                bytes: sector(2)
            },
        ]
    );
}

#[test]
fn a_sequence_wrapping_round_the_end_of_the_log_is_replayed_in_order() {
    // 256 sectors: the first entry at 254 (two sectors: 254, 255), the
    // second from 0 (descriptor sector 0, data sectors 1 and 2), the third
    // from 3 holding no descriptor at all.
    let tail = 254 * SECTOR;
    let first = entry(20, tail, vec![data(2 * MIB, 1)]);
    let second = entry(21, tail, vec![data(2 * MIB, 2), data(4 * MIB, 3)]);
    let third = entry(22, tail, vec![]);
    let r = run(&log(&[(254, &first), (0, &second), (3, &third)])).unwrap();
    assert_eq!(r.sequences, (20, 22));
    assert_eq!(
        written(&r),
        [(2 * MIB, Some(1)), (2 * MIB, Some(2)), (4 * MIB, Some(3))]
    );
    // An entry whose own sectors wrap: descriptor at 255, data at 0.
    let wrapped = entry(30, 255 * SECTOR, vec![data(5 * MIB, 9)]);
    let r = run(&log(&[(255, &wrapped)])).unwrap();
    assert_eq!(written(&r), [(5 * MIB, Some(9))]);
}

#[test]
fn the_newest_sequence_of_the_headers_log_guid_is_the_one_replayed() {
    let old = entry(3, 40 * SECTOR, vec![data(2 * MIB, 0x55)]);
    let new_a = entry(10, 0, vec![data(2 * MIB, 1)]);
    let new_b = entry(11, 0, vec![data(2 * MIB + SECTOR, 2)]);
    let mut foreign = entry(99, 60 * SECTOR, vec![data(2 * MIB, 0x66)]);
    foreign.guid = *b"an older session";
    let r = run(&log(&[
        (40, &old),
        (0, &new_a),
        (2, &new_b),
        (60, &foreign),
    ]))
    .unwrap();
    assert_eq!(r.sequences, (10, 11));
    assert_eq!(
        written(&r),
        [(2 * MIB, Some(1)), (2 * MIB + SECTOR, Some(2))]
    );
}

#[test]
fn entries_before_the_head_entrys_tail_were_applied_and_are_not_replayed_again() {
    let a = entry(5, 0, vec![data(2 * MIB, 1)]);
    let b = entry(6, 2 * SECTOR, vec![data(2 * MIB, 2)]);
    let c = entry(7, 2 * SECTOR, vec![data(2 * MIB, 3)]);
    let r = run(&log(&[(0, &a), (2, &b), (4, &c)])).unwrap();
    assert_eq!(r.sequences, (6, 7));
    assert_eq!(written(&r), [(2 * MIB, Some(2)), (2 * MIB, Some(3))]);
}

#[test]
fn a_torn_head_entry_leaves_the_sequence_before_it() {
    let a = entry(5, 0, vec![data(2 * MIB, 1)]);
    let b = entry(6, 0, vec![data(2 * MIB, 2)]);
    let mut l = log(&[(0, &a), (2, &b)]);
    // A torn write of the head entry: its data sector half written.
    l[3 * SECTOR as usize + 2000] ^= 0xFF;
    let r = run(&l).unwrap();
    assert_eq!(r.sequences, (5, 5));
    assert_eq!(written(&r), [(2 * MIB, Some(1))]);
}

#[test]
fn a_damaged_entry_inside_the_sequence_is_an_error_not_a_guess() {
    let a = entry(5, 0, vec![data(2 * MIB, 1)]);
    let b = entry(6, 0, vec![data(2 * MIB, 2)]);
    let c = entry(7, 0, vec![data(2 * MIB, 3)]);
    let mut l = log(&[(0, &a), (2, &b), (4, &c)]);
    l[2 * SECTOR as usize + 100] ^= 1;
    let why = damaged(run(&l));
    assert!(
        why.contains("entry 7 at log offset 16384 is newer"),
        "{why}"
    );
    assert!(why.contains("(entries 5 to 5)"), "{why}");
}

#[test]
fn a_gap_in_the_sequence_numbers_is_an_error() {
    let a = entry(5, 0, vec![data(2 * MIB, 1)]);
    let c = entry(7, 0, vec![data(2 * MIB, 3)]);
    let why = damaged(run(&log(&[(0, &a), (2, &c)])));
    assert!(why.contains("entry 7"), "{why}");
}

#[test]
fn no_valid_sequence_is_an_error() {
    // An empty log.
    let why = damaged(run(&vec![0u8; MIB as usize]));
    assert!(why.contains("no valid sequence"), "{why}");
    // One entry with a wrong checksum.
    let a = entry(5, 0, vec![data(2 * MIB, 1)]);
    let mut l = log(&[(0, &a)]);
    l[4] ^= 1;
    assert!(damaged(run(&l)).contains("no valid sequence"));
    // One entry whose tail is not in its sequence.
    let b = entry(5, 8 * SECTOR, vec![]);
    assert!(damaged(run(&log(&[(0, &b)]))).contains("no valid sequence"));
    // Entries of another log.
    let mut c = entry(5, 0, vec![]);
    c.guid = [9; 16];
    assert!(damaged(run(&log(&[(0, &c)]))).contains("no valid sequence"));
}

#[test]
fn every_field_is_checked() {
    let good = entry(5, 0, vec![data(2 * MIB, 1)]);
    let bytes = good.bytes();
    // (byte to change, new value): header signature, reserved field,
    // descriptor sequence number, data sector signature and sequence.
    for (at, value) in [
        (0, b'L'),
        (28, 1),
        (64 + 24, 9),
        (4096, b'D'),
        (4096 + 4092, 9),
    ] {
        let mut e = bytes.clone();
        e[at] = value;
        e[4..8].fill(0);
        let crc = crc32c(&e);
        e[4..8].copy_from_slice(&crc.to_le_bytes());
        let mut l = vec![0u8; MIB as usize];
        l[..e.len()].copy_from_slice(&e);
        assert!(
            damaged(run(&l)).contains("no valid sequence"),
            "byte {at} changed to {value}"
        );
    }
    // Offsets that are not multiples of 4 KiB.
    let odd = entry(5, 0, vec![data(2 * MIB + 512, 1)]);
    assert!(damaged(run(&log(&[(0, &odd)]))).contains("no valid sequence"));
    let mut unaligned = entry(5, 0, vec![]);
    unaligned.last_file_offset = FILE + 4096;
    assert!(damaged(run(&log(&[(0, &unaligned)]))).contains("no valid sequence"));
}

#[test]
fn a_file_shorter_than_the_flushed_file_offset_was_truncated() {
    let mut e = entry(5, 0, vec![data(2 * MIB, 1)]);
    e.flushed_file_offset = 16 * MIB;
    e.last_file_offset = 16 * MIB;
    assert_eq!(
        run(&log(&[(0, &e)])),
        Err(LogError::Truncated {
            size: FILE,
            needed: 16 * MIB
        })
    );
}

#[test]
fn the_file_grows_to_the_last_file_offset_and_no_further() {
    let mut e = entry(5, 0, vec![data(FILE + MIB, 1)]);
    e.last_file_offset = FILE + 4 * MIB;
    let r = run(&log(&[(0, &e)])).unwrap();
    assert_eq!(r.file_size, FILE + 4 * MIB);
    // A write past both the file and the LastFileOffset.
    let far = entry(5, 0, vec![data(FILE + 16 * MIB, 1)]);
    let why = damaged(run(&log(&[(0, &far)])));
    assert!(why.contains("past the end of the file"), "{why}");
    let zeros = entry(
        5,
        0,
        vec![LogWrite::Zero {
            offset: 2 * MIB,
            len: u64::MAX - 4095,
        }],
    );
    assert!(damaged(run(&log(&[(0, &zeros)]))).contains("past the end of the file"));
}

#[test]
fn writes_into_the_headers_or_the_log_are_errors() {
    let headers = entry(5, 0, vec![data(64 * 1024, 1)]);
    let why = damaged(run(&log(&[(0, &headers)])));
    assert!(why.contains("into the file identifier or headers"), "{why}");
    // The region table may be written through the log.
    let regions = entry(5, 0, vec![data(192 * 1024, 1)]);
    assert!(run(&log(&[(0, &regions)])).is_ok());
    let itself = entry(5, 0, vec![data(LOG_AT + 8 * SECTOR, 1)]);
    assert!(damaged(run(&log(&[(0, &itself)]))).contains("into the log itself"));
}

#[test]
fn a_sequence_filling_the_whole_log_ends_the_scan() {
    // 256 one-sector entries, numbered on, each tail the first.
    let entries: Vec<LogEntry> = (0..256).map(|i| entry(100 + i, 0, vec![])).collect();
    let placed: Vec<(u64, &LogEntry)> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u64, e))
        .collect();
    let r = run(&log(&placed)).unwrap();
    assert_eq!(r.sequences, (100, 355));
}

#[test]
fn a_log_that_is_not_whole_sectors_is_an_error() {
    assert!(damaged(replay(&[0u8; 100], &GUID, LOG_AT, FILE)).contains("a log of 100 bytes"));
    assert!(damaged(replay(&[], &GUID, LOG_AT, FILE)).contains("a log of 0 bytes"));
}
