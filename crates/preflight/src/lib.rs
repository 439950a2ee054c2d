//! Preflight of the upgrade from Virus Buster Corp. XG (OfficeScan XG) to
//! Apex One: the caveats of seed 004 checked against the agents' facts, the
//! management server's evidence and the rules (`[preflight.apex_one]`).
//!
//! Like the assessment, this is a pure function of facts and rules: it
//! knows nothing of files. [`run`] returns a [`Preflight`] whose findings
//! carry a stable code (ACS200–ACS2xx), evidence and remediation in the
//! language asked for; [`check_password`] tells which classes of
//! forbidden characters a SQL Server password contains, never which
//! characters.
//!
//! ```
//! use acsready_preflight::{run, Options, Phase, ServerEvidence};
//! use acsready_facts::HostFacts;
//! use acsready_rules::{Lang, Rules};
//!
//! let rules = Rules::embedded().unwrap();
//! let mut xp: HostFacts = serde_json::from_str(
//!     r#"{"host":"pc-xp","os":{"current_build":"2600","installation_type":"Client"}}"#).unwrap();
//! xp.normalize().unwrap();
//! let server = ServerEvidence { host: "osce".into(), ..Default::default() };
//! let options = Options { phase: Phase::Before, staged_rollout: false };
//! let p = run(&rules, Lang::En, options, &[xp], &server, None).unwrap();
//! assert!(p.summary.blocked);
//! assert_eq!(p.findings[0].code, "ACS200");
//! ```

mod checks;
mod model;
mod password;
mod servers;

use acsready_assess::{assess, Evidence};
use acsready_facts::HostFacts;
use acsready_rules::{
    codes, fill, ApexOnePreflight, Lang, PreflightCheck, Rules, Severity, Version,
};

pub use model::*;
pub use password::check_password;

/// Why a preflight cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreflightError {
    #[error(
        "{0}: the rules have no [preflight.apex_one] section (use the embedded rules or add it)"
    )]
    NoRules(String),
}

/// Shorthand for one piece of evidence.
pub(crate) fn ev(fact: &str, value: impl Into<String>, source: Option<&String>) -> Evidence {
    Evidence {
        fact: fact.to_string(),
        value: value.into(),
        source: source.cloned(),
    }
}

/// Builds findings from codes and the rules' texts.
pub(crate) struct Findings<'r> {
    pub rules: &'r Rules,
    pub pf: &'r ApexOnePreflight,
    pub lang: Lang,
    pub list: Vec<PreflightFinding>,
}

impl Findings<'_> {
    /// Adds a finding; `extra` lines follow the rules' remediation.
    pub fn add(
        &mut self,
        code: &str,
        params: &[(&str, &str)],
        hosts: Vec<String>,
        evidence: Vec<Evidence>,
        extra: Vec<String>,
    ) {
        let (severity, title, mut remediation) = match self.rules.finding(code) {
            Some(f) => (
                f.severity,
                fill(f.title.get(self.lang), params),
                f.remediation
                    .get(self.lang)
                    .iter()
                    .map(|t| fill(t, params))
                    .collect::<Vec<_>>(),
            ),
            None => (Severity::Medium, code.to_string(), Vec::new()),
        };
        remediation.extend(extra);
        self.list.push(PreflightFinding {
            code: code.to_string(),
            severity,
            blocking: self.pf.blocking.iter().any(|b| b == code),
            title,
            hosts,
            evidence,
            remediation,
        });
    }

    /// A finding that is advice: no hosts, no evidence.
    pub fn advice(&mut self, code: &str) {
        self.add(code, &[], Vec::new(), Vec::new(), Vec::new());
    }

    /// Lines of a text entry, filled.
    pub fn text(&self, key: &str, params: &[(&str, &str)]) -> Vec<String> {
        self.rules
            .text(key, self.lang)
            .iter()
            .map(|t| fill(t, params))
            .collect()
    }

    /// "Not checked: …" naming the missing evidence (`[texts."preflight.what"]`).
    pub fn not_checked(&mut self, what: &str, hosts: Vec<String>) {
        let prefix = format!("{what}=");
        let label = self
            .rules
            .text("preflight.what", self.lang)
            .iter()
            .find_map(|l| l.strip_prefix(&prefix).map(str::to_string))
            .unwrap_or_else(|| what.to_string());
        self.add(
            codes::PF_NOT_CHECKED,
            &[("what", &label)],
            hosts,
            vec![ev("evidence", "(missing)", None)],
            Vec::new(),
        );
    }
}

/// The product line of a version, by its major number.
pub(crate) fn line_name(pf: &ApexOnePreflight, version: &Version, lang: Lang) -> Option<String> {
    pf.line(version.major())
        .map(|l| l.name.get(lang).to_string())
}

/// The Apex One / Corp. XG agent version of a host.
pub(crate) fn agent_version<'a>(pf: &ApexOnePreflight, facts: &'a HostFacts) -> Option<&'a str> {
    facts
        .agents
        .as_ref()?
        .iter()
        .find(|a| a.product == pf.agent_product)
        .map(|a| a.version.as_str())
}

/// Whether the facts show the host's products without the agent: then the
/// server does not manage it.
fn without_agent(pf: &ApexOnePreflight, facts: &HostFacts) -> bool {
    facts
        .agents
        .as_ref()
        .is_some_and(|list| !list.iter().any(|a| a.product == pf.agent_product))
}

/// Runs the preflight. `password` is the result of [`check_password`],
/// when a password was given.
pub fn run(
    rules: &Rules,
    lang: Lang,
    options: Options,
    agents: &[HostFacts],
    server: &ServerEvidence,
    password: Option<&PasswordCheck>,
) -> Result<Preflight, PreflightError> {
    let pf = rules
        .preflight
        .apex_one
        .as_ref()
        .ok_or_else(|| PreflightError::NoRules(rules.origin.clone()))?;
    let mut f = Findings {
        rules,
        pf,
        lang,
        list: Vec::new(),
    };
    let (skipped, agents): (Vec<&HostFacts>, Vec<&HostFacts>) =
        agents.iter().partition(|a| without_agent(pf, a));
    let skipped: Vec<String> = skipped.into_iter().map(|h| h.host.clone()).collect();
    let agents: Vec<HostFacts> = agents.into_iter().cloned().collect();
    let agents = agents.as_slice();
    let assessed: Vec<_> = agents.iter().map(|a| assess(a, rules, lang)).collect();
    let server_assessed = server.facts.as_ref().map(|s| assess(s, rules, lang));
    let server_version = server.version.clone().or_else(|| {
        server.facts.as_ref().and_then(|s| {
            s.agents
                .as_ref()?
                .iter()
                .find(|a| a.product == pf.server_product)
                .map(|a| a.version.clone())
        })
    });

    // The checks of the phase, as the rules list them.
    let phase_checks = match options.phase {
        Phase::Before => &pf.phases.before,
        Phase::After => &pf.phases.after,
    };
    let mut unsupported = Default::default();
    let version = server_version.as_deref();
    for check in phase_checks {
        match check {
            PreflightCheck::UnsupportedOs => unsupported = checks::unsupported_os(&mut f, agents),
            PreflightCheck::SqlPassword => checks::password(&mut f, password),
            PreflightCheck::Versions => checks::versions(&mut f, version, agents),
            PreflightCheck::DeliveryControl => {
                checks::delivery(&mut f, agents, options.staged_rollout)
            }
            PreflightCheck::AcsReadiness => {
                checks::acs_readiness(&mut f, server, server_assessed.as_ref(), agents, &assessed)
            }
            PreflightCheck::Sha2 => checks::sha2(&mut f, server, agents),
            PreflightCheck::AuthCert => servers::auth_cert(&mut f, server, version),
            PreflightCheck::Firewall => servers::firewall(&mut f),
            PreflightCheck::ServerServices => servers::services(&mut f, server),
            PreflightCheck::ServerFolders => servers::folders(&mut f, server),
            PreflightCheck::RenamedServices => servers::renamed(&mut f, server, version, agents),
            PreflightCheck::ActivationCode => f.advice(codes::PF_ACTIVATION_CODE),
            PreflightCheck::BehaviourMonitoring => f.advice(codes::PF_BEHAVIOUR_MONITORING),
        }
    }

    let mut findings = f.list;
    findings.sort_by(|a, b| {
        (b.blocking, b.severity)
            .cmp(&(a.blocking, a.severity))
            .then_with(|| a.code.cmp(&b.code))
    });
    let mut summary = PreflightSummary {
        agents: agents.len() as u64,
        findings: findings.len() as u64,
        ..Default::default()
    };
    for x in &findings {
        summary.blocking += u64::from(x.blocking);
        *match x.severity {
            Severity::Critical => &mut summary.critical,
            Severity::High => &mut summary.high,
            Severity::Medium => &mut summary.medium,
            Severity::Low => &mut summary.low,
            Severity::Info => &mut summary.info,
        } += 1;
    }
    summary.blocked = summary.blocking > 0;

    let parsed_server = server_version.as_deref().and_then(Version::parse);
    let server_summary = ServerSummary {
        host: server.host.clone(),
        evidence_given: server.facts.is_some()
            || server.services.is_some()
            || server.listing.is_some()
            || server.version.is_some(),
        version: server_version.clone(),
        line: parsed_server.and_then(|v| line_name(pf, &v, lang)),
        os: server_assessed.as_ref().map(|a| a.os.clone()),
        verdict: server_assessed.as_ref().map(|a| a.verdict),
    };
    let agent_summaries = agents
        .iter()
        .zip(&assessed)
        .map(|(facts, a)| {
            let version = agent_version(pf, facts).map(str::to_string);
            let sources = facts.source_list();
            AgentSummary {
                host: facts.host.clone(),
                os: a.os.clone(),
                line: version
                    .as_deref()
                    .and_then(Version::parse)
                    .and_then(|v| line_name(pf, &v, lang)),
                version,
                verdict: a.verdict,
                no_program_upgrade: facts.delivery.as_ref().and_then(|d| d.no_program_upgrade),
                unsupported_os: unsupported.get(&facts.host).cloned(),
                sources,
            }
        })
        .collect();
    Ok(Preflight {
        phase: options.phase,
        staged_rollout: options.staged_rollout,
        server: server_summary,
        agents: agent_summaries,
        skipped,
        findings,
        summary,
    })
}

#[cfg(test)]
mod tests;
