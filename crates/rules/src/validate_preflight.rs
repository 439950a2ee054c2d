//! Checks of the upgrade preflight facts (`[preflight.apex_one]`).

use crate::codes;
use crate::date::is_date;
use crate::model::Rules;

impl Rules {
    /// Problems of `[preflight.apex_one]` (none when the section is absent).
    pub(crate) fn validate_preflight(&self, p: &mut Vec<String>) {
        let Some(a) = &self.preflight.apex_one else {
            return;
        };
        let mut cited = |what: String, source: &str, as_of: &str| {
            if source.trim().is_empty() {
                p.push(format!("preflight.apex_one {what}: `source` is empty"));
            }
            if !is_date(as_of) {
                p.push(format!(
                    "preflight.apex_one {what}: as_of \"{as_of}\" is not a date (YYYY-MM-DD)"
                ));
            }
        };
        cited("".into(), &a.source, &a.as_of);
        cited("phases".into(), &a.phases.source, &a.phases.as_of);
        for l in &a.lines {
            cited(format!("line {}", l.major), &l.source, &l.as_of);
        }
        for u in &a.unsupported_os {
            cited(format!("unsupported_os {}", u.name.en), &u.source, &u.as_of);
        }
        for c in &a.sql_password {
            cited(format!("sql_password {}", c.id), &c.source, &c.as_of);
        }
        let d = &a.delivery_control;
        cited("delivery_control".into(), &d.source, &d.as_of);
        cited("auth_cert".into(), &a.auth_cert.source, &a.auth_cert.as_of);
        for f in &a.firewall {
            cited(format!("firewall {}", f.id), &f.source, &f.as_of);
        }
        for s in &a.server_services {
            cited(
                format!("server_services {}", s.display_name),
                &s.source,
                &s.as_of,
            );
        }
        for f in &a.server_folders {
            cited(format!("server_folders {}", f.path), &f.source, &f.as_of);
        }
        for r in &a.renamed_services {
            cited(
                format!("renamed_services {}", r.before),
                &r.source,
                &r.as_of,
            );
        }
        for s in &a.sha2 {
            cited(format!("sha2 {}", s.windows), &s.source, &s.as_of);
            for said in &s.sources {
                cited(
                    format!("sha2 {} sources", s.windows),
                    &said.source,
                    &said.as_of,
                );
            }
        }

        let windows = |id: &str| self.windows.iter().any(|w| w.id == id);
        for id in [&a.agent_product, &a.server_product] {
            if self.product(id).is_none() {
                p.push(format!("preflight.apex_one: no [[products]] \"{id}\""));
            }
        }
        for code in &a.blocking {
            if !codes::PREFLIGHT_CODES.contains(&code.as_str()) {
                p.push(format!(
                    "preflight.apex_one.blocking: \"{code}\" is not a preflight code"
                ));
            }
        }
        if a.lines.iter().filter(|l| l.target).count() != 1 {
            p.push("preflight.apex_one.lines: exactly one line must be the `target`".into());
        }
        for u in &a.unsupported_os {
            if u.windows.is_empty() {
                p.push(format!(
                    "preflight.apex_one unsupported_os {}: no `windows` rows",
                    u.name.en
                ));
            }
            for w in u.windows.iter().filter(|w| !windows(w)) {
                p.push(format!(
                    "preflight.apex_one unsupported_os {}: no [[windows]] row \"{w}\"",
                    u.name.en
                ));
            }
        }
        if a.sql_password.is_empty() {
            p.push("preflight.apex_one.sql_password: no character class".into());
        }
        for c in &a.sql_password {
            if c.chars.is_empty() || c.chars.chars().any(char::is_whitespace) {
                p.push(format!(
                    "preflight.apex_one sql_password {}: `chars` must be non-empty, without spaces",
                    c.id
                ));
            }
        }
        if a.auth_cert.backup.trim_matches('\\').is_empty() {
            p.push("preflight.apex_one.auth_cert.backup is empty".into());
        }
        for f in &a.firewall {
            if f.after.is_empty() || f.ports.is_empty() {
                p.push(format!(
                    "preflight.apex_one firewall {}: needs `after` and `ports`",
                    f.id
                ));
            }
        }
        for s in &a.sha2 {
            if !windows(&s.windows) {
                p.push(format!(
                    "preflight.apex_one sha2: no [[windows]] row \"{}\"",
                    s.windows
                ));
            }
            if s.choice.trim().is_empty() || s.sources.is_empty() {
                p.push(format!(
                    "preflight.apex_one sha2 {}: needs `choice` and the `sources` it chose from",
                    s.windows
                ));
            }
            for kb in s.kbs.iter().chain(s.sources.iter().flat_map(|x| &x.kbs)) {
                if acsready_kb(kb).is_none() {
                    p.push(format!(
                        "preflight.apex_one sha2 {}: \"{kb}\" is not a KB number (KB and digits)",
                        s.windows
                    ));
                }
            }
        }
        for code in codes::PREFLIGHT_CODES {
            if !self.findings.contains_key(*code) {
                p.push(format!("no [findings.{code}] (used by preflight.apex_one)"));
            }
        }
        for key in codes::PREFLIGHT_TEXTS {
            if !self.texts.contains_key(*key) {
                p.push(format!("no [texts.\"{key}\"] (used by preflight.apex_one)"));
            }
        }
    }
}

/// The digits of "KB1234567".
fn acsready_kb(kb: &str) -> Option<&str> {
    let digits = kb.strip_prefix("KB")?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}
