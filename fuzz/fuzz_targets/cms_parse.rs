//! An Authenticode PKCS#7 blob (SignedData, certificates, signer info,
//! timestamps, nested signatures): any bytes give signatures or an error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    acsready_signature::fuzzing::cms_parse(data);
});
