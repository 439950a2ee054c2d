//! The signing time, from the timestamp in a signature's unsigned
//! attributes.

use super::{
    attribute, attributes, signed_data, signer_info, ID_AA_TIMESTAMP_TOKEN, ID_COUNTER_SIGNATURE,
    ID_CT_TSTINFO, ID_SIGNING_TIME, MS_RFC3161_TIMESTAMP,
};
use crate::asn1::{self, tag, Tlv};

/// The signing time from a timestamp in the unsigned attributes: an
/// RFC 3161 token (its `genTime`) or a legacy countersignature (its
/// `signingTime`).
pub(super) fn signing_time(unsigned: &[(String, Vec<Tlv<'_>>)]) -> Option<String> {
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
