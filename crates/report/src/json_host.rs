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

use acsready_assess::render::{latest, reason_finding, render_host};
use acsready_assess::{
    Action, AgentPlan, Evidence, Finding, HostAssessment, Params, Severity, TextCache,
};

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
        Written::with_texts(f, &f.title, &f.remediation)
    }

    /// The bytes of finding `f` with `title` and `remediation` for its texts.
    fn with_texts(f: &Finding, title: &str, remediation: &[String]) -> io::Result<Written> {
        let mut head = Vec::with_capacity(64 + title.len());
        head.extend_from_slice(b"{\"code\":");
        string(&mut head, &f.code)?;
        head.extend_from_slice(b",\"severity\":");
        string(&mut head, f.severity.as_str())?;
        head.extend_from_slice(b",\"title\":");
        string(&mut head, title)?;
        head.extend_from_slice(b",\"evidence\":");
        let mut tail = Vec::with_capacity(64);
        tail.extend_from_slice(b",\"remediation\":[");
        for (i, step) in remediation.iter().enumerate() {
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
            title: title.to_string(),
            remediation: remediation.to_vec(),
            head,
            tail,
        })
    }

    fn is_of(&self, f: &Finding) -> bool {
        self.severity == f.severity && self.title == f.title && self.remediation == f.remediation
    }
}

/// Findings' bytes by code and parameters, bounded.
#[derive(Default)]
struct Cache {
    by_code: Map<String, Map<Params, Written>>,
    len: usize,
}

impl Cache {
    /// Hands `f`'s bytes to `write`: those kept, or those `make` makes
    /// when none are kept (or `keep` refuses those kept). A hit is looked
    /// up once.
    fn write_with<R>(
        &mut self,
        f: &Finding,
        keep: impl Fn(&Written) -> bool,
        make: impl FnOnce() -> io::Result<Written>,
        write: impl FnOnce(&Written) -> R,
    ) -> io::Result<R> {
        let kept = self
            .by_code
            .get(f.code.as_str())
            .and_then(|m| m.get(&f.params))
            .filter(|w| keep(w));
        if let Some(w) = kept {
            return Ok(write(w));
        }
        if self.len >= CAPACITY {
            self.by_code.clear();
            self.len = 0;
        }
        let w = make()?;
        self.len += 1;
        let slot = match self.by_code.get_mut(f.code.as_str()) {
            Some(m) => m,
            None => self.by_code.entry(f.code.clone()).or_default(),
        };
        let entry = slot.entry(f.params.clone()).insert_entry(w);
        Ok(write(entry.get()))
    }
}

/// Writes hosts as JSON, keeping the bytes of findings that repeat.
#[derive(Default)]
pub(crate) struct JsonHost {
    /// Findings written with their own texts.
    written: Cache,
    /// Findings whose texts this encoder rendered from code and parameters.
    rendered: Cache,
    /// The target of an upgrade plan, rendered ("latest").
    latest: Option<String>,
}

impl JsonHost {
    /// Appends host `a` as one JSON object (no line break).
    pub(crate) fn write(&mut self, a: &HostAssessment, out: &mut Vec<u8>) -> io::Result<()> {
        self.host(a, None, out)
    }

    /// Appends host `a`, assessed without texts ([`Detail::Params`]), as
    /// [`JsonHost::write`] appends the host assessed with every text in the
    /// language of `texts`: each distinct finding's texts are rendered once
    /// and its bytes copied, nothing is cloned into the host.
    ///
    /// [`Detail::Params`]: acsready_assess::Detail::Params
    pub(crate) fn write_rendering(
        &mut self,
        a: &HostAssessment,
        texts: &mut TextCache,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        // A plan's reason is the title of the finding it names; a plan
        // whose finding is not there is rendered the long way.
        let plans_render = a.agents.iter().all(|p| {
            !p.reason.is_empty()
                || (!p.reason_code.is_empty() && reason_finding(&a.findings, p).is_some())
        });
        if !plans_render {
            let mut whole = a.clone();
            render_host(&mut whole, texts.rules(), texts.lang());
            return self.host(&whole, None, out);
        }
        self.host(a, Some(texts), out)
    }

    fn host(
        &mut self,
        a: &HostAssessment,
        mut texts: Option<&mut TextCache>,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
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
            self.finding(f, texts.as_deref_mut(), out)?;
        }
        out.extend_from_slice(b"],\"agents\":[");
        for (i, plan) in a.agents.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match texts.as_deref_mut() {
                Some(texts) => self.rendered_agent(a, plan, texts, out)?,
                None => agent(plan, &plan.target, &plan.reason, out)?,
            }
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

    /// Plan `p` of host `a` with its reason (the title of the finding it
    /// names) and, to upgrade, its target rendered as the assessment
    /// renders them.
    fn rendered_agent(
        &mut self,
        a: &HostAssessment,
        p: &AgentPlan,
        texts: &mut TextCache,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        let target = match p.action {
            Action::Upgrade if p.target.is_empty() => self
                .latest
                .get_or_insert_with(|| latest(texts.rules(), texts.lang()))
                .as_str(),
            _ => p.target.as_str(),
        };
        match reason_finding(&a.findings, p).filter(|_| p.reason.is_empty()) {
            Some(f) => texts.with(&f.code, &f.params, |(title, _)| {
                agent(p, target, title, out)
            }),
            None => agent(p, target, &p.reason, out),
        }
    }

    fn finding(
        &mut self,
        f: &Finding,
        texts: Option<&mut TextCache>,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        let write = |written: &Written| {
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
            Ok::<(), io::Error>(())
        };
        match texts {
            // Texts rendered from the code and parameters are the same
            // every time: the bytes kept are used as they are.
            Some(texts) if f.title.is_empty() => self.rendered.write_with(
                f,
                |_| true,
                || {
                    texts.with(&f.code, &f.params, |(title, steps)| {
                        Written::with_texts(f, title, steps)
                    })
                },
                write,
            )??,
            _ => self
                .written
                .write_with(f, |w| w.is_of(f), || Written::of(f), write)??,
        }
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

/// A plan with `target` and `reason` for its own.
fn agent(p: &AgentPlan, target: &str, reason: &str, out: &mut Vec<u8>) -> io::Result<()> {
    out.extend_from_slice(b"{\"product\":");
    string(out, &p.product)?;
    out.extend_from_slice(b",\"version\":");
    string(out, &p.version)?;
    out.extend_from_slice(b",\"action\":");
    string(out, p.action.as_str())?;
    out.extend_from_slice(b",\"target\":");
    string(out, target)?;
    out.extend_from_slice(b",\"reason\":");
    string(out, reason)?;
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
pub(crate) mod tests;
