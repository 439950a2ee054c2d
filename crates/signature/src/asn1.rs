//! Walking DER without decoding it into types: the few places where the
//! exact bytes matter (the signed attributes a signature covers, the
//! to-be-signed part of a certificate, a certificate's SHA-1) or where the
//! typed decoders are stricter than real files (a `SET OF` holding the same
//! certificate twice, as Trusted Signing files do, is a decoding error for
//! `der`'s `SetOfVec`).
//!
//! Headers and lengths are read with `der`'s [`SliceReader`], so every
//! length is checked against the bytes that are there before anything is
//! sliced; nothing here allocates from a length field.

use const_oid::ObjectIdentifier;
use der::{Decode, Header, Reader, SliceReader};

/// One tag-length-value element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (`0x30` SEQUENCE, `0xA0` `[0]` constructed, …).
    pub tag: u8,
    /// The contents octets.
    pub value: &'a [u8],
    /// The whole element: identifier, length and contents.
    pub raw: &'a [u8],
}

/// Universal and context-specific identifier octets used by CMS.
pub(crate) mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    /// `[0]` constructed (EXPLICIT, or IMPLICIT over a constructed type).
    pub const CTX0: u8 = 0xA0;
    /// `[1]` constructed.
    pub const CTX1: u8 = 0xA1;
    /// `[0]` primitive (IMPLICIT over a primitive type).
    pub const CTX0_PRIM: u8 = 0x80;
}

/// Why DER could not be walked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Asn1Error {
    #[error("malformed DER: {0}")]
    Der(String),
    #[error("expected {expected} but found tag 0x{found:02X}")]
    Unexpected { expected: &'static str, found: u8 },
    #[error("{0} is missing")]
    Missing(&'static str),
}

impl From<der::Error> for Asn1Error {
    fn from(e: der::Error) -> Self {
        Asn1Error::Der(e.to_string())
    }
}

/// Reads the first element of `bytes`; what follows it is ignored (a PE
/// certificate entry is padded to 8 bytes after the PKCS#7 blob).
pub(crate) fn first(bytes: &[u8]) -> Result<Tlv<'_>, Asn1Error> {
    let mut reader = SliceReader::new(bytes)?;
    read_one(&mut reader)
}

fn read_one<'a>(reader: &mut SliceReader<'a>) -> Result<Tlv<'a>, Asn1Error> {
    let raw = reader.tlv_bytes()?;
    let mut inner = SliceReader::new(raw)?;
    let header = Header::decode(&mut inner)?;
    let value = inner.read_slice(header.length)?;
    Ok(Tlv {
        tag: header.tag.octet(),
        value,
        raw,
    })
}

/// The elements inside a constructed value (the contents of a SEQUENCE or
/// SET), in their stored order. Fails on any malformed element.
pub(crate) fn children(value: &[u8]) -> Result<Vec<Tlv<'_>>, Asn1Error> {
    let mut out = Vec::new();
    if value.is_empty() {
        return Ok(out);
    }
    let mut reader = SliceReader::new(value)?;
    while !reader.is_finished() {
        out.push(read_one(&mut reader)?);
    }
    Ok(out)
}

impl<'a> Tlv<'a> {
    /// Checks the identifier octet.
    pub fn want(self, tag: u8, what: &'static str) -> Result<Self, Asn1Error> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(Asn1Error::Unexpected {
                expected: what,
                found: self.tag,
            })
        }
    }

    /// The elements inside this (constructed) element.
    pub fn children(self) -> Result<Vec<Tlv<'a>>, Asn1Error> {
        children(self.value)
    }

    /// The value as an OBJECT IDENTIFIER.
    pub fn oid(self) -> Result<ObjectIdentifier, Asn1Error> {
        let t = self.want(tag::OID, "an OBJECT IDENTIFIER")?;
        ObjectIdentifier::from_bytes(t.value).map_err(|e| Asn1Error::Der(e.to_string()))
    }
}

/// An OBJECT IDENTIFIER's contents as dotted text, for any arc that fits in
/// 64 bits. `const-oid` refuses some real OIDs (the per-subscriber Trusted
/// Signing EKUs such as `1.3.6.1.4.1.311.97.368317130.201670760.…`), and an
/// EKU must still be listed.
pub(crate) fn oid_text(value: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    let mut pending = false;
    for &b in value {
        if !pending && b == 0x80 {
            return None; // non-minimal encoding
        }
        acc = acc.checked_mul(128)?.checked_add(u64::from(b & 0x7F))?;
        pending = b & 0x80 != 0;
        if !pending {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    if pending || arcs.is_empty() {
        return None;
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// The algorithm OID of an `AlgorithmIdentifier` SEQUENCE.
pub(crate) fn algorithm_oid(t: Tlv<'_>) -> Result<ObjectIdentifier, Asn1Error> {
    let parts = t
        .want(tag::SEQUENCE, "an AlgorithmIdentifier")?
        .children()?;
    parts
        .first()
        .ok_or(Asn1Error::Missing("the algorithm OID"))?
        .oid()
}

/// The to-be-signed part of a certificate (or CRL), exactly as stored: the
/// first element of the outer SEQUENCE.
pub(crate) fn tbs_raw(cert: &[u8]) -> Result<&[u8], Asn1Error> {
    let outer = first(cert)?.want(tag::SEQUENCE, "a certificate SEQUENCE")?;
    Ok(first(outer.value)?.raw)
}

/// A time value as RFC 3339 (`2025-11-11T09:43:22.363Z`): `UTCTime`
/// (`YYMMDDHHMM[SS]Z`, years 50–99 are 19xx) or `GeneralizedTime`
/// (`YYYYMMDDHHMMSS[.fff]Z`, fractional seconds kept as written, which
/// `der`'s strict RFC 5280 types refuse and RFC 3161 tokens carry).
pub(crate) fn time_rfc3339(t: Tlv<'_>) -> Option<String> {
    let text = std::str::from_utf8(t.value).ok()?;
    let text = text.strip_suffix('Z')?;
    let (date, fraction) = match text.split_once('.') {
        Some((d, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (d, Some(f)),
        Some(_) => return None,
        None => (text, None),
    };
    if !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, rest) = match t.tag {
        tag::UTC_TIME => {
            let yy: u32 = date.get(0..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, date.get(2..)?)
        }
        tag::GENERALIZED_TIME => (date.get(0..4)?.parse().ok()?, date.get(4..)?),
        _ => return None,
    };
    let field = |at: usize| -> Option<u32> { rest.get(at..at + 2)?.parse().ok() };
    let (month, day, hour, minute) = (field(0)?, field(2)?, field(4)?, field(6)?);
    let second = match rest.len() {
        8 => 0,
        10 => field(8)?,
        _ => return None,
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut out = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out.push('Z');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_nested_elements_and_keeps_raw_bytes() {
        // SEQUENCE { INTEGER 1, SET { OID 2.5.4.3 } } followed by padding.
        let bytes = [
            0x30, 0x0A, 0x02, 0x01, 0x01, 0x31, 0x05, 0x06, 0x03, 0x55, 0x04, 0x03, 0, 0, 0,
        ];
        let seq = first(&bytes).unwrap();
        assert_eq!(seq.tag, tag::SEQUENCE);
        assert_eq!(seq.raw.len(), 12);
        let kids = seq.children().unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[0].value, [1]);
        let oid = kids[1].children().unwrap()[0].oid().unwrap();
        assert_eq!(oid.to_string(), "2.5.4.3");
    }

    #[test]
    fn oids_as_text_with_large_arcs() {
        // 1.3.6.1.4.1.311.97.368317130.201670760.425010060.754072028, the
        // per-subscriber EKU of a real Trusted Signing leaf.
        let der = [
            0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x61, 0x81, 0xAF, 0xD0, 0xA5, 0x4A, 0xE0,
            0x95, 0x80, 0x68, 0x81, 0xCA, 0xD4, 0xC7, 0x0C, 0x82, 0xE7, 0xC8, 0xF3, 0x5C,
        ];
        assert_eq!(
            oid_text(&der).as_deref(),
            Some("1.3.6.1.4.1.311.97.368317130.201670760.425010060.754072028")
        );
        assert_eq!(oid_text(&[0x55, 0x04, 0x03]).as_deref(), Some("2.5.4.3"));
        assert_eq!(oid_text(&[0x2B, 0x86]), None);
        assert_eq!(oid_text(&[]), None);
        assert_eq!(oid_text(&[0x2B, 0x80, 0x01]), None);
    }

    #[test]
    fn lengths_past_the_end_are_errors() {
        assert!(first(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]).is_err());
        assert!(first(&[0x30, 0x05, 0x02]).is_err());
        assert!(first(&[]).is_err());
        assert!(children(&[0x02, 0x01]).is_err());
    }

    #[test]
    fn times_with_and_without_fractions() {
        let gt = Tlv {
            tag: tag::GENERALIZED_TIME,
            value: b"20251111094322.363Z",
            raw: &[],
        };
        assert_eq!(
            time_rfc3339(gt).as_deref(),
            Some("2025-11-11T09:43:22.363Z")
        );
        let ut = Tlv {
            tag: tag::UTC_TIME,
            value: b"990102030405Z",
            raw: &[],
        };
        assert_eq!(time_rfc3339(ut).as_deref(), Some("1999-01-02T03:04:05Z"));
        let bad = Tlv {
            tag: tag::UTC_TIME,
            value: b"99010203040Z",
            raw: &[],
        };
        assert_eq!(time_rfc3339(bad), None);
        let bad_month = Tlv {
            tag: tag::GENERALIZED_TIME,
            value: b"20251311094322Z",
            raw: &[],
        };
        assert_eq!(time_rfc3339(bad_month), None);
    }
}
