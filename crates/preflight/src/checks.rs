//! Checks on the agents (and the server's Windows): supported OS, versions,
//! delivery control, ACS readiness, SHA-2 updates; and the SQL password.

use std::collections::BTreeMap;

use acsready_assess::{HostAssessment, Verdict};
use acsready_facts::HostFacts;
use acsready_rules::{codes, Installation, Severity, Version};

use crate::{agent_version, ev, line_name, Findings, PasswordCheck, ServerEvidence};

fn installation(facts: &HostFacts) -> Option<Installation> {
    acsready_assess::installation_of(facts)
}

fn source<'a>(facts: &'a HostFacts, fact: &str) -> Option<&'a String> {
    facts.sources.get(fact).or_else(|| {
        fact.split_once('.')
            .and_then(|(head, _)| facts.sources.get(head))
    })
}

/// Whether a rules entry (windows row ids + installation filter) matches a host.
fn matches(
    f: &Findings,
    facts: &HostFacts,
    windows: &[String],
    only: Option<Installation>,
) -> bool {
    let Some(build) = facts.build() else {
        return false;
    };
    let inst = installation(facts);
    let type_ok = match (only, inst) {
        (Some(want), Some(have)) => want == have,
        _ => true,
    };
    type_ok
        && f.rules
            .windows_rows(build, inst)
            .iter()
            .any(|row| windows.contains(&row.id))
}

/// How an agent's Windows stands against the unsupported list.
enum Support {
    Supported,
    /// The release's name as the rules give it.
    Unsupported(String),
    /// The build is shared by a listed and an unlisted release and the
    /// installation type is unknown.
    Ambiguous(String),
}

fn support(f: &Findings, facts: &HostFacts, build: u32) -> Support {
    let inst = installation(facts);
    let rows = f.rules.windows_rows(build, inst);
    let entry_of = |row: &acsready_rules::WindowsRow| {
        f.pf.unsupported_os.iter().find(|u| {
            u.windows.contains(&row.id)
                && match (u.installation, inst.or(row.installation)) {
                    (Some(want), Some(have)) => want == have,
                    (Some(_), None) => false,
                    (None, _) => true,
                }
        })
    };
    let listed: Vec<_> = rows.iter().filter_map(|r| entry_of(r)).collect();
    let possible = f.pf.unsupported_os.iter().find(|u| {
        rows.iter().any(|r| u.windows.contains(&r.id))
            && match (u.installation, inst) {
                (Some(want), Some(have)) => want == have,
                _ => true,
            }
    });
    match (listed.first(), possible) {
        (Some(u), _) if listed.len() == rows.len() => {
            Support::Unsupported(u.name.get(f.lang).into())
        }
        (_, Some(u)) => Support::Ambiguous(u.name.get(f.lang).into()),
        _ => Support::Supported,
    }
}

/// ACS200 / ACS201. Returns host → the unsupported release's name.
pub(crate) fn unsupported_os(f: &mut Findings, agents: &[HostFacts]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut evidence = Vec::new();
    let mut unknown = Vec::new();
    let mut unknown_evidence = Vec::new();
    for a in agents {
        let Some(build) = a.build() else {
            unknown_evidence.push(ev(
                &format!("{}: os.current_build", a.host),
                "(missing)",
                None,
            ));
            unknown.push(a.host.clone());
            continue;
        };
        match support(f, a, build) {
            Support::Supported => {}
            Support::Unsupported(name) => {
                evidence.push(ev(
                    &format!("{}: os.current_build", a.host),
                    format!("{build} ({name})"),
                    source(a, "os.current_build"),
                ));
                found.insert(a.host.clone(), name);
            }
            Support::Ambiguous(name) => {
                unknown_evidence.push(ev(
                    &format!("{}: os.current_build", a.host),
                    format!("{build} ({name}?, os.installation_type unknown)"),
                    source(a, "os.current_build"),
                ));
                unknown.push(a.host.clone());
            }
        }
    }
    for (code, hosts, evidence) in [
        (
            codes::PF_UNSUPPORTED_OS,
            found.keys().cloned().collect::<Vec<_>>(),
            evidence,
        ),
        (codes::PF_AGENT_OS_UNKNOWN, unknown, unknown_evidence),
    ] {
        if !hosts.is_empty() {
            let count = hosts.len().to_string();
            f.add(code, &[("count", &count)], hosts, evidence, Vec::new());
        }
    }
    found
}

/// ACS202 / ACS203 / not checked.
pub(crate) fn password(f: &mut Findings, check: Option<&PasswordCheck>) {
    let Some(check) = check else {
        f.not_checked("sql_password", Vec::new());
        return;
    };
    if check.classes.is_empty() {
        f.add(
            codes::PF_SQL_PASSWORD_OK,
            &[],
            Vec::new(),
            vec![ev("sql_password", "(checked, not shown)", None)],
            Vec::new(),
        );
        return;
    }
    let names: Vec<String> = check
        .classes
        .iter()
        .filter_map(|id| f.pf.sql_password.iter().find(|c| &c.id == id))
        .map(|c| c.name.get(f.lang).to_string())
        .collect();
    let classes = names.join(", ");
    f.add(
        codes::PF_SQL_PASSWORD_FORBIDDEN,
        &[("classes", &classes)],
        Vec::new(),
        vec![ev("sql_password.classes", check.classes.join(" "), None)],
        Vec::new(),
    );
}

/// The (major, build) of a version, for comparing server and agents.
fn key(v: &Version) -> (u64, u64) {
    (v.major(), v.build())
}

/// ACS204 / ACS205 / not checked.
pub(crate) fn versions(f: &mut Findings, server: Option<&str>, agents: &[HostFacts]) {
    let Some(server_raw) = server else {
        f.not_checked("server_version", Vec::new());
        return;
    };
    let Some(server_v) = Version::parse(server_raw) else {
        f.not_checked("server_version", Vec::new());
        return;
    };
    let (mut same, mut older, mut newer, mut unknown) = (0u64, 0u64, 0u64, 0u64);
    let mut differ_hosts = Vec::new();
    let mut per_version: BTreeMap<String, u64> = BTreeMap::new();
    for a in agents {
        match agent_version(f.pf, a).and_then(Version::parse) {
            None => unknown += 1,
            Some(v) => {
                *per_version.entry(v.to_string()).or_default() += 1;
                match key(&v).cmp(&key(&server_v)) {
                    std::cmp::Ordering::Equal => same += 1,
                    std::cmp::Ordering::Less => {
                        older += 1;
                        differ_hosts.push(a.host.clone());
                    }
                    std::cmp::Ordering::Greater => {
                        newer += 1;
                        differ_hosts.push(a.host.clone());
                    }
                }
            }
        }
    }
    let line = line_name(f.pf, &server_v, f.lang).unwrap_or_default();
    let shown = if line.is_empty() {
        server_raw.to_string()
    } else {
        format!("{line} {server_raw}")
    };
    let mut evidence = vec![
        ev("server.version", shown.clone(), None),
        ev("agents.same_version", same.to_string(), None),
        ev("agents.older", older.to_string(), None),
        ev("agents.newer", newer.to_string(), None),
        ev("agents.version_unknown", unknown.to_string(), None),
    ];
    evidence.extend(
        per_version
            .iter()
            .map(|(v, n)| ev(&format!("agents.version {v}"), n.to_string(), None)),
    );
    let total = agents.len().to_string();
    if older + newer > 0 {
        let differ = (older + newer).to_string();
        f.add(
            codes::PF_VERSIONS_DIFFER,
            &[("differ", &differ), ("total", &total), ("version", &shown)],
            differ_hosts,
            evidence,
            Vec::new(),
        );
    } else if unknown == 0 && !agents.is_empty() {
        f.add(
            codes::PF_VERSIONS_MATCH,
            &[("total", &total), ("version", &shown)],
            Vec::new(),
            evidence,
            Vec::new(),
        );
    }
}

/// ACS206 (staged rollout) / ACS221 (advice).
pub(crate) fn delivery(f: &mut Findings, agents: &[HostFacts], staged: bool) {
    let days = f.pf.delivery_control.lead_days.to_string();
    let mut not_set = Vec::new();
    let mut unknown = Vec::new();
    let mut evidence = Vec::new();
    for a in agents {
        let value = a.delivery.as_ref().and_then(|d| d.no_program_upgrade);
        match value {
            Some(true) => {}
            Some(false) => {
                evidence.push(ev(
                    &format!("{}: delivery.no_program_upgrade", a.host),
                    "not 1",
                    source(a, "delivery.no_program_upgrade"),
                ));
                not_set.push(a.host.clone());
            }
            None => {
                evidence.push(ev(
                    &format!("{}: delivery.no_program_upgrade", a.host),
                    "(missing)",
                    None,
                ));
                unknown.push(a.host.clone());
            }
        }
    }
    let mut hosts = not_set.clone();
    hosts.extend(unknown.iter().cloned());
    if staged && !hosts.is_empty() {
        let count = hosts.len().to_string();
        f.add(
            codes::PF_DELIVERY_NOT_SET,
            &[("count", &count), ("days", &days)],
            hosts,
            evidence,
            Vec::new(),
        );
    } else {
        f.add(
            codes::PF_DELIVERY_ADVICE,
            &[("days", &days)],
            hosts,
            evidence,
            Vec::new(),
        );
    }
}

fn blocking_findings(a: &HostAssessment) -> String {
    let mut codes: Vec<&str> = Vec::new();
    for x in a.findings.iter().filter(|x| x.severity > Severity::Info) {
        if !codes.contains(&x.code.as_str()) {
            codes.push(&x.code);
        }
    }
    codes.join(" ")
}

/// ACS207 / ACS208 / ACS222 (seed 003: server and agents both need the
/// update and the root).
pub(crate) fn acs_readiness(
    f: &mut Findings,
    server: &ServerEvidence,
    server_assessed: Option<&HostAssessment>,
    agents: &[HostFacts],
    assessed: &[HostAssessment],
) {
    let mut all_ready = true;
    match server_assessed {
        None => {
            all_ready = false;
            f.not_checked("server_registry", vec![server.host.clone()]);
        }
        Some(a) if a.verdict != Verdict::Ready => {
            all_ready = false;
            let mut evidence = vec![ev(
                &format!("{}: verdict", server.host),
                a.verdict.as_str(),
                None,
            )];
            evidence.extend(
                a.findings
                    .iter()
                    .filter(|x| x.severity > Severity::Info)
                    .map(|x| {
                        ev(
                            &format!("{}: {}", server.host, x.code),
                            x.title.clone(),
                            None,
                        )
                    }),
            );
            let extra = a
                .findings
                .iter()
                .filter(|x| x.severity > Severity::Info)
                .flat_map(|x| x.remediation.iter().cloned())
                .collect();
            f.add(
                codes::PF_SERVER_NOT_ACS_READY,
                &[],
                vec![server.host.clone()],
                evidence,
                extra,
            );
        }
        Some(_) => {}
    }
    let not_ready: Vec<(&HostFacts, &HostAssessment)> = agents
        .iter()
        .zip(assessed)
        .filter(|(_, a)| a.verdict != Verdict::Ready)
        .collect();
    if !not_ready.is_empty() {
        all_ready = false;
        let count = not_ready.len().to_string();
        let evidence = not_ready
            .iter()
            .map(|(h, a)| {
                ev(
                    &format!("{}: verdict", h.host),
                    format!("{} ({})", a.verdict.as_str(), blocking_findings(a)),
                    None,
                )
            })
            .collect();
        f.add(
            codes::PF_AGENTS_NOT_ACS_READY,
            &[("count", &count)],
            not_ready.iter().map(|(h, _)| h.host.clone()).collect(),
            evidence,
            Vec::new(),
        );
    }
    if all_ready {
        let count = agents.len().to_string();
        f.add(
            codes::PF_ACS_READY,
            &[("count", &count)],
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
    }
}

/// ACS209: SHA-2 updates of legacy hosts (server and agents). A host passes
/// with every KB of any one source's set; one with the rules' own set (the
/// vendor's) that lacks what another source adds gets that as advice (ACS223).
pub(crate) fn sha2(f: &mut Findings, server: &ServerEvidence, agents: &[HostFacts]) {
    let mut missing_hosts = Vec::new();
    let mut advised_hosts = Vec::new();
    let mut unknown_hosts = Vec::new();
    let mut evidence = Vec::new();
    let mut advice = Vec::new();
    let hosts = server.facts.iter().chain(agents);
    for h in hosts {
        let Some(entry) =
            f.pf.sha2
                .iter()
                .find(|s| matches(f, h, std::slice::from_ref(&s.windows), s.installation))
        else {
            continue;
        };
        let Some(updates) = &h.updates else {
            unknown_hosts.push(h.host.clone());
            continue;
        };
        let lacking = |kbs: &[String]| -> Vec<String> {
            kbs.iter()
                .filter(|kb| !updates.contains(kb))
                .cloned()
                .collect()
        };
        let own = lacking(&entry.kbs);
        if own.is_empty() {
            // The rules' set is there: advise what the other sources add.
            let mut absent: Vec<String> = Vec::new();
            let mut said = Vec::new();
            for other in &entry.sources {
                let l = lacking(&other.kbs);
                if !l.is_empty() {
                    said.push(format!("{} ({})", l.join(", "), other.source));
                    absent.extend(l);
                }
            }
            if !absent.is_empty() {
                advice.push(ev(
                    &format!("{}: updates", h.host),
                    format!(
                        "has {} ({}); absent {}",
                        entry.kbs.join(" / "),
                        entry.source,
                        said.join("; ")
                    ),
                    source(h, "updates"),
                ));
                advised_hosts.push(h.host.clone());
            }
            continue;
        }
        if entry.sources.iter().any(|s| lacking(&s.kbs).is_empty()) {
            continue;
        }
        let said = entry
            .sources
            .iter()
            .map(|s| format!("{} ({})", s.kbs.join(" / "), s.source))
            .collect::<Vec<_>>()
            .join("; ");
        evidence.push(ev(
            &format!("{}: updates", h.host),
            format!("missing {} [sources: {said}]", own.join(", ")),
            source(h, "updates"),
        ));
        missing_hosts.push(h.host.clone());
    }
    if !missing_hosts.is_empty() {
        let count = missing_hosts.len().to_string();
        f.add(
            codes::PF_SHA2_MISSING,
            &[("count", &count)],
            missing_hosts,
            evidence,
            Vec::new(),
        );
    }
    if !advised_hosts.is_empty() {
        let count = advised_hosts.len().to_string();
        f.add(
            codes::PF_SHA2_ADVICE,
            &[("count", &count)],
            advised_hosts,
            advice,
            Vec::new(),
        );
    }
    if !unknown_hosts.is_empty() {
        f.not_checked("sha2_updates", unknown_hosts);
    }
}
