//! `[preflight.apex_one]`: the facts of upgrading Virus Buster Corp. XG
//! (OfficeScan XG) to Apex One (seed 004), used by `acsready preflight`.

use serde::{Deserialize, Serialize};

use crate::text::Localized;
use crate::windows::Installation;

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
    /// Which checks apply before the server upgrade and which after it.
    pub phases: CheckPhases,
}

/// A check of the preflight, as `[preflight.apex_one.phases]` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PreflightCheck {
    /// ACS200 / ACS201: agents on a Windows Apex One does not support.
    UnsupportedOs,
    /// ACS202 / ACS203: the SQL Server password.
    SqlPassword,
    /// ACS204 / ACS205: server and agent versions.
    Versions,
    /// ACS206 / ACS221: delivery control (`NoProgramUpgrade`).
    DeliveryControl,
    /// ACS207 / ACS208 / ACS222: ACS readiness of the server and agents.
    AcsReadiness,
    /// ACS209 / ACS223: SHA-2 code-signing updates.
    Sha2,
    /// ACS210 / ACS211: the server authentication certificate backup.
    AuthCert,
    /// ACS212: destinations to allow.
    Firewall,
    /// ACS218: the activation code.
    ActivationCode,
    /// ACS213 / ACS214: the new server's services.
    ServerServices,
    /// ACS215 / ACS216: the new server's folders.
    ServerFolders,
    /// ACS217: agent services the upgrade renames.
    RenamedServices,
    /// ACS219: behaviour monitoring.
    BehaviourMonitoring,
}

/// The checks of each phase, in the order they run.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckPhases {
    /// Before the server upgrade: what would stop or spoil it.
    pub before: Vec<PreflightCheck>,
    /// After it: what the upgraded server and its agents must show.
    pub after: Vec<PreflightCheck>,
    pub source: String,
    pub as_of: String,
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
    /// Where the server is installed by default (`C:\…`): the folder
    /// `preflight --server-image` lists in the server's disk image.
    #[serde(default)]
    pub default_install_folder: Option<String>,
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
