//! The facts of each host once every line is read, and the lists that
//! lines or rows that could not be read leave unknown.

use acsready_facts::{DeliveryFacts, HostFacts, OsFacts};

use crate::Note;

use super::{Acc, List, Lost, OsField, OsqueryFacts, Query, Reader};

/// The first row or line that could not be read and may have belonged to
/// `list` of `query` of host `acc` (for a snapshot, since it started).
fn unread<T>(acc: &Acc, lost: &[Lost], query: Query, list: &List<T>) -> Option<(u64, String)> {
    let counts = |line: u64| !list.snapshot || line >= list.first;
    let host = acc.host.to_lowercase();
    let rows = acc
        .unread
        .iter()
        .filter(|(q, line, _)| *q == query && counts(*line))
        .map(|(_, line, why)| (*line, why.clone()));
    let lines = lost
        .iter()
        .filter(|(q, h, line, _)| {
            q.is_none_or(|q| q == query) && h.as_ref().is_none_or(|h| *h == host) && counts(*line)
        })
        .map(|(_, _, line, why)| (*line, why.clone()));
    rows.chain(lines).min_by_key(|(line, _)| *line)
}

impl Reader<'_> {
    pub(super) fn finish(self) -> OsqueryFacts {
        let Reader {
            file,
            hosts: accs,
            mut problems,
            lost,
            ..
        } = self;
        let at = |line: u64| format!("{file}:{line}");
        let span = |first: u64, last: u64| {
            if first == last {
                at(first)
            } else {
                format!("{file}:{first}-{last}")
            }
        };
        let mut hosts = Vec::with_capacity(accs.len());
        for acc in accs {
            // A list some of whose rows could not be read is unknown.
            let mut whole = |name: &str, found: Option<(u64, String)>| {
                let Some((line, why)) = found else {
                    return true;
                };
                let host = if acc.host.is_empty() {
                    String::new()
                } else {
                    format!(" of {}", acc.host)
                };
                problems.push(|| {
                    Note::at(
                        file,
                        line,
                        format!(
                            "{name}{host} unknown: {why}, so the list is not known \
                             whole; collect the query results again"
                        ),
                    )
                });
                false
            };
            let updates_whole = whole(
                "updates",
                acc.updates
                    .as_ref()
                    .and_then(|l| unread(&acc, &lost, Query::Patches, l)),
            );
            let certificates_whole = whole(
                "certificates",
                acc.certificates
                    .as_ref()
                    .and_then(|l| unread(&acc, &lost, Query::Certificates, l)),
            );
            let agents_whole = whole(
                "agents",
                acc.agents
                    .as_ref()
                    .and_then(|l| unread(&acc, &lost, Query::Programs, l)),
            );
            let mut facts = HostFacts {
                host: acc.host.clone(),
                ..Default::default()
            };
            let mut add = |mut part: HostFacts, source: String| {
                part.attribute_all(&source);
                facts.merge(part, &source);
            };
            let cv = |name: &str| acc.current_version.get(name);
            let os_part = |os: OsFacts| HostFacts {
                os: Some(os),
                ..Default::default()
            };
            // The registry first: it is what Windows itself says.
            let build = cv("currentbuild").or_else(|| cv("currentbuildnumber"));
            let fields: [OsField; 6] = [
                (cv("productname"), |o, v| o.product_name = Some(v)),
                (cv("editionid"), |o, v| o.edition_id = Some(v)),
                (cv("installationtype"), |o, v| o.installation_type = Some(v)),
                (build, |o, v| o.current_build = Some(v)),
                (cv("displayversion"), |o, v| o.display_version = Some(v)),
                (cv("csdversion"), |o, v| o.csd_version = Some(v)),
            ];
            for (value, set) in fields {
                if let Some((v, line)) = value {
                    let mut os = OsFacts::default();
                    set(&mut os, v.clone());
                    add(os_part(os), at(*line));
                }
            }
            if let Some((v, line)) = cv("ubr") {
                if let Ok(ubr) = v.parse::<u32>() {
                    add(
                        os_part(OsFacts {
                            ubr: Some(ubr),
                            ..Default::default()
                        }),
                        at(*line),
                    );
                }
            }
            if let Some((name, build, ubr, line)) = &acc.os_version {
                let product_name = name.clone().filter(|_| cv("productname").is_none());
                if product_name.is_some() || build.is_some() {
                    add(
                        os_part(OsFacts {
                            product_name,
                            current_build: build.clone(),
                            ubr: *ubr,
                            ..Default::default()
                        }),
                        at(*line),
                    );
                }
            }
            if let Some((v, line)) = acc.root_policy {
                add(
                    HostFacts {
                        root_auto_update_disabled: Some(v),
                        ..Default::default()
                    },
                    at(line),
                );
            }
            if let Some((v, line)) = acc.delivery {
                add(
                    HostFacts {
                        delivery: Some(DeliveryFacts {
                            no_program_upgrade: Some(v),
                        }),
                        ..Default::default()
                    },
                    at(line),
                );
            }
            if let Some(l) = acc.updates.filter(|_| updates_whole) {
                add(
                    HostFacts {
                        updates: Some(l.items),
                        ..Default::default()
                    },
                    span(l.first, l.last),
                );
            }
            if let Some(l) = acc.certificates.filter(|_| certificates_whole) {
                add(
                    HostFacts {
                        certificates: Some(l.items),
                        ..Default::default()
                    },
                    span(l.first, l.last),
                );
            }
            if let Some(l) = acc.agents.filter(|_| agents_whole) {
                add(
                    HostFacts {
                        agents: Some(l.items),
                        ..Default::default()
                    },
                    span(l.first, l.last),
                );
            }
            hosts.push(facts);
        }
        OsqueryFacts {
            hosts,
            problems: problems.finish(),
        }
    }
}
