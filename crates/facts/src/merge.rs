//! Merging the facts that several sources give about one host.
//!
//! Lists are united (without duplicates); a single value taken from the first
//! source that has it. When a later source disagrees, the disagreement is
//! recorded in [`HostFacts::conflicts`] rather than hidden. `sources` records
//! where each fact came from.

use std::collections::BTreeMap;
use std::fmt::Debug;

use crate::{Conflict, HostFacts};

/// Records where a fact came from, joining several sources with ", ".
fn note_source(sources: &mut BTreeMap<String, String>, fact: &str, source: &str) {
    match sources.get_mut(fact) {
        Some(existing) if existing.split(", ").any(|s| s == source) => {}
        Some(existing) => {
            existing.push_str(", ");
            existing.push_str(source);
        }
        None => {
            sources.insert(fact.to_string(), source.to_string());
        }
    }
}

struct Merger<'a> {
    sources: &'a mut BTreeMap<String, String>,
    conflicts: &'a mut Vec<Conflict>,
    other_sources: &'a BTreeMap<String, String>,
    fallback: &'a str,
}

impl Merger<'_> {
    fn source_of(&self, fact: &str) -> String {
        self.other_sources
            .get(fact)
            .cloned()
            .unwrap_or_else(|| self.fallback.to_string())
    }

    fn scalar<T: PartialEq + Debug + Clone>(
        &mut self,
        fact: &str,
        mine: &mut Option<T>,
        theirs: Option<T>,
    ) {
        let Some(theirs) = theirs else { return };
        let source = self.source_of(fact);
        match mine {
            None => {
                *mine = Some(theirs);
                note_source(self.sources, fact, &source);
            }
            Some(m) if *m == theirs => note_source(self.sources, fact, &source),
            Some(m) => {
                let show = |v: &T| {
                    let s = format!("{v:?}");
                    s.trim_matches('"').to_string()
                };
                let kept = (show(m), self.sources.get(fact).cloned().unwrap_or_default());
                match self.conflicts.iter_mut().find(|c| c.fact == fact) {
                    Some(c) => c.values.push((show(&theirs), source)),
                    None => self.conflicts.push(Conflict {
                        fact: fact.to_string(),
                        values: vec![kept, (show(&theirs), source)],
                    }),
                }
            }
        }
    }

    fn list<T: PartialEq>(
        &mut self,
        fact: &str,
        mine: &mut Option<Vec<T>>,
        theirs: Option<Vec<T>>,
    ) {
        let Some(theirs) = theirs else { return };
        let source = self.source_of(fact);
        note_source(self.sources, fact, &source);
        let list = mine.get_or_insert_with(Vec::new);
        for item in theirs {
            if !list.contains(&item) {
                list.push(item);
            }
        }
    }
}

impl HostFacts {
    /// Adds what `other` knows about the same host. `origin` names `other`
    /// for facts its own `sources` does not attribute.
    pub fn merge(&mut self, other: HostFacts, origin: &str) {
        let HostFacts {
            host: _,
            collected_at,
            os,
            updates,
            certificates,
            root_auto_update_disabled,
            agents,
            delivery,
            events,
            pending_updates,
            easyfix,
            sources: other_sources,
            conflicts: other_conflicts,
        } = other;
        self.conflicts.extend(other_conflicts);
        if self.collected_at.is_none() {
            self.collected_at = collected_at;
        }
        let mut m = Merger {
            sources: &mut self.sources,
            conflicts: &mut self.conflicts,
            other_sources: &other_sources,
            fallback: origin,
        };
        if let Some(theirs) = os {
            let mine = self.os.get_or_insert_with(Default::default);
            m.scalar(
                "os.product_name",
                &mut mine.product_name,
                theirs.product_name,
            );
            m.scalar("os.edition_id", &mut mine.edition_id, theirs.edition_id);
            m.scalar(
                "os.installation_type",
                &mut mine.installation_type,
                theirs.installation_type,
            );
            m.scalar(
                "os.current_build",
                &mut mine.current_build,
                theirs.current_build,
            );
            m.scalar("os.ubr", &mut mine.ubr, theirs.ubr);
            m.scalar(
                "os.display_version",
                &mut mine.display_version,
                theirs.display_version,
            );
            m.scalar("os.csd_version", &mut mine.csd_version, theirs.csd_version);
        }
        m.list("updates", &mut self.updates, updates);
        m.list("certificates", &mut self.certificates, certificates);
        m.scalar(
            "root_auto_update_disabled",
            &mut self.root_auto_update_disabled,
            root_auto_update_disabled,
        );
        m.list("agents", &mut self.agents, agents);
        if let Some(theirs) = delivery {
            let mine = self.delivery.get_or_insert_with(Default::default);
            m.scalar(
                "delivery.no_program_upgrade",
                &mut mine.no_program_upgrade,
                theirs.no_program_upgrade,
            );
        }
        m.list("events", &mut self.events, events);
        m.list(
            "pending_updates",
            &mut self.pending_updates,
            pending_updates,
        );
        m.scalar("easyfix", &mut self.easyfix, easyfix);
    }

    /// Attributes every fact present to `source` (for sources that give a
    /// whole record at once, such as a facts JSON line).
    pub fn attribute_all(&mut self, source: &str) {
        let mut present: Vec<&str> = Vec::new();
        if let Some(os) = &self.os {
            let fields = [
                ("os.product_name", os.product_name.is_some()),
                ("os.edition_id", os.edition_id.is_some()),
                ("os.installation_type", os.installation_type.is_some()),
                ("os.current_build", os.current_build.is_some()),
                ("os.ubr", os.ubr.is_some()),
                ("os.display_version", os.display_version.is_some()),
                ("os.csd_version", os.csd_version.is_some()),
            ];
            present.extend(fields.iter().filter(|(_, p)| *p).map(|(f, _)| *f));
        }
        let others = [
            ("updates", self.updates.is_some()),
            ("certificates", self.certificates.is_some()),
            (
                "root_auto_update_disabled",
                self.root_auto_update_disabled.is_some(),
            ),
            ("agents", self.agents.is_some()),
            (
                "delivery.no_program_upgrade",
                self.delivery
                    .as_ref()
                    .is_some_and(|d| d.no_program_upgrade.is_some()),
            ),
            ("events", self.events.is_some()),
            ("pending_updates", self.pending_updates.is_some()),
            ("easyfix", self.easyfix.is_some()),
        ];
        present.extend(others.iter().filter(|(_, p)| *p).map(|(f, _)| *f));
        for fact in present {
            if !self.sources.contains_key(fact) {
                self.sources.insert(fact.to_string(), source.to_string());
            }
        }
    }

    /// Every source some fact came from, sorted, each once.
    pub fn source_list(&self) -> Vec<String> {
        let mut list: Vec<String> = self
            .sources
            .values()
            .flat_map(|s| s.split(", "))
            .map(str::to_string)
            .collect();
        list.sort();
        list.dedup();
        list
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn source_list_names_each_source_once() {
        let mut a = super::HostFacts {
            host: "a".into(),
            updates: Some(vec![]),
            ..Default::default()
        };
        a.attribute_all("b.csv:2");
        let mut other = super::HostFacts {
            host: "a".into(),
            updates: Some(vec!["KB1".into()]),
            root_auto_update_disabled: Some(true),
            ..Default::default()
        };
        other.attribute_all("a.json:1");
        a.merge(other, "a.json:1");
        assert_eq!(a.source_list(), ["a.json:1", "b.csv:2"]);
    }

    use crate::{CertificateFact, HostFacts, OsFacts};

    fn with_ubr(ubr: u32, source: &str) -> HostFacts {
        let mut f = HostFacts {
            host: "h".into(),
            os: Some(OsFacts {
                current_build: Some("17763".into()),
                ubr: Some(ubr),
                ..Default::default()
            }),
            ..Default::default()
        };
        f.attribute_all(source);
        f
    }

    #[test]
    fn equal_values_merge_and_keep_both_sources() {
        let mut a = with_ubr(2210, "a.reg");
        a.merge(with_ubr(2210, "b.json:1"), "b");
        assert!(a.conflicts.is_empty());
        assert_eq!(a.sources["os.ubr"], "a.reg, b.json:1");
    }

    #[test]
    fn different_values_are_a_conflict_and_the_first_is_kept() {
        let mut a = with_ubr(2210, "SOFTWARE");
        a.merge(with_ubr(2183, "CurrentVersion.reg"), "x");
        assert_eq!(a.ubr(), Some(2210));
        assert_eq!(a.conflicts.len(), 1);
        let c = &a.conflicts[0];
        assert_eq!(c.fact, "os.ubr");
        assert_eq!(
            c.values,
            vec![
                ("2210".to_string(), "SOFTWARE".to_string()),
                ("2183".to_string(), "CurrentVersion.reg".to_string())
            ]
        );
    }

    #[test]
    fn lists_are_united_and_unknown_stays_unknown() {
        let mut a = HostFacts {
            host: "h".into(),
            updates: Some(vec!["KB1".into()]),
            ..Default::default()
        };
        let b = HostFacts {
            host: "h".into(),
            updates: Some(vec!["KB1".into(), "KB2".into()]),
            certificates: Some(vec![CertificateFact {
                sha1: "A".repeat(40),
                store: "ROOT".into(),
                ..Default::default()
            }]),
            ..Default::default()
        };
        a.merge(b, "qfe.txt");
        assert_eq!(a.updates, Some(vec!["KB1".into(), "KB2".into()]));
        assert_eq!(a.certificates.as_ref().map(Vec::len), Some(1));
        assert_eq!(a.sources["certificates"], "qfe.txt");
        assert!(a.events.is_none(), "a fact no source gave stays unknown");
    }
}
