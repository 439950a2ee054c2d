//! Walking the `SignedData` structure with [`crate::asn1`]: the content
//! info, the signer infos and their attributes, as stored.

use const_oid::ObjectIdentifier;

use super::{CmsError, ID_SIGNED_DATA};
use crate::asn1::{self, tag, Asn1Error, Tlv};

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

pub(super) fn attribute<'a, 'b>(
    attrs: &'b [(String, Vec<Tlv<'a>>)],
    oid: &str,
) -> Option<&'b [Tlv<'a>]> {
    attrs
        .iter()
        .find(|(o, _)| o == oid)
        .map(|(_, v)| v.as_slice())
}
