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
