//! Bytes after a VHD footer cookie at the start (a dynamic or differencing VHD): footer, dynamic header, BAT, parent locators.
//!
//! Run with `cargo +nightly fuzz run vhd_image` from this folder.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "image_common.rs"]
mod image_common;

fuzz_target!(|data: &[u8]| {
    image_common::read_image(b"conectix", data);
});
