//! Events that explain a blocked install or a broken agent.

use acsready_facts::{EventFact, HostFacts};
use acsready_rules::{EventRule, Rules};

use crate::findings::{ev, Findings};

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn matches(rule: &EventRule, event: &EventFact) -> bool {
    let provider = event.provider.as_deref().unwrap_or("");
    let message = event.message.as_deref().unwrap_or("");
    (rule.ids.is_empty() || rule.ids.contains(&event.id))
        && (rule.providers_any.is_empty()
            || rule.providers_any.iter().any(|p| contains_ci(provider, p)))
        && (rule.message_any.is_empty() || rule.message_any.iter().any(|m| contains_ci(message, m)))
        && (rule.message_also_any.is_empty()
            || rule
                .message_also_any
                .iter()
                .any(|m| contains_ci(message, m)))
}

/// One finding per code whose rules match, citing its events (in the order given).
pub(crate) fn explain_events(facts: &HostFacts, rules: &Rules, findings: &mut Findings) {
    let Some(events) = &facts.events else { return };
    let mut codes: Vec<&str> = rules.events.iter().map(|r| r.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    for code in codes {
        let rules_of_code: Vec<&EventRule> =
            rules.events.iter().filter(|r| r.code == code).collect();
        let hits: Vec<&EventFact> = events
            .iter()
            .filter(|e| rules_of_code.iter().any(|r| matches(r, e)))
            .collect();
        let Some(first) = hits.first() else { continue };
        let evidence = hits
            .iter()
            .map(|e| {
                ev(
                    "events",
                    format!(
                        "{} {} {}: {}",
                        e.id,
                        e.provider.as_deref().unwrap_or(""),
                        e.time.as_deref().unwrap_or(""),
                        e.message.as_deref().unwrap_or("")
                    )
                    .replace("  ", " "),
                )
            })
            .collect();
        let id = first.id.to_string();
        let time = first.time.clone().unwrap_or_default();
        findings.add(
            code,
            &[
                ("event_id", &id),
                ("time", &time),
                ("message", first.message.as_deref().unwrap_or("")),
            ],
            evidence,
        );
    }
}
