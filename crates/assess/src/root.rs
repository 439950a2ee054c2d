//! Is "Microsoft Identity Verification Root Certificate Authority 2020" trusted?

use acsready_facts::HostFacts;
use acsready_rules::{codes, Rules};

use crate::findings::{ev, Findings, MISSING};
use crate::Status;

pub(crate) fn assess_root(facts: &HostFacts, rules: &Rules, findings: &mut Findings) -> Status {
    let root = &rules.root_certificate;
    let Some(certs) = &facts.certificates else {
        let how = findings.text("how.certificates", &[]).join("\n");
        findings.add(
            codes::FACT_MISSING,
            &[("fact", "certificates"), ("how", &how)],
            vec![ev("certificates", MISSING)],
        );
        return Status::Unknown;
    };
    let stores: Vec<_> = certs
        .iter()
        .filter(|c| c.sha1 == root.sha1)
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
            vec![ev("certificates", format!("{} in {list}", root.sha1))],
        );
        return Status::Met;
    }
    let absent = ev(
        "certificates",
        format!(
            "{} not in a trusted root store ({} certificates listed)",
            root.sha1,
            certs.len()
        ),
    );
    match facts.root_auto_update_disabled {
        Some(true) => {
            findings.add(
                codes::ROOT_MISSING_AUTO_UPDATE_OFF,
                &[],
                vec![absent, ev("root_auto_update_disabled", "true")],
            );
            Status::NotMet
        }
        Some(false) => {
            findings.add(
                codes::ROOT_NOT_YET_IN_STORE,
                &[],
                vec![absent, ev("root_auto_update_disabled", "false")],
            );
            Status::Met
        }
        None => {
            let how = findings
                .text("how.root_auto_update_disabled", &[])
                .join("\n");
            findings.add(
                codes::FACT_MISSING,
                &[("fact", "root_auto_update_disabled"), ("how", &how)],
                vec![absent, ev("root_auto_update_disabled", MISSING)],
            );
            Status::Unknown
        }
    }
}
