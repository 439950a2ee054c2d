//! `acsready assess`: sources → facts → assessment → report, streamed in
//! batches so memory stays flat however large the fleet, with the batch
//! parsed and assessed in parallel and written in input order.

use std::io::{self, BufWriter, IsTerminal, Read};
use std::path::PathBuf;

use acsready_assess::{assess_with, predict, Demand, Detail, HostAssessment, Summary};
use acsready_facts::{HostFacts, ModuleFacts};
use acsready_report::{reporter, InputProblem, Problems, Reporter, RulesIdentity, Style};
use acsready_rules::Rules;
use acsready_sources::{parse_unit, JsonFacts, SourceError, Unit};
use anyhow::{bail, Result};
use rayon::prelude::*;

use crate::cli::{AssessArgs, EvidenceArgs};
use crate::inputs::{self, Completed, InputKind};
use crate::{evidence, intake};
use crate::{EXIT_BAD_INPUT, EXIT_NOT_READY, EXIT_READY};

/// Hosts parsed and assessed together; bounds memory to a few MB.
const BATCH: usize = 8192;

/// Where assessed hosts go: a report, or (for `--summary`) only the counts.
struct Sink<'w> {
    report: Option<Box<dyn Reporter + Send + 'w>>,
}

impl Sink<'_> {
    /// Counting needs only codes; every report shows the texts.
    fn detail(&self) -> Detail {
        match self.report {
            None => Detail::Codes,
            Some(_) => Detail::Full,
        }
    }

    fn counts_only(&self) -> bool {
        self.report.is_none()
    }

    fn host(&mut self, a: HostAssessment) -> io::Result<()> {
        match &mut self.report {
            Some(r) => r.host(a),
            None => Ok(()),
        }
    }
}

type Batch = Vec<Result<Unit, SourceError>>;

/// Parses and assesses one unit.
fn assess_unit(
    name: &str,
    unit: Result<Unit, SourceError>,
    run: &Run,
    detail: Detail,
) -> Result<HostAssessment, InputProblem> {
    let unit = unit.map_err(|e| intake::source_problem(&e))?;
    let record = parse_unit(name, &unit).map_err(|e| intake::record_problem(&unit, &e))?;
    let mut a = run.assess(&record.facts, detail);
    a.sources.push(record.origin.to_string());
    Ok(a)
}

/// What every host of a run is assessed with.
pub(crate) struct Run<'a> {
    pub rules: &'a Rules,
    pub style: Style,
    /// The files of `--module`, with what each demands.
    pub modules: Vec<(ModuleFacts, Demand)>,
    /// Hosts assessed so far, on standard error when it is a terminal.
    pub progress: Option<indicatif::ProgressBar>,
    /// Archives unpacked for the run: their paths are shown by their names.
    pub unpacked: &'a [std::sync::Arc<acsready_sources::compressed::Unpacked>],
}

/// A counter of assessed hosts, shown only on a terminal (never in pipes or CI).
fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {human_pos} hosts assessed ({per_sec}, {elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

impl Run<'_> {
    /// A host's sources and evidence inside unpacked archives, shown by the
    /// archives' names.
    fn show_names(&self, a: &mut HostAssessment) {
        if self.unpacked.is_empty() {
            return;
        }
        let shown = |t: &str| self.unpacked.iter().fold(t.to_string(), |t, u| u.shown(&t));
        a.sources.iter_mut().for_each(|s| *s = shown(s));
        for f in &mut a.findings {
            for e in &mut f.evidence {
                if let Some(s) = &mut e.source {
                    *s = shown(s);
                }
            }
        }
    }

    fn advance(&self, hosts: usize) {
        if let Some(bar) = &self.progress {
            bar.inc(hosts as u64);
        }
    }

    /// Assesses one host, and predicts what deploying each module does there.
    fn assess(&self, facts: &HostFacts, detail: Detail) -> HostAssessment {
        let mut a = assess_with(facts, self.rules, self.style.lang, detail);
        a.modules = self
            .modules
            .iter()
            .map(|(m, d)| predict(m, d, a.verdict, self.rules, self.style.lang))
            .collect();
        a
    }
}

/// Assesses a batch in parallel. With a sink, hands the hosts to it in input
/// order; without one, only counts them (in parallel too).
fn process_batch(
    batch: Batch,
    name: &str,
    run: &Run,
    sink: &mut Sink,
    summary: &mut Summary,
    errors: &mut Vec<InputProblem>,
) -> io::Result<()> {
    run.advance(batch.len());
    if sink.counts_only() {
        let (counted, mut failed) = batch
            .into_par_iter()
            .enumerate()
            .fold(
                || (Summary::default(), Vec::new()),
                |(mut s, mut e), (i, unit)| {
                    match assess_unit(name, unit, run, Detail::Codes) {
                        Ok(a) => s.add(&a),
                        Err(p) => e.push((i, p)),
                    }
                    (s, e)
                },
            )
            .reduce(
                || (Summary::default(), Vec::new()),
                |(mut s1, mut e1), (s2, e2)| {
                    s1.merge(&s2);
                    e1.extend(e2);
                    (s1, e1)
                },
            );
        summary.merge(&counted);
        failed.sort_by_key(|(i, _)| *i);
        errors.extend(failed.into_iter().map(|(_, p)| p));
        return Ok(());
    }
    let assessed: Vec<Result<HostAssessment, InputProblem>> = batch
        .into_par_iter()
        .map(|unit| assess_unit(name, unit, run, Detail::Full))
        .collect();
    for result in assessed {
        match result {
            Ok(mut a) => {
                summary.add(&a);
                run.show_names(&mut a);
                sink.host(a)?;
            }
            Err(p) => errors.push(p),
        }
    }
    Ok(())
}

/// Reads one input, assessing its hosts batch by batch; the next batch is
/// read while the current one is assessed.
fn assess_input<R: Read + Send>(
    reader: R,
    name: &str,
    run: &Run,
    sink: &mut Sink,
    summary: &mut Summary,
    errors: &mut Vec<InputProblem>,
) -> io::Result<()> {
    let mut facts = JsonFacts::new(reader, name);
    let mut next = facts.next_batch(BATCH);
    loop {
        let batch = match next {
            Ok(Some(batch)) => batch,
            Ok(None) => return Ok(()),
            Err(e) => {
                errors.push(intake::source_problem(&e));
                return Ok(());
            }
        };
        let (read, done) = rayon::join(
            || facts.next_batch(BATCH),
            || process_batch(batch, name, run, sink, summary, errors),
        );
        done?;
        next = read;
    }
}

/// Inputs of several kinds: every host's facts from all of them (and from
/// the evidence options) merged by name, then assessed.
///
/// The partial inputs (osquery, console exports, evidence folders) are read
/// first and held; the facts inputs then stream batch by batch, each host
/// taking what the held inputs know of it. Only the partial inputs and the
/// hosts the facts inputs name more than once stay in memory; they are
/// assessed last, in the order first seen.
fn assess_merged(
    files: &[PathBuf],
    kinds: &[InputKind],
    evidence_args: &EvidenceArgs,
    run: &Run,
    sink: &mut Sink,
    summary: &mut Summary,
    problems: &mut Problems,
) -> io::Result<()> {
    let readers = evidence::Readers::new(run.rules);
    let products = readers.display_names();
    let mut merged = inputs::Merged::default();
    let mut streamed = Vec::new();
    for (i, (file, kind)) in files.iter().zip(kinds).enumerate() {
        if file.as_os_str() == "-" {
            problems.errors.push(InputProblem {
                host: None,
                source: "-".into(),
                message:
                    "standard input cannot be merged with inputs of other kinds; save it to a file"
                        .into(),
            });
            continue;
        }
        if *kind == InputKind::Facts {
            streamed.push((i, file));
            continue;
        }
        merged.begin_input(i);
        inputs::read_into(
            file,
            *kind,
            products,
            &mut merged,
            &mut problems.errors,
            &mut problems.warnings,
        );
    }
    merged.begin_input(files.len());
    for source in evidence::hosts(evidence_args, &mut problems.errors) {
        match evidence::read(&source, &readers) {
            Ok(read) => {
                problems.warnings.extend(read.warnings);
                merged.add(read.facts, &evidence::describe(&source));
            }
            Err(p) => problems.errors.push(p),
        }
    }
    let repeated = repeated_hosts(&streamed);
    for (i, file) in streamed {
        let name = file.display().to_string();
        let reader = match intake::open_input(file) {
            Ok(f) => f,
            Err(e) => {
                problems.errors.push(InputProblem {
                    host: None,
                    source: name,
                    message: format!("cannot open: {e}"),
                });
                continue;
            }
        };
        let mut facts = JsonFacts::new(reader, &name);
        loop {
            let batch = match facts.next_batch(BATCH) {
                Ok(Some(batch)) => batch,
                Ok(None) => break,
                Err(e) => {
                    problems.errors.push(intake::source_problem(&e));
                    break;
                }
            };
            let parsed: Vec<_> = batch
                .into_par_iter()
                .map(|unit| {
                    let unit = unit.map_err(|e| intake::source_problem(&e))?;
                    parse_unit(&name, &unit).map_err(|e| intake::record_problem(&unit, &e))
                })
                .collect();
            let mut ready = Vec::with_capacity(parsed.len());
            for record in parsed {
                match record {
                    Ok(r) => {
                        let origin = r.origin.to_string();
                        if repeated.contains(&inputs::host_key(&r.facts.host)) {
                            merged.begin_input(i);
                            merged.add(r.facts, &origin);
                        } else {
                            ready.push(match merged.complete(i, r.facts, &origin) {
                                Completed::Merged(facts) => (facts, None),
                                Completed::Alone(facts) => (facts, Some(origin)),
                            });
                        }
                    }
                    Err(p) => problems.errors.push(p),
                }
            }
            assess_facts(&ready, run, sink, summary)?;
        }
    }
    let mut rest = merged.into_hosts().map(|f| (f, None)).peekable();
    while rest.peek().is_some() {
        let chunk: Vec<_> = rest.by_ref().take(BATCH).collect();
        assess_facts(&chunk, run, sink, summary)?;
    }
    Ok(())
}

/// The hosts the facts inputs name more than once: a first pass reads only
/// the names (the records are checked when they stream).
fn repeated_hosts(files: &[(usize, &PathBuf)]) -> inputs::Repeated {
    #[derive(serde::Deserialize)]
    struct Name {
        #[serde(default)]
        host: String,
    }
    let mut repeated = inputs::Repeated::default();
    for (_, file) in files {
        let Ok(reader) = intake::open_input(file) else {
            continue;
        };
        let mut facts = JsonFacts::new(reader, "");
        while let Ok(Some(batch)) = facts.next_batch(BATCH) {
            let hashes: Vec<u64> = batch
                .into_par_iter()
                .filter_map(|unit| {
                    let unit = unit.ok()?;
                    let name: Name = serde_json::from_str(&unit.text).ok()?;
                    Some(inputs::Repeated::hash(&inputs::host_key(&name.host)))
                })
                .collect();
            hashes.into_iter().for_each(|h| repeated.note(h));
        }
    }
    repeated
}

/// Assesses merged hosts in parallel and hands them to the sink in order;
/// `sources` lists every file the facts came from (the one origin of a host
/// read from one place).
fn assess_facts(
    hosts: &[(HostFacts, Option<String>)],
    run: &Run,
    sink: &mut Sink,
    summary: &mut Summary,
) -> io::Result<()> {
    run.advance(hosts.len());
    let detail = sink.detail();
    let assessed: Vec<HostAssessment> = hosts
        .par_iter()
        .map(|(f, origin)| {
            let mut a = run.assess(f, detail);
            a.sources = match origin {
                Some(o) => vec![o.clone()],
                None => f.source_list(),
            };
            a
        })
        .collect();
    for mut a in assessed {
        summary.add(&a);
        run.show_names(&mut a);
        sink.host(a)?;
    }
    Ok(())
}

/// Hosts read from evidence folders at a time (each read in parallel).
const EVIDENCE_BATCH: usize = 32;

/// Reads and assesses the hosts of `--collected`, `--hive` and `--evtx`.
fn assess_evidence(
    args: &EvidenceArgs,
    run: &Run,
    sink: &mut Sink,
    summary: &mut Summary,
    problems: &mut Problems,
) -> io::Result<()> {
    let hosts = evidence::hosts(args, &mut problems.errors);
    let readers = evidence::Readers::new(run.rules);
    let detail = sink.detail();
    for chunk in hosts.chunks(EVIDENCE_BATCH) {
        run.advance(chunk.len());
        let assessed: Vec<_> = chunk
            .par_iter()
            .map(|source| {
                let read = evidence::read(source, &readers)?;
                let mut a = run.assess(&read.facts, detail);
                a.sources.push(evidence::describe(source));
                Ok((a, read.warnings))
            })
            .collect();
        for result in assessed {
            match result {
                Ok((mut a, warnings)) => {
                    problems.warnings.extend(warnings);
                    summary.add(&a);
                    run.show_names(&mut a);
                    sink.host(a)?;
                }
                Err(p) => problems.errors.push(p),
            }
        }
    }
    Ok(())
}

pub fn assess(args: &AssessArgs, rules: &Rules, style: Style) -> Result<u8> {
    let mut evidence_args = args.evidence.clone();
    let mut problems = Problems::default();
    let mut inputs =
        evidence::claim_collector_folders(&args.inputs, &mut evidence_args, &mut problems.errors);
    if args.inputs.is_empty() && evidence_args.is_empty() {
        if io::stdin().is_terminal() {
            bail!("no input: give facts files or folders, - to read standard input, or --collected / --hive (acsready assess --help)");
        }
        inputs.push(PathBuf::from("-"));
    }
    let (modules, module_errors) = crate::inspect_cmd::modules_of(&args.module, rules, style.lang);
    problems
        .errors
        .extend(module_errors.iter().map(|e| InputProblem::from_message(e)));
    // Every other error is an input, a record or a host not assessed.
    let not_module = module_errors.len();
    let files = intake::expand(&inputs, &mut problems.errors);
    let run = Run {
        rules,
        style: style.clone(),
        modules,
        progress: progress_bar(),
        unpacked: &evidence_args.unpacked,
    };

    let out = BufWriter::with_capacity(1 << 16, io::stdout());
    let identity = RulesIdentity::of(rules);
    let mut sink = Sink {
        report: match args.summary {
            true => None,
            false => Some(reporter(
                crate::report_cmd::report_format(args.format, args.csv_findings),
                out,
                &style,
                &identity,
            )?),
        },
    };
    let mut summary = Summary::default();
    let kinds: Vec<InputKind> = files
        .iter()
        .map(|f| args.input_kind.unwrap_or_else(|| intake::kind_of(f)))
        .collect();
    // Evidence and inputs together, or inputs of several kinds: one host's
    // facts may come from several of them.
    let merge = kinds.iter().any(|k| *k != InputKind::Facts)
        || (!files.is_empty() && !evidence_args.is_empty());
    if merge {
        assess_merged(
            &files,
            &kinds,
            &evidence_args,
            &run,
            &mut sink,
            &mut summary,
            &mut problems,
        )?;
    }
    for file in files.iter().filter(|_| !merge) {
        let name = file.display().to_string();
        let errors = &mut problems.errors;
        match intake::open_input(file) {
            Ok(f) => assess_input(f, &name, &run, &mut sink, &mut summary, errors)?,
            Err(e) => errors.push(InputProblem {
                host: None,
                source: name,
                message: format!("cannot open: {e}"),
            }),
        }
    }
    if !merge {
        assess_evidence(&evidence_args, &run, &mut sink, &mut summary, &mut problems)?;
    }

    if let Some(bar) = &run.progress {
        bar.finish_and_clear();
    }
    summary.not_assessed = problems.errors.len().saturating_sub(not_module) as u64;
    if summary.hosts == 0 {
        problems
            .errors
            .push(intake::no_hosts(&args.inputs, &args.evidence));
    }
    for p in problems.errors.iter_mut().chain(&mut problems.warnings) {
        p.source = evidence::shown(&evidence_args, &p.source);
        p.message = evidence::shown(&evidence_args, &p.message);
    }
    match sink.report {
        Some(r) => r.finish(&summary, &problems)?,
        None => {
            crate::report_cmd::write_summary(args.format, &identity, &style, &summary, &problems)?
        }
    }
    intake::report_problems(&problems.errors, &problems.warnings);
    Ok(if !problems.errors.is_empty() {
        EXIT_BAD_INPUT
    } else if summary.all_ready() {
        EXIT_READY
    } else {
        EXIT_NOT_READY
    })
}
