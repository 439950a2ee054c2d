//! `acsready assess`: sources → facts → assessment → report, streamed in
//! batches so memory stays flat however large the fleet, with the batch
//! parsed and assessed in parallel and written in input order.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use acsready_assess::{assess as assess_host, HostAssessment, Summary};
use acsready_report::{
    CsvReport, InputProblem, JsonReport, RulesIdentity, Style, SummaryReport, TableReport,
};
use acsready_rules::Rules;
use acsready_sources::{parse_unit, JsonFacts, SourceError};
use anyhow::{bail, Result};
use rayon::prelude::*;

use crate::cli::{AssessArgs, Format};
use crate::{EXIT_BAD_INPUT, EXIT_NOT_READY, EXIT_READY};

/// Hosts parsed and assessed together; bounds memory to a few MB.
const BATCH: usize = 8192;

/// Extensions of facts files inside a folder given as input.
const FACTS_EXTENSIONS: [&str; 3] = ["json", "ndjson", "jsonl"];

/// Where assessed hosts go.
enum Sink<W: Write> {
    Table(TableReport, W),
    Json(JsonReport<W>),
    Csv(CsvReport<W>),
    Count,
}

impl<W: Write> Sink<W> {
    fn host(&mut self, a: HostAssessment) -> io::Result<()> {
        match self {
            Sink::Table(t, _) => {
                t.host(a);
                Ok(())
            }
            Sink::Json(j) => j.host(&a),
            Sink::Csv(c) => c.host(&a),
            Sink::Count => Ok(()),
        }
    }
}

/// Expands folders into their facts files (sorted, recursive).
fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, InputProblem> {
    let mut files = Vec::new();
    for input in inputs {
        if input.as_os_str() != "-" && input.is_dir() {
            collect_dir(input, &mut files)?;
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), InputProblem> {
    let problem = |e: io::Error| InputProblem {
        source: dir.display().to_string(),
        message: e.to_string(),
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(problem)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_dir(&path, files)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FACTS_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            files.push(path);
        }
    }
    Ok(())
}

fn problem(e: &SourceError) -> InputProblem {
    let (source, message) = match e {
        SourceError::Io { file, source } => (file.clone(), source.to_string()),
        SourceError::Record {
            file,
            line,
            column,
            message,
        } => (format!("{file}:{line}:{column}"), message.clone()),
        SourceError::Format { file, message } => (file.clone(), message.clone()),
    };
    InputProblem { source, message }
}

/// Reads one input, assessing its hosts batch by batch.
fn assess_input<R: Read, W: Write>(
    reader: R,
    name: &str,
    rules: &Rules,
    style: Style,
    sink: &mut Sink<W>,
    summary: &mut Summary,
    errors: &mut Vec<InputProblem>,
) -> io::Result<()> {
    let mut facts = JsonFacts::new(reader, name);
    loop {
        let batch = match facts.next_batch(BATCH) {
            Ok(Some(batch)) => batch,
            Ok(None) => return Ok(()),
            Err(e) => {
                errors.push(problem(&e));
                return Ok(());
            }
        };
        let assessed: Vec<Result<HostAssessment, InputProblem>> = batch
            .into_par_iter()
            .map(|unit| {
                let unit = unit.map_err(|e| problem(&e))?;
                let record = parse_unit(name, &unit).map_err(|e| problem(&e))?;
                let mut a = assess_host(&record.facts, rules, style.lang);
                a.sources.push(record.origin.to_string());
                Ok(a)
            })
            .collect();
        for result in assessed {
            match result {
                Ok(a) => {
                    summary.add(&a);
                    sink.host(a)?;
                }
                Err(p) => errors.push(p),
            }
        }
    }
}

pub fn assess(args: &AssessArgs, rules: &Rules, style: Style) -> Result<u8> {
    let mut inputs = args.inputs.clone();
    if inputs.is_empty() {
        if io::stdin().is_terminal() {
            bail!("no input: give facts files or folders, or - to read standard input (acsready assess --help)");
        }
        inputs.push(PathBuf::from("-"));
    }
    let mut errors = Vec::new();
    let files = expand(&inputs).unwrap_or_else(|p| {
        errors.push(p);
        Vec::new()
    });

    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let identity = RulesIdentity::of(rules);
    let mut sink = match (args.summary, args.format) {
        (true, _) => Sink::Count,
        (false, Format::Table) => Sink::Table(TableReport::new(style), out),
        (false, Format::Json) => Sink::Json(JsonReport::begin(out, &identity, style.lang)?),
        (false, Format::Csv) => Sink::Csv(CsvReport::begin(out, style)?),
    };
    let mut summary = Summary::default();
    for file in &files {
        let name = file.display().to_string();
        if name == "-" {
            assess_input(io::stdin().lock(), "-", rules, style, &mut sink, &mut summary, &mut errors)?;
            continue;
        }
        match File::open(file) {
            Ok(f) => assess_input(f, &name, rules, style, &mut sink, &mut summary, &mut errors)?,
            Err(e) => errors.push(InputProblem {
                source: name,
                message: format!("cannot open: {e}"),
            }),
        }
    }

    match sink {
        Sink::Table(t, out) => t.finish(out, &summary, &errors)?,
        Sink::Json(j) => {
            j.finish(&summary, &errors)?;
        }
        Sink::Csv(c) => {
            c.finish()?;
        }
        Sink::Count => write_summary(args.format, &identity, style, &summary, &errors)?,
    }
    for e in &errors {
        eprintln!("acsready: {}: {}", e.source, e.message);
    }
    Ok(if !errors.is_empty() {
        EXIT_BAD_INPUT
    } else if summary.all_ready() {
        EXIT_READY
    } else {
        EXIT_NOT_READY
    })
}

/// `--summary`: only the counts, in the chosen format.
fn write_summary(
    format: Format,
    identity: &RulesIdentity,
    style: Style,
    summary: &Summary,
    errors: &[InputProblem],
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match format {
        Format::Table => writeln!(out, "{}", acsready_report::summary_line(summary, style.lang)),
        Format::Json => {
            let doc = SummaryReport::new(identity, style.lang, summary, errors);
            serde_json::to_writer(&mut out, &doc)?;
            writeln!(out)
        }
        Format::Csv => {
            out.write_all("\u{feff}hosts,ready,not_ready,unknown,unsupported\r\n".as_bytes())?;
            write!(
                out,
                "{},{},{},{},{}\r\n",
                summary.hosts, summary.ready, summary.not_ready, summary.unknown, summary.unsupported
            )
        }
    }
}
