//! An OLE compound file read as an MSI package (streams, the digest over
//! them, the DigitalSignature stream, the Property table): any bytes give a
//! report or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    acsready_signature::fuzzing::msi_streams(data);
});
