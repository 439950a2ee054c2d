use acsready_rules::Rules;

use super::*;

fn rules() -> Rules {
    Rules::embedded().expect("embedded rules")
}

#[test]
fn the_root_certificate_of_the_rules_matches_its_thumbprints() {
    let r = rules();
    let der = root_der(&r).expect("certificate");
    assert_eq!(der.len(), 1488);
    let mut broken = r.clone();
    if let Some(fix) = broken.remediation.as_mut() {
        fix.root_certificate.der_base64 = fix.root_certificate.der_base64.replacen('M', "N", 1);
    }
    let e = root_der(&broken).expect_err("a changed certificate is refused");
    assert!(e.to_string().contains("SHA-1"), "{e}");
}

#[test]
fn the_blob_holds_the_hash_property_then_the_certificate() {
    let der = root_der(&rules()).expect("certificate");
    let blob = store_blob(&der);
    assert_eq!(&blob[0..12], &[3, 0, 0, 0, 1, 0, 0, 0, 20, 0, 0, 0]);
    assert_eq!(&blob[32..36], &[0x20, 0, 0, 0]);
    assert_eq!(&blob[44..], der.as_slice());
}
