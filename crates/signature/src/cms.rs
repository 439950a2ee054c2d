//! Authenticode's PKCS#7 `SignedData`: the signer, the embedded chain, the
//! ACS verdict, the integrity checks, the signing time and the nested
//! signatures.
//!
//! The structure is walked with [`crate::asn1`] and only its leaves are
//! decoded with typed decoders (`x509-cert` for certificates and names, the
//! `authenticode` crate for `SpcIndirectDataContent`), so the bytes a
//! signature covers are the stored ones and a certificate stored twice is
//! not an error.
//!
//! Integrity of one signature, in order (the first `tampered` reason wins,
//! then the first `unverifiable` one):
//!
//! 1. the file's Authenticode digest, recomputed with the algorithm the
//!    `SpcIndirectDataContent` names, equals the digest stored there;
//! 2. the signer's certificate is embedded (found by issuer and serial
//!    number, or by subject key identifier);
//! 3. the `messageDigest` signed attribute equals the digest of the
//!    `SpcIndirectDataContent` (its contents octets, as Authenticode
//!    defines), and `contentType` names `SpcIndirectDataContent`;
//! 4. the signer's signature over the signed attributes (re-tagged as
//!    `SET OF`, RFC 5652 §5.4) verifies with the signer's key;
//! 5. every embedded certificate whose issuer is embedded too verifies with
//!    that issuer's key (an unsupported algorithm counts only on the
//!    signer's own chain).
//!
//! None of this says the chain is trusted: there is no trust store, no
//! revocation and no validity-period check. `acs` says the signature is
//! *made* with an ACS / Trusted Signing certificate (see [`is_acs`]).

mod checks;
mod signer;
mod structure;
#[cfg(test)]
mod tests;
mod timestamp;

use der::Decode;
use x509_cert::name::Name;

use crate::asn1::Asn1Error;
use crate::certs::{self, Cert};
use crate::crypto::{self, DigestAlg};
use crate::{AcsIdentity, SignatureInfo};
use checks::{check_certificates, check_signer, Checks};
pub(crate) use signer::is_acs;
use signer::{find_signer, is_root};
use structure::attribute;
pub(crate) use structure::{attributes, signed_data, signer_info, SignerId, SignerInfo};
use timestamp::signing_time;

const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const SPC_INDIRECT_DATA: &str = "1.3.6.1.4.1.311.2.1.4";
const ID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const ID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
const ID_COUNTER_SIGNATURE: &str = "1.2.840.113549.1.9.6";
/// Microsoft's attribute for an RFC 3161 timestamp token.
const MS_RFC3161_TIMESTAMP: &str = "1.3.6.1.4.1.311.3.3.1";
/// The standard (RFC 3161 appendix A) timestamp token attribute.
const ID_AA_TIMESTAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
const ID_CT_TSTINFO: &str = "1.2.840.113549.1.9.16.1.4";
/// `SpcNestedSignature`: another whole signature in an unsigned attribute.
const MS_NESTED_SIGNATURE: &str = "1.3.6.1.4.1.311.2.4.1";

/// Nested signatures hold at most this many (a real file has one or two).
const MAX_NESTED: usize = 16;

/// Why a signature blob cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CmsError {
    #[error("the signature is not PKCS#7: {0}")]
    Asn1(#[from] Asn1Error),
    #[error("the signature's content type is {0}, not SignedData")]
    NotSignedData(String),
    #[error("the signed content is {0}, not Authenticode's SpcIndirectDataContent")]
    NotAuthenticode(String),
    #[error("SpcIndirectDataContent cannot be read: {0}")]
    IndirectData(String),
    #[error("the signature has no signer")]
    NoSigner,
}

/// Computes the file's Authenticode digest with an algorithm.
pub(crate) type FileDigest<'f> = dyn FnMut(DigestAlg) -> Result<Vec<u8>, String> + 'f;

/// Reads every signature in a PKCS#7 blob: the primary one, then its nested
/// ones (at most [`MAX_NESTED`]; signatures nested inside a nested one are
/// not followed, signtool never writes them). Fails only when the primary
/// one cannot be read; a nested one that cannot be read is reported as
/// `unverifiable`.
pub(crate) fn read_signatures(
    pkcs7: &[u8],
    file_digest: &mut FileDigest<'_>,
    acs: &AcsIdentity,
) -> Result<Vec<SignatureInfo>, CmsError> {
    let mut out = Vec::new();
    let nested = read_one(pkcs7, file_digest, acs, false, &mut out)?;
    for raw in nested.into_iter().take(MAX_NESTED) {
        let mut inner = Vec::new();
        match read_one(raw, file_digest, acs, true, &mut inner) {
            Ok(_) => out.extend(inner),
            Err(e) => out.push(SignatureInfo::unreadable(true, e.to_string())),
        }
    }
    Ok(out)
}

/// Reads one signature into `out`; returns the raw nested signatures.
fn read_one<'a>(
    pkcs7: &'a [u8],
    file_digest: &mut FileDigest<'_>,
    acs: &AcsIdentity,
    nested: bool,
    out: &mut Vec<SignatureInfo>,
) -> Result<Vec<&'a [u8]>, CmsError> {
    let sd = signed_data(pkcs7)?;
    if sd.econtent_type.to_string() != SPC_INDIRECT_DATA {
        return Err(CmsError::NotAuthenticode(sd.econtent_type.to_string()));
    }
    let econtent = sd
        .econtent
        .ok_or(CmsError::IndirectData("it is missing".into()))?;
    let indirect = authenticode::SpcIndirectDataContent::from_der(econtent.raw)
        .map_err(|e| CmsError::IndirectData(e.to_string()))?;
    let si = signer_info(*sd.signer_infos.first().ok_or(CmsError::NoSigner)?)?;

    let (certs, _unparsed) = certs::parse_all(&sd.certificates);
    let signer = find_signer(&certs, &si.sid);
    let chain_idx = signer.map(|s| certs::chain(&certs, s)).unwrap_or_default();
    let chain: Vec<&Cert<'_>> = chain_idx.iter().filter_map(|&i| certs.get(i)).collect();

    let file_alg_oid = &indirect.message_digest.digest_algorithm.oid;
    let file_alg = DigestAlg::from_oid(file_alg_oid);
    let stored_digest = indirect.message_digest.digest.as_bytes();

    let mut checks = Checks::default();
    match file_alg {
        None => checks.unverifiable(format!("digest algorithm {file_alg_oid} is not supported")),
        Some(alg) => match file_digest(alg) {
            Ok(d) if d == stored_digest => {}
            Ok(d) => checks.tampered(format!(
                "the file's {} digest {} differs from the signed digest {}",
                alg.name(),
                crypto::hex_upper(&d),
                crypto::hex_upper(stored_digest)
            )),
            Err(e) => checks.unverifiable(format!("the file's digest cannot be computed: {e}")),
        },
    }
    check_signer(
        &si,
        signer.and_then(|i| certs.get(i)),
        econtent.value,
        &mut checks,
    );
    check_certificates(&certs, &chain_idx, &mut checks);

    let unsigned = match si.unsigned_attrs {
        Some(set) => attributes(set).unwrap_or_default(),
        None => Vec::new(),
    };
    let signer_cert = chain.first();
    let root = chain.last().copied().filter(|c| is_root(c));
    out.push(SignatureInfo {
        digest_algorithm: file_alg
            .map(|a| a.name().to_string())
            .unwrap_or_else(|| file_alg_oid.to_string()),
        signer: signer_cert.map(|c| c.subject.clone()),
        issuer: signer_cert
            .map(|c| c.issuer.clone())
            .or_else(|| match &si.sid {
                SignerId::IssuerSerial { issuer, .. } => Name::from_der(issuer.raw)
                    .ok()
                    .map(|n| certs::name_text(&n)),
                SignerId::KeyId(_) => None,
            }),
        root: root.map(|c| c.subject.clone()),
        root_sha1: root.map(|c| c.sha1.clone()),
        chain_complete: root.is_some(),
        top_issuer: chain.last().map(|c| c.issuer.clone()),
        acs: is_acs(&chain, acs),
        integrity: checks.verdict(),
        signing_time: signing_time(&unsigned),
        nested,
        chain: chain.iter().map(|c| c.summary()).collect(),
    });
    let nested_raw = if nested {
        Vec::new()
    } else {
        attribute(&unsigned, MS_NESTED_SIGNATURE)
            .map(|v| v.iter().map(|t| t.raw).collect())
            .unwrap_or_default()
    };
    Ok(nested_raw)
}
