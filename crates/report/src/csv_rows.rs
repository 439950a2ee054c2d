//! The cells and rows of acsready's CSV: one row per host or per finding,
//! cells that a spreadsheet could take for a formula made harmless.

use std::borrow::Cow;
use std::io::{self, Write};

use acsready_assess::{HostAssessment, Severity};

use crate::{agents_line, Style};

/// First characters that make a spreadsheet read a cell as a formula
/// (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as written to every CSV of acsready: one that a spreadsheet would
/// take for a formula (`=cmd|' /C calc'!A0`, `+1`, `@SUM(…)`) gets a single
/// quote in front, so Excel shows it as text and runs nothing. Anything
/// else is written as it is.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes one record, every cell through [`csv_cell`].
pub(crate) fn write_cells<W: Write, S: AsRef<str>>(
    out: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> io::Result<()> {
    let cells: Vec<String> = cells
        .into_iter()
        .map(|c| csv_cell(c.as_ref()).into_owned())
        .collect();
    out.write_record(&cells).map_err(to_io)
}

pub(crate) fn to_io(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// The CSV writer of every report, appending to `out`: CRLF line ends.
/// Made for each host: its buffer is small, rows longer than it are
/// written through.
pub(crate) fn writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(1024)
        .from_writer(out)
}

/// The row of host `a`.
pub(crate) fn host_row(
    w: &mut csv::Writer<&mut Vec<u8>>,
    a: &HostAssessment,
    style: &Style,
) -> io::Result<()> {
    let opt = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let important = || a.findings.iter().filter(|f| f.severity > Severity::Info);
    let codes = important()
        .map(|f| f.code.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let titles = important()
        .map(|f| format!("{}: {}", f.code, f.title))
        .collect::<Vec<_>>()
        .join(" | ");
    let remediation = important()
        .flat_map(|f| f.remediation.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" | ");
    let actions = a
        .agents
        .iter()
        .map(|p| p.action.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let record = [
        a.host.clone(),
        a.verdict.as_str().to_string(),
        a.os.name.clone(),
        opt(a.os.build),
        opt(a.os.ubr),
        a.os.release.clone().unwrap_or_default(),
        a.max_severity()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        codes,
        titles,
        agents_line(a, style),
        actions,
        remediation,
        a.sources.join(" "),
        a.modules
            .iter()
            .map(|m| format!("{}: {}", m.path, m.outcome.as_str()))
            .collect::<Vec<_>>()
            .join("; "),
    ];
    write_cells(w, record)
}

/// The rows of the findings of host `a`, one each.
pub(crate) fn finding_rows(
    w: &mut csv::Writer<&mut Vec<u8>>,
    a: &HostAssessment,
    style: &Style,
) -> io::Result<()> {
    let agents = agents_line(a, style);
    let sources = a.sources.join(" ");
    for f in &a.findings {
        let evidence = f
            .evidence
            .iter()
            .map(|e| format!("{}={}", e.fact, e.value))
            .collect::<Vec<_>>()
            .join(" | ");
        let record = [
            a.host.as_str(),
            a.verdict.as_str(),
            a.os.name.as_str(),
            f.code.as_str(),
            f.severity.as_str(),
            f.title.as_str(),
            evidence.as_str(),
            &f.remediation.join(" | "),
            agents.as_str(),
            sources.as_str(),
        ];
        write_cells(w, record)?;
    }
    Ok(())
}
