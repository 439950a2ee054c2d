//! VHD (Virtual PC / Hyper-V legacy), per Microsoft's "Virtual Hard Disk
//! Image Format Specification" 1.0: a 512-byte footer ("conectix", big
//! endian, one's-complement checksum) at the end; a fixed disk is the
//! data before it, a dynamic or differencing disk has a copy of the
//! footer at 0, a dynamic header ("cxsparse") with the block allocation
//! table (BAT) of 32-bit sector offsets, and blocks of a sector bitmap
//! followed by the data. A differencing disk reads sectors whose bitmap
//! bit is clear (and unallocated blocks) from its parent, found through
//! its parent locators (W2ru relative, W2ku absolute Windows paths).

use crate::backing::{be_u32, be_u64, Backing, Context, Disk, Pieces};
use crate::differencing::{open_parent, read_parent, sector_run};
use crate::error::{damaged, ImageError};

const FORMAT: &str = "VHD";
/// Blocks of more than this are a damaged header (Hyper-V uses 2 MiB,
/// Virtual PC 512 KiB).
const MAX_BLOCK: u32 = 256 << 20;
/// BAT entries at most (a 2 TiB disk of 512 KiB blocks has 4 Mi).
const MAX_ENTRIES: u32 = 1 << 24;

pub struct Vhd {
    file: Backing,
    size: u64,
    block_size: u64,
    bitmap_len: u64,
    bat: Vec<u32>,
    parent: Option<Box<dyn Disk>>,
    /// The last sector bitmap read (its block and bytes).
    bitmap: Option<(u64, Vec<u8>)>,
}

/// Whether the footer's checksum is right.
fn checksum_ok(footer: &[u8], at: usize) -> bool {
    let sum: u32 = footer
        .iter()
        .enumerate()
        .filter(|(i, _)| !(at..at + 4).contains(i))
        .fold(0u32, |s, (_, &b)| s.wrapping_add(b as u32));
    !sum == be_u32(footer, at)
}

/// Opens a dynamic or differencing VHD (a footer copy at 0).
pub fn open_dynamic(
    mut file: Backing,
    open: impl Fn(&std::path::Path) -> Result<Box<dyn Disk>, ImageError>,
) -> Result<Box<dyn Disk>, ImageError> {
    let image = file.ctx().image.clone();
    let footer = file.read_vec(0, 512, FORMAT)?;
    if !checksum_ok(&footer, 64) {
        return Err(damaged(
            &image,
            FORMAT,
            "the footer's checksum does not match",
        ));
    }
    let size = be_u64(&footer, 48);
    let disk_type = be_u32(&footer, 60);
    match disk_type {
        2 => {
            // A fixed disk with a copy at 0 is not what the spec writes.
            return Err(damaged(
                &image,
                FORMAT,
                "a fixed-disk footer at the start of the file",
            ));
        }
        3 | 4 => {}
        other => {
            return Err(damaged(
                &image,
                FORMAT,
                format!("unknown disk type {other}"),
            ))
        }
    }
    let header_at = be_u64(&footer, 16);
    let header = file.read_vec(header_at, 1024, FORMAT)?;
    if &header[0..8] != b"cxsparse" {
        return Err(damaged(
            &image,
            FORMAT,
            format!("no dynamic header (cxsparse) at {header_at}"),
        ));
    }
    if !checksum_ok(&header, 36) {
        return Err(damaged(
            &image,
            FORMAT,
            "the dynamic header's checksum does not match",
        ));
    }
    let bat_at = be_u64(&header, 16);
    let entries = be_u32(&header, 28);
    let block_size = be_u32(&header, 32);
    if block_size == 0
        || !block_size.is_multiple_of(512)
        || block_size > MAX_BLOCK
        || entries > MAX_ENTRIES
    {
        return Err(damaged(
            &image,
            FORMAT,
            format!("{entries} blocks of {block_size} bytes"),
        ));
    }
    if (entries as u64) * (block_size as u64) < size {
        return Err(damaged(
            &image,
            FORMAT,
            format!("{entries} blocks of {block_size} bytes cannot hold the disk's {size} bytes"),
        ));
    }
    let raw = file.read_vec(bat_at, entries as u64 * 4, FORMAT)?;
    let bat = raw
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let sectors = block_size as u64 / 512;
    let bitmap_len = sectors.div_ceil(8).div_ceil(512) * 512;
    let parent = if disk_type == 4 {
        let names = parent_names(&mut file, &header)?;
        let (ctx, path) = (file.ctx(), file.path());
        Some(open_parent(ctx, path, FORMAT, &names, size, open)?)
    } else {
        None
    };
    Ok(Box::new(Vhd {
        file,
        size,
        block_size: block_size as u64,
        bitmap_len,
        bat,
        parent,
        bitmap: None,
    }))
}

/// The parent's names from the locators (relative first), then the
/// Unicode name of the header.
fn parent_names(file: &mut Backing, header: &[u8]) -> Result<Vec<String>, ImageError> {
    let mut relative = Vec::new();
    let mut absolute = Vec::new();
    for i in 0..8 {
        let e = &header[576 + i * 24..576 + (i + 1) * 24];
        let code = &e[0..4];
        let len = be_u32(e, 8) as u64;
        let at = be_u64(e, 16);
        if len == 0 || len > 64 * 1024 || !(code == b"W2ru" || code == b"W2ku") {
            continue;
        }
        let bytes = file.read_vec(at, len, FORMAT)?;
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let name = String::from_utf16_lossy(&units)
            .trim_end_matches('\0')
            .to_string();
        if code == b"W2ru" {
            relative.push(name);
        } else {
            absolute.push(name);
        }
    }
    let units: Vec<u16> = header[64..576]
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let unicode = String::from_utf16_lossy(&units)
        .trim_end_matches('\0')
        .to_string();
    relative.extend(absolute);
    relative.push(unicode);
    Ok(relative)
}

impl Pieces for Vhd {
    const FORMAT: &'static str = FORMAT;

    fn context(&self) -> &Context {
        self.file.ctx()
    }

    fn virtual_size(&self) -> u64 {
        self.size
    }

    /// Reads the start of `out` at `pos`: up to the end of its block, or
    /// in a block of a differencing disk, of the run of sectors from one
    /// side (set bits in the block's bitmap are the child's, clear ones
    /// the parent's); says how many bytes.
    fn read_piece(&mut self, pos: u64, out: &mut [u8]) -> Result<usize, ImageError> {
        let block = pos / self.block_size;
        let within = pos % self.block_size;
        let n = ((self.block_size - within) as usize).min(out.len());
        let entry = self.bat.get(block as usize).copied().unwrap_or(u32::MAX);
        if entry == u32::MAX {
            read_parent(&mut self.parent, pos, &mut out[..n])?;
            return Ok(n);
        }
        let start = entry as u64 * 512;
        let data = start + self.bitmap_len;
        if self.parent.is_none() {
            self.file.read_at(data + within, &mut out[..n], FORMAT)?;
            return Ok(n);
        }
        if self.bitmap.as_ref().is_none_or(|(b, _)| *b != block) {
            let bitmap = self.file.read_vec(start, self.bitmap_len, FORMAT)?;
            self.bitmap = Some((block, bitmap));
        }
        let bitmap = self.bitmap.as_ref().map_or(&[][..], |(_, b)| b.as_slice());
        let (own, n) = sector_run(within, n, 512, |sector| {
            Ok(bitmap
                .get((sector / 8) as usize)
                .is_some_and(|b| b & (0x80 >> (sector % 8)) != 0))
        })?;
        let out = &mut out[..n];
        if own {
            self.file.read_at(data + within, out, FORMAT)?;
        } else {
            read_parent(&mut self.parent, pos, out)?;
        }
        Ok(n)
    }
}
