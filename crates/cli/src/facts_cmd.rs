//! `acsready facts`: the merged facts of every host, with where each came from.

use std::io::Write;

use acsready_facts::HostFacts;
use acsready_intake::{Intake, Readers};
use acsready_report::{count_of, Label, Problems, Style};
use acsready_rules::{Lang, Rules};
use anyhow::Result;
use comfy_table::{presets, ContentArrangement, Table};

use crate::cli::{FactsArgs, FactsFormat};
use crate::output::Output;
use crate::{input, EXIT_BAD_INPUT, EXIT_READY};

/// Fact, value, source rows of one host.
fn rows(f: &HostFacts, lang: Lang) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let json = serde_json::to_value(f).unwrap_or_default();
    let Some(map) = json.as_object() else {
        return rows;
    };
    for (key, value) in map {
        if ["host", "sources", "conflicts"].contains(&key.as_str()) {
            continue;
        }
        match value {
            serde_json::Value::Object(inner) => {
                for (k, v) in inner {
                    rows.push((format!("{key}.{k}"), compact(v, lang)));
                }
            }
            other => rows.push((key.clone(), compact(other, lang))),
        }
    }
    rows
}

fn compact(v: &serde_json::Value, lang: Lang) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => items
            .iter()
            .filter_map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Array(items) if items.is_empty() => {
            format!("[] ({})", Label::None.text(lang))
        }
        serde_json::Value::Array(items) => {
            count_of(items.len() as u64, Label::EntryOne, Label::Entries, lang)
        }
        other => other.to_string(),
    }
}

fn source_of<'a>(f: &'a HostFacts, fact: &str) -> &'a str {
    f.sources
        .get(fact)
        .or_else(|| {
            fact.split_once('.')
                .and_then(|(head, _)| f.sources.get(head))
        })
        .map_or("", String::as_str)
}

pub fn facts(args: &FactsArgs, rules: &Rules, style: Style) -> Result<u8> {
    let lang = style.lang;
    let readers = Readers::new(rules);
    let given = &args.hosts;
    let request = input::request(&given.inputs, &given.evidence, given.input_kind);
    let mut intake = Intake::new(request, &readers);
    let mut hosts: Vec<HostFacts> = intake.hosts().into_iter().map(|h| h.attributed()).collect();
    let no_hosts = hosts.is_empty().then(|| intake.no_hosts());
    for h in &mut hosts {
        h.sources.values_mut().for_each(|s| *s = intake.shown(s));
    }
    let mut problems = Problems::default();
    input::add_problems(&mut problems, intake.finish());
    problems.errors.extend(no_hosts.map(input::problem));
    let Problems { errors, warnings } = problems;
    let mut out = Output::open(&args.output)?;
    match args.format {
        FactsFormat::Json => {
            for h in &hosts {
                serde_json::to_writer(&mut out, h)?;
                writeln!(out)?;
            }
        }
        FactsFormat::Table => {
            for h in &hosts {
                writeln!(out, "{}", h.host)?;
                let mut table = Table::new();
                table
                    .load_preset(presets::UTF8_FULL_CONDENSED)
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .force_no_tty()
                    .set_header([Label::Fact, Label::Value, Label::Source].map(|l| l.text(lang)));
                for (fact, value) in rows(h, lang) {
                    let source = source_of(h, &fact).to_string();
                    table.add_row(vec![fact, value, source]);
                }
                writeln!(out, "{table}")?;
                for c in &h.conflicts {
                    let values = c
                        .values
                        .iter()
                        .map(|(v, s)| format!("{v} ({s})"))
                        .collect::<Vec<_>>()
                        .join(" / ");
                    writeln!(
                        out,
                        "  {}: {}: {values}",
                        Label::Conflict.text(lang),
                        c.fact
                    )?;
                }
                writeln!(out)?;
            }
        }
    }
    out.commit()?;
    input::report_problems(&errors, &warnings);
    Ok(if errors.is_empty() {
        EXIT_READY
    } else {
        EXIT_BAD_INPUT
    })
}
