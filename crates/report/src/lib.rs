//! Renders assessments: a terminal table, a JSON report (streamed, the
//! contract other tools read), and CSV. Renderers know nothing of parsing or
//! rules logic; they only lay out [`HostAssessment`]s.

mod csv_out;
mod json;
mod rules_view;
mod table;
mod ui;

use acsready_assess::HostAssessment;
use serde::{Deserialize, Serialize};

pub use csv_out::CsvReport;
pub use json::{Generator, JsonReport, Report, SummaryReport, REPORT_SCHEMA};
pub use rules_view::{rules_json, rules_table};
pub use table::{explain_text, summary_line, TableReport};
pub use ui::{action_label, verdict_label};

/// Which rules produced a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesIdentity {
    pub version: String,
    pub as_of: String,
    pub schema_version: u32,
    /// Where the rules were read from.
    pub origin: String,
}

impl RulesIdentity {
    pub fn of(rules: &acsready_rules::Rules) -> Self {
        RulesIdentity {
            version: rules.rules_version.clone(),
            as_of: rules.as_of.clone(),
            schema_version: rules.schema_version,
            origin: rules.origin.clone(),
        }
    }
}

/// An input record that could not be assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputProblem {
    /// "file:line" or "file".
    pub source: String,
    pub message: String,
}

/// Options every renderer shares.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub lang: acsready_rules::Lang,
    /// ANSI colours (a terminal without NO_COLOR).
    pub color: bool,
}

/// The agents of a host in one line: "deep_security_agent 20.0.0.6313 → pin 20.0.0.6313".
pub fn agents_line(a: &HostAssessment, lang: acsready_rules::Lang) -> String {
    a.agents
        .iter()
        .map(|p| {
            format!(
                "{} {} → {} {}",
                p.product,
                p.version,
                action_label(p.action, lang),
                p.target
            )
            .trim_end()
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("; ")
}
