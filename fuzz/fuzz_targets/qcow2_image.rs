//! Bytes after the QCOW2 magic: header, L1 and L2 tables, compressed clusters, backing file name.
//!
//! Run with `cargo +nightly fuzz run qcow2_image` from this folder.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "image_common.rs"]
mod image_common;

fuzz_target!(|data: &[u8]| {
    image_common::read_image(b"QFI\xfb", data);
});
