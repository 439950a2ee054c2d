//! What a preflight says. These types are the JSON contract
//! (`acsready.preflight/1`, docs/preflight.md): names may grow, never
//! change, and lists are never `null`.

use std::fmt;
use std::str::FromStr;

use acsready_assess::{Evidence, OsSummary, Verdict};
use acsready_facts::{FileListing, HostFacts, ServiceFact};
use acsready_rules::Severity;
use serde::{Deserialize, Serialize};

/// Before or after the server upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Before,
    After,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::After => "after",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "before" => Ok(Phase::Before),
            "after" => Ok(Phase::After),
            other => Err(format!("unknown phase \"{other}\" (before or after)")),
        }
    }
}

/// Everything known about the management server.
#[derive(Debug, Clone, Default)]
pub struct ServerEvidence {
    pub host: String,
    /// From its SOFTWARE registry.
    pub facts: Option<HostFacts>,
    /// Given by hand; else the `apex_one_server` product of `facts`.
    pub version: Option<String>,
    /// Its services (SYSTEM registry), and where they were read.
    pub services: Option<(String, Vec<ServiceFact>)>,
    /// Its install folder.
    pub listing: Option<FileListing>,
}

/// The classes of forbidden characters a password contains (ids of
/// `[[preflight.apex_one.sql_password]]`); never the characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasswordCheck {
    pub classes: Vec<String>,
}

/// What the preflight is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub phase: Phase,
    /// Agents are to be upgraded in stages after the server.
    pub staged_rollout: bool,
}

/// One finding of the preflight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightFinding {
    /// Stable code ("ACS200"; `acsready explain CODE`).
    pub code: String,
    pub severity: Severity,
    /// Stops the upgrade (`[preflight.apex_one] blocking`).
    pub blocking: bool,
    pub title: String,
    /// The hosts it concerns (server or agents).
    pub hosts: Vec<String>,
    pub evidence: Vec<Evidence>,
    pub remediation: Vec<String>,
}

/// The server as the preflight saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSummary {
    pub host: String,
    /// Whether any evidence of the server was given (registry, services,
    /// install folder or version); without it only the agents are checked.
    #[serde(default)]
    pub evidence_given: bool,
    pub version: Option<String>,
    /// The product line of its version ("Virus Buster Corp. XG", "Apex One").
    pub line: Option<String>,
    pub os: Option<OsSummary>,
    /// ACS readiness, when its registry was given.
    pub verdict: Option<Verdict>,
}

/// One agent as the preflight saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSummary {
    pub host: String,
    pub os: OsSummary,
    pub version: Option<String>,
    pub line: Option<String>,
    pub verdict: Verdict,
    /// `NoProgramUpgrade` = 1; `null` when unknown.
    pub no_program_upgrade: Option<bool>,
    /// The release Apex One does not support, when it is one.
    pub unsupported_os: Option<String>,
    pub sources: Vec<String>,
}

/// Counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightSummary {
    pub agents: u64,
    pub findings: u64,
    pub blocking: u64,
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub info: u64,
    /// Whether anything stops the upgrade.
    pub blocked: bool,
}

/// The result of a preflight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    pub phase: Phase,
    pub staged_rollout: bool,
    pub server: ServerSummary,
    pub agents: Vec<AgentSummary>,
    /// Hosts given whose facts list Trend Micro products but not the agent
    /// (`[preflight.apex_one] agent_product`): not managed by the server, not checked.
    pub skipped: Vec<String>,
    /// Blocking first, then by severity.
    pub findings: Vec<PreflightFinding>,
    pub summary: PreflightSummary,
}
