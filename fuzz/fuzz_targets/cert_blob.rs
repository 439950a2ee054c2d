//! The certificate `Blob` decoder: any bytes decode or give an error, never a panic.
#![no_main]

use acsready_sources::cert_blob::read_blob;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = read_blob(data) {
        assert_eq!(c.sha1.len(), 40);
    }
});
