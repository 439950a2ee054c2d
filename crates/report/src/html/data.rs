//! The hosts as the page's script reads them, compact enough that a fleet of
//! 100,000 hosts loads in a moment: every text is kept once in `strings`
//! (OS names, finding titles, remediation steps, evidence, agent plans,
//! module paths, also codes and ids such as `high` or `pin`); each distinct
//! finding, agent plan and module prediction is kept once in a table of
//! them, each distinct set of them a host has once more, and the hosts are
//! columns (one array per field, one entry per host) of indices into those.
//!
//! ```json
//! "strings": ["Windows Server 2019", "ws2019", "ACS001", "high", …],
//! "findings": [[code, severity, title, [[fact, value], [fact, value, source]], [step, …]], …],
//! "finding_sets": [[codes, [finding, …]], …],
//! "agents": [[product, version, action, target, line, reason], …],
//! "agent_sets": [[plans, [agent, …]], …],
//! "modules": [[path, outcome, reason], …],
//! "module_sets": [[module, …], …],
//! "hosts": {"host": ["web01", …], "os": [0, …], "build": [17763, …],
//!           "ubr": [2183, …], "release": [1, …], "verdict": [1, …],
//!           "findings": [0, …], "agents": [0, …], "modules": [0, …],
//!           "sources": ["fleet.ndjson:1", ["a.json", "b.reg"], …]}
//! ```
//!
//! Every field but `build`, `ubr` (numbers or `null`), `verdict` (the index
//! in ready, not_ready, unknown, unsupported), `hosts.host` and
//! `hosts.sources` (a host's one source as a string, else an array) is an
//! index: into `strings` for texts and ids, into `findings`, `agents`,
//! `modules` from a set, into the sets from `hosts`. `release` is `null` when
//! the rules do not know the build. A finding set's `codes` is the text of
//! the row's codes ([`crate::host_codes`]: each once, no info-level ones),
//! an agent set's `plans` the row's plans joined by `; `, an agent's `line`
//! its plan as the terminal table writes it ([`crate::plan_line`]).
//! `hosts.modules` is left out when no host has a module prediction.
//!
//! Every `<` in a text is written as `\u003c`, so no value (a host name such
//! as `</script>`) can end the script element.

use std::collections::HashMap;
use std::io;

use acsready_assess::{render, Action, AgentPlan, Finding, HostAssessment, Params, TextCache};
use foldhash::fast::RandomState;
use serde::Serialize;

use crate::rows::{host_codes, plan_line, verdict_index};
use crate::Style;

mod merge;

/// Keys (texts, or rows of indices) kept once, numbered in the order first
/// seen.
struct Table<K> {
    index: HashMap<K, u32, foldhash::fast::RandomState>,
    list: Vec<K>,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            index: HashMap::default(),
            list: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Table<K> {
    /// The number of `key`, and whether it is new.
    fn id<Q>(&mut self, key: &Q) -> (u32, bool)
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized + ToOwned,
        Q::Owned: Into<K>,
    {
        if let Some(&i) = self.index.get(key) {
            return (i, false);
        }
        // More than 4 billion distinct entries cannot be embedded in a page anyway.
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        let key: K = key.to_owned().into();
        self.list.push(key.clone());
        self.index.insert(key, i);
        (i, true)
    }
}

type Ids = Table<Box<[u32]>>;

/// What [`Tables::add`] returns for one host: its sets.
pub(super) struct HostSets {
    pub release: Option<u32>,
    pub findings: u32,
    pub agents: u32,
    pub modules: u32,
}

/// The tables of texts, findings, agents, modules and their sets.
#[derive(Default)]
pub(super) struct Tables {
    strings: Table<Box<str>>,
    findings: Ids,
    finding_sets: Ids,
    /// The codes text of each finding set, by its number.
    set_codes: Vec<u32>,
    agents: Ids,
    /// The plan line of each agent, by its number.
    agent_lines: Vec<u32>,
    agent_sets: Ids,
    /// The plans text of each agent set, by its number.
    set_plans: Vec<u32>,
    modules: Ids,
    module_sets: Ids,
    /// The title and steps (`[title, step…]`) of findings rendered from
    /// their codes and parameters, by code and parameters.
    rendered: HashMap<String, HashMap<Params, Box<[u32]>, RandomState>, RandomState>,
    /// The text of "latest" (the target of plans to upgrade), once rendered.
    latest: Option<u32>,
    /// A host's key being built (kept to spare an allocation per host).
    key: Vec<u32>,
    set: Vec<u32>,
    shown: Vec<u32>,
}

/// Where the texts of a host's findings and plans come from.
pub(super) enum Texts<'a, 'r> {
    /// As the assessment wrote them.
    Written,
    /// Rendered from the findings' codes and parameters (the assessment
    /// left them empty: [`acsready_assess::Detail::Params`]), each distinct
    /// finding once.
    Rendered(&'a mut TextCache<'r>),
}

/// `u32::MAX`: no value (an evidence without source).
const NONE: u32 = u32::MAX;

impl Tables {
    pub(super) fn text(&mut self, s: &str) -> u32 {
        self.strings.id(s).0
    }

    /// The numbers of the title and steps (`[title, step…]`) of finding
    /// `f`, as written or rendered.
    fn finding_texts(&mut self, f: &Finding, texts: &mut Texts, into: &mut Vec<u32>) {
        let cache = match texts {
            Texts::Written => {
                into.push(self.text(&f.title));
                into.extend(f.remediation.iter().map(|r| self.text(r)));
                return;
            }
            Texts::Rendered(cache) => cache,
        };
        if let Some(ids) = self.rendered.get(&f.code).and_then(|m| m.get(&f.params)) {
            into.extend_from_slice(ids);
            return;
        }
        let start = into.len();
        cache.with(&f.code, &f.params, |(title, steps)| {
            into.push(self.text(title));
            into.extend(steps.iter().map(|r| self.text(r)));
        });
        let ids = into.get(start..).unwrap_or_default().into();
        self.rendered
            .entry(f.code.clone())
            .or_default()
            .insert(f.params.clone(), ids);
    }

    /// The numbers of the target and reason of plan `p` of host `a`, as
    /// written or rendered (as [`render::render_host`] renders them: the
    /// reason is the title of the finding it names).
    fn plan_texts(&mut self, a: &HostAssessment, p: &AgentPlan, texts: &mut Texts) -> (u32, u32) {
        let (rules, lang) = match texts {
            Texts::Rendered(cache) => (cache.rules(), cache.lang()),
            Texts::Written => return (self.text(&p.target), self.text(&p.reason)),
        };
        let Some(f) = render::reason_finding(&a.findings, p, rules) else {
            return (self.text(&p.target), self.text(&p.reason));
        };
        let mut shown = std::mem::take(&mut self.shown);
        shown.clear();
        self.finding_texts(f, texts, &mut shown);
        let reason = shown.first().copied().unwrap_or(NONE);
        self.shown = shown;
        let target = match p.action {
            Action::Upgrade => match self.latest {
                Some(id) => id,
                None => {
                    let id = self.text(&render::latest(rules, lang));
                    *self.latest.insert(id)
                }
            },
            _ => self.text(&p.target),
        };
        (target, reason)
    }

    /// Enters a host's findings, agents and modules; returns the numbers of
    /// its sets and texts.
    pub(super) fn add(&mut self, a: &HostAssessment, style: &Style, texts: &mut Texts) -> HostSets {
        let release = a.os.release.as_deref().map(|r| self.text(r));

        self.set.clear();
        let mut shown = std::mem::take(&mut self.shown);
        for f in &a.findings {
            let mut key = std::mem::take(&mut self.key);
            key.clear();
            key.extend([self.text(&f.code), self.text(f.severity.as_str())]);
            shown.clear();
            self.finding_texts(f, texts, &mut shown);
            let (title, steps) = shown.split_first().unwrap_or((&NONE, &[]));
            key.extend([*title, f.evidence.len() as u32]);
            for e in &f.evidence {
                key.push(self.text(&e.fact));
                key.push(self.text(&e.value));
                key.push(e.source.as_deref().map_or(NONE, |s| self.text(s)));
            }
            key.extend_from_slice(steps);
            self.set.push(self.findings.id(key.as_slice()).0);
            self.key = key;
        }
        self.shown = shown;
        let (findings, new) = self.finding_sets.id(self.set.as_slice());
        if new {
            let codes = self.text(&host_codes(a).join(" "));
            self.set_codes.push(codes);
        }

        self.set.clear();
        for p in &a.agents {
            let (target, reason) = self.plan_texts(a, p, texts);
            let key = [
                self.text(&p.product),
                self.text(&p.version),
                self.text(p.action.as_str()),
                target,
                reason,
            ];
            let (id, new) = self.agents.id(&key[..]);
            if new {
                let line = plan_line(
                    style.names.get(&p.product, style.lang),
                    &p.version,
                    p.action,
                    self.text_of(target),
                    style.lang,
                );
                let line = self.text(&line);
                self.agent_lines.push(line);
            }
            self.set.push(id);
        }
        let (agents, new) = self.agent_sets.id(self.set.as_slice());
        if new {
            let plans: Vec<&str> = self
                .set
                .iter()
                .filter_map(|&i| self.agent_lines.get(i as usize))
                .filter_map(|&line| self.strings.list.get(line as usize))
                .map(|line| &**line)
                .collect();
            let plans = plans.join("; ");
            let plans = self.text(&plans);
            self.set_plans.push(plans);
        }

        self.set.clear();
        for m in &a.modules {
            let key = [
                self.text(&m.path),
                self.text(m.outcome.as_str()),
                self.text(&m.reason),
            ];
            let id = self.modules.id(&key[..]).0;
            self.set.push(id);
        }
        let modules = self.module_sets.id(self.set.as_slice()).0;

        HostSets {
            release,
            findings,
            agents,
            modules,
        }
    }
}

impl Tables {
    /// The text numbered `i` ("" for a number never given out).
    pub(super) fn text_of(&self, i: u32) -> &str {
        self.strings.list.get(i as usize).map_or("", |s| s)
    }

    /// Writes `"strings":[…],"findings":[…],…,"module_sets":[…]`.
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"strings\":[");
        for (i, s) in self.strings.list.iter().enumerate() {
            comma(out, i);
            text(out, s);
        }
        out.extend_from_slice(b"],\n\"findings\":[");
        for (i, k) in self.findings.list.iter().enumerate() {
            comma(out, i);
            write_finding(out, k);
        }
        out.extend_from_slice(b"],\n\"finding_sets\":[");
        for (i, set) in self.finding_sets.list.iter().enumerate() {
            comma(out, i);
            write_set(out, self.set_codes.get(i).copied(), set);
        }
        out.extend_from_slice(b"],\n\"agents\":[");
        for (i, k) in self.agents.list.iter().enumerate() {
            comma(out, i);
            // product, version, action, target, line, reason
            out.push(b'[');
            numbers(out, k.get(..4).unwrap_or_default());
            out.push(b',');
            num(out, self.agent_lines.get(i).copied().unwrap_or(NONE));
            for &r in k.get(4..).unwrap_or_default() {
                out.push(b',');
                num(out, r);
            }
            out.push(b']');
        }
        out.extend_from_slice(b"],\n\"agent_sets\":[");
        for (i, set) in self.agent_sets.list.iter().enumerate() {
            comma(out, i);
            write_set(out, self.set_plans.get(i).copied(), set);
        }
        out.extend_from_slice(b"],\n\"modules\":[");
        for (i, k) in self.modules.list.iter().enumerate() {
            comma(out, i);
            out.push(b'[');
            numbers(out, k);
            out.push(b']');
        }
        out.extend_from_slice(b"],\n\"module_sets\":[");
        for (i, set) in self.module_sets.list.iter().enumerate() {
            comma(out, i);
            out.push(b'[');
            numbers(out, set);
            out.push(b']');
        }
        out.push(b']');
    }
}

/// `[code, severity, title, [[fact, value(, source)], …], [step, …]]` from
/// the key `[code, severity, title, n, (fact, value, source) × n, step…]`.
fn write_finding(out: &mut Vec<u8>, key: &[u32]) {
    let (head, rest) = key.split_at(key.len().min(4));
    let evidence = head.get(3).copied().unwrap_or(0) as usize;
    let (evidence, steps) = rest.split_at((evidence * 3).min(rest.len()));
    out.push(b'[');
    numbers(out, head.get(..3).unwrap_or(head));
    out.extend_from_slice(b",[");
    for (i, e) in evidence.chunks(3).enumerate() {
        comma(out, i);
        out.push(b'[');
        let given = match e {
            [fact, value, NONE] => [*fact, *value].to_vec(),
            _ => e.to_vec(),
        };
        numbers(out, &given);
        out.push(b']');
    }
    out.extend_from_slice(b"],[");
    numbers(out, steps);
    out.extend_from_slice(b"]]");
}

/// `[text, [member, …]]`.
fn write_set(out: &mut Vec<u8>, text: Option<u32>, members: &[u32]) {
    out.push(b'[');
    num(out, text.unwrap_or(NONE));
    out.extend_from_slice(b",[");
    numbers(out, members);
    out.extend_from_slice(b"]]");
}

/// The hosts, one column per field, in the order they came.
#[derive(Default)]
pub(super) struct Columns {
    /// The names as JSON strings, `,`-separated.
    host: Vec<u8>,
    os: Vec<u32>,
    build: Vec<Option<u32>>,
    ubr: Vec<Option<u32>>,
    release: Vec<Option<u32>>,
    verdict: Vec<u8>,
    findings: Vec<u32>,
    agents: Vec<u32>,
    modules: Vec<u32>,
    /// Whether any host has a module prediction.
    any_modules: bool,
    /// Each host's sources as JSON, `,`-separated.
    sources: Vec<u8>,
}

impl Columns {
    pub(super) fn push(&mut self, a: &HostAssessment, os: u32, sets: HostSets) {
        comma(&mut self.host, self.os.len());
        text(&mut self.host, &a.host);
        comma(&mut self.sources, self.os.len());
        match a.sources.as_slice() {
            [one] => text(&mut self.sources, one),
            many => {
                self.sources.push(b'[');
                for (i, s) in many.iter().enumerate() {
                    comma(&mut self.sources, i);
                    text(&mut self.sources, s);
                }
                self.sources.push(b']');
            }
        }
        self.os.push(os);
        self.build.push(a.os.build);
        self.ubr.push(a.os.ubr);
        self.release.push(sets.release);
        self.verdict.push(verdict_index(a.verdict) as u8);
        self.findings.push(sets.findings);
        self.agents.push(sets.agents);
        self.modules.push(sets.modules);
        self.any_modules |= !a.modules.is_empty();
    }

    /// About the bytes [`Columns::write`] writes, and the tables.
    pub(super) fn size_hint(&self) -> usize {
        self.host.len() + self.sources.len() + self.os.len() * 40 + (1 << 20)
    }

    /// Writes `"hosts":{…}`.
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"hosts\":{\"host\":[");
        out.extend_from_slice(&self.host);
        out.extend_from_slice(b"],\n\"os\":[");
        numbers(out, &self.os);
        for (name, column) in [
            ("build", &self.build),
            ("ubr", &self.ubr),
            ("release", &self.release),
        ] {
            out.extend_from_slice(b"],\n\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":[");
            for (i, v) in column.iter().enumerate() {
                comma(out, i);
                match v {
                    Some(n) => num(out, *n),
                    None => out.extend_from_slice(b"null"),
                }
            }
        }
        out.extend_from_slice(b"],\n\"verdict\":[");
        for (i, v) in self.verdict.iter().enumerate() {
            comma(out, i);
            num(out, u32::from(*v));
        }
        out.extend_from_slice(b"],\n\"findings\":[");
        numbers(out, &self.findings);
        out.extend_from_slice(b"],\n\"agents\":[");
        numbers(out, &self.agents);
        if self.any_modules {
            out.extend_from_slice(b"],\n\"modules\":[");
            numbers(out, &self.modules);
        }
        out.extend_from_slice(b"],\n\"sources\":[");
        out.extend_from_slice(&self.sources);
        out.extend_from_slice(b"]}");
    }
}

fn comma(out: &mut Vec<u8>, i: usize) {
    if i > 0 {
        out.push(b',');
    }
}

/// Numbers, `,`-separated.
fn numbers(out: &mut Vec<u8>, list: &[u32]) {
    for (i, &n) in list.iter().enumerate() {
        comma(out, i);
        num(out, n);
    }
}

fn num(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A JSON string, every `<` written as `\u003c`.
pub(super) fn text(out: &mut Vec<u8>, s: &str) {
    let plain = s
        .bytes()
        .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b != b'<');
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    let start = out.len();
    // Serialising a string into a Vec cannot fail.
    if serde_json::to_writer(&mut *out, s).is_ok() {
        script_safe_from(out, start);
    }
}

/// Any value as JSON, every `<` written as `\u003c` (valid JSON: `<` occurs
/// only inside strings).
pub(super) fn json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> io::Result<()> {
    let start = out.len();
    serde_json::to_writer(&mut *out, value)?;
    script_safe_from(out, start);
    Ok(())
}

/// Writes each `<` after `start` as `\u003c`.
fn script_safe_from(out: &mut Vec<u8>, start: usize) {
    if !out.get(start..).is_some_and(|tail| tail.contains(&b'<')) {
        return;
    }
    let tail = out.split_off(start);
    for b in tail {
        match b {
            b'<' => out.extend_from_slice(b"\\u003c"),
            _ => out.push(b),
        }
    }
}
