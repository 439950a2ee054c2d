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

use acsready_assess::{Params, TextCache};
use foldhash::fast::RandomState;
use serde::Serialize;

mod add;
mod columns;
mod merge;
mod table;

pub(super) use columns::Columns;
use table::{Found, Table};

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
    /// The number of each distinct finding entered, by the whole finding.
    found: Found,
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

    /// Writes `"strings":[…],"findings":[…],…,"module_sets":[…]`.
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"strings\":[");
        for (i, s) in self.strings.iter().enumerate() {
            comma(out, i);
            text(out, s);
        }
        out.extend_from_slice(b"],\n\"findings\":[");
        for (i, k) in self.findings.iter().enumerate() {
            comma(out, i);
            write_finding(out, k);
        }
        out.extend_from_slice(b"],\n\"finding_sets\":[");
        for (i, set) in self.finding_sets.iter().enumerate() {
            comma(out, i);
            write_set(out, self.set_codes.get(i).copied(), set);
        }
        out.extend_from_slice(b"],\n\"agents\":[");
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
        out.extend_from_slice(b"],\n\"agent_sets\":[");
        for (i, set) in self.agent_sets.iter().enumerate() {
            comma(out, i);
            write_set(out, self.set_plans.get(i).copied(), set);
        }
        out.extend_from_slice(b"],\n\"modules\":[");
        for (i, k) in self.modules.iter().enumerate() {
            comma(out, i);
            out.push(b'[');
            numbers(out, k);
            out.push(b']');
        }
        out.extend_from_slice(b"],\n\"module_sets\":[");
        for (i, set) in self.module_sets.iter().enumerate() {
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
