//! What kind of input a file is (facts JSON, osquery results, a console
//! export), recognised from its content, and merging the partial facts of
//! several inputs by host name.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use acsready_facts::HostFacts;
use acsready_report::InputProblem;
use acsready_sources::registry_facts::KnownProducts;
use acsready_sources::{
    parse_unit, read_console_csv_each, read_console_json_each, read_osquery, DetectedKind,
    JsonFacts,
};
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
    match acsready_sources::detect_kind(head) {
        DetectedKind::Facts => InputKind::Facts,
        DetectedKind::Osquery => InputKind::Osquery,
        DetectedKind::ConsoleJson => InputKind::ConsoleJson,
        DetectedKind::ConsoleCsv => InputKind::ConsoleCsv,
    }
}

/// The merge key of a host name: case-insensitive, and an FQDN matches its
/// short name ("WEB01" = "web01.corp.example").
pub fn host_key(name: &str) -> String {
    name.trim().split('.').next().unwrap_or("").to_lowercase()
}

/// Hosts gathered from several inputs, merged by [`host_key`]. Each host's
/// parts are merged in the order of their inputs (the first value of a fact
/// is kept), whatever order they were read in: the facts inputs stream after
/// the other inputs were read, and a streamed host takes its held parts with
/// [`Merged::complete`].
#[derive(Default)]
pub struct Merged {
    /// Key → (first seen, parts).
    hosts: HashMap<String, (u64, Vec<Part>)>,
    seen: u64,
    /// The position of the input [`Merged::add`] reads now.
    input: usize,
    last_origin: Option<Arc<str>>,
}

struct Part {
    input: usize,
    origin: Arc<str>,
    facts: Held,
}

/// A part waiting for the rest of its host, kept as its JSON: a tenth of
/// the memory of the facts themselves, so an export of many computers can
/// wait for the facts files.
enum Held {
    Packed(Box<[u8]>),
    Open(Box<HostFacts>),
}

impl Held {
    fn pack(facts: HostFacts) -> Held {
        match serde_json::to_vec(&facts) {
            Ok(json) => Held::Packed(json.into_boxed_slice()),
            Err(_) => Held::Open(Box::new(facts)),
        }
    }

    fn open(self) -> HostFacts {
        match self {
            Held::Open(facts) => *facts,
            // Written above from the same type: it reads back.
            Held::Packed(json) => serde_json::from_slice(&json).unwrap_or_default(),
        }
    }
}

impl Merged {
    /// Parts added from now on come from the input at this position.
    pub fn begin_input(&mut self, input: usize) {
        self.input = input;
    }

    /// Holds one part of a host. Its facts are attributed to `origin` only
    /// when merged: a held part costs no more than its facts.
    pub fn add(&mut self, facts: HostFacts, origin: &str) {
        let origin = self.origin(origin);
        let key = host_key(&facts.host);
        let seen = self.seen;
        let entry = self.hosts.entry(key).or_insert_with(|| (seen, Vec::new()));
        self.seen += 1;
        entry.1.push(Part {
            input: self.input,
            origin,
            facts: Held::pack(facts),
        });
    }

    /// One shared copy of an origin many parts name (a file name).
    fn origin(&mut self, origin: &str) -> Arc<str> {
        match &self.last_origin {
            Some(o) if &**o == origin => o.clone(),
            _ => {
                let o: Arc<str> = origin.into();
                self.last_origin = Some(o.clone());
                o
            }
        }
    }

    /// One host read from the input at `input`, merged with the parts held
    /// for it (which are then no longer held).
    pub fn complete(&mut self, input: usize, facts: HostFacts, origin: &str) -> Completed {
        if self.hosts.is_empty() {
            return Completed::Alone(facts);
        }
        let Some((_, mut parts)) = self.hosts.remove(&host_key(&facts.host)) else {
            return Completed::Alone(facts);
        };
        parts.push(Part {
            input,
            origin: origin.into(),
            facts: Held::Open(Box::new(facts)),
        });
        Completed::Merged(combine(parts))
    }

    /// Every host held, merged, in the order first seen.
    pub fn into_hosts(self) -> impl Iterator<Item = HostFacts> {
        let mut hosts: Vec<(u64, Vec<Part>)> = self.hosts.into_values().collect();
        hosts.sort_unstable_by_key(|(seen, _)| *seen);
        hosts.into_iter().map(|(_, parts)| combine(parts))
    }
}

/// A host read from a streamed input, after [`Merged::complete`].
pub enum Completed {
    /// Merged with the parts held for it.
    Merged(HostFacts),
    /// No part was held: the facts are all from their origin, as read.
    Alone(HostFacts),
}

/// Merges the parts of one host in input order; the longest spelling of the
/// name (the FQDN) is kept.
fn combine(mut parts: Vec<Part>) -> HostFacts {
    parts.sort_by_key(|p| p.input);
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return HostFacts::default();
    };
    let mut host = first.facts.open();
    host.attribute_all(&first.origin);
    for p in parts {
        let mut facts = p.facts.open();
        facts.attribute_all(&p.origin);
        if facts.host.len() > host.host.len() {
            host.host = facts.host.clone();
        }
        host.merge(facts, &p.origin);
    }
    host
}

/// Hashes of the host keys that the facts inputs name more than once (a
/// collision only makes a host wait for the end of the run).
#[derive(Default)]
pub struct Repeated {
    seen: HashSet<u64>,
    repeated: HashSet<u64>,
}

impl Repeated {
    pub fn hash(key: &str) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        h.finish()
    }

    pub fn note(&mut self, hash: u64) {
        if !self.seen.insert(hash) {
            self.repeated.insert(hash);
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        !self.repeated.is_empty() && self.repeated.contains(&Self::hash(key))
    }
}

/// Reads one input of a partial kind (or facts JSON, for merging) into `merged`.
pub fn read_into(
    path: &Path,
    kind: InputKind,
    products: &KnownProducts,
    merged: &mut Merged,
    problems: &mut Vec<InputProblem>,
    warnings: &mut Vec<InputProblem>,
) {
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    let read = crate::intake::open_input(path).and_then(|mut r| r.read_to_end(&mut bytes));
    match read {
        Ok(_) => {}
        Err(e) => {
            problems.push(InputProblem {
                host: None,
                source: name,
                message: format!("cannot open: {e}"),
            });
            return;
        }
    }
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
    products: &KnownProducts,
    merged: &mut Merged,
    problems: &mut Vec<InputProblem>,
    warnings: &mut Vec<InputProblem>,
) {
    let name = name.to_string();
    let hosts = match kind {
        InputKind::Osquery => read_osquery(bytes, &name, &products.display_names).map(|mut o| {
            o.name_unnamed_host(stem);
            warnings.extend(o.problems.iter().map(|p| InputProblem::from_message(p)));
            o.hosts
        }),
        InputKind::ConsoleJson | InputKind::ConsoleCsv => {
            // Each computer goes to `merged` as it is read: a large export
            // is never held twice.
            let mut add = |facts: HostFacts| merged.add(facts, &name);
            let read = if kind == InputKind::ConsoleJson {
                read_console_json_each(bytes, &name, products, &mut add)
            } else {
                read_console_csv_each(bytes, &name, products, &mut add)
            };
            read.map(|c| {
                warnings.extend(c.problems.iter().map(|p| InputProblem::from_message(p)));
                if !c.skipped_non_windows.is_empty() {
                    warnings.push(InputProblem {
                        host: None,
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
                            let unit = match unit {
                                Ok(unit) => unit,
                                Err(e) => {
                                    problems.push(crate::intake::source_problem(&e));
                                    continue;
                                }
                            };
                            match parse_unit(&name, &unit) {
                                Ok(r) => {
                                    let origin = r.origin.to_string();
                                    let mut f = r.facts;
                                    f.attribute_all(&origin);
                                    hosts.push(f);
                                }
                                Err(e) => problems.push(crate::intake::record_problem(&unit, &e)),
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
    fn kinds_map_from_the_detected_ones() {
        assert_eq!(detect(br#"{"host":"a"}"#), InputKind::Facts);
        assert_eq!(
            detect(br#"{"computers":[{"hostName":"w"}]}"#),
            InputKind::ConsoleJson
        );
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
        let hosts: Vec<HostFacts> = m.into_hosts().collect();
        assert_eq!(hosts.len(), 2);
        assert_eq!(hosts[0].host, "web01.corp.example");
        assert_eq!(hosts[0].updates.as_ref().map(Vec::len), Some(2));
        assert_eq!(hosts[0].sources["updates"], "a, b");
    }

    fn os(host: &str, ubr: u32) -> HostFacts {
        HostFacts {
            host: host.into(),
            os: Some(acsready_facts::OsFacts {
                ubr: Some(ubr),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    impl Completed {
        fn merged(self) -> Option<HostFacts> {
            match self {
                Completed::Merged(f) => Some(f),
                Completed::Alone(_) => None,
            }
        }
    }

    #[test]
    fn parts_merge_in_input_order_whatever_the_reading_order() {
        // Input 2 (a console export) is read before input 0 (facts) streams.
        let mut m = Merged::default();
        m.begin_input(2);
        m.add(os("web01", 200), "console.csv");
        m.add(os("db01", 300), "console.csv");
        let web = m
            .complete(0, os("WEB01.corp.example", 100), "facts.ndjson:1")
            .merged()
            .expect("parts held");
        assert_eq!(web.host, "WEB01.corp.example");
        assert_eq!(
            web.os.as_ref().and_then(|o| o.ubr),
            Some(100),
            "input 0 wins"
        );
        assert_eq!(web.sources["os.ubr"], "facts.ndjson:1");
        assert_eq!(web.conflicts.len(), 1, "the console's 200 is a conflict");
        // A host only the console names is left for the end; web01 is gone.
        let rest: Vec<HostFacts> = m.into_hosts().collect();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].host, "db01");
        // A later input loses to an earlier one.
        let mut m = Merged::default();
        m.begin_input(0);
        m.add(os("web01", 200), "console.csv");
        let web = m
            .complete(1, os("web01", 100), "facts.ndjson:1")
            .merged()
            .expect("held");
        assert_eq!(web.os.as_ref().and_then(|o| o.ubr), Some(200));
        assert!(
            m.complete(1, os("db01", 1), "f").merged().is_none(),
            "nothing held"
        );
    }

    #[test]
    fn names_seen_twice_are_repeated() {
        let mut r = Repeated::default();
        assert!(!r.contains("web01"));
        r.note(Repeated::hash("web01"));
        r.note(Repeated::hash("db01"));
        assert!(!r.contains("web01"));
        r.note(Repeated::hash("web01"));
        assert!(r.contains("web01"));
        assert!(!r.contains("db01"));
    }
}
