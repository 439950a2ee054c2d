//! The facts of each host once every line is read, and the lists that
//! lines or rows that could not be read leave unknown.

use acsready_facts::{DeliveryFacts, HostFacts, OsFacts};

use super::{OsField, OsqueryFacts, Reader};

impl Reader<'_> {
    pub(super) fn finish(self) -> OsqueryFacts {
        let file = self.file;
        let at = |line: u64| format!("{file}:{line}");
        let span = |first: u64, last: u64| {
            if first == last {
                at(first)
            } else {
                format!("{file}:{first}-{last}")
            }
        };
        let mut hosts = Vec::with_capacity(self.hosts.len());
        for acc in self.hosts {
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
            if let Some(l) = acc.updates {
                add(
                    HostFacts {
                        updates: Some(l.items),
                        ..Default::default()
                    },
                    span(l.first, l.last),
                );
            }
            if let Some(l) = acc.certificates {
                add(
                    HostFacts {
                        certificates: Some(l.items),
                        ..Default::default()
                    },
                    span(l.first, l.last),
                );
            }
            if let Some(l) = acc.agents {
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
            problems: self.problems.finish(),
        }
    }
}
