//! One interface for every report format: hosts go in one at a time, the
//! report's bytes come out. `acsready assess` and `acsready report --from`
//! both write through [`reporter`].

use std::io::{self, Write};

use acsready_assess::{HostAssessment, Summary};

use crate::Streamed;
use crate::{CsvReport, HtmlReport, JsonReport, JsonlReport, Problems, RulesIdentity, Style};
use crate::{TableLayout, TableReport};

/// A report being written.
pub trait Reporter {
    /// Adds one host, in the order hosts are to be shown (or sorted later).
    fn host(&mut self, a: HostAssessment) -> io::Result<()>;
    /// The report as one written while hosts come, when it is one (JSON,
    /// JSON Lines, CSV): a caller with many hosts may encode them in
    /// parallel with its encodings and hand it the bytes in order.
    fn streamed(&mut self) -> Option<&mut dyn Streamed> {
        None
    }
    /// The report as an HTML page, when it is one: a caller with many hosts
    /// may gather them in parallel into parts ([`HtmlReport::part`]) and
    /// merge those in order.
    fn html(&mut self) -> Option<&mut HtmlReport> {
        None
    }
    /// Writes what is left (the summary and problems where the format shows
    /// them) and flushes the output.
    fn finish(self: Box<Self>, summary: &Summary, problems: &Problems) -> io::Result<()>;
}

/// The formats of a full report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// A table for people.
    Table(TableLayout),
    /// One JSON document (the report contract).
    Json,
    /// JSON Lines: one host per line.
    Jsonl,
    /// CSV, one row per host.
    Csv,
    /// CSV, one row per finding.
    CsvFindings,
    /// One self-contained HTML page.
    Html,
}

/// A reporter of `format` writing to `out`.
pub fn reporter<'w, W: Write + Send + 'w>(
    format: ReportFormat,
    out: W,
    style: &Style,
    rules: &RulesIdentity,
) -> io::Result<Box<dyn Reporter + Send + 'w>> {
    Ok(match format {
        ReportFormat::Table(layout) => Box::new(AtEnd {
            report: TableReport::new(style.clone()).laid_out(layout),
            out,
        }),
        ReportFormat::Json => Box::new(JsonReport::begin(out, rules, style.lang)?),
        ReportFormat::Jsonl => Box::new(JsonlReport::new(out)),
        ReportFormat::Csv => Box::new(CsvReport::begin(out, style.clone())?),
        ReportFormat::CsvFindings => Box::new(CsvReport::per_finding(out, style.clone())?),
        ReportFormat::Html => Box::new(AtEnd {
            report: HtmlReport::new(style.clone(), rules.clone()),
            out,
        }),
    })
}

/// A report laid out once every host is in (sorted, counted), written to
/// `out` at the end.
struct AtEnd<R, W> {
    report: R,
    out: W,
}

/// A report that holds its hosts and lays them out at the end.
trait LaidOutAtEnd {
    fn add(&mut self, a: HostAssessment);
    fn html(&mut self) -> Option<&mut HtmlReport> {
        None
    }
    fn write<W: Write>(self, out: W, summary: &Summary, problems: &Problems) -> io::Result<()>;
}

impl LaidOutAtEnd for TableReport {
    fn add(&mut self, a: HostAssessment) {
        self.host(a);
    }
    fn write<W: Write>(self, out: W, summary: &Summary, problems: &Problems) -> io::Result<()> {
        self.finish(out, summary, problems)
    }
}

impl LaidOutAtEnd for HtmlReport {
    fn add(&mut self, a: HostAssessment) {
        self.host(a);
    }
    fn html(&mut self) -> Option<&mut HtmlReport> {
        Some(self)
    }
    fn write<W: Write>(self, out: W, summary: &Summary, problems: &Problems) -> io::Result<()> {
        self.finish(out, summary, problems)
    }
}

impl<R: LaidOutAtEnd, W: Write> Reporter for AtEnd<R, W> {
    fn host(&mut self, a: HostAssessment) -> io::Result<()> {
        self.report.add(a);
        Ok(())
    }

    fn html(&mut self) -> Option<&mut HtmlReport> {
        self.report.html()
    }

    fn finish(self: Box<Self>, summary: &Summary, problems: &Problems) -> io::Result<()> {
        let AtEnd { report, mut out } = *self;
        report.write(&mut out, summary, problems)?;
        out.flush()
    }
}

impl<W: Write> Reporter for JsonReport<W> {
    fn host(&mut self, a: HostAssessment) -> io::Result<()> {
        JsonReport::host(self, &a)
    }

    fn streamed(&mut self) -> Option<&mut dyn Streamed> {
        Some(self)
    }

    fn finish(self: Box<Self>, summary: &Summary, problems: &Problems) -> io::Result<()> {
        JsonReport::finish(*self, summary, problems)?.flush()
    }
}

impl<W: Write> Reporter for JsonlReport<W> {
    fn host(&mut self, a: HostAssessment) -> io::Result<()> {
        JsonlReport::host(self, &a)
    }

    fn streamed(&mut self) -> Option<&mut dyn Streamed> {
        Some(self)
    }

    fn finish(self: Box<Self>, _: &Summary, _: &Problems) -> io::Result<()> {
        JsonlReport::finish(*self)?.flush()
    }
}

impl<W: Write> Reporter for CsvReport<W> {
    fn host(&mut self, a: HostAssessment) -> io::Result<()> {
        CsvReport::host(self, &a)
    }

    fn streamed(&mut self) -> Option<&mut dyn Streamed> {
        Some(self)
    }

    fn finish(self: Box<Self>, _: &Summary, _: &Problems) -> io::Result<()> {
        CsvReport::finish(*self)?.flush()
    }
}

#[cfg(test)]
mod tests {
    use acsready_assess::Verdict;
    use acsready_rules::Lang;

    use super::*;
    use crate::tests::{host, style};

    fn identity() -> RulesIdentity {
        RulesIdentity {
            version: "2026.11.1".into(),
            as_of: "2026-11-21".into(),
            schema_version: 1,
            origin: "test".into(),
        }
    }

    fn through(format: ReportFormat, lang: Lang) -> Vec<u8> {
        let mut out = Vec::new();
        let hosts = [host("a", Verdict::Ready), host("b", Verdict::NotReady)];
        let mut summary = Summary::default();
        let mut r = reporter(format, &mut out, &style(lang), &identity()).unwrap();
        for h in hosts {
            summary.add(&h);
            r.host(h).unwrap();
        }
        r.finish(&summary, &Problems::default()).unwrap();
        out
    }

    #[test]
    fn every_format_writes_what_its_report_writes() {
        let lang = Lang::Ja;
        let hosts = [host("a", Verdict::Ready), host("b", Verdict::NotReady)];
        let mut summary = Summary::default();
        hosts.iter().for_each(|h| summary.add(h));
        let problems = Problems::default();

        let mut t = TableReport::new(style(lang));
        hosts.iter().for_each(|h| t.host(h.clone()));
        let mut table = Vec::new();
        t.finish(&mut table, &summary, &problems).unwrap();
        assert_eq!(through(ReportFormat::Table(TableLayout::Full), lang), table);

        let mut j = JsonReport::begin(Vec::new(), &identity(), lang).unwrap();
        hosts.iter().for_each(|h| j.host(h).unwrap());
        let json = j.finish(&summary, &problems).unwrap();
        assert_eq!(through(ReportFormat::Json, lang), json);

        let mut c = CsvReport::per_finding(Vec::new(), style(lang)).unwrap();
        hosts.iter().for_each(|h| c.host(h).unwrap());
        assert_eq!(
            through(ReportFormat::CsvFindings, lang),
            c.finish().unwrap()
        );

        for format in [ReportFormat::Csv, ReportFormat::Jsonl, ReportFormat::Html] {
            assert!(!through(format, lang).is_empty(), "{format:?}");
        }
    }
}
