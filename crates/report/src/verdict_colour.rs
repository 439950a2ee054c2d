//! The colour of each verdict, written once: the terminal table, the HTML
//! report (its charts and its styles) and the server's dashboard take it
//! from here. The style sheets say `{verdict_colours}` where the CSS custom
//! properties go (`--ready`, `--not_ready`… named by [`Verdict::as_str`]).

use std::fmt;

use acsready_assess::Verdict;
use comfy_table::Color;

/// How one verdict is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerdictColour {
    /// For web pages ("#2e7d32").
    pub css: &'static str,
    /// For the table in a terminal.
    pub terminal: Color,
    /// The ANSI foreground code of `terminal`, for lines outside the table.
    pub ansi: u8,
}

pub fn verdict_colour(v: Verdict) -> VerdictColour {
    let (css, terminal, ansi) = match v {
        Verdict::Ready => ("#2e7d32", Color::Green, 32),
        Verdict::NotReady => ("#c62828", Color::Red, 31),
        Verdict::Unknown => ("#b26a00", Color::Yellow, 33),
        Verdict::Unsupported => ("#6a1b9a", Color::Magenta, 35),
    };
    VerdictColour {
        css,
        terminal,
        ansi,
    }
}

/// Where a style sheet takes the verdicts' custom properties.
const PLACE: &str = "{verdict_colours}";

/// "--ready:#2e7d32;--not_ready:#c62828;…", every verdict in order.
pub fn verdict_css_properties() -> String {
    Verdict::ALL
        .map(|v| format!("--{}:{}", v.as_str(), verdict_colour(v).css))
        .join(";")
}

/// A style sheet whose `{verdict_colours}` is written when it is shown.
#[derive(Debug, Clone, Copy)]
pub struct StyleSheet(pub &'static str);

impl fmt::Display for StyleSheet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_once(PLACE) {
            Some((before, after)) => {
                write!(f, "{before}{}{after}", verdict_css_properties())
            }
            None => f.write_str(self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_style_sheets_get_every_verdict() {
        let css = StyleSheet(":root{{verdict_colours};--line:#d0d4da}").to_string();
        assert_eq!(
            css,
            ":root{--ready:#2e7d32;--not_ready:#c62828;--unknown:#b26a00;--unsupported:#6a1b9a;--line:#d0d4da}"
        );
    }
}
