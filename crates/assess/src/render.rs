//! The texts of findings and agent plans, rendered from their codes and
//! parameters with the texts of the rules in one language.
//!
//! The assessment renders through here, and so does every edge that shows
//! a stored assessment in another language (`report --from --lang`, the
//! server's `?lang=`).

use std::borrow::Cow;

use acsready_rules::{fill, placeholders, Lang, Rules};

use crate::model::{Action, AgentPlan, Finding, HostAssessment, Param, Params, TextRef};

/// Placeholders every finding text may use, filled from the rules.
const COMMON: [&str; 2] = ["root_name", "root_sha1"];

/// A parameter's value in `lang`.
pub fn param_text(rules: &Rules, lang: Lang, param: &Param) -> String {
    value(rules, lang, param).into_owned()
}

fn value<'a>(rules: &'a Rules, lang: Lang, param: &'a Param) -> Cow<'a, str> {
    match param {
        Param::Value(v) => Cow::Borrowed(v),
        Param::Product { product } => Cow::Borrowed(
            rules
                .product(product)
                .map_or(product.as_str(), |p| p.label(lang)),
        ),
        Param::Texts { texts, join } => {
            let mut lines = Vec::new();
            for t in texts {
                let values = resolve(rules, lang, &t.params);
                let refs = as_refs(&values);
                lines.extend(rules.text(&t.key, lang).iter().map(|l| fill(l, &refs)));
            }
            Cow::Owned(lines.join(join))
        }
    }
}

/// The lines of text entry `t` of the rules in `lang`, filled and joined
/// into one line.
pub fn line(rules: &Rules, lang: Lang, t: &TextRef) -> String {
    let values = resolve(rules, lang, &t.params);
    let refs = as_refs(&values);
    let lines: Vec<String> = rules
        .text(&t.key, lang)
        .iter()
        .map(|l| fill(l, &refs))
        .collect();
    lines.join(" ")
}

/// The values of `params` in `lang`, with the common placeholders.
fn resolve<'a>(rules: &'a Rules, lang: Lang, params: &'a Params) -> Vec<(&'a str, Cow<'a, str>)> {
    let root = &rules.root_certificate;
    let mut all: Vec<(&str, Cow<str>)> = params
        .iter()
        .map(|(k, v)| (k, value(rules, lang, v)))
        .collect();
    all.push((COMMON[0], Cow::Borrowed(&root.name)));
    all.push((COMMON[1], Cow::Borrowed(&root.sha1)));
    all
}

fn as_refs<'a>(values: &'a [(&'a str, Cow<'a, str>)]) -> Vec<(&'a str, &'a str)> {
    values.iter().map(|(k, v)| (*k, v.as_ref())).collect()
}

/// The title of finding `code` in `lang`; the code itself when the rules
/// do not know it.
pub fn title(rules: &Rules, lang: Lang, code: &str, params: &Params) -> String {
    match rules.finding(code) {
        Some(f) => fill(f.title.get(lang), &as_refs(&resolve(rules, lang, params))),
        None => code.to_string(),
    }
}

/// The title and remediation steps of finding `code` in `lang`. A
/// parameter whose value holds several lines (steps) expands into that
/// many steps.
pub fn texts(rules: &Rules, lang: Lang, code: &str, params: &Params) -> (String, Vec<String>) {
    let Some(f) = rules.finding(code) else {
        return (code.to_string(), Vec::new());
    };
    let values = resolve(rules, lang, params);
    let refs = as_refs(&values);
    let steps = f
        .remediation
        .get(lang)
        .iter()
        .flat_map(|t| {
            fill(t, &refs)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    (fill(f.title.get(lang), &refs), steps)
}

/// Whether the texts of `code` can be rendered from `params`: the rules
/// know the code and every placeholder of its title (and, with
/// `remediation`, of its steps) has a value. A report written before
/// findings carried parameters fails this and keeps its texts.
fn renderable(rules: &Rules, code: &str, params: &Params, remediation: bool) -> bool {
    let Some(f) = rules.finding(code) else {
        return false;
    };
    let known = |name: &&str| params.contains_key(name) || COMMON.contains(name);
    [Lang::En, Lang::Ja].into_iter().all(|lang| {
        placeholders(f.title.get(lang)).iter().all(known)
            && (!remediation
                || f.remediation
                    .get(lang)
                    .iter()
                    .all(|t| placeholders(t).iter().all(known)))
    })
}

/// Fills the title and remediation of a finding in `lang` from its code
/// and parameters; leaves them as they are when they cannot be rendered.
pub fn render_finding(finding: &mut Finding, rules: &Rules, lang: Lang) {
    if !renderable(rules, &finding.code, &finding.params, true) {
        if finding.title.is_empty() {
            finding.title = title(rules, lang, &finding.code, &finding.params);
        }
        return;
    }
    (finding.title, finding.remediation) = texts(rules, lang, &finding.code, &finding.params);
}

/// Whether `f` is the finding a plan's reason names: its code, about the
/// plan's product (and version, where the finding names one).
fn gives_reason(f: &Finding, plan: &AgentPlan) -> bool {
    let product = match f.params.get("product") {
        Some(Param::Value(p)) | Some(Param::Product { product: p }) => p,
        _ => return false,
    };
    let version = match f.params.get("version") {
        Some(Param::Value(v)) => v == &plan.version,
        Some(_) => false,
        None => true,
    };
    !plan.reason_code.is_empty()
        && f.code == plan.reason_code
        && *product == plan.product
        && version
}

/// Renders every text of an assessment in `lang`: titles and remediation
/// of its findings, reasons (and the "latest" target) of its agent plans,
/// reasons of its module predictions.
/// Texts that cannot be rendered (no parameters stored) stay as written.
pub fn render_host(a: &mut HostAssessment, rules: &Rules, lang: Lang) {
    for f in &mut a.findings {
        render_finding(f, rules, lang);
    }
    for m in &mut a.modules {
        if let Some(t) = &m.reason_text {
            m.reason = line(rules, lang, t);
        }
    }
    let findings = &a.findings;
    for plan in &mut a.agents {
        let Some(f) = reason_finding(findings, plan) else {
            continue;
        };
        if !title_renders(rules, &f.code, &f.params) {
            continue;
        }
        plan.reason = title(rules, lang, &f.code, &f.params);
        if plan.action == Action::Upgrade {
            plan.target = latest(rules, lang);
        }
    }
}

/// The finding among `findings` whose title is the reason of `plan`: its
/// `reason_code`, about its product (and version, where the finding names
/// one).
pub fn reason_finding<'a>(findings: &'a [Finding], plan: &AgentPlan) -> Option<&'a Finding> {
    findings.iter().find(|f| gives_reason(f, plan))
}

/// Whether the title of finding `code` can be rendered from `params` (a
/// reason written before findings carried parameters stays as written).
pub fn title_renders(rules: &Rules, code: &str, params: &Params) -> bool {
    renderable(rules, code, params, false)
}

/// The target of a plan to upgrade, in `lang` ("latest").
pub fn latest(rules: &Rules, lang: Lang) -> String {
    rules.text(crate::LATEST, lang).concat()
}
