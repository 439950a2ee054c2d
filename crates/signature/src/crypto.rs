//! Digests and signature checks: SHA-1 and SHA-2 (RustCrypto `sha1`,
//! `sha2`), RSA PKCS#1 v1.5 (`rsa`) and ECDSA on P-256 / P-384 (`p256`,
//! `p384`). Only public-key verification happens here; nothing is trusted
//! because it verifies (there is no trust store).

use const_oid::ObjectIdentifier;
use der::Decode;
use sha2::digest::DynDigest;
use sha2::Digest;
use spki::SubjectPublicKeyInfoOwned;

/// A digest algorithm Authenticode uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DigestAlg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

const OID_SHA1: &str = "1.3.14.3.2.26";
const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
const OID_SHA384: &str = "2.16.840.1.101.3.4.2.2";
const OID_SHA512: &str = "2.16.840.1.101.3.4.2.3";

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

impl DigestAlg {
    /// The algorithm of a digest OID (`2.16.840.1.101.3.4.2.1` …).
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match oid.to_string().as_str() {
            OID_SHA1 => Some(Self::Sha1),
            OID_SHA256 => Some(Self::Sha256),
            OID_SHA384 => Some(Self::Sha384),
            OID_SHA512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// Lower-case name as reported: `sha1`, `sha256`, `sha384`, `sha512`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// A fresh hasher.
    pub fn hasher(self) -> Box<dyn DynDigest> {
        match self {
            Self::Sha1 => Box::new(sha1::Sha1::new()),
            Self::Sha256 => Box::new(sha2::Sha256::new()),
            Self::Sha384 => Box::new(sha2::Sha384::new()),
            Self::Sha512 => Box::new(sha2::Sha512::new()),
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finalize().to_vec()
    }
}

/// Lets a boxed [`DynDigest`] be fed by code that takes `digest::Update`
/// (the `authenticode` crate's image hash).
pub(crate) struct UpdateAdapter<'a>(pub &'a mut dyn DynDigest);

impl sha2::digest::Update for UpdateAdapter<'_> {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
}

/// What checking one signature gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Valid,
    /// The signature does not verify with the key.
    Invalid(String),
    /// The algorithm or key is not one this crate verifies.
    Unsupported(String),
}

/// How a signature algorithm identifier names the scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// RSA PKCS#1 v1.5 with this digest (`sha256WithRSAEncryption`), or with
    /// the digest given elsewhere (`rsaEncryption`, as CMS signer infos say).
    Rsa(Option<DigestAlg>),
    /// ECDSA with this digest, or with the digest given elsewhere.
    Ecdsa(Option<DigestAlg>),
}

fn scheme(oid: &ObjectIdentifier) -> Option<Scheme> {
    Some(match oid.to_string().as_str() {
        OID_RSA => Scheme::Rsa(None),
        // sha1WithRSAEncryption, and the old OIW sha1WithRSASignature.
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => Scheme::Rsa(Some(DigestAlg::Sha1)),
        "1.2.840.113549.1.1.11" => Scheme::Rsa(Some(DigestAlg::Sha256)),
        "1.2.840.113549.1.1.12" => Scheme::Rsa(Some(DigestAlg::Sha384)),
        "1.2.840.113549.1.1.13" => Scheme::Rsa(Some(DigestAlg::Sha512)),
        OID_EC_PUBLIC_KEY => Scheme::Ecdsa(None),
        "1.2.840.10045.4.1" => Scheme::Ecdsa(Some(DigestAlg::Sha1)),
        "1.2.840.10045.4.3.2" => Scheme::Ecdsa(Some(DigestAlg::Sha256)),
        "1.2.840.10045.4.3.3" => Scheme::Ecdsa(Some(DigestAlg::Sha384)),
        "1.2.840.10045.4.3.4" => Scheme::Ecdsa(Some(DigestAlg::Sha512)),
        _ => return None,
    })
}

/// Largest RSA modulus accepted, in bits (roots use 4096; 16384 bounds the
/// work an absurd key could cause).
const MAX_RSA_BITS: usize = 16384;

/// Checks `signature` over `message` with the key in `spki`.
///
/// `sig_alg` is the signature algorithm identifier; where it names only the
/// key type (`rsaEncryption`, `id-ecPublicKey`), `digest` gives the hash.
pub(crate) fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &ObjectIdentifier,
    digest: Option<DigestAlg>,
    message: &[u8],
    signature: &[u8],
) -> Verdict {
    let Some(scheme) = scheme(sig_alg) else {
        return Verdict::Unsupported(format!("signature algorithm {sig_alg} is not supported"));
    };
    let (Scheme::Rsa(named) | Scheme::Ecdsa(named)) = scheme;
    let Some(alg) = named.or(digest) else {
        return Verdict::Unsupported(format!("no digest algorithm for {sig_alg}"));
    };
    let hashed = alg.digest(message);
    let key_alg = spki.algorithm.oid.to_string();
    match scheme {
        Scheme::Rsa(_) if key_alg == OID_RSA => verify_rsa(spki, alg, &hashed, signature),
        Scheme::Ecdsa(_) if key_alg == OID_EC_PUBLIC_KEY => verify_ecdsa(spki, &hashed, signature),
        _ => Verdict::Unsupported(format!(
            "signature algorithm {sig_alg} does not fit a {key_alg} key"
        )),
    }
}

fn verify_rsa(
    spki: &SubjectPublicKeyInfoOwned,
    alg: DigestAlg,
    hashed: &[u8],
    signature: &[u8],
) -> Verdict {
    use rsa::pkcs1v15::Pkcs1v15Sign;
    use rsa::BigUint;

    let Some(bits) = spki.subject_public_key.as_bytes() else {
        return Verdict::Unsupported("RSA key bit string has unused bits".into());
    };
    let key = match rsa::pkcs1::RsaPublicKey::from_der(bits) {
        Ok(k) => k,
        Err(e) => return Verdict::Unsupported(format!("RSA key cannot be read: {e}")),
    };
    let key = match rsa::RsaPublicKey::new_with_max_size(
        BigUint::from_bytes_be(key.modulus.as_bytes()),
        BigUint::from_bytes_be(key.public_exponent.as_bytes()),
        MAX_RSA_BITS,
    ) {
        Ok(k) => k,
        Err(e) => return Verdict::Unsupported(format!("RSA key is not usable: {e}")),
    };
    // A signature whose leading zero bytes were dropped is still the same
    // number; pad it back to the modulus size.
    let size = rsa::traits::PublicKeyParts::size(&key);
    if signature.len() > size {
        return Verdict::Invalid("RSA signature is longer than the key".into());
    }
    let mut sig = vec![0u8; size - signature.len()];
    sig.extend_from_slice(signature);
    let scheme = match alg {
        DigestAlg::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
        DigestAlg::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
        DigestAlg::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
        DigestAlg::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
    };
    match key.verify(scheme, hashed, &sig) {
        Ok(()) => Verdict::Valid,
        // Some old signers put the bare digest in the block, without the
        // DigestInfo prefix (signify accepts this as "legacy" too).
        Err(_)
            if key
                .verify(Pkcs1v15Sign::new_unprefixed(), hashed, &sig)
                .is_ok() =>
        {
            Verdict::Valid
        }
        Err(e) => Verdict::Invalid(format!("RSA signature does not verify: {e}")),
    }
}

fn verify_ecdsa(spki: &SubjectPublicKeyInfoOwned, hashed: &[u8], signature: &[u8]) -> Verdict {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;

    let curve = match spki.algorithm.parameters.as_ref() {
        Some(p) => match p.decode_as::<ObjectIdentifier>() {
            Ok(o) => Some(o.to_string()),
            // Explicit curve parameters: what CVE-2020-0601 spoofing used.
            Err(_) => {
                return Verdict::Unsupported(
                    "EC keys with explicit curve parameters are not accepted".into(),
                )
            }
        },
        None => None,
    };
    let Some(point) = spki.subject_public_key.as_bytes() else {
        return Verdict::Unsupported("EC key bit string has unused bits".into());
    };
    // A digest shorter than the field (SHA-1 with P-384) is the same number
    // with zeros in front; `ecdsa` refuses one shorter than half the field.
    let padded = |field_len: usize| {
        let mut h = vec![0u8; field_len.saturating_sub(hashed.len())];
        h.extend_from_slice(hashed);
        h
    };
    let result = match curve.as_deref() {
        Some(OID_P256) => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point);
            let sig = p256::ecdsa::Signature::from_der(signature);
            match (key, sig) {
                (Ok(k), Ok(s)) => k.verify_prehash(&padded(32), &s).map_err(|e| e.to_string()),
                (Err(e), _) => return Verdict::Unsupported(format!("P-256 key: {e}")),
                (_, Err(e)) => Err(format!("malformed ECDSA signature: {e}")),
            }
        }
        Some(OID_P384) => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point);
            let sig = p384::ecdsa::Signature::from_der(signature);
            match (key, sig) {
                (Ok(k), Ok(s)) => k.verify_prehash(&padded(48), &s).map_err(|e| e.to_string()),
                (Err(e), _) => return Verdict::Unsupported(format!("P-384 key: {e}")),
                (_, Err(e)) => Err(format!("malformed ECDSA signature: {e}")),
            }
        }
        other => {
            return Verdict::Unsupported(format!(
                "EC curve {} is not supported",
                other.unwrap_or("(none)")
            ))
        }
    };
    match result {
        Ok(()) => Verdict::Valid,
        Err(e) => Verdict::Invalid(format!("ECDSA signature does not verify: {e}")),
    }
}

/// Upper-case hex, as Windows shows thumbprints.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_by_oid() {
        let oid = ObjectIdentifier::new_unwrap(OID_SHA256);
        let alg = DigestAlg::from_oid(&oid).unwrap();
        assert_eq!(alg.name(), "sha256");
        assert_eq!(
            hex_upper(&alg.digest(b"abc")),
            "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
        );
        assert_eq!(
            DigestAlg::from_oid(&ObjectIdentifier::new_unwrap("1.2.840.113549.2.5")),
            None
        );
    }

    #[test]
    fn the_acs_root_verifies_itself_and_not_a_changed_message() {
        let der = std::fs::read(acsready_testkit::shared(
            "facts/MicrosoftIdentityVerificationRootCA2020.cer",
        ))
        .unwrap();
        let cert = <x509_cert::Certificate as Decode>::from_der(&der).unwrap();
        let tbs = crate::asn1::tbs_raw(&der).unwrap();
        let spki = &cert.tbs_certificate.subject_public_key_info;
        let sig = cert.signature.as_bytes().unwrap();
        let alg = &cert.signature_algorithm.oid;
        assert_eq!(verify(spki, alg, None, tbs, sig), Verdict::Valid);
        let mut changed = tbs.to_vec();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert!(matches!(
            verify(spki, alg, None, &changed, sig),
            Verdict::Invalid(_)
        ));
        let md5_rsa = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.4");
        assert!(matches!(
            verify(spki, &md5_rsa, None, tbs, sig),
            Verdict::Unsupported(_)
        ));
    }
}
