//! Renders assessments: a terminal table, a JSON report (streamed, the
//! contract other tools read), and CSV. Renderers know nothing of parsing or
//! rules logic; they only lay out [`HostAssessment`]s.

mod csv_out;
mod csv_rows;
mod encode;
mod explain;
mod html;
mod json;
mod json_host;
mod names;
mod numbers;
mod preflight;
mod preflight_html;
mod reporter;
mod rows;
mod rules_view;
mod table;
mod table_layout;
mod ui;
mod verdict_colour;

use acsready_assess::HostAssessment;
use serde::{Deserialize, Serialize};

pub use csv_out::CsvReport;
pub use csv_rows::csv_cell;
pub use encode::{HostEncoder, HostEncoding, Streamed};
pub use explain::explain_text;
pub use html::{script_labels, HtmlPart, HtmlReport, CSS as PAGE_STYLE};
pub use json::{Generator, JsonReport, JsonlReport, Report, SummaryReport, REPORT_SCHEMA};
pub use names::ProductNames;
pub use numbers::{count_of, thousands};
pub use preflight::{PreflightReport, PREFLIGHT_COLUMNS, PREFLIGHT_SCHEMA};
pub use reporter::{reporter, ReportFormat, Reporter};
pub use rows::{
    host_codes, listed_codes, listed_in_row, plan_line, release_bars, ReleaseBar, RELEASE_BARS,
};
pub use rules_view::{rules_json, rules_table};
pub use table::{summary_line, write_summary_line, TableReport};
pub use table_layout::TableLayout;
pub use ui::{action_label, verdict_label, Label, HOST_COLUMNS};
pub use verdict_colour::{verdict_colour, verdict_css_properties, StyleSheet, VerdictColour};

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
    /// The host the input is about, when it can be recognised (the `host`
    /// of a record that is otherwise invalid, the name of a host folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub message: String,
}

impl InputProblem {
    /// A problem of `source` (a file, "file:line"), about no known host.
    pub fn new(source: impl Into<String>, message: impl Into<String>) -> InputProblem {
        InputProblem {
            source: source.into(),
            host: None,
            message: message.into(),
        }
    }

    /// The same problem, naming the host it is about (when known).
    pub fn about(mut self, host: Option<String>) -> InputProblem {
        self.host = host.filter(|h| !h.trim().is_empty());
        self
    }

    /// "source (host H): message", or the parts there are; `host` is the
    /// word for host in the reader's language.
    pub fn line(&self, host: &str) -> String {
        let mut place = self.source.clone();
        if let Some(h) = &self.host {
            if !place.is_empty() {
                place.push(' ');
            }
            place.push_str(&format!("({host} {h})"));
        }
        if place.is_empty() {
            self.message.clone()
        } else {
            format!("{place}: {}", self.message)
        }
    }
}

/// What went wrong with the inputs: errors (an input or record could not be
/// assessed: exit code 2) and warnings (something was skipped, the host was
/// still assessed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    pub errors: Vec<InputProblem>,
    pub warnings: Vec<InputProblem>,
}

/// Options every renderer shares.
#[derive(Debug, Clone)]
pub struct Style {
    pub lang: acsready_rules::Lang,
    /// ANSI colours (a terminal without NO_COLOR).
    pub color: bool,
    /// The names of the products, from the rules.
    pub names: ProductNames,
}

/// The agents of a host in one line, products by name:
/// "Deep Security Agent 20.0.0.5394 → pin 20.0.0.6313".
pub fn agents_line(a: &HostAssessment, style: &Style) -> String {
    a.agents
        .iter()
        .map(|p| {
            plan_line(
                style.names.get(&p.product, style.lang),
                &p.version,
                p.action,
                &p.target,
                style.lang,
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use acsready_assess::{Action, AgentPlan, Evidence, Finding, OsSummary, Summary, Verdict};
    use acsready_rules::{Lang, Severity};

    /// A not-ready Server 2019 host with one finding and one pinned agent.
    pub(crate) fn host(name: &str, verdict: Verdict) -> HostAssessment {
        HostAssessment {
            host: name.into(),
            os: OsSummary {
                name: "Windows Server 2019".into(),
                build: Some(17763),
                ubr: Some(2183),
                release: Some("win10-1809".into()),
            },
            verdict,
            findings: vec![Finding {
                code: "ACS001".into(),
                severity: Severity::High,
                title: "Update, \"quoted\", missing".into(),
                evidence: vec![Evidence {
                    fact: "os.ubr".into(),
                    value: "2183".into(),
                    source: None,
                }],
                remediation: vec!["Install KB5005625".into(), "行 2".into()],
                params: Default::default(),
            }],
            agents: vec![AgentPlan {
                product: "deep_security_agent".into(),
                version: "20.0.0.5137".into(),
                action: Action::Pin,
                target: "20.0.0.6313".into(),
                reason: "keep".into(),
                reason_code: String::new(),
            }],
            sources: vec!["f.ndjson:1".into()],
            modules: vec![],
        }
    }

    /// No colours, the products named as the embedded rules name them.
    pub(crate) fn style(lang: Lang) -> Style {
        let rules = acsready_rules::Rules::embedded().unwrap();
        Style {
            lang,
            color: false,
            names: ProductNames::of(&rules),
        }
    }

    fn summary(hosts: &[HostAssessment]) -> Summary {
        let mut s = Summary::default();
        hosts.iter().for_each(|h| s.add(h));
        s
    }

    fn identity() -> RulesIdentity {
        RulesIdentity {
            version: "1".into(),
            as_of: "2026-01-01".into(),
            schema_version: 1,
            origin: "test".into(),
        }
    }

    #[test]
    fn streamed_json_reads_back_as_a_report() {
        let hosts = [host("a", Verdict::NotReady), host("b", Verdict::Ready)];
        let s = summary(&hosts);
        let problems = [InputProblem {
            host: None,
            source: "x:3:1".into(),
            message: "bad".into(),
        }];
        let mut w = JsonReport::begin(Vec::new(), &identity(), Lang::Ja).unwrap();
        for h in &hosts {
            w.host(h).unwrap();
        }
        let all = Problems {
            errors: problems.to_vec(),
            warnings: vec![InputProblem {
                host: None,
                source: "a.evtx".into(),
                message: "record 7 damaged".into(),
            }],
        };
        let bytes = w.finish(&s, &all).unwrap();
        let r: Report = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(r.hosts, hosts);
        assert_eq!(r.summary, s);
        assert_eq!(r.errors, problems);
        assert_eq!(r.warnings, all.warnings);
        assert_eq!(r.lang, "ja");
        assert_eq!(r.schema, REPORT_SCHEMA);
    }

    #[test]
    fn empty_json_report_has_empty_arrays() {
        let bytes = JsonReport::begin(Vec::new(), &identity(), Lang::En)
            .unwrap()
            .finish(&Summary::default(), &Problems::default())
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["hosts"], serde_json::json!([]));
        assert_eq!(v["errors"], serde_json::json!([]));
    }

    #[test]
    fn csv_quotes_and_keeps_columns() {
        let mut c = CsvReport::begin(Vec::new(), style(Lang::En)).unwrap();
        c.host(&host("a,b", Verdict::NotReady)).unwrap();
        let bytes = c.finish().unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(row.len(), csv_out::COLUMNS.len());
        assert_eq!(&row[0], "a,b");
        assert_eq!(&row[1], "not_ready");
        assert_eq!(&row[7], "ACS001");
        assert!(row[8].contains("\"quoted\""));
        assert_eq!(&row[9], "Deep Security Agent 20.0.0.5137 → pin 20.0.0.6313");
        assert_eq!(&row[11], "Install KB5005625 | 行 2");
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_quoted() {
        for formula in ["=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_cell(formula), format!("'{formula}"));
        }
        for text in [
            "web01",
            "20.0.0.6313",
            "2026-11-01T00:30:00Z",
            "",
            "a=b",
            "'x",
            "日本",
        ] {
            assert_eq!(csv_cell(text), text);
        }
        for per_finding in [false, true] {
            let mut h = host("=cmd|' /C calc'!A0", Verdict::NotReady);
            h.os.name = "@SUM(1)".into();
            let mut c = if per_finding {
                CsvReport::per_finding(Vec::new(), style(Lang::En))
            } else {
                CsvReport::begin(Vec::new(), style(Lang::En))
            }
            .unwrap();
            c.host(&h).unwrap();
            let bytes = c.finish().unwrap();
            let mut r = csv::Reader::from_reader(&bytes[3..]);
            let row = r.records().next().unwrap().unwrap();
            assert_eq!(&row[0], "'=cmd|' /C calc'!A0");
            assert_eq!(&row[1], "not_ready");
            assert_eq!(&row[2], "'@SUM(1)");
        }
    }

    #[test]
    fn table_lists_what_to_do_and_the_counts() {
        let hosts = vec![
            host("web01", Verdict::NotReady),
            host("web02", Verdict::Ready),
        ];
        let s = summary(&hosts);
        let mut t = TableReport::new(style(Lang::En));
        for h in hosts {
            t.host(h);
        }
        let mut out = Vec::new();
        t.finish(&mut out, &s, &Problems::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("web01 — not ready"));
        assert!(text.contains("      - Install KB5005625"));
        assert!(text.contains(
            "Summary: 2 hosts — ready 1, not ready 1, unknown 0, unsupported 0; agents: pin 2"
        ));
        assert!(!text.contains('\x1b'));
    }

    /// A host with a Deep Security Agent and an Apex One agent (whose
    /// Japanese name differs from its English one).
    pub(crate) fn host_with_two_agents() -> HostAssessment {
        let mut h = host("web01", Verdict::NotReady);
        h.agents.push(AgentPlan {
            product: "apex_one_agent".into(),
            version: "14.0.9204".into(),
            action: Action::Pin,
            target: "14.0.12011".into(),
            reason: String::new(),
            reason_code: String::new(),
        });
        h
    }

    /// The agents line people read, in `lang`.
    pub(crate) fn named_agents(lang: Lang) -> &'static str {
        match lang {
            Lang::En => {
                "Deep Security Agent 20.0.0.5137 → pin 20.0.0.6313; \
                 Apex One security agent 14.0.9204 → pin 14.0.12011"
            }
            Lang::Ja => {
                "Deep Security Agent 20.0.0.5137 → 固定 20.0.0.6313; \
                 Apex One セキュリティエージェント 14.0.9204 → 固定 14.0.12011"
            }
        }
    }

    #[test]
    fn table_and_csv_name_products_in_the_readers_language() {
        for lang in [Lang::En, Lang::Ja] {
            let h = host_with_two_agents();
            let mut t = TableReport::new(style(lang));
            t.host(h.clone());
            let mut out = Vec::new();
            t.finish(
                &mut out,
                &summary(std::slice::from_ref(&h)),
                &Problems::default(),
            )
            .unwrap();
            let table = String::from_utf8(out).unwrap();
            let expected = named_agents(lang);
            for part in expected.split("; ") {
                // The table may wrap long cells: look for the name alone
                // ("NAME VERSION → ACTION TARGET").
                let name = part.rsplitn(5, ' ').last().unwrap();
                assert!(table.contains(name), "{lang:?}: {name} in\n{table}");
            }
            assert!(!table.contains("_agent"), "{lang:?}: an id in\n{table}");

            for per_finding in [false, true] {
                let mut c = if per_finding {
                    CsvReport::per_finding(Vec::new(), style(lang)).unwrap()
                } else {
                    CsvReport::begin(Vec::new(), style(lang)).unwrap()
                };
                c.host(&h).unwrap();
                let bytes = c.finish().unwrap();
                let mut r = csv::Reader::from_reader(&bytes[3..]);
                let column = r.headers().unwrap().iter().position(|c| c == "agents");
                let row = r.records().next().unwrap().unwrap();
                assert_eq!(&row[column.unwrap()], expected, "{lang:?}");
                assert!(!row.iter().any(|c| c.contains("_agent")), "{row:?}");
            }
        }
    }

    #[test]
    fn products_unknown_to_the_rules_show_their_ids() {
        let mut h = host("a", Verdict::NotReady);
        h.agents[0].product = "future_agent".into();
        assert_eq!(
            agents_line(&h, &style(Lang::Ja)),
            "future_agent 20.0.0.5137 → 固定 20.0.0.6313"
        );
    }

    #[test]
    fn json_keeps_the_product_ids() {
        let h = host_with_two_agents();
        let mut w = JsonReport::begin(Vec::new(), &identity(), Lang::Ja).unwrap();
        w.host(&h).unwrap();
        let bytes = w.finish(&summary(&[h]), &Problems::default()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let products: Vec<&str> = v["hosts"][0]["agents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["product"].as_str().unwrap())
            .collect();
        assert_eq!(products, ["deep_security_agent", "apex_one_agent"]);
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains("セキュリティエージェント"), "{text}");
    }

    #[test]
    fn rules_view_shows_every_windows_row() {
        let rules = acsready_rules::Rules::embedded().unwrap();
        let text = rules_table(&rules, Lang::En);
        for row in &rules.windows {
            assert!(text.contains(&row.id), "{}", row.id);
        }
        assert!(text.contains("≥ 17763.2210 (KB5005625"));
    }
}
