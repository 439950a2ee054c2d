//! Checks on the management server: the authentication certificate
//! backup, the firewall checklist, and after the upgrade its services,
//! folders and the renamed agent services.

use acsready_assess::Evidence;
use acsready_facts::HostFacts;
use acsready_rules::{codes, Version};

use crate::{agent_version, ev, Findings, ServerEvidence};

/// ACS210 / ACS211 / not checked.
pub(crate) fn auth_cert(f: &mut Findings, server: &ServerEvidence, version: Option<&str>) {
    let backup = f.pf.auth_cert.backup.clone();
    let Some(listing) = &server.listing else {
        f.not_checked("install_folder", vec![server.host.clone()]);
        return;
    };
    let source = Some(&listing.origin);
    if let Some(path) = listing.find_suffix(&backup) {
        let path = path.to_string();
        f.add(
            codes::PF_AUTH_CERT_PRESENT,
            &[("path", &path)],
            vec![server.host.clone()],
            vec![ev("install_folder", path.clone(), source)],
            Vec::new(),
        );
        return;
    }
    let parsed = version.and_then(Version::parse);
    let line = parsed.and_then(|v| f.pf.line(v.major()).map(|l| (v, l)));
    let extra = match (version, line) {
        (Some(raw), Some((v, l))) => match l.auth_cert_export_until {
            Some(threshold) => {
                let key = if v.build() < threshold {
                    "preflight.auth_cert_exportable"
                } else {
                    "preflight.auth_cert_not_exportable"
                };
                let threshold = threshold.to_string();
                let name = l.name.get(f.lang).to_string();
                f.text(
                    key,
                    &[("version", raw), ("threshold", &threshold), ("line", &name)],
                )
            }
            None => f.text("preflight.auth_cert_version_unknown", &[]),
        },
        _ => f.text("preflight.auth_cert_version_unknown", &[]),
    };
    let mut evidence = vec![ev("install_folder", format!("no {backup}"), source)];
    if let Some(raw) = version {
        evidence.push(ev("server.version", raw, None));
    }
    f.add(
        codes::PF_AUTH_CERT_MISSING,
        &[("path", &backup)],
        vec![server.host.clone()],
        evidence,
        extra,
    );
}

/// ACS212: the destinations to allow, from the rules.
pub(crate) fn firewall(f: &mut Findings) {
    let mut evidence = Vec::new();
    let mut lines = Vec::new();
    let entries = f.pf.firewall.clone();
    for e in &entries {
        let ports = e
            .ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let after = e.after.join(", ");
        let before = match &e.before {
            Some(b) => format!(" ← {b}"),
            None => String::new(),
        };
        let purpose = e.purpose.get(f.lang).to_string();
        lines.extend(f.text(
            "preflight.firewall_entry",
            &[
                ("purpose", &purpose),
                ("after", &after),
                ("ports", &ports),
                ("before", &before),
            ],
        ));
        evidence.push(ev(
            &format!("firewall.{}", e.id),
            format!("{after}{before} (ports {ports})"),
            Some(&e.source),
        ));
    }
    f.add(codes::PF_FIREWALL, &[], Vec::new(), evidence, lines);
}

/// ACS213 / ACS214 / not checked.
pub(crate) fn services(f: &mut Findings, server: &ServerEvidence) {
    let Some((origin, services)) = &server.services else {
        f.not_checked("server_services", vec![server.host.clone()]);
        return;
    };
    let mut missing = Vec::new();
    let mut evidence = Vec::new();
    for want in &f.pf.server_services {
        let found = services.iter().find(|s| {
            s.display_name
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(&want.display_name))
                || s.name.eq_ignore_ascii_case(&want.display_name)
        });
        match found {
            Some(s) if !s.disabled() => evidence.push(ev(
                &format!("service {}", want.display_name),
                format!("{} (Start {})", s.name, start_name(s.start)),
                Some(origin),
            )),
            Some(s) => {
                missing.push(format!("{} (disabled)", want.display_name));
                evidence.push(ev(
                    &format!("service {}", want.display_name),
                    format!("{} (Start 4, disabled)", s.name),
                    Some(origin),
                ));
            }
            None => {
                missing.push(want.display_name.clone());
                evidence.push(ev(
                    &format!("service {}", want.display_name),
                    "(missing)",
                    Some(origin),
                ));
            }
        }
    }
    present_or_missing(
        f,
        server,
        (
            codes::PF_SERVICES_PRESENT,
            codes::PF_SERVICES_MISSING,
            "services",
        ),
        &missing,
        evidence,
    );
}

/// The "all present" finding, or the "missing" one naming what is missing
/// in its `placeholder`.
fn present_or_missing(
    f: &mut Findings,
    server: &ServerEvidence,
    (present, absent, placeholder): (&str, &str, &str),
    missing: &[String],
    evidence: Vec<Evidence>,
) {
    if missing.is_empty() {
        f.add(
            present,
            &[],
            vec![server.host.clone()],
            evidence,
            Vec::new(),
        );
    } else {
        let list = missing.join(", ");
        f.add(
            absent,
            &[(placeholder, &list)],
            vec![server.host.clone()],
            evidence,
            Vec::new(),
        );
    }
}

fn start_name(start: Option<u32>) -> String {
    match start {
        Some(0) => "0, boot".into(),
        Some(1) => "1, system".into(),
        Some(2) => "2, automatic".into(),
        Some(3) => "3, manual".into(),
        Some(4) => "4, disabled".into(),
        Some(n) => n.to_string(),
        None => "unknown".into(),
    }
}

/// ACS215 / ACS216 / not checked.
pub(crate) fn folders(f: &mut Findings, server: &ServerEvidence) {
    let Some(listing) = &server.listing else {
        f.not_checked("install_folder", vec![server.host.clone()]);
        return;
    };
    let mut missing = Vec::new();
    let mut evidence = Vec::new();
    for want in &f.pf.server_folders {
        match listing.find_suffix(&want.path) {
            Some(p) => evidence.push(ev(&want.path, p, Some(&listing.origin))),
            None => {
                missing.push(want.path.clone());
                evidence.push(ev(&want.path, "(missing)", Some(&listing.origin)));
            }
        }
    }
    present_or_missing(
        f,
        server,
        (
            codes::PF_FOLDERS_PRESENT,
            codes::PF_FOLDERS_MISSING,
            "folders",
        ),
        &missing,
        evidence,
    );
}

/// ACS217: renamed agent services are expected. Lists the renamed services
/// found on the server and the agents still on an older line than the server.
pub(crate) fn renamed(
    f: &mut Findings,
    server: &ServerEvidence,
    version: Option<&str>,
    agents: &[HostFacts],
) {
    let mut evidence = Vec::new();
    if let Some((origin, services)) = &server.services {
        for r in &f.pf.renamed_services {
            let has = |name: &str| {
                services.iter().any(|s| {
                    s.display_name
                        .as_deref()
                        .is_some_and(|d| d.eq_ignore_ascii_case(name))
                })
            };
            if has(&r.after) {
                evidence.push(ev(
                    &format!("service {}", r.after),
                    format!("renamed from {} (expected)", r.before),
                    Some(origin),
                ));
            } else if has(&r.before) {
                evidence.push(ev(
                    &format!("service {}", r.before),
                    format!("not yet renamed to {}", r.after),
                    Some(origin),
                ));
            }
        }
    }
    let mut hosts = Vec::new();
    if let Some(server_v) = version.and_then(Version::parse) {
        for a in agents {
            if let Some(v) = agent_version(f.pf, a).and_then(Version::parse) {
                if v.major() < server_v.major() {
                    hosts.push(a.host.clone());
                }
            }
        }
        if !hosts.is_empty() {
            evidence.push(ev(
                "agents.older_line",
                format!(
                    "{} (services show Apex One NT names, programs stay)",
                    hosts.len()
                ),
                None,
            ));
        }
    }
    f.add(codes::PF_SERVICES_RENAMED, &[], hosts, evidence, Vec::new());
}
