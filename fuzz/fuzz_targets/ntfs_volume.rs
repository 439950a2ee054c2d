//! Bytes as the NTFS volume of a disk (an MBR whose one partition starts
//! at sector 1, then a boot sector with the NTFS signature): the BIOS
//! parameter block, MFT records and their fixups, attributes, data runs,
//! directory indexes.
//!
//! Run with `cargo +nightly fuzz run ntfs_volume` from this folder.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "image_common.rs"]
mod image_common;

fuzz_target!(|data: &[u8]| {
    let mut prefix = vec![0u8; 512 + 11];
    // One NTFS partition from sector 1 to well past the input.
    prefix[446 + 4] = 0x07;
    prefix[446 + 8..446 + 12].copy_from_slice(&1u32.to_le_bytes());
    prefix[446 + 12..446 + 16].copy_from_slice(&(1u32 << 20).to_le_bytes());
    prefix[510] = 0x55;
    prefix[511] = 0xAA;
    prefix[512..512 + 3].copy_from_slice(&[0xEB, 0x52, 0x90]);
    prefix[512 + 3..512 + 11].copy_from_slice(b"NTFS    ");
    image_common::read_image(&prefix, data);
});
