//! The hosts as the page keeps them: one column per field, in input order.

use acsready_assess::HostAssessment;

use super::add::split_name;
use super::merge::{at, Renumber};
use super::{comma, num, numbers, text, HostRow};
use crate::rows::verdict_index;

/// The hosts, one column per field, in the order they came.
#[derive(Default)]
pub(in crate::html) struct Columns {
    /// The names up to their first `.`, as JSON strings, `,`-separated.
    host: Vec<u8>,
    domain: Vec<u32>,
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
    source: Vec<Option<u32>>,
    line: Vec<Option<u32>>,
    /// The other sources of the hosts that have several, by host.
    more_sources: Vec<(usize, Vec<u32>)>,
}

impl Columns {
    pub(in crate::html) fn push(&mut self, a: &HostAssessment, row: HostRow) {
        comma(&mut self.host, self.os.len());
        text(&mut self.host, split_name(&a.host).0);
        if !row.more_sources.is_empty() {
            self.more_sources.push((self.os.len(), row.more_sources));
        }
        self.domain.push(row.domain);
        self.os.push(row.os);
        self.build.push(a.os.build);
        self.ubr.push(a.os.ubr);
        self.release.push(row.release);
        self.verdict.push(verdict_index(a.verdict) as u8);
        self.findings.push(row.findings);
        self.agents.push(row.agents);
        self.modules.push(row.modules);
        self.any_modules |= !a.modules.is_empty();
        self.source.push(row.source.map(|(file, _)| file));
        self.line.push(row.source.and_then(|(_, line)| line));
    }

    /// About the bytes the columns are written in, and the tables.
    pub(in crate::html) fn size_hint(&self) -> usize {
        self.host.len() + self.os.len() * 40 + (1 << 20)
    }

    /// Writes `"hosts":{…}` with what the table reads.
    pub(in crate::html) fn write_main(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"hosts\":{\"host\":[");
        out.extend_from_slice(&self.host);
        out.extend_from_slice(b"]");
        column(out, "domain", self.domain.iter().map(|&d| Some(d)));
        column(out, "os", self.os.iter().map(|&d| Some(d)));
        column(out, "build", self.build.iter().copied());
        column(out, "ubr", self.ubr.iter().copied());
        column(out, "verdict", self.verdict.iter().map(|&v| Some(v)));
        column(out, "findings", self.findings.iter().map(|&d| Some(d)));
        column(out, "agents", self.agents.iter().map(|&d| Some(d)));
        out.push(b'}');
    }

    /// Writes `"hosts":{…}` with what a host's details read.
    pub(in crate::html) fn write_details(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"hosts\":{\"release\":[");
        numbers_or_null(out, self.release.iter().copied());
        out.push(b']');
        if self.any_modules {
            column(out, "modules", self.modules.iter().map(|&d| Some(d)));
        }
        column(out, "source", self.source.iter().copied());
        // Each line as the difference to the one before.
        let mut before = 0i64;
        let lines = self.line.iter().map(|line| {
            line.map(|n| {
                let delta = i64::from(n) - before;
                before = i64::from(n);
                delta
            })
        });
        column(out, "line", lines);
        out.extend_from_slice(b",\n\"more_sources\":{");
        for (i, (host, sources)) in self.more_sources.iter().enumerate() {
            comma(out, i);
            out.push(b'"');
            num(out, *host);
            out.extend_from_slice(b"\":[");
            numbers(out, sources);
            out.push(b']');
        }
        out.extend_from_slice(b"}}");
    }
}

/// `,"name":[…]` (a number or `null` each).
fn column<N: itoa::Integer>(
    out: &mut Vec<u8>,
    name: &str,
    values: impl Iterator<Item = Option<N>>,
) {
    out.extend_from_slice(b",\n\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":[");
    numbers_or_null(out, values);
    out.push(b']');
}

/// Numbers (or `null`), `,`-separated.
fn numbers_or_null<N: itoa::Integer>(out: &mut Vec<u8>, values: impl Iterator<Item = Option<N>>) {
    for (i, v) in values.enumerate() {
        comma(out, i);
        match v {
            Some(n) => num(out, n),
            None => out.extend_from_slice(b"null"),
        }
    }
}

impl Columns {
    /// Appends the hosts of `part`, their numbers changed by `renumber`.
    pub(in crate::html) fn merge(&mut self, part: &Columns, renumber: &Renumber) {
        if part.os.is_empty() {
            return;
        }
        let before = self.os.len();
        comma(&mut self.host, before);
        self.host.extend_from_slice(&part.host);
        let text = |i: &u32| renumber.text(*i);
        let texts = |column: &[Option<u32>]| {
            column
                .iter()
                .map(|t| t.map(|t| renumber.text(t)))
                .collect::<Vec<_>>()
        };
        self.domain.extend(part.domain.iter().map(text));
        self.os.extend(part.os.iter().map(text));
        self.build.extend_from_slice(&part.build);
        self.ubr.extend_from_slice(&part.ubr);
        self.release.extend(texts(&part.release));
        self.verdict.extend_from_slice(&part.verdict);
        let sets =
            |map: &[u32], column: &[u32]| column.iter().map(|&i| at(map, i)).collect::<Vec<_>>();
        self.findings
            .extend(sets(&renumber.finding_sets, &part.findings));
        self.agents.extend(sets(&renumber.agent_sets, &part.agents));
        self.modules
            .extend(sets(&renumber.module_sets, &part.modules));
        self.any_modules |= part.any_modules;
        self.source.extend(texts(&part.source));
        self.line.extend_from_slice(&part.line);
        self.more_sources.extend(
            part.more_sources
                .iter()
                .map(|(host, sources)| (before + host, sources.iter().map(text).collect())),
        );
    }
}
