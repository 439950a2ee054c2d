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
}

/// One finding per matching rule, citing its events (newest first as given).
pub(crate) fn explain_events(facts: &HostFacts, rules: &Rules, findings: &mut Findings) {
    let Some(events) = &facts.events else { return };
    for rule in &rules.events {
        let hits: Vec<&EventFact> = events.iter().filter(|e| matches(rule, e)).collect();
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
            &rule.code,
            &[
                ("event_id", &id),
                ("time", &time),
                ("message", first.message.as_deref().unwrap_or("")),
            ],
            evidence,
        );
    }
}
