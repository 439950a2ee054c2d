//! `acsready facts`: the merged facts of every host, with where each came from.

use std::io::{self, BufWriter, Read, Write};

use acsready_facts::HostFacts;
use acsready_report::{InputProblem, Style};
use acsready_rules::Rules;
use acsready_sources::{parse_unit, JsonFacts};
use anyhow::Result;
use comfy_table::{presets, ContentArrangement, Table};

use crate::cli::{FactsArgs, FactsFormat};
use crate::{evidence, intake, EXIT_BAD_INPUT, EXIT_READY};

fn read_json<R: Read>(
    reader: R,
    name: &str,
    out: &mut Vec<HostFacts>,
    errors: &mut Vec<InputProblem>,
) {
    let mut facts = JsonFacts::new(reader, name);
    loop {
        match facts.next_batch(1024) {
            Ok(Some(batch)) => {
                for unit in batch {
                    let unit = match unit {
                        Ok(unit) => unit,
                        Err(e) => {
                            errors.push(intake::source_problem(&e));
                            continue;
                        }
                    };
                    match parse_unit(name, &unit) {
                        Ok(mut record) => {
                            record.facts.attribute_all(&record.origin.to_string());
                            out.push(record.facts);
                        }
                        Err(e) => errors.push(intake::record_problem(&unit, &e)),
                    }
                }
            }
            Ok(None) => return,
            Err(e) => {
                errors.push(intake::source_problem(&e));
                return;
            }
        }
    }
}

/// Fact, value, source rows of one host.
fn rows(f: &HostFacts) -> Vec<(String, String)> {
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
                    rows.push((format!("{key}.{k}"), compact(v)));
                }
            }
            other => rows.push((key.clone(), compact(other))),
        }
    }
    rows
}

fn compact(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => items
            .iter()
            .filter_map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Array(items) if items.is_empty() => "[] (none)".into(),
        serde_json::Value::Array(items) => format!("{} entries", items.len()),
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

pub fn facts(args: &FactsArgs, rules: &Rules, _style: Style) -> Result<u8> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut hosts = Vec::new();
    let mut evidence_args = args.evidence.clone();
    let positional =
        evidence::claim_collector_folders(&args.inputs, &mut evidence_args, &mut errors);
    for file in intake::expand(&positional, &mut errors) {
        let name = file.display().to_string();
        match intake::open_input(&file) {
            Ok(f) => read_json(f, &name, &mut hosts, &mut errors),
            Err(e) => errors.push(InputProblem {
                host: None,
                source: name,
                message: format!("cannot open: {e}"),
            }),
        }
    }
    let readers = evidence::Readers::new(rules);
    for source in evidence::hosts(&evidence_args, &mut errors) {
        match evidence::read(&source, &readers) {
            Ok(read) => {
                warnings.extend(read.warnings);
                hosts.push(read.facts);
            }
            Err(p) => errors.push(p),
        }
    }

    if hosts.is_empty() {
        errors.push(intake::no_hosts(&args.inputs, &args.evidence));
    }
    for h in &mut hosts {
        h.sources
            .values_mut()
            .for_each(|s| *s = evidence::shown(&evidence_args, s));
    }
    for p in errors.iter_mut().chain(&mut warnings) {
        p.source = evidence::shown(&evidence_args, &p.source);
        p.message = evidence::shown(&evidence_args, &p.message);
    }
    let mut out = BufWriter::new(io::stdout().lock());
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
                    .set_header(["fact", "value", "source"]);
                for (fact, value) in rows(h) {
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
                    writeln!(out, "  conflict: {}: {values}", c.fact)?;
                }
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    intake::report_problems(&errors, &warnings);
    Ok(if errors.is_empty() {
        EXIT_READY
    } else {
        EXIT_BAD_INPUT
    })
}
