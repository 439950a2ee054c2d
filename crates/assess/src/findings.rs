//! Builds findings from their codes and the texts of the rules.

use std::borrow::Cow;
use std::collections::BTreeMap;

use acsready_rules::{Lang, Rules, Severity};

use crate::model::{AgentPlan, Evidence, Finding, Param, Params, TextRef};
use crate::text_cache::TextCache;

/// Parameters that are all plain values.
pub(crate) fn plain(params: &[(&'static str, &str)]) -> Params {
    params
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), Param::from(*v)))
        .collect()
}

/// A text entry of the rules with the values of its placeholders.
pub(crate) fn text_ref(key: &str, params: Params) -> TextRef {
    TextRef {
        key: key.to_string(),
        params,
    }
}

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
pub(crate) struct Findings<'r, 'c> {
    rules: &'r Rules,
    lang: Lang,
    detail: Detail,
    list: Vec<Finding>,
    texts: &'c mut TextCache<'r>,
}

/// How much an assessment writes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Titles, evidence and remediation of every finding.
    #[default]
    Full,
    /// Codes and severities only: for counting large fleets.
    Codes,
    /// Codes, evidence and parameters, texts left empty: for an edge that
    /// renders them in the language of each request ([`crate::render::render_host`]).
    Params,
}

impl<'r, 'c> Findings<'r, 'c> {
    pub(crate) fn new(texts: &'c mut TextCache<'r>, detail: Detail) -> Self {
        Findings {
            rules: texts.rules(),
            lang: texts.lang(),
            detail,
            list: Vec::new(),
            texts,
        }
    }

    /// The language texts are rendered in.
    pub(crate) fn lang(&self) -> Lang {
        self.lang
    }

    /// Whether texts are wanted; callers skip building evidence when not.
    pub(crate) fn full(&self) -> bool {
        self.detail != Detail::Codes
    }

    /// Whether texts are rendered now (not left to the edge).
    pub(crate) fn rendered(&self) -> bool {
        self.detail == Detail::Full
    }

    /// A parameter made of text entries of the rules, joined by `join`
    /// (empty when texts are not wanted).
    pub(crate) fn texts(&self, texts: impl FnOnce() -> Vec<TextRef>, join: &str) -> Param {
        if !self.full() {
            return Param::Value(String::new());
        }
        Param::Texts {
            texts: texts(),
            join: join.to_string(),
        }
    }

    /// The evidence `make` gives, made only when texts are wanted.
    pub(crate) fn evidence(&self, make: impl FnOnce() -> Vec<Evidence>) -> Vec<Evidence> {
        if self.full() {
            make()
        } else {
            Vec::new()
        }
    }

    /// Plain parameters (none when texts are not wanted).
    pub(crate) fn plain(&self, params: &[(&'static str, &str)]) -> Params {
        if self.full() {
            plain(params)
        } else {
            Params::new()
        }
    }

    /// Adds parameter `key` (not when texts are not wanted).
    pub(crate) fn put(
        &self,
        params: &mut Params,
        key: &'static str,
        value: impl FnOnce() -> Param,
    ) {
        if self.full() {
            params.insert(Cow::Borrowed(key), value());
        }
    }

    /// Sets the reason of an agent plan: the title of finding `code`.
    pub(crate) fn reason(&mut self, plan: &mut AgentPlan, code: &str, params: &Params) {
        if !self.full() {
            return;
        }
        if self.rendered() {
            plan.reason = self.texts.with(code, params, |(title, _)| title.clone());
        }
        plan.reason_code = code.to_string();
    }

    /// Adds a finding whose parameters are all plain values.
    pub(crate) fn add(
        &mut self,
        code: &str,
        params: &[(&'static str, &str)],
        evidence: Vec<Evidence>,
    ) {
        let params = self.plain(params);
        self.add_params(code, params, evidence);
    }

    /// Adds a finding, its texts rendered from its code and parameters.
    pub(crate) fn add_params(&mut self, code: &str, params: Params, evidence: Vec<Evidence>) {
        let severity = self
            .rules
            .finding(code)
            .map_or(Severity::Medium, |f| f.severity);
        if !self.full() {
            self.list.push(Finding {
                code: code.to_string(),
                severity,
                title: String::new(),
                evidence: Vec::new(),
                remediation: Vec::new(),
                params: Params::new(),
            });
            return;
        }
        let (title, remediation) = if self.rendered() {
            self.texts.with(code, &params, Clone::clone)
        } else {
            (String::new(), Vec::new())
        };
        self.list.push(Finding {
            code: code.to_string(),
            severity,
            title,
            evidence,
            remediation,
            params,
        });
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
