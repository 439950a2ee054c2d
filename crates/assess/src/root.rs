//! Is "Microsoft Identity Verification Root Certificate Authority 2020" trusted?

use acsready_facts::{EasyFix, HostFacts};
use acsready_rules::{codes, Rules};

use crate::findings::{ev, Findings};
use crate::os::missing_fact;
use crate::Status;

pub(crate) fn assess_root(facts: &HostFacts, rules: &Rules, findings: &mut Findings) -> Status {
    let root = &rules.root_certificate;
    if facts.easyfix == Some(EasyFix::Failed) {
        findings.add(codes::EASYFIX_FAILED, &[], vec![ev("easyfix", "failed")]);
    }
    let Some(certs) = &facts.certificates else {
        // The vendor's tool confirmed the root (installed or already there).
        if let Some(result @ (EasyFix::Fixed | EasyFix::NothingMissing)) = facts.easyfix {
            let value = if result == EasyFix::Fixed {
                "fixed"
            } else {
                "nothing_missing"
            };
            findings.add(
                codes::ROOT_TRUSTED,
                &[("stores", "EasyFix")],
                vec![ev("easyfix", value)],
            );
            return Status::Met;
        }
        missing_fact(findings, "certificates", Vec::new());
        return Status::Unknown;
    };
    let named_root = |c: &&acsready_facts::CertificateFact| c.sha1 == root.sha1;
    for c in certs.iter().filter(named_root) {
        if let Some(der) = c.der_sha1.as_deref().filter(|d| *d != root.sha1) {
            findings.add(
                codes::CERTIFICATE_ENTRY_MISMATCH,
                &[("store", c.store.as_str())],
                vec![ev(
                    "certificates",
                    format!("{} in {}: certificate SHA-1 {der}", c.sha1, c.store),
                )],
            );
        }
    }
    // An entry whose certificate is not the one its name claims does not count.
    let genuine =
        |c: &&acsready_facts::CertificateFact| c.der_sha1.as_deref().is_none_or(|d| d == root.sha1);
    let stores: Vec<_> = certs
        .iter()
        .filter(named_root)
        .filter(genuine)
        .filter_map(|c| rules.store(&c.store).map(|s| (s, c.store.as_str())))
        .collect();
    let found = |pred: fn(&acsready_rules::Store) -> bool| -> Vec<&str> {
        stores
            .iter()
            .filter(|(s, _)| pred(s))
            .map(|(_, n)| *n)
            .collect()
    };
    let distrusted = found(|s| s.distrusts);
    if !distrusted.is_empty() {
        findings.add(
            codes::ROOT_DISTRUSTED,
            &[("store", distrusted[0])],
            vec![ev(
                "certificates",
                format!("{} in {}", root.sha1, distrusted.join(", ")),
            )],
        );
        return Status::NotMet;
    }
    let trusted = found(|s| s.trusts);
    if !trusted.is_empty() {
        let list = trusted.join(", ");
        findings.add(
            codes::ROOT_TRUSTED,
            &[("stores", &list)],
            findings.evidence(|| vec![ev("certificates", format!("{} in {list}", root.sha1))]),
        );
        return Status::Met;
    }
    let absent = || {
        ev(
            "certificates",
            format!(
                "{} not in a trusted root store ({} certificates listed)",
                root.sha1,
                certs.len()
            ),
        )
    };
    match facts.root_auto_update_disabled {
        Some(true) => {
            findings.add(
                codes::ROOT_MISSING_AUTO_UPDATE_OFF,
                &[],
                findings.evidence(|| vec![absent(), ev("root_auto_update_disabled", "true")]),
            );
            Status::NotMet
        }
        Some(false) => {
            findings.add(
                codes::ROOT_NOT_YET_IN_STORE,
                &[],
                findings.evidence(|| vec![absent(), ev("root_auto_update_disabled", "false")]),
            );
            Status::Met
        }
        None => {
            let evidence = findings.evidence(|| vec![absent()]);
            missing_fact(findings, "root_auto_update_disabled", evidence);
            Status::Unknown
        }
    }
}

/// ACS017: roots the installed products' own signature checks need, absent
/// from every trusted store of a host whose automatic root update is off.
/// Where the update is on (or unknown), Windows fetches them when needed.
pub(crate) fn vendor_roots(facts: &HostFacts, rules: &Rules, findings: &mut Findings) {
    let (Some(certs), Some(agents), Some(true)) = (
        &facts.certificates,
        &facts.agents,
        facts.root_auto_update_disabled,
    ) else {
        return;
    };
    let trusted = |sha1: &str| {
        certs.iter().any(|c| {
            c.sha1 == sha1
                && c.der_sha1.as_deref().is_none_or(|d| d == sha1)
                && rules.store(&c.store).is_some_and(|s| s.trusts)
        })
    };
    let missing: Vec<_> = rules
        .vendor_certificates
        .iter()
        .filter(|v| agents.iter().any(|a| v.products.contains(&a.product)))
        .filter(|v| !trusted(&v.sha1))
        .collect();
    if missing.is_empty() {
        return;
    }
    let names = missing
        .iter()
        .map(|v| format!("{} ({})", v.name, v.sha1))
        .collect::<Vec<_>>()
        .join("; ");
    findings.add(
        codes::VENDOR_ROOT_MISSING,
        &[("certificates", &names)],
        vec![
            ev(
                "certificates",
                format!("absent from the trusted stores: {names}"),
            ),
            ev("root_auto_update_disabled", "true"),
        ],
    );
}
