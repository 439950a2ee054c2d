//! The hosts as the page's script reads them: the report's host objects with
//! every text that repeats across a fleet (OS names, finding titles,
//! remediation steps, evidence, agent reasons, module paths) replaced by its
//! index in one string table written once (`strings`). A fleet of 100,000
//! hosts carries each remediation text once instead of once per host.
//!
//! Shape of one host (indices are into `strings`):
//!
//! ```json
//! {"host":"web01","os":{"name":0,"build":17763,"ubr":2183,"release":"ws2019"},
//!  "verdict":"not_ready","codes":["ACS001"],
//!  "findings":[{"code":"ACS001","severity":"high","title":1,
//!               "evidence":[[2,3],[4,5,6]],"remediation":[7]}],
//!  "agents":[{"product":"deep_security_agent","version":"20.0.0.5394",
//!             "action":"pin","target":"20.0.0.6313","line":9,"reason":8}],
//!  "sources":["fleet.ndjson:1"],"modules":[{"path":10,"outcome":"blocked","reason":11}]}
//! ```
//!
//! `codes` are the codes the host's row lists ([`crate::host_codes`]: each
//! once, no info-level ones); `line` is the agent's plan as the terminal
//! table writes it ([`crate::plan_line`]). `evidence` entries are
//! `[fact, value]` or `[fact, value, source]`.

use std::collections::HashMap;

use acsready_assess::{Action, HostAssessment, Outcome, Severity, Verdict};
use serde::Serialize;

use crate::rows::{host_codes, plan_line};
use crate::Style;

/// Texts kept once, in the order first seen.
#[derive(Default)]
pub(super) struct Strings {
    index: HashMap<Box<str>, u32>,
    list: Vec<Box<str>>,
}

impl Strings {
    pub(super) fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        // More than 4 billion distinct texts cannot be embedded in a page anyway.
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(s.into());
        self.index.insert(s.into(), i);
        i
    }

    pub(super) fn list(&self) -> &[Box<str>] {
        &self.list
    }
}

#[derive(Serialize)]
pub(super) struct PageHost<'a> {
    host: &'a str,
    os: PageOs<'a>,
    verdict: Verdict,
    codes: Vec<&'a str>,
    findings: Vec<PageFinding<'a>>,
    agents: Vec<PageAgent<'a>>,
    sources: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    modules: Vec<PageModule>,
}

#[derive(Serialize)]
struct PageOs<'a> {
    name: u32,
    build: Option<u32>,
    ubr: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release: Option<&'a str>,
}

#[derive(Serialize)]
struct PageFinding<'a> {
    code: &'a str,
    severity: Severity,
    title: u32,
    evidence: Vec<Vec<u32>>,
    remediation: Vec<u32>,
}

#[derive(Serialize)]
struct PageAgent<'a> {
    product: &'a str,
    version: &'a str,
    action: Action,
    target: &'a str,
    line: u32,
    reason: u32,
}

#[derive(Serialize)]
struct PageModule {
    path: u32,
    outcome: Outcome,
    reason: u32,
}

impl<'a> PageHost<'a> {
    pub(super) fn new(a: &'a HostAssessment, style: &Style, s: &mut Strings) -> Self {
        PageHost {
            host: &a.host,
            os: PageOs {
                name: s.id(&a.os.name),
                build: a.os.build,
                ubr: a.os.ubr,
                release: a.os.release.as_deref(),
            },
            verdict: a.verdict,
            codes: host_codes(a),
            findings: a
                .findings
                .iter()
                .map(|f| PageFinding {
                    code: &f.code,
                    severity: f.severity,
                    title: s.id(&f.title),
                    evidence: f
                        .evidence
                        .iter()
                        .map(|e| {
                            let mut v = vec![s.id(&e.fact), s.id(&e.value)];
                            if let Some(src) = &e.source {
                                v.push(s.id(src));
                            }
                            v
                        })
                        .collect(),
                    remediation: f.remediation.iter().map(|r| s.id(r)).collect(),
                })
                .collect(),
            agents: a
                .agents
                .iter()
                .map(|p| PageAgent {
                    product: &p.product,
                    version: &p.version,
                    action: p.action,
                    target: &p.target,
                    line: s.id(&plan_line(
                        style.names.get(&p.product, style.lang),
                        &p.version,
                        p.action,
                        &p.target,
                        style.lang,
                    )),
                    reason: s.id(&p.reason),
                })
                .collect(),
            sources: &a.sources,
            modules: a
                .modules
                .iter()
                .map(|m| PageModule {
                    path: s.id(&m.path),
                    outcome: m.outcome,
                    reason: s.id(&m.reason),
                })
                .collect(),
        }
    }
}
