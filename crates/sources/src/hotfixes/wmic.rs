//! `wmic qfe` output: list, table and CSV.
//!
//! wmic names its columns after the properties of `Win32_QuickFixEngineering`
//! whatever the display language; the header of a table is the line with a
//! `HotFixID` column. On its first run wmic prints "Please wait while WMIC is
//! being installed." (translated on other systems) to the console, without
//! a line break, so a redirected output may begin with that text glued to
//! the header: the header then starts at the property name its first word
//! ends with.

use acsready_facts::normalize_kb;

use crate::Note;

use super::{csv_rows, non_empty, shorten, stray_lines, Added, HotfixFormat, Hotfixes};

/// The properties of `Win32_QuickFixEngineering`: the only column names.
const PROPERTIES: [&str; 11] = [
    "Caption",
    "CSName",
    "Description",
    "FixComments",
    "HotFixID",
    "InstallDate",
    "InstalledBy",
    "InstalledOn",
    "Name",
    "ServicePackInEffect",
    "Status",
];

fn is_hotfixid(word: &str) -> bool {
    word.eq_ignore_ascii_case("HotFixID")
}

/// The words of `line` with their byte offsets.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

/// Where the property name `word` ends with starts in it.
fn property_at(word: &str) -> Option<usize> {
    PROPERTIES.iter().find_map(|p| {
        let at = word.len().checked_sub(p.len())?;
        word.get(at..)
            .filter(|tail| tail.eq_ignore_ascii_case(p))
            .map(|_| at)
    })
}

/// The index of the table header line (the first with a word ending in
/// `HotFixID`), and the byte offset where the header starts in it: at the
/// first word that ends with a property name (after a glued first-run
/// message).
pub(super) fn header_line(lines: &[&str]) -> Option<(usize, usize)> {
    lines.iter().enumerate().find_map(|(index, line)| {
        let words = words(line);
        let has_id = words.iter().any(|(_, w)| {
            w.len()
                .checked_sub(8)
                .and_then(|at| w.get(at..))
                .is_some_and(is_hotfixid)
        });
        if !has_id {
            return None;
        }
        words
            .iter()
            .find_map(|&(at, w)| property_at(w).map(|p| (index, at + p)))
    })
}

/// `wmic … /format:csv`: a CSV header with a `HotFixID` field among the
/// first lines.
pub(super) fn csv_format(lines: &[&str]) -> Option<HotfixFormat> {
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .take(3)
        .any(|l| {
            l.contains(',')
                && l.split(',')
                    .any(|f| is_hotfixid(f.trim().trim_matches('"')))
        })
        .then_some(HotfixFormat::WmicCsv)
}

/// Whether the output ends with a line break, as wmic always writes.
fn ends_whole(text: &str) -> bool {
    text.trim_end_matches([' ', '\t']).ends_with('\n')
}

fn cut_off(file: &str, line: usize, out: &mut Hotfixes) {
    out.complete = false;
    out.problems.push(Note::at(
        file,
        line as u64,
        "the output ends inside an update entry (cut?); the update list is \
         incomplete",
    ));
}

pub(super) fn list(text: &str, lines: &[&str], file: &str, out: &mut Hotfixes) {
    out.found_list();
    let mut damaged = false;
    for (index, line) in lines.iter().enumerate() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "hotfixid" => damaged |= out.add(file, index as u64 + 1, value) == Added::Unreadable,
            "csname" if out.host.is_none() => out.host = non_empty(value),
            _ => {}
        }
    }
    out.complete = !damaged;
    let last = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .unwrap_or(0);
    if !ends_whole(text) && super::WMIC_LIST_KEY.is_match(lines[last]) {
        cut_off(file, last + 1, out);
    }
}

/// Columns of a wmic table header: (name, first char index).
fn columns(header: &str) -> Vec<(String, usize)> {
    let mut columns = Vec::new();
    let mut start = None;
    for (i, c) in header.chars().chain(std::iter::once(' ')).enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                columns.push((header.chars().skip(s).take(i - s).collect(), s));
                start = None;
            }
            _ => {}
        }
    }
    columns
}

pub(super) fn table(text: &str, lines: &[&str], file: &str, out: &mut Hotfixes) {
    let Some((at, start)) = header_line(lines) else {
        return;
    };
    stray_lines(&lines[..at], file, "the wmic header", out);
    let line = lines[at];
    let (glued, header) = line.split_at(start);
    if !glued.trim().is_empty() {
        out.problems.push(Note::at(
            file,
            at as u64 + 1,
            format!(
                "\"{}\" before the wmic header (wmic's first-run message?); skipped",
                shorten(glued.trim())
            ),
        ));
    }
    let columns = columns(header);
    let cell = |row: &[char], name: &str| -> Option<String> {
        let at = columns
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))?;
        let start = columns[at].1;
        let end = columns.get(at + 1).map_or(row.len(), |c| c.1);
        let value: String = row
            .get(start.min(row.len())..end.min(row.len()))?
            .iter()
            .collect();
        non_empty(&value)
    };
    let mut rows = 0;
    let mut last_added = None;
    let mut damaged = false;
    for (index, line) in lines.iter().enumerate().skip(at + 1) {
        if line.trim().is_empty() {
            continue;
        }
        rows += 1;
        let row: Vec<char> = line.chars().collect();
        if out.host.is_none() {
            out.host = cell(&row, "CSName");
        }
        let line_number = index as u64 + 1;
        out.found_list();
        let added = match cell(&row, "HotFixID") {
            // A value that spills over its column (misaligned output): take
            // the KB-looking word of the row instead.
            Some(value) if normalize_kb(&value).is_err() => {
                match line.split_whitespace().find(|w| {
                    w.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("kb"))
                        && normalize_kb(w).is_ok()
                }) {
                    Some(word) => out.add(file, line_number, word),
                    None => out.add(file, line_number, &value),
                }
            }
            Some(value) => out.add(file, line_number, &value),
            None => Added::NotKb,
        };
        damaged |= added == Added::Unreadable;
        last_added = match added {
            Added::New(kb) => Some(kb),
            _ => None,
        };
    }
    if rows == 0 {
        out.problems.push(Note::at(
            file,
            at as u64 + 1,
            "a wmic header without rows (wmic prints \"No Instance(s) Available.\" \
             when there are none): installed updates unknown",
        ));
        return;
    }
    out.complete = !damaged;
    // A last row shorter than the end of the HotFixID column may be cut.
    let last = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .unwrap_or(0);
    let id_end = columns
        .iter()
        .position(|(n, _)| is_hotfixid(n))
        .and_then(|i| columns.get(i + 1))
        .map_or(0, |c| c.1);
    if !ends_whole(text) && lines[last].chars().count() < id_end {
        cut_off(file, last + 1, out);
        if let (Some(kb), Some(list)) = (last_added, out.updates.as_mut()) {
            list.retain(|k| *k != kb);
        }
    }
}

pub(super) fn csv(text: &str, file: &str, out: &mut Hotfixes) {
    let mut header: Option<Vec<String>> = None;
    let mut rows = 0;
    let (mut last_fields, mut last_line) = (0, 0);
    let mut damaged = false;
    for (line, record) in csv_rows(text, file, &mut out.problems) {
        let Some(names) = &header else {
            if record.iter().any(|f| is_hotfixid(f.trim())) {
                header = Some(
                    record
                        .iter()
                        .map(|f| f.trim().to_ascii_lowercase())
                        .collect(),
                );
            } else {
                let joined: Vec<&str> = record.iter().collect();
                out.problems.push(Note::at(
                    file,
                    line,
                    format!(
                        "\"{}\" before the wmic header; skipped",
                        shorten(&joined.join(","))
                    ),
                ));
            }
            continue;
        };
        rows += 1;
        (last_fields, last_line) = (record.len(), line);
        let get = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .and_then(|i| record.get(i))
        };
        if out.host.is_none() {
            out.host = get("node").or_else(|| get("csname")).and_then(non_empty);
        }
        out.found_list();
        if let Some(value) = get("hotfixid") {
            damaged |= out.add(file, line, value) == Added::Unreadable;
        }
    }
    if rows == 0 {
        out.problems.push(Note::file(
            file,
            "a wmic CSV header without rows: installed updates unknown",
        ));
        return;
    }
    out.complete = !damaged;
    if !ends_whole(text) && last_fields < header.as_ref().map_or(0, Vec::len) {
        cut_off(file, last_line as usize, out);
    }
}
