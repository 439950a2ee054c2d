//! One host of the JSON report as bytes: the same bytes `serde_json` writes
//! for a [`HostAssessment`] (compact), written faster.
//!
//! A fleet repeats a few findings: the same code with the same parameters
//! has the same title, remediation and parameters on every host. Their
//! bytes are kept once per encoder and copied; only what belongs to one
//! host (its name, build, evidence, sources) is escaped for each host.
//! Strings without anything to escape (nearly all) are copied as they are.
//!
//! `a_host_is_written_as_serde_writes_it` (tests) checks the bytes against
//! `serde_json::to_vec` on every kind of host the assessment gives.

use std::collections::HashMap;
use std::io;

use acsready_assess::{AgentPlan, Evidence, Finding, HostAssessment, Params, Severity};

/// Distinct (code, parameters) kept per encoder; past it the cache starts
/// again, so values of single hosts cannot make it grow without bound.
const CAPACITY: usize = 4096;

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The bytes of one finding but its evidence, with the texts they were
/// written from (a hit is used only when the finding's texts are these).
struct Written {
    severity: Severity,
    title: String,
    remediation: Vec<String>,
    /// `{"code":…,"severity":…,"title":…,"evidence":`
    head: Vec<u8>,
    /// `,"remediation":[…],"params":{…}}`
    tail: Vec<u8>,
}

impl Written {
    fn of(f: &Finding) -> io::Result<Written> {
        let mut head = Vec::with_capacity(64 + f.title.len());
        head.extend_from_slice(b"{\"code\":");
        string(&mut head, &f.code)?;
        head.extend_from_slice(b",\"severity\":");
        string(&mut head, f.severity.as_str())?;
        head.extend_from_slice(b",\"title\":");
        string(&mut head, &f.title)?;
        head.extend_from_slice(b",\"evidence\":");
        let mut tail = Vec::with_capacity(64);
        tail.extend_from_slice(b",\"remediation\":[");
        for (i, step) in f.remediation.iter().enumerate() {
            if i > 0 {
                tail.push(b',');
            }
            string(&mut tail, step)?;
        }
        tail.push(b']');
        if !f.params.is_empty() {
            tail.extend_from_slice(b",\"params\":");
            serde_json::to_writer(&mut tail, &f.params)?;
        }
        tail.push(b'}');
        Ok(Written {
            severity: f.severity,
            title: f.title.clone(),
            remediation: f.remediation.clone(),
            head,
            tail,
        })
    }

    fn is_of(&self, f: &Finding) -> bool {
        self.severity == f.severity && self.title == f.title && self.remediation == f.remediation
    }
}

/// Writes hosts as JSON, keeping the bytes of findings that repeat.
#[derive(Default)]
pub(crate) struct JsonHost {
    by_code: Map<String, Map<Params, Written>>,
    len: usize,
}

impl JsonHost {
    /// Appends host `a` as one JSON object (no line break).
    pub(crate) fn write(&mut self, a: &HostAssessment, out: &mut Vec<u8>) -> io::Result<()> {
        out.extend_from_slice(b"{\"host\":");
        string(out, &a.host)?;
        out.extend_from_slice(b",\"os\":{\"name\":");
        string(out, &a.os.name)?;
        out.extend_from_slice(b",\"build\":");
        number(out, a.os.build);
        out.extend_from_slice(b",\"ubr\":");
        number(out, a.os.ubr);
        if let Some(release) = &a.os.release {
            out.extend_from_slice(b",\"release\":");
            string(out, release)?;
        }
        out.extend_from_slice(b"},\"verdict\":");
        string(out, a.verdict.as_str())?;
        out.extend_from_slice(b",\"findings\":[");
        for (i, f) in a.findings.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            self.finding(f, out)?;
        }
        out.extend_from_slice(b"],\"agents\":[");
        for (i, plan) in a.agents.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            agent(plan, out)?;
        }
        out.extend_from_slice(b"],\"sources\":[");
        for (i, s) in a.sources.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string(out, s)?;
        }
        out.extend_from_slice(b"],\"modules\":");
        serde_json::to_writer(&mut *out, &a.modules)?;
        out.push(b'}');
        Ok(())
    }

    fn finding(&mut self, f: &Finding, out: &mut Vec<u8>) -> io::Result<()> {
        let cached = self
            .by_code
            .get(f.code.as_str())
            .and_then(|m| m.get(&f.params))
            .filter(|w| w.is_of(f));
        let written = match cached {
            Some(w) => w,
            None => {
                if self.len >= CAPACITY {
                    self.by_code.clear();
                    self.len = 0;
                }
                let w = Written::of(f)?;
                self.len += 1;
                let by_params = self.by_code.entry(f.code.clone()).or_default();
                by_params.insert(f.params.clone(), w);
                match by_params.get(&f.params) {
                    Some(w) => w,
                    None => return Err(io::Error::other("finding cache lost an entry")),
                }
            }
        };
        out.extend_from_slice(&written.head);
        out.push(b'[');
        for (i, e) in f.evidence.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            evidence(e, out)?;
        }
        out.push(b']');
        out.extend_from_slice(&written.tail);
        Ok(())
    }
}

fn evidence(e: &Evidence, out: &mut Vec<u8>) -> io::Result<()> {
    out.extend_from_slice(b"{\"fact\":");
    string(out, &e.fact)?;
    out.extend_from_slice(b",\"value\":");
    string(out, &e.value)?;
    if let Some(source) = &e.source {
        out.extend_from_slice(b",\"source\":");
        string(out, source)?;
    }
    out.push(b'}');
    Ok(())
}

fn agent(p: &AgentPlan, out: &mut Vec<u8>) -> io::Result<()> {
    out.extend_from_slice(b"{\"product\":");
    string(out, &p.product)?;
    out.extend_from_slice(b",\"version\":");
    string(out, &p.version)?;
    out.extend_from_slice(b",\"action\":");
    string(out, p.action.as_str())?;
    out.extend_from_slice(b",\"target\":");
    string(out, &p.target)?;
    out.extend_from_slice(b",\"reason\":");
    string(out, &p.reason)?;
    if !p.reason_code.is_empty() {
        out.extend_from_slice(b",\"reason_code\":");
        string(out, &p.reason_code)?;
    }
    out.push(b'}');
    Ok(())
}

/// A JSON string as `serde_json` writes it: a string with no quote,
/// backslash or control character is copied between quotes; any other
/// goes through `serde_json`'s own escaping.
fn string(out: &mut Vec<u8>, s: &str) -> io::Result<()> {
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(out, s).map_err(io::Error::from)
    }
}

/// Whether any byte must be escaped in JSON. Each block of 32 bytes is
/// checked without an early exit, which the compiler turns into vector
/// instructions; most strings (names, versions, texts) have nothing to
/// escape.
fn needs_escape(bytes: &[u8]) -> bool {
    let special = |b: &u8| (*b < 0x20) | (*b == b'"') | (*b == b'\\');
    let mut blocks = bytes.chunks_exact(32);
    for block in blocks.by_ref() {
        if block.iter().fold(false, |any, b| any | special(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(special)
}

/// A number, or `null`.
fn number(out: &mut Vec<u8>, n: Option<u32>) {
    match n {
        Some(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests;
