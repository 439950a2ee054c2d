//! Builds findings from their codes and the texts of the rules.

use std::collections::BTreeMap;

use acsready_rules::{fill, Lang, Rules, Severity};

use crate::model::{Evidence, Finding};

/// Shorthand for one piece of evidence.
pub(crate) fn ev(fact: &str, value: impl Into<String>) -> Evidence {
    Evidence {
        fact: fact.to_string(),
        value: value.into(),
        source: None,
    }
}

/// The value written for a fact that no source gave.
pub(crate) const MISSING: &str = "(missing)";

/// Collects the findings of one host.
pub(crate) struct Findings<'r> {
    rules: &'r Rules,
    lang: Lang,
    detail: Detail,
    list: Vec<Finding>,
}

/// How much an assessment writes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Titles, evidence and remediation of every finding.
    #[default]
    Full,
    /// Codes and severities only: for counting large fleets.
    Codes,
}

impl<'r> Findings<'r> {
    /// The language texts are filled in.
    pub(crate) fn lang(&self) -> Lang {
        self.lang
    }

    pub(crate) fn new(rules: &'r Rules, lang: Lang, detail: Detail) -> Self {
        Findings {
            rules,
            lang,
            detail,
            list: Vec::new(),
        }
    }

    /// Whether texts are wanted; callers skip building evidence when not.
    pub(crate) fn full(&self) -> bool {
        self.detail == Detail::Full
    }

    /// The lines of a text entry of the rules, with placeholders filled.
    pub(crate) fn text(&self, key: &str, params: &[(&str, &str)]) -> Vec<String> {
        if !self.full() {
            return Vec::new();
        }
        self.rules
            .text(key, self.lang)
            .iter()
            .map(|t| fill(t, params))
            .collect()
    }

    /// The title a finding would have.
    pub(crate) fn title(&self, code: &str, params: &[(&str, &str)]) -> String {
        if !self.full() {
            return String::new();
        }
        match self.rules.finding(code) {
            Some(f) => fill(f.title.get(self.lang), &self.with_common(params)),
            None => code.to_string(),
        }
    }

    /// Adds a finding. A parameter whose value holds several lines (steps)
    /// expands into that many remediation lines.
    pub(crate) fn add(&mut self, code: &str, params: &[(&str, &str)], evidence: Vec<Evidence>) {
        if !self.full() {
            let severity = self
                .rules
                .finding(code)
                .map_or(Severity::Medium, |f| f.severity);
            self.list.push(Finding {
                code: code.to_string(),
                severity,
                title: String::new(),
                evidence: Vec::new(),
                remediation: Vec::new(),
            });
            return;
        }
        let params = self.with_common(params);
        let (severity, title, remediation) = match self.rules.finding(code) {
            Some(f) => (
                f.severity,
                fill(f.title.get(self.lang), &params),
                f.remediation
                    .get(self.lang)
                    .iter()
                    .flat_map(|t| {
                        fill(t, &params)
                            .lines()
                            .filter(|l| !l.trim().is_empty())
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .collect(),
            ),
            None => (Severity::Medium, code.to_string(), Vec::new()),
        };
        self.list.push(Finding {
            code: code.to_string(),
            severity,
            title,
            evidence,
            remediation,
        });
    }

    fn with_common<'a>(&'a self, params: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let root = &self.rules.root_certificate;
        let mut all = params.to_vec();
        all.push(("root_name", root.name.as_str()));
        all.push(("root_sha1", root.sha1.as_str()));
        all
    }

    /// Most severe first; codes in order within a severity; stable otherwise.
    /// Evidence gets the source of its fact where the facts name one.
    pub(crate) fn into_sorted(mut self, sources: &BTreeMap<String, String>) -> Vec<Finding> {
        if !sources.is_empty() {
            for e in self.list.iter_mut().flat_map(|f| f.evidence.iter_mut()) {
                let fact = e.fact.split_once('.').map_or(e.fact.as_str(), |(head, _)| {
                    if head == "os" || head == "delivery" {
                        e.fact.as_str()
                    } else {
                        head
                    }
                });
                if let Some(s) = sources.get(fact) {
                    e.source = Some(s.clone());
                }
            }
        }
        self.list.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.code.cmp(&b.code))
        });
        self.list
    }
}
