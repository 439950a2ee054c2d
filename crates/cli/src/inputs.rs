//! What kind of input a file is (facts JSON, osquery results, a console
//! export), recognised from its content, and merging the partial facts of
//! several inputs by host name.

use std::collections::BTreeMap;
use std::path::Path;

use acsready_facts::HostFacts;
use acsready_report::InputProblem;
use acsready_sources::{parse_unit, read_console_csv, read_console_json, read_osquery, JsonFacts};
use clap::ValueEnum;

/// The kinds of input files `assess` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputKind {
    /// Host facts JSON (docs/host-facts.md)
    Facts,
    /// osquery results of the acsready query pack (osquery/acsready.conf)
    Osquery,
    /// Deep Security Manager / Workload Security computers from the API ({"computers":[…]})
    ConsoleJson,
    /// The console's CSV export of computers
    ConsoleCsv,
}

/// The kind of a file, from its first bytes.
pub fn detect(head: &[u8]) -> InputKind {
    let text = decode_head(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        let window = &t[..t.len().min(4096)];
        if window.contains("\"hostIdentifier\"") || window.contains("\"diffResults\"") {
            return InputKind::Osquery;
        }
        if window.contains("\"computers\"")
            || window.contains("\"agentVersion\"")
            || window.contains("\"hostName\"")
        {
            return InputKind::ConsoleJson;
        }
        let osquery_columns = ["\"hotfix_id\"", "\"store_location\"", "\"platform_like\""];
        if t.starts_with('[') && osquery_columns.iter().any(|c| window.contains(c)) {
            return InputKind::Osquery;
        }
        return InputKind::Facts;
    }
    let first = t
        .lines()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .replace([' ', '_', '-', '"'], "");
    if first.contains(',')
        && (first.contains("agentversion")
            || first.contains("platform")
            || first.contains("hostname"))
    {
        return InputKind::ConsoleCsv;
    }
    InputKind::Facts
}

fn decode_head(head: &[u8]) -> String {
    let utf16 = |le: bool, b: &[u8]| {
        let units = b.chunks_exact(2).map(|p| {
            if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{fffd}'))
            .collect::<String>()
    };
    match head {
        [0xFF, 0xFE, rest @ ..] => utf16(true, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(false, rest),
        _ => String::from_utf8_lossy(head).into_owned(),
    }
}

/// The merge key of a host name: case-insensitive, and an FQDN matches its
/// short name ("WEB01" = "web01.corp.example").
pub fn host_key(name: &str) -> String {
    name.trim().split('.').next().unwrap_or("").to_lowercase()
}

/// Hosts gathered from several inputs, merged by [`host_key`] in the order
/// they were first seen.
#[derive(Default)]
pub struct Merged {
    order: Vec<String>,
    hosts: BTreeMap<String, HostFacts>,
}

impl Merged {
    pub fn add(&mut self, mut facts: HostFacts, origin: &str) {
        let key = host_key(&facts.host);
        facts.attribute_all(origin);
        match self.hosts.get_mut(&key) {
            Some(known) => {
                // Keep the longest spelling of the name (the FQDN).
                if facts.host.len() > known.host.len() {
                    known.host = facts.host.clone();
                }
                known.merge(facts, origin);
            }
            None => {
                self.order.push(key.clone());
                self.hosts.insert(key, facts);
            }
        }
    }

    pub fn into_hosts(mut self) -> Vec<HostFacts> {
        self.order
            .iter()
            .filter_map(|k| self.hosts.remove(k))
            .collect()
    }
}

/// Reads one input of a partial kind (or facts JSON, for merging) into `merged`.
pub fn read_into(
    path: &Path,
    kind: InputKind,
    products: &[(String, String)],
    merged: &mut Merged,
    problems: &mut Vec<InputProblem>,
    warnings: &mut Vec<InputProblem>,
) {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            problems.push(InputProblem {
                source: name,
                message: format!("cannot open: {e}"),
            });
            return;
        }
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_bytes_into(
        &bytes, &name, &stem, kind, products, merged, problems, warnings,
    );
}

/// Reads the bytes of one input (named `name`; `stem` names a host that
/// the input does not name) into `merged`.
#[allow(clippy::too_many_arguments)]
pub fn read_bytes_into(
    bytes: &[u8],
    name: &str,
    stem: &str,
    kind: InputKind,
    products: &[(String, String)],
    merged: &mut Merged,
    problems: &mut Vec<InputProblem>,
    warnings: &mut Vec<InputProblem>,
) {
    let name = name.to_string();
    let hosts = match kind {
        InputKind::Osquery => read_osquery(bytes, &name, products).map(|mut o| {
            o.name_unnamed_host(stem);
            warnings.extend(o.problems.iter().map(|p| InputProblem::from_message(p)));
            o.hosts
        }),
        InputKind::ConsoleJson | InputKind::ConsoleCsv => {
            let read = if kind == InputKind::ConsoleJson {
                read_console_json(bytes, &name, products)
            } else {
                read_console_csv(bytes, &name, products)
            };
            read.map(|c| {
                warnings.extend(c.problems.iter().map(|p| InputProblem::from_message(p)));
                if !c.skipped_non_windows.is_empty() {
                    warnings.push(InputProblem {
                        source: name.clone(),
                        message: format!(
                            "{} computers are not Windows and were skipped",
                            c.skipped_non_windows.len()
                        ),
                    });
                }
                c.hosts
            })
        }
        InputKind::Facts => {
            let mut hosts = Vec::new();
            let mut reader = JsonFacts::new(bytes, &name);
            loop {
                match reader.next_batch(4096) {
                    Ok(Some(batch)) => {
                        for unit in batch {
                            match unit.and_then(|u| parse_unit(&name, &u)) {
                                Ok(r) => {
                                    let origin = r.origin.to_string();
                                    let mut f = r.facts;
                                    f.attribute_all(&origin);
                                    hosts.push(f);
                                }
                                Err(e) => problems.push(InputProblem::from_message(&e.to_string())),
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        problems.push(InputProblem::from_message(&e.to_string()));
                        break;
                    }
                }
            }
            Ok(hosts)
        }
    };
    match hosts {
        Ok(hosts) => {
            for h in hosts {
                merged.add(h, &name);
            }
        }
        Err(e) => problems.push(InputProblem::from_message(&e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_recognised_by_content() {
        assert_eq!(detect(br#"{"host":"a"}"#), InputKind::Facts);
        assert_eq!(detect(br#"[{"host":"a","os":{}}]"#), InputKind::Facts);
        assert_eq!(detect(br#"{"name":"pack_acsready_acsready_os_version","hostIdentifier":"w","columns":{}}"#), InputKind::Osquery);
        assert_eq!(
            detect(br#"[{"hotfix_id":"KB5005625"}]"#),
            InputKind::Osquery
        );
        assert_eq!(
            detect(br#"{"computers":[{"hostName":"w","agentVersion":"20.0.0.6313"}]}"#),
            InputKind::ConsoleJson
        );
        assert_eq!(detect("\u{feff}Name,Platform,Agent Version\r\nw,Microsoft Windows Server 2019 (64 bit) (Build 17763),20.0.0.6313\r\n".as_bytes()), InputKind::ConsoleCsv);
    }

    #[test]
    fn fqdn_and_short_names_merge() {
        assert_eq!(host_key("WEB01"), host_key("web01.corp.example"));
        let mut m = Merged::default();
        m.add(
            HostFacts {
                host: "WEB01".into(),
                updates: Some(vec!["KB1".into()]),
                ..Default::default()
            },
            "a",
        );
        m.add(
            HostFacts {
                host: "web01.corp.example".into(),
                updates: Some(vec!["KB2".into()]),
                ..Default::default()
            },
            "b",
        );
        m.add(
            HostFacts {
                host: "db01".into(),
                ..Default::default()
            },
            "b",
        );
        let hosts = m.into_hosts();
        assert_eq!(hosts.len(), 2);
        assert_eq!(hosts[0].host, "web01.corp.example");
        assert_eq!(hosts[0].updates.as_ref().map(Vec::len), Some(2));
        assert_eq!(hosts[0].sources["updates"], "a, b");
    }
}
