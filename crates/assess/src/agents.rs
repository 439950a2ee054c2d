//! A plan for every installed Trend Micro product, from the host's verdict.

use std::cmp::Ordering;

use acsready_facts::{AgentFact, HostFacts};
use acsready_rules::{codes, AgentLine, Product, Rules, Version};

use crate::findings::{ev, plain, text_ref, Findings};
use crate::model::{Action, AgentPlan, Evidence, Param, Params, TextRef, Verdict};
use crate::render;

/// Parameters: the product's name (in the language of the text) and plain
/// values; none when texts are not wanted.
fn with_product(findings: &Findings, product: &Product, values: &[(&'static str, &str)]) -> Params {
    let mut p = findings.plain(values);
    findings.put(&mut p, "product", || product_name(product));
    p
}

fn product_name(product: &Product) -> Param {
    Param::Product {
        product: product.id.clone(),
    }
}

/// The `target` of an upgrade: whatever build is newest when it runs.
pub const LATEST: &str = "latest";

/// Where an installed version stands against the ACS builds of its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Era {
    /// Signed the old way: runs anywhere.
    PreAcs,
    /// The first ACS build or later.
    Acs,
    /// After the last build before ACS and before the first ACS build: the
    /// sources say nothing of how it is signed.
    Between,
    /// The rules cannot place the build.
    Unknown,
}

struct Placed<'r> {
    version: Version,
    line: Option<&'r AgentLine>,
    era: Era,
    unsupported: bool,
}

/// The agent on a host that is not ready, as the plan steps see it.
#[derive(Clone, Copy)]
struct Unready<'a> {
    facts: &'a HostFacts,
    product: &'a Product,
    placed: &'a Placed<'a>,
}

fn place<'r>(rules: &'r Rules, product: &Product, version: Version) -> Placed<'r> {
    let scheme = product.version_scheme;
    let major = version.major();
    let line = rules.agent_line(&product.id, &version);
    let unsupported = product.min_supported_major.is_some_and(|min| major < min)
        || line.is_some_and(|l| !l.supported);
    // Against a boundary build: `None` when the version is too short to tell.
    let against = |v: Version| version.cmp_known(&v, scheme);
    let era = match line {
        Some(l) if l.never_acs => Era::PreAcs,
        Some(l) => match (
            l.first_acs_version.map(against),
            l.last_pre_acs_version.map(against),
        ) {
            (None, _) | (Some(None), _) => Era::Unknown,
            (Some(Some(first)), _) if first.is_ge() => Era::Acs,
            (_, Some(None)) => Era::Unknown,
            (_, Some(Some(last))) if last.is_gt() => Era::Between,
            _ => Era::PreAcs,
        },
        None => {
            // No line for this version: older than every line is pre-ACS, newer
            // is ACS (every release since 2023 is signed with ACS).
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

/// The last build before ACS of the line an unsupported agent should move to:
/// its line's `upgrade_to`, else the newest supported line of the product.
fn pre_acs_target(rules: &Rules, product: &str, line: Option<&AgentLine>) -> Option<String> {
    let to = line
        .and_then(|l| l.upgrade_to.as_deref())
        .and_then(Version::parse);
    if let Some(l) = to.and_then(|v| rules.agent_line(product, &v)) {
        return l.last_pre_acs.clone();
    }
    rules
        .agent_lines_of(product)
        .filter(|l| l.last_pre_acs.is_some() && l.supported)
        .max_by_key(|l| (l.major, l.minor))
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
    // Counting needs no evidence.
    let evidence = match findings.full() {
        true => vec![ev(
            &format!("agents.{}", agent.product),
            agent.version.clone(),
        )],
        false => Vec::new(),
    };
    let mut plan = AgentPlan {
        product: agent.product.clone(),
        version: agent.version.clone(),
        action: Action::Hold,
        target: agent.version.clone(),
        reason: String::new(),
        reason_code: String::new(),
    };
    let Some(product) = rules.product(&agent.product) else {
        let p = findings.plain(&[("product", agent.product.as_str())]);
        findings.reason(&mut plan, codes::UNKNOWN_PRODUCT, &p);
        findings.add_params(codes::UNKNOWN_PRODUCT, p, evidence);
        return plan;
    };
    let version_text = agent.version.as_str();
    if !product.affected {
        plan.action = Action::None;
        let p = with_product(findings, product, &[("version", version_text)]);
        findings.reason(&mut plan, codes::NOT_AFFECTED, &p);
        findings.add_params(codes::NOT_AFFECTED, p, evidence);
        return plan;
    }
    let Some(version) = Version::parse(version_text) else {
        let p = with_product(findings, product, &[("version", version_text)]);
        findings.reason(&mut plan, codes::VERSION_UNREADABLE, &p);
        findings.add_params(codes::VERSION_UNREADABLE, p, evidence);
        return plan;
    };
    let placed = place(rules, product, version);
    match verdict {
        Verdict::Ready => {
            plan.action = Action::Upgrade;
            let latest = findings.texts(|| vec![text_ref("latest", Params::new())], "");
            if findings.rendered() {
                plan.target = render::param_text(rules, findings.lang(), &latest);
            } else {
                plan.target = String::new();
            }
            let mut p = with_product(findings, product, &[("version", version_text)]);
            findings.put(&mut p, "target", || latest);
            if placed.unsupported {
                unsupported(rules, product, &placed, &p, &evidence, findings);
            }
            findings.reason(&mut plan, codes::UPGRADE, &p);
            findings.add_params(codes::UPGRADE, p, evidence);
        }
        Verdict::Unknown => {
            plan.action = Action::Hold;
            let p = with_product(findings, product, &[("version", version_text)]);
            findings.reason(&mut plan, codes::HOLD, &p);
            findings.add_params(codes::HOLD, p, evidence);
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
    let at = Unready {
        facts,
        product,
        placed,
    };
    let version_text = plan.version.clone();
    if placed.unsupported {
        plan.action = Action::Pin;
        plan.target =
            pre_acs_target(rules, &product.id, placed.line).unwrap_or_else(|| version_text.clone());
        let p = with_product(
            findings,
            product,
            &[
                ("version", version_text.as_str()),
                ("target", plan.target.as_str()),
            ],
        );
        unsupported(rules, product, placed, &p, &evidence, findings);
        pin(at, plan, evidence, findings);
        return;
    }
    match placed.era {
        Era::Acs => {
            plan.action = Action::FixHost;
            let p = with_product(findings, product, &[("version", version_text.as_str())]);
            findings.reason(plan, codes::ACS_AGENT_ON_UNREADY_HOST, &p);
            findings.add_params(codes::ACS_AGENT_ON_UNREADY_HOST, p, evidence);
        }
        Era::PreAcs => {
            plan.action = Action::Pin;
            // The last build before ACS, or the installed one if it is newer or
            // the product cannot be brought to a chosen build.
            let last = placed
                .line
                .and_then(|l| Some((l.last_pre_acs.as_deref()?, l.last_pre_acs_version?)));
            plan.target = match last {
                Some((text, v))
                    if !product.pin_installed_build
                        && placed.version.cmp_with(&v, product.version_scheme)
                            != Ordering::Greater =>
                {
                    text.to_string()
                }
                _ => version_text.clone(),
            };
            pin(at, plan, evidence, findings);
        }
        Era::Between | Era::Unknown => {
            unplaced(at, plan, evidence, findings);
        }
    }
}

/// A build the rules cannot place before or after ACS on a host that is not
/// ready: hold it, say why and what settles it, and stop program delivery.
fn unplaced(
    at: Unready<'_>,
    plan: &mut AgentPlan,
    evidence: Vec<Evidence>,
    findings: &mut Findings,
) {
    let Unready {
        facts,
        product,
        placed,
    } = at;
    plan.action = Action::Hold;
    let line = placed.line;
    let line_name = line
        .map(|l| l.name())
        .unwrap_or_else(|| format!("{}.{}", placed.version.major(), placed.version.minor()));
    let text = |l: Option<&String>| l.cloned().unwrap_or_else(|| "—".into());
    let last = text(line.and_then(|l| l.last_pre_acs.as_ref()));
    let first = text(line.and_then(|l| l.first_acs.as_ref()));
    let key = if placed.era == Era::Between {
        "agent_between"
    } else {
        "agent_unplaced"
    };
    let params = with_product(
        findings,
        product,
        &[
            ("version", plan.version.as_str()),
            ("line", line_name.as_str()),
            ("last_pre_acs", last.as_str()),
            ("first_acs", first.as_str()),
        ],
    );
    let what = findings.texts(|| vec![text_ref(key, params)], " ");
    let steps = findings.texts(|| hold_steps(facts, product), "\n");
    let mut p = with_product(findings, product, &[("version", plan.version.as_str())]);
    findings.put(&mut p, "what", || what);
    findings.put(&mut p, "steps", || steps);
    findings.reason(plan, codes::AGENT_BUILD_UNPLACED, &p);
    findings.add_params(codes::AGENT_BUILD_UNPLACED, p, evidence);
}

/// An agent out of support: below the supported majors (ACS022), or on a
/// release line that is out of support, a feature release (ACS037: what the
/// line is and where to go).
fn unsupported(
    rules: &Rules,
    product: &Product,
    placed: &Placed,
    p: &Params,
    evidence: &[Evidence],
    findings: &mut Findings,
) {
    let Some(line) = placed.line.filter(|l| !l.supported) else {
        findings.add_params(codes::AGENT_UNSUPPORTED, p.clone(), evidence.to_vec());
        return;
    };
    let version = placed.version.to_string();
    let target = pre_acs_target(rules, &product.id, Some(line)).unwrap_or_else(|| "—".into());
    let name = line.name();
    let to = line.upgrade_to.clone().unwrap_or_else(|| "—".into());
    let params = with_product(
        findings,
        product,
        &[
            ("version", version.as_str()),
            ("line", name.as_str()),
            ("upgrade_to", to.as_str()),
            ("target", target.as_str()),
        ],
    );
    findings.add_params(codes::AGENT_FEATURE_RELEASE, params, evidence.to_vec());
}

/// The product's delivery-control steps, with the note when the host already
/// has program upgrades turned off.
fn delivery_steps(facts: &HostFacts, product: &Product, target: &str) -> Vec<TextRef> {
    let mut steps: Vec<TextRef> = product
        .delivery_control
        .as_deref()
        .map(|key| text_ref(key, plain(&[("target", target)])))
        .into_iter()
        .collect();
    if no_upgrade_set(facts) {
        steps.push(text_ref("no_program_upgrade_set", Params::new()));
    }
    steps
}

/// How to keep agent programs from a host without changing its agent: the
/// product's `hold_control`, else its delivery control (which then does not
/// name a build).
fn hold_steps(facts: &HostFacts, product: &Product) -> Vec<TextRef> {
    let mut steps = match product.hold_control.as_deref() {
        Some(key) => vec![text_ref(key, Params::new())],
        None => return delivery_steps(facts, product, ""),
    };
    if no_upgrade_set(facts) {
        steps.push(text_ref("no_program_upgrade_set", Params::new()));
    }
    steps
}

fn no_upgrade_set(facts: &HostFacts) -> bool {
    facts.delivery.as_ref().and_then(|d| d.no_program_upgrade) == Some(true)
}

/// The pin finding with the delivery-control steps and the accepted risks, plus
/// the warnings of lines whose installers or updates do not protect the host.
fn pin(at: Unready<'_>, plan: &mut AgentPlan, evidence: Vec<Evidence>, findings: &mut Findings) {
    let Unready {
        facts,
        product,
        placed,
    } = at;
    let version = plan.version.clone();
    let version = version.as_str();
    let p = with_product(
        findings,
        product,
        &[("version", version), ("target", plan.target.as_str())],
    );
    let mut pin_params = p.clone();
    let steps = findings.texts(
        || {
            let mut steps = delivery_steps(facts, product, &plan.target);
            steps.push(text_ref("accepted_risks", Params::new()));
            steps
        },
        "\n",
    );
    findings.put(&mut pin_params, "steps", || steps);
    let mut pin_evidence = evidence.clone();
    if let Some(d) = facts.delivery.as_ref().and_then(|d| d.no_program_upgrade) {
        pin_evidence.push(ev("delivery.no_program_upgrade", d.to_string()));
    }
    findings.reason(plan, codes::PIN_AGENT, &p);
    findings.add_params(codes::PIN_AGENT, pin_params, pin_evidence);
    let Some(line) = placed.line else { return };
    if !line.installer_checks_host && !placed.unsupported {
        findings.add_params(codes::INSTALLER_DOES_NOT_CHECK, p.clone(), evidence.clone());
    }
    // Builds before the first that checks the host may fetch programs in a loop.
    let first_check = line.first_check_version.or(line.first_acs_version);
    let before_check = first_check.map_or(placed.era != Era::Acs, |v| {
        placed.version.cmp_with(&v, product.version_scheme).is_lt()
    });
    if line.updates_may_loop_below_first_acs && !no_upgrade_set(facts) && before_check {
        let mut params = with_product(findings, product, &[("version", version)]);
        let steps = findings.texts(|| delivery_steps(facts, product, &plan.target), "\n");
        findings.put(&mut params, "steps", || steps);
        findings.add_params(codes::AGENT_PREDATES_CHECK, params, evidence);
    }
}
