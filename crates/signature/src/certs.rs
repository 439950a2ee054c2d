//! The certificates embedded in a signature: names as text, EKUs, the chain
//! from the signer up, and each certificate's signature checked by its
//! issuer when the issuer is embedded too.
//!
//! # Names as text
//!
//! Names are written the way signify (and `truth.json`) writes them: the
//! RDNs from the last to the first as stored (so `CN=…` usually comes
//! first), joined by `", "`, each as `TYPE=value` with the types `CN`, `C`,
//! `L`, `ST`, `STREET`, `O`, `OU`, `DC`, `postalCode`, `serialNumber`,
//! `EMAIL`, and the dotted OID for any other. Values are decoded from their
//! string type (UTF-8, PrintableString, IA5String, BMPString as UTF-16,
//! UniversalString as UTF-32, TeletexString as Latin-1); a value of another
//! type is `#` and the hex of its DER. The characters `, + " < > ; \` are
//! escaped with a backslash, as are a leading `#` and a trailing space. A
//! multi-valued RDN is written `A=x+B=y` (signify shows only its first
//! value). [`names_match`] compares two such texts regardless of RDN order,
//! spacing and case.

use std::collections::HashSet;

use der::asn1::ObjectIdentifier;
use der::{Decode, Tagged};
use x509_cert::name::Name;
use x509_cert::Certificate;

use crate::asn1::{self, tag};
use crate::crypto::{self, hex_upper, Verdict};
use crate::CertSummary;

const EXT_EKU: &str = "2.5.29.37";
const EXT_SKI: &str = "2.5.29.14";
const EXT_AKI: &str = "2.5.29.35";

/// One embedded certificate, parsed, with the bytes it came from.
pub(crate) struct Cert<'a> {
    /// The to-be-signed bytes exactly as stored.
    pub tbs: &'a [u8],
    pub cert: Certificate,
    /// SHA-1 of `raw`, upper-case hex (the Windows thumbprint).
    pub sha1: String,
    pub subject: String,
    pub issuer: String,
}

impl<'a> Cert<'a> {
    pub fn parse(raw: &'a [u8]) -> Result<Self, String> {
        let cert = Certificate::from_der(raw).map_err(|e| e.to_string())?;
        let tbs = asn1::tbs_raw(raw).map_err(|e| e.to_string())?;
        Ok(Cert {
            tbs,
            sha1: hex_upper(&crypto::DigestAlg::Sha1.digest(raw)),
            subject: name_text(&cert.tbs_certificate.subject),
            issuer: name_text(&cert.tbs_certificate.issuer),
            cert,
        })
    }

    fn extension(&self, oid: &str) -> Option<&[u8]> {
        self.cert
            .tbs_certificate
            .extensions
            .as_ref()?
            .iter()
            .find(|e| e.extn_id.to_string() == oid)
            .map(|e| e.extn_value.as_bytes())
    }

    /// The extended key usages, dotted.
    pub fn ekus(&self) -> Vec<String> {
        self.extension(EXT_EKU)
            .and_then(|v| asn1::first(v).ok())
            .and_then(|seq| seq.children().ok())
            .map(|oids| {
                oids.into_iter()
                    .filter(|o| o.tag == tag::OID)
                    .filter_map(|o| asn1::oid_text(o.value))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn subject_key_id(&self) -> Option<&[u8]> {
        let v = asn1::first(self.extension(EXT_SKI)?).ok()?;
        (v.tag == tag::OCTET_STRING).then_some(v.value)
    }

    fn authority_key_id(&self) -> Option<&[u8]> {
        let seq = asn1::first(self.extension(EXT_AKI)?).ok()?;
        let kids = seq.children().ok()?;
        kids.into_iter()
            .find(|t| t.tag == tag::CTX0_PRIM)
            .map(|t| t.value)
    }

    pub fn is_self_issued(&self) -> bool {
        self.cert.tbs_certificate.subject == self.cert.tbs_certificate.issuer
    }

    /// Whether `parent` may have issued `self`: its subject is our issuer
    /// and, when both key identifiers are present, they agree.
    fn issued_by(&self, parent: &Cert<'_>) -> bool {
        let name_ok = self.cert.tbs_certificate.issuer == parent.cert.tbs_certificate.subject
            || names_match(&self.issuer, &parent.subject);
        if !name_ok {
            return false;
        }
        match (self.authority_key_id(), parent.subject_key_id()) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        }
    }

    /// Checks this certificate's signature with `issuer`'s key.
    pub fn verify_by(&self, issuer: &Cert<'_>) -> Verdict {
        let Some(sig) = self.cert.signature.as_bytes() else {
            return Verdict::Invalid("certificate signature has unused bits".into());
        };
        crypto::verify(
            &issuer.cert.tbs_certificate.subject_public_key_info,
            &self.cert.signature_algorithm.oid,
            None,
            self.tbs,
            sig,
        )
    }

    pub fn summary(&self) -> CertSummary {
        let validity = &self.cert.tbs_certificate.validity;
        CertSummary {
            subject: self.subject.clone(),
            issuer: self.issuer.clone(),
            sha1: self.sha1.clone(),
            not_before: validity.not_before.to_date_time().to_string(),
            not_after: validity.not_after.to_date_time().to_string(),
            ekus: self.ekus(),
        }
    }
}

/// Parses the embedded certificates, dropping exact duplicates (Trusted
/// Signing files store the leaf twice) and those that do not parse (their
/// count is returned).
pub(crate) fn parse_all<'a>(raws: &[&'a [u8]]) -> (Vec<Cert<'a>>, usize) {
    let mut seen = HashSet::new();
    let mut certs = Vec::new();
    let mut bad = 0;
    for raw in raws {
        match Cert::parse(raw) {
            Ok(c) => {
                if seen.insert(c.sha1.clone()) {
                    certs.push(c);
                }
            }
            Err(_) => bad += 1,
        }
    }
    (certs, bad)
}

/// The index of the certificate that issued `certs[child]`, if embedded.
/// When several may have (a root embedded both self-signed and
/// cross-signed by an older root), the self-issued one is taken: the chain
/// ends at the root, as Windows builds it.
pub(crate) fn issuer_of(certs: &[Cert<'_>], child: usize) -> Option<usize> {
    let c = certs.get(child)?;
    if c.is_self_issued() {
        return None;
    }
    let mut candidates = certs
        .iter()
        .enumerate()
        .filter(|(i, p)| *i != child && c.issued_by(p));
    let first = candidates.next()?;
    if first.1.is_self_issued() {
        return Some(first.0);
    }
    Some(
        candidates
            .find(|(_, p)| p.is_self_issued())
            .unwrap_or(first)
            .0,
    )
}

/// The chain from `leaf` up through the embedded issuers: leaf first, then
/// each issuer, ending at a self-issued certificate or at the last
/// certificate whose issuer is not embedded.
pub(crate) fn chain(certs: &[Cert<'_>], leaf: usize) -> Vec<usize> {
    let mut out = vec![leaf];
    let mut at = leaf;
    while let Some(next) = issuer_of(certs, at) {
        if out.contains(&next) {
            break;
        }
        out.push(next);
        at = next;
    }
    out
}

/// A name as text (see the module documentation).
pub(crate) fn name_text(name: &Name) -> String {
    name.0
        .iter()
        .rev()
        .map(|rdn| {
            rdn.0
                .iter()
                .map(|atv| {
                    format!(
                        "{}={}",
                        attribute_type(&atv.oid),
                        escape(&attribute_value(&atv.value))
                    )
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn attribute_type(oid: &ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    match dotted.as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "serialNumber",
        "2.5.4.17" => "postalCode",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "EMAIL",
        _ => return dotted,
    }
    .to_string()
}

fn attribute_value(value: &der::Any) -> String {
    let bytes = value.value();
    match value.tag().octet() {
        // UTF8String, NumericString, PrintableString, IA5String, VisibleString.
        0x0C | 0x12 | 0x13 | 0x16 | 0x1A => String::from_utf8_lossy(bytes).into_owned(),
        // TeletexString: Latin-1 in practice.
        0x14 => bytes.iter().map(|&b| char::from(b)).collect(),
        // BMPString: UTF-16BE.
        0x1E => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        // UniversalString: UTF-32BE.
        0x1C => bytes
            .chunks_exact(4)
            .map(|c| {
                char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                    .unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
        _ => {
            let mut der = Vec::new();
            if der::Encode::encode_to_vec(value, &mut der).is_err() {
                der = bytes.to_vec();
            }
            format!("#{}", hex_upper(&der))
        }
    }
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, ch) in value.chars().enumerate() {
        let special = matches!(ch, ',' | '+' | '"' | '<' | '>' | ';' | '\\')
            || (i == 0 && ch == '#')
            || (ch == ' ' && i + 1 == value.chars().count());
        if special {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Splits name text into normalised `(TYPE, value)` pairs, sorted.
fn normalise(text: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            ',' | '+' | ';' => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    let mut out: Vec<(String, String)> = parts
        .iter()
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            let k = match k.trim().to_ascii_uppercase().as_str() {
                "S" => "ST".to_string(),
                "E" | "EMAILADDRESS" => "EMAIL".to_string(),
                other => other.to_string(),
            };
            let v: String = v
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            Some((k, v))
        })
        .collect();
    out.sort();
    out
}

/// Whether two names written as text (`CN=…, O=…, C=US`, in any RDN order,
/// with `,` or `, ` between them) are the same name, ignoring case and
/// repeated spaces.
pub fn names_match(a: &str, b: &str) -> bool {
    let (a, b) = (normalise(a), normalise(b));
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acs_root() -> Vec<u8> {
        acsready_testkit::acs_root_der()
    }

    #[test]
    fn the_acs_root_as_text_and_its_thumbprint() {
        let der = acs_root();
        let c = Cert::parse(&der).unwrap();
        assert_eq!(
            c.subject,
            "CN=Microsoft Identity Verification Root Certificate Authority 2020, O=Microsoft Corporation, C=US"
        );
        assert_eq!(c.sha1, acsready_testkit::ACS_ROOT_SHA1);
        assert!(c.is_self_issued());
        assert_eq!(c.verify_by(&c), Verdict::Valid);
        let s = c.summary();
        assert_eq!(s.not_before, "2020-04-16T18:36:16Z");
        assert_eq!(s.not_after, "2045-04-16T18:44:40Z");
        assert!(s.ekus.is_empty());
        // Alone, it is its own chain.
        let (certs, bad) = parse_all(&[&der, &der]);
        assert_eq!((certs.len(), bad), (1, 0));
        assert_eq!(chain(&certs, 0), vec![0]);
    }

    #[test]
    fn names_compare_in_any_rdn_order() {
        let ours = "CN=Microsoft Identity Verification Root Certificate Authority 2020, O=Microsoft Corporation, C=US";
        assert!(names_match(
            ours,
            "C=US,O=Microsoft Corporation,CN=Microsoft Identity Verification Root Certificate Authority 2020"
        ));
        assert!(names_match(ours, &ours.to_uppercase()));
        assert!(!names_match(
            ours,
            "CN=Microsoft Root Certificate Authority 2010, O=Microsoft Corporation, C=US"
        ));
        assert!(!names_match("", ""));
        // Escaped separators stay inside their value.
        assert!(names_match("O=A\\, Inc., C=US", "C=US, O=a\\, inc."));
        assert!(!names_match("O=A\\, Inc., C=US", "O=A, C=US"));
    }

    #[test]
    fn escaping_follows_rfc_2253() {
        assert_eq!(escape("a,b"), "a\\,b");
        assert_eq!(escape("#x "), "\\#x\\ ");
        assert_eq!(escape("plain"), "plain");
    }
}
