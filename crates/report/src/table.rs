//! The terminal view: one line per host (laid out by [`crate::table_layout`]),
//! then what to do for every host that is not ready, then the counts. Fitted
//! to a terminal, the long lines below the table are broken between words.

use std::io::{self, Write};

use acsready_assess::{HostAssessment, Severity, Summary, Verdict};
use acsready_rules::Lang;

use crate::numbers::{count_of, thousands};
use crate::table_layout::{paint, wrap, write_table, TableLayout};
use crate::ui::{verdict_label, Label};
use crate::verdict_colour::verdict_colour;
use crate::{Problems, Style};

/// Collects hosts, then prints the table (column widths need every row).
pub struct TableReport {
    style: Style,
    layout: TableLayout,
    hosts: Vec<HostAssessment>,
}

/// Writes lines, broken between words to fit a terminal.
struct Lines<W> {
    out: W,
    layout: TableLayout,
}

impl<W: Write> Lines<W> {
    /// One line (or several, `\n`-separated); continuation lines are
    /// indented by `hang`.
    fn line(&mut self, text: &str, hang: usize) -> io::Result<()> {
        for line in text.split('\n') {
            match self.layout {
                TableLayout::Fit(max) => {
                    for part in wrap(line, max, hang) {
                        writeln!(self.out, "{part}")?;
                    }
                }
                TableLayout::Full => writeln!(self.out, "{line}")?,
            }
        }
        Ok(())
    }
}

/// Whether a host is listed under "What to do".
fn needs_something(a: &HostAssessment) -> bool {
    a.verdict != Verdict::Ready
        || a.findings.iter().any(|f| f.severity >= Severity::Medium)
        || a.modules
            .iter()
            .any(|m| m.outcome != acsready_assess::Outcome::Installs)
}

impl TableReport {
    /// A report with every column in full.
    pub fn new(style: Style) -> Self {
        TableReport {
            style,
            layout: TableLayout::Full,
            hosts: Vec::new(),
        }
    }

    /// The same, laid out as `layout` says.
    pub fn laid_out(self, layout: TableLayout) -> Self {
        TableReport { layout, ..self }
    }

    pub fn host(&mut self, a: HostAssessment) {
        self.hosts.push(a);
    }

    /// Writes the report to `out`.
    pub fn finish<W: Write>(
        self,
        out: W,
        summary: &Summary,
        problems: &Problems,
    ) -> io::Result<()> {
        let lang = self.style.lang;
        let color = self.style.color;
        let mut out = Lines {
            out,
            layout: self.layout,
        };
        if !self.hosts.is_empty() {
            write_table(&mut out.out, &self.hosts, &self.style, self.layout)?;
        }
        let mut todo = self.hosts.iter().filter(|a| needs_something(a)).peekable();
        if todo.peek().is_some() {
            out.line(&format!("\n{}:", Label::Details.text(lang)), 0)?;
        }
        for a in todo {
            let verdict = verdict_label(a.verdict, lang);
            let ansi = verdict_colour(a.verdict).ansi;
            writeln!(out.out, "\n{} — {}", a.host, paint(verdict, ansi, color))?;
            for f in a.findings.iter().filter(|f| f.severity > Severity::Info) {
                out.line(&format!("  [{}] {} {}", f.severity, f.code, f.title), 4)?;
                for step in &f.remediation {
                    out.line(&format!("      - {step}"), 8)?;
                }
            }
            for m in &a.modules {
                out.line(
                    &format!("  {} → {}: {}", m.path, m.outcome.as_str(), m.reason),
                    4,
                )?;
            }
        }
        for (key, list) in [
            (Label::InputErrors, &problems.errors),
            (Label::Warnings, &problems.warnings),
        ] {
            if !list.is_empty() {
                out.line(&format!("\n{}:", key.text(lang)), 0)?;
                for e in list {
                    out.line(&format!("  {}", e.line(Label::HostWord.text(lang))), 4)?;
                }
            }
        }
        out.line(&format!("\n{}", summary_line(summary, lang)), 2)?;
        out.out.flush()
    }
}

/// The counts alone (`assess --summary`), broken to fit as `layout` says.
pub fn write_summary_line<W: Write>(
    out: W,
    summary: &Summary,
    lang: Lang,
    layout: TableLayout,
) -> io::Result<()> {
    Lines { out, layout }.line(&summary_line(summary, lang), 2)
}

/// "Summary: 48 hosts — ready 12, not ready 20, unknown 9, unsupported 7".
pub fn summary_line(s: &Summary, lang: Lang) -> String {
    let counts = Verdict::ALL
        .iter()
        .map(|v| format!("{} {}", verdict_label(*v, lang), thousands(s.count(*v))))
        .collect::<Vec<_>>()
        .join(", ");
    let actions = acsready_assess::Action::ALL
        .iter()
        .filter(|a| s.action_count(**a) > 0)
        .map(|a| {
            let n = thousands(s.action_count(*a));
            format!("{} {n}", crate::action_label(*a, lang))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut line = format!(
        "{}: {} — {counts}",
        Label::Summary.text(lang),
        count_of(s.hosts, Label::HostOne, Label::Hosts, lang)
    );
    if !actions.is_empty() {
        line.push_str(&format!("; {}: {actions}", Label::AgentsTotal.text(lang)));
    }
    if s.not_assessed > 0 {
        line.push_str(&format!(
            "\n{}: {} {}",
            Label::NotAssessed.text(lang),
            thousands(s.not_assessed),
            Label::NotAssessedHint.text(lang)
        ));
    }
    line
}
