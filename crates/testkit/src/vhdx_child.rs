//! A differencing VHDX written here from [MS-VHDX] (qemu-img does not
//! make them): the child of a parent VHDX whose disk reads as another raw
//! disk. Blocks the same in both are not present (read from the parent);
//! the first changed block is fully present, the others partially
//! present, with only their changed sectors marked in the sector bitmap
//! and the other sectors of the payload filled with 0xAA, so that a
//! reader taking them from the child instead of the parent reads junk.

use std::path::{Path, PathBuf};

use crate::disk::crc32c;

const MIB: usize = 1 << 20;
const BLOCK: usize = MIB;
const SECTOR: usize = 512;
/// 2^23 sectors a bitmap block, over blocks of 1 MiB.
const CHUNK_RATIO: usize = (1 << 23) * SECTOR / BLOCK;

const fn guid(d1: u32, d2: u16, d3: u16, d4: [u8; 8]) -> [u8; 16] {
    let a = d1.to_le_bytes();
    let b = d2.to_le_bytes();
    let c = d3.to_le_bytes();
    [
        a[0], a[1], a[2], a[3], b[0], b[1], c[0], c[1], d4[0], d4[1], d4[2], d4[3], d4[4], d4[5],
        d4[6], d4[7],
    ]
}

pub(crate) const BAT: [u8; 16] = guid(
    0x2DC2_7766,
    0xF623,
    0x4200,
    [0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08],
);
pub(crate) const METADATA: [u8; 16] = guid(
    0x8B7C_A206,
    0x4790,
    0x4B9A,
    [0xB8, 0xFE, 0x57, 0x5F, 0x05, 0x0F, 0x88, 0x6E],
);
pub(crate) const FILE_PARAMETERS: [u8; 16] = guid(
    0xCAA1_6737,
    0xFA36,
    0x4D43,
    [0xB3, 0xB6, 0x33, 0xF0, 0xAA, 0x44, 0xE7, 0x6B],
);
const DISK_SIZE: [u8; 16] = guid(
    0x2FA5_4224,
    0xCD1B,
    0x4876,
    [0xB2, 0x11, 0x5D, 0xBE, 0xD8, 0x3B, 0xF4, 0xB8],
);
const DISK_ID: [u8; 16] = guid(
    0xBECA_12AB,
    0xB2E6,
    0x4523,
    [0x93, 0xEF, 0xC3, 0x09, 0xE0, 0x00, 0xC7, 0x46],
);
pub(crate) const LOGICAL_SECTOR: [u8; 16] = guid(
    0x8141_BF1D,
    0xA96F,
    0x4709,
    [0xBA, 0x47, 0xF2, 0x33, 0xA8, 0xFA, 0xAB, 0x5F],
);
const PHYSICAL_SECTOR: [u8; 16] = guid(
    0xCDA3_48C7,
    0x445D,
    0x4471,
    [0x9C, 0xC9, 0xE9, 0x88, 0x52, 0x51, 0xC5, 0x56],
);
const PARENT_LOCATOR: [u8; 16] = guid(
    0xA8D3_5F2D,
    0xB30B,
    0x454D,
    [0xAB, 0xF7, 0xD3, 0xD8, 0x48, 0x34, 0xAB, 0x0C],
);
const VHDX_LOCATOR: [u8; 16] = guid(
    0xB04A_EFB7,
    0xD19E,
    0x4A81,
    [0xB7, 0x89, 0x25, 0xB8, 0xE9, 0x44, 0x59, 0x13],
);

pub(crate) fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The parent locator item: (key, value) pairs in UTF-16LE.
fn locator(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut item = vec![0u8; 20 + pairs.len() * 12];
    put(&mut item, 0, &VHDX_LOCATOR);
    put(&mut item, 18, &(pairs.len() as u16).to_le_bytes());
    for (i, (k, v)) in pairs.iter().enumerate() {
        let (k, v) = (utf16(k), utf16(v));
        let e = 20 + i * 12;
        let key_at = item.len();
        item.extend_from_slice(&k);
        let value_at = item.len();
        item.extend_from_slice(&v);
        put(&mut item, e, &(key_at as u32).to_le_bytes());
        put(&mut item, e + 4, &(value_at as u32).to_le_bytes());
        put(&mut item, e + 8, &(k.len() as u16).to_le_bytes());
        put(&mut item, e + 10, &(v.len() as u16).to_le_bytes());
    }
    item
}

/// Writes at `out` a differencing VHDX whose parent is the VHDX named
/// `parent_name` beside it (made from `base`), reading as `changed`.
pub fn vhdx_child(parent_name: &str, base: &Path, changed: &Path, out: &Path) -> PathBuf {
    let (a, b) = (
        std::fs::read(base).expect("base"),
        std::fs::read(changed).expect("changed"),
    );
    assert_eq!(a.len(), b.len());
    let size = a.len();
    let blocks = size.div_ceil(BLOCK);
    let chunks = blocks.div_ceil(CHUNK_RATIO);
    let entries = chunks * (CHUNK_RATIO + 1);
    let bat_len = (entries * 8).div_ceil(MIB) * MIB;
    let (log_at, meta_at, bat_at) = (MIB, 2 * MIB, 3 * MIB);
    let mut file = vec![0u8; bat_at + bat_len];
    put(&mut file, 0, b"vhdxfile");
    for (i, at) in [64 * 1024, 128 * 1024].into_iter().enumerate() {
        let mut h = vec![0u8; 4096];
        put(&mut h, 0, b"head");
        put(&mut h, 8, &(i as u64 + 1).to_le_bytes());
        put(&mut h, 16, &[1u8; 16]);
        put(&mut h, 32, &[2u8; 16]);
        put(&mut h, 66, &1u16.to_le_bytes());
        put(&mut h, 68, &(MIB as u32).to_le_bytes());
        put(&mut h, 72, &(log_at as u64).to_le_bytes());
        let crc = crc32c(&h);
        put(&mut h, 4, &crc.to_le_bytes());
        put(&mut file, at, &h);
    }
    let mut regions = vec![0u8; 64 * 1024];
    put(&mut regions, 0, b"regi");
    put(&mut regions, 8, &2u32.to_le_bytes());
    for (i, (id, at, len)) in [(BAT, bat_at, bat_len), (METADATA, meta_at, MIB)]
        .iter()
        .enumerate()
    {
        let e = 16 + i * 32;
        put(&mut regions, e, id);
        put(&mut regions, e + 16, &(*at as u64).to_le_bytes());
        put(&mut regions, e + 24, &(*len as u32).to_le_bytes());
        put(&mut regions, e + 28, &1u32.to_le_bytes());
    }
    let crc = crc32c(&regions);
    put(&mut regions, 4, &crc.to_le_bytes());
    put(&mut file, 192 * 1024, &regions);
    put(&mut file, 256 * 1024, &regions);

    let mut params = vec![0u8; 8];
    put(&mut params, 0, &(BLOCK as u32).to_le_bytes());
    put(&mut params, 4, &2u32.to_le_bytes());
    let name = parent_name.to_string();
    let items: Vec<([u8; 16], Vec<u8>)> = vec![
        (FILE_PARAMETERS, params),
        (DISK_SIZE, (size as u64).to_le_bytes().to_vec()),
        (DISK_ID, vec![3u8; 16]),
        (LOGICAL_SECTOR, (SECTOR as u32).to_le_bytes().to_vec()),
        (PHYSICAL_SECTOR, (SECTOR as u32).to_le_bytes().to_vec()),
        (
            PARENT_LOCATOR,
            locator(&[
                ("parent_linkage", "{02020202-0202-0202-0202-020202020202}"),
                ("relative_path", &format!(".\\{name}")),
                (
                    "absolute_win32_path",
                    &format!("C:\\Hyper-V\\Disks\\{name}"),
                ),
            ]),
        ),
    ];
    let mut meta = vec![0u8; MIB];
    put(&mut meta, 0, b"metadata");
    put(&mut meta, 10, &(items.len() as u16).to_le_bytes());
    let mut data_at = 64 * 1024;
    for (i, (id, data)) in items.iter().enumerate() {
        let e = 32 + i * 32;
        put(&mut meta, e, id);
        put(&mut meta, e + 16, &(data_at as u32).to_le_bytes());
        put(&mut meta, e + 20, &(data.len() as u32).to_le_bytes());
        put(&mut meta, e + 24, &4u32.to_le_bytes());
        put(&mut meta, data_at, data);
        data_at += data.len().div_ceil(8) * 8;
    }
    put(&mut file, meta_at, &meta);

    // Payload blocks and one sector bitmap block a chunk, appended.
    let mut bat = vec![0u64; entries];
    let mut bitmaps: Vec<Option<Vec<u8>>> = vec![None; chunks];
    let mut first = true;
    for block in 0..blocks {
        let range = block * BLOCK..((block + 1) * BLOCK).min(size);
        if a[range.clone()] == b[range.clone()] {
            continue;
        }
        let at = file.len();
        let mut payload = vec![0xAAu8; BLOCK];
        let index = block + block / CHUNK_RATIO;
        if first {
            payload[..range.len()].copy_from_slice(&b[range.clone()]);
            bat[index] = ((at / MIB) as u64) << 20 | 6;
            first = false;
        } else {
            let bitmap = bitmaps[block / CHUNK_RATIO].get_or_insert_with(|| vec![0u8; MIB]);
            for (s, (x, y)) in a[range.clone()]
                .chunks(SECTOR)
                .zip(b[range.clone()].chunks(SECTOR))
                .enumerate()
            {
                if x != y {
                    payload[s * SECTOR..s * SECTOR + y.len()].copy_from_slice(y);
                    let bit = (block % CHUNK_RATIO) * (BLOCK / SECTOR) + s;
                    bitmap[bit / 8] |= 1 << (bit % 8);
                }
            }
            bat[index] = ((at / MIB) as u64) << 20 | 7;
        }
        file.extend_from_slice(&payload);
    }
    assert!(!first, "the changed disk is the same as the base");
    for (chunk, bitmap) in bitmaps.into_iter().enumerate() {
        if let Some(bitmap) = bitmap {
            let at = file.len();
            file.extend_from_slice(&bitmap);
            bat[chunk * (CHUNK_RATIO + 1) + CHUNK_RATIO] = ((at / MIB) as u64) << 20 | 6;
        }
    }
    for (i, e) in bat.iter().enumerate() {
        put(&mut file, bat_at + i * 8, &e.to_le_bytes());
    }
    std::fs::write(out, &file).expect("write the child");
    out.to_path_buf()
}
