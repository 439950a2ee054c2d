//! A differencing VHD written here from the VHD specification (qemu-img
//! does not make them): the child of a parent VHD whose disk reads as
//! another raw disk. Blocks the same in both are unallocated (read from
//! the parent); in a changed block only the changed sectors are marked in
//! its bitmap, the other sectors of its data are filled with 0xAA, so that
//! a reader taking them from the child instead of the parent reads junk.

use std::path::{Path, PathBuf};

const BLOCK: usize = 2 << 20;
const SECTOR: usize = 512;
const BITMAP: usize = 512;

fn checksum(bytes: &[u8], at: usize) -> u32 {
    let sum = bytes
        .iter()
        .enumerate()
        .filter(|(i, _)| !(at..at + 4).contains(i))
        .fold(0u32, |s, (_, &b)| s.wrapping_add(b as u32));
    !sum
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
}

/// Writes at `out` a differencing VHD whose parent is the VHD named
/// `parent_name` beside it (made from `base`), reading as `changed`.
pub fn vhd_child(parent_name: &str, base: &Path, changed: &Path, out: &Path) -> PathBuf {
    let (a, b) = (
        std::fs::read(base).expect("base"),
        std::fs::read(changed).expect("changed"),
    );
    assert_eq!(a.len(), b.len());
    let size = a.len();
    let blocks = size.div_ceil(BLOCK);
    let bat_at = 1536;
    let bat_len = (blocks * 4).div_ceil(SECTOR) * SECTOR;
    let locator_at = bat_at + bat_len;
    let locator: Vec<u8> = format!(".\\{parent_name}")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let data_at = locator_at + locator.len().div_ceil(SECTOR) * SECTOR;

    let mut footer = vec![0u8; 512];
    put(&mut footer, 0, b"conectix");
    put(&mut footer, 8, &2u32.to_be_bytes());
    put(&mut footer, 12, &0x0001_0000u32.to_be_bytes());
    put(&mut footer, 16, &512u64.to_be_bytes());
    put(&mut footer, 28, b"acsr");
    put(&mut footer, 36, b"Wi2k");
    put(&mut footer, 40, &(size as u64).to_be_bytes());
    put(&mut footer, 48, &(size as u64).to_be_bytes());
    put(&mut footer, 60, &4u32.to_be_bytes());
    put(&mut footer, 68, &[5u8; 16]);
    let sum = checksum(&footer, 64);
    put(&mut footer, 64, &sum.to_be_bytes());

    let mut header = vec![0u8; 1024];
    put(&mut header, 0, b"cxsparse");
    put(&mut header, 8, &u64::MAX.to_be_bytes());
    put(&mut header, 16, &(bat_at as u64).to_be_bytes());
    put(&mut header, 24, &0x0001_0000u32.to_be_bytes());
    put(&mut header, 28, &(blocks as u32).to_be_bytes());
    put(&mut header, 32, &(BLOCK as u32).to_be_bytes());
    let name: Vec<u8> = parent_name
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    put(&mut header, 64, &name);
    let e = 576;
    put(&mut header, e, b"W2ru");
    put(&mut header, e + 4, &(SECTOR as u32).to_be_bytes());
    put(&mut header, e + 8, &(locator.len() as u32).to_be_bytes());
    put(&mut header, e + 16, &(locator_at as u64).to_be_bytes());
    let sum = checksum(&header, 36);
    put(&mut header, 36, &sum.to_be_bytes());

    let mut file = vec![0u8; data_at];
    put(&mut file, 0, &footer);
    put(&mut file, 512, &header);
    put(&mut file, locator_at, &locator);
    let mut bat = vec![u32::MAX; blocks];
    for (block, entry) in bat.iter_mut().enumerate() {
        let range = block * BLOCK..((block + 1) * BLOCK).min(size);
        if a[range.clone()] == b[range.clone()] {
            continue;
        }
        *entry = (file.len() / SECTOR) as u32;
        let mut bitmap = vec![0u8; BITMAP];
        let mut data = vec![0xAAu8; BLOCK];
        for (s, (x, y)) in a[range.clone()]
            .chunks(SECTOR)
            .zip(b[range.clone()].chunks(SECTOR))
            .enumerate()
        {
            if x != y {
                data[s * SECTOR..s * SECTOR + y.len()].copy_from_slice(y);
                bitmap[s / 8] |= 0x80 >> (s % 8);
            }
        }
        file.extend_from_slice(&bitmap);
        file.extend_from_slice(&data);
    }
    assert!(
        bat.iter().any(|&e| e != u32::MAX),
        "the changed disk is the same as the base"
    );
    for (i, e) in bat.iter().enumerate() {
        put(&mut file, bat_at + i * 4, &e.to_be_bytes());
    }
    file.extend_from_slice(&footer);
    std::fs::write(out, &file).expect("write the child");
    out.to_path_buf()
}
