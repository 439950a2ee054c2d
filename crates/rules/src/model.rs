//! The shape of the rules file. Field names are those of the TOML.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

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

/// How versions of a product compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionScheme {
    /// Whole dotted versions; "-" counts as ".".
    Dotted,
    /// Only the last number (the build).
    Build,
}

/// A Trend Micro product.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub name: ProductName,
    /// A shorter name for table cells; `name` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<ProductName>,
    pub affected: bool,
    pub version_scheme: VersionScheme,
    pub min_supported_major: Option<u64>,
    pub delivery_control: Option<String>,
    /// The text that keeps agent programs from a host without changing its
    /// agent (when `delivery_control` is a procedure to install a pinned build).
    #[serde(default)]
    pub hold_control: Option<String>,
    /// Uninstall-key DisplayName prefixes that identify the product on a host.
    #[serde(default)]
    pub display_names: Vec<String>,
    /// Vendor registry keys (relative to SOFTWARE) whose presence shows the product.
    #[serde(default)]
    pub vendor_keys: Vec<String>,
    /// The service delivers only its current build, so a host cannot be
    /// brought to an older one: a pin keeps the installed build.
    #[serde(default)]
    pub pin_installed_build: bool,
    pub source: String,
    pub as_of: String,
}

impl Product {
    /// The name people read, in `lang`: the short one when there is one.
    pub fn label(&self, lang: Lang) -> &str {
        self.short.as_ref().unwrap_or(&self.name).get(lang)
    }
}

/// A product's name: one string for every language (as override files
/// written before names were localized have it), or `{ en, ja }`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(
    untagged,
    expecting = "a name: a string, or a table with `en` and `ja` (nothing else)"
)]
pub enum ProductName {
    Plain(String),
    Localized(Localized),
}

impl ProductName {
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            ProductName::Plain(name) => name,
            ProductName::Localized(names) => names.get(lang),
        }
    }
}

/// One release line (major, or major.minor) of one or more products.
///
/// A version is placed on the line with its major and minor, else on the line
/// with its major and no minor, else on the product's line with neither.
/// Within a line, builds up to `last_pre_acs` are signed the old way and
/// builds from `first_acs` with ACS; builds between the two are not placed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgentLine {
    pub products: Vec<String>,
    /// The major version this line covers; none covers every version.
    pub major: Option<u64>,
    /// The minor version this line covers; none covers every minor of `major`.
    #[serde(default)]
    pub minor: Option<u64>,
    /// What people call the line ("20.0 LTS", "11.3 feature release").
    #[serde(default)]
    pub label: Option<String>,
    pub last_pre_acs: Option<String>,
    pub first_acs: Option<String>,
    pub first_acs_date: Option<String>,
    pub first_acs_label: Option<String>,
    /// The first build whose updates check the host (when it differs from `first_acs`).
    #[serde(default)]
    pub first_check: Option<String>,
    #[serde(default)]
    pub first_check_label: Option<String>,
    /// No build of this line was ever signed with ACS (it ended before ACS).
    #[serde(default)]
    pub never_acs: bool,
    /// Whether the vendor still supports the line (feature releases are not).
    #[serde(default = "yes")]
    pub supported: bool,
    /// The line to move to once the host is ready ("20.0").
    #[serde(default)]
    pub upgrade_to: Option<String>,
    pub installer_checks_host: bool,
    /// Builds below `first_check` (else `first_acs`) may download program
    /// updates again and again on a host that is not ready.
    #[serde(default)]
    pub updates_may_loop_below_first_acs: bool,
    /// Known builds of the line (monthly maintenance of a service), for people.
    #[serde(default)]
    pub builds: Vec<KnownBuild>,
    pub source: String,
    pub as_of: String,
    /// `first_acs`, `last_pre_acs` and `first_check`, parsed once when the rules load.
    #[serde(skip)]
    pub first_acs_version: Option<Version>,
    #[serde(skip)]
    pub last_pre_acs_version: Option<Version>,
    #[serde(skip)]
    pub first_check_version: Option<Version>,
}

fn yes() -> bool {
    true
}

/// One published build of a line.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KnownBuild {
    pub build: String,
    /// The release it came with ("2023-03 maintenance").
    pub release: String,
    pub date: Option<String>,
    pub source: String,
}

impl AgentLine {
    /// Whether the line covers `version` exactly (major and minor given and equal).
    fn covers(&self, version: &Version) -> (bool, bool) {
        let major = self.major == Some(version.major());
        (
            major && self.minor.is_some() && self.minor == Some(version.minor()),
            major && self.minor.is_none(),
        )
    }

    /// "20.0", "11.3" or "14", for messages.
    pub fn name(&self) -> String {
        if let Some(l) = &self.label {
            return l.clone();
        }
        match (self.major, self.minor) {
            (Some(a), Some(b)) => format!("{a}.{b}"),
            (Some(a), None) => a.to_string(),
            _ => "all".into(),
        }
    }
}

/// A root certificate a vendor's own signature checks need (besides the ACS
/// root): without it in a trusted store, and with automatic root update off,
/// the products' updates and installs fail.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VendorCertificate {
    pub name: String,
    /// SHA-1 thumbprint, 40 hex digits, upper case.
    pub sha1: String,
    /// The products whose checks need it ([[products]] ids).
    pub products: Vec<String>,
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

    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    /// The line of `product` that `version` is on: the line of its major and
    /// minor, else of its major, else the product's line that covers every version.
    pub fn agent_line(&self, product: &str, version: &Version) -> Option<&AgentLine> {
        let of_product = |l: &&AgentLine| l.products.iter().any(|p| p == product);
        let lines = || self.agent_lines.iter().filter(of_product);
        lines()
            .find(|l| l.covers(version).0)
            .or_else(|| lines().find(|l| l.covers(version).1))
            .or_else(|| lines().find(|l| l.major.is_none()))
    }

    /// The lines of a product, for telling "older than all" from "newer than all".
    pub fn agent_lines_of<'a>(&'a self, product: &'a str) -> impl Iterator<Item = &'a AgentLine> {
        self.agent_lines
            .iter()
            .filter(move |l| l.products.iter().any(|p| p == product))
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
