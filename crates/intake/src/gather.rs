//! The intake of a run: every input found, read and merged per host, and
//! handed on batch by batch so memory stays flat however large the fleet.
//!
//! Facts files alone stream record by record (the next batch is read while
//! the current one is used). Inputs of several kinds, or facts with
//! evidence, are merged by host identity: the partial inputs (osquery,
//! console exports, evidence) are read first and held; the facts inputs
//! then stream, each host taking what the held inputs know of it. Only the
//! partial inputs and the hosts the facts inputs name more than once stay
//! in memory; they come last, in the order first seen.

use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use acsready_sources::compressed::Unpacked;
use acsready_sources::JsonFacts;
use rayon::prelude::*;

use crate::chunks::{hand_on, work_hosts, work_units, Chunked, Slots, Worked};
use crate::evidence::{self, HostSource};
use crate::find::{find, Found, Request};
use crate::identity::host_key;
use crate::kind::{detect, InputKind};
use crate::merge::{Completed, Merged, Repeated};
use crate::open::{input_name, kind_of, open_input};
use crate::problem::{Problem, ProblemKind, Problems};
use crate::read::{parse_batch, read_all, read_bytes_into, Host};
use crate::readers::Readers;

/// Hosts read from evidence folders at a time (each read in parallel).
const EVIDENCE_BATCH: usize = 32;

/// The inputs of one run, found and ready to be read.
pub struct Intake<'r> {
    readers: &'r Readers,
    request: Request,
    found: Found,
    kinds: Vec<InputKind>,
    /// Standard input, when it is an input: its head was read to tell its kind.
    stdin: Option<Box<dyn Read + Send>>,
    problems: Problems,
}

impl<'r> Intake<'r> {
    /// Finds the inputs of `request` (problems met are kept for the end).
    pub fn new(request: Request, readers: &'r Readers) -> Self {
        let mut problems = Problems::default();
        let found = find(&request, &mut problems.errors);
        let mut stdin = None;
        let kinds = found
            .files
            .iter()
            .map(|f| {
                if f.as_os_str() != "-" {
                    return request.kind.unwrap_or_else(|| kind_of(f));
                }
                match peek_stdin() {
                    Ok((kind, reader)) => {
                        stdin = Some(reader);
                        request.kind.unwrap_or(kind)
                    }
                    Err(e) => {
                        problems.errors.push(cannot_open(f, &e));
                        request.kind.unwrap_or(InputKind::Facts)
                    }
                }
            })
            .collect();
        Intake {
            readers,
            request,
            found,
            kinds,
            stdin,
            problems,
        }
    }

    /// Archives unpacked for the run.
    pub fn unpacked(&self) -> &[Arc<Unpacked>] {
        &self.found.unpacked
    }

    /// `text` with the paths inside unpacked archives shown by the
    /// archives' names (`share.zip/WEB01/SOFTWARE`).
    pub fn shown(&self, text: &str) -> String {
        self.found
            .unpacked
            .iter()
            .fold(text.to_string(), |t, u| u.shown(&t))
    }

    /// Whether hosts are merged across inputs (several kinds, or facts and
    /// evidence together).
    fn merging(&self) -> bool {
        self.kinds.iter().any(|k| *k != InputKind::Facts)
            || (!self.found.files.is_empty() && self.found.has_evidence())
    }

    /// Reads every host and hands it to `work`, batches of at most `batch`
    /// hosts worked in parallel a chunk at a time; `done` gets each chunk's
    /// output in input order.
    pub fn stream_chunks<W: Chunked>(
        &mut self,
        batch: usize,
        work: &W,
        mut done: impl FnMut(W::Out) -> io::Result<()> + Send,
    ) -> io::Result<()> {
        let slots = Slots::new();
        let mut hosts_done = |hosts: Vec<Host>| work_hosts(hosts, work, &slots, &mut done);
        if self.merging() {
            return self.stream_merged(batch, &mut hosts_done);
        }
        let files = std::mem::take(&mut self.found.files);
        for file in &files {
            let Some(reader) = self.open(file) else {
                continue;
            };
            stream_facts(
                reader,
                file,
                batch,
                &mut self.problems,
                work,
                &slots,
                &mut done,
            )?;
        }
        self.found.files = files;
        let sources = evidence::hosts(&self.found, &mut self.problems.errors);
        for chunk in sources.chunks(EVIDENCE_BATCH) {
            let hosts = self.read_evidence(chunk);
            work_hosts(hosts, work, &slots, &mut done)?;
        }
        Ok(())
    }

    /// Every host, merged (for commands that need them all at once).
    pub fn hosts(&mut self) -> Vec<Host> {
        struct Collect;
        impl Chunked for Collect {
            type State = ();
            type Out = Vec<Host>;
            fn state(&self) {}
            fn chunk(&self, _: &mut (), hosts: &mut dyn Iterator<Item = Host>) -> Vec<Host> {
                hosts.collect()
            }
        }
        let mut hosts = Vec::new();
        let _ = self.stream_chunks(8192, &Collect, |chunk| {
            hosts.extend(chunk);
            Ok(())
        });
        hosts
    }

    /// The problem of a run that read no host at all: a scheduled job must
    /// not take an empty folder or an empty pipe for a ready fleet.
    pub fn no_hosts(&self) -> Problem {
        let r = &self.request;
        let mut names: Vec<String> = [&r.inputs, &r.collected, &r.hive, &r.evtx, &r.images]
            .into_iter()
            .flatten()
            .map(|p| input_name(p))
            .collect();
        if names.is_empty() {
            names.push("standard input".into());
        }
        Problem::new(
            ProblemKind::NoHosts,
            "",
            format!("no hosts read from {}", names.join(", ")),
        )
    }

    /// The problems met, with paths inside archives shown by the archives'
    /// names.
    pub fn finish(mut self) -> Problems {
        let mut problems = std::mem::take(&mut self.problems);
        for p in problems.errors.iter_mut().chain(&mut problems.warnings) {
            p.file = self.shown(&p.file);
            p.message = self.shown(&p.message);
        }
        problems
    }

    /// Opens a facts input; a problem when it cannot be.
    fn open(&mut self, file: &Path) -> Option<Box<dyn Read + Send>> {
        if file.as_os_str() == "-" {
            return self.stdin.take();
        }
        match open_input(file) {
            Ok(r) => Some(r),
            Err(e) => {
                self.problems.errors.push(cannot_open(file, &e));
                None
            }
        }
    }

    /// Reads evidence hosts in parallel, in order.
    fn read_evidence(&mut self, chunk: &[HostSource]) -> Vec<Host> {
        let readers = self.readers;
        let read: Vec<_> = chunk
            .par_iter()
            .map(|source| evidence::read(source, readers))
            .collect();
        let mut hosts = Vec::with_capacity(read.len());
        for (result, source) in read.into_iter().zip(chunk) {
            match result {
                Ok(read) => {
                    self.problems.warnings.extend(read.warnings);
                    hosts.push(Host {
                        facts: read.facts,
                        origin: Some(evidence::describe(source)),
                    });
                }
                Err(p) => self.problems.errors.push(p),
            }
        }
        hosts
    }

    fn stream_merged<F>(&mut self, batch: usize, on_batch: &mut F) -> io::Result<()>
    where
        F: FnMut(Vec<Host>) -> io::Result<()> + Send,
    {
        let readers = self.readers;
        let mut merged = Merged::default();
        let mut streamed: Vec<(usize, PathBuf, Vec<u8>)> = Vec::new();
        let files = std::mem::take(&mut self.found.files);
        for (i, (file, kind)) in files.iter().zip(self.kinds.clone()).enumerate() {
            if kind == InputKind::Facts && file.as_os_str() != "-" {
                streamed.push((i, file.clone(), Vec::new()));
                continue;
            }
            // Standard input is held whole: it is read more than once.
            let Some(reader) = self.open(file) else {
                continue;
            };
            let bytes = match read_all(reader) {
                Ok(bytes) => bytes,
                Err(e) => {
                    self.problems.errors.push(cannot_open(file, &e));
                    continue;
                }
            };
            if kind == InputKind::Facts {
                streamed.push((i, file.clone(), bytes));
                continue;
            }
            let name = file.display().to_string();
            let stem = match file.as_os_str() == "-" {
                true => "stdin".to_string(),
                false => file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            };
            merged.begin_input(i);
            let products = readers.products();
            read_bytes_into(
                &bytes,
                &name,
                &stem,
                kind,
                products,
                &mut merged,
                &mut self.problems,
            );
        }
        merged.begin_input(files.len());
        let sources = evidence::hosts(&self.found, &mut self.problems.errors);
        for chunk in sources.chunks(EVIDENCE_BATCH) {
            for host in self.read_evidence(chunk) {
                let origin = host.origin.unwrap_or_default();
                merged.add(host.facts, &origin);
            }
        }
        self.found.files = files;
        let repeated = repeated_hosts(&streamed, batch);
        for (i, file, bytes) in streamed {
            let reader: Box<dyn Read + Send> = if file.as_os_str() == "-" {
                Box::new(Cursor::new(bytes))
            } else {
                match self.open(&file) {
                    Some(r) => r,
                    None => continue,
                }
            };
            let name = file.display().to_string();
            let mut facts = JsonFacts::new(reader, &name);
            loop {
                let units = match facts.next_batch(batch) {
                    Ok(Some(units)) => units,
                    Ok(None) => break,
                    Err(e) => {
                        self.problems.errors.push(Problem::of_source(&e));
                        break;
                    }
                };
                let mut ready = Vec::with_capacity(units.len());
                for host in parse_batch(&name, units) {
                    let host = match host {
                        Ok(host) => host,
                        Err(p) => {
                            self.problems.errors.push(p);
                            continue;
                        }
                    };
                    let origin = host.origin.unwrap_or_default();
                    if repeated.contains(&host_key(&host.facts.host)) {
                        merged.begin_input(i);
                        merged.add(host.facts, &origin);
                    } else {
                        ready.push(match merged.complete(i, host.facts, &origin) {
                            Completed::Merged(facts) => Host {
                                facts,
                                origin: None,
                            },
                            Completed::Alone(facts) => Host {
                                facts,
                                origin: Some(origin),
                            },
                        });
                    }
                }
                on_batch(ready)?;
            }
        }
        let mut rest = merged.into_hosts().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<Host> = rest
                .by_ref()
                .take(batch)
                .map(|facts| Host {
                    facts,
                    origin: None,
                })
                .collect();
            on_batch(chunk)?;
        }
        Ok(())
    }
}

fn cannot_open(file: &Path, e: &io::Error) -> Problem {
    Problem::new(
        ProblemKind::Open,
        file.display().to_string(),
        format!("cannot open: {e}"),
    )
}

/// Standard input, unpacked, with its kind told from its first bytes.
fn peek_stdin() -> io::Result<(InputKind, Box<dyn Read + Send>)> {
    let mut reader = open_input(Path::new("-"))?;
    let mut head = Vec::new();
    (&mut reader).take(64 * 1024).read_to_end(&mut head)?;
    let kind = detect(&head);
    Ok((kind, Box::new(Cursor::new(head).chain(reader))))
}

/// Streams one facts input, the next batch read while the current one is
/// worked.
fn stream_facts<W: Chunked>(
    reader: Box<dyn Read + Send>,
    file: &Path,
    batch: usize,
    problems: &mut Problems,
    work: &W,
    slots: &Slots<W::State>,
    done: &mut (dyn FnMut(W::Out) -> io::Result<()> + Send),
) -> io::Result<()> {
    let name = file.display().to_string();
    let mut facts = JsonFacts::new(reader, &name);
    let mut next = facts.next_batch(batch);
    // What the batch before gave is handed on while this one is worked
    // and the next one read.
    let mut worked: Worked<W> = Vec::new();
    loop {
        let units = match next {
            Ok(Some(units)) => units,
            Ok(None) => break,
            Err(e) => {
                hand_on::<W>(std::mem::take(&mut worked), &mut problems.errors, done)?;
                problems.errors.push(Problem::of_source(&e));
                return Ok(());
            }
        };
        let errors = &mut problems.errors;
        let before = std::mem::take(&mut worked);
        let (read, (this, handed)) = rayon::join(
            || facts.next_batch(batch),
            || {
                rayon::join(
                    || work_units(&name, &units, work, slots),
                    || hand_on::<W>(before, errors, done),
                )
            },
        );
        handed?;
        worked = this;
        next = read;
    }
    hand_on::<W>(worked, &mut problems.errors, done)
}

/// The hosts the facts inputs name more than once: a first pass reads only
/// the names (the records are checked when they stream).
fn repeated_hosts(files: &[(usize, PathBuf, Vec<u8>)], batch: usize) -> Repeated {
    #[derive(serde::Deserialize)]
    struct Name {
        #[serde(default)]
        host: String,
    }
    let mut repeated = Repeated::default();
    for (_, file, bytes) in files {
        let reader: Box<dyn Read + Send + '_> = if file.as_os_str() == "-" {
            Box::new(Cursor::new(bytes.as_slice()))
        } else {
            let Ok(reader) = open_input(file) else {
                continue;
            };
            reader
        };
        let mut facts = JsonFacts::new(reader, "");
        while let Ok(Some(units)) = facts.next_batch(batch) {
            let hashes: Vec<u64> = units
                .into_par_iter()
                .filter_map(|unit| {
                    let unit = unit.ok()?;
                    let name: Name = serde_json::from_str(&unit.text).ok()?;
                    Some(Repeated::hash(&host_key(&name.host)))
                })
                .collect();
            hashes.into_iter().for_each(|h| repeated.note(h));
        }
    }
    repeated
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn hosts_of(request: Request) -> (Vec<Host>, Problems) {
        let rules = acsready_rules::Rules::embedded().unwrap();
        let readers = Readers::new(&rules);
        let mut intake = Intake::new(request, &readers);
        let hosts = intake.hosts();
        (hosts, intake.finish())
    }

    #[test]
    fn facts_alone_stream_each_record_from_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let facts = write(
            dir.path(),
            "f.ndjson",
            "{\"host\":\"a\"}\n{\"host\":\"b\",\"os\":{\"ubr\":\"x\"}}\n{\"host\":\"A\"}\n",
        );
        let (hosts, problems) = hosts_of(Request {
            inputs: vec![facts],
            ..Request::default()
        });
        let names: Vec<&str> = hosts.iter().map(|h| h.facts.host.as_str()).collect();
        assert_eq!(names, ["a", "A"], "records of one kind are not merged");
        assert!(hosts[0]
            .origin
            .as_deref()
            .is_some_and(|o| o.ends_with(":1")));
        assert_eq!(problems.errors.len(), 1);
        let p = &problems.errors[0];
        assert_eq!(
            (p.kind, p.line, p.host.as_deref()),
            (ProblemKind::Record, Some(2), Some("b"))
        );
    }

    #[test]
    fn inputs_of_several_kinds_merge_by_host_identity() {
        let dir = tempfile::tempdir().unwrap();
        let facts = write(
            dir.path(),
            "f.ndjson",
            "{\"host\":\"WEB01\",\"os\":{\"current_build\":\"17763.2183\"}}\n",
        );
        let csv = write(
            dir.path(),
            "computers.csv",
            "Name,Platform,Agent Version\r\nweb01.corp.example,Microsoft Windows Server 2019 (64 bit) (Build 17763),20.0.0.5137\r\n",
        );
        let (hosts, problems) = hosts_of(Request {
            inputs: vec![facts, csv],
            ..Request::default()
        });
        assert!(problems.errors.is_empty(), "{:?}", problems.errors);
        assert_eq!(hosts.len(), 1);
        let web = hosts[0].clone().attributed();
        assert_eq!(web.host, "web01.corp.example");
        assert!(web.sources["os.ubr"].starts_with(&dir.path().display().to_string()));
        assert!(web.agents.is_some_and(|a| !a.is_empty()));
    }

    #[test]
    fn nothing_read_names_every_input() {
        let (hosts, _) = hosts_of(Request::default());
        assert!(hosts.is_empty());
        let rules = acsready_rules::Rules::embedded().unwrap();
        let readers = Readers::new(&rules);
        let intake = Intake::new(
            Request {
                inputs: vec!["a.json".into()],
                collected: vec!["share".into()],
                ..Request::default()
            },
            &readers,
        );
        let p = intake.no_hosts();
        assert_eq!(p.kind, ProblemKind::NoHosts);
        assert_eq!(p.to_string(), "no hosts read from a.json, share");
    }
}
