//! Windows releases: which build is which release, and what each needs for ACS.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

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
        let v = value.trim();
        let server = v
            .as_bytes()
            .windows(6)
            .any(|w| w.eq_ignore_ascii_case(b"server"));
        if v.eq_ignore_ascii_case("client") {
            Some(Installation::Client)
        } else if server {
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
