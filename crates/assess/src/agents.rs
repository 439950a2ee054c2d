//! A plan for every installed Trend Micro product, from the host's verdict.

use std::cmp::Ordering;

use acsready_facts::{AgentFact, HostFacts};
use acsready_rules::{codes, AgentLine, Product, Rules, Version};

use crate::findings::{ev, Findings};
use crate::model::{Action, AgentPlan, Evidence, Verdict};

/// The `target` of an upgrade: whatever build is newest when it runs.
pub const LATEST: &str = "latest";

/// Where an installed version stands against the ACS builds of its line.
enum Era {
    /// Older than the first ACS build: runs anywhere.
    PreAcs,
    /// The first ACS build or later.
    Acs,
    /// The rules give no build numbers for this line.
    Unknown,
}

struct Placed<'r> {
    version: Version,
    line: Option<&'r AgentLine>,
    era: Era,
    unsupported: bool,
}

fn place<'r>(rules: &'r Rules, product: &Product, version: Version) -> Placed<'r> {
    let scheme = product.version_scheme;
    let major = version.major();
    let line = rules.agent_line(&product.id, Some(major));
    let unsupported = product.min_supported_major.is_some_and(|min| major < min);
    let era = match line
        .and_then(|l| l.first_acs.as_deref())
        .and_then(Version::parse)
    {
        Some(first) if version.cmp_with(&first, scheme) == Ordering::Less => Era::PreAcs,
        Some(_) => Era::Acs,
        None if line.is_some_and(|l| l.major.is_none()) => Era::Unknown,
        None => {
            // No line for this major: older than every line is pre-ACS, newer is ACS.
            let majors: Vec<u64> = rules
                .agent_lines_of(&product.id)
                .filter_map(|l| l.major)
                .collect();
            match (majors.iter().min(), majors.iter().max()) {
                (Some(&lo), _) if major < lo => Era::PreAcs,
                (_, Some(&hi)) if major > hi => Era::Acs,
                _ => Era::Unknown,
            }
        }
    };
    Placed {
        version,
        line,
        era,
        unsupported,
    }
}

/// The last build before ACS of the newest line of a product (for agents below
/// the supported versions).
fn newest_pre_acs(rules: &Rules, product: &str) -> Option<String> {
    rules
        .agent_lines_of(product)
        .filter(|l| l.last_pre_acs.is_some())
        .max_by_key(|l| l.major)
        .and_then(|l| l.last_pre_acs.clone())
}

pub(crate) fn plan_agents(
    facts: &HostFacts,
    rules: &Rules,
    verdict: Verdict,
    findings: &mut Findings,
) -> Vec<AgentPlan> {
    let Some(agents) = &facts.agents else {
        return Vec::new();
    };
    agents
        .iter()
        .map(|agent| plan_agent(facts, rules, verdict, agent, findings))
        .collect()
}

fn plan_agent(
    facts: &HostFacts,
    rules: &Rules,
    verdict: Verdict,
    agent: &AgentFact,
    findings: &mut Findings,
) -> AgentPlan {
    let evidence = vec![ev(
        &format!("agents.{}", agent.product),
        agent.version.clone(),
    )];
    let mut plan = AgentPlan {
        product: agent.product.clone(),
        version: agent.version.clone(),
        action: Action::Hold,
        target: agent.version.clone(),
        reason: String::new(),
    };
    let Some(product) = rules.product(&agent.product) else {
        let p = [("product", agent.product.as_str())];
        plan.reason = findings.title(codes::UNKNOWN_PRODUCT, &p);
        findings.add(codes::UNKNOWN_PRODUCT, &p, evidence);
        return plan;
    };
    let name = product.name.as_str();
    let version_text = agent.version.as_str();
    if !product.affected {
        plan.action = Action::None;
        let p = [("product", name), ("version", version_text)];
        plan.reason = findings.title(codes::NOT_AFFECTED, &p);
        findings.add(codes::NOT_AFFECTED, &p, evidence);
        return plan;
    }
    let Some(version) = Version::parse(version_text) else {
        let p = [("product", name), ("version", version_text)];
        plan.reason = findings.title(codes::VERSION_UNREADABLE, &p);
        findings.add(codes::VERSION_UNREADABLE, &p, evidence);
        return plan;
    };
    let placed = place(rules, product, version);
    match verdict {
        Verdict::Ready => {
            plan.action = Action::Upgrade;
            plan.target = findings.text("latest", &[]).concat();
            let p = [
                ("product", name),
                ("version", version_text),
                ("target", plan.target.as_str()),
            ];
            if placed.unsupported {
                findings.add(codes::AGENT_UNSUPPORTED, &p, evidence.clone());
            }
            plan.reason = findings.title(codes::UPGRADE, &p);
            findings.add(codes::UPGRADE, &p, evidence);
        }
        Verdict::Unknown => {
            plan.action = Action::Hold;
            let p = [("product", name), ("version", version_text)];
            plan.reason = findings.title(codes::HOLD, &p);
            findings.add(codes::HOLD, &p, evidence);
        }
        Verdict::NotReady | Verdict::Unsupported => {
            plan_unready_host(
                facts, rules, product, &placed, &mut plan, evidence, findings,
            );
        }
    }
    plan
}

fn plan_unready_host(
    facts: &HostFacts,
    rules: &Rules,
    product: &Product,
    placed: &Placed,
    plan: &mut AgentPlan,
    evidence: Vec<Evidence>,
    findings: &mut Findings,
) {
    let name = product.name.as_str();
    let version_text = plan.version.clone();
    if placed.unsupported {
        plan.action = Action::Pin;
        plan.target = newest_pre_acs(rules, &product.id).unwrap_or_else(|| version_text.clone());
        let p = [
            ("product", name),
            ("version", version_text.as_str()),
            ("target", plan.target.as_str()),
        ];
        findings.add(codes::AGENT_UNSUPPORTED, &p, evidence.clone());
        pin(facts, product, placed, plan, evidence, findings);
        return;
    }
    match placed.era {
        Era::Acs => {
            plan.action = Action::FixHost;
            let p = [("product", name), ("version", version_text.as_str())];
            plan.reason = findings.title(codes::ACS_AGENT_ON_UNREADY_HOST, &p);
            findings.add(codes::ACS_AGENT_ON_UNREADY_HOST, &p, evidence);
        }
        Era::PreAcs => {
            plan.action = Action::Pin;
            // The last build before ACS, or the installed one if it is newer.
            let last = placed
                .line
                .and_then(|l| Some((l.last_pre_acs.as_deref()?, l.last_pre_acs_version?)));
            plan.target = match last {
                Some((text, v))
                    if placed.version.cmp_with(&v, product.version_scheme) != Ordering::Greater =>
                {
                    text.to_string()
                }
                _ => version_text.clone(),
            };
            pin(facts, product, placed, plan, evidence, findings);
        }
        Era::Unknown => {
            plan.action = Action::Pin;
            plan.target = version_text.clone();
            pin(facts, product, placed, plan, evidence, findings);
        }
    }
}

/// The pin finding with the delivery-control steps and the accepted risks, plus
/// the warnings of lines whose installers or updates do not protect the host.
fn pin(
    facts: &HostFacts,
    product: &Product,
    placed: &Placed,
    plan: &mut AgentPlan,
    evidence: Vec<Evidence>,
    findings: &mut Findings,
) {
    let name = product.name.as_str();
    let version = plan.version.as_str();
    let target_text = if matches!(placed.era, Era::Unknown) && !placed.unsupported {
        findings
            .text("target_current", &[("version", version)])
            .concat()
    } else {
        plan.target.clone()
    };
    let p = [
        ("product", name),
        ("version", version),
        ("target", target_text.as_str()),
    ];
    let no_upgrade_set = facts.delivery.as_ref().and_then(|d| d.no_program_upgrade) == Some(true);
    let delivery = product
        .delivery_control
        .as_deref()
        .map(|key| findings.text(key, &[("target", plan.target.as_str())]))
        .unwrap_or_default();
    let mut steps = delivery.clone();
    if no_upgrade_set {
        steps.extend(findings.text("no_program_upgrade_set", &[]));
    }
    steps.extend(findings.text("accepted_risks", &[]));
    let steps = steps.join("\n");
    let mut pin_evidence = evidence.clone();
    if let Some(d) = facts.delivery.as_ref().and_then(|d| d.no_program_upgrade) {
        pin_evidence.push(ev("delivery.no_program_upgrade", d.to_string()));
    }
    plan.reason = findings.title(codes::PIN_AGENT, &p);
    findings.add(
        codes::PIN_AGENT,
        &[p[0], p[1], p[2], ("steps", steps.as_str())],
        pin_evidence,
    );
    if let Some(line) = placed.line {
        if !line.installer_checks_host && !placed.unsupported {
            findings.add(codes::INSTALLER_DOES_NOT_CHECK, &p, evidence.clone());
        }
        if line.updates_may_loop_below_first_acs
            && !no_upgrade_set
            && !matches!(placed.era, Era::Acs)
        {
            let steps = delivery.join("\n");
            findings.add(
                codes::AGENT_PREDATES_CHECK,
                &[p[0], p[1], ("steps", steps.as_str())],
                evidence,
            );
        }
    }
}
