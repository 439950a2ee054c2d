//! The hosts as the page's script reads them, compact enough that a fleet of
//! 100,000 hosts loads in a moment: every text is kept once in `strings`
//! (OS names, finding titles, remediation steps, evidence, agent plans,
//! module paths, also codes and ids such as `high` or `pin`); each distinct
//! finding, agent plan and module prediction is kept once in a table of
//! them, each distinct set of them a host has once more, and the hosts are
//! columns (one array per field, one entry per host) of indices into those.
//!
//! The data comes in two parts. What the table shows, filters and sorts by
//! is read first (the page's `acsready-data`):
//!
//! ```json
//! "strings": ["Windows Server 2019", "ws2019", "ACS001", "high", …],
//! "set_codes": [codes, …],
//! "set_plans": [plans, …],
//! "hosts": {"host": ["web01", …], "domain": [4, …], "os": [0, …],
//!           "build": [17763, …], "ubr": [2183, …], "verdict": [1, …],
//!           "findings": [0, …], "agents": [0, …]}
//! ```
//!
//! What a host's details show is read when first needed (the page's
//! `acsready-details`, after the script):
//!
//! ```json
//! "findings": [[code, severity, title, [[fact, value], [fact, value, source]], [step, …]], …],
//! "finding_sets": [[finding, …], …],
//! "agents": [[product, version, action, target, line, reason], …],
//! "agent_sets": [[agent, …], …],
//! "modules": [[path, outcome, reason], …],
//! "module_sets": [[module, …], …],
//! "hosts": {"release": [1, …], "modules": [0, …], "source": [7, …],
//!           "line": [1, 1, …], "more_sources": {"12": [8, 9], …}}
//! ```
//!
//! Every field but `build`, `ubr` (numbers or `null`), `verdict` (the index
//! in ready, not_ready, unknown, unsupported), `hosts.host`, `hosts.line`
//! and the keys of `hosts.more_sources` is an index: into `strings` for
//! texts and ids, into `findings`, `agents`, `modules` from a set, into the
//! sets (and `set_codes`, `set_plans`, by set) from `hosts`.
//!
//! A host's name is its `host` (the name up to its first `.`) followed by
//! its `domain` (the rest, `""` for a name without `.`). Its sources are
//! its first source, then its `more_sources` (only hosts with several have
//! them): the first is its `source` (`null`: the host has none), followed
//! by `:` and its line when its `line` is not `null` (the source as read
//! ended in `:` and a line number). A line is written as the difference to
//! the line of the host before that has one (the first: the line itself),
//! so the lines of an NDJSON file are mostly `1`.
//!
//! `release` is `null` when the rules do not know the build. A finding
//! set's `codes` is the text of the row's codes ([`crate::host_codes`]:
//! each once, no info-level ones), an agent set's `plans` the row's plans
//! joined by `; `, an agent's `line` its plan as the terminal table writes
//! it ([`crate::plan_line`]). `hosts.modules` is left out when no host has
//! a module prediction.
//!
//! Every `<` in a text is written as `\u003c`, so no value (a host name such
//! as `</script>`) can end the script element.

use std::collections::HashMap;
use std::io;

use acsready_assess::{Params, TextCache};
use foldhash::fast::RandomState;
use serde::Serialize;

mod add;
mod columns;
mod merge;
mod table;

pub(super) use columns::Columns;
use table::Table;

type Ids = Table<Box<[u32]>>;

/// What [`Tables::add`] returns for one host: the numbers of its texts
/// and sets.
pub(super) struct HostRow {
    pub os: u32,
    /// The name from its first `.` on.
    pub domain: u32,
    pub release: Option<u32>,
    pub findings: u32,
    pub agents: u32,
    pub modules: u32,
    /// The first source: its text without a line, and the line.
    pub source: Option<(u32, Option<u32>)>,
    /// The other sources.
    pub more_sources: Vec<u32>,
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
    /// The texts of findings rendered from their codes and parameters, by
    /// code and parameters.
    rendered: HashMap<String, HashMap<Params, Shown, RandomState>, RandomState>,
    /// The text of "latest" (the target of plans to upgrade), once rendered.
    latest: Option<u32>,
    /// A host's key being built (kept to spare an allocation per host).
    key: Vec<u32>,
    set: Vec<u32>,
    shown: Vec<u32>,
}

/// The texts of a finding rendered from its code and parameters.
struct Shown {
    /// `[title, step…]`
    ids: Box<[u32]>,
    /// Whether the title renders from the parameters: a plan's reason is
    /// rendered only then.
    title_renders: bool,
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
}

impl Tables {
    /// The text numbered `i` ("" for a number never given out).
    pub(super) fn text_of(&self, i: u32) -> &str {
        self.strings.get(i).map_or("", |s| s)
    }

    /// Writes `"strings":[…],"set_codes":[…],"set_plans":[…]`: what the
    /// table reads.
    pub(super) fn write_main(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"strings\":[");
        for (i, s) in self.strings.iter().enumerate() {
            comma(out, i);
            text(out, s);
        }
        out.extend_from_slice(b"],\n\"set_codes\":[");
        numbers(out, &self.set_codes);
        out.extend_from_slice(b"],\n\"set_plans\":[");
        numbers(out, &self.set_plans);
        out.push(b']');
    }

    /// Writes `"findings":[…],"finding_sets":[…],…,"module_sets":[…]`: what
    /// a host's details read.
    pub(super) fn write_details(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"findings\":[");
        for (i, k) in self.findings.iter().enumerate() {
            comma(out, i);
            write_finding(out, k);
        }
        out.extend_from_slice(b"],\n\"finding_sets\":");
        write_sets(out, &self.finding_sets);
        out.extend_from_slice(b",\n\"agents\":[");
        for (i, k) in self.agents.iter().enumerate() {
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
        out.extend_from_slice(b"],\n\"agent_sets\":");
        write_sets(out, &self.agent_sets);
        out.extend_from_slice(b",\n\"modules\":");
        write_sets(out, &self.modules);
        out.extend_from_slice(b",\n\"module_sets\":");
        write_sets(out, &self.module_sets);
    }
}

/// `[[number, …], …]`
fn write_sets(out: &mut Vec<u8>, sets: &Ids) {
    out.push(b'[');
    for (i, set) in sets.iter().enumerate() {
        comma(out, i);
        out.push(b'[');
        numbers(out, set);
        out.push(b']');
    }
    out.push(b']');
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

fn num(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
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
