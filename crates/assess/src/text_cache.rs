//! The rendered texts of findings, remembered by code and parameters for
//! one set of rules and one language: a fleet repeats the same few findings
//! (the same KB for the same release, the same pin target), so each is
//! rendered once, not once per host.

use std::collections::HashMap;

/// A hash map with a fast hasher: the keys are the rules' own codes and
/// parameters, not chosen by an adversary.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

use acsready_rules::{Lang, Rules};

use crate::model::Params;
use crate::render;

/// How many distinct (code, parameters) one cache keeps; past it the cache
/// starts again, so hosts with values of their own (a build, a UBR) cannot
/// make it grow without bound.
const CAPACITY: usize = 4096;

/// Title and remediation steps of one finding.
type Texts = (String, Vec<String>);

/// Rendered finding texts of one rules set in one language.
pub struct TextCache<'r> {
    rules: &'r Rules,
    lang: Lang,
    by_code: Map<String, Map<Params, Texts>>,
    len: usize,
}

impl<'r> TextCache<'r> {
    pub fn new(rules: &'r Rules, lang: Lang) -> Self {
        TextCache {
            rules,
            lang,
            by_code: Map::default(),
            len: 0,
        }
    }

    pub fn rules(&self) -> &'r Rules {
        self.rules
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The title and remediation steps of finding `code` with `params`, as
    /// [`render::texts`] gives them, handed to `read`.
    pub fn with<R>(&mut self, code: &str, params: &Params, read: impl FnOnce(&Texts) -> R) -> R {
        if let Some(texts) = self.by_code.get(code).and_then(|m| m.get(params)) {
            return read(texts);
        }
        if self.len >= CAPACITY {
            self.by_code.clear();
            self.len = 0;
        }
        let texts = render::texts(self.rules, self.lang, code, params);
        let answer = read(&texts);
        self.by_code
            .entry(code.to_string())
            .or_default()
            .insert(params.clone(), texts);
        self.len += 1;
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Param;

    #[test]
    fn gives_what_rendering_gives_and_stays_bounded() {
        let rules = Rules::embedded().unwrap();
        for lang in [Lang::En, Lang::Ja] {
            let mut cache = TextCache::new(&rules, lang);
            for ubr in 0..(CAPACITY + 10) {
                let params: Params = [
                    ("kb".into(), Param::from("KB5005619")),
                    ("ubr".into(), Param::from(ubr.to_string())),
                ]
                .into_iter()
                .collect();
                let code = acsready_rules::codes::OS_UPDATE_MISSING;
                let want = render::texts(&rules, lang, code, &params);
                assert_eq!(cache.with(code, &params, Clone::clone), want);
                assert_eq!(cache.with(code, &params, Clone::clone), want);
                assert!(cache.len <= CAPACITY);
            }
        }
    }
}
