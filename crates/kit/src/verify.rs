//! `acsready verify`: a new assessment against the kit's report, host by
//! host: fixed, still failing, worse, with the reason (the codes resolved,
//! remaining and new).

use std::collections::HashMap;

use acsready_assess::{HostAssessment, Severity, Verdict};
use acsready_rules::Lang;
use serde::Serialize;

/// What became of one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not ready before, ready now.
    Fixed,
    /// Not ready before and still not ready, nothing worse.
    StillFailing,
    /// Ready before and not now, or a new high or critical finding.
    Worse,
    /// Ready before and now.
    StillReady,
    /// In the report before, not in the new inputs.
    NotCollected,
    /// Only in the new inputs.
    New,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fixed => "fixed",
            Outcome::StillFailing => "still_failing",
            Outcome::Worse => "worse",
            Outcome::StillReady => "still_ready",
            Outcome::NotCollected => "not_collected",
            Outcome::New => "new",
        }
    }

    /// Whether this outcome leaves something to do.
    pub fn open(self) -> bool {
        matches!(
            self,
            Outcome::StillFailing | Outcome::Worse | Outcome::NotCollected
        )
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Outcome::Fixed, Lang::En) => "fixed",
            (Outcome::Fixed, Lang::Ja) => "対処済み",
            (Outcome::StillFailing, Lang::En) => "still failing",
            (Outcome::StillFailing, Lang::Ja) => "未解決",
            (Outcome::Worse, Lang::En) => "got worse",
            (Outcome::Worse, Lang::Ja) => "悪化",
            (Outcome::StillReady, Lang::En) => "still ready",
            (Outcome::StillReady, Lang::Ja) => "対応済みのまま",
            (Outcome::NotCollected, Lang::En) => "not collected again",
            (Outcome::NotCollected, Lang::Ja) => "再収集なし",
            (Outcome::New, Lang::En) => "new host",
            (Outcome::New, Lang::Ja) => "新しい端末",
        }
    }
}

/// One host before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostChange {
    pub host: String,
    pub outcome: Outcome,
    pub before: Option<Verdict>,
    pub after: Option<Verdict>,
    /// Finding codes gone since.
    pub resolved: Vec<String>,
    /// Finding codes still there.
    pub remaining: Vec<String>,
    /// Finding codes that appeared.
    pub new: Vec<String>,
}

impl HostChange {
    /// Why, in one line: the verdicts and the codes.
    pub fn reason(&self, lang: Lang) -> String {
        let v = |x: Option<Verdict>| x.map_or("-", |v| v.as_str());
        let mut parts = vec![format!("{} → {}", v(self.before), v(self.after))];
        let (resolved, remaining, new) = match lang {
            Lang::En => ("resolved", "remaining", "new"),
            Lang::Ja => ("解消", "残り", "新規"),
        };
        for (label, codes) in [
            (resolved, &self.resolved),
            (remaining, &self.remaining),
            (new, &self.new),
        ] {
            if !codes.is_empty() {
                parts.push(format!("{label}: {}", codes.join(" ")));
            }
        }
        parts.join("; ")
    }
}

fn codes(h: &HostAssessment) -> Vec<(&str, Severity)> {
    // Info findings say what is right: neither fixed nor failing.
    let mut c: Vec<(&str, Severity)> = h
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .map(|f| (f.code.as_str(), f.severity))
        .collect();
    c.sort();
    c.dedup_by(|a, b| a.0 == b.0);
    c
}

/// One host's change.
pub fn change(
    host: &str,
    before: Option<&HostAssessment>,
    after: Option<&HostAssessment>,
) -> HostChange {
    let b = before.map(codes).unwrap_or_default();
    let a = after.map(codes).unwrap_or_default();
    let in_b = |c: &str| b.iter().any(|x| x.0 == c);
    let in_a = |c: &str| a.iter().any(|x| x.0 == c);
    let resolved: Vec<String> = b
        .iter()
        .filter(|x| !in_a(x.0))
        .map(|x| x.0.to_string())
        .collect();
    let remaining: Vec<String> = a
        .iter()
        .filter(|x| in_b(x.0))
        .map(|x| x.0.to_string())
        .collect();
    let new_codes: Vec<&(&str, Severity)> = a.iter().filter(|x| !in_b(x.0)).collect();
    let serious_new = new_codes.iter().any(|x| x.1 >= Severity::High);
    let (bv, av) = (before.map(|h| h.verdict), after.map(|h| h.verdict));
    let outcome = match (bv, av) {
        (Some(_), None) => Outcome::NotCollected,
        (None, _) => Outcome::New,
        (Some(Verdict::Ready), Some(Verdict::Ready)) if !serious_new => Outcome::StillReady,
        (Some(Verdict::Ready), Some(_)) => Outcome::Worse,
        (Some(_), Some(Verdict::Ready)) => Outcome::Fixed,
        (Some(_), Some(_)) if serious_new => Outcome::Worse,
        (Some(_), Some(_)) => Outcome::StillFailing,
    };
    HostChange {
        host: host.to_string(),
        outcome,
        before: bv,
        after: av,
        resolved,
        remaining,
        new: new_codes.iter().map(|x| x.0.to_string()).collect(),
    }
}

/// Every host of `before` and `after`, matched by `key` (the fleet's host
/// identity: `WEB01` and `web01.corp.example` are one host), in the order
/// of `before`, then the new hosts.
pub fn compare(
    before: &[HostAssessment],
    after: &[HostAssessment],
    key: impl Fn(&str) -> String,
) -> Vec<HostChange> {
    let mut now: HashMap<String, &HostAssessment> = HashMap::new();
    for h in after {
        now.entry(key(&h.host)).or_insert(h);
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for h in before {
        let k = key(&h.host);
        if !seen.insert(k.clone()) {
            continue;
        }
        out.push(change(&h.host, Some(h), now.get(&k).copied()));
    }
    for h in after {
        let k = key(&h.host);
        if seen.insert(k) {
            out.push(change(&h.host, None, Some(h)));
        }
    }
    out
}
