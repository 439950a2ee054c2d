//! The shape of the rules file. Field names are those of the TOML.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::products::{AgentLine, Product, VendorCertificate};
use crate::text::{Lang, Localized, LocalizedList};
use crate::version::Version;
use crate::windows::{Installation, Servicing, WindowsRow};

/// The whole rules database.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub schema_version: u32,
    pub rules_version: String,
    pub as_of: String,
    pub policy: Policy,
    pub root_certificate: RootCertificate,
    pub acs_signature: AcsSignature,
    pub windows: Vec<WindowsRow>,
    pub servicing: BTreeMap<String, Servicing>,
    pub products: Vec<Product>,
    pub agent_lines: Vec<AgentLine>,
    /// Roots that Trend Micro's own signature checks need besides the ACS root.
    #[serde(default)]
    pub vendor_certificates: Vec<VendorCertificate>,
    pub events: Vec<EventRule>,
    pub findings: BTreeMap<String, FindingText>,
    pub texts: BTreeMap<String, TextEntry>,
    /// Facts of upgrade preflights (`acsready preflight`); optional, so
    /// rules files written before it still load.
    #[serde(default)]
    pub preflight: crate::preflight::PreflightRules,
    /// Facts of the remediation kit (`acsready fix-kit`); optional, so rules
    /// files written before it still load (the kit then refuses to run).
    #[serde(default)]
    pub remediation: Option<crate::remediation::Remediation>,
    /// Where the rules were read from.
    #[serde(skip)]
    pub origin: String,
    /// The day the rules are applied on ("2026-12-02"), set by the caller;
    /// it dates facts that carry no `collected_at`. None: no age checks.
    #[serde(skip)]
    pub today: Option<String>,
    #[serde(skip)]
    pub(crate) store_index: HashMap<String, usize>,
    /// Lookups made once when the rules are loaded (the rules are never
    /// changed after that): every host asks them several times.
    #[serde(skip)]
    lookup: Lookup,
}

/// A hash map with a fast hasher: the keys come from the rules file.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Positions in the rules' lists, by what hosts look them up by.
#[derive(Debug, Clone, Default)]
struct Lookup {
    /// Finding code → its texts.
    findings: Map<String, FindingText>,
    /// Product id → its first entry in `products`.
    products: Map<String, usize>,
    /// Product id → its lines in `agent_lines`, in file order.
    lines_of: Map<String, Vec<usize>>,
    /// Build → the rows of `windows` that name it exactly, in file order.
    exact_builds: Map<u32, Vec<usize>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub conflicting_sources: ConflictPolicy,
    /// A servicing list older than this many days (against the day the facts
    /// were collected) may lack the host's newer rollups: ACS016 says so.
    #[serde(default = "stale_after_days")]
    pub stale_after_days: u32,
}

fn stale_after_days() -> u32 {
    45
}

/// Which requirement applies when sources disagree about one release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    Strictest,
    MostLenient,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RootCertificate {
    pub name: String,
    pub subject: String,
    pub sha1: String,
    pub sha256: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub source: String,
    pub as_of: String,
    pub stores: Vec<Store>,
}

/// A certificate store of the local machine.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Store {
    pub id: String,
    pub label: String,
    pub aliases: Vec<String>,
    /// A root here makes the machine trust chains ending in it.
    pub trusts: bool,
    /// A certificate here is distrusted whatever other store holds it.
    #[serde(default)]
    pub distrusts: bool,
    /// Where the store lives in the SOFTWARE hive.
    #[serde(default)]
    pub registry_keys: Vec<StoreRegistryKey>,
    pub source: String,
    pub as_of: String,
}

/// One registry key of a certificate store.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StoreRegistryKey {
    /// Relative to SOFTWARE ("Microsoft\\SystemCertificates\\ROOT"); its
    /// `Certificates\<thumbprint>\Blob` values are the certificates.
    pub key: String,
    /// The store name written in the facts for certificates read there (one
    /// of the store's aliases).
    pub name: String,
    /// Without this key the certificate list is unknown: it holds the roots
    /// the rules look for.
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AcsSignature {
    pub root_sha1: String,
    /// The root's subject, to recognise chains that stop below the root.
    pub root_subject: String,
    pub eku: String,
    pub source: String,
    pub as_of: String,
}

/// An event that explains a symptom.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    pub code: String,
    #[serde(default)]
    pub ids: Vec<u32>,
    #[serde(default)]
    pub providers_any: Vec<String>,
    #[serde(default)]
    pub message_any: Vec<String>,
    /// The message must also contain one of these (a generic Windows message
    /// counts only when it names the vendor's program).
    #[serde(default)]
    pub message_also_any: Vec<String>,
    pub source: String,
    pub as_of: String,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The texts of one finding code.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FindingText {
    pub severity: Severity,
    pub title: Localized,
    pub explain: Localized,
    pub remediation: LocalizedList,
    pub source: String,
    pub as_of: String,
}

/// A list of localized lines used inside remediations.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TextEntry {
    pub source: String,
    pub as_of: String,
    pub en: Vec<String>,
    pub ja: Vec<String>,
}

impl TextEntry {
    pub fn get(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// Normalizes a store name for lookup: case-insensitive, `/` as `\`.
pub(crate) fn store_key(name: &str) -> String {
    name.trim().replace('/', "\\").to_ascii_lowercase()
}

impl Rules {
    pub(crate) fn index(&mut self) {
        for line in &mut self.agent_lines {
            line.first_acs_version = line.first_acs.as_deref().and_then(Version::parse);
            line.last_pre_acs_version = line.last_pre_acs.as_deref().and_then(Version::parse);
            line.first_check_version = line.first_check.as_deref().and_then(Version::parse);
        }
        self.store_index = self
            .root_certificate
            .stores
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                s.aliases
                    .iter()
                    .chain(std::iter::once(&s.id))
                    .map(move |a| (store_key(a), i))
            })
            .collect();
        let mut lookup = Lookup {
            findings: self
                .findings
                .iter()
                .map(|(code, f)| (code.clone(), f.clone()))
                .collect(),
            ..Lookup::default()
        };
        for (i, p) in self.products.iter().enumerate() {
            lookup.products.entry(p.id.clone()).or_insert(i);
        }
        for (i, line) in self.agent_lines.iter().enumerate() {
            for product in &line.products {
                let of = lookup.lines_of.entry(product.clone()).or_default();
                // A line naming its product twice is still one line.
                if of.last() != Some(&i) {
                    of.push(i);
                }
            }
        }
        for (i, row) in self.windows.iter().enumerate() {
            for build in &row.builds {
                let rows = lookup.exact_builds.entry(*build).or_default();
                if rows.last() != Some(&i) {
                    rows.push(i);
                }
            }
        }
        self.lookup = lookup;
    }

    /// The store a collector's store name refers to.
    pub fn store(&self, name: &str) -> Option<&Store> {
        let trimmed = name.trim();
        // Most names are a store's own name or alias in any case: found
        // without making a key.
        if !trimmed.contains(['/', '\\']) {
            if let Some((_, &i)) = self
                .store_index
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(trimmed))
            {
                return Some(&self.root_certificate.stores[i]);
            }
        }
        let key = store_key(name);
        let key = key
            .strip_prefix("hklm\\software\\microsoft\\systemcertificates\\")
            .map(str::to_string)
            .unwrap_or(key);
        self.store_index
            .get(&key)
            .map(|&i| &self.root_certificate.stores[i])
    }

    /// The Windows rows for a build: exact matches, else range matches;
    /// then those that apply to the installation type.
    pub fn windows_rows(&self, build: u32, installation: Option<Installation>) -> Vec<&WindowsRow> {
        let exact: Vec<&WindowsRow> = self
            .lookup
            .exact_builds
            .get(&build)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.windows[i])
            .collect();
        let rows = if exact.is_empty() {
            self.windows
                .iter()
                .filter(|r| r.matches_range(build))
                .collect()
        } else {
            exact
        };
        rows.into_iter()
            .filter(|r| r.applies_to(installation))
            .collect()
    }

    pub fn finding(&self, code: &str) -> Option<&FindingText> {
        self.lookup.findings.get(code)
    }

    /// Lines of a text entry; empty if the key is absent (validation prevents that
    /// for the keys acsready uses).
    pub fn text(&self, key: &str, lang: Lang) -> &[String] {
        self.texts.get(key).map_or(&[], |t| t.get(lang))
    }

    /// The servicing line of a legacy requirement.
    pub fn servicing(&self, id: &str) -> Option<&Servicing> {
        self.servicing.get(id)
    }
}

/// Products and their lines.
impl Rules {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.lookup.products.get(id).map(|&i| &self.products[i])
    }

    /// The line of `product` that `version` is on: the line of its major and
    /// minor, else of its major, else the product's line that covers every version.
    pub fn agent_line(&self, product: &str, version: &Version) -> Option<&AgentLine> {
        let of = self
            .lookup
            .lines_of
            .get(product)
            .map_or(&[][..], Vec::as_slice);
        let lines = || of.iter().map(|&i| &self.agent_lines[i]);
        lines()
            .find(|l| l.covers(version).0)
            .or_else(|| lines().find(|l| l.covers(version).1))
            .or_else(|| lines().find(|l| l.major.is_none()))
    }

    /// The lines of a product, for telling "older than all" from "newer than all".
    pub fn agent_lines_of<'a>(&'a self, product: &'a str) -> impl Iterator<Item = &'a AgentLine> {
        self.lookup
            .lines_of
            .get(product)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.agent_lines[i])
    }
}
