//! `acsready assess`: sources → facts → assessment → report, streamed in
//! batches so memory stays flat however large the fleet, with the batch
//! parsed and assessed in parallel and written in input order.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use acsready_assess::{assess_cached, predict, Demand, Detail, HostAssessment, Summary, TextCache};
use acsready_facts::{HostFacts, ModuleFacts};
use acsready_intake::{Host, Intake, Readers};
use acsready_report::{
    count_of, reporter, thousands, Label, Problems, Reporter, RulesIdentity, Streamed, Style,
};
use acsready_rules::{Lang, Rules};
use anyhow::{bail, Result};
use rayon::prelude::*;

use crate::cli::AssessArgs;
use crate::input;
use crate::output::Output;

mod html;

/// Hosts parsed and assessed together; bounds memory to a few MB.
const BATCH: usize = 8192;

/// Hosts one thread assesses and encodes at a time.
const ENCODE_CHUNK: usize = 256;

/// Where assessed hosts go: a report, or (for `--summary`) only the counts.
struct Sink<'w> {
    report: Option<Box<dyn Reporter + Send + 'w>>,
    /// The bytes of the chunks of a batch, kept from batch to batch (fresh
    /// memory every batch costs more than filling it).
    chunks: Vec<Vec<u8>>,
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

/// The progress line: "51,176 hosts assessed (12,794/s, 0:04)", the rate a
/// whole number.
fn progress_text(hosts: u64, per_sec: f64, elapsed: std::time::Duration, lang: Lang) -> String {
    let rate = if per_sec.is_finite() && per_sec > 0.0 {
        per_sec.round() as u64
    } else {
        0
    };
    let secs = elapsed.as_secs();
    acsready_rules::fill(
        Label::Progress.text(lang),
        &[
            (
                "count",
                &count_of(hosts, Label::HostOne, Label::Hosts, lang),
            ),
            ("rate", &thousands(rate)),
            ("elapsed", &format!("{}:{:02}", secs / 60, secs % 60)),
        ],
    )
}

/// A counter of assessed hosts, shown only on a terminal (never in pipes or CI).
fn progress_bar(lang: Lang) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    let line = move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
        let text = progress_text(state.pos(), state.per_sec(), state.elapsed(), lang);
        let _ = w.write_str(&text);
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {line}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
            .with_key("line", line),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

impl<'a> Run<'a> {
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

    /// A cache of finding texts in the rules and language of this run.
    fn texts(&self) -> TextCache<'a> {
        TextCache::new(self.rules, self.style.lang)
    }

    /// Assesses one host of the input, with its sources.
    fn assess_host(&self, host: &Host, texts: &mut TextCache, detail: Detail) -> HostAssessment {
        let mut a = self.assess(&host.facts, texts, detail);
        a.sources = host.sources();
        self.show_names(&mut a);
        a
    }

    /// Assesses one host, and predicts what deploying each module does there.
    fn assess(&self, facts: &HostFacts, texts: &mut TextCache, detail: Detail) -> HostAssessment {
        let mut a = assess_cached(facts, texts, detail);
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
                let mut texts = run.texts();
                s.add(&run.assess(&host.facts, &mut texts, Detail::Codes));
                s
            })
            .reduce(Summary::default, |mut s1, s2| {
                s1.merge(&s2);
                s1
            });
        summary.merge(&counted);
        return Ok(());
    }
    if let Some(page) = sink.report.as_mut().and_then(|r| r.html()) {
        html::gather_batch(&hosts, run, page, summary);
        return Ok(());
    }
    if let Some(streamed) = sink.report.as_mut().and_then(|r| r.streamed()) {
        return encode_batch(&hosts, run, streamed, &mut sink.chunks, summary);
    }
    let detail = sink.detail();
    let assessed: Vec<HostAssessment> = hosts
        .into_par_iter()
        .map_init(
            || run.texts(),
            |texts, host| run.assess_host(&host, texts, detail),
        )
        .collect();
    for a in assessed {
        summary.add(&a);
        sink.host(a)?;
    }
    Ok(())
}

/// Assesses and encodes a batch of hosts in parallel, a chunk at a time,
/// and writes the chunks' bytes in input order.
fn encode_batch(
    hosts: &[Host],
    run: &Run,
    report: &mut dyn Streamed,
    chunks: &mut Vec<Vec<u8>>,
    summary: &mut Summary,
) -> io::Result<()> {
    let encoding = report.encoding();
    let needed = hosts.len().div_ceil(ENCODE_CHUNK);
    if chunks.len() < needed {
        chunks.resize_with(needed, Vec::new);
    }
    let counted: Vec<io::Result<Summary>> = hosts
        .par_chunks(ENCODE_CHUNK)
        .zip(chunks.par_iter_mut())
        .map_init(
            || (run.texts(), encoding.encoder()),
            |(texts, encoder), (chunk, bytes)| {
                bytes.clear();
                let mut counted = Summary::default();
                for host in chunk {
                    let a = run.assess_host(host, texts, Detail::Full);
                    counted.add(&a);
                    encoder.encode(&a, bytes)?;
                }
                Ok(counted)
            },
        )
        .collect();
    for (counted, bytes) in counted.into_iter().zip(chunks.iter()) {
        summary.merge(&counted?);
        report.write_encoded(bytes)?;
    }
    Ok(())
}

pub fn assess(args: &AssessArgs, rules: &Rules, style: Style) -> Result<u8> {
    let mut inputs = args.hosts.inputs.clone();
    if inputs.is_empty() && args.hosts.evidence.is_empty() {
        if io::stdin().is_terminal() {
            bail!("no input: give facts files or folders, - to read standard input, or --collected / --hive (acsready assess --help)");
        }
        inputs.push(PathBuf::from("-"));
    }
    let mut out = Output::open(&args.output)?;
    let style = Style {
        color: out.colour(),
        ..style
    };
    let readers = Readers::new(rules);
    let mut intake = Intake::new(
        input::request(&inputs, &args.hosts.evidence, args.hosts.input_kind),
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
        progress: progress_bar(style.lang),
        unpacked: intake.unpacked().to_vec(),
    };

    let identity = RulesIdentity::of(rules);
    let format = crate::report_cmd::report_format(args.format, args.csv_findings, args.wide, &out);
    let mut summary = Summary::default();
    // The report borrows the output until it is finished.
    let summary_only = {
        let mut sink = Sink {
            report: match args.summary {
                true => None,
                false => Some(reporter(format, &mut out, &style, &identity)?),
            },
            chunks: Vec::new(),
        };
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
            Some(r) => {
                r.finish(&summary, &problems)?;
                false
            }
            None => true,
        }
    };
    if summary_only {
        crate::report_cmd::write_summary(&mut out, format, &identity, &style, &summary, &problems)?;
    }
    out.commit()?;
    input::report_problems(&problems.errors, &problems.warnings);
    Ok(crate::exit_code(
        !problems.errors.is_empty(),
        !summary.all_ready(),
    ))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_progress_line_counts_in_words_and_whole_numbers() {
        let line = |n, rate, secs, lang| progress_text(n, rate, Duration::from_secs(secs), lang);
        assert_eq!(
            line(51_176, 51_176.585_2, 65, Lang::En),
            "51,176 hosts assessed (51,177/s, 1:05)"
        );
        assert_eq!(line(1, 0.4, 0, Lang::En), "1 host assessed (0/s, 0:00)");
        assert_eq!(
            line(0, f64::NAN, 3, Lang::En),
            "0 hosts assessed (0/s, 0:03)"
        );
        assert_eq!(
            line(2_000, 1_234.4, 2, Lang::Ja),
            "2,000 台を判定 (毎秒 1,234 台, 0:02)"
        );
    }
}
