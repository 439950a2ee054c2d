//! The two shapes of osquery results: `osqueryi --json` arrays and result
//! lines (events, batches, snapshots).

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{query_by_columns, query_by_name, Action, Reader};
use crate::{text, Note, SourceError};

/// The text of `"key":"…"` in a line that is not JSON (no escapes read).
fn member(raw: &str, key: &str) -> Option<String> {
    let pattern = format!("\"{key}\"");
    let rest = raw[raw.find(&pattern)? + pattern.len()..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> u64 {
    1 + text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

impl Reader<'_> {
    /// The `osqueryi --json` shape: one or more arrays of rows.
    pub(super) fn arrays(&mut self, text: &str) -> Result<(), SourceError> {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Vec<&RawValue>>();
        let mut any = false;
        loop {
            let start = stream.byte_offset();
            match stream.next() {
                None => break,
                Some(Ok(rows)) => {
                    any = true;
                    let mut line = line_of(text, start);
                    let mut counted = start;
                    let acc = self.acc("");
                    for raw in rows {
                        let at = raw.get().as_ptr() as usize - text.as_ptr() as usize;
                        line += line_of(&text[counted..], at - counted) - 1;
                        counted = at;
                        let row: Map<String, Value> = match serde_json::from_str(raw.get()) {
                            Ok(row) => row,
                            Err(e) => {
                                let file = self.file;
                                self.problems.push(|| {
                                    Note::at(file, line, format!("not a row object ({e}); skipped"))
                                });
                                self.lost.push((
                                    None,
                                    Some(String::new()),
                                    line,
                                    "not a row object".into(),
                                ));
                                continue;
                            }
                        };
                        let Some(query) = query_by_columns(&row) else {
                            let file = self.file;
                            let columns: Vec<&str> = row.keys().map(String::as_str).collect();
                            let columns = columns.join(", ");
                            // Another query's row (results of other queries may share
                            // the file): not a lost row of acsready's.
                            self.problems.push(|| {
                                Note::at(
                                    file,
                                    line,
                                    format!(
                                        "a row with columns ({columns}) is not from \
                                         an acsready query; skipped"
                                    ),
                                )
                            });
                            continue;
                        };
                        self.row(acc, query, &row, line, Action::Added);
                    }
                }
                Some(Err(e)) => {
                    let file = self.file;
                    if !any {
                        return Err(SourceError::Record {
                            file: file.to_string(),
                            line: e.line() as u64,
                            column: e.column().max(1) as u64,
                            message: format!("not an `osqueryi --json` array: {e}"),
                        });
                    }
                    self.problems.push(|| {
                        Note::at(
                            file,
                            e.line() as u64,
                            format!("{e}; the rest of the file is skipped"),
                        )
                    });
                    self.lost.push((
                        None,
                        Some(String::new()),
                        e.line() as u64,
                        format!("the rest of the file could not be read ({e})"),
                    ));
                    break;
                }
            }
        }
        Ok(())
    }

    /// Result lines (events, batches, snapshots).
    pub(super) fn lines(&mut self, text: &str) {
        for (i, raw) in text::lines(text).enumerate() {
            let line = i as u64 + 1;
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            let file = self.file;
            let object: Map<String, Value> = match serde_json::from_str(raw) {
                Ok(o) => o,
                Err(e) => {
                    self.problems
                        .push(|| Note::at(file, line, format!("not a JSON object ({e}); skipped")));
                    // A line cut or damaged: whose query and host it was, if
                    // that much can still be read.
                    let query = member(raw, "name").and_then(|n| query_by_name(&n));
                    let host = member(raw, "hostIdentifier").map(|h| h.trim().to_lowercase());
                    self.lost
                        .push((query, host, line, "the line is not JSON".to_string()));
                    continue;
                }
            };
            let (Some(Value::String(name)), Some(Value::String(host))) =
                (object.get("name"), object.get("hostIdentifier"))
            else {
                self.problems.push(|| {
                    Note::at(
                        file,
                        line,
                        "not an osquery result line (no \"name\" and \
                         \"hostIdentifier\"); skipped",
                    )
                });
                let query = match object.get("name") {
                    Some(Value::String(name)) => query_by_name(name),
                    _ => None,
                };
                let why = "a line without \"name\" and \"hostIdentifier\"".to_string();
                self.lost.push((query, None, line, why));
                continue;
            };
            let Some(query) = query_by_name(name) else {
                if !self.unknown_names.contains(name) {
                    self.unknown_names.push(name.clone());
                    self.problems.push(|| {
                        Note::at(
                            file,
                            line,
                            format!(
                                "query \"{name}\" is not one of acsready's \
                                 (osquery/acsready.conf); its lines are skipped"
                            ),
                        )
                    });
                }
                continue;
            };
            let host = host.trim();
            if host.is_empty() {
                self.problems
                    .push(|| Note::at(file, line, "\"hostIdentifier\" is empty; skipped"));
                continue;
            }
            let acc = self.acc(host);
            let action = object.get("action").and_then(Value::as_str);
            let mut rows: Vec<(&Value, Action)> = Vec::new();
            if let Some(columns) = object.get("columns") {
                let action = if action == Some("removed") {
                    Action::Removed
                } else {
                    Action::Added
                };
                rows.push((columns, action));
            } else if let Some(Value::Array(snapshot)) = object.get("snapshot") {
                rows.extend(snapshot.iter().map(|r| (r, Action::Snapshot)));
                if snapshot.is_empty() {
                    self.empty_snapshot(acc, query, line);
                }
            } else if let Some(Value::Object(diff)) = object.get("diffResults") {
                for (key, action) in [("removed", Action::Removed), ("added", Action::Added)] {
                    if let Some(Value::Array(list)) = diff.get(key) {
                        rows.extend(list.iter().map(|r| (r, action)));
                    }
                }
            } else {
                self.problems.push(|| {
                    Note::at(
                        file,
                        line,
                        "no \"columns\", \"snapshot\" or \"diffResults\"; skipped",
                    )
                });
                let why = "a line without \"columns\", \"snapshot\" or \"diffResults\"";
                self.lost.push((
                    Some(query),
                    Some(host.to_lowercase()),
                    line,
                    why.to_string(),
                ));
                continue;
            }
            for (row, action) in rows {
                match row {
                    Value::Object(row) => self.row(acc, query, row, line, action),
                    _ => {
                        self.problems
                            .push(|| Note::at(file, line, "a row is not an object; skipped"));
                        let why = "a row that is not an object".to_string();
                        self.lost
                            .push((Some(query), Some(host.to_lowercase()), line, why));
                    }
                }
            }
        }
    }
}
