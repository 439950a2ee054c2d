//! Authenticode signatures of the files an administrator is about to roll
//! out: is this installer or module signed, by whom, with an ACS (Azure
//! Code Signing / Trusted Signing) certificate, is it intact, and does the
//! image demand signature checks at load time (`FORCE_INTEGRITY`)?
//!
//! Files are read in memory; nothing is extracted or written:
//!
//! * **PE** images (`.exe`, `.dll`, `.sys`): `DllCharacteristics`
//!   `FORCE_INTEGRITY` (0x0080, set by `/INTEGRITYCHECK`) and every
//!   signature in the certificate table, nested ones included (SHA-1 +
//!   SHA-256 dual signing) — see `pe.rs`;
//! * **MSI** packages: the `\u{5}DigitalSignature` stream, and
//!   ProductName / ProductVersion / Manufacturer — see `msi.rs`;
//! * **ZIP** packages: their PE, MSI and ZIP members, one ZIP level deep,
//!   with bounded decompression — see `zip.rs`.
//!
//! The format is recognised by content, not by extension.
//!
//! For each signature the report gives the digest algorithm, the signer
//! and its issuer, the chain embedded in the file (signer first, then each
//! embedded issuer), the root it ends in (a self-signed certificate; none
//! when the chain stops below the root, and then the name of the issuer it
//! needs next: `top_issuer`), whether it is an ACS
//! signature, the signing time of its timestamp and its integrity:
//! `intact`, `tampered` or `unverifiable`, with the reason (the checks are
//! listed in `cms.rs`).
//!
//! What ACS means is data, not code: [`AcsIdentity`] carries the root
//! certificate's subject and SHA-1 and the ACS EKU from the rules file
//! (`[root_certificate]` and `[acs_signature]`). Only the root and the EKU
//! are pinned, never the intermediate CAs, which rotate.
//!
//! **No trust is claimed.** There is no trust store, no revocation check
//! and no validity-period check: `intact` means the file is what its
//! signer signed and the embedded certificates are signed by the embedded
//! issuers, not that Windows will trust the chain.
//!
//! [`inspect_bytes`] never panics on any input: a file that cannot be read
//! gets [`FileReport::error`], which names the file. Memory is bounded:
//! lengths read from a file are checked against the file's size before
//! anything is allocated or sliced, and [`Limits`] caps file sizes and
//! ZIP decompression.

use std::io::Read;
use std::path::Path;

use serde::Serialize;

mod asn1;
mod certs;
mod cms;
mod crypto;
mod msi;
mod pe;
mod zip;

pub use certs::names_match;
pub use pe::FORCE_INTEGRITY;

/// What makes a signature an ACS / Trusted Signing one. The values come
/// from the rules file; nothing about ACS is hard-coded in this crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcsIdentity {
    /// Subject of the ACS root ("Microsoft Identity Verification Root
    /// Certificate Authority 2020"), as `CN=…, O=…, C=…` (compared with
    /// [`names_match`]: RDN order, spacing and case do not matter).
    pub root_subject: String,
    /// SHA-1 thumbprint of the ACS root, hex (upper case; spaces and colons
    /// are ignored).
    pub root_sha1: String,
    /// The EKU every ACS leaf carries, dotted (`1.3.6.1.4.1.311.97.1.0`).
    pub eku: String,
}

/// The kind of file, recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pe,
    Msi,
    Zip,
    Unknown,
}

/// Whether a signature still covers the file it is in.
///
/// Serialised as `{"status": "intact"}` or
/// `{"status": "tampered", "reason": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Integrity {
    /// The digests match and every signature checked verifies.
    Intact,
    /// A digest does not match or a signature is bad: the file or its
    /// signature was changed after signing.
    Tampered { reason: String },
    /// Something could not be checked (an algorithm this crate does not
    /// verify, the signer's certificate missing, a damaged structure).
    Unverifiable { reason: String },
}

/// One certificate of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertSummary {
    /// Subject as text (see [`names_match`] for the format).
    pub subject: String,
    pub issuer: String,
    /// SHA-1 thumbprint, upper-case hex.
    pub sha1: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    pub not_after: String,
    /// Extended key usages, dotted.
    pub ekus: Vec<String>,
}

/// One Authenticode signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureInfo {
    /// The algorithm of the file digest: `sha1`, `sha256`, `sha384`,
    /// `sha512`, or the dotted OID of another one.
    pub digest_algorithm: String,
    /// Subject of the signer's certificate, as text. Names are written as
    /// signify writes them: `CN=…, O=…, L=…, ST=…, C=…` (the RDNs from the
    /// last stored to the first).
    pub signer: Option<String>,
    /// Issuer of the signer's certificate.
    pub issuer: Option<String>,
    /// Subject of the root, when the embedded chain ends in one (a
    /// self-signed certificate); `None` when the chain stops below the root,
    /// as most do (Windows finds the root in its own store).
    pub root: Option<String>,
    /// SHA-1 of the root, upper-case hex.
    pub root_sha1: Option<String>,
    /// The embedded chain reaches a self-signed root.
    pub chain_complete: bool,
    /// Issuer of the last embedded certificate: the certificate the chain
    /// needs next (the root's own name when the chain is complete).
    pub top_issuer: Option<String>,
    /// Made with an ACS / Trusted Signing certificate (see [`AcsIdentity`]).
    pub acs: bool,
    pub integrity: Integrity,
    /// RFC 3339 time from the RFC 3161 timestamp token (its `genTime`) or
    /// the legacy countersignature (its `signingTime`), if any.
    pub signing_time: Option<String>,
    /// A nested signature (unsigned attribute 1.3.6.1.4.1.311.2.4.1).
    pub nested: bool,
    /// The embedded chain, signer first.
    pub chain: Vec<CertSummary>,
}

impl SignatureInfo {
    /// A signature that is there but cannot be read.
    fn unreadable(nested: bool, reason: String) -> Self {
        SignatureInfo {
            digest_algorithm: "unknown".into(),
            signer: None,
            issuer: None,
            root: None,
            root_sha1: None,
            chain_complete: false,
            top_issuer: None,
            acs: false,
            integrity: Integrity::Unverifiable { reason },
            signing_time: None,
            nested,
            chain: Vec::new(),
        }
    }
}

/// Product facts of an MSI package (its Property table).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MsiInfo {
    pub product_name: Option<String>,
    pub product_version: Option<String>,
    pub manufacturer: Option<String>,
}

/// What one file says about its signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The path as given; a ZIP member is `archive.zip!dir/member.msi`.
    pub path: String,
    pub format: Format,
    /// The file carries an Authenticode signature (a non-empty PE
    /// certificate table, or an MSI `DigitalSignature` stream), whether or
    /// not it could be read.
    pub signed: bool,
    /// PE only: `DllCharacteristics` has `FORCE_INTEGRITY` (0x0080).
    pub force_integrity: Option<bool>,
    /// Every signature: the primary one, then the nested ones.
    pub signatures: Vec<SignatureInfo>,
    /// MSI only.
    pub msi: Option<MsiInfo>,
    /// ZIP only: the members that are PE, MSI or ZIP files.
    pub entries: Vec<FileReport>,
    /// Why the file (or part of it) could not be read; names the file.
    pub error: Option<String>,
}

impl FileReport {
    fn new(path: &str, format: Format) -> Self {
        FileReport {
            path: path.to_string(),
            format,
            signed: false,
            force_integrity: None,
            signatures: Vec::new(),
            msi: None,
            entries: Vec::new(),
            error: None,
        }
    }

    fn failed(path: String, format: Format, why: String) -> Self {
        let mut report = FileReport::new(&path, format);
        report.error = Some(InspectError::Unreadable { path, why }.to_string());
        report
    }
}

/// Why a file cannot be (fully) inspected. [`FileReport::error`] holds its
/// text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    #[error("{path}: {why}")]
    Unreadable { path: String, why: String },
    #[error("{path}: the file is {size} bytes, more than the limit of {limit}")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{path}: cannot be read: {message}")]
    Io { path: String, message: String },
    #[error("{path}: internal error while reading the file (please report it): {message}")]
    Internal { path: String, message: String },
}

/// Bounds on what is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest file [`inspect_path`] reads (default 2 GiB).
    pub max_file_bytes: u64,
    /// Most entries a ZIP may list (default 10,000).
    pub max_zip_entries: usize,
    /// Most bytes one ZIP member may inflate to (default 2 GiB).
    pub max_zip_entry_bytes: u64,
    /// Most bytes all members of one ZIP may inflate to, nested ZIPs
    /// counted separately (default 4 GiB).
    pub max_zip_total_bytes: u64,
    /// How many levels of ZIP inside a ZIP are opened (default 1).
    pub max_zip_depth: u8,
}

impl Default for Limits {
    fn default() -> Self {
        const GIB: u64 = 1 << 30;
        Limits {
            max_file_bytes: 2 * GIB,
            max_zip_entries: 10_000,
            max_zip_entry_bytes: 2 * GIB,
            max_zip_total_bytes: 4 * GIB,
            max_zip_depth: 1,
        }
    }
}

/// The format of some bytes, by their first bytes.
pub(crate) fn sniff(head: &[u8]) -> Format {
    const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if head.starts_with(b"MZ") {
        Format::Pe
    } else if head.starts_with(&CFB_MAGIC) {
        Format::Msi
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Format::Zip
    } else {
        Format::Unknown
    }
}

/// Why bytes that are not a PE, MSI or ZIP file cannot be inspected, naming
/// the format when it is a common archive or compressed file.
fn not_a_known_format(bytes: &[u8]) -> String {
    const KNOWN: [(&[u8], &str); 6] = [
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"\xFD7zXZ\x00", "an xz-compressed file"),
        (b"\x1F\x8B", "a gzip-compressed file"),
        (b"MSCF", "a cabinet (.cab) archive"),
        (b"Rar!\x1A\x07", "a RAR archive"),
        (b"BZh", "a bzip2-compressed file"),
    ];
    if bytes.is_empty() {
        return "the file is empty: not a PE image, MSI package or ZIP package".into();
    }
    match KNOWN.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        Some((_, what)) => format!(
            "{what}, not a PE image, MSI package or ZIP package: extract it and inspect the \
             files inside"
        ),
        None => format!(
            "not a PE image, MSI package or ZIP package (the file starts with {})",
            hex_head(bytes)
        ),
    }
}

/// The first bytes of a file, in hex, for error messages.
fn hex_head(bytes: &[u8]) -> String {
    let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    head.join(" ")
}

/// Inspects a file held in memory, with the default [`Limits`]. `path`
/// only names the file in the report. Never panics.
pub fn inspect_bytes(path: &str, bytes: &[u8], acs: &AcsIdentity) -> FileReport {
    inspect_bytes_with(path, bytes, acs, &Limits::default())
}

/// [`inspect_bytes`] with explicit limits.
pub fn inspect_bytes_with(
    path: &str,
    bytes: &[u8],
    acs: &AcsIdentity,
    limits: &Limits,
) -> FileReport {
    // Every reader checks its input; this only turns a bug in one of them
    // (or in a parser crate) into an error for this file instead of
    // aborting a run over a whole folder.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        inspect_at_depth(path, bytes, acs, limits, 0)
    }))
    .unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a reader panicked".into());
        let mut r = FileReport::new(path, sniff(bytes));
        r.error = Some(
            InspectError::Internal {
                path: path.into(),
                message,
            }
            .to_string(),
        );
        r
    })
}

/// Reads a file from disk (at most `max_file_bytes` of the default
/// [`Limits`]) and inspects it. Never panics; I/O errors and files over the
/// limit are reported in [`FileReport::error`].
pub fn inspect_path(path: &Path, acs: &AcsIdentity) -> FileReport {
    inspect_path_with(path, acs, &Limits::default())
}

/// [`inspect_path`] with explicit limits.
pub fn inspect_path_with(path: &Path, acs: &AcsIdentity, limits: &Limits) -> FileReport {
    let name = path.to_string_lossy().into_owned();
    match read_capped(path, limits.max_file_bytes) {
        Ok(bytes) => inspect_bytes_with(&name, &bytes, acs, limits),
        Err(e) => {
            let mut r = FileReport::new(&name, Format::Unknown);
            r.error = Some(e.to_string());
            r
        }
    }
}

fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, InspectError> {
    let name = path.to_string_lossy().into_owned();
    let io = |e: std::io::Error| InspectError::Io {
        path: name.clone(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let too_large = |size| InspectError::TooLarge {
        path: name.clone(),
        size,
        limit,
    };
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // The file may grow while it is read: never take more than the limit.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Inspects bytes found `depth` ZIP levels down.
pub(crate) fn inspect_at_depth(
    path: &str,
    bytes: &[u8],
    acs: &AcsIdentity,
    limits: &Limits,
    depth: u8,
) -> FileReport {
    let format = sniff(bytes);
    let mut report = FileReport::new(path, format);
    let error = match format {
        Format::Pe => {
            let facts = pe::inspect(bytes, acs);
            if !pe::is_pe(bytes) {
                report.format = Format::Unknown;
            }
            report.signed = facts.signed;
            report.force_integrity = facts.force_integrity;
            report.signatures = facts.signatures;
            facts.error
        }
        Format::Msi => {
            let facts = msi::inspect(bytes, acs);
            report.signed = facts.signed;
            report.signatures = facts.signatures;
            report.msi = facts.info;
            facts.error
        }
        Format::Zip => {
            let (entries, error) = zip::members(path, bytes, acs, limits, depth);
            report.entries = entries;
            error
        }
        Format::Unknown => Some(not_a_known_format(bytes)),
    };
    report.error = error.map(|why| {
        InspectError::Unreadable {
            path: path.to_string(),
            why,
        }
        .to_string()
    });
    report
}

/// Entry points for the fuzz targets (`fuzz/`): each runs one reader on
/// arbitrary bytes. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use super::*;

    fn identity() -> AcsIdentity {
        AcsIdentity {
            root_subject: "CN=Root, O=Example, C=US".into(),
            root_sha1: "00".repeat(20),
            eku: "1.3.6.1.4.1.311.97.1.0".into(),
        }
    }

    /// A PE image's header and certificate table.
    pub fn pe_certificates(bytes: &[u8]) {
        let _ = pe::inspect(bytes, &identity());
    }

    /// A PKCS#7 blob as found in a certificate table entry.
    pub fn cms_parse(bytes: &[u8]) {
        let mut digest = |alg: crypto::DigestAlg| Ok(alg.digest(bytes));
        let _ = cms::read_signatures(bytes, &mut digest, &identity());
    }

    /// An OLE compound file read as an MSI package.
    pub fn msi_streams(bytes: &[u8]) {
        let _ = msi::inspect(bytes, &identity());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acs() -> AcsIdentity {
        AcsIdentity {
            root_subject: "CN=Microsoft Identity Verification Root Certificate Authority 2020, O=Microsoft Corporation, C=US".into(),
            root_sha1: acsready_testkit::ACS_ROOT_SHA1.into(),
            eku: "1.3.6.1.4.1.311.97.1.0".into(),
        }
    }

    #[test]
    fn formats_by_content() {
        assert_eq!(sniff(b"MZ\x90\0"), Format::Pe);
        assert_eq!(sniff(b"PK\x03\x04"), Format::Zip);
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Format::Msi
        );
        assert_eq!(sniff(b"hello"), Format::Unknown);
    }

    #[test]
    fn other_formats_are_errors_naming_the_file_and_the_format() {
        let r = inspect_bytes("notes.txt", b"hello", &acs());
        assert_eq!((r.format, r.signed), (Format::Unknown, false));
        let e = r.error.expect("an error, not a verdict");
        assert!(e.starts_with("notes.txt: not a PE image"), "{e}");
        assert!(e.contains("68 65 6c 6c 6f"), "{e}");
        let r = inspect_bytes("agent.7z", b"7z\xBC\xAF\x27\x1C\0\x04", &acs());
        let e = r.error.expect("an error");
        assert!(e.starts_with("agent.7z: a 7-Zip archive"), "{e}");
        assert!(e.contains("extract it"), "{e}");
        let e = inspect_bytes("empty.exe", b"", &acs()).error;
        assert!(e.is_some_and(|e| e.contains("empty")));
    }

    #[test]
    fn truncated_headers_are_errors_naming_the_file() {
        for bytes in [
            &b"MZ"[..],
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
            b"PK\x03\x04",
        ] {
            let r = inspect_bytes("bad.bin", bytes, &acs());
            let e = r.error.expect("an error");
            assert!(e.starts_with("bad.bin: "), "{e}");
        }
    }

    #[test]
    fn missing_and_oversized_files_are_errors() {
        let r = inspect_path(Path::new("/nonexistent/acsready/x.exe"), &acs());
        assert!(r.error.unwrap().contains("x.exe"));
        let dir = acsready_testkit::temp_dir("signature-limits");
        let f = dir.join("big.bin");
        std::fs::write(&f, vec![0u8; 100]).unwrap();
        let limits = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        let r = inspect_path_with(&f, &acs(), &limits);
        let e = r.error.unwrap();
        assert!(e.contains("100 bytes, more than the limit of 10"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn json_shape() {
        let mut r = FileReport::new("a.exe", Format::Pe);
        r.signatures
            .push(SignatureInfo::unreadable(false, "x".into()));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["format"], "pe");
        assert_eq!(v["signatures"][0]["integrity"]["status"], "unverifiable");
        assert_eq!(v["signatures"][0]["integrity"]["reason"], "x");
        let intact = serde_json::to_value(Integrity::Intact).unwrap();
        assert_eq!(intact, serde_json::json!({"status": "intact"}));
    }
}
