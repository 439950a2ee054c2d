//! Merging the partial facts of several inputs by host identity: each
//! fact keeps the input it came from, and values two inputs disagree on
//! are conflicts.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use acsready_facts::HostFacts;

use crate::identity::{host_key, preferred_name};

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

/// Merges the parts of one host in input order; the name is shown as
/// [`preferred_name`] says.
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
        if preferred_name(&host.host, &facts.host) != host.host {
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

#[cfg(test)]
mod tests {
    use super::*;

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
