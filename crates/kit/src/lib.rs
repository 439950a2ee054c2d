//! The remediation kit: from an assessment and the rules only, the files an
//! administrator reviews, applies and undoes, one folder per action group
//! (`acsready fix-kit`); and the check after the next collection
//! (`acsready verify`, [`verify`]).
//!
//! Pure: no printing, no file system. [`build`] returns the files; the
//! caller writes them. Every fact (thumbprints, the certificate, registry
//! paths, KBs, Group Policy paths) comes from the rules.

mod cert;
mod cmd;
mod folder;
mod groups;
mod pins;
mod readme;
mod reg;
mod stores;
mod table;
mod texts;
pub mod verify;

use acsready_assess::HostAssessment;
use acsready_rules::{Lang, Remediation, Rules};

pub use cert::{root_der, store_blob};
pub use texts::Text;

/// One file of the kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitFile {
    /// Relative path, `/`-separated ("root-missing/add-root.cmd").
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The whole kit.
#[derive(Debug, Clone, Default)]
pub struct Kit {
    pub files: Vec<KitFile>,
    /// The action groups written, with their host counts.
    pub groups: Vec<(String, usize)>,
}

impl Kit {
    pub(crate) fn add(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.push(KitFile {
            path: path.into(),
            bytes,
        });
    }

    pub fn file(&self, path: &str) -> Option<&KitFile> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Why no kit can be made.
#[derive(Debug, thiserror::Error)]
pub enum KitError {
    #[error("the rules ({0}) have no [remediation] section: use the embedded rules or add it")]
    NoRemediation(String),
    #[error("[remediation.root_certificate]: {0}")]
    Certificate(String),
    #[error("[remediation.root_certificate]: store \"{0}\" has no registry key")]
    Store(String),
    #[error("CSV: {0}")]
    Csv(String),
}

pub(crate) fn remediation(rules: &Rules) -> Result<&Remediation, KitError> {
    rules
        .remediation
        .as_ref()
        .ok_or_else(|| KitError::NoRemediation(rules.origin.clone()))
}

/// The kit for these hosts, its READMEs in `lang`.
pub fn build(hosts: &[HostAssessment], rules: &Rules, lang: Lang) -> Result<Kit, KitError> {
    let fix = remediation(rules)?;
    let mut kit = Kit::default();
    let plan = groups::plan(hosts, rules, fix);
    groups::root(&mut kit, &plan, rules, fix, lang)?;
    stores::distrusted(&mut kit, &plan, rules, fix, lang)?;
    stores::damaged(&mut kit, &plan, rules, fix, lang)?;
    groups::root_auto_update(&mut kit, &plan, fix, lang)?;
    groups::updates(&mut kit, &plan, rules, fix, lang)?;
    groups::unsupported(&mut kit, &plan, lang)?;
    pins::no_program_upgrade(&mut kit, &plan, rules, fix, lang)?;
    pins::console_steps(&mut kit, &plan, rules, fix, lang)?;
    let rules_id = format!("{} ({})", rules.rules_version, rules.as_of);
    let top = readme::top(&kit, hosts.len(), &rules_id, lang);
    kit.add("README.md", top);
    Ok(kit)
}

#[cfg(test)]
mod tests;
