//! `acsready report --from`: a saved JSON report rendered again, and the
//! counts alone of `assess --summary`.

use std::io::{self, Write};

use acsready_assess::render::render_host;
use acsready_assess::Summary;
use acsready_report::{
    reporter, InputProblem, Problems, ReportFormat, RulesIdentity, Style, SummaryReport,
    TableLayout,
};
use acsready_rules::Rules;
use anyhow::{bail, Result};

use crate::cli::Format;
use crate::output::Output;

/// The report of a `--format` (and `--csv-findings`); a table fits the
/// terminal it is written to, unless `--wide`.
pub(crate) fn report_format(
    format: Format,
    csv_findings: bool,
    wide: bool,
    out: &Output,
) -> ReportFormat {
    match format {
        Format::Table => ReportFormat::Table(match out.terminal_width() {
            Some(width) if !wide => TableLayout::Fit(width),
            _ => TableLayout::Full,
        }),
        Format::Json => ReportFormat::Json,
        Format::Csv if csv_findings => ReportFormat::CsvFindings,
        Format::Csv => ReportFormat::Csv,
        Format::Jsonl => ReportFormat::Jsonl,
        Format::Html => ReportFormat::Html,
    }
}

/// `--summary`: only the counts, in the chosen format.
pub(crate) fn write_summary<W: Write>(
    mut out: W,
    format: ReportFormat,
    identity: &RulesIdentity,
    style: &Style,
    summary: &Summary,
    problems: &Problems,
) -> io::Result<()> {
    match format {
        ReportFormat::Table(layout) => {
            acsready_report::write_summary_line(out, summary, style.lang, layout)
        }
        ReportFormat::Json | ReportFormat::Jsonl | ReportFormat::Html => {
            let doc = SummaryReport::new(identity, style.lang, summary, problems);
            serde_json::to_writer(&mut out, &doc)?;
            writeln!(out)
        }
        ReportFormat::Csv | ReportFormat::CsvFindings => {
            out.write_all(
                "\u{feff}hosts,ready,not_ready,unknown,unsupported,not_assessed\r\n".as_bytes(),
            )?;
            write!(
                out,
                "{},{},{},{},{},{}\r\n",
                summary.hosts,
                summary.ready,
                summary.not_ready,
                summary.unknown,
                summary.unsupported,
                summary.not_assessed
            )
        }
    }
}

/// A JSON report written by `acsready assess --format json`.
pub(crate) fn read_report(path: &std::path::Path) -> Result<acsready_report::Report> {
    let text =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
    let report: acsready_report::Report = serde_json::from_slice(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not an acsready JSON report: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if report.schema != acsready_report::REPORT_SCHEMA {
        bail!(
            "{}: report schema \"{}\" is not {} (written by another acsready version)",
            path.display(),
            report.schema,
            acsready_report::REPORT_SCHEMA
        );
    }
    Ok(report)
}

/// `acsready report --from FILE`: a saved JSON report rendered again.
pub fn rerender(args: &crate::cli::ReportArgs, rules: &Rules, style: Style) -> Result<u8> {
    let report = read_report(&args.from)?;
    let mut problems = Problems {
        errors: report.errors.clone(),
        warnings: report.warnings.clone(),
    };
    if report.hosts.is_empty() && report.summary.hosts == 0 {
        problems.errors.push(InputProblem::new(
            args.from.display().to_string(),
            "no hosts in this report",
        ));
    }
    let mut out = Output::open(&args.output)?;
    let style = Style {
        color: out.colour(),
        ..style
    };
    let format = report_format(args.format, false, args.wide, &out);
    let mut r = reporter(format, &mut out, &style, &report.rules)?;
    for mut h in report.hosts {
        // Texts in the language asked for, from the codes and parameters.
        render_host(&mut h, rules, style.lang);
        r.host(h)?;
    }
    r.finish(&report.summary, &problems)?;
    out.commit()?;
    Ok(crate::exit_code(
        !problems.errors.is_empty(),
        !report.summary.all_ready(),
    ))
}
