//! Does the host's Windows have the update KB5022661 names for it?

use acsready_facts::{kb_number, HostFacts};
use acsready_rules::{
    codes, days_between, ConflictPolicy, Installation, Requirement, RequirementKind, Rules,
    Servicing, WindowsRow,
};

use crate::findings::{ev, text_ref, Findings, MISSING};
use crate::model::{Evidence, OsSummary, Params};
use crate::Status;

pub(crate) struct OsOutcome {
    pub summary: OsSummary,
    pub status: Status,
}

/// The installation type, from InstallationType, else from ProductName or EditionID
/// mentioning "Server" (which tells server from client even on Windows 11).
pub(crate) fn installation(facts: &HostFacts) -> (Option<Installation>, Vec<Evidence>) {
    let Some(os) = &facts.os else {
        return (None, vec![]);
    };
    if let Some(t) = &os.installation_type {
        if let Some(i) = Installation::from_installation_type(t) {
            return (Some(i), vec![ev("os.installation_type", t.clone())]);
        }
    }
    for (fact, value) in [
        ("os.product_name", &os.product_name),
        ("os.edition_id", &os.edition_id),
    ] {
        if let Some(v) = value {
            if v.to_ascii_lowercase().contains("server") {
                return (Some(Installation::Server), vec![ev(fact, v.clone())]);
            }
        }
    }
    (None, vec![])
}

pub(crate) fn missing_fact(findings: &mut Findings, fact: &str, mut evidence: Vec<Evidence>) {
    evidence.push(ev(fact, MISSING));
    let mut params = findings.plain(&[("fact", fact)]);
    findings.put(&mut params, "how", || {
        findings.texts(
            || vec![text_ref(&format!("how.{fact}"), Params::new())],
            "\n",
        )
    });
    findings.add_params(codes::FACT_MISSING, params, evidence);
}

pub(crate) fn assess_os(facts: &HostFacts, rules: &Rules, findings: &mut Findings) -> OsOutcome {
    let product_name = facts
        .os
        .as_ref()
        .and_then(|o| o.product_name.clone())
        .unwrap_or_default();
    let mut summary = OsSummary {
        name: product_name,
        build: facts.build(),
        ubr: facts.ubr(),
        release: None,
    };
    let Some(build) = summary.build else {
        missing_fact(findings, "os.current_build", vec![]);
        return OsOutcome {
            summary,
            status: Status::Unknown,
        };
    };
    let (installation, mut evidence) = installation(facts);
    if findings.full() {
        evidence.insert(0, ev("os.current_build", build.to_string()));
    }
    let rows = rules.windows_rows(build, installation);
    let row = match rows.as_slice() {
        [] => {
            let b = build.to_string();
            findings.add(codes::BUILD_NOT_IN_RULES, &[("build", &b)], evidence);
            return OsOutcome {
                summary,
                status: Status::Unknown,
            };
        }
        [row] => *row,
        [first, rest @ ..] => {
            if rest.iter().all(|r| same_requirements(r, first)) {
                *first
            } else {
                summary.name = rows
                    .iter()
                    .map(|r| r.display_name(None))
                    .collect::<Vec<_>>()
                    .join(" / ");
                missing_fact(findings, "os.installation_type", evidence);
                return OsOutcome {
                    summary,
                    status: Status::Unknown,
                };
            }
        }
    };
    summary.name = row.display_name(installation);
    summary.release = Some(row.id.clone());
    let status = assess_row(facts, rules, row, &summary, evidence, findings);
    OsOutcome { summary, status }
}

fn same_requirements(a: &WindowsRow, b: &WindowsRow) -> bool {
    a.requirements.len() == b.requirements.len()
        && a.requirements
            .iter()
            .zip(&b.requirements)
            .all(|(x, y)| x.kind == y.kind)
}

/// The requirement the policy applies, and the others for the record.
fn applied_requirement<'a>(
    rules: &Rules,
    row: &'a WindowsRow,
) -> (&'a Requirement, Vec<&'a Requirement>) {
    let mut reqs: Vec<&Requirement> = row.requirements.iter().collect();
    reqs.sort_by(|a, b| a.kind.cmp_strictness(&b.kind));
    if rules.policy.conflicting_sources == ConflictPolicy::Strictest {
        reqs.reverse();
    }
    let applied = reqs.remove(0);
    (applied, reqs)
}

fn assess_row(
    facts: &HostFacts,
    rules: &Rules,
    row: &WindowsRow,
    summary: &OsSummary,
    mut evidence: Vec<Evidence>,
    findings: &mut Findings,
) -> Status {
    let os = summary.name.as_str();
    let (req, others) = applied_requirement(rules, row);
    if !others.is_empty() {
        let applied = format!("{} [{}]", req.kind.describe(), req.source);
        let other = others
            .iter()
            .map(|r| format!("{} [{}]", r.kind.describe(), r.source))
            .collect::<Vec<_>>()
            .join("; ");
        findings.add(
            codes::SOURCES_DISAGREE,
            &[("os", os), ("applied", &applied), ("other", &other)],
            vec![ev("rules.windows", row.id.clone())],
        );
    }
    let status = match &req.kind {
        RequirementKind::Native => Status::Met,
        RequirementKind::None => {
            findings.add(codes::OS_UNSUPPORTED, &[("os", os)], evidence.clone());
            Status::Unsupported
        }
        RequirementKind::MinUbr {
            ubr: min,
            kb,
            released,
        } => {
            let has_kb = facts.updates.as_ref().is_some_and(|u| u.contains(kb));
            match summary.ubr {
                Some(ubr) => {
                    if findings.full() {
                        evidence.push(ev("os.ubr", ubr.to_string()));
                    }
                    // The UBR is what runs; an installed KB with a lower UBR is pending.
                    if ubr >= *min {
                        Status::Met
                    } else {
                        let build = summary.build.unwrap_or_default().to_string();
                        let (u, m) = (ubr.to_string(), min.to_string());
                        findings.add(
                            codes::OS_UPDATE_MISSING,
                            &[
                                ("os", os),
                                ("build", &build),
                                ("ubr", &u),
                                ("min_ubr", &m),
                                ("kb", kb),
                                ("released", released),
                            ],
                            evidence.clone(),
                        );
                        Status::NotMet
                    }
                }
                None if has_kb => {
                    evidence.push(ev("updates", kb.clone()));
                    Status::Met
                }
                None => {
                    missing_fact(findings, "os.ubr", evidence.clone());
                    Status::Unknown
                }
            }
        }
        RequirementKind::Update {
            monthly_rollup,
            security_only,
            released: _,
            servicing,
        } => legacy_update(
            facts,
            rules,
            (os, monthly_rollup, security_only, servicing),
            &mut evidence,
            findings,
        ),
    };
    if status != Status::Met {
        pending_restart(facts, rules, &req.kind, findings);
    }
    if status == Status::Met {
        findings.add(codes::OS_REQUIREMENT_MET, &[("os", os)], evidence);
    } else if row.esu_required && status != Status::Unsupported {
        let unknown = || "—".to_string();
        let end = row.esu_end.clone().unwrap_or_else(unknown);
        let azure = row.esu_end_azure.clone().unwrap_or_else(unknown);
        findings.add(
            codes::ESU_REQUIRED,
            &[("os", os), ("esu_end", &end), ("esu_end_azure", &azure)],
            vec![ev("rules.windows", row.id.clone())],
        );
    }
    status
}

/// An update that would meet the requirement is staged or waits for a restart.
fn pending_restart(
    facts: &HostFacts,
    rules: &Rules,
    kind: &RequirementKind,
    findings: &mut Findings,
) {
    let Some(pending) = &facts.pending_updates else {
        return;
    };
    let counts = |kb: &String| match kind {
        RequirementKind::MinUbr { kb: needed, .. } => kb == needed,
        RequirementKind::Update {
            monthly_rollup,
            security_only,
            servicing,
            ..
        } => {
            kb == monthly_rollup
                || kb == security_only
                || rules
                    .servicing(servicing)
                    .is_some_and(|s| s.monthly_rollups.iter().any(|r| &r.kb == kb))
        }
        RequirementKind::Native | RequirementKind::None => false,
    };
    if let Some(kb) = pending.iter().find(|kb| counts(kb)) {
        findings.add(
            codes::UPDATE_PENDING_RESTART,
            &[("kb", kb)],
            vec![ev("pending_updates", pending.join(", "))],
        );
    }
}

/// Legacy servicing: the October 2021 rollup or security-only update, or any
/// later monthly rollup. Updates newer than October 2021 that the rules cannot
/// classify make the answer unknown.
fn legacy_update(
    facts: &HostFacts,
    rules: &Rules,
    (os, monthly_rollup, security_only, servicing): (&str, &str, &str, &str),
    evidence: &mut Vec<Evidence>,
    findings: &mut Findings,
) -> Status {
    let Some(updates) = &facts.updates else {
        missing_fact(findings, "updates", evidence.clone());
        return Status::Unknown;
    };
    let line = rules.servicing(servicing);
    let later_rollup =
        |kb: &String| line.is_some_and(|s| s.monthly_rollups.iter().any(|r| &r.kb == kb));
    if let Some(kb) = updates
        .iter()
        .find(|kb| *kb == monthly_rollup || *kb == security_only || later_rollup(kb))
    {
        evidence.push(ev("updates", kb.clone()));
        return Status::Met;
    }
    let newest_october = [monthly_rollup, security_only]
        .iter()
        .filter_map(|kb| kb_number(kb))
        .max()
        .unwrap_or(u64::MAX);
    let known_other = |kb: &String| {
        line.is_some_and(|s| s.security_only.iter().any(|r| &r.kb == kb) || s.other.contains(kb))
    };
    let unclassified: Vec<&str> = updates
        .iter()
        .filter(|kb| kb_number(kb).is_some_and(|n| n > newest_october) && !known_other(kb))
        .map(String::as_str)
        .collect();
    evidence.push(ev(
        "updates",
        if updates.is_empty() {
            "[]".to_string()
        } else {
            updates.join(", ")
        },
    ));
    let params = [
        ("os", os),
        ("monthly_rollup", monthly_rollup),
        ("security_only", security_only),
    ];
    if unclassified.is_empty() {
        findings.add(codes::LEGACY_UPDATE_MISSING, &params, evidence.clone());
        Status::NotMet
    } else {
        let kbs = unclassified.join(", ");
        let mut p = params.to_vec();
        p.push(("kbs", &kbs));
        findings.add(codes::UNKNOWN_LEGACY_UPDATES, &p, evidence.clone());
        if let Some(line) = line {
            stale_list(facts, rules, line, (os, servicing, &kbs), findings);
        }
        Status::Unknown
    }
}

/// ACS016: the host has updates the rules cannot classify and the rules'
/// list of rollups stops well before the day the facts were collected (or
/// today), while the servicing line went on: the rules are likely too old.
fn stale_list(
    facts: &HostFacts,
    rules: &Rules,
    line: &Servicing,
    (os, servicing, kbs): (&str, &str, &str),
    findings: &mut Findings,
) {
    let complete = line
        .ended
        .as_deref()
        .and_then(|end| days_between(end, &line.as_of))
        .is_some_and(|d| d >= 0);
    let Some(day) = facts.collected_at.as_deref().or(rules.today.as_deref()) else {
        return;
    };
    let Some(age) = days_between(&line.as_of, day) else {
        return;
    };
    if complete || age <= i64::from(rules.policy.stale_after_days) {
        return;
    }
    let age = age.to_string();
    let date = day.get(..10).unwrap_or(day);
    findings.add(
        codes::RULES_STALE,
        &[
            ("os", os),
            ("kbs", kbs),
            ("list_as_of", line.as_of.as_str()),
            ("days", age.as_str()),
            ("date", date),
            ("servicing", servicing),
            ("rules_version", rules.rules_version.as_str()),
        ],
        vec![ev(
            &format!("rules.servicing.{servicing}.as_of"),
            line.as_of.clone(),
        )],
    );
}
