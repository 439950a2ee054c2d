//! The ACS root as the kit writes it: the `.cer` (checked against the
//! rules' thumbprints first) and the `Blob` of a certificate store entry.

use acsready_rules::Rules;
use base64::Engine;
use sha1::{Digest, Sha1};
use sha2::Sha256;

use crate::KitError;

/// CERT_SHA1_HASH_PROP_ID and CERT_CERT_PROP_ID ([MS-GPEF] 2.2.1.1.1).
const SHA1_HASH_PROP_ID: u32 = 0x03;
const CERT_PROP_ID: u32 = 0x20;

/// Upper-case hex, as Windows names thumbprints.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The certificate of `[remediation.root_certificate]`, decoded and checked
/// against `[root_certificate]` sha1 and sha256.
pub fn root_der(rules: &Rules) -> Result<Vec<u8>, KitError> {
    let fix = &crate::remediation(rules)?.root_certificate;
    let text: String = fix
        .der_base64
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|e| KitError::Certificate(format!("der_base64 is not base64: {e}")))?;
    let root = &rules.root_certificate;
    for (what, want, got) in [
        ("SHA-1", &root.sha1, hex(&Sha1::digest(&der))),
        ("SHA-256", &root.sha256, hex(&Sha256::digest(&der))),
    ] {
        if !want.eq_ignore_ascii_case(&got) {
            return Err(KitError::Certificate(format!(
                "the certificate's {what} is {got}, not {want} as [root_certificate] says"
            )));
        }
    }
    Ok(der)
}

fn property(out: &mut Vec<u8>, id: u32, value: &[u8]) {
    out.extend(id.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    out.extend((value.len() as u32).to_le_bytes());
    out.extend(value);
}

/// The store entry's `Blob`: the SHA-1 hash property (the entry's name),
/// then the certificate. Windows fills in its other cached properties when
/// it next uses the entry.
pub fn store_blob(der: &[u8]) -> Vec<u8> {
    let mut blob = Vec::with_capacity(der.len() + 56);
    property(&mut blob, SHA1_HASH_PROP_ID, &Sha1::digest(der));
    property(&mut blob, CERT_PROP_ID, der);
    blob
}
