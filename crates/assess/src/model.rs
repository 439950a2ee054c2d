//! What an assessment says about a host. These types are the JSON report
//! contract: names may grow, never change, and lists are never `null`.

use std::fmt;
use std::str::FromStr;

use acsready_rules::Severity;
use serde::{Deserialize, Serialize};

/// Can the host take ACS-signed modules?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    NotReady,
    Unknown,
    Unsupported,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Ready,
        Verdict::NotReady,
        Verdict::Unknown,
        Verdict::Unsupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::NotReady => "not_ready",
            Verdict::Unknown => "unknown",
            Verdict::Unsupported => "unsupported",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown verdict \"{s}\""))
    }
}

/// What to do with one installed agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The host is ready: upgrade to the latest build.
    Upgrade,
    /// The host is not ready: keep (or bring) the agent at the last build before ACS.
    Pin,
    /// An ACS build already runs on a host that is not ready: fix the host now.
    FixHost,
    /// Facts are missing: deliver nothing until they are collected.
    Hold,
    /// Not affected by ACS.
    None,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Upgrade,
        Action::Pin,
        Action::FixHost,
        Action::Hold,
        Action::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Upgrade => "upgrade",
            Action::Pin => "pin",
            Action::FixHost => "fix_host",
            Action::Hold => "hold",
            Action::None => "none",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One fact an assessment relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Dotted fact name, as in the host facts ("os.ubr", "updates", "certificates").
    pub fact: String,
    /// The value seen, or "(missing)".
    pub value: String,
    /// Where the fact came from, when its source is known ("web01/CurrentVersion.reg").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One finding about a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code such as "ACS001" (`acsready explain CODE`).
    pub code: String,
    pub severity: Severity,
    pub title: String,
    pub evidence: Vec<Evidence>,
    /// Steps for this host, in order.
    pub remediation: Vec<String>,
    /// The values of the placeholders of the texts of `code`: `title` and
    /// `remediation` are rendered again from them in any language. Absent
    /// from reports written before it existed (their texts stay as written).
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

pub use crate::params::{Param, Params, TextRef};

/// The plan for one installed agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPlan {
    pub product: String,
    pub version: String,
    pub action: Action,
    /// The version to run: "latest" for upgrade, the pinned build for pin.
    pub target: String,
    /// Why, in one line: the title of the finding `reason_code`.
    pub reason: String,
    /// The code of the finding about this agent whose title is `reason`
    /// ("" in reports written before it existed: `reason` then stays as written).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason_code: String,
}

/// The OS as identified from build and installation type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsSummary {
    /// Release name from the rules ("Windows Server 2019"), or the host's ProductName
    /// when the build is not in the rules, or "" when nothing is known.
    pub name: String,
    pub build: Option<u32>,
    pub ubr: Option<u32>,
    /// Id of the matched rules row ("win10-1809").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
}

/// The assessment of one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostAssessment {
    pub host: String,
    pub os: OsSummary,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub agents: Vec<AgentPlan>,
    /// Where the facts came from ("fleet.ndjson:12"); filled by the caller.
    #[serde(default)]
    pub sources: Vec<String>,
    /// What deploying each file given with `--module` does on this host.
    #[serde(default)]
    pub modules: Vec<crate::ModulePrediction>,
}

impl HostAssessment {
    /// The most severe finding's severity.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Counts over a fleet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub hosts: u64,
    pub ready: u64,
    pub not_ready: u64,
    pub unknown: u64,
    pub unsupported: u64,
    /// Agents per planned action.
    #[serde(default)]
    pub agent_actions: AgentActionCounts,
    /// Records, host folders and inputs that could not be assessed (each
    /// named in the report's errors); not counted in `hosts`.
    #[serde(default)]
    pub not_assessed: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentActionCounts {
    pub upgrade: u64,
    pub pin: u64,
    pub fix_host: u64,
    pub hold: u64,
    pub none: u64,
}

impl AgentActionCounts {
    /// The agents planned for `a`.
    pub fn get(&self, a: Action) -> u64 {
        match a {
            Action::Upgrade => self.upgrade,
            Action::Pin => self.pin,
            Action::FixHost => self.fix_host,
            Action::Hold => self.hold,
            Action::None => self.none,
        }
    }

    pub fn get_mut(&mut self, a: Action) -> &mut u64 {
        match a {
            Action::Upgrade => &mut self.upgrade,
            Action::Pin => &mut self.pin,
            Action::FixHost => &mut self.fix_host,
            Action::Hold => &mut self.hold,
            Action::None => &mut self.none,
        }
    }
}

impl Summary {
    pub fn add(&mut self, a: &HostAssessment) {
        self.hosts += 1;
        *self.verdict_count_mut(a.verdict) += 1;
        for plan in &a.agents {
            *self.agent_actions.get_mut(plan.action) += 1;
        }
    }

    pub fn merge(&mut self, other: &Summary) {
        self.hosts += other.hosts;
        self.ready += other.ready;
        self.not_ready += other.not_ready;
        self.unknown += other.unknown;
        self.unsupported += other.unsupported;
        self.not_assessed += other.not_assessed;
        for a in Action::ALL {
            *self.agent_actions.get_mut(a) += other.agent_actions.get(a);
        }
    }

    pub fn count(&self, v: Verdict) -> u64 {
        match v {
            Verdict::Ready => self.ready,
            Verdict::NotReady => self.not_ready,
            Verdict::Unknown => self.unknown,
            Verdict::Unsupported => self.unsupported,
        }
    }

    fn verdict_count_mut(&mut self, v: Verdict) -> &mut u64 {
        match v {
            Verdict::Ready => &mut self.ready,
            Verdict::NotReady => &mut self.not_ready,
            Verdict::Unknown => &mut self.unknown,
            Verdict::Unsupported => &mut self.unsupported,
        }
    }

    pub fn action_count(&self, a: Action) -> u64 {
        self.agent_actions.get(a)
    }

    /// True when every host is ready.
    pub fn all_ready(&self) -> bool {
        self.ready == self.hosts
    }
}
