//! The shape of the rules file. Field names are those of the TOML.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::products::{AgentLine, Product, VendorCertificate};
use crate::text::Lang;
use crate::version::Version;

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
    /// Where the rules were read from.
    #[serde(skip)]
    pub origin: String,
    /// The day the rules are applied on ("2026-12-02"), set by the caller;
    /// it dates facts that carry no `collected_at`. None: no age checks.
    #[serde(skip)]
    pub today: Option<String>,
    #[serde(skip)]
    pub(crate) store_index: HashMap<String, usize>,
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
    pub source: String,
    pub as_of: String,
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

/// Client or server, from `InstallationType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Installation {
    Client,
    Server,
}

impl Installation {
    /// "Client" → client; "Server", "Server Core", "Nano Server" → server.
    pub fn from_installation_type(value: &str) -> Option<Installation> {
        let v = value.trim().to_ascii_lowercase();
        if v == "client" {
            Some(Installation::Client)
        } else if v.contains("server") {
            Some(Installation::Server)
        } else {
            None
        }
    }
}

/// One Windows release.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsRow {
    pub id: String,
    #[serde(default)]
    pub builds: Vec<u32>,
    pub build_min: Option<u32>,
    pub build_max: Option<u32>,
    pub installation: Option<Installation>,
    pub name: String,
    pub name_server: Option<String>,
    #[serde(default)]
    pub esu_required: bool,
    /// When the Extended Security Updates of the release ended ("2023-01-10"),
    /// and on Azure, where they went on longer.
    #[serde(default)]
    pub esu_end: Option<String>,
    #[serde(default)]
    pub esu_end_azure: Option<String>,
    pub source: String,
    pub as_of: String,
    pub requirements: Vec<Requirement>,
}

impl WindowsRow {
    /// Whether the row lists `build` exactly.
    pub fn matches_exactly(&self, build: u32) -> bool {
        self.builds.contains(&build)
    }

    /// Whether `build` falls in the row's range (rows with exact builds have none).
    pub fn matches_range(&self, build: u32) -> bool {
        self.builds.is_empty()
            && (self.build_min.is_some() || self.build_max.is_some())
            && self.build_min.is_none_or(|min| build >= min)
            && self.build_max.is_none_or(|max| build <= max)
    }

    /// Whether the row applies to this installation type (unknown applies to all).
    pub fn applies_to(&self, installation: Option<Installation>) -> bool {
        match (self.installation, installation) {
            (Some(row), Some(host)) => row == host,
            _ => true,
        }
    }

    /// The release name for this installation type.
    pub fn display_name(&self, installation: Option<Installation>) -> String {
        match (installation, &self.name_server) {
            (Some(Installation::Server), Some(server)) => server.clone(),
            (Some(Installation::Client), _) | (_, None) => self.name.clone(),
            (None, Some(server)) => format!("{} / {}", self.name, server),
        }
    }
}

/// What a release needs for ACS, from one source.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Requirement {
    #[serde(flatten)]
    pub kind: RequirementKind,
    pub source: String,
    pub as_of: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequirementKind {
    /// Supported out of the box.
    Native,
    /// OS build `<build>.<ubr>` or later, first brought by `kb`.
    MinUbr {
        ubr: u32,
        kb: String,
        released: String,
    },
    /// Legacy servicing: an October 2021 monthly rollup or security-only update.
    Update {
        monthly_rollup: String,
        security_only: String,
        released: String,
        servicing: String,
    },
    /// No update exists.
    None,
}

impl RequirementKind {
    /// Orders requirements from lenient to strict, for the conflict policy.
    fn strictness(&self) -> (u8, u32) {
        match self {
            RequirementKind::Native => (0, 0),
            RequirementKind::MinUbr { ubr, .. } => (1, *ubr),
            RequirementKind::Update { .. } => (2, 0),
            RequirementKind::None => (3, 0),
        }
    }

    pub fn cmp_strictness(&self, other: &Self) -> Ordering {
        self.strictness().cmp(&other.strictness())
    }

    /// A short English description ("OS build .1586 or later (KB5011487)").
    pub fn describe(&self) -> String {
        match self {
            RequirementKind::Native => "supported by default".into(),
            RequirementKind::MinUbr { ubr, kb, .. } => format!("UBR {ubr} or later ({kb})"),
            RequirementKind::Update {
                monthly_rollup,
                security_only,
                ..
            } => format!("{monthly_rollup} or a later monthly rollup, or {security_only}"),
            RequirementKind::None => "no update".into(),
        }
    }
}

/// Updates of one legacy servicing line after October 2021.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Servicing {
    pub source: String,
    /// The month of the newest rollup the lists were extended to.
    pub as_of: String,
    /// The month of the last update of the servicing line (end of its
    /// Extended Security Updates); lists extended to it are complete.
    #[serde(default)]
    pub ended: Option<String>,
    pub monthly_rollups: Vec<KbMonth>,
    pub security_only: Vec<KbMonth>,
    #[serde(default)]
    pub other: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KbMonth {
    pub kb: String,
    pub month: String,
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

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub en: String,
    pub ja: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LocalizedList {
    pub en: Vec<String>,
    pub ja: Vec<String>,
}

impl LocalizedList {
    pub fn get(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
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
    }

    /// The store a collector's store name refers to.
    pub fn store(&self, name: &str) -> Option<&Store> {
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
            .windows
            .iter()
            .filter(|r| r.matches_exactly(build))
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
        self.findings.get(code)
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
