//! The volumes of a disk: MBR (with logical drives in extended
//! partitions) and GPT partition tables, or a disk that is one volume
//! (an image of a partition). Each volume is told by its boot sector:
//! NTFS, BitLocker, or something else.

use crate::backing::{le_u32, le_u64, Context, Disk};
use crate::error::{damaged, ImageError};

/// One volume of a disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// 1-based as Windows' disk management counts them; 0 for a disk
    /// without a partition table (the whole disk is the volume).
    pub index: usize,
    /// Byte offset on the disk.
    pub offset: u64,
    /// Length in bytes.
    pub length: u64,
    /// What its boot sector says it is.
    pub volume: VolumeKind,
}

/// What a volume is, from its boot sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeKind {
    Ntfs,
    BitLocker,
    Other,
}

/// The partition tables' limits: more is a damaged table.
const MAX_GPT_ENTRIES: u32 = 1024;
const MAX_LOGICAL: usize = 128;

/// The volumes of `disk`.
pub fn partitions(disk: &mut dyn Disk, ctx: &Context) -> Result<Vec<Partition>, ImageError> {
    let format = disk.format();
    if disk.size() < 512 {
        return Err(damaged(
            &ctx.image,
            format,
            format!(
                "the virtual disk has {} bytes: no partition table, no volume",
                disk.size()
            ),
        ));
    }
    let mut sector0 = [0u8; 512];
    disk.read_at(0, &mut sector0)?;
    // A volume image (no partition table): the boot sector is at 0.
    let kind = volume_kind(&sector0);
    if kind != VolumeKind::Other {
        return Ok(vec![Partition {
            index: 0,
            offset: 0,
            length: disk.size(),
            volume: kind,
        }]);
    }
    if sector0[510..512] != [0x55, 0xAA] {
        return Err(damaged(
            &ctx.image,
            format,
            "the first sector has no partition table (no MBR signature 55 AA) and is not a volume's boot sector: the disk is empty or not a PC disk",
        ));
    }
    let entries: Vec<(u8, u64, u64)> = (0..4)
        .map(|i| {
            let e = &sector0[446 + i * 16..446 + (i + 1) * 16];
            (e[4], le_u32(e, 8) as u64, le_u32(e, 12) as u64)
        })
        .collect();
    let mut parts = if entries.iter().any(|(t, _, _)| *t == 0xEE) {
        gpt(disk, ctx)?
    } else {
        mbr(disk, ctx, &entries)?
    };
    for p in &mut parts {
        p.volume = probe(disk, p.offset)?;
    }
    Ok(parts)
}

fn mbr(
    disk: &mut dyn Disk,
    ctx: &Context,
    entries: &[(u8, u64, u64)],
) -> Result<Vec<Partition>, ImageError> {
    let mut parts = Vec::new();
    let mut index = 0;
    for &(ty, start, sectors) in entries {
        if ty == 0 || sectors == 0 {
            continue;
        }
        if matches!(ty, 0x05 | 0x0F | 0x85) {
            logical(disk, ctx, start, &mut index, &mut parts)?;
            continue;
        }
        index += 1;
        parts.push(Partition {
            index,
            offset: start * 512,
            length: sectors * 512,
            volume: VolumeKind::Other,
        });
    }
    Ok(parts)
}

/// The logical drives of an extended partition starting at sector `base`:
/// a chain of extended boot records.
fn logical(
    disk: &mut dyn Disk,
    ctx: &Context,
    base: u64,
    index: &mut usize,
    parts: &mut Vec<Partition>,
) -> Result<(), ImageError> {
    let mut ebr = base;
    for _ in 0..MAX_LOGICAL {
        let mut sector = [0u8; 512];
        let at = ebr.checked_mul(512).filter(|&at| at + 512 <= disk.size());
        let Some(at) = at else {
            return Err(damaged(
                &ctx.image,
                disk.format(),
                format!("an extended boot record at sector {ebr} lies past the end of the disk"),
            ));
        };
        disk.read_at(at, &mut sector)?;
        if sector[510..512] != [0x55, 0xAA] {
            return Err(damaged(
                &ctx.image,
                disk.format(),
                format!("the extended boot record at sector {ebr} has no 55 AA signature"),
            ));
        }
        let (ty, start, sectors) = (
            sector[446 + 4],
            le_u32(&sector, 446 + 8) as u64,
            le_u32(&sector, 446 + 12) as u64,
        );
        if ty != 0 && sectors != 0 {
            *index += 1;
            parts.push(Partition {
                index: *index,
                offset: (ebr + start) * 512,
                length: sectors * 512,
                volume: VolumeKind::Other,
            });
        }
        let next = le_u32(&sector, 446 + 16 + 8) as u64;
        if next == 0 {
            return Ok(());
        }
        ebr = base + next;
    }
    Err(damaged(
        &ctx.image,
        disk.format(),
        format!("more than {MAX_LOGICAL} logical drives: the extended partition's chain loops"),
    ))
}

fn gpt(disk: &mut dyn Disk, ctx: &Context) -> Result<Vec<Partition>, ImageError> {
    let format = disk.format();
    let mut problems = Vec::new();
    for sector in [512u64, 4096] {
        let last = (disk.size() / sector).saturating_sub(1);
        for lba in [1, last] {
            match gpt_at(disk, sector, lba) {
                Ok(parts) => return Ok(parts),
                Err(e) => problems.push(format!(
                    "{} GPT header ({sector}-byte sectors): {e}",
                    if lba == 1 { "primary" } else { "backup" }
                )),
            }
        }
    }
    Err(damaged(
        &ctx.image,
        format,
        format!(
            "a protective MBR, but no usable GPT: {}",
            problems.join("; ")
        ),
    ))
}

fn gpt_at(disk: &mut dyn Disk, sector: u64, lba: u64) -> Result<Vec<Partition>, String> {
    let mut header = vec![0u8; sector as usize];
    let at = lba.checked_mul(sector).ok_or("past the end")?;
    if at + sector > disk.size() {
        return Err("past the end of the disk".into());
    }
    disk.read_at(at, &mut header).map_err(|e| e.detail())?;
    if &header[0..8] != b"EFI PART" {
        return Err("no EFI PART signature".into());
    }
    let size = le_u32(&header, 12) as usize;
    if !(92..=sector as usize).contains(&size) {
        return Err(format!("header size {size}"));
    }
    let mut copy = header[..size].to_vec();
    copy[16..20].fill(0);
    if crc32(&copy) != le_u32(&header, 16) {
        return Err("header CRC32 does not match".into());
    }
    let entries_lba = le_u64(&header, 72);
    let count = le_u32(&header, 80);
    let entry_size = le_u32(&header, 84);
    if count > MAX_GPT_ENTRIES
        || !(128..=4096).contains(&entry_size)
        || !entry_size.is_multiple_of(8)
    {
        return Err(format!("{count} entries of {entry_size} bytes"));
    }
    let len = count as u64 * entry_size as u64;
    let start = entries_lba
        .checked_mul(sector)
        .ok_or("entries past the end")?;
    if start.checked_add(len).is_none_or(|end| end > disk.size()) {
        return Err("the partition entries lie past the end of the disk".into());
    }
    let mut table = vec![0u8; len as usize];
    disk.read_at(start, &mut table).map_err(|e| e.detail())?;
    if crc32(&table) != le_u32(&header, 88) {
        return Err("partition entries' CRC32 does not match".into());
    }
    let mut parts = Vec::new();
    for (i, e) in table.chunks_exact(entry_size as usize).enumerate() {
        if e[0..16].iter().all(|&b| b == 0) {
            continue;
        }
        let (first, last) = (le_u64(e, 32), le_u64(e, 40));
        if last < first {
            return Err(format!("entry {} ends before it starts", i + 1));
        }
        let offset = first.checked_mul(sector).ok_or("entry past the end")?;
        let length = (last - first + 1)
            .checked_mul(sector)
            .ok_or("entry past the end")?;
        parts.push(Partition {
            index: i + 1,
            offset,
            length,
            volume: VolumeKind::Other,
        });
    }
    Ok(parts)
}

/// What the boot sector at `offset` says the volume is.
fn probe(disk: &mut dyn Disk, offset: u64) -> Result<VolumeKind, ImageError> {
    if offset.checked_add(512).is_none_or(|end| end > disk.size()) {
        return Ok(VolumeKind::Other);
    }
    let mut boot = [0u8; 512];
    disk.read_at(offset, &mut boot)?;
    Ok(volume_kind(&boot))
}

/// A volume's kind from its boot sector's OEM id.
pub fn volume_kind(boot: &[u8]) -> VolumeKind {
    match boot.get(3..11) {
        Some(b"NTFS    ") => VolumeKind::Ntfs,
        Some(b"-FVE-FS-") => VolumeKind::BitLocker,
        _ => VolumeKind::Other,
    }
}

/// CRC-32 (IEEE), as GPT uses it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}
