//! VHDX logs written here from [MS-VHDX] 2.3 (nothing makes one on
//! purpose: a log is left unapplied when Hyper-V stops without closing
//! the disk): log entries ([`LogEntry`]) and [`vhdx_with_log`], which
//! takes a VHDX made by qemu-img from one raw disk and leaves in it, as a
//! machine stopped mid-update would, the payload blocks of another raw
//! disk appended to the file and the BAT entries that point to them
//! written only to its log; LogGuid set in the current header.

use std::path::{Path, PathBuf};

use crate::disk::crc32c;
use crate::vhdx_child::{put, BAT, FILE_PARAMETERS, LOGICAL_SECTOR, METADATA};

const SECTOR: usize = 4096;
const MIB: usize = 1 << 20;

/// A write of a log entry: a data descriptor and its data sector, or a
/// zero descriptor.
#[derive(Debug, Clone)]
pub enum LogWrite {
    Data { offset: u64, bytes: Vec<u8> },
    Zero { offset: u64, len: u64 },
}

/// A log entry (2.3.1.1).
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub seq: u64,
    /// Offset in the log of the sequence's first entry.
    pub tail: u64,
    pub guid: [u8; 16],
    pub flushed_file_offset: u64,
    pub last_file_offset: u64,
    pub writes: Vec<LogWrite>,
}

impl LogEntry {
    /// The entry's bytes: descriptor sectors, then data sectors, CRC-32C
    /// set.
    pub fn bytes(&self) -> Vec<u8> {
        let count = self.writes.len();
        let desc_sectors = (count + 2).div_ceil(SECTOR / 32);
        let data: Vec<&Vec<u8>> = self
            .writes
            .iter()
            .filter_map(|w| match w {
                LogWrite::Data { bytes, .. } => Some(bytes),
                LogWrite::Zero { .. } => None,
            })
            .collect();
        let mut e = vec![0u8; (desc_sectors + data.len()) * SECTOR];
        let len = e.len() as u32;
        put(&mut e, 0, b"loge");
        put(&mut e, 8, &len.to_le_bytes());
        put(&mut e, 12, &(self.tail as u32).to_le_bytes());
        put(&mut e, 16, &self.seq.to_le_bytes());
        put(&mut e, 24, &(count as u32).to_le_bytes());
        put(&mut e, 32, &self.guid);
        put(&mut e, 48, &self.flushed_file_offset.to_le_bytes());
        put(&mut e, 56, &self.last_file_offset.to_le_bytes());
        for (i, w) in self.writes.iter().enumerate() {
            let d = 64 + i * 32;
            match w {
                LogWrite::Zero { offset, len } => {
                    put(&mut e, d, b"zero");
                    put(&mut e, d + 8, &len.to_le_bytes());
                    put(&mut e, d + 16, &offset.to_le_bytes());
                }
                LogWrite::Data { offset, bytes } => {
                    put(&mut e, d, b"desc");
                    put(&mut e, d + 4, &bytes[4092..4096]);
                    put(&mut e, d + 8, &bytes[0..8]);
                    put(&mut e, d + 16, &offset.to_le_bytes());
                }
            }
            put(&mut e, d + 24, &self.seq.to_le_bytes());
        }
        for (k, bytes) in data.iter().enumerate() {
            let s = (desc_sectors + k) * SECTOR;
            put(&mut e, s, b"data");
            put(&mut e, s + 4, &((self.seq >> 32) as u32).to_le_bytes());
            put(&mut e, s + 8, &bytes[8..4092]);
            put(&mut e, s + 4092, &(self.seq as u32).to_le_bytes());
        }
        let crc = crc32c(&e);
        put(&mut e, 4, &crc.to_le_bytes());
        e
    }
}

/// Puts `bytes` into the ring `log` from `at`, wrapping at its end.
pub fn put_ring(log: &mut [u8], at: usize, bytes: &[u8]) {
    for (i, &b) in bytes.iter().enumerate() {
        let n = log.len();
        log[(at + i) % n] = b;
    }
}

/// How [`vhdx_with_log`] lays out the log.
#[derive(Debug, Clone)]
pub struct LogPlan {
    /// The 4 KiB sector of the log where the first entry starts (the
    /// sequence wraps round the log's end when it starts near it).
    pub start_sector: usize,
    /// Entries the writes are spread over (one or more).
    pub entries: usize,
    /// Also an older, already applied sequence of the same LogGuid that
    /// writes junk into the BAT, and a newer entry of another LogGuid that
    /// does the same: replaying either instead of the newest sequence of
    /// this LogGuid gives a wrong disk.
    pub stale: bool,
    /// The sequence number of the entry after this one skips one (a
    /// broken sequence).
    pub gap_after: Option<usize>,
}

impl Default for LogPlan {
    fn default() -> LogPlan {
        LogPlan {
            start_sector: 3,
            entries: 2,
            stale: true,
            gap_after: None,
        }
    }
}

/// A VHDX made by [`vhdx_with_log`].
#[derive(Debug, Clone)]
pub struct Logged {
    pub path: PathBuf,
    /// File offsets of the active sequence's entries (their first sector).
    pub entries: Vec<u64>,
    /// Where the log is in the file, and its length.
    pub log: (u64, u64),
    /// Whether a zero descriptor clears junk left in an appended block.
    pub zeroes: bool,
}

/// The LogGuid written into the header and the entries.
pub const LOG_GUID: [u8; 16] = *b"acsready-log-001";

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// The current header's offset (of the two, the valid one with the
/// higher sequence number).
fn current_header(f: &[u8]) -> usize {
    [64 * 1024, 128 * 1024]
        .into_iter()
        .filter(|&at| {
            let mut h = f[at..at + 4096].to_vec();
            let sum = le32(&h, 4);
            h[4..8].fill(0);
            &h[0..4] == b"head" && crc32c(&h) == sum
        })
        .max_by_key(|&at| le64(f, at + 8))
        .expect("a valid VHDX header")
}

/// (BAT offset, block size, logical sector size) of a VHDX made by
/// qemu-img.
fn layout(f: &[u8]) -> (usize, usize, usize) {
    let t = &f[192 * 1024..256 * 1024];
    let region = |id: &[u8; 16]| {
        (0..le32(t, 8) as usize)
            .map(|i| &t[16 + i * 32..48 + i * 32])
            .find(|e| &e[0..16] == id)
            .map(|e| le64(e, 16) as usize)
            .expect("region")
    };
    let (bat, meta) = (region(&BAT), region(&METADATA));
    let item = |id: &[u8; 16]| {
        let count = u16::from_le_bytes([f[meta + 10], f[meta + 11]]) as usize;
        (0..count)
            .map(|i| &f[meta + 32 + i * 32..meta + 64 + i * 32])
            .find(|e| &e[0..16] == id)
            .map(|e| le32(&f[meta + le32(e, 16) as usize..], 0) as usize)
            .expect("metadata item")
    };
    (bat, item(&FILE_PARAMETERS), item(&LOGICAL_SECTOR))
}

/// Writes at `out` the VHDX `vhdx` (made by qemu-img from the raw disk
/// `base`) as a machine stopped mid-update leaves it: every block where
/// the raw disk `changed` differs appended to the file, and the BAT
/// sectors pointing to them only in the log, laid out as `plan` says.
/// One 4 KiB run of an appended block that is zero in `changed` is left
/// filled with 0xAA and cleared by a zero descriptor. Read with its log
/// replayed, the disk is `changed`; without, `base`.
pub fn vhdx_with_log(
    vhdx: &Path,
    base: &Path,
    changed: &Path,
    plan: &LogPlan,
    out: &Path,
) -> Logged {
    let mut f = std::fs::read(vhdx).expect("read the VHDX");
    let (a, b) = (
        std::fs::read(base).expect("base"),
        std::fs::read(changed).expect("changed"),
    );
    assert_eq!(a.len(), b.len(), "base and changed disks differ in size");
    let header = current_header(&f);
    let (log_len, log_at) = (
        le32(&f, header + 68) as usize,
        le64(&f, header + 72) as usize,
    );
    let (bat_at, block, sector) = layout(&f);
    let chunk_ratio = (1usize << 23) * sector / block;
    f.resize(f.len().div_ceil(MIB) * MIB, 0);

    // The changed blocks, appended; their BAT entries changed in a copy
    // of the BAT.
    let blocks = a.len().div_ceil(block);
    let bat_len = ((blocks + blocks.div_ceil(chunk_ratio)) * 8).div_ceil(SECTOR) * SECTOR;
    let mut bat = f[bat_at..bat_at + bat_len].to_vec();
    let mut touched: Vec<usize> = Vec::new();
    let mut writes = Vec::new();
    for i in 0..blocks {
        let range = i * block..((i + 1) * block).min(a.len());
        if a[range.clone()] == b[range.clone()] {
            continue;
        }
        let at = f.len();
        f.extend_from_slice(&b[range.clone()]);
        f.resize(at + block, 0);
        if writes.is_empty() {
            // Junk where `changed` is zero, for a zero descriptor to clear.
            if let Some(k) = (0..block / SECTOR).find(|k| {
                b[range.clone()].get(k * SECTOR..(k + 1) * SECTOR) == Some(&[0u8; SECTOR])
            }) {
                f[at + k * SECTOR..at + (k + 1) * SECTOR].fill(0xAA);
                writes.push(LogWrite::Zero {
                    offset: (at + k * SECTOR) as u64,
                    len: SECTOR as u64,
                });
            }
        }
        let index = i + i / chunk_ratio;
        put(
            &mut bat,
            index * 8,
            &(((at / MIB) as u64) << 20 | 6).to_le_bytes(),
        );
        if !touched.contains(&(index * 8 / SECTOR)) {
            touched.push(index * 8 / SECTOR);
        }
    }
    assert!(
        !touched.is_empty(),
        "the changed disk is the same as the base"
    );
    let zeroes = !writes.is_empty();
    for s in &touched {
        writes.push(LogWrite::Data {
            offset: (bat_at + s * SECTOR) as u64,
            bytes: bat[s * SECTOR..(s + 1) * SECTOR].to_vec(),
        });
    }
    let size = f.len() as u64;

    let mut log = vec![0u8; log_len];
    let entry = |seq: u64, tail: usize, guid: [u8; 16], writes: Vec<LogWrite>| LogEntry {
        seq,
        tail: tail as u64,
        guid,
        flushed_file_offset: size,
        last_file_offset: size,
        writes,
    };
    let start = plan.start_sector * SECTOR;
    let per = writes.len().div_ceil(plan.entries.max(1));
    let mut chunks: Vec<Vec<LogWrite>> = writes.chunks(per.max(1)).map(|c| c.to_vec()).collect();
    chunks.resize(plan.entries.max(1), Vec::new());
    let mut at = start;
    let mut seq = 10;
    let mut entries = Vec::new();
    for (i, c) in chunks.into_iter().enumerate() {
        let bytes = entry(seq, start, LOG_GUID, c).bytes();
        put_ring(&mut log, at, &bytes);
        entries.push((log_at + at % log_len) as u64);
        at = (at + bytes.len()) % log_len;
        seq += if plan.gap_after == Some(i) { 2 } else { 1 };
    }
    if plan.stale {
        // An older sequence (3, 4) after the newest one in the ring, and
        // an entry of another LogGuid numbered past it.
        let junk = LogWrite::Data {
            offset: bat_at as u64,
            bytes: vec![0x55; SECTOR],
        };
        let old_at = (at + 2 * SECTOR) % log_len;
        let first = entry(3, old_at, LOG_GUID, vec![junk.clone()]).bytes();
        put_ring(&mut log, old_at, &first);
        let second = entry(4, old_at, LOG_GUID, vec![]).bytes();
        put_ring(&mut log, old_at + first.len(), &second);
        let other = entry(1000, 0, *b"another-log-guid", vec![junk]).bytes();
        put_ring(&mut log, old_at + first.len() + second.len(), &other);
    }
    put(&mut f, log_at, &log);

    set_log_guid(&mut f, header, &LOG_GUID);
    std::fs::write(out, &f).expect("write the VHDX");
    Logged {
        path: out.to_path_buf(),
        entries,
        log: (log_at as u64, log_len as u64),
        zeroes,
    }
}

impl Logged {
    /// Writes at `out` a copy of the VHDX with one bit of byte `at` of the
    /// active sequence's entry `entry` flipped: the entry fails its
    /// checksum.
    pub fn damaged(&self, entry: usize, at: usize, out: &Path) -> PathBuf {
        let mut f = std::fs::read(&self.path).expect("read the VHDX");
        f[self.entries[entry] as usize + at] ^= 1;
        std::fs::write(out, &f).expect("write the VHDX");
        out.to_path_buf()
    }
}

/// Writes at `out` a copy of the VHDX `image` whose current header names
/// no log (LogGuid zero, checksum again): the file as a reader that does
/// not replay the log would read it.
pub fn clear_log_guid(image: &Path, out: &Path) -> PathBuf {
    let mut f = std::fs::read(image).expect("read the VHDX");
    let header = current_header(&f);
    set_log_guid(&mut f, header, &[0; 16]);
    std::fs::write(out, &f).expect("write the VHDX");
    out.to_path_buf()
}

/// Sets the LogGuid of the header at `header`, and its checksum again.
fn set_log_guid(f: &mut [u8], header: usize, guid: &[u8; 16]) {
    put(f, header + 48, guid);
    put(f, header + 4, &[0; 4]);
    let crc = crc32c(&f[header..header + 4096]);
    put(f, header + 4, &crc.to_le_bytes());
}
