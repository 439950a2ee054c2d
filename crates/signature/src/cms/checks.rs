//! The integrity checks of one signature (steps 2–5 of the module
//! documentation of [`super`]) and their outcome.

use super::{
    attribute, attributes, SignerInfo, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, SPC_INDIRECT_DATA,
};
use crate::asn1::tag;
use crate::certs::{self, Cert};
use crate::crypto::{self, DigestAlg, Verdict};
use crate::Integrity;

/// Steps 2–4 of the module documentation.
pub(super) fn check_signer(
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
pub(super) fn check_certificates(certs: &[Cert<'_>], chain: &[usize], checks: &mut Checks) {
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

/// The outcome of the checks of one signature.
#[derive(Default)]
pub(super) struct Checks {
    tampered: Option<String>,
    unverifiable: Option<String>,
}

impl Checks {
    pub(super) fn tampered(&mut self, reason: String) {
        self.tampered.get_or_insert(reason);
    }
    pub(super) fn unverifiable(&mut self, reason: String) {
        self.unverifiable.get_or_insert(reason);
    }
    pub(super) fn verdict(self) -> Integrity {
        match (self.tampered, self.unverifiable) {
            (Some(reason), _) => Integrity::Tampered { reason },
            (None, Some(reason)) => Integrity::Unverifiable { reason },
            (None, None) => Integrity::Intact,
        }
    }
}
