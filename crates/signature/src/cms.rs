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

use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::name::Name;

use crate::asn1::{self, tag, Asn1Error, Tlv};
use crate::certs::{self, Cert};
use crate::crypto::{self, DigestAlg, Verdict};
use crate::{AcsIdentity, Integrity, SignatureInfo};

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

/// The pieces of a `SignedData` used here.
pub(crate) struct SignedData<'a> {
    pub econtent_type: ObjectIdentifier,
    /// The element inside `eContent [0] EXPLICIT`.
    pub econtent: Option<Tlv<'a>>,
    /// Each `Certificate` of `certificates`, as stored.
    pub certificates: Vec<&'a [u8]>,
    pub signer_infos: Vec<Tlv<'a>>,
}

/// Reads a `ContentInfo` holding `SignedData` (trailing bytes ignored).
pub(crate) fn signed_data(content_info: &[u8]) -> Result<SignedData<'_>, CmsError> {
    let ci = asn1::first(content_info)?
        .want(tag::SEQUENCE, "a ContentInfo SEQUENCE")?
        .children()?;
    let content_type = ci.first().ok_or(Asn1Error::Missing("contentType"))?.oid()?;
    if content_type.to_string() != ID_SIGNED_DATA {
        return Err(CmsError::NotSignedData(content_type.to_string()));
    }
    let content = ci
        .get(1)
        .ok_or(Asn1Error::Missing("the SignedData"))?
        .want(tag::CTX0, "[0] content")?;
    let fields = asn1::first(content.value)?
        .want(tag::SEQUENCE, "a SignedData SEQUENCE")?
        .children()?;
    let mut fields = fields.into_iter();
    fields
        .next()
        .ok_or(Asn1Error::Missing("version"))?
        .want(tag::INTEGER, "the version")?;
    fields
        .next()
        .ok_or(Asn1Error::Missing("digestAlgorithms"))?
        .want(tag::SET, "digestAlgorithms")?;
    let encap = fields
        .next()
        .ok_or(Asn1Error::Missing("encapContentInfo"))?
        .want(tag::SEQUENCE, "encapContentInfo")?
        .children()?;
    let econtent_type = encap
        .first()
        .ok_or(Asn1Error::Missing("eContentType"))?
        .oid()?;
    let econtent = match encap.get(1) {
        Some(t) => Some(asn1::first(t.want(tag::CTX0, "[0] eContent")?.value)?),
        None => None,
    };
    let mut certificates = Vec::new();
    let mut signer_infos = None;
    for f in fields {
        match f.tag {
            tag::CTX0 => {
                certificates = f
                    .children()?
                    .into_iter()
                    // Other CertificateChoices (attribute certificates…) are skipped.
                    .filter(|c| c.tag == tag::SEQUENCE)
                    .map(|c| c.raw)
                    .collect();
            }
            tag::CTX1 => {} // CRLs
            tag::SET => signer_infos = Some(f.children()?),
            other => {
                return Err(Asn1Error::Unexpected {
                    expected: "certificates, crls or signerInfos",
                    found: other,
                }
                .into())
            }
        }
    }
    Ok(SignedData {
        econtent_type,
        econtent,
        certificates,
        signer_infos: signer_infos.ok_or(Asn1Error::Missing("signerInfos"))?,
    })
}

/// How a signer info names its certificate.
pub(crate) enum SignerId<'a> {
    IssuerSerial { issuer: Tlv<'a>, serial: &'a [u8] },
    KeyId(&'a [u8]),
}

/// One `SignerInfo`.
pub(crate) struct SignerInfo<'a> {
    pub sid: SignerId<'a>,
    pub digest_alg: ObjectIdentifier,
    /// `[0] IMPLICIT SET OF Attribute`, as stored.
    pub signed_attrs: Option<Tlv<'a>>,
    pub sig_alg: ObjectIdentifier,
    pub signature: &'a [u8],
    pub unsigned_attrs: Option<Tlv<'a>>,
}

pub(crate) fn signer_info(t: Tlv<'_>) -> Result<SignerInfo<'_>, Asn1Error> {
    let fields = t.want(tag::SEQUENCE, "a SignerInfo")?.children()?;
    let mut it = fields.into_iter().peekable();
    it.next()
        .ok_or(Asn1Error::Missing("the signer version"))?
        .want(tag::INTEGER, "the signer version")?;
    let sid = it.next().ok_or(Asn1Error::Missing("the signer id"))?;
    let sid = match sid.tag {
        tag::SEQUENCE => {
            let parts = sid.children()?;
            let issuer = *parts.first().ok_or(Asn1Error::Missing("the issuer"))?;
            let serial = parts
                .get(1)
                .ok_or(Asn1Error::Missing("the serial number"))?
                .want(tag::INTEGER, "the serial number")?;
            SignerId::IssuerSerial {
                issuer,
                serial: serial.value,
            }
        }
        tag::CTX0_PRIM => SignerId::KeyId(sid.value),
        found => {
            return Err(Asn1Error::Unexpected {
                expected: "issuerAndSerialNumber or subjectKeyIdentifier",
                found,
            })
        }
    };
    let digest_alg = asn1::algorithm_oid(it.next().ok_or(Asn1Error::Missing("digestAlgorithm"))?)?;
    let signed_attrs = it.next_if(|t| t.tag == tag::CTX0);
    let sig_alg = asn1::algorithm_oid(it.next().ok_or(Asn1Error::Missing("signatureAlgorithm"))?)?;
    let signature = it
        .next()
        .ok_or(Asn1Error::Missing("the signature"))?
        .want(tag::OCTET_STRING, "the signature OCTET STRING")?
        .value;
    let unsigned_attrs = it.next_if(|t| t.tag == tag::CTX1);
    Ok(SignerInfo {
        sid,
        digest_alg,
        signed_attrs,
        sig_alg,
        signature,
        unsigned_attrs,
    })
}

/// The attributes of a `SET OF Attribute`: type and values, in stored order.
pub(crate) fn attributes(set: Tlv<'_>) -> Result<Vec<(String, Vec<Tlv<'_>>)>, Asn1Error> {
    set.children()?
        .into_iter()
        .map(|a| {
            let parts = a.want(tag::SEQUENCE, "an Attribute")?.children()?;
            let oid = parts.first().ok_or(Asn1Error::Missing("attrType"))?.oid()?;
            let values = parts
                .get(1)
                .ok_or(Asn1Error::Missing("attrValues"))?
                .want(tag::SET, "attrValues")?
                .children()?;
            Ok((oid.to_string(), values))
        })
        .collect()
}

fn attribute<'a, 'b>(attrs: &'b [(String, Vec<Tlv<'a>>)], oid: &str) -> Option<&'b [Tlv<'a>]> {
    attrs
        .iter()
        .find(|(o, _)| o == oid)
        .map(|(_, v)| v.as_slice())
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

/// Whether a certificate is a root: self-issued, and its signature
/// verifies with its own key (or uses an algorithm this crate does not
/// verify). A certificate that names itself as its issuer but whose
/// signature is bad is not a root.
fn is_root(cert: &Cert<'_>) -> bool {
    cert.is_self_issued() && !matches!(cert.verify_by(cert), Verdict::Invalid(_))
}

fn find_signer(certs: &[Cert<'_>], sid: &SignerId<'_>) -> Option<usize> {
    match sid {
        SignerId::IssuerSerial { issuer, serial } => {
            let issuer = Name::from_der(issuer.raw).ok();
            certs.iter().position(|c| {
                let tbs = &c.cert.tbs_certificate;
                tbs.serial_number.as_bytes() == *serial
                    && issuer.as_ref().is_some_and(|n| *n == tbs.issuer)
            })
        }
        SignerId::KeyId(id) => certs.iter().position(|c| {
            c.cert
                .tbs_certificate
                .extensions
                .as_ref()
                .and_then(|exts| exts.iter().find(|e| e.extn_id.to_string() == "2.5.29.14"))
                .and_then(|e| asn1::first(e.extn_value.as_bytes()).ok())
                .is_some_and(|v| v.value == *id)
        }),
    }
}

/// Steps 2–4 of the module documentation.
fn check_signer(
    si: &SignerInfo<'_>,
    signer: Option<&Cert<'_>>,
    content: &[u8],
    checks: &mut Checks,
) {
    let Some(alg) = DigestAlg::from_oid(&si.digest_alg) else {
        checks.unverifiable(format!(
            "the signer's digest algorithm {} is not supported",
            si.digest_alg
        ));
        return;
    };
    let content_digest = alg.digest(content);
    let signed_message: Vec<u8> = match si.signed_attrs {
        Some(attrs_tlv) => {
            let attrs = match attributes(attrs_tlv) {
                Ok(a) => a,
                Err(e) => {
                    checks.tampered(format!("the signed attributes cannot be read: {e}"));
                    return;
                }
            };
            match attribute(&attrs, ID_MESSAGE_DIGEST).and_then(|v| v.first()) {
                Some(md)
                    if md.tag == tag::OCTET_STRING && md.value == content_digest.as_slice() => {}
                Some(_) => checks.tampered(
                    "the messageDigest attribute does not match the signed content".into(),
                ),
                None => checks.unverifiable("the signed attributes have no messageDigest".into()),
            }
            if let Some(ct) = attribute(&attrs, ID_CONTENT_TYPE).and_then(|v| v.first()) {
                if ct.oid().map(|o| o.to_string()).as_deref() != Ok(SPC_INDIRECT_DATA) {
                    checks.tampered(
                        "the contentType attribute does not name SpcIndirectDataContent".into(),
                    );
                }
            }
            // RFC 5652 §5.4: the signature covers the attributes as a SET OF.
            let mut der = attrs_tlv.raw.to_vec();
            if let Some(first) = der.first_mut() {
                *first = tag::SET;
            }
            der
        }
        None => content.to_vec(),
    };
    let Some(signer) = signer else {
        checks.unverifiable("the signer's certificate is not embedded".into());
        return;
    };
    match crypto::verify(
        &signer.cert.tbs_certificate.subject_public_key_info,
        &si.sig_alg,
        Some(alg),
        &signed_message,
        si.signature,
    ) {
        Verdict::Valid => {}
        Verdict::Invalid(e) => checks.tampered(format!("the signer's signature is bad: {e}")),
        Verdict::Unsupported(e) => {
            checks.unverifiable(format!("the signer's signature cannot be checked: {e}"))
        }
    }
}

/// Step 5 of the module documentation.
fn check_certificates(certs: &[Cert<'_>], chain: &[usize], checks: &mut Checks) {
    for (i, c) in certs.iter().enumerate() {
        let issuer = if c.is_self_issued() {
            Some(c)
        } else {
            certs::issuer_of(certs, i).and_then(|j| certs.get(j))
        };
        let Some(issuer) = issuer else { continue };
        match c.verify_by(issuer) {
            Verdict::Valid => {}
            Verdict::Invalid(e) => checks.tampered(format!(
                "certificate \"{}\" is not validly signed by \"{}\": {e}",
                c.subject, issuer.subject
            )),
            Verdict::Unsupported(e) if chain.contains(&i) => checks.unverifiable(format!(
                "the signature on certificate \"{}\" cannot be checked: {e}",
                c.subject
            )),
            Verdict::Unsupported(_) => {}
        }
    }
}

/// Whether a chain (signer first) is an ACS / Trusted Signing one:
///
/// * a certificate of the chain is the ACS root (its SHA-1 is
///   `acs.root_sha1`), or
/// * the top of the chain is not self-issued and its issuer is named
///   `acs.root_subject` (the usual case: the root is not embedded and the
///   top is "Microsoft ID Verified Code Signing PCA 2021"), or
/// * the signer's certificate has the EKU `acs.eku`.
///
/// Only the root and the EKU are pinned, never the intermediates, which
/// rotate. A self-issued top certificate must be the root itself (by
/// SHA-1): a self-signed imitation with the root's name does not count.
pub(crate) fn is_acs(chain: &[&Cert<'_>], acs: &AcsIdentity) -> bool {
    let root_sha1: String = acs
        .root_sha1
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_uppercase();
    let root_embedded = !root_sha1.is_empty() && chain.iter().any(|c| c.sha1 == root_sha1);
    let issued_by_root = chain.last().is_some_and(|top| {
        !top.is_self_issued() && certs::names_match(&top.issuer, &acs.root_subject)
    });
    let eku = chain.first().is_some_and(|leaf| {
        !acs.eku.is_empty() && leaf.ekus().iter().any(|e| *e == acs.eku.trim())
    });
    root_embedded || issued_by_root || eku
}

/// The signing time from a timestamp in the unsigned attributes: an
/// RFC 3161 token (its `genTime`) or a legacy countersignature (its
/// `signingTime`).
fn signing_time(unsigned: &[(String, Vec<Tlv<'_>>)]) -> Option<String> {
    for (oid, values) in unsigned {
        let found = match oid.as_str() {
            MS_RFC3161_TIMESTAMP | ID_AA_TIMESTAMP_TOKEN => {
                values.first().and_then(|v| rfc3161_time(v.raw))
            }
            ID_COUNTER_SIGNATURE => values.first().and_then(|v| countersignature_time(*v)),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn rfc3161_time(token: &[u8]) -> Option<String> {
    let sd = signed_data(token).ok()?;
    if sd.econtent_type.to_string() != ID_CT_TSTINFO {
        return None;
    }
    let octets = sd
        .econtent?
        .want(tag::OCTET_STRING, "TSTInfo octets")
        .ok()?;
    let tst = asn1::first(octets.value).ok()?.children().ok()?;
    tst.into_iter()
        .find(|t| t.tag == tag::GENERALIZED_TIME)
        .and_then(asn1::time_rfc3339)
}

fn countersignature_time(si: Tlv<'_>) -> Option<String> {
    let si = signer_info(si).ok()?;
    let attrs = attributes(si.signed_attrs?).ok()?;
    attribute(&attrs, ID_SIGNING_TIME)?
        .first()
        .and_then(|t| asn1::time_rfc3339(*t))
}

/// The outcome of the checks of one signature.
#[derive(Default)]
struct Checks {
    tampered: Option<String>,
    unverifiable: Option<String>,
}

impl Checks {
    fn tampered(&mut self, reason: String) {
        self.tampered.get_or_insert(reason);
    }
    fn unverifiable(&mut self, reason: String) {
        self.unverifiable.get_or_insert(reason);
    }
    fn verdict(self) -> Integrity {
        match (self.tampered, self.unverifiable) {
            (Some(reason), _) => Integrity::Tampered { reason },
            (None, Some(reason)) => Integrity::Unverifiable { reason },
            (None, None) => Integrity::Intact,
        }
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
    fn a_chain_that_embeds_the_root_is_acs_by_thumbprint() {
        let der = acsready_testkit::acs_root_der();
        let root = Cert::parse(&der).unwrap();
        assert!(is_acs(&[&root], &acs()));
        // A differently written thumbprint still matches.
        let mut id = acs();
        id.root_sha1 = "f4 00 42 e2 e5 f7 e8 ef 81 89 fe d1 55 19 ae ce 42 c3 bf a2".into();
        assert!(is_acs(&[&root], &id));
        // Another pinned root: the real root (self-issued) is then not ACS,
        // even though its name is the configured subject.
        id.root_sha1 = "00".repeat(20);
        assert!(!is_acs(&[&root], &id));
        assert!(!is_acs(&[], &acs()));
    }

    /// The root with its subject renamed: a CA certificate issued by the
    /// ACS root (by name) that is not the root, as the top of a chain whose
    /// root is not embedded.
    fn issued_by_the_root() -> Vec<u8> {
        let mut der = acsready_testkit::acs_root_der();
        let name = b"Root Certificate Authority 2020";
        let second = der
            .windows(name.len())
            .enumerate()
            .filter(|(_, w)| w == name)
            .nth(1)
            .map(|(i, _)| i)
            .expect("the subject CN");
        der[second + name.len() - 1] = b'1';
        der
    }

    #[test]
    fn a_chain_whose_top_is_issued_by_the_root_is_acs_by_name() {
        let der = issued_by_the_root();
        let top = Cert::parse(&der).unwrap();
        assert!(!top.is_self_issued());
        assert!(is_acs(&[&top], &acs()));
        // The root's subject as the rules file might write it.
        let mut id = acs();
        id.root_subject =
            "C=US, O=Microsoft Corporation, CN=Microsoft Identity Verification Root Certificate Authority 2020".into();
        assert!(is_acs(&[&top], &id));
        id.root_subject = "CN=Some Other Root, O=Microsoft Corporation, C=US".into();
        assert!(!is_acs(&[&top], &id));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut digest = |_: DigestAlg| -> Result<Vec<u8>, String> { Ok(vec![]) };
        assert!(read_signatures(&[], &mut digest, &acs()).is_err());
        assert!(read_signatures(&[0x30, 0x03, 0x06, 0x01, 0x00], &mut digest, &acs()).is_err());
        // A ContentInfo of another type.
        let data = [
            0x30, 0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
        ];
        assert!(matches!(
            read_signatures(&data, &mut digest, &acs()),
            Err(CmsError::NotSignedData(_))
        ));
    }
}
