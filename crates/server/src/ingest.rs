//! Turning the hosts the intake read from a request into stored records.

use acsready_assess::{assess_with, Detail};
use acsready_facts::HostFacts;
use acsready_rules::{Lang, Rules};
use sha2::{Digest, Sha256};

use crate::store::{Assessed, NewRecord};

/// The longest host name stored, in bytes of UTF-8: the longest DNS name.
pub const MAX_HOST_BYTES: usize = 255;

/// Refuses a value of `field` with a control character (NUL, ESC, a line
/// break…): nothing stored or searched holds one.
pub fn check_text(field: &str, value: &str) -> Result<(), String> {
    match value.char_indices().find(|(_, c)| c.is_control()) {
        Some((at, c)) => Err(format!(
            "{field}: control character U+{:04X} at byte {at} is not allowed",
            c as u32
        )),
        None => Ok(()),
    }
}

/// Refuses a host name longer than [`MAX_HOST_BYTES`] or with a control
/// character; the message names the field, never repeats the name.
pub fn check_host(host: &str) -> Result<(), String> {
    if host.len() > MAX_HOST_BYTES {
        return Err(format!(
            "host: {} bytes long, the limit is {MAX_HOST_BYTES}",
            host.len()
        ));
    }
    check_text("host", host)
}

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
    fn host_names_are_short_and_hold_no_control_character() {
        for good in [
            "web01",
            "web01.corp.example",
            "サーバー01",
            &"a".repeat(255),
        ] {
            assert_eq!(check_host(good), Ok(()), "{good}");
        }
        let long = check_host(&"a".repeat(256)).unwrap_err();
        assert!(long.starts_with("host: 256 bytes"), "{long}");
        // 86 three-byte characters: 258 bytes.
        assert!(check_host(&"あ".repeat(86)).is_err());
        for (bad, code) in [
            ("a\0b", "U+0000"),
            ("a\u{1b}[31m", "U+001B"),
            ("a\nb", "U+000A"),
        ] {
            let e = check_host(bad).unwrap_err();
            assert!(
                e.starts_with("host: control character") && e.contains(code),
                "{e}"
            );
        }
        assert!(check_text("q", "a\0b").unwrap_err().starts_with("q: "));
    }

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
