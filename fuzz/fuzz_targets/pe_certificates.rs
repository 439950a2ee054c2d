//! PE headers, FORCE_INTEGRITY and the certificate table (WIN_CERTIFICATE
//! entries, the PKCS#7 in them, the image digest): any bytes give a report
//! or an error, never a panic or an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    acsready_signature::fuzzing::pe_certificates(data);
});
