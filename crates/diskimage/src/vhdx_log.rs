//! The VHDX log, per [MS-VHDX] section 2.3, replayed in memory.
//!
//! A VHDX whose current header has a non-zero LogGuid holds metadata
//! updates (BAT, metadata region, region table) that were written to the
//! log but maybe not yet to their final place: the machine was not shut
//! down cleanly, or the copy was taken while the disk was in use. Per
//! 2.3.3 the log MUST be replayed before anything else is read, and a
//! reader that may not write replays it in memory (product note <5>).
//! Nothing here writes: [`replay`] turns the log's bytes into the writes
//! of its active sequence, which [`crate::overlay::Overlay`] lays over
//! every later read of the file.
//!
//! The layout (2.3.1): the log is a ring of 4 KiB sectors. An entry is
//! one or more descriptor sectors (the first begins with the 64-byte
//! entry header "loge", 2.3.1.1; then 32-byte descriptors: "zero" ranges,
//! 2.3.1.2, and "desc" sector writes, 2.3.1.3) followed by one data
//! sector ("data", 2.3.1.4) per data descriptor; its CRC-32C covers the
//! whole entry. Entries may wrap from the ring's end to its start.
//!
//! docs/sources/vhdx-log.md says which sections are followed, and where
//! acsready is stricter.

use std::collections::HashMap;

use crate::backing::{le_u16, le_u32, le_u64, Backing};
use crate::crc32c::crc32c;
use crate::error::{damaged, unsupported, ImageError};
use crate::overlay::Overlay;
pub use crate::overlay::{Write, SECTOR};

const MIB: u64 = 1 << 20;
/// The header section (file type identifier, headers, region tables,
/// 2.2); the log may update the region tables at 192 KiB and 256 KiB,
/// but not what comes before them: the identifier is never overwritten
/// (2.2.1) and headers are not updated through the log (2.2.2).
const NOT_THROUGH_LOG: u64 = 192 * 1024;

/// What replaying the log does to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// Every descriptor of every entry of the active sequence, from its
    /// tail entry to its head entry (2.3.3).
    pub writes: Vec<Write>,
    /// The file's size after replay: at least the head entry's
    /// LastFileOffset and the end of every write (2.3.3).
    pub file_size: u64,
    /// The sequence numbers of the tail and head entries.
    pub sequences: (u64, u64),
}

/// Why a log cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogError {
    /// The log or its active sequence is damaged (the message says how).
    Damaged(String),
    /// The file is smaller than the head entry's FlushedFileOffset: it was
    /// truncated (2.3.3).
    Truncated { size: u64, needed: u64 },
}

/// An entry header that passed every check of 2.3.1, with its place.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Offset of the entry in the log.
    at: u64,
    len: u64,
    tail: u64,
    seq: u64,
    descriptors: u64,
    flushed_file_offset: u64,
    last_file_offset: u64,
}

/// The descriptor sectors of an entry of `count` descriptors: the first
/// holds the 64-byte header and 126 descriptors, the others 128 (2.3.1).
fn descriptor_sectors(count: u64) -> u64 {
    (count + 2).div_ceil(SECTOR / 32)
}

/// The `len` bytes of the ring `log` from `at`, wrapping at its end.
fn ring_bytes(log: &[u8], at: u64, len: u64) -> Vec<u8> {
    let n = log.len() as u64;
    let mut out = Vec::with_capacity(len as usize);
    let mut pos = at % n;
    while (out.len() as u64) < len {
        let take = (n - pos).min(len - out.len() as u64);
        out.extend_from_slice(&log[pos as usize..(pos + take) as usize]);
        pos = (pos + take) % n;
    }
    out
}

/// The entry at `at` (a multiple of 4 KiB below the log's length) if it
/// is valid: every field of its header (2.3.1.1), descriptors (2.3.1.2,
/// 2.3.1.3) and data sectors (2.3.1.4) as the specification says, its
/// LogGuid the header's, and its CRC-32C right.
fn entry_at(log: &[u8], at: u64, guid: &[u8; 16]) -> Option<Entry> {
    let n = log.len() as u64;
    let h = log.get(at as usize..at as usize + 64)?;
    let e = Entry {
        at,
        len: le_u32(h, 8) as u64,
        tail: le_u32(h, 12) as u64,
        seq: le_u64(h, 16),
        descriptors: le_u32(h, 24) as u64,
        flushed_file_offset: le_u64(h, 48),
        last_file_offset: le_u64(h, 56),
    };
    let header_ok = &h[0..4] == b"loge"
        && e.len >= SECTOR
        && e.len.is_multiple_of(SECTOR)
        && e.len <= n
        && e.tail.is_multiple_of(SECTOR)
        && e.tail < n
        && e.seq > 0
        && le_u32(h, 28) == 0
        && &h[32..48] == guid
        && e.flushed_file_offset.is_multiple_of(MIB)
        && e.last_file_offset.is_multiple_of(MIB)
        && descriptor_sectors(e.descriptors) * SECTOR <= e.len;
    if !header_ok {
        return None;
    }
    let mut bytes = ring_bytes(log, at, e.len);
    let sum = le_u32(&bytes, 4);
    bytes[4..8].fill(0);
    if crc32c(&bytes) != sum {
        return None;
    }
    let mut data = descriptor_sectors(e.descriptors) * SECTOR;
    for d in descriptors(&bytes, e.descriptors) {
        let offset = le_u64(d, 16);
        if le_u64(d, 24) != e.seq || !offset.is_multiple_of(SECTOR) {
            return None;
        }
        match &d[0..4] {
            b"zero" if le_u32(d, 4) == 0 && le_u64(d, 8).is_multiple_of(SECTOR) => {}
            b"desc" => {
                let s = bytes.get(data as usize..(data + SECTOR) as usize)?;
                let high = le_u32(s, 4) as u64;
                let low = le_u32(s, 4092) as u64;
                if &s[0..4] != b"data" || (high << 32 | low) != e.seq {
                    return None;
                }
                data += SECTOR;
            }
            _ => return None,
        }
    }
    Some(e)
}

/// The `count` 32-byte descriptors of an entry's bytes.
fn descriptors(entry: &[u8], count: u64) -> impl Iterator<Item = &[u8]> {
    (0..count as usize).map(move |i| &entry[64 + i * 32..96 + i * 32])
}

/// The writes of a valid entry, in order: data sectors put back together
/// from their descriptor's leading and trailing bytes (2.3.1.3, 2.3.1.4).
fn writes_of(log: &[u8], e: &Entry) -> Vec<Write> {
    let bytes = ring_bytes(log, e.at, e.len);
    let mut data = (descriptor_sectors(e.descriptors) * SECTOR) as usize;
    let mut out = Vec::new();
    for d in descriptors(&bytes, e.descriptors) {
        let offset = le_u64(d, 16);
        if &d[0..4] == b"zero" {
            out.push(Write::Zero {
                offset,
                len: le_u64(d, 8),
            });
        } else {
            let mut sector = bytes[data..data + SECTOR as usize].to_vec();
            sector[0..8].copy_from_slice(&d[8..16]);
            sector[4092..4096].copy_from_slice(&d[4..8]);
            out.push(Write::Data {
                offset,
                bytes: sector,
            });
            data += SECTOR as usize;
        }
    }
    out
}

/// The writes of the log `log` (its LogLength bytes, read from
/// `log_offset` of a file of `file_size` bytes whose current header
/// names `guid`): those of its active sequence, found as 2.3.3 says.
///
/// Beyond the specification, and only to refuse rather than guess: a
/// valid entry newer than the active sequence's head (the entries
/// between lost or damaged), a write into the header section or the log
/// itself, and a write past both the file's end and its entry's
/// LastFileOffset are damage.
pub fn replay(
    log: &[u8],
    guid: &[u8; 16],
    log_offset: u64,
    file_size: u64,
) -> Result<Replay, LogError> {
    let n = log.len() as u64;
    if n == 0 || !n.is_multiple_of(SECTOR) {
        return Err(LogError::Damaged(format!(
            "a log of {n} bytes (a multiple of 1 MiB is required)"
        )));
    }
    let mut cache: HashMap<u64, Option<Entry>> = HashMap::new();
    let mut entry = |at: u64| *cache.entry(at).or_insert_with(|| entry_at(log, at, guid));
    // 2.3.3, the steps to find the active sequence. `tail` is not wrapped,
    // so that the scan ends once it has gone round the log (step 7), also
    // when a sequence fills the whole log.
    let mut candidate: Vec<Entry> = Vec::new();
    let mut tail = 0u64;
    while tail < n {
        // Steps 2 and 3: the longest run of valid entries from `tail`,
        // each numbered one more than the one before, never longer than
        // the log.
        let mut current: Vec<Entry> = Vec::new();
        let mut head = tail;
        while let Some(e) = entry(head % n) {
            let follows = current
                .last()
                .is_none_or(|p| p.seq.checked_add(1) == Some(e.seq));
            if !follows || head - tail + e.len > n {
                break;
            }
            head += e.len;
            current.push(e);
        }
        // Step 4: valid when its head entry's Tail is one of its entries;
        // the sequence is the entries from that tail entry on (2.3.2).
        let from = current
            .last()
            .and_then(|h| current.iter().position(|e| e.at == h.tail));
        // Step 5: the newest valid sequence is the candidate.
        if let Some(from) = from {
            let seq = current[current.len() - 1].seq;
            if candidate.last().is_none_or(|c| seq > c.seq) {
                candidate = current[from..].to_vec();
            }
        }
        // Step 6: past an empty or invalid sequence by one sector, past a
        // valid one to its head.
        tail = if from.is_some() { head } else { tail + SECTOR };
    }
    let (Some(first), Some(last)) = (candidate.first().copied(), candidate.last().copied()) else {
        // 2.3.3: "If the candidate active sequence is empty, then there are
        // no valid log sequences, the file is corrupt".
        return Err(LogError::Damaged(
            "it holds no valid sequence of entries (each fails its signature, LogGuid, \
             sequence number or CRC-32C check, or no sequence holds its tail entry), which \
             [MS-VHDX] 2.3.3 calls a corrupt file"
                .into(),
        ));
    };
    if let Some(newer) = (0..n / SECTOR)
        .filter_map(|s| entry(s * SECTOR))
        .find(|e| e.seq > last.seq)
    {
        return Err(LogError::Damaged(format!(
            "entry {} at log offset {} is newer than the newest complete sequence \
             (entries {} to {}), but does not continue it: the entries between are \
             missing or fail their checks",
            newer.seq, newer.at, first.seq, last.seq
        )));
    }
    // 2.3.3: a file smaller than the head entry's FlushedFileOffset was
    // truncated.
    if file_size < last.flushed_file_offset {
        return Err(LogError::Truncated {
            size: file_size,
            needed: last.flushed_file_offset,
        });
    }
    let log_range = log_offset..log_offset.saturating_add(n);
    let mut writes = Vec::new();
    let mut size = file_size.max(last.last_file_offset);
    for e in &candidate {
        for w in writes_of(log, e) {
            let r = w.range();
            let what = match &w {
                Write::Data { .. } => "a sector",
                Write::Zero { .. } => "zeros",
            };
            let at = format!("entry {} writes {what} at {}..{}", e.seq, r.start, r.end);
            if r.start < NOT_THROUGH_LOG {
                return Err(LogError::Damaged(format!(
                    "{at}, into the file identifier or headers, which are never written \
                     through the log"
                )));
            }
            if r.start < log_range.end && log_range.start < r.end {
                return Err(LogError::Damaged(format!("{at}, into the log itself")));
            }
            if r.end > file_size.max(e.last_file_offset) || r.end == u64::MAX {
                return Err(LogError::Damaged(format!(
                    "{at}, past the end of the file ({file_size} bytes) and past the size \
                     the entry says every structure fits in (LastFileOffset {})",
                    e.last_file_offset
                )));
            }
            size = size.max(r.end);
            writes.push(w);
        }
    }
    Ok(Replay {
        writes,
        file_size: size,
        sequences: (first.seq, last.seq),
    })
}

/// Logs larger than this are refused (Hyper-V and qemu write 1 MiB
/// logs; the log and its writes are held in memory).
pub const MAX_LOG: u64 = 64 * MIB;

/// If the current `header` of the VHDX `file` names a log (a non-zero
/// LogGuid, 2.2.2), replays it in memory: from then on every read of
/// `file` sees the log's writes. Nothing is written to the file.
pub(crate) fn replay_into(file: &mut Backing, header: &[u8]) -> Result<(), ImageError> {
    const FORMAT: &str = "VHDX";
    let mut guid = [0u8; 16];
    guid.copy_from_slice(&header[48..64]);
    if guid == [0; 16] {
        return Ok(());
    }
    let image = file.ctx().image.clone();
    let log_version = le_u16(header, 64);
    let (length, offset) = (le_u32(header, 68) as u64, le_u64(header, 72));
    let named = format!(
        "its log (LogGuid {}, {length} bytes at offset {offset})",
        guid_text(&guid)
    );
    if log_version != 0 {
        // 2.2.2: a log of another version than 0 is not to be processed.
        return Err(unsupported(
            &image,
            FORMAT,
            format!("{named} is of version {log_version}, and acsready replays version 0 only"),
        ));
    }
    if length == 0 || !length.is_multiple_of(MIB) || offset < MIB || !offset.is_multiple_of(MIB) {
        return Err(damaged(
            &image,
            FORMAT,
            format!("{named} is not where a log can be (whole MiB after the header section)"),
        ));
    }
    if length > MAX_LOG {
        return Err(unsupported(
            &image,
            FORMAT,
            format!(
                "{named} is larger than the {} MiB acsready replays",
                MAX_LOG / MIB
            ),
        ));
    }
    let log = file.read_vec(offset, length, FORMAT)?;
    let size = file.len();
    match replay(&log, &guid, offset, size) {
        Ok(r) => {
            file.set_overlay(Overlay::new(r.writes, r.file_size));
            Ok(())
        }
        Err(LogError::Damaged(why)) => Err(damaged(
            &image,
            FORMAT,
            format!(
                "{named} holds changes not yet written into the disk, and cannot be \
                 replayed: {why}"
            ),
        )),
        Err(LogError::Truncated { size, needed }) => Err(ImageError::Truncated {
            image: image.clone(),
            format: FORMAT,
            file: file.path().display().to_string(),
            size,
            needed,
        }),
    }
}

/// A GUID as Windows shows it, from its stored bytes.
fn guid_text(g: &[u8; 16]) -> String {
    format!(
        "{{{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{}}}",
        le_u32(g, 0),
        le_u16(g, 4),
        le_u16(g, 6),
        g[8],
        g[9],
        g[10..]
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<String>()
    )
}

#[cfg(test)]
#[path = "vhdx_log_tests.rs"]
mod tests;
