//! Bytes after the VMDK sparse magic: header, embedded descriptor, grain directory and tables, compressed grains.
//!
//! Run with `cargo +nightly fuzz run vmdk_image` from this folder.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "image_common.rs"]
mod image_common;

fuzz_target!(|data: &[u8]| {
    image_common::read_image(b"KDMV", data);
});
