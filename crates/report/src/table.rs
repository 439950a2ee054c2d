//! The terminal view: one row per host, then what to do for every host that is
//! not ready, then the counts.

use std::io::{self, Write};

use acsready_assess::{HostAssessment, Severity, Summary, Verdict};
use acsready_rules::Lang;
use comfy_table::{presets, Cell, ContentArrangement, Table};

use crate::ui::{verdict_label, Label, HOST_COLUMNS};
use crate::verdict_colour::{verdict_colour, VerdictColour};
use crate::{agents_line, Problems, Style};

/// Collects hosts, then prints the table (column widths need every row).
pub struct TableReport {
    style: Style,
    hosts: Vec<HostAssessment>,
}

fn paint(text: &str, colour: VerdictColour, on: bool) -> String {
    if !on {
        return text.to_string();
    }
    format!("\x1b[{}m{text}\x1b[0m", colour.ansi)
}

impl TableReport {
    pub fn new(style: Style) -> Self {
        TableReport {
            style,
            hosts: Vec::new(),
        }
    }

    pub fn host(&mut self, a: HostAssessment) {
        self.hosts.push(a);
    }

    pub fn finish<W: Write>(
        self,
        mut out: W,
        summary: &Summary,
        problems: &Problems,
    ) -> io::Result<()> {
        let lang = self.style.lang;
        let color = self.style.color;
        if !self.hosts.is_empty() {
            let mut table = Table::new();
            table
                .load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header(HOST_COLUMNS.map(|l| l.text(lang)));
            if !color {
                table.force_no_tty();
            }
            for a in &self.hosts {
                let build = match (a.os.build, a.os.ubr) {
                    (Some(b), Some(u)) => format!("{b}.{u}"),
                    (Some(b), None) => b.to_string(),
                    _ => String::new(),
                };
                let codes = a
                    .findings
                    .iter()
                    .filter(|f| f.severity > Severity::Info)
                    .map(|f| f.code.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let mut verdict = Cell::new(verdict_label(a.verdict, lang));
                if color {
                    verdict = verdict.fg(verdict_colour(a.verdict).terminal);
                }
                table.add_row(vec![
                    Cell::new(&a.host),
                    Cell::new(&a.os.name),
                    Cell::new(build),
                    verdict,
                    Cell::new(codes),
                    Cell::new(agents_line(a, &self.style)),
                ]);
            }
            writeln!(out, "{table}")?;
        }
        let todo: Vec<&HostAssessment> = self
            .hosts
            .iter()
            .filter(|a| {
                a.verdict != Verdict::Ready
                    || a.findings.iter().any(|f| f.severity >= Severity::Medium)
                    || a.modules
                        .iter()
                        .any(|m| m.outcome != acsready_assess::Outcome::Installs)
            })
            .collect();
        if !todo.is_empty() {
            writeln!(out, "\n{}:", Label::Details.text(lang))?;
        }
        for a in todo {
            writeln!(
                out,
                "\n{} — {}",
                a.host,
                paint(
                    verdict_label(a.verdict, lang),
                    verdict_colour(a.verdict),
                    color
                )
            )?;
            for f in a.findings.iter().filter(|f| f.severity > Severity::Info) {
                writeln!(out, "  [{}] {} {}", f.severity, f.code, f.title)?;
                for step in &f.remediation {
                    writeln!(out, "      - {step}")?;
                }
            }
            for m in &a.modules {
                writeln!(out, "  {} → {}: {}", m.path, m.outcome.as_str(), m.reason)?;
            }
        }
        for (key, list) in [
            (Label::InputErrors, &problems.errors),
            (Label::Warnings, &problems.warnings),
        ] {
            if !list.is_empty() {
                writeln!(out, "\n{}:", key.text(lang))?;
                for e in list {
                    writeln!(out, "  {}", e.line(Label::HostWord.text(lang)))?;
                }
            }
        }
        writeln!(out, "\n{}", summary_line(summary, lang))?;
        out.flush()
    }
}

/// "Summary: 48 hosts — ready 12, not ready 20, unknown 9, unsupported 7".
pub fn summary_line(s: &Summary, lang: Lang) -> String {
    let counts = Verdict::ALL
        .iter()
        .map(|v| format!("{} {}", verdict_label(*v, lang), s.count(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let actions = acsready_assess::Action::ALL
        .iter()
        .filter(|a| s.action_count(**a) > 0)
        .map(|a| format!("{} {}", crate::action_label(*a, lang), s.action_count(*a)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut line = format!(
        "{}: {} {} — {counts}",
        Label::Summary.text(lang),
        s.hosts,
        Label::Hosts.text(lang)
    );
    if !actions.is_empty() {
        line.push_str(&format!("; {}: {actions}", Label::AgentsTotal.text(lang)));
    }
    if s.not_assessed > 0 {
        line.push_str(&format!(
            "\n{}: {} {}",
            Label::NotAssessed.text(lang),
            s.not_assessed,
            Label::NotAssessedHint.text(lang)
        ));
    }
    line
}
