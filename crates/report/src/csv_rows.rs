//! The cells and rows of acsready's CSV: one row per host or per finding,
//! cells that a spreadsheet could take for a formula made harmless.

use std::borrow::Cow;
use std::io::{self, Write};

use acsready_assess::render::latest;
use acsready_assess::{Action, HostAssessment, Severity, TextCache};

use crate::rows::plan_line;
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

/// The row of one host, its cells made in buffers kept from host to host.
#[derive(Default)]
pub(crate) struct HostRow {
    cell: String,
    /// The target of an upgrade plan, rendered ("latest").
    latest: Option<String>,
}

impl HostRow {
    /// Writes the row of host `a`. With `texts`, the findings without a
    /// title (assessed with [`Detail::Params`]) and the upgrade plans
    /// without a target get the texts the assessment renders for them,
    /// from the cache: the row is the row of the host assessed with every
    /// text, and nothing is cloned into the host.
    ///
    /// [`Detail::Params`]: acsready_assess::Detail::Params
    pub(crate) fn write(
        &mut self,
        w: &mut csv::Writer<&mut Vec<u8>>,
        a: &HostAssessment,
        style: &Style,
        mut texts: Option<&mut TextCache>,
    ) -> io::Result<()> {
        let important = || a.findings.iter().filter(|f| f.severity > Severity::Info);
        let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        cell(w, &a.host)?;
        cell(w, a.verdict.as_str())?;
        cell(w, &a.os.name)?;
        cell(w, &number(a.os.build))?;
        cell(w, &number(a.os.ubr))?;
        cell(w, a.os.release.as_deref().unwrap_or_default())?;
        cell(w, a.max_severity().map_or("", |s| s.as_str()))?;
        let c = &mut self.cell;
        c.clear();
        for (i, f) in important().enumerate() {
            if i > 0 {
                c.push(' ');
            }
            c.push_str(&f.code);
        }
        cell(w, c)?;
        c.clear();
        for (i, f) in important().enumerate() {
            if i > 0 {
                c.push_str(" | ");
            }
            c.push_str(&f.code);
            c.push_str(": ");
            match texts.as_deref_mut() {
                Some(t) if f.title.is_empty() => {
                    t.with(&f.code, &f.params, |(title, _)| c.push_str(title));
                }
                _ => c.push_str(&f.title),
            }
        }
        cell(w, c)?;
        c.clear();
        for (i, p) in a.agents.iter().enumerate() {
            if i > 0 {
                c.push_str("; ");
            }
            let target = match texts.as_deref() {
                Some(t) if p.action == Action::Upgrade && p.target.is_empty() => self
                    .latest
                    .get_or_insert_with(|| latest(t.rules(), t.lang()))
                    .as_str(),
                _ => p.target.as_str(),
            };
            let name = style.names.get(&p.product, style.lang);
            c.push_str(&plan_line(name, &p.version, p.action, target, style.lang));
        }
        cell(w, c)?;
        c.clear();
        for (i, p) in a.agents.iter().enumerate() {
            if i > 0 {
                c.push(' ');
            }
            c.push_str(p.action.as_str());
        }
        cell(w, c)?;
        c.clear();
        let mut first = true;
        let mut step = |c: &mut String, s: &str| {
            if !first {
                c.push_str(" | ");
            }
            first = false;
            c.push_str(s);
        };
        for f in important() {
            match texts.as_deref_mut() {
                Some(t) if f.title.is_empty() => t.with(&f.code, &f.params, |(_, steps)| {
                    steps.iter().for_each(|s| step(c, s))
                }),
                _ => f.remediation.iter().for_each(|s| step(c, s)),
            }
        }
        cell(w, c)?;
        c.clear();
        for (i, s) in a.sources.iter().enumerate() {
            if i > 0 {
                c.push(' ');
            }
            c.push_str(s);
        }
        cell(w, c)?;
        c.clear();
        for (i, m) in a.modules.iter().enumerate() {
            if i > 0 {
                c.push_str("; ");
            }
            c.push_str(&m.path);
            c.push_str(": ");
            c.push_str(m.outcome.as_str());
        }
        cell(w, c)?;
        w.write_record(None::<&[u8]>).map_err(to_io)
    }
}

/// One cell of a record, through [`csv_cell`].
fn cell(w: &mut csv::Writer<&mut Vec<u8>>, text: &str) -> io::Result<()> {
    w.write_field(csv_cell(text).as_bytes()).map_err(to_io)
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

#[cfg(test)]
mod tests {
    use acsready_assess::{assess_with, Detail};
    use acsready_rules::{Lang, Rules};

    use super::{Action, Severity};
    use crate::encode::HostEncoding;
    use crate::json_host::tests::facts_with_agents;
    use crate::{ProductNames, Style};

    #[test]
    fn a_host_row_without_texts_is_the_row_of_the_host_with_them() {
        let rules = Rules::embedded().unwrap();
        let facts = facts_with_agents();
        for lang in [Lang::En, Lang::Ja] {
            let style = Style {
                lang,
                color: false,
                names: ProductNames::of(&rules),
            };
            let encoding = HostEncoding::Csv {
                style,
                per_finding: false,
            };
            assert!(encoding.renders());
            let mut texts = acsready_assess::TextCache::new(&rules, lang);
            let mut enc = encoding.encoder();
            // Twice: once rendering the texts, once from the cache.
            for _ in 0..2 {
                for f in &facts {
                    let bare = assess_with(f, &rules, lang, Detail::Params);
                    let whole = assess_with(f, &rules, lang, Detail::Full);
                    let (mut got, mut want) = (Vec::new(), Vec::new());
                    enc.encode_rendering(&bare, &mut texts, &mut got).unwrap();
                    enc.encode(&whole, &mut want).unwrap();
                    assert_eq!(
                        String::from_utf8(got).unwrap(),
                        String::from_utf8(want).unwrap(),
                        "{} ({lang})",
                        f.host
                    );
                }
            }
            // Titles, steps and an upgrade's target are in the row.
            let latest = acsready_assess::render::latest(&rules, lang);
            let (mut upgrades, mut steps) = (0, 0);
            for f in &facts {
                let a = assess_with(f, &rules, lang, Detail::Full);
                let mut row = Vec::new();
                enc.encode(&a, &mut row).unwrap();
                let cells = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(row.as_slice())
                    .records()
                    .next()
                    .unwrap()
                    .unwrap();
                if a.agents.iter().any(|p| p.action == Action::Upgrade) {
                    assert!(cells[9].contains(&format!(" {latest}")), "{cells:?}");
                    upgrades += 1;
                }
                for f in a.findings.iter().filter(|f| f.severity > Severity::Info) {
                    assert!(cells[8].contains(&format!("{}: {}", f.code, f.title)));
                    if let Some(step) = f.remediation.first() {
                        assert!(cells[11].contains(step.as_str()), "{cells:?}");
                        steps += 1;
                    }
                }
            }
            assert!(upgrades > 0 && steps > 0);
        }
    }
}
