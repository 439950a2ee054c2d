//! Certificates as Windows stores them in the registry: the `Blob` value under
//! `…\SystemCertificates\<STORE>\Certificates\<SHA-1>`.
//!
//! Layout per [MS-GPEF] §2.2.1.1.1 (docs/sources/registry.md): zero or more properties
//! `PropertyID (u32 LE) | Reserved (u32, 1) | Length (u32 LE) | Value`, then
//! the certificate itself as property 0x20 (CERT_CERT_PROP_ID) holding the DER.

use sha1::{Digest, Sha1};
use x509_cert::der::Decode;

/// CERT_CERT_PROP_ID: the encoded certificate.
const CERT_PROP_ID: u32 = 0x20;

/// What a `Blob` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCertificate {
    /// SHA-1 of the DER bytes, upper-case hex.
    pub sha1: String,
    /// Subject as RFC 4514 text, when the DER parses as X.509.
    pub subject: Option<String>,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
}

/// Why a `Blob` cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    #[error("property at offset {offset} runs past the end of the blob ({len} bytes)")]
    Truncated { offset: usize, len: usize },
    #[error("no certificate (property 0x20) in the blob")]
    NoCertificate,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The DER certificate inside a `Blob`.
pub fn certificate_der(blob: &[u8]) -> Result<&[u8], BlobError> {
    let mut at = 0usize;
    while at < blob.len() {
        let truncated = BlobError::Truncated {
            offset: at,
            len: blob.len(),
        };
        let (Some(id), Some(len)) = (u32_at(blob, at), u32_at(blob, at + 8)) else {
            return Err(truncated);
        };
        let start = at + 12;
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| start.checked_add(l))
            .filter(|&e| e <= blob.len())
            .ok_or(truncated)?;
        if id == CERT_PROP_ID {
            return Ok(&blob[start..end]);
        }
        at = end;
    }
    Err(BlobError::NoCertificate)
}

/// Hex SHA-1 of some bytes, upper case (as Windows names thumbprints).
pub fn sha1_hex(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Reads a `Blob`: the certificate's SHA-1, and its subject and validity when
/// the DER is an X.509 certificate.
pub fn read_blob(blob: &[u8]) -> Result<StoredCertificate, BlobError> {
    let der = certificate_der(blob)?;
    let mut stored = StoredCertificate {
        sha1: sha1_hex(der),
        subject: None,
        not_before: None,
        not_after: None,
    };
    if let Ok(cert) = x509_cert::Certificate::from_der(der) {
        let tbs = &cert.tbs_certificate;
        stored.subject = Some(tbs.subject.to_string());
        stored.not_before = Some(tbs.validity.not_before.to_date_time().to_string());
        stored.not_after = Some(tbs.validity.not_after.to_date_time().to_string());
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shared(rel: &str) -> Vec<u8> {
        let p = acsready_testkit::shared(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("test data {}: {e}", p.display()))
    }

    fn property(id: u32, value: &[u8]) -> Vec<u8> {
        let mut p = id.to_le_bytes().to_vec();
        p.extend(1u32.to_le_bytes());
        p.extend((value.len() as u32).to_le_bytes());
        p.extend(value);
        p
    }

    #[test]
    fn real_blob_from_a_root_store() {
        // The Blob of HKLM\...\ROOT\Certificates\18f7c1fc… (velociraptor test data).
        let c = read_blob(&shared("testdata/hives/velociraptor__root_store_reg.bin")).unwrap();
        assert_eq!(c.sha1, "18F7C1FCC3090203FD5BAA2F861A754976C8DD25");
        let subject = c.subject.unwrap();
        assert!(
            subject.contains("VeriSign Time Stamping Service Root"),
            "{subject}"
        );
        assert_eq!(c.not_after.as_deref(), Some("2004-01-07T23:59:59Z"));
    }

    #[test]
    fn the_acs_root_in_a_blob_built_as_windows_does() {
        let der = shared("facts/MicrosoftIdentityVerificationRootCA2020.cer");
        let mut blob = property(0x03, &[0u8; 20]);
        blob.extend(property(0x0b, "Microsoft\0".as_bytes()));
        blob.extend(property(CERT_PROP_ID, &der));
        let c = read_blob(&blob).unwrap();
        assert_eq!(c.sha1, "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2");
        assert!(c
            .subject
            .unwrap()
            .contains("CN=Microsoft Identity Verification Root Certificate Authority 2020"));
        assert_eq!(c.not_before.as_deref(), Some("2020-04-16T18:36:16Z"));
        assert_eq!(c.not_after.as_deref(), Some("2045-04-16T18:44:40Z"));
    }

    #[test]
    fn damaged_blobs_are_errors() {
        assert_eq!(certificate_der(&[]), Err(BlobError::NoCertificate));
        let mut blob = property(0x03, &[0u8; 20]);
        blob.truncate(20);
        assert!(matches!(
            certificate_der(&blob),
            Err(BlobError::Truncated { .. })
        ));
        let mut huge = CERT_PROP_ID.to_le_bytes().to_vec();
        huge.extend(1u32.to_le_bytes());
        huge.extend(u32::MAX.to_le_bytes());
        assert!(matches!(
            certificate_der(&huge),
            Err(BlobError::Truncated { .. })
        ));
        // Not X.509 inside: the SHA-1 is still that of the bytes.
        let c = read_blob(&property(CERT_PROP_ID, b"not a certificate")).unwrap();
        assert_eq!(c.sha1, sha1_hex(b"not a certificate"));
        assert!(c.subject.is_none());
    }

    proptest! {
        #[test]
        fn arbitrary_blobs_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = read_blob(&bytes);
        }
    }
}
