//! The Trend Micro side of the rules: products, their release lines, and
//! the roots their own signature checks need.

use serde::{Deserialize, Serialize};

use crate::text::{Lang, Localized};
use crate::version::{Version, VersionScheme};

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
    /// Keys (relative to SOFTWARE), in the order looked at, whose
    /// `NoProgramUpgrade` value is the agent's program-delivery setting.
    #[serde(default)]
    pub delivery_keys: Vec<String>,
    /// The [texts] entry of the message the product's installer shows when it
    /// refuses a host that is not ready; "blocked_installer" when absent.
    #[serde(default)]
    pub blocked_installer_text: Option<String>,
    /// The Deep Security / Workload Security console lists this product's
    /// version for its computers (`agentVersion`, the Agent Version column).
    #[serde(default)]
    pub console_agent: bool,
    /// The service delivers only its current build, so a host cannot be
    /// brought to an older one: a pin keeps the installed build.
    #[serde(default)]
    pub pin_installed_build: bool,
    pub source: String,
    pub as_of: String,
}

/// The [texts] entry of an installer's refusal when the product names none.
pub const DEFAULT_BLOCKED_INSTALLER_TEXT: &str = "blocked_installer";

impl Product {
    /// The [texts] entry of the message the product's installer shows when
    /// it refuses a host.
    pub fn blocked_installer_text(&self) -> &str {
        self.blocked_installer_text
            .as_deref()
            .unwrap_or(DEFAULT_BLOCKED_INSTALLER_TEXT)
    }

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
    pub(crate) fn covers(&self, version: &Version) -> (bool, bool) {
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
