//! `acsready assess`: sources → facts → assessment → report, streamed in
//! batches so memory stays flat however large the fleet, with the batch
//! parsed and assessed in parallel and written in input order.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use acsready_assess::{assess_with, predict, Demand, Detail, HostAssessment, Summary};
use acsready_facts::{HostFacts, ModuleFacts};
use acsready_intake::{Host, Intake, Readers};
use acsready_report::{
    CsvReport, HtmlReport, InputProblem, JsonReport, JsonlReport, Problems, RulesIdentity, Style,
    TableReport,
};
use acsready_rules::Rules;
use anyhow::{bail, Result};
use rayon::prelude::*;

use crate::cli::{AssessArgs, Format};
use crate::input;
use crate::{EXIT_BAD_INPUT, EXIT_NOT_READY, EXIT_READY};

/// Hosts parsed and assessed together; bounds memory to a few MB.
const BATCH: usize = 8192;

/// Where assessed hosts go.
enum Sink<W: Write> {
    Table(TableReport, W),
    Json(JsonReport<W>),
    Csv(Box<CsvReport<W>>),
    Jsonl(JsonlReport<W>),
    Html(Box<HtmlReport>, W),
    Count,
}

impl<W: Write> Sink<W> {
    /// Counting needs only codes; every other sink shows the texts.
    fn detail(&self) -> Detail {
        match self {
            Sink::Count => Detail::Codes,
            _ => Detail::Full,
        }
    }

    fn host(&mut self, a: HostAssessment) -> io::Result<()> {
        match self {
            Sink::Table(t, _) => {
                t.host(a);
                Ok(())
            }
            Sink::Json(j) => j.host(&a),
            Sink::Csv(c) => c.host(&a),
            Sink::Jsonl(j) => j.host(&a),
            Sink::Html(h, _) => {
                h.host(a);
                Ok(())
            }
            Sink::Count => Ok(()),
        }
    }
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
    pub unpacked: Vec<std::sync::Arc<acsready_sources::compressed::Unpacked>>,
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

/// Assesses a batch of hosts in parallel. With a sink, hands them to it in
/// input order; without one, only counts them (in parallel too).
fn assess_batch<W: Write>(
    hosts: Vec<Host>,
    run: &Run,
    sink: &mut Sink<W>,
    summary: &mut Summary,
) -> io::Result<()> {
    run.advance(hosts.len());
    if let Sink::Count = sink {
        let counted = hosts
            .into_par_iter()
            .fold(Summary::default, |mut s, host| {
                s.add(&run.assess(&host.facts, Detail::Codes));
                s
            })
            .reduce(Summary::default, |mut s1, s2| {
                s1.merge(&s2);
                s1
            });
        summary.merge(&counted);
        return Ok(());
    }
    let detail = sink.detail();
    let assessed: Vec<HostAssessment> = hosts
        .into_par_iter()
        .map(|host| {
            let mut a = run.assess(&host.facts, detail);
            a.sources = host.sources();
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

pub fn assess(args: &AssessArgs, rules: &Rules, style: Style) -> Result<u8> {
    let mut inputs = args.inputs.clone();
    if inputs.is_empty() && args.evidence.is_empty() {
        if io::stdin().is_terminal() {
            bail!("no input: give facts files or folders, - to read standard input, or --collected / --hive (acsready assess --help)");
        }
        inputs.push(PathBuf::from("-"));
    }
    let readers = Readers::new(rules);
    let mut intake = Intake::new(
        input::request(&inputs, &args.evidence, args.input_kind),
        &readers,
    );
    let mut problems = Problems::default();
    let (modules, module_errors) = crate::inspect_cmd::modules_of(&args.module, rules, style.lang);
    problems
        .errors
        .extend(module_errors.iter().map(|e| InputProblem::from_message(e)));
    // Every other error is an input, a record or a host not assessed.
    let not_module = module_errors.len();
    let run = Run {
        rules,
        style: style.clone(),
        modules,
        progress: progress_bar(),
        unpacked: intake.unpacked().to_vec(),
    };

    let out = BufWriter::with_capacity(1 << 16, io::stdout());
    let identity = RulesIdentity::of(rules);
    let mut sink = match (args.summary, args.format) {
        (true, _) => Sink::Count,
        (false, Format::Table) => Sink::Table(TableReport::new(style.clone()), out),
        (false, Format::Json) => Sink::Json(JsonReport::begin(out, &identity, style.lang)?),
        (false, Format::Csv) if args.csv_findings => {
            Sink::Csv(Box::new(CsvReport::per_finding(out, style.clone())?))
        }
        (false, Format::Csv) => Sink::Csv(Box::new(CsvReport::begin(out, style.clone())?)),
        (false, Format::Jsonl) => Sink::Jsonl(JsonlReport::new(out)),
        (false, Format::Html) => Sink::Html(
            Box::new(HtmlReport::new(style.clone(), identity.clone())),
            out,
        ),
    };
    let mut summary = Summary::default();
    intake.stream(BATCH, |hosts| {
        assess_batch(hosts, &run, &mut sink, &mut summary)
    })?;
    if let Some(bar) = &run.progress {
        bar.finish_and_clear();
    }
    let no_hosts = (summary.hosts == 0).then(|| intake.no_hosts());
    input::add_problems(&mut problems, intake.finish());
    summary.not_assessed = problems.errors.len().saturating_sub(not_module) as u64;
    problems.errors.extend(no_hosts.map(input::problem));
    match sink {
        Sink::Table(t, out) => t.finish(out, &summary, &problems)?,
        Sink::Json(j) => {
            j.finish(&summary, &problems)?;
        }
        Sink::Csv(c) => {
            c.finish()?;
        }
        Sink::Jsonl(j) => {
            j.finish()?;
        }
        Sink::Html(h, out) => h.finish(out, &summary, &problems)?,
        Sink::Count => {
            crate::report_cmd::write_summary(args.format, &identity, &style, &summary, &problems)?
        }
    }
    input::report_problems(&problems.errors, &problems.warnings);
    Ok(if !problems.errors.is_empty() {
        EXIT_BAD_INPUT
    } else if summary.all_ready() {
        EXIT_READY
    } else {
        EXIT_NOT_READY
    })
}
