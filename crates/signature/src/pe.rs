//! PE images (`.exe`, `.dll`, `.sys`): the `FORCE_INTEGRITY` bit and the
//! Authenticode signatures in the certificate table.
//!
//! Headers are read with `object`; the certificate table (`WIN_CERTIFICATE`
//! entries) and the image digest come from the `authenticode` crate, which
//! hashes per the Authenticode specification: the headers without the
//! checksum field and the certificate-table data directory entry, then the
//! sections sorted by file offset, then whatever follows the last section
//! except the certificate table itself. Every range is checked against the
//! file, so a damaged image gives an error, never a panic.

use std::collections::HashMap;

use authenticode::{
    AttributeCertificateError, AttributeCertificateIterator, PeTrait, WIN_CERT_REVISION_2_0,
    WIN_CERT_TYPE_PKCS_SIGNED_DATA,
};
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, PeFile, PeFile32, PeFile64};
use object::FileKind;

use crate::cms;
use crate::crypto::{DigestAlg, UpdateAdapter};
use crate::{AcsIdentity, SignatureInfo};

/// `IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY` (`/INTEGRITYCHECK`).
pub const FORCE_INTEGRITY: u16 = 0x0080;

/// What a PE image says about its signatures.
#[derive(Debug, Default)]
pub(crate) struct PeFacts {
    pub force_integrity: Option<bool>,
    /// The certificate table is present and not empty.
    pub signed: bool,
    pub signatures: Vec<SignatureInfo>,
    /// Why (part of) the image could not be read.
    pub error: Option<String>,
}

/// Whether the bytes are a PE image (`MZ` with a PE header), as opposed to
/// a DOS or 16-bit NE executable.
pub(crate) fn is_pe(bytes: &[u8]) -> bool {
    matches!(FileKind::parse(bytes), Ok(FileKind::Pe32 | FileKind::Pe64))
}

/// Reads a PE image.
pub(crate) fn inspect(bytes: &[u8], acs: &AcsIdentity) -> PeFacts {
    let parsed = match FileKind::parse(bytes) {
        Ok(FileKind::Pe32) => PeFile32::parse(bytes).map(|pe| inspect_parsed(&pe, acs)),
        Ok(FileKind::Pe64) => PeFile64::parse(bytes).map(|pe| inspect_parsed(&pe, acs)),
        _ => {
            return PeFacts {
                error: Some("not a PE image (an MZ header without a PE header)".into()),
                ..PeFacts::default()
            }
        }
    };
    parsed.unwrap_or_else(|e| PeFacts {
        force_integrity: raw_dll_characteristics(bytes).map(|d| d & FORCE_INTEGRITY != 0),
        error: Some(format!("the PE headers cannot be read: {e}")),
        ..PeFacts::default()
    })
}

/// `DllCharacteristics` read from the raw bytes (docs/sources/signing.md: a WORD at
/// offset 70 of the optional header, which starts at `e_lfanew + 24`), for
/// images whose other headers are too damaged for `object`.
fn raw_dll_characteristics(bytes: &[u8]) -> Option<u16> {
    let lfanew = u32::from_le_bytes(bytes.get(0x3C..0x40)?.try_into().ok()?);
    let at = usize::try_from(lfanew).ok()?.checked_add(24 + 70)?;
    if bytes.get(usize::try_from(lfanew).ok()?..)?.get(..4)? != b"PE\0\0" {
        return None;
    }
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn inspect_parsed<I: ImageNtHeaders>(pe: &PeFile<'_, I>, acs: &AcsIdentity) -> PeFacts {
    let dll = pe.nt_headers().optional_header().dll_characteristics();
    let mut facts = PeFacts {
        force_integrity: Some(dll & FORCE_INTEGRITY != 0),
        ..PeFacts::default()
    };
    let file_len = pe.data().len();
    let range = match pe.certificate_table_range() {
        Ok(Some(r)) if !r.is_empty() => r,
        Ok(_) => return facts,
        Err(e) => {
            facts.signed = true;
            facts.error = Some(format!("the certificate table entry is invalid: {e}"));
            return facts;
        }
    };
    facts.signed = true;
    let entries = match AttributeCertificateIterator::new(pe) {
        Ok(Some(it)) => it,
        Ok(None) => return facts,
        Err(AttributeCertificateError::OutOfBounds) => {
            facts.error = Some(format!(
                "the certificate table ({} bytes at offset {}) runs past the end of the file ({file_len} bytes)",
                range.len(),
                range.start
            ));
            return facts;
        }
        Err(e) => {
            facts.error = Some(format!("the certificate table is damaged: {e}"));
            return facts;
        }
    };

    let mut cache: HashMap<DigestAlg, Result<Vec<u8>, String>> = HashMap::new();
    let mut digest = |alg: DigestAlg| {
        cache
            .entry(alg)
            .or_insert_with(|| image_digest(pe, alg))
            .clone()
    };
    let mut problems = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("the certificate table is damaged: {e}"));
                break;
            }
        };
        if entry.revision != WIN_CERT_REVISION_2_0
            || entry.certificate_type != WIN_CERT_TYPE_PKCS_SIGNED_DATA
        {
            problems.push(format!(
                "a certificate table entry of revision 0x{:04X}, type 0x{:04X} is not an Authenticode signature",
                entry.revision, entry.certificate_type
            ));
            continue;
        }
        match cms::read_signatures(entry.data, &mut digest, acs) {
            Ok(sigs) => facts.signatures.extend(sigs),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        facts.error = Some(problems.join("; "));
    }
    facts
}

/// The Authenticode digest of the image.
fn image_digest<I: ImageNtHeaders>(pe: &PeFile<'_, I>, alg: DigestAlg) -> Result<Vec<u8>, String> {
    let mut hasher = alg.hasher();
    authenticode::authenticode_digest(pe, &mut UpdateAdapter(hasher.as_mut()))
        .map_err(|e| e.to_string())?;
    Ok(hasher.finalize().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_dll_characteristics_checks_bounds() {
        assert_eq!(raw_dll_characteristics(&[]), None);
        let mut img = vec![0u8; 0x200];
        img[0] = b'M';
        img[1] = b'Z';
        img[0x3C] = 0x80;
        img[0x80..0x84].copy_from_slice(b"PE\0\0");
        img[0x80 + 24 + 70] = 0x80;
        assert_eq!(raw_dll_characteristics(&img), Some(0x0080));
        img[0x3C..0x40].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(raw_dll_characteristics(&img), None);
    }

    #[test]
    fn an_mz_stub_without_pe_header_is_not_pe() {
        let mut img = vec![0u8; 0x100];
        img[0] = b'M';
        img[1] = b'Z';
        assert!(!is_pe(&img));
        let acs = AcsIdentity {
            root_subject: String::new(),
            root_sha1: String::new(),
            eku: String::new(),
        };
        let facts = inspect(&img, &acs);
        assert!(!facts.signed);
        assert!(facts.error.is_some());
    }
}
