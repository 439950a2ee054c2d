//! `acsready fix-kit` and `acsready verify`: the wiring of `acsready-kit`
//! (the kit is made there; here inputs are read and files written).

use std::io::Write;
use std::path::Path;

use acsready_intake::{host_key, Intake, Readers};
use acsready_kit::verify::{compare, HostChange, Outcome};
use acsready_report::{Problems, Style};
use acsready_rules::{Lang, Rules};
use anyhow::{bail, Context, Result};

use crate::cli::{AssessArgs, FixKitArgs, Format, VerifyArgs, VerifyFormat};
use crate::output::{Output, OutputArgs};
use crate::{input, EXIT_BAD_INPUT, EXIT_READY};

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

/// `acsready fix-kit`: the assessment (as `report.json`), then the kit beside it.
pub fn fix_kit(args: &FixKitArgs, rules: &Rules, style: Style) -> Result<u8> {
    let out = &args.out;
    if out.exists() && !is_empty_dir(out) {
        bail!(
            "--out {}: the folder is not empty; give a new or empty folder (a kit never mixes with an older one)",
            out.display()
        );
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("--out {}: cannot create", out.display()))?;
    let report_path = out.join("report.json");
    let assess = AssessArgs {
        hosts: args.hosts.clone(),
        rules: args.rules.clone(),
        module: vec![],
        format: Format::Json,
        summary: false,
        csv_findings: false,
        wide: false,
        output: OutputArgs {
            output: Some(report_path.clone()),
        },
    };
    let assessed = crate::pipeline::assess(&assess, rules, style.clone())?;
    let report = crate::report_cmd::read_report(&report_path)?;
    let kit = acsready_kit::build(&report.hosts, rules, style.lang)?;
    for f in &kit.files {
        let path = f.path.split('/').fold(out.clone(), |p, part| p.join(part));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
        }
        std::fs::write(&path, &f.bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", out.join("README.md").display())?;
    for (dir, hosts) in &kit.groups {
        writeln!(stdout, "  {dir}/  {hosts}")?;
    }
    Ok(if assessed == EXIT_BAD_INPUT {
        EXIT_BAD_INPUT
    } else {
        EXIT_READY
    })
}

/// `acsready verify --before report.json INPUTS`.
pub fn verify(args: &VerifyArgs, rules: &Rules, style: Style) -> Result<u8> {
    let lang = style.lang;
    let before = crate::report_cmd::read_report(&args.before)?;
    if args.hosts.is_empty() {
        bail!(
            "no input: give the new collection as for assess (files, folders, --collected, --hive)"
        );
    }
    let readers = Readers::new(rules);
    let given = &args.hosts;
    let mut intake = Intake::new(
        input::request(&given.inputs, &given.evidence, given.input_kind),
        &readers,
    );
    let after: Vec<_> = intake
        .hosts()
        .into_iter()
        .map(|h| acsready_assess::assess(&h.facts, rules, lang))
        .collect();
    let no_hosts = after.is_empty().then(|| intake.no_hosts());
    let mut problems = Problems::default();
    input::add_problems(&mut problems, intake.finish());
    problems.errors.extend(no_hosts.map(input::problem));
    let changes = compare(&before.hosts, &after, host_key);
    let mut out = Output::open(&args.output)?;
    match args.format {
        VerifyFormat::Json => write_json(&mut out, &changes, lang)?,
        VerifyFormat::Table => write_table(&mut out, &changes, lang)?,
    }
    out.commit()?;
    input::report_problems(&problems.errors, &problems.warnings);
    let open = changes.iter().any(|c| c.outcome.open());
    Ok(crate::exit_code(!problems.errors.is_empty(), open))
}

const OUTCOMES: [Outcome; 6] = [
    Outcome::Fixed,
    Outcome::StillFailing,
    Outcome::Worse,
    Outcome::StillReady,
    Outcome::NotCollected,
    Outcome::New,
];

fn write_json(out: &mut Output, changes: &[HostChange], lang: Lang) -> Result<()> {
    let hosts: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            v["reason"] = c.reason(lang).into();
            v
        })
        .collect();
    let summary: serde_json::Map<String, serde_json::Value> = OUTCOMES
        .iter()
        .map(|o| {
            (
                o.as_str().to_string(),
                changes.iter().filter(|c| c.outcome == *o).count().into(),
            )
        })
        .collect();
    let doc =
        serde_json::json!({"schema": "acsready.verify/1", "hosts": hosts, "summary": summary});
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

fn write_table(out: &mut Output, changes: &[HostChange], lang: Lang) -> Result<()> {
    let width = changes
        .iter()
        .map(|c| c.host.chars().count())
        .max()
        .unwrap_or(0);
    for c in changes {
        writeln!(
            out,
            "{:<width$}  {:<20}  {}",
            c.host,
            c.outcome.label(lang),
            c.reason(lang)
        )?;
    }
    let counts: Vec<String> = OUTCOMES
        .iter()
        .map(|o| (o, changes.iter().filter(|c| c.outcome == *o).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(o, n)| format!("{} {n}", o.label(lang)))
        .collect();
    writeln!(out, "\n{}", counts.join(", "))?;
    Ok(())
}
