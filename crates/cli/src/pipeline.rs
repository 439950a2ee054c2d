//! `acsready assess`: sources → facts → assessment → report, streamed in
//! batches so memory stays flat however large the fleet, with the batch
//! parsed and assessed in parallel and written in input order.

use std::io::{self, BufWriter, IsTerminal};
use std::path::PathBuf;

use acsready_assess::{assess_with, predict, Demand, Detail, HostAssessment, Summary};
use acsready_facts::{HostFacts, ModuleFacts};
use acsready_intake::{Host, Intake, Readers};
use acsready_report::{reporter, Problems, Reporter, RulesIdentity, Style};
use acsready_rules::Rules;
use anyhow::{bail, Result};
use rayon::prelude::*;

use crate::cli::AssessArgs;
use crate::input;
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
fn assess_batch(
    hosts: Vec<Host>,
    run: &Run,
    sink: &mut Sink,
    summary: &mut Summary,
) -> io::Result<()> {
    run.advance(hosts.len());
    if sink.counts_only() {
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
    problems.errors.extend(module_errors.iter().cloned());
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
    match sink.report {
        Some(r) => r.finish(&summary, &problems)?,
        None => {
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
