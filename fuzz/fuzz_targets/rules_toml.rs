//! A user's rules file is input too: any text must load or be refused with a
//! message, never panic. Half the runs start from the embedded rules with the
//! input spliced in, so the fuzzer reaches validation, not only TOML syntax.
#![no_main]

use acsready_rules::{Rules, EMBEDDED_RULES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Rules::from_toml(text, "fuzz.toml");
    if let Some((&cut, rest)) = data.split_first() {
        if let Ok(rest) = std::str::from_utf8(rest) {
            let at = (usize::from(cut) * EMBEDDED_RULES.len() / 256)..;
            let mut spliced = EMBEDDED_RULES.to_string();
            if let Some(pos) = spliced.get(at).and_then(|s| s.find('\n')) {
                let pos = usize::from(cut) * EMBEDDED_RULES.len() / 256 + pos;
                spliced.insert_str(pos, rest);
                let _ = Rules::from_toml(&spliced, "fuzz.toml");
            }
        }
    }
});
