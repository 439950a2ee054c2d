//! VHDX, per [MS-VHDX] 1.0: a file type identifier ("vhdxfile"), two
//! headers ("head", CRC-32C, the one with the higher sequence number
//! wins), two region tables ("regi") naming the block allocation table
//! (BAT) and the metadata region ("metadata": block size, virtual size,
//! logical sector size, has-parent flag, parent locator). BAT entries
//! are 64-bit (state in bits 0–2, file offset in MiB from bit 20); after
//! every `chunk ratio` payload entries comes one sector bitmap entry. A
//! differencing disk reads not-present blocks, and the clear sectors of
//! partially present ones, from its parent. A log not yet applied (a
//! non-zero LogGuid) is replayed in memory first ([`crate::vhdx_log`]).

use std::path::Path;

use crate::backing::{le_u16, le_u32, le_u64, Backing, Context, Disk, Pieces};
use crate::crc32c::crc32c;
use crate::differencing::{open_parent, read_parent, sector_run};
use crate::error::{damaged, unsupported, ImageError};

const FORMAT: &str = "VHDX";
const KIB64: u64 = 64 * 1024;
const MIB: u64 = 1 << 20;

/// GUIDs as they are stored (the first three fields little-endian).
const fn guid(d1: u32, d2: u16, d3: u16, d4: [u8; 8]) -> [u8; 16] {
    let a = d1.to_le_bytes();
    let b = d2.to_le_bytes();
    let c = d3.to_le_bytes();
    [
        a[0], a[1], a[2], a[3], b[0], b[1], c[0], c[1], d4[0], d4[1], d4[2], d4[3], d4[4], d4[5],
        d4[6], d4[7],
    ]
}

const BAT_REGION: [u8; 16] = guid(
    0x2DC2_7766,
    0xF623,
    0x4200,
    [0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08],
);
const METADATA_REGION: [u8; 16] = guid(
    0x8B7C_A206,
    0x4790,
    0x4B9A,
    [0xB8, 0xFE, 0x57, 0x5F, 0x05, 0x0F, 0x88, 0x6E],
);
const FILE_PARAMETERS: [u8; 16] = guid(
    0xCAA1_6737,
    0xFA36,
    0x4D43,
    [0xB3, 0xB6, 0x33, 0xF0, 0xAA, 0x44, 0xE7, 0x6B],
);
const VIRTUAL_DISK_SIZE: [u8; 16] = guid(
    0x2FA5_4224,
    0xCD1B,
    0x4876,
    [0xB2, 0x11, 0x5D, 0xBE, 0xD8, 0x3B, 0xF4, 0xB8],
);
const LOGICAL_SECTOR_SIZE: [u8; 16] = guid(
    0x8141_BF1D,
    0xA96F,
    0x4709,
    [0xBA, 0x47, 0xF2, 0x33, 0xA8, 0xFA, 0xAB, 0x5F],
);
const PARENT_LOCATOR: [u8; 16] = guid(
    0xA8D3_5F2D,
    0xB30B,
    0x454D,
    [0xAB, 0xF7, 0xD3, 0xD8, 0x48, 0x34, 0xAB, 0x0C],
);

/// Payload block states.
const NOT_PRESENT: u64 = 0;
const UNDEFINED: u64 = 1;
const ZERO: u64 = 2;
const UNMAPPED: u64 = 3;
const FULLY_PRESENT: u64 = 6;
const PARTIALLY_PRESENT: u64 = 7;

/// BAT entries at most (64 TiB of 1 MiB blocks, with bitmaps).
const MAX_BAT: u64 = 1 << 27;

pub struct Vhdx {
    file: Backing,
    size: u64,
    block_size: u64,
    sector_size: u64,
    chunk_ratio: u64,
    bat: Vec<u64>,
    parent: Option<Box<dyn Disk>>,
    /// The last sector bitmap block read (its BAT index and bytes).
    bitmap: Option<(usize, Vec<u8>)>,
}

impl Vhdx {
    pub fn open(
        mut file: Backing,
        open: impl Fn(&Path) -> Result<Box<dyn Disk>, ImageError>,
    ) -> Result<Vhdx, ImageError> {
        let image = file.ctx().image.clone();
        let bad = |m: String| damaged(&image, FORMAT, m);
        let header = active_header(&mut file)?;
        // 2.3.3: the log is replayed before anything but the headers and
        // the log is read; in memory, as the file is never written.
        crate::vhdx_log::replay_into(&mut file, &header)?;
        let version = le_u16(&header, 66);
        if version != 1 {
            return Err(unsupported(
                &image,
                FORMAT,
                format!("version {version} (acsready reads version 1)"),
            ));
        }
        let regions = region_table(&mut file)?;
        let find = |id: &[u8; 16]| {
            regions
                .iter()
                .find(|(g, _, _)| g == id)
                .map(|&(_, at, len)| (at, len))
        };
        let (bat_at, bat_len) = find(&BAT_REGION).ok_or_else(|| bad("no BAT region".into()))?;
        let (meta_at, meta_len) =
            find(&METADATA_REGION).ok_or_else(|| bad("no metadata region".into()))?;
        if meta_len > 16 * MIB {
            return Err(bad(format!("a metadata region of {meta_len} bytes")));
        }
        let meta = file.read_vec(meta_at, meta_len, FORMAT)?;
        let items = metadata_items(&meta).map_err(bad)?;
        let item = |id: &[u8; 16]| {
            items
                .iter()
                .find(|(g, _)| g == id)
                .map(|(_, r)| &meta[r.clone()])
        };
        let params = item(&FILE_PARAMETERS).ok_or_else(|| bad("no file parameters".into()))?;
        let block_size = le_u32(params, 0) as u64;
        let has_parent = le_u32(params, 4) & 2 != 0;
        let size = item(&VIRTUAL_DISK_SIZE)
            .map(|v| le_u64(v, 0))
            .ok_or_else(|| bad("no virtual disk size".into()))?;
        let sector_size = item(&LOGICAL_SECTOR_SIZE)
            .map(|v| le_u32(v, 0) as u64)
            .ok_or_else(|| bad("no logical sector size".into()))?;
        if !(MIB..=256 * MIB).contains(&block_size) || !block_size.is_power_of_two() {
            return Err(bad(format!("a block size of {block_size} bytes")));
        }
        if sector_size != 512 && sector_size != 4096 {
            return Err(bad(format!("a logical sector size of {sector_size} bytes")));
        }
        let chunk_ratio = (1u64 << 23) * sector_size / block_size;
        let blocks = size.div_ceil(block_size);
        let entries = if has_parent {
            blocks.div_ceil(chunk_ratio) * (chunk_ratio + 1)
        } else {
            blocks + blocks.saturating_sub(1) / chunk_ratio
        };
        if entries > MAX_BAT || entries * 8 > bat_len {
            return Err(bad(format!("a BAT of {bat_len} bytes for {blocks} blocks")));
        }
        let raw = file.read_vec(bat_at, entries * 8, FORMAT)?;
        let bat = raw.chunks_exact(8).map(|c| le_u64(c, 0)).collect();
        let parent = if has_parent {
            let locator = item(&PARENT_LOCATOR)
                .ok_or_else(|| bad("a differencing disk without a parent locator".into()))?;
            let names = parent_names(locator).map_err(bad)?;
            let (ctx, path) = (file.ctx(), file.path());
            Some(open_parent(ctx, path, FORMAT, &names, size, open)?)
        } else {
            None
        };
        Ok(Vhdx {
            file,
            size,
            block_size,
            sector_size,
            chunk_ratio,
            bat,
            parent,
            bitmap: None,
        })
    }

    fn payload_entry(&self, block: u64) -> u64 {
        let i = block + block / self.chunk_ratio;
        self.bat.get(i as usize).copied().unwrap_or(0)
    }

    /// Whether `sector` of a partially present block is the child's.
    fn sector_present(&mut self, block: u64, sector_in_block: u64) -> Result<bool, ImageError> {
        let chunk = block / self.chunk_ratio;
        let index = (chunk * (self.chunk_ratio + 1) + self.chunk_ratio) as usize;
        let entry = self.bat.get(index).copied().unwrap_or(0);
        if entry & 7 != FULLY_PRESENT {
            return Ok(false);
        }
        if self.bitmap.as_ref().is_none_or(|(i, _)| *i != index) {
            let at = (entry >> 20) * MIB;
            self.bitmap = Some((index, self.file.read_vec(at, MIB, FORMAT)?));
        }
        let sectors_per_block = self.block_size / self.sector_size;
        let bit = (block % self.chunk_ratio) * sectors_per_block + sector_in_block;
        Ok(self
            .bitmap
            .as_ref()
            .and_then(|(_, b)| b.get((bit / 8) as usize))
            .is_some_and(|byte| byte & (1 << (bit % 8)) != 0))
    }
}

impl Pieces for Vhdx {
    const FORMAT: &'static str = FORMAT;

    fn context(&self) -> &Context {
        self.file.ctx()
    }

    fn virtual_size(&self) -> u64 {
        self.size
    }

    /// Reads the start of `out` at `pos`: up to the end of its block, or
    /// of the run of sectors from one side in a partially present block;
    /// says how many bytes.
    fn read_piece(&mut self, pos: u64, out: &mut [u8]) -> Result<usize, ImageError> {
        let block = pos / self.block_size;
        let within = pos % self.block_size;
        let mut n = ((self.block_size - within) as usize).min(out.len());
        let entry = self.payload_entry(block);
        let state = entry & 7;
        let own = match state {
            FULLY_PRESENT => true,
            PARTIALLY_PRESENT if self.parent.is_some() => {
                let (own, run) = sector_run(within, n, self.sector_size, |s| {
                    self.sector_present(block, s)
                })?;
                n = run;
                own
            }
            NOT_PRESENT | UNDEFINED | ZERO | UNMAPPED => false,
            other => {
                return Err(damaged(
                    &self.file.ctx().image,
                    FORMAT,
                    format!("block {block} has the unknown state {other}"),
                ));
            }
        };
        let out = &mut out[..n];
        if own {
            self.file
                .read_at((entry >> 20) * MIB + within, out, FORMAT)?;
        } else if state == ZERO {
            out.fill(0);
        } else {
            read_parent(&mut self.parent, pos, out)?;
        }
        Ok(n)
    }
}

/// The current header: of the two at 64 KiB and 128 KiB, the valid one
/// with the higher sequence number.
fn active_header(file: &mut Backing) -> Result<Vec<u8>, ImageError> {
    let mut best: Option<(u64, Vec<u8>)> = None;
    for at in [KIB64, 2 * KIB64] {
        let mut h = file.read_vec(at, 4096, FORMAT)?;
        if &h[0..4] != b"head" {
            continue;
        }
        let sum = le_u32(&h, 4);
        h[4..8].fill(0);
        if crc32c(&h) != sum {
            continue;
        }
        let seq = le_u64(&h, 8);
        if best.as_ref().is_none_or(|(s, _)| seq > *s) {
            best = Some((seq, h));
        }
    }
    best.map(|(_, h)| h).ok_or_else(|| {
        damaged(
            &file.ctx().image,
            FORMAT,
            "neither header is valid (signature or CRC-32C)",
        )
    })
}

/// The region table entries (GUID, offset, length) of the first valid table.
fn region_table(file: &mut Backing) -> Result<Vec<([u8; 16], u64, u64)>, ImageError> {
    for at in [3 * KIB64, 4 * KIB64] {
        let mut t = file.read_vec(at, KIB64, FORMAT)?;
        if &t[0..4] != b"regi" {
            continue;
        }
        let sum = le_u32(&t, 4);
        t[4..8].fill(0);
        if crc32c(&t) != sum {
            continue;
        }
        let count = le_u32(&t, 8) as usize;
        if count > 2047 {
            continue;
        }
        return Ok((0..count)
            .map(|i| {
                let e = &t[16 + i * 32..16 + (i + 1) * 32];
                let mut g = [0u8; 16];
                g.copy_from_slice(&e[0..16]);
                (g, le_u64(e, 16), le_u32(e, 24) as u64)
            })
            .collect());
    }
    Err(damaged(
        &file.ctx().image,
        FORMAT,
        "neither region table is valid (signature or CRC-32C)",
    ))
}

/// A metadata item: its GUID and where its bytes are in the region.
type Item = ([u8; 16], std::ops::Range<usize>);

/// The metadata items.
fn metadata_items(meta: &[u8]) -> Result<Vec<Item>, String> {
    if meta.get(0..8) != Some(b"metadata") {
        return Err("the metadata region has no metadata signature".into());
    }
    let count = le_u16(meta, 10) as usize;
    if count > 2047 {
        return Err(format!("{count} metadata entries"));
    }
    let mut items = Vec::new();
    for i in 0..count {
        let e = meta
            .get(32 + i * 32..32 + (i + 1) * 32)
            .ok_or("metadata entries past the region")?;
        let mut g = [0u8; 16];
        g.copy_from_slice(&e[0..16]);
        let (at, len) = (le_u32(e, 16) as usize, le_u32(e, 20) as usize);
        let end = at
            .checked_add(len)
            .filter(|&end| end <= meta.len())
            .ok_or("a metadata item past the region")?;
        items.push((g, at..end));
    }
    Ok(items)
}

/// The parent's paths from the parent locator: relative, then the
/// volume and absolute paths.
fn parent_names(locator: &[u8]) -> Result<Vec<String>, String> {
    let count = le_u16(locator, 18) as usize;
    let mut pairs = Vec::new();
    for i in 0..count {
        let e = locator
            .get(20 + i * 12..20 + (i + 1) * 12)
            .ok_or("parent locator entries past the item")?;
        let text = |at: usize, len: usize| -> Result<String, String> {
            let b = locator
                .get(at..at + len)
                .ok_or("a parent locator string past the item")?;
            let units: Vec<u16> = b
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            Ok(String::from_utf16_lossy(&units))
        };
        let key = text(le_u32(e, 0) as usize, le_u16(e, 8) as usize)?;
        let value = text(le_u32(e, 4) as usize, le_u16(e, 10) as usize)?;
        pairs.push((key, value));
    }
    let names: Vec<String> = ["relative_path", "volume_path", "absolute_win32_path"]
        .iter()
        .filter_map(|k| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        })
        .collect();
    if names.is_empty() {
        return Err("the parent locator names no parent path".into());
    }
    Ok(names)
}
