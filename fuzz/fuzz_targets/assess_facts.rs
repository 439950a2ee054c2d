//! Whatever facts a record holds, reading and assessing it never panics, and
//! every finding it produces has a title from the rules.
#![no_main]

use std::sync::OnceLock;

use acsready_assess::assess;
use acsready_rules::{Lang, Rules};
use acsready_sources::{parse_unit, Unit};
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        // Dated, so facts' `collected_at` reaches the rules-age check (ACS016).
        let mut rules = Rules::embedded().expect("embedded rules");
        rules.today = Some("2026-12-02".into());
        rules
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let unit = Unit { line: 1, text: text.into() };
    if let Ok(record) = parse_unit("fuzz.json", &unit) {
        for lang in [Lang::En, Lang::Ja] {
            let a = assess(&record.facts, rules(), lang);
            assert!(a.findings.iter().all(|f| !f.title.is_empty()));
        }
    }
});
