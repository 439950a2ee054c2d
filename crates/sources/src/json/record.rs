//! One unit to one [`Record`]: parsing, normalization, and errors that
//! point at the line and column of the original file.

use acsready_facts::HostFacts;

use super::Unit;
use crate::{Origin, Record, SourceError};

/// The path of the field a type error is in ("agents[1].version"), if any.
fn field_path(text: &str) -> Option<String> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, HostFacts>(&mut de) {
        Err(e) if e.inner().is_data() => {
            let path = e.path().to_string();
            (path != ".").then_some(path)
        }
        _ => None,
    }
}

/// Parses and normalizes one unit (pure; callers run it in parallel).
pub fn parse_unit(file: &str, unit: &Unit) -> Result<Record, SourceError> {
    Ok(Record {
        facts: parse_facts(file, unit)?,
        origin: Origin {
            file: file.to_string(),
            line: unit.line,
        },
    })
}

/// The facts of one unit, parsed and normalized, without the record's
/// origin ([`parse_unit`] names it).
pub fn parse_facts(file: &str, unit: &Unit) -> Result<HostFacts, SourceError> {
    let mut facts: HostFacts = serde_json::from_str(&unit.text).map_err(|e| {
        let mut error = json_error(file, unit.line, 1, &e);
        if let SourceError::Record { line, message, .. } = &mut error {
            // Parse again on this rare path to name the field ("os.ubr: …").
            if let Some(path) = field_path(&unit.text) {
                message.insert_str(0, &format!("{path}: "));
            }
            if *line != unit.line {
                message.push_str(&format!(" (in the record starting at line {})", unit.line));
            }
        }
        error
    })?;
    if let Err(e) = facts.normalize() {
        let message = if facts.host.is_empty() {
            e.to_string()
        } else {
            format!("host {:?}: {e}", facts.host)
        };
        return Err(SourceError::Record {
            file: file.to_string(),
            line: unit.line,
            column: 1,
            message,
        });
    }
    Ok(facts)
}

/// A serde_json error in a text that starts at `line`:`column` of `file`.
pub(super) fn json_error(file: &str, line: u64, column: u64, e: &serde_json::Error) -> SourceError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let mut message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    if e.is_eof() {
        message.push_str(" (is the file truncated?)");
    }
    let (error_line, error_column) = (e.line().max(1) as u64, e.column() as u64);
    SourceError::Record {
        file: file.to_string(),
        line: line + error_line - 1,
        column: if error_line == 1 {
            column + error_column.max(1) - 1
        } else {
            error_column.max(1)
        },
        message,
    }
}
