//! `[preflight.apex_one]`: the facts of upgrading Virus Buster Corp. XG
//! (OfficeScan XG) to Apex One (seed 004), used by `acsready preflight`.

use serde::{Deserialize, Serialize};

use crate::model::{Installation, Localized};

/// Every preflight the rules know.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PreflightRules {
    pub apex_one: Option<ApexOnePreflight>,
}

/// The Corp. XG → Apex One upgrade.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApexOnePreflight {
    pub source: String,
    pub as_of: String,
    /// Finding codes that stop the upgrade (exit code 1).
    pub blocking: Vec<String>,
    /// The `[[products]]` id of the agents the server manages.
    pub agent_product: String,
    /// The `[[products]]` id of the management server.
    pub server_product: String,
    /// The product lines the server and agents run, by major version.
    pub lines: Vec<ProductLine>,
    /// Agents on these releases stop the server setup.
    pub unsupported_os: Vec<UnsupportedOs>,
    /// Characters the SQL Server password must not contain, in classes.
    pub sql_password: Vec<CharClass>,
    /// Delivery control (`NoProgramUpgrade`).
    pub delivery_control: DeliveryControl,
    /// The server authentication certificate backup.
    pub auth_cert: AuthCert,
    /// Destinations to allow in firewalls and proxies.
    pub firewall: Vec<FirewallEntry>,
    /// Services the Apex One server runs after the upgrade.
    pub server_services: Vec<ServiceName>,
    /// Folders below the server's install folder after the upgrade.
    pub server_folders: Vec<FolderName>,
    /// Agent services renamed by the upgrade of the server.
    pub renamed_services: Vec<RenamedService>,
    /// SHA-2 code-signing updates legacy Windows needs.
    pub sha2: Vec<Sha2Updates>,
}

/// One product line (Corp. XG = 12, Apex One = 14).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProductLine {
    pub major: u64,
    pub name: Localized,
    /// The target of the upgrade.
    #[serde(default)]
    pub target: bool,
    /// From this build on, the server authentication certificate can no
    /// longer be exported.
    pub auth_cert_export_until: Option<u64>,
    pub source: String,
    pub as_of: String,
}

/// A Windows release Apex One does not support.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UnsupportedOs {
    /// How seed 004 names it.
    pub name: Localized,
    /// Ids of `[[windows]]` rows.
    pub windows: Vec<String>,
    /// Only hosts of this installation type (unknown type matches).
    pub installation: Option<Installation>,
    pub source: String,
    pub as_of: String,
}

/// A class of characters the SQL Server password must not contain.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CharClass {
    pub id: String,
    pub chars: String,
    pub name: Localized,
    pub source: String,
    pub as_of: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryControl {
    /// Days before the server upgrade to set it.
    pub lead_days: u32,
    pub source: String,
    pub as_of: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthCert {
    /// Relative to the server's install folder, `\`-separated.
    pub backup: String,
    pub source: String,
    pub as_of: String,
}

/// A destination that changes or must be allowed after the upgrade.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FirewallEntry {
    pub id: String,
    pub purpose: Localized,
    /// What Corp. XG used, when it differs.
    pub before: Option<String>,
    /// What Apex One uses.
    pub after: Vec<String>,
    pub ports: Vec<u16>,
    pub source: String,
    pub as_of: String,
}

/// A service, by its display name (as the seed names it).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceName {
    pub display_name: String,
    pub source: String,
    pub as_of: String,
}

/// A folder, `\`-separated, relative to the install folder.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FolderName {
    pub path: String,
    pub source: String,
    pub as_of: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RenamedService {
    pub before: String,
    pub after: String,
    pub source: String,
    pub as_of: String,
}

/// The SHA-2 updates of one legacy release, as applied, and what each
/// source says.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sha2Updates {
    /// Id of a `[[windows]]` row.
    pub windows: String,
    pub installation: Option<Installation>,
    /// Every one of these must be installed.
    pub kbs: Vec<String>,
    /// Why these KBs and not another source's.
    pub choice: String,
    pub source: String,
    pub as_of: String,
    /// What each source says.
    pub sources: Vec<Sha2Source>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sha2Source {
    pub kbs: Vec<String>,
    pub source: String,
    pub as_of: String,
}

impl ApexOnePreflight {
    /// The line of a major version.
    pub fn line(&self, major: u64) -> Option<&ProductLine> {
        self.lines.iter().find(|l| l.major == major)
    }

    /// The line the upgrade goes to.
    pub fn target(&self) -> Option<&ProductLine> {
        self.lines.iter().find(|l| l.target)
    }
}

impl crate::Rules {
    /// Problems of `[preflight.apex_one]` (none when the section is absent).
    pub(crate) fn validate_preflight(&self, p: &mut Vec<String>) {
        let Some(a) = &self.preflight.apex_one else {
            return;
        };
        let mut cited = |what: String, source: &str, as_of: &str| {
            if source.trim().is_empty() {
                p.push(format!("preflight.apex_one {what}: `source` is empty"));
            }
            if !crate::validate::is_date(as_of) {
                p.push(format!(
                    "preflight.apex_one {what}: as_of \"{as_of}\" is not a date (YYYY-MM-DD)"
                ));
            }
        };
        cited("".into(), &a.source, &a.as_of);
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
            if !crate::codes::PREFLIGHT_CODES.contains(&code.as_str()) {
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
        for code in crate::codes::PREFLIGHT_CODES {
            if !self.findings.contains_key(*code) {
                p.push(format!("no [findings.{code}] (used by preflight.apex_one)"));
            }
        }
        for key in crate::codes::PREFLIGHT_TEXTS {
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
