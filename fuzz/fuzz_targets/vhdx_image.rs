//! Bytes after a VHDX file identifier: headers, region tables, metadata, BAT, parent locator.
//!
//! Run with `cargo +nightly fuzz run vhdx_image` from this folder.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "image_common.rs"]
mod image_common;

fuzz_target!(|data: &[u8]| {
    image_common::read_image(b"vhdxfile", data);
});
