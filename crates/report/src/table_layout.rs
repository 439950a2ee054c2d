//! The host table laid out: one line per host, columns two spaces apart,
//! no borders (as `kubectl get` and `docker ps`), so `grep`, `sort` and
//! `less -S` take it as it is. On a terminal the table fits the width: the
//! agent plan is shortened, the codes collapsed, the OS label shortened,
//! then the OS, the plan, the build and the codes dropped, in that order; a cell is never cut, so host names,
//! versions and codes always show whole.

use std::io::{self, Write};

use acsready_assess::{HostAssessment, Severity};
use unicode_width::UnicodeWidthStr;

use crate::ui::{verdict_label, Label};
use crate::verdict_colour::verdict_colour;
use crate::{action_label, agents_line, Style};

/// How the host table is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableLayout {
    /// Fit a terminal this many columns wide.
    Fit(usize),
    /// Every column in full (piped, a file, `--wide`).
    Full,
}

/// A column of the host table, in one of its forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Host,
    /// "Windows 10 1809 / LTSC 2019".
    Os,
    /// "10 1809".
    OsShort,
    Build,
    Verdict,
    /// Every code once, in order of first appearance.
    Codes,
    /// The first code and how many others: "ACS001 +2".
    CodesCollapsed,
    /// "Deep Security Agent 20.0.0.5394 → pin 20.0.0.6313".
    Plan,
    /// "Deep Security Agent → pin 20.0.0.6313".
    PlanByName,
    /// "pin 20.0.0.6313".
    PlanTargets,
    /// "pin".
    PlanActions,
}

use Column::*;

/// How many forms of columns there are.
const FORMS: usize = PlanActions as usize + 1;

/// The forms of the table, from the widest to the narrowest: the first that
/// fits is shown (the last one whatever the width).
const STEPS: &[&[Column]] = &[
    &[Host, Os, Build, Verdict, Codes, Plan],
    &[Host, Os, Build, Verdict, Codes, PlanByName],
    &[Host, Os, Build, Verdict, Codes, PlanTargets],
    &[Host, Os, Build, Verdict, CodesCollapsed, PlanTargets],
    &[Host, OsShort, Build, Verdict, CodesCollapsed, PlanTargets],
    &[Host, OsShort, Build, Verdict, CodesCollapsed, PlanActions],
    &[Host, Build, Verdict, CodesCollapsed, PlanActions],
    &[Host, Build, Verdict, CodesCollapsed],
    &[Host, Verdict, CodesCollapsed],
    &[Host, Verdict],
];

/// Between two columns.
const GAP: &str = "  ";

/// The columns a terminal shows.
pub(crate) fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// The finding codes of a host above `info`, each once, in order of first
/// appearance.
pub(crate) fn codes(a: &HostAssessment) -> Vec<&str> {
    let mut codes: Vec<&str> = Vec::new();
    for f in a.findings.iter().filter(|f| f.severity > Severity::Info) {
        if !codes.contains(&f.code.as_str()) {
            codes.push(&f.code);
        }
    }
    codes
}

/// "Windows 10 1809 / LTSC 2019" → "10 1809", "Windows Server 2019" →
/// "Server 2019": the first name, without "Windows".
fn short_os(name: &str) -> &str {
    let first = name.split(" / ").next().unwrap_or(name);
    first
        .strip_prefix("Windows ")
        .filter(|rest| !rest.trim().is_empty())
        .unwrap_or(first)
}

/// The agents in a shortened form, each distinct text once.
fn short_plan(a: &HostAssessment, style: &Style, form: Column) -> String {
    let mut parts: Vec<String> = Vec::new();
    for p in &a.agents {
        let action = action_label(p.action, style.lang);
        let part = match form {
            PlanByName => format!(
                "{} → {action} {}",
                style.names.get(&p.product, style.lang),
                p.target
            ),
            PlanTargets => format!("{action} {}", p.target),
            _ => action.to_string(),
        };
        let part = part.trim_end().to_string();
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts.join("; ")
}

/// Control characters of an input (a host name with a line break or an
/// escape sequence) would break the one line of its host: shown as �.
fn clean(text: String) -> String {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { '\u{fffd}' } else { c })
            .collect()
    } else {
        text
    }
}

impl Column {
    fn label(self) -> Label {
        match self {
            Host => Label::Host,
            Os | OsShort => Label::Os,
            Build => Label::Build,
            Verdict => Label::Verdict,
            Codes | CodesCollapsed => Label::Findings,
            Plan | PlanByName | PlanTargets | PlanActions => Label::Agents,
        }
    }

    fn text(self, a: &HostAssessment, style: &Style) -> String {
        clean(match self {
            Host => a.host.clone(),
            Os => a.os.name.clone(),
            OsShort => short_os(&a.os.name).to_string(),
            Build => match (a.os.build, a.os.ubr) {
                (Some(b), Some(u)) => format!("{b}.{u}"),
                (Some(b), None) => b.to_string(),
                _ => String::new(),
            },
            Verdict => verdict_label(a.verdict, style.lang).to_string(),
            Codes => codes(a).join(" "),
            CodesCollapsed => match codes(a).split_first() {
                Some((first, [])) => first.to_string(),
                Some((first, rest)) => format!("{first} +{}", rest.len()),
                None => String::new(),
            },
            Plan => agents_line(a, style),
            PlanByName | PlanTargets | PlanActions => short_plan(a, style, self),
        })
    }
}

/// The columns shown and their widths.
fn choose(
    hosts: &[HostAssessment],
    style: &Style,
    layout: TableLayout,
) -> (&'static [Column], Vec<usize>) {
    let mut widest = [None::<usize>; FORMS];
    let mut width_of = |c: Column| -> usize {
        *widest[c as usize].get_or_insert_with(|| {
            hosts
                .iter()
                .map(|a| width(&c.text(a, style)))
                .fold(width(c.label().text(style.lang)), usize::max)
        })
    };
    let mut shown = (STEPS[0], Vec::new());
    for columns in STEPS {
        let widths: Vec<usize> = columns.iter().map(|c| width_of(*c)).collect();
        let total = widths.iter().sum::<usize>() + GAP.len() * (widths.len() - 1);
        shown = (*columns, widths);
        match layout {
            TableLayout::Full => break,
            TableLayout::Fit(max) if total <= max => break,
            TableLayout::Fit(_) => {}
        }
    }
    shown
}

/// `text` in the colour of ANSI code `ansi`, when `on`.
pub(crate) fn paint(text: &str, ansi: u8, on: bool) -> String {
    if !on {
        return text.to_string();
    }
    format!("\x1b[{ansi}m{text}\x1b[0m")
}

/// One line of cells, padded to the column widths (the last cell is not
/// padded, no line ends in spaces); `paint_at` colours one cell (ANSI code).
fn write_row<W: Write>(
    out: &mut W,
    cells: &[String],
    widths: &[usize],
    paint_at: Option<(usize, u8)>,
) -> io::Result<()> {
    let mut line = String::new();
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str(GAP);
        }
        match paint_at {
            Some((at, ansi)) if at == i => line.push_str(&paint(cell, ansi, true)),
            _ => line.push_str(cell),
        }
        if i + 1 < cells.len() {
            line.extend(std::iter::repeat_n(' ', w.saturating_sub(width(cell))));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// The host table: a header, then one line per host.
pub(crate) fn write_table<W: Write>(
    out: &mut W,
    hosts: &[HostAssessment],
    style: &Style,
    layout: TableLayout,
) -> io::Result<()> {
    let (columns, widths) = choose(hosts, style, layout);
    let header: Vec<String> = columns
        .iter()
        .map(|c| c.label().text(style.lang).to_string())
        .collect();
    write_row(out, &header, &widths, None)?;
    let verdict_at = columns.iter().position(|c| *c == Verdict);
    for a in hosts {
        let cells: Vec<String> = columns.iter().map(|c| c.text(a, style)).collect();
        let paint = verdict_at
            .filter(|_| style.color)
            .map(|at| (at, verdict_colour(a.verdict).ansi));
        write_row(out, &cells, &widths, paint)?;
    }
    Ok(())
}

/// Characters a line does not start with (Japanese closing punctuation,
/// small kana, the prolonged sound mark; closing ASCII punctuation).
const NO_BREAK_BEFORE: &str =
    "、。，．：；？！）」』】〕〉》ーっゃゅょぁぃぅぇぉッャュョァィゥェォ)]}.,:;!?";
/// Characters a line does not end with (opening brackets).
const NO_BREAK_AFTER: &str = "（「『【〔〈《([{";

fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

/// The pieces a line may break between, each with whether a space comes
/// before it: words of narrow characters (split at spaces, never inside,
/// so codes, versions and paths stay whole) and, in Japanese, which has no
/// spaces, each wide character.
fn pieces(text: &str) -> Vec<(bool, String)> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut space = false;
    for c in text.chars() {
        if c == ' ' {
            if !piece.is_empty() {
                pieces.push((space, std::mem::take(&mut piece)));
            }
            space = true;
            continue;
        }
        if let Some(last) = piece.chars().next_back() {
            if (is_wide(c) || is_wide(last))
                && !NO_BREAK_BEFORE.contains(c)
                && !NO_BREAK_AFTER.contains(last)
            {
                pieces.push((space, std::mem::take(&mut piece)));
                space = false;
            }
        }
        piece.push(c);
    }
    if !piece.is_empty() {
        pieces.push((space, piece));
    }
    pieces
}

/// `text` broken into lines of at most `max` columns, between words (and
/// between Japanese characters), the lines after the first indented by
/// `hang` spaces (less for a word that would not fit otherwise). A word
/// longer than a line keeps a line of its own, whole.
pub(crate) fn wrap(text: &str, max: usize, hang: usize) -> Vec<String> {
    let body = text.trim_start_matches(' ');
    let mut line = text[..text.len() - body.len()].to_string();
    let mut empty = true;
    let mut lines = Vec::new();
    for (space, piece) in pieces(body) {
        let space = space && !empty;
        if !empty && width(&line) + usize::from(space) + width(&piece) > max {
            let indent = hang.min(max.saturating_sub(width(&piece)));
            lines.push(std::mem::replace(&mut line, " ".repeat(indent)));
        } else if space {
            line.push(' ');
        }
        line.push_str(&piece);
        empty = false;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use acsready_assess::{Action, AgentPlan, Finding, Verdict};
    use acsready_rules::Lang;

    use super::*;
    use crate::tests::{host, host_with_two_agents, style};

    fn finding(code: &str, severity: Severity) -> Finding {
        let mut f = host("x", Verdict::NotReady).findings.remove(0);
        f.code = code.into();
        f.severity = severity;
        f
    }

    /// A host with repeated codes, a long name and two agents.
    fn busy() -> HostAssessment {
        let mut h = host_with_two_agents();
        h.host = "apexone-srv01.corp.example.jp".into();
        h.os.name = "Windows 10 1809 / LTSC 2019".into();
        h.findings = ["ACS001", "ACS023", "ACS023", "ACS021", "ACS021"]
            .iter()
            .map(|c| finding(c, Severity::High))
            .chain([finding("ACS100", Severity::Info)])
            .collect();
        h
    }

    fn table(hosts: &[HostAssessment], lang: Lang, layout: TableLayout) -> String {
        let mut out = Vec::new();
        write_table(&mut out, hosts, &style(lang), layout).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn in_full_the_columns_are_those_of_the_html_page() {
        let full: Vec<Label> = STEPS[0].iter().map(|c| c.label()).collect();
        assert_eq!(full, crate::ui::HOST_COLUMNS);
        // Every later form shows less.
        for pair in STEPS.windows(2) {
            assert!(pair[1].len() <= pair[0].len(), "{pair:?}");
        }
    }

    #[test]
    fn codes_show_once_in_order_of_first_appearance() {
        assert_eq!(codes(&busy()), ["ACS001", "ACS023", "ACS021"]);
        let text = table(&[busy()], Lang::En, TableLayout::Full);
        assert!(text.contains("  ACS001 ACS023 ACS021  "), "{text}");
    }

    #[test]
    fn full_is_one_line_per_host_with_everything() {
        let hosts = [busy(), host("web02", Verdict::Ready)];
        let text = table(&hosts, Lang::En, TableLayout::Full);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("Host  "), "{text}");
        assert!(lines[1].contains("Windows 10 1809 / LTSC 2019"));
        assert!(lines[1].contains("Apex One security agent 14.0.9204 → pin 14.0.12011"));
        assert!(lines.iter().all(|l| !l.ends_with(' ')), "{text:?}");
        // Columns line up: the verdicts start at the same column.
        let at = |l: &str, what: &str| width(&l[..l.find(what).unwrap()]);
        assert_eq!(at(lines[1], "not ready"), at(lines[2], "ready"));
    }

    #[test]
    fn a_narrow_terminal_shortens_then_drops_and_never_cuts() {
        let hosts = [busy(), host("web02", Verdict::Ready)];
        for lang in [Lang::En, Lang::Ja] {
            for max in [20, 40, 60, 80, 100, 120, 160] {
                let text = table(&hosts, lang, TableLayout::Fit(max));
                for line in text.lines() {
                    assert!(
                        width(line) <= max || max < 40,
                        "{lang:?} {max}: {line:?} in\n{text}"
                    );
                }
                // Whatever shows, shows whole.
                for word in text.split_whitespace() {
                    if word.starts_with("1776") {
                        assert_eq!(word, "17763.2183", "{lang:?} {max}\n{text}");
                    }
                    if word.starts_with("ACS") {
                        assert_eq!(word.len(), 6, "{lang:?} {max}\n{text}");
                    }
                }
                assert!(text.contains("17763.2183") || max < 80, "{max}\n{text}");
                assert!(text.contains("apexone-srv01.corp.example.jp"));
            }
        }
        let wide = table(&hosts, Lang::En, TableLayout::Fit(300));
        assert_eq!(wide, table(&hosts, Lang::En, TableLayout::Full));
        let at_160 = table(&hosts, Lang::En, TableLayout::Fit(160));
        assert!(at_160.contains("ACS001 ACS023 ACS021"), "{at_160}");
        assert!(at_160.contains("Windows 10 1809 / LTSC 2019"), "{at_160}");
        assert!(
            at_160.contains("pin 20.0.0.6313; pin 14.0.12011"),
            "{at_160}"
        );
        assert!(!at_160.contains("14.0.9204"), "{at_160}");
        let at_120 = table(&hosts, Lang::En, TableLayout::Fit(120));
        assert!(at_120.contains("ACS001 +2"), "{at_120}");
        assert!(
            at_120.contains("pin 20.0.0.6313; pin 14.0.12011"),
            "{at_120}"
        );
        let at_80 = table(&hosts, Lang::En, TableLayout::Fit(80));
        assert!(at_80.contains("ACS001 +2"), "{at_80}");
        assert!(at_80.contains("  not ready  ACS001 +2  pin\n"), "{at_80}");
    }

    #[test]
    fn shortened_forms() {
        assert_eq!(short_os("Windows 10 1809 / LTSC 2019"), "10 1809");
        assert_eq!(short_os("Windows Server 2019"), "Server 2019");
        assert_eq!(short_os("Windows"), "Windows");
        assert_eq!(short_os(""), "");
        let h = busy();
        let s = style(Lang::En);
        assert_eq!(CodesCollapsed.text(&h, &s), "ACS001 +2");
        assert_eq!(PlanTargets.text(&h, &s), "pin 20.0.0.6313; pin 14.0.12011");
        assert_eq!(PlanActions.text(&h, &s), "pin");
        let mut none = host("dsm", Verdict::Ready);
        none.agents = vec![AgentPlan {
            action: Action::None,
            target: String::new(),
            ..none.agents[0].clone()
        }];
        assert_eq!(PlanTargets.text(&none, &s), "none");
    }

    #[test]
    fn control_characters_do_not_break_the_line() {
        let mut h = host("a\nb\x1b[31m", Verdict::Ready);
        h.os.name = "x\ty".into();
        let text = table(&[h], Lang::En, TableLayout::Full);
        assert_eq!(text.lines().count(), 2, "{text:?}");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn wrap_breaks_between_words_only() {
        assert_eq!(wrap("  - aa bb cc dd", 9, 4), ["  - aa bb", "    cc dd"]);
        assert_eq!(
            wrap("x https://example.invalid/a/very/long/path y", 10, 2),
            ["x", "https://example.invalid/a/very/long/path", "  y"]
        );
        assert_eq!(wrap("  - a 12345678", 10, 4), ["  - a", "  12345678"]);
        assert_eq!(wrap("", 10, 2), [""]);
        assert_eq!(wrap("日本語 の 文", 6, 0), ["日本語", "の 文"]);
        // Japanese breaks between characters, never before 、 or 。, and
        // never inside an ASCII word.
        assert_eq!(
            wrap("KB5005619を入れ、再起動。", 14, 2),
            ["KB5005619を入", "  れ、再起動。"]
        );
        assert_eq!(
            wrap("「20.0.0.6313」に固定", 8, 0),
            ["「20.0.0.6313」", "に固定"]
        );
    }
}
