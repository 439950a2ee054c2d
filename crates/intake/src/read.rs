//! Reading one input through the acsready-sources readers: facts JSON
//! streamed batch by batch, osquery results and console exports whole.

use std::io::Read;

use acsready_facts::HostFacts;
use acsready_sources::registry_facts::KnownProducts;
use acsready_sources::{
    parse_facts, read_console_each, read_osquery, ConsoleFormat, JsonFacts, SourceError, Unit,
};
use rayon::prelude::*;

use crate::kind::InputKind;
use crate::merge::Merged;
use crate::problem::{Problem, ProblemKind, Problems};

/// One host as read: its facts and, when they all come from one place (a
/// record, a host folder), that place; then the facts are not yet
/// attributed to it.
#[derive(Debug, Clone)]
pub struct Host {
    pub facts: HostFacts,
    pub origin: Option<String>,
}

impl Host {
    /// Where the host's facts came from: its one origin, or every source.
    pub fn sources(&self) -> Vec<String> {
        match &self.origin {
            Some(o) => vec![o.clone()],
            None => self.facts.source_list(),
        }
    }

    /// The facts, each naming where it came from.
    pub fn attributed(mut self) -> HostFacts {
        if let Some(origin) = &self.origin {
            self.facts.attribute_all(origin);
        }
        self.facts
    }
}

/// Parses a batch of facts records in parallel, in order.
pub(crate) fn parse_batch(
    name: &str,
    batch: Vec<Result<Unit, SourceError>>,
) -> Vec<Result<Host, Problem>> {
    batch
        .par_iter()
        .map(|unit| parse_host(name, unit))
        .collect()
}

/// Reads the bytes of one input (named `name`; `stem` names a host that
/// the input does not name) into `merged`.
pub(crate) fn read_bytes_into(
    bytes: &[u8],
    name: &str,
    stem: &str,
    kind: InputKind,
    products: &KnownProducts,
    merged: &mut Merged,
    problems: &mut Problems,
) {
    let hosts = match kind {
        InputKind::Osquery => read_osquery(bytes, name, &products.display_names).map(|mut o| {
            o.name_unnamed_host(stem);
            problems
                .warnings
                .extend(o.problems.iter().map(Problem::reading));
            o.hosts
        }),
        InputKind::ConsoleJson | InputKind::ConsoleCsv => {
            // Each computer goes to `merged` as it is read: a large export
            // is never held twice.
            let mut add = |facts: HostFacts| merged.add(facts, name);
            let format = if kind == InputKind::ConsoleJson {
                ConsoleFormat::Json
            } else {
                ConsoleFormat::Csv
            };
            let read = read_console_each(format, bytes, name, products, &mut add);
            read.map(|c| {
                problems
                    .warnings
                    .extend(c.problems.iter().map(Problem::reading));
                if !c.skipped_non_windows.is_empty() {
                    problems.warnings.push(Problem::new(
                        ProblemKind::Reading,
                        name,
                        format!(
                            "{} computers are not Windows and were skipped",
                            c.skipped_non_windows.len()
                        ),
                    ));
                }
                c.hosts
            })
        }
        InputKind::Facts => {
            let mut hosts = Vec::new();
            let mut reader = JsonFacts::new(bytes, name);
            loop {
                match reader.next_batch(4096) {
                    Ok(Some(batch)) => {
                        for host in parse_batch(name, batch) {
                            match host {
                                Ok(h) => hosts.push(h.attributed()),
                                Err(p) => problems.errors.push(p),
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        problems.errors.push(Problem::of_source(&e));
                        break;
                    }
                }
            }
            Ok(hosts)
        }
    };
    match hosts {
        Ok(hosts) => {
            for h in hosts {
                merged.add(h, name);
            }
        }
        Err(e) => problems.errors.push(Problem::of_source(&e)),
    }
}

/// Reads a whole input into memory.
pub(crate) fn read_all(mut reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// One facts record parsed into a host, or the problem with it.
pub(crate) fn parse_host(name: &str, unit: &Result<Unit, SourceError>) -> Result<Host, Problem> {
    let unit = unit.as_ref().map_err(Problem::of_source)?;
    let facts = parse_facts(name, unit).map_err(|e| Problem::of_record(unit, &e))?;
    // "file:line", as the record's `Origin` shows it, made without the
    // formatting machinery: once for every record.
    let mut line = itoa::Buffer::new();
    let line = line.format(unit.line);
    let mut origin = String::with_capacity(name.len() + 1 + line.len());
    origin.push_str(name);
    origin.push(':');
    origin.push_str(line);
    Ok(Host {
        origin: Some(origin),
        facts,
    })
}
