//! Bytes after a VMDK descriptor's first line: extent lines, parent hints.
//!
//! Run with `cargo +nightly fuzz run vmdk_descriptor` from this folder.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "image_common.rs"]
mod image_common;

fuzz_target!(|data: &[u8]| {
    image_common::read_image(b"# Disk DescriptorFile\n", data);
});
