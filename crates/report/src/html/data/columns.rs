//! The hosts as the page keeps them: one column per field, in input order.

use acsready_assess::HostAssessment;

use super::merge::{at, Renumber};
use super::{comma, num, numbers, text, HostSets};
use crate::rows::verdict_index;

/// The hosts, one column per field, in the order they came.
#[derive(Default)]
pub(in crate::html) struct Columns {
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
    pub(in crate::html) fn push(&mut self, a: &HostAssessment, os: u32, sets: HostSets) {
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
    pub(in crate::html) fn size_hint(&self) -> usize {
        self.host.len() + self.sources.len() + self.os.len() * 40 + (1 << 20)
    }

    /// Writes `"hosts":{…}`.
    pub(in crate::html) fn write(&self, out: &mut Vec<u8>) {
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

impl Columns {
    /// Appends the hosts of `part`, their numbers changed by `renumber`.
    pub(in crate::html) fn merge(&mut self, part: &Columns, renumber: &Renumber) {
        if part.os.is_empty() {
            return;
        }
        let before = self.os.len();
        comma(&mut self.host, before);
        self.host.extend_from_slice(&part.host);
        comma(&mut self.sources, before);
        self.sources.extend_from_slice(&part.sources);
        let text = |i: &u32| renumber.text(*i);
        self.os.extend(part.os.iter().map(text));
        self.build.extend_from_slice(&part.build);
        self.ubr.extend_from_slice(&part.ubr);
        self.release
            .extend(part.release.iter().map(|r| r.map(|r| renumber.text(r))));
        self.verdict.extend_from_slice(&part.verdict);
        let sets =
            |map: &[u32], column: &[u32]| column.iter().map(|&i| at(map, i)).collect::<Vec<_>>();
        self.findings
            .extend(sets(&renumber.finding_sets, &part.findings));
        self.agents.extend(sets(&renumber.agent_sets, &part.agents));
        self.modules
            .extend(sets(&renumber.module_sets, &part.modules));
        self.any_modules |= part.any_modules;
    }
}
