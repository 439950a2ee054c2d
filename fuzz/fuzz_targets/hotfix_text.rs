//! Arbitrary bytes as `wmic qfe` / `systeminfo` output, and as an EasyFix
//! log: no panic, only canonical KB numbers, each once, and a list called
//! whole only when one was read.
//!
//! Run with `cargo +nightly fuzz run hotfix_text corpus/hotfix_text
//! seeds/hotfix_text` from this folder: `seeds/hotfix_text` holds
//! systeminfo in Japanese (Shift_JIS, UTF-16), Chinese (GBK), Russian
//! (CP866), Korean, French wrapped by PowerShell, CSV and table, and wmic
//! output behind its first-run message.

#![no_main]

use acsready_sources::{parse_easyfix_log, parse_hotfixes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(out) = parse_hotfixes(data, "fuzz.txt") {
        let updates = out.updates.as_deref().unwrap_or_default();
        for (i, kb) in updates.iter().enumerate() {
            assert_eq!(acsready_facts_kb(kb).as_deref(), Some(kb.as_str()));
            assert!(!updates[..i].contains(kb), "{kb} twice");
        }
        if out.complete {
            assert!(out.updates.is_some(), "whole, but no list");
        }
        assert_eq!(out.known_updates().is_some(), out.complete && out.updates.is_some());
        if let Some(os) = out.os_facts() {
            assert_eq!(os.ubr, None, "systeminfo has no UBR");
        }
    }
    if let Ok(log) = parse_easyfix_log(data, "fuzz.txt") {
        assert_eq!(log.line.is_some(), log.line_number.is_some());
    }
});

/// "KB" and digits, as `normalize_kb` makes them.
fn acsready_facts_kb(kb: &str) -> Option<String> {
    let digits = kb.strip_prefix("KB")?;
    (!digits.is_empty() && digits.len() <= 10 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| kb.to_string())
}
