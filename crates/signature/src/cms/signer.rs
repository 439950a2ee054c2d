//! The certificates of a signature: the signer's, the root, and whether the
//! chain is an ACS / Trusted Signing one (by root or EKU).

use der::Decode;
use x509_cert::name::Name;

use super::SignerId;
use crate::asn1;
use crate::certs::{self, Cert};
use crate::crypto::Verdict;
use crate::AcsIdentity;

/// Whether a certificate is a root: self-issued, and its signature
/// verifies with its own key (or uses an algorithm this crate does not
/// verify). A certificate that names itself as its issuer but whose
/// signature is bad is not a root.
pub(super) fn is_root(cert: &Cert<'_>) -> bool {
    cert.is_self_issued() && !matches!(cert.verify_by(cert), Verdict::Invalid(_))
}

pub(super) fn find_signer(certs: &[Cert<'_>], sid: &SignerId<'_>) -> Option<usize> {
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
