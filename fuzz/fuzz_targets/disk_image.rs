//! Arbitrary bytes as a disk image: the format told by content (VHDX, VHD, VMDK, QCOW2, raw with MBR or GPT, an NTFS or BitLocker volume), or an error.
//!
//! Run with `cargo +nightly fuzz run disk_image` from this folder.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "image_common.rs"]
mod image_common;

fuzz_target!(|data: &[u8]| {
    image_common::read_image(b"", data);
});
