//! The report of `acsready preflight`: JSON (schema
//! `acsready.preflight/1`, docs/preflight.md), CSV (one row per finding)
//! and a table for people.

use std::io::{self, Write};

use acsready_preflight::{
    AgentSummary, Phase, Preflight, PreflightFinding, PreflightSummary, ServerSummary,
};
use acsready_rules::{Lang, Severity};
use comfy_table::{presets, ContentArrangement, Table};
use serde::{Deserialize, Serialize};

use crate::json::Generator;
use crate::ui::{severity_label, verdict_label, Label};
use crate::{InputProblem, Problems, RulesIdentity, Style};

/// Identifies the preflight report layout; bumped only on incompatible change.
pub const PREFLIGHT_SCHEMA: &str = "acsready.preflight/1";

/// The columns of the preflight CSV: one row per finding.
pub const PREFLIGHT_COLUMNS: [&str; 8] = [
    "code",
    "severity",
    "blocking",
    "title",
    "hosts",
    "evidence",
    "remediation",
    "phase",
];

/// A whole preflight report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightReport {
    pub schema: String,
    pub generator: Generator,
    pub rules: RulesIdentity,
    pub lang: String,
    /// "apex_one".
    pub preflight: String,
    #[serde(flatten)]
    pub result: Preflight,
    pub errors: Vec<InputProblem>,
    pub warnings: Vec<InputProblem>,
}

impl PreflightReport {
    pub fn new(rules: RulesIdentity, lang: Lang, result: Preflight, problems: Problems) -> Self {
        PreflightReport {
            schema: PREFLIGHT_SCHEMA.into(),
            generator: Generator::this(),
            rules,
            lang: lang.as_str().into(),
            preflight: "apex_one".into(),
            result,
            errors: problems.errors,
            warnings: problems.warnings,
        }
    }

    pub fn write_json<W: Write>(&self, mut out: W) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut out, self)?;
        writeln!(out)
    }

    pub fn write_csv<W: Write>(&self, mut out: W) -> io::Result<()> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        let io_err = io::Error::other;
        w.write_record(PREFLIGHT_COLUMNS).map_err(io_err)?;
        for f in &self.result.findings {
            let evidence = evidence_line(f);
            crate::csv_rows::write_cells(
                &mut w,
                [
                    f.code.as_str(),
                    f.severity.as_str(),
                    if f.blocking { "yes" } else { "no" },
                    f.title.as_str(),
                    &f.hosts.join(" "),
                    &evidence,
                    &f.remediation.join(" | "),
                    self.result.phase.as_str(),
                ],
            )?;
        }
        w.flush()
    }

    pub fn write_table<W: Write>(&self, mut out: W, style: Style) -> io::Result<()> {
        let lang = style.lang;
        let r = &self.result;
        let l = |label: Label| label.text(lang);
        writeln!(
            out,
            "{} ({}: {})",
            l(Label::PfTitle),
            l(Label::PfPhase),
            l(phase_label(r.phase))
        )?;
        writeln!(
            out,
            "{}: {}",
            l(Label::PfServer),
            server_text(&r.server, lang)
        )?;
        if !r.agents.is_empty() {
            let mut t = table();
            t.set_header([
                l(Label::PfAgent),
                "OS",
                l(Label::PfVersion),
                "ACS",
                "NoProgramUpgrade",
            ]);
            for a in &r.agents {
                t.add_row(agent_cells(a, lang));
            }
            writeln!(out, "{t}")?;
        }
        if !r.skipped.is_empty() {
            writeln!(out, "{}: {}", l(Label::PfNotChecked), r.skipped.join(", "))?;
        }
        writeln!(out)?;
        for f in &r.findings {
            let mark = if f.blocking {
                l(Label::PfBlocks)
            } else {
                severity_label(f.severity, lang)
            };
            writeln!(out, "[{mark}] {} {}", f.code, f.title)?;
            if !f.hosts.is_empty() {
                writeln!(out, "    {}: {}", l(Label::PfHosts), f.hosts.join(", "))?;
            }
            for e in &f.evidence {
                match &e.source {
                    Some(s) => writeln!(out, "    - {} = {} ({s})", e.fact, e.value)?,
                    None => writeln!(out, "    - {} = {}", e.fact, e.value)?,
                }
            }
            for step in &f.remediation {
                writeln!(out, "    → {step}")?;
            }
        }
        let s = &r.summary;
        writeln!(out)?;
        let by_severity = by_severity(s, lang)
            .map(|(name, n)| format!("{name} {n}"))
            .join(", ");
        let counts = counts(s).map(|(_, n, word, _)| format!("{n} {}", l(word)));
        writeln!(
            out,
            "{}: {} ({by_severity})",
            l(Label::PfSummary),
            counts.join(", ")
        )?;
        writeln!(out, "{}", l(result_labels(r.phase, s.blocked).0))?;
        let host = l(Label::HostWord);
        for e in &self.errors {
            writeln!(out, "{}: {}", l(Label::PfError), e.line(host))?;
        }
        for w in &self.warnings {
            writeln!(out, "{}: {}", l(Label::PfWarning), w.line(host))?;
        }
        Ok(())
    }
}

/// The words of a phase.
pub(crate) fn phase_label(phase: Phase) -> Label {
    match phase {
        Phase::Before => Label::PfBeforeTheUpgrade,
        Phase::After => Label::PfAfterTheUpgrade,
    }
}

/// The result line (table) and the banner (page), worded for the phase.
pub(crate) fn result_labels(phase: Phase, blocked: bool) -> (Label, Label) {
    match (phase, blocked) {
        (Phase::Before, true) => (Label::PfResultBlocked, Label::PfBannerBlocked),
        (Phase::Before, false) => (Label::PfResultNotBlocked, Label::PfBannerNotBlocked),
        (Phase::After, true) => (Label::PfResultAfterBlocked, Label::PfBannerAfterBlocked),
        (Phase::After, false) => (
            Label::PfResultAfterNotBlocked,
            Label::PfBannerAfterNotBlocked,
        ),
    }
}

/// The server in one line: name, version, OS and ACS verdict; or, when no
/// evidence of it was given, that and how to give it.
pub(crate) fn server_text(server: &ServerSummary, lang: Lang) -> String {
    if !server.evidence_given {
        return Label::PfNoServerEvidence.text(lang).to_string();
    }
    [
        server.host.as_str(),
        server.version.as_deref().unwrap_or("?"),
        server.os.as_ref().map_or("", |o| o.name.as_str()),
        server.verdict.map_or("", |v| verdict_label(v, lang)),
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join("  ")
}

/// An agent's row: host, OS, version, ACS verdict, NoProgramUpgrade.
pub(crate) fn agent_cells(a: &AgentSummary, lang: Lang) -> [String; 5] {
    let name = if a.os.name.is_empty() {
        "?"
    } else {
        &a.os.name
    };
    let os = match &a.unsupported_os {
        Some(_) => format!("{name} ({})", Label::PfUnsupported.text(lang)),
        None => name.to_string(),
    };
    [
        a.host.clone(),
        os,
        a.version.clone().unwrap_or_else(|| "?".into()),
        verdict_label(a.verdict, lang).to_string(),
        match a.no_program_upgrade {
            Some(true) => "1".into(),
            Some(false) => Label::PfNot1.text(lang).into(),
            None => "?".into(),
        },
    ]
}

/// The counts of a preflight: the page's element id, the count, its word
/// in the table and on the page.
pub(crate) fn counts(s: &PreflightSummary) -> [(&'static str, u64, Label, Label); 3] {
    [
        ("count-agents", s.agents, Label::PfAgents, Label::PfAgents),
        (
            "count-findings",
            s.findings,
            Label::PfFindingItems,
            Label::PfFindingsCount,
        ),
        (
            "count-blocking",
            s.blocking,
            Label::PfBlockingItems,
            Label::PfBlockingCount,
        ),
    ]
}

/// The counts by severity, most severe first, with the severity's name.
pub(crate) fn by_severity(s: &PreflightSummary, lang: Lang) -> [(&'static str, u64); 5] {
    [
        (Severity::Critical, s.critical),
        (Severity::High, s.high),
        (Severity::Medium, s.medium),
        (Severity::Low, s.low),
        (Severity::Info, s.info),
    ]
    .map(|(severity, n)| (severity_label(severity, lang), n))
}

fn table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .force_no_tty();
    t
}

fn evidence_line(f: &PreflightFinding) -> String {
    f.evidence
        .iter()
        .map(|e| format!("{}={}", e.fact, e.value))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use acsready_facts::HostFacts;
    use acsready_preflight::{run, Options, Phase, ServerEvidence};
    use acsready_rules::Rules;

    fn report(lang: Lang) -> PreflightReport {
        report_of(lang, Phase::Before)
    }

    fn report_of(lang: Lang, phase: Phase) -> PreflightReport {
        let rules = Rules::embedded().unwrap();
        let mut xp: HostFacts = serde_json::from_str(
            r#"{"host":"pc-xp","os":{"current_build":"2600","installation_type":"Client"}}"#,
        )
        .unwrap();
        xp.normalize().unwrap();
        let server = ServerEvidence {
            host: "osce".into(),
            ..Default::default()
        };
        let options = Options {
            phase,
            staged_rollout: false,
        };
        let result = run(&rules, lang, options, &[xp], &server, None).unwrap();
        PreflightReport::new(RulesIdentity::of(&rules), lang, result, Problems::default())
    }

    #[test]
    fn json_has_the_schema_and_no_null_lists() {
        let mut out = Vec::new();
        report(Lang::En).write_json(&mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema"], PREFLIGHT_SCHEMA);
        assert_eq!(v["phase"], "before");
        assert_eq!(v["summary"]["blocked"], true);
        assert_eq!(v["findings"][0]["code"], "ACS200");
        assert_eq!(v["findings"][0]["hosts"][0], "pc-xp");
        for key in ["agents", "findings", "errors", "warnings"] {
            assert!(v[key].is_array(), "{key}");
        }
        let back: PreflightReport = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, report(Lang::En));
    }

    #[test]
    fn csv_has_one_row_per_finding() {
        let r = report(Lang::Ja);
        let mut out = Vec::new();
        r.write_csv(&mut out).unwrap();
        assert!(out.starts_with("\u{feff}".as_bytes()));
        let mut rows = csv::Reader::from_reader(&out[3..]);
        assert_eq!(
            rows.headers().unwrap().iter().collect::<Vec<_>>(),
            PREFLIGHT_COLUMNS
        );
        let records: Vec<_> = rows.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), r.result.findings.len());
        assert_eq!(&records[0][0], "ACS200");
        assert_eq!(&records[0][2], "yes");
        assert!(records[0][3].contains("サポートしない OS"));
    }

    #[test]
    fn csv_cells_cannot_be_formulas() {
        let mut r = report(Lang::En);
        r.result.findings[0].hosts = vec!["=1+1".into(), "pc-xp".into()];
        let mut out = Vec::new();
        r.write_csv(&mut out).unwrap();
        let mut rows = csv::Reader::from_reader(&out[3..]);
        let records: Vec<_> = rows.records().map(Result::unwrap).collect();
        assert_eq!(&records[0][4], "'=1+1 pc-xp");
        assert_eq!(&records[0][0], "ACS200");
    }

    #[test]
    fn table_says_what_blocks() {
        let mut out = Vec::new();
        report(Lang::En)
            .write_table(&mut out, crate::tests::style(Lang::En))
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("[BLOCKS] ACS200"), "{text}");
        assert!(text.contains("the upgrade is blocked"), "{text}");
        assert!(text.contains("pc-xp"), "{text}");
        assert!(!text.contains("Not checked (no Apex One"), "{text}");
    }

    fn table_text(r: &PreflightReport, lang: Lang) -> String {
        let mut out = Vec::new();
        r.write_table(&mut out, crate::tests::style(lang)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn after_the_upgrade_the_result_is_worded_for_after_in_both_languages() {
        let en = table_text(&report_of(Lang::En, Phase::After), Lang::En);
        assert!(
            !en.contains("ACS200") && !en.contains("the upgrade is blocked"),
            "{en}"
        );
        assert!(
            en.contains("Result: after the upgrade, nothing blocks"),
            "{en}"
        );
        let ja = table_text(&report_of(Lang::Ja, Phase::After), Lang::Ja);
        assert!(
            ja.contains("バージョンアップ後の確認で阻害要因はありません"),
            "{ja}"
        );
        let mut page = Vec::new();
        report_of(Lang::En, Phase::After)
            .write_html(&mut page)
            .unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("After the upgrade, nothing blocks"), "{page}");
    }

    #[test]
    fn without_server_evidence_the_report_says_so_and_how_to_give_it() {
        for lang in [Lang::En, Lang::Ja] {
            let text = table_text(&report(lang), lang);
            let server_line = text.lines().nth(1).unwrap_or_default();
            assert!(server_line.contains("--server-hive"), "{server_line}");
            assert!(!server_line.contains('?'), "{server_line}");
        }
        let en = table_text(&report(Lang::En), Lang::En);
        assert!(en.contains("Server: no server evidence given"), "{en}");
        let mut with = report(Lang::En);
        with.result.server.evidence_given = true;
        with.result.server.version = Some("14.0.0.8378".into());
        let text = table_text(&with, Lang::En);
        assert!(text.contains("Server: osce  14.0.0.8378"), "{text}");
    }
}
