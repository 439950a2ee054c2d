//! `acsready assess`: sources → facts → assessment → report, streamed in
//! batches so memory stays flat however large the fleet, with the batch
//! parsed and assessed in parallel and written in input order.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use acsready_assess::{assess_cached, predict, Demand, Detail, HostAssessment, Summary, TextCache};
use acsready_facts::{HostFacts, ModuleFacts};
use acsready_intake::{Chunked, Host, Intake, Readers, CHUNK};
use acsready_report::{
    count_of, reporter, thousands, HostEncoder, HostEncoding, HtmlPart, Label, Problems, Reporter,
    RulesIdentity, Style,
};
use acsready_rules::{Lang, Rules};
use anyhow::{bail, Result};

use crate::cli::AssessArgs;
use crate::input;
use crate::output::Output;

/// Records read, then worked together: one batch is read while the one
/// before is worked and the one before that written, so memory holds about
/// three (a JSON report of 4,096 hosts is about 8 MB). Twice as many made
/// the whole run 25-30 MB larger and no faster.
const BATCH: usize = 4096;

/// Where assessed hosts go: a report, or (for `--summary`) only the counts.
struct Sink<'w> {
    report: Option<Box<dyn Reporter + Send + 'w>>,
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

/// Hosts one thread gathers into one part of an HTML page: merging a part
/// costs about its distinct texts and findings, so larger parts merge less.
const HTML_PART: usize = 2048;

/// What is made of the assessed hosts.
enum Mode {
    /// Only counted (`--summary`).
    Count,
    /// Encoded into a streamed report's bytes (JSON, JSON Lines, CSV).
    Encode(HostEncoding),
    /// Gathered into parts of an HTML page, assessed without texts: the
    /// page renders each distinct finding's texts once. Holds an empty part.
    Html(Box<HtmlPart>),
    /// Kept whole for a report that takes assessments.
    Whole,
}

/// How the hosts of a run are worked in parallel.
struct Assessing<'r, 'a> {
    run: &'r Run<'a>,
    mode: Mode,
    /// Buffers of encoded chunks, back from the writing (fresh memory for
    /// every chunk costs more than filling it).
    spare: Mutex<Vec<Vec<u8>>>,
}

/// What one chunk gives.
#[derive(Default)]
struct Worked {
    summary: Summary,
    /// The encoded hosts of a streamed report.
    bytes: Vec<u8>,
    /// The hosts of an HTML page.
    part: Option<HtmlPart>,
    /// The assessments for a report that takes them whole.
    assessed: Vec<HostAssessment>,
    error: Option<io::Error>,
}

impl<'a> Chunked for Assessing<'_, 'a> {
    type State = (TextCache<'a>, Option<HostEncoder>);
    type Out = Worked;

    /// The encoder is made by the first chunk that encodes.
    fn state(&self) -> Self::State {
        (self.run.texts(), None)
    }

    fn chunk_hosts(&self) -> usize {
        match self.mode {
            Mode::Html(_) => HTML_PART,
            _ => CHUNK,
        }
    }

    fn chunk(&self, state: &mut Self::State, hosts: &mut dyn Iterator<Item = Host>) -> Worked {
        let (texts, encoder) = state;
        let mut out = Worked::default();
        match &self.mode {
            Mode::Count => {
                for host in hosts {
                    out.summary
                        .add(&self.run.assess(&host.facts, texts, Detail::Codes));
                }
            }
            Mode::Html(empty) => {
                let mut part = empty.fresh();
                for host in hosts {
                    let a = self.run.assess_host(&host, texts, Detail::Params);
                    out.summary.add(&a);
                    part.host_rendering(&a, texts);
                }
                out.part = Some(part);
            }
            Mode::Whole => {
                for host in hosts {
                    let a = self.run.assess_host(&host, texts, Detail::Full);
                    out.summary.add(&a);
                    out.assessed.push(a);
                }
            }
            Mode::Encode(encoding) => {
                let encoder = encoder.get_or_insert_with(|| encoding.encoder());
                out.bytes = self
                    .spare
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pop()
                    // About what a chunk of hosts takes (a JSON host is
                    // 1-2 KB): growing to it copies the chunk several times.
                    .unwrap_or_else(|| Vec::with_capacity(CHUNK * 2048));
                for host in hosts {
                    let encoded = if encoding.renders() {
                        // No texts cloned into the host: the encoder
                        // renders each distinct finding's once.
                        let a = self.run.assess_host(&host, texts, Detail::Params);
                        out.summary.add(&a);
                        encoder.encode_rendering(&a, texts, &mut out.bytes)
                    } else {
                        let a = self.run.assess_host(&host, texts, Detail::Full);
                        out.summary.add(&a);
                        encoder.encode(&a, &mut out.bytes)
                    };
                    if let Err(e) = encoded {
                        out.error.get_or_insert(e);
                    }
                }
            }
        }
        out
    }
}

impl Assessing<'_, '_> {
    /// Hands a chunk's hosts on, in input order.
    fn done(&self, mut worked: Worked, sink: &mut Sink, summary: &mut Summary) -> io::Result<()> {
        self.run.advance(worked.summary.hosts as usize);
        summary.merge(&worked.summary);
        if let Some(e) = worked.error {
            return Err(e);
        }
        let Some(report) = sink.report.as_mut() else {
            return Ok(());
        };
        if let Some(part) = &worked.part {
            if let Some(page) = report.html() {
                page.merge(part);
            }
            return Ok(());
        }
        if let Some(streamed) = report.streamed().filter(|_| !worked.bytes.is_empty()) {
            streamed.write_encoded(&worked.bytes)?;
            worked.bytes.clear();
            self.spare
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(worked.bytes);
            return Ok(());
        }
        worked.assessed.into_iter().try_for_each(|a| report.host(a))
    }
}

/// How a report takes its hosts.
fn mode_of(report: Option<&mut (dyn Reporter + Send + '_)>) -> Mode {
    let Some(report) = report else {
        return Mode::Count;
    };
    if let Some(page) = report.html() {
        return Mode::Html(Box::new(page.part()));
    }
    match report.streamed() {
        Some(s) => Mode::Encode(s.encoding()),
        None => Mode::Whole,
    }
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
        };
        let work = Assessing {
            run: &run,
            mode: mode_of(sink.report.as_deref_mut()),
            spare: Mutex::new(Vec::new()),
        };
        intake.stream_chunks(BATCH, &work, |worked| {
            work.done(worked, &mut sink, &mut summary)
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
