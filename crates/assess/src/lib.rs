//! Applies the rules to the facts of one host: a verdict, findings with
//! evidence and remediation, and a plan for every installed agent.
//!
//! The assessment knows nothing of where the facts came from (registry, JSON,
//! console export) and nothing of how they are shown; it is a pure function
//! of [`HostFacts`] and [`Rules`].
//!
//! ```
//! use acsready_assess::{assess, Verdict};
//! use acsready_facts::HostFacts;
//! use acsready_rules::{Lang, Rules};
//!
//! let rules = Rules::embedded().unwrap();
//! let mut facts: HostFacts = serde_json::from_str(
//!     r#"{"host":"web01","os":{"current_build":"17763.2183","installation_type":"Server"},
//!         "certificates":[],"root_auto_update_disabled":false}"#).unwrap();
//! facts.normalize().unwrap();
//! let a = assess(&facts, &rules, Lang::En);
//! assert_eq!(a.verdict, Verdict::NotReady);
//! assert_eq!(a.findings[0].code, "ACS001");
//! ```

mod agents;
mod events;
mod findings;
mod model;
mod module;
mod os;
mod params;
pub mod render;
mod root;
mod text_cache;

use acsready_facts::HostFacts;
use acsready_rules::{Lang, Rules};

pub use acsready_rules::Severity;
pub use model::*;

pub use agents::LATEST;
pub use findings::Detail;
use findings::Findings;
pub use module::{module_demand, predict, Demand, ModulePrediction, Outcome};
pub use text_cache::TextCache;

/// Whether one requirement of the host holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Met,
    NotMet,
    Unknown,
    /// The OS can never meet it.
    Unsupported,
}

/// The installation type of a host: `InstallationType`, else "Server" in
/// its ProductName or EditionID.
pub fn installation_of(facts: &HostFacts) -> Option<acsready_rules::Installation> {
    os::installation(facts).0
}

/// Assesses one host, with every text.
pub fn assess(facts: &HostFacts, rules: &Rules, lang: Lang) -> HostAssessment {
    assess_with(facts, rules, lang, Detail::Full)
}

/// Assesses one host; [`Detail::Codes`] leaves titles, evidence and
/// remediation empty (the verdict, codes and agent actions are the same).
pub fn assess_with(facts: &HostFacts, rules: &Rules, lang: Lang, detail: Detail) -> HostAssessment {
    assess_cached(facts, &mut TextCache::new(rules, lang), detail)
}

/// [`assess_with`] rendering texts through `texts`, which remembers them:
/// keep one per thread across the hosts of a fleet.
pub fn assess_cached(
    facts: &HostFacts,
    texts: &mut TextCache<'_>,
    detail: Detail,
) -> HostAssessment {
    let rules = texts.rules();
    let mut findings = Findings::new(texts, detail);
    let os = os::assess_os(facts, rules, &mut findings);
    let root = root::assess_root(facts, rules, &mut findings);
    root::vendor_roots(facts, rules, &mut findings);
    let verdict = verdict(os.status, root);
    events::explain_events(facts, rules, &mut findings);
    for c in &facts.conflicts {
        let values = c
            .values
            .iter()
            .map(|(v, s)| format!("{v} ({s})"))
            .collect::<Vec<_>>()
            .join("; ");
        findings.add(
            acsready_rules::codes::FACT_CONFLICT,
            &[("fact", &c.fact), ("values", &values)],
            vec![findings::ev(&c.fact, values.clone())],
        );
    }
    let agents = agents::plan_agents(facts, rules, verdict, &mut findings);
    HostAssessment {
        host: facts.host.clone(),
        os: os.summary,
        verdict,
        findings: findings.into_sorted(&facts.sources),
        agents,
        sources: Vec::new(),
        modules: Vec::new(),
    }
}

fn verdict(os: Status, root: Status) -> Verdict {
    use Status::*;
    match (os, root) {
        (Unsupported, _) => Verdict::Unsupported,
        (NotMet, _) | (_, NotMet) => Verdict::NotReady,
        (Unknown, _) | (_, Unknown) => Verdict::Unknown,
        _ => Verdict::Ready,
    }
}

#[cfg(test)]
mod agent_tests;
#[cfg(test)]
mod event_tests;
#[cfg(test)]
mod render_tests;
#[cfg(test)]
mod rules_age_tests;
#[cfg(test)]
mod tests;
