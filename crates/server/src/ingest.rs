//! Turning the hosts the intake read from a request into stored records.

use acsready_assess::{assess_with, Detail};
use acsready_facts::HostFacts;
use acsready_rules::{Lang, Rules};
use sha2::{Digest, Sha256};

use crate::store::{Assessed, NewRecord};

/// The idempotency key of a record: its collection time, else a hash of its content.
pub fn idempotency_key(facts: &HostFacts) -> String {
    match &facts.collected_at {
        Some(at) => format!("at:{at}"),
        None => {
            let body = serde_json::to_vec(facts).unwrap_or_default();
            let digest = Sha256::digest(&body);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256:{hex}")
        }
    }
}

/// Assesses facts with `rules` and makes the record to store.
pub fn record(facts: HostFacts, rules: &Rules, received: (i64, &str)) -> NewRecord {
    let a = assess_with(&facts, rules, Lang::En, Detail::Codes);
    let (now_ms, now) = received;
    let seen_ms = facts
        .collected_at
        .as_deref()
        .and_then(crate::clock::millis)
        .unwrap_or(now_ms);
    NewRecord {
        key: idempotency_key(&facts),
        received_at: now.to_string(),
        seen_ms,
        assessed: Assessed::of(&a, &rules.rules_version, now),
        facts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_collection_time_else_the_content() {
        let mut f = HostFacts {
            host: "a".into(),
            ..Default::default()
        };
        let by_content = idempotency_key(&f);
        assert!(by_content.starts_with("sha256:"));
        assert_eq!(by_content, idempotency_key(&f.clone()));
        f.updates = Some(vec!["KB1".into()]);
        assert_ne!(by_content, idempotency_key(&f));
        f.collected_at = Some("2026-11-01T00:00:00Z".into());
        assert_eq!(idempotency_key(&f), "at:2026-11-01T00:00:00Z");
    }
}
