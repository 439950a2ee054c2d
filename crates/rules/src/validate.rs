//! Checks that a rules file is complete and consistent.

use std::collections::HashSet;

use crate::codes;
use crate::date::is_date;
use crate::model::{store_key, Rules};
use crate::text::{placeholders, Lang};
use crate::version::Version;
use crate::windows::RequirementKind;

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Rules {
    /// Every problem found; empty when the rules can be used.
    pub fn validate(&self) -> Vec<String> {
        let mut p = Vec::new();
        let mut cited = |what: String, source: &str, as_of: &str| {
            if source.trim().is_empty() {
                p.push(format!("{what}: `source` is empty"));
            }
            if !is_date(as_of) {
                p.push(format!(
                    "{what}: as_of \"{as_of}\" is not a date (YYYY-MM-DD)"
                ));
            }
        };
        cited("rules".into(), "acsready", &self.as_of);
        let root = &self.root_certificate;
        cited("root_certificate".into(), &root.source, &root.as_of);
        for s in &root.stores {
            cited(format!("store {}", s.id), &s.source, &s.as_of);
        }
        let sig = &self.acs_signature;
        cited("acs_signature".into(), &sig.source, &sig.as_of);
        for row in &self.windows {
            cited(format!("windows {}", row.id), &row.source, &row.as_of);
            for r in &row.requirements {
                cited(
                    format!("windows {} requirement", row.id),
                    &r.source,
                    &r.as_of,
                );
            }
        }
        for (id, s) in &self.servicing {
            cited(format!("servicing {id}"), &s.source, &s.as_of);
            if let Some(end) = &s.ended {
                cited(format!("servicing {id} ended"), &s.source, end);
            }
        }
        for prod in &self.products {
            cited(format!("product {}", prod.id), &prod.source, &prod.as_of);
        }
        for line in &self.agent_lines {
            cited(
                format!("agent line {:?} {:?}", line.products, line.major),
                &line.source,
                &line.as_of,
            );
        }
        for e in &self.events {
            cited(format!("event rule {}", e.code), &e.source, &e.as_of);
        }
        for (code, f) in &self.findings {
            cited(format!("finding {code}"), &f.source, &f.as_of);
        }
        for (key, t) in &self.texts {
            cited(format!("text {key}"), &t.source, &t.as_of);
        }

        if !is_hex(&root.sha1, 40) {
            p.push("root_certificate.sha1 is not 40 hex digits".into());
        }
        if !is_hex(&root.sha256, 64) {
            p.push("root_certificate.sha256 is not 64 hex digits".into());
        }
        if !is_hex(&sig.root_sha1, 40) {
            p.push("acs_signature.root_sha1 is not 40 hex digits".into());
        }
        if !root.stores.iter().any(|s| s.trusts) {
            p.push("root_certificate.stores: no store trusts the root".into());
        }
        let mut seen = HashSet::new();
        for row in &self.windows {
            if !seen.insert(&row.id) {
                p.push(format!("windows {}: duplicate id", row.id));
            }
            if row.builds.is_empty() && row.build_min.is_none() && row.build_max.is_none() {
                p.push(format!(
                    "windows {}: needs `builds` or a build range",
                    row.id
                ));
            }
            if row.requirements.is_empty() {
                p.push(format!("windows {}: no requirements", row.id));
            }
            for r in &row.requirements {
                if let RequirementKind::Update { servicing, .. } = &r.kind {
                    if !self.servicing.contains_key(servicing) {
                        p.push(format!(
                            "windows {}: servicing \"{servicing}\" has no [servicing.{servicing}]",
                            row.id
                        ));
                    }
                }
            }
        }
        let mut product_ids = HashSet::new();
        for prod in &self.products {
            if !product_ids.insert(prod.id.as_str()) {
                p.push(format!("product {}: duplicate id", prod.id));
            }
            let names = [Some(&prod.name), prod.short.as_ref()];
            let empty = |lang| {
                names
                    .iter()
                    .flatten()
                    .any(|n| n.get(lang).trim().is_empty())
            };
            if empty(Lang::En) || empty(Lang::Ja) {
                p.push(format!("product {}: empty name", prod.id));
            }
            let texts = [
                &prod.delivery_control,
                &prod.hold_control,
                &prod.blocked_installer_text,
            ];
            for key in texts.into_iter().flatten() {
                if !self.texts.contains_key(key) {
                    p.push(format!("product {}: no [texts.{key}]", prod.id));
                }
            }
        }
        if self.products.iter().filter(|x| x.console_agent).count() > 1 {
            p.push("products: more than one `console_agent`".into());
        }
        self.validate_store_keys(&mut p);
        self.validate_agent_lines(&product_ids, &mut p);
        if let Some(r) = &self.remediation {
            p.extend(r.problems(self));
        }
        for c in &self.vendor_certificates {
            if !is_hex(&c.sha1, 40) || c.sha1.to_ascii_uppercase() != c.sha1 {
                p.push(format!(
                    "vendor certificate {}: sha1 is not 40 upper-case hex digits",
                    c.name
                ));
            }
            for prod in c
                .products
                .iter()
                .filter(|x| !product_ids.contains(x.as_str()))
            {
                p.push(format!(
                    "vendor certificate {}: unknown product \"{prod}\"",
                    c.name
                ));
            }
            if c.source.trim().is_empty() || !is_date(&c.as_of) {
                p.push(format!(
                    "vendor certificate {}: needs `source` and a date in `as_of`",
                    c.name
                ));
            }
        }
        for e in &self.events {
            if !self.findings.contains_key(&e.code) {
                p.push(format!("event rule {}: no [findings.{}]", e.code, e.code));
            }
            if e.ids.is_empty() && e.providers_any.is_empty() && e.message_any.is_empty() {
                p.push(format!("event rule {}: matches every event", e.code));
            }
        }
        for code in codes::ENGINE_CODES {
            if !self.findings.contains_key(*code) {
                p.push(format!("no [findings.{code}]"));
            }
        }
        for key in codes::ENGINE_TEXTS {
            if !self.texts.contains_key(*key) {
                p.push(format!("no [texts.\"{key}\"]"));
            }
        }
        for (code, f) in &self.findings {
            let valid_code = code.len() == 6
                && code.starts_with("ACS")
                && code[3..].bytes().all(|b| b.is_ascii_digit());
            if !valid_code {
                p.push(format!(
                    "finding {code}: codes are ACS followed by 3 digits"
                ));
            }
            let templates = [&f.title.en, &f.title.ja]
                .into_iter()
                .chain(f.remediation.en.iter())
                .chain(f.remediation.ja.iter());
            for t in templates {
                for name in placeholders(t) {
                    if !codes::PLACEHOLDERS.contains(&name) {
                        p.push(format!("finding {code}: unknown placeholder {{{name}}}"));
                    }
                }
            }
        }
        self.validate_preflight(&mut p);
        p
    }
}

impl Rules {
    /// Each store's registry keys name the store by one of its aliases, and
    /// some key holds the roots the rules look for.
    fn validate_store_keys(&self, p: &mut Vec<String>) {
        let stores = &self.root_certificate.stores;
        for s in stores {
            for k in &s.registry_keys {
                let names = s.aliases.iter().chain(std::iter::once(&s.id));
                if !names.map(|a| store_key(a)).any(|a| a == store_key(&k.name)) {
                    p.push(format!(
                        "store {}: registry key name \"{}\" is not one of its aliases",
                        s.id, k.name
                    ));
                }
                if k.key.trim_matches('\\').is_empty() {
                    p.push(format!("store {}: a registry key without `key`", s.id));
                }
            }
        }
        let keys = stores.iter().flat_map(|s| &s.registry_keys);
        if !keys.clone().any(|k| k.required) {
            p.push(
                "root_certificate.stores: no `registry_keys` entry is `required` \
                 (the certificates could not be read from the registry)"
                    .into(),
            );
        }
    }

    fn validate_agent_lines(&self, product_ids: &HashSet<&str>, p: &mut Vec<String>) {
        let mut seen = HashSet::new();
        for line in &self.agent_lines {
            let what = format!("agent line {:?} {}", line.products, line.name());
            for prod in &line.products {
                if !product_ids.contains(prod.as_str()) {
                    p.push(format!("agent line: unknown product \"{prod}\""));
                }
                if !seen.insert((prod.as_str(), line.major, line.minor)) {
                    p.push(format!("{what}: a second line for \"{prod}\""));
                }
            }
            if line.minor.is_some() && line.major.is_none() {
                p.push(format!("{what}: `minor` without `major`"));
            }
            let versions = [&line.last_pre_acs, &line.first_acs, &line.first_check];
            let builds = line.builds.iter().map(|b| &b.build);
            for v in versions.into_iter().flatten().chain(builds) {
                if Version::parse(v).is_none() {
                    p.push(format!("{what}: \"{v}\" is not a version"));
                }
            }
            if line.never_acs && (line.first_acs.is_some() || line.first_check.is_some()) {
                p.push(format!("{what}: `never_acs` with an ACS build"));
            }
            if let Some(d) = &line.first_acs_date {
                if !is_date(d) {
                    p.push(format!("{what}: \"{d}\" is not a date"));
                }
            }
            if let Some(to) = &line.upgrade_to {
                let target = Version::parse(to);
                let found = line.products.iter().all(|prod| {
                    target.is_some_and(|v| {
                        self.agent_line(prod, &v)
                            .is_some_and(|l| l.supported && l.major.is_some())
                    })
                });
                if !found {
                    p.push(format!(
                        "{what}: upgrade_to \"{to}\" is not a supported line of its products"
                    ));
                }
            }
            if line.builds.iter().any(|b| b.source.trim().is_empty()) {
                p.push(format!("{what}: a build without `source`"));
            }
        }
    }
}
