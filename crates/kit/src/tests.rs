use acsready_assess::HostAssessment;
use acsready_rules::{Lang, Rules};

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

fn host(
    name: &str,
    verdict: acsready_assess::Verdict,
    codes: &[(&str, acsready_rules::Severity)],
) -> HostAssessment {
    HostAssessment {
        host: name.into(),
        os: Default::default(),
        verdict,
        findings: codes
            .iter()
            .map(|(c, s)| acsready_assess::Finding {
                code: c.to_string(),
                severity: *s,
                title: String::new(),
                evidence: vec![],
                remediation: vec![],
                params: Default::default(),
            })
            .collect(),
        agents: vec![],
        sources: vec![],
        modules: vec![],
    }
}

#[test]
fn verify_tells_fixed_still_failing_worse_and_missing_hosts_apart() {
    use acsready_assess::Verdict::*;
    use acsready_rules::Severity::*;
    use verify::Outcome;
    let before = vec![
        host("WEB01", NotReady, &[("ACS004", High), ("ACS100", Info)]),
        host("db02", NotReady, &[("ACS001", High)]),
        host("app03", Ready, &[("ACS100", Info)]),
        host("old04", Unknown, &[("ACS010", Medium)]),
        host("gone05", NotReady, &[("ACS001", High)]),
    ];
    let after = vec![
        host("web01.corp.example", Ready, &[("ACS101", Info)]),
        host("db02", NotReady, &[("ACS001", High), ("ACS006", High)]),
        host("app03", NotReady, &[("ACS004", High)]),
        host("old04", NotReady, &[("ACS001", High)]),
        host("new06", Ready, &[]),
    ];
    let key = |h: &str| h.split('.').next().unwrap_or(h).to_ascii_lowercase();
    let c = verify::compare(&before, &after, key);
    let outcomes: Vec<(&str, Outcome)> = c.iter().map(|x| (x.host.as_str(), x.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            ("WEB01", Outcome::Fixed),
            ("db02", Outcome::Worse),
            ("app03", Outcome::Worse),
            ("old04", Outcome::Worse),
            ("gone05", Outcome::NotCollected),
            ("new06", Outcome::New),
        ]
    );
    assert_eq!(c[0].resolved, ["ACS004"]);
    assert_eq!(c[0].reason(Lang::En), "not_ready → ready; resolved: ACS004");
    assert_eq!(c[1].new, ["ACS006"]);
    assert_eq!(c[1].remaining, ["ACS001"]);
    assert!(c[1].reason(Lang::Ja).contains("新規: ACS006"));
}
