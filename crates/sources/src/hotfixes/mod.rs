//! Installed updates from `wmic qfe` and `systeminfo` output.
//!
//! The format is told from the content ([`HotfixFormat`]):
//!
//! * `wmic qfe list full` (or `/format:list`): `HotFixID=KB5005625` lines in
//!   blank-line separated blocks;
//! * `wmic qfe get HotFixID,InstalledOn` and `wmic qfe list [brief]`: a
//!   header line naming the columns, then one row per update, columns
//!   aligned by position;
//! * `wmic qfe … /format:csv`: a `Node,…,HotFixID,…` header, then rows;
//! * `systeminfo` (list format), English or Japanese: a
//!   `Hotfix(s): 3 Hotfix(s) Installed.` / `修正プログラム: 3 個の修正プログラムが
//!   インストールされています。` line, then `[01]: KB5005625` lines;
//! * `systeminfo /fo csv`: a header row of quoted names, then a row whose
//!   `Hotfix(s)` / `修正プログラム` field holds `3 Hotfix(s) Installed.,[01]:
//!   KB5005625,…`.
//!
//! Input may be UTF-16 LE with BOM (what `wmic > file` writes), UTF-8, or the
//! ANSI code page, with CRLF (or wmic's CR CR LF) line ends and blank lines.
//! KB numbers are normalised with [`normalize_kb`] and listed once, in the
//! order of the input; an entry that is not a KB number ("File 1" on old
//! systems) is listed in [`Hotfixes::problems`].
//!
//! `systeminfo` also gives the host name, `OS Name` / `OS 名` and
//! `OS Version` / `OS バージョン` ("10.0.17763 N/A Build 17763", from which
//! the build, 17763, is taken). **It has no UBR** (the revision after the
//! build, "17763.**2210**"), which decides readiness on Windows 10 / Server
//! 2016 and later: collect it from the registry (`UBR` under
//! `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`) or `winver`.
//! `wmic qfe` gives no OS facts.
//!
//! Only the first host of an input is read (`systeminfo /s` or a CSV with
//! several rows); the others are named in `problems`.

use std::path::Path;
use std::sync::LazyLock;

use acsready_facts::{normalize_kb, OsFacts};
use regex::Regex;

use crate::text;
use crate::SourceError;

/// Which tool and format an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotfixFormat {
    /// `wmic qfe list full` / `/format:list` (`Key=Value` lines).
    WmicList,
    /// `wmic qfe get …` / `wmic qfe list brief` (aligned columns); also
    /// "No Instance(s) Available.".
    WmicTable,
    /// `wmic qfe … /format:csv`.
    WmicCsv,
    /// `systeminfo` (default list format), English or Japanese.
    SysteminfoList,
    /// `systeminfo /fo csv`.
    SysteminfoCsv,
}

/// The updates and OS facts read from one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotfixes {
    pub format: HotfixFormat,
    /// Installed updates, `"KB<digits>"`, each once, in input order.
    pub updates: Vec<String>,
    /// Host name (`systeminfo` Host Name, wmic `CSName` / `Node`).
    pub host: Option<String>,
    /// `OS Name` / `OS 名` (systeminfo only).
    pub os_name: Option<String>,
    /// `OS Version` / `OS バージョン` as written (systeminfo only).
    pub os_version: Option<String>,
    /// The build number in `os_version` ("10.0.**17763**").
    pub build: Option<u32>,
    /// The number of updates `systeminfo` says are installed.
    pub hotfix_count: Option<u32>,
    /// Entries skipped and inconsistencies, with their line.
    pub problems: Vec<String>,
}

impl Hotfixes {
    fn new(format: HotfixFormat) -> Self {
        Hotfixes {
            format,
            updates: Vec::new(),
            host: None,
            os_name: None,
            os_version: None,
            build: None,
            hotfix_count: None,
            problems: Vec::new(),
        }
    }

    /// The OS facts of `systeminfo`: product name and build, never a UBR
    /// (see the module documentation). `None` when there are none.
    pub fn os_facts(&self) -> Option<OsFacts> {
        if self.os_name.is_none() && self.build.is_none() {
            return None;
        }
        Some(OsFacts {
            product_name: self.os_name.clone(),
            current_build: self.build.map(|b| b.to_string()),
            ubr: None,
            ..OsFacts::default()
        })
    }

    /// Adds one hotfix entry found at `line`.
    fn add(&mut self, file: &str, line: u64, entry: &str) {
        let entry = entry.trim();
        if entry.is_empty() {
            return;
        }
        match normalize_kb(entry) {
            Ok(kb) => {
                if !self.updates.contains(&kb) {
                    self.updates.push(kb);
                }
            }
            Err(_) => self.problems.push(format!(
                "{file}:{line}: hotfix \"{entry}\" is not a KB number; skipped"
            )),
        }
    }
}

/// Reads `wmic qfe` or `systeminfo` output from the file at `path`.
pub fn read_hotfixes(path: &Path) -> Result<Hotfixes, SourceError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| SourceError::Io {
        file: file.clone(),
        source,
    })?;
    parse_hotfixes(&bytes, &file)
}

/// Parses `wmic qfe` or `systeminfo` output held in memory; `file` names it
/// in problems and errors.
pub fn parse_hotfixes(bytes: &[u8], file: &str) -> Result<Hotfixes, SourceError> {
    let (text, _) = text::decode(bytes);
    let text = text.as_ref();
    let format_error = |message: String| SourceError::Format {
        file: file.to_string(),
        message,
    };
    if text::looks_binary(text) {
        return Err(format_error(format!("{EXPECTED}, found binary data")));
    }
    let lines: Vec<&str> = text::lines(text).collect();
    let Some(first) = lines.iter().map(|l| l.trim()).find(|l| !l.is_empty()) else {
        return Err(format_error(format!("{EXPECTED}, found an empty file")));
    };
    let lower = first.to_lowercase();
    let format = if first.starts_with('"') {
        if csv_header_has(first, is_systeminfo_key) {
            HotfixFormat::SysteminfoCsv
        } else if csv_header_has(first, |k| k.eq_ignore_ascii_case("HotFixID")) {
            HotfixFormat::WmicCsv
        } else {
            return Err(format_error(format!(
                "{EXPECTED}, found a CSV header without a Hotfix(s) / 修正プログラム or HotFixID \
                 column (was it written with /nh?)"
            )));
        }
    } else if lower.starts_with("node,") && lower.contains("hotfixid") {
        HotfixFormat::WmicCsv
    } else if lines.iter().any(|l| WMIC_LIST_KEY.is_match(l)) {
        HotfixFormat::WmicList
    } else if lines
        .iter()
        .any(|l| key_value(l).is_some_and(|(k, _)| is_systeminfo_key(k)))
    {
        HotfixFormat::SysteminfoList
    } else if first
        .split_whitespace()
        .any(|t| t.eq_ignore_ascii_case("HotFixID"))
    {
        HotfixFormat::WmicTable
    } else if lower.starts_with("no instance(s) available") {
        return Ok(Hotfixes::new(HotfixFormat::WmicTable));
    } else {
        return Err(format_error(format!(
            "{EXPECTED}, found {}",
            text::describe_start(text)
        )));
    };
    let mut out = Hotfixes::new(format);
    match format {
        HotfixFormat::WmicList => wmic_list(&lines, file, &mut out),
        HotfixFormat::WmicTable => wmic_table(&lines, file, &mut out),
        HotfixFormat::WmicCsv => wmic_csv(text, file, &mut out),
        HotfixFormat::SysteminfoList => systeminfo_list(&lines, file, &mut out),
        HotfixFormat::SysteminfoCsv => systeminfo_csv(text, file, &mut out),
    }
    Ok(out)
}

const EXPECTED: &str = "expected the output of `wmic qfe` (list, table or /format:csv) or of \
                        `systeminfo` (list or /fo csv)";

static WMIC_LIST_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*HotFixID\s*=").expect("valid regex"));
static ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\[\d+\]\s*[:：]\s*(.*)$").expect("valid regex"));
static COUNT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(\d+)").expect("valid regex"));
static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\d+\.\d+\.(\d+)").expect("valid regex"));

/// What a `systeminfo` field is, from its name in English or Japanese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Host,
    OsName,
    OsVersion,
    Hotfixes,
}

fn field(key: &str) -> Option<Field> {
    let key: String = key
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "hostname" | "ホスト名" => Field::Host,
        "osname" | "os名" => Field::OsName,
        "osversion" | "osバージョン" => Field::OsVersion,
        "hotfix(s)" | "hotfix(es)" | "hotfixes" | "修正プログラム" => Field::Hotfixes,
        _ => return None,
    })
}

fn is_systeminfo_key(key: &str) -> bool {
    field(key).is_some()
}

/// `Key:   value` of a `systeminfo` line that is not indented.
fn key_value(line: &str) -> Option<(&str, &str)> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let at = line.find([':', '：'])?;
    let key = line[..at].trim();
    let colon_len = line[at..].chars().next().map_or(1, char::len_utf8);
    (!key.is_empty()).then(|| (key, line[at + colon_len..].trim()))
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

fn csv_header_has(line: &str, wanted: impl Fn(&str) -> bool) -> bool {
    csv_reader(line)
        .records()
        .next()
        .and_then(Result::ok)
        .is_some_and(|r| r.iter().any(|f| wanted(f.trim())))
}

fn set_os_version(out: &mut Hotfixes, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    out.os_version = Some(value.to_string());
    out.build = VERSION
        .captures(value)
        .and_then(|c| c.get(1)?.as_str().parse().ok());
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

fn wmic_list(lines: &[&str], file: &str, out: &mut Hotfixes) {
    for (index, line) in lines.iter().enumerate() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "hotfixid" => out.add(file, index as u64 + 1, value),
            "csname" if out.host.is_none() => out.host = non_empty(value),
            _ => {}
        }
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

fn wmic_table(lines: &[&str], file: &str, out: &mut Hotfixes) {
    let mut rows = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = rows.next() else {
        return;
    };
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
    for (index, line) in rows {
        let row: Vec<char> = line.chars().collect();
        if out.host.is_none() {
            out.host = cell(&row, "CSName");
        }
        let line_number = index as u64 + 1;
        match cell(&row, "HotFixID") {
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
            None => {}
        }
    }
}

fn wmic_csv(text: &str, file: &str, out: &mut Hotfixes) {
    let mut header: Option<Vec<String>> = None;
    for record in csv_reader(text).records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                out.problems.push(format!("{file}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(names) = &header else {
            header = Some(
                record
                    .iter()
                    .map(|f| f.trim().to_ascii_lowercase())
                    .collect(),
            );
            continue;
        };
        let get = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .and_then(|i| record.get(i))
        };
        if out.host.is_none() {
            out.host = get("node").or_else(|| get("csname")).and_then(non_empty);
        }
        if let Some(value) = get("hotfixid") {
            out.add(file, line, value);
        }
    }
}

/// Adds the entries of a systeminfo hotfix field, one `[01]: KB…` per item.
fn hotfix_entries<'a>(
    items: impl Iterator<Item = (u64, &'a str)>,
    file: &str,
    out: &mut Hotfixes,
) -> u32 {
    let mut listed = 0;
    for (line, item) in items {
        if let Some(entry) = ENTRY.captures(item).and_then(|c| c.get(1)) {
            listed += 1;
            out.add(file, line, entry.as_str());
        }
    }
    listed
}

fn check_count(out: &mut Hotfixes, file: &str, listed: u32) {
    if let Some(count) = out.hotfix_count {
        if count != listed {
            out.problems.push(format!(
                "{file}: systeminfo says {count} hotfixes are installed but lists {listed}"
            ));
        }
    }
}

fn systeminfo_list(lines: &[&str], file: &str, out: &mut Hotfixes) {
    let mut current: Option<Field> = None;
    let mut hosts = 0;
    let mut listed = 0;
    for (index, line) in lines.iter().enumerate() {
        let line_number = index as u64 + 1;
        if let Some((key, value)) = key_value(line) {
            current = field(key);
            match current {
                Some(Field::Host) => {
                    hosts += 1;
                    if hosts > 1 {
                        out.problems.push(format!(
                            "{file}:{line_number}: a second host ({value}); only the first is read"
                        ));
                        break;
                    }
                    out.host = non_empty(value);
                }
                Some(Field::OsName) => out.os_name = non_empty(value),
                Some(Field::OsVersion) => set_os_version(out, value),
                Some(Field::Hotfixes) => {
                    out.hotfix_count = COUNT
                        .captures(value)
                        .and_then(|c| c.get(1)?.as_str().parse().ok());
                    // `Hotfix(s): [01]: KB…` when there is no count line.
                    listed += hotfix_entries(std::iter::once((line_number, value)), file, out);
                }
                None => {}
            }
        } else if current == Some(Field::Hotfixes) {
            listed += hotfix_entries(std::iter::once((line_number, *line)), file, out);
        }
    }
    check_count(out, file, listed);
}

fn systeminfo_csv(text: &str, file: &str, out: &mut Hotfixes) {
    let mut header: Option<Vec<Option<Field>>> = None;
    let mut rows = 0;
    for record in csv_reader(text).records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                out.problems.push(format!("{file}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(fields) = &header else {
            header = Some(record.iter().map(field).collect());
            continue;
        };
        rows += 1;
        if rows > 1 {
            let host = record.get(0).unwrap_or("");
            out.problems.push(format!(
                "{file}:{line}: a second host ({host}); only the first is read"
            ));
            break;
        }
        let mut listed = 0;
        for (value, field) in record.iter().zip(fields) {
            match field {
                Some(Field::Host) => out.host = non_empty(value),
                Some(Field::OsName) => out.os_name = non_empty(value),
                Some(Field::OsVersion) => set_os_version(out, value),
                Some(Field::Hotfixes) => {
                    out.hotfix_count = COUNT
                        .captures(value)
                        .and_then(|c| c.get(1)?.as_str().parse().ok());
                    listed += hotfix_entries(value.split(',').map(|item| (line, item)), file, out);
                }
                None => {}
            }
        }
        check_count(out, file, listed);
    }
}

#[cfg(test)]
mod tests;
