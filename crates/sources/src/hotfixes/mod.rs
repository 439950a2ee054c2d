//! Installed updates from `wmic qfe` and `systeminfo` output.
//!
//! The format is told from the content ([`HotfixFormat`]):
//!
//! * `wmic qfe list full` (or `/format:list`): `HotFixID=KB5005625` lines in
//!   blank-line separated blocks;
//! * `wmic qfe get HotFixID,InstalledOn` and `wmic qfe list [brief]`: a
//!   header line naming the columns, then one row per update, columns
//!   aligned by position. The header is found by its `HotFixID` column: a
//!   stray line before it (the first-run message "Please wait while WMIC is
//!   being installed.", in any language, even glued to the header or in
//!   another encoding) is skipped with a problem;
//! * `wmic qfe … /format:csv`: a `Node,…,HotFixID,…` header, then rows;
//! * `systeminfo` in any display language, as a list (the default), `/fo
//!   csv` or `/fo table`, written by `cmd` or captured by PowerShell (long
//!   lines hard-wrapped at the console width). Its fields are found by
//!   **structure**, labels being only hints: see [`systeminfo`].
//!
//! Input may be UTF-16 LE with BOM (what `wmic > file` writes), UTF-8, or the
//! ANSI/OEM code page, with CRLF (or wmic's CR CR LF) line ends and blank
//! lines.
//!
//! **What is not read is unknown, never "none".** [`Hotfixes::updates`] is
//! the list read, `None` when no list was found at all; it is the whole
//! list only when [`Hotfixes::complete`]: the source positively says how
//! many updates there are (systeminfo's count, `N/A`, wmic's "No
//! Instance(s) Available.") and every entry was read. A missing, cut or
//! damaged section leaves the list partial or unknown, with a problem naming
//! the file and line. [`Hotfixes::known_updates`] gives the list only when
//! it is complete.
//!
//! Entries are KB numbers, normalised with [`normalize_kb`] and listed once,
//! in the order of the input. An entry with a suffix (`KB893803v2`,
//! `KB2510531-IE8 - Update`) is read as its KB number and the raw text kept
//! in [`Hotfixes::notes`]; an entry that is not a KB number (`File 1`,
//! `Q147222` on old systems) is listed in [`Hotfixes::problems`].
//!
//! `systeminfo` also gives the host name, the OS name and version ("10.0.17763
//! N/A Build 17763", from which the build, 17763, is taken). **It has no
//! UBR** (the revision after the build, "17763.**2210**"), which decides
//! readiness on Windows 10 / Server 2016 and later: collect it from the
//! registry (`UBR` under `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`)
//! or `winver`. `wmic qfe` gives no OS facts.
//!
//! Only the first host of an input is read (`systeminfo /s` outputs one
//! after another, or a CSV with several rows); the others are named in
//! `problems`. A list of *missing* updates (`KB…: title` lines, as WES-NG's
//! `missingkbs` script writes) is refused: it does not say what is installed.

use std::borrow::Cow;
use std::path::Path;
use std::sync::LazyLock;

use acsready_facts::{leading_kb, normalize_kb, OsFacts};
use regex::Regex;

use crate::text;
use crate::{Note, SourceError};

mod layout;
mod systeminfo;
mod wmic;

/// Which tool and format an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotfixFormat {
    /// `wmic qfe list full` / `/format:list` (`Key=Value` lines).
    WmicList,
    /// `wmic qfe get …` / `wmic qfe list brief` (aligned columns); also
    /// "No Instance(s) Available." and wmic's blank output.
    WmicTable,
    /// `wmic qfe … /format:csv`.
    WmicCsv,
    /// `systeminfo` (default list format), any language.
    SysteminfoList,
    /// `systeminfo /fo csv`.
    SysteminfoCsv,
    /// `systeminfo /fo table` (its hotfix column is cut: no KB list).
    SysteminfoTable,
}

/// The updates and OS facts read from one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotfixes {
    pub format: HotfixFormat,
    /// Installed updates read, `"KB<digits>"`, each once, in input order;
    /// `None` when no update list was found. Whole only when `complete`.
    pub updates: Option<Vec<String>>,
    /// `updates` is the whole list: the source says how many there are (or
    /// that there are none) and every entry was read.
    pub complete: bool,
    /// Host name (`systeminfo` Host Name, wmic `CSName` / `Node`).
    pub host: Option<String>,
    /// `OS Name` / `OS 名` (systeminfo only).
    pub os_name: Option<String>,
    /// `OS Version` / `OS バージョン` as written (systeminfo only).
    pub os_version: Option<String>,
    /// The build number in `os_version` ("10.0.**17763** N/A Build 17763").
    pub build: Option<u32>,
    /// The number of updates `systeminfo` says are installed.
    pub hotfix_count: Option<u32>,
    /// Entries skipped, sections missing or cut, with their file and line.
    pub problems: Vec<Note>,
    /// Information: entries read from a longer text, with the raw text.
    pub notes: Vec<Note>,
}

impl Hotfixes {
    fn new(format: HotfixFormat) -> Self {
        Hotfixes {
            format,
            updates: None,
            complete: false,
            host: None,
            os_name: None,
            os_version: None,
            build: None,
            hotfix_count: None,
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The installed updates when the whole list was read, else `None`
    /// (unknown): never a partial list, so an update missing from it is
    /// really not installed.
    pub fn known_updates(&self) -> Option<&[String]> {
        self.updates.as_deref().filter(|_| self.complete)
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

    /// Starts the list: a section of updates was found.
    fn found_list(&mut self) {
        self.updates.get_or_insert_with(Vec::new);
    }

    /// Adds one hotfix entry found at `line`.
    fn add(&mut self, file: &str, line: u64, entry: &str) -> Added {
        let entry = entry.trim();
        if entry.is_empty() {
            return Added::NotKb;
        }
        let kb = match normalize_kb(entry) {
            Ok(kb) => kb,
            // A suffix names a variant of the update: KB893803v2.
            Err(_) => match leading_kb(entry).filter(|(kb, _)| kb.len() >= 8) {
                Some((kb, _)) => {
                    self.notes.push(Note::at(
                        file,
                        line,
                        format!("hotfix \"{entry}\" read as {kb}"),
                    ));
                    kb
                }
                None if looks_like_kb(entry) => {
                    self.problems.push(Note::at(
                        file,
                        line,
                        format!(
                            "hotfix \"{entry}\" looks like a KB number but cannot be \
                             read; the update list is incomplete"
                        ),
                    ));
                    return Added::Unreadable;
                }
                None => {
                    self.problems.push(Note::at(
                        file,
                        line,
                        format!("hotfix \"{entry}\" is not a KB number; skipped"),
                    ));
                    return Added::NotKb;
                }
            },
        };
        let list = self.updates.get_or_insert_with(Vec::new);
        if list.contains(&kb) {
            return Added::Again;
        }
        list.push(kb.clone());
        Added::New(kb)
    }
}

/// What became of a hotfix entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Added {
    /// A KB number, new to the list.
    New(String),
    /// A KB number already listed.
    Again,
    /// An entry of another kind ("File 1", "Q147222", a GUID).
    NotKb,
    /// A KB number that cannot be read (damaged).
    Unreadable,
}

/// An entry that mentions "KB" or a long number, other than the old
/// `Q<number>` ids and GUIDs, was meant to be a KB number.
fn looks_like_kb(entry: &str) -> bool {
    let lower = entry.to_ascii_lowercase();
    let q_id = lower
        .strip_prefix('q')
        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()));
    if q_id || entry.starts_with('{') {
        return false;
    }
    let mut run = 0;
    let long_number = entry.chars().any(|c| {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        run >= 5
    });
    lower.contains("kb") || long_number
}

/// Reads `wmic qfe` or `systeminfo` output from the file at `path`.
pub fn read_hotfixes(path: &Path) -> Result<Hotfixes, SourceError> {
    crate::read_then(path, parse_hotfixes)
}

/// Parses `wmic qfe` or `systeminfo` output held in memory; `file` names it
/// in problems and errors.
pub fn parse_hotfixes(bytes: &[u8], file: &str) -> Result<Hotfixes, SourceError> {
    let text = decode(bytes);
    let text = text.as_ref();
    text::not_binary(text, file, EXPECTED)?;
    let lines: Vec<&str> = text::lines(text).collect();
    let Some(first) = lines.iter().map(|l| l.trim()).find(|l| !l.is_empty()) else {
        if lines.len() > 1 {
            // `wmic qfe > file` writes one blank line when it lists nothing,
            // and also when it fails: its message goes to the screen.
            let mut out = Hotfixes::new(HotfixFormat::WmicTable);
            out.problems.push(Note::file(
                file,
                "only blank lines (what `wmic qfe > file` writes when it lists nothing \
                 or fails, its message going to the screen): installed updates unknown; \
                 collect `systeminfo` too",
            ));
            return Ok(out);
        }
        return Err(SourceError::format(
            file,
            format!("{EXPECTED}, found an empty file"),
        ));
    };
    let format = if lines.iter().any(|l| WMIC_LIST_KEY.is_match(l)) {
        HotfixFormat::WmicList
    } else if let Some(format) = wmic::csv_format(&lines)
        .or_else(|| systeminfo::csv_format(first))
        .or_else(|| systeminfo::text_format(&lines))
    {
        format
    } else if first.starts_with('"') {
        return Err(SourceError::format(
            file,
            format!(
            "{EXPECTED}, found a CSV header without a HotFixID column that is not systeminfo's \
             (was it written with /nh?)"
        ),
        ));
    } else if is_missing_list(&lines) {
        return Err(SourceError::format(
            file,
            format!(
                "{EXPECTED}, found a list of *missing* updates (`KB…: title` lines, as WES-NG's \
                 missingkbs script writes): it names the updates Windows Update offers, not the \
                 installed ones; collect `wmic qfe` or `systeminfo`"
            ),
        ));
    } else if wmic::header_line(&lines).is_some() {
        HotfixFormat::WmicTable
    } else if let Some(at) = lines.iter().position(|l| {
        l.trim_start()
            .to_ascii_lowercase()
            .starts_with("no instance(s) available")
    }) {
        let mut out = Hotfixes::new(HotfixFormat::WmicTable);
        stray_lines(&lines[..at], file, "wmic's message", &mut out);
        out.found_list();
        out.complete = true;
        return Ok(out);
    } else {
        return Err(SourceError::format(
            file,
            format!("{EXPECTED}, found {}", text::describe_start(text)),
        ));
    };
    let mut out = Hotfixes::new(format);
    match format {
        HotfixFormat::WmicList => wmic::list(text, &lines, file, &mut out),
        HotfixFormat::WmicTable => wmic::table(text, &lines, file, &mut out),
        HotfixFormat::WmicCsv => wmic::csv(text, file, &mut out),
        HotfixFormat::SysteminfoList => systeminfo::list(&lines, file, &mut out),
        HotfixFormat::SysteminfoCsv => systeminfo::csv(text, file, &mut out),
        HotfixFormat::SysteminfoTable => systeminfo::table(&lines, file, &mut out),
    }
    Ok(out)
}

const EXPECTED: &str = "expected the output of `wmic qfe` (list, table or /format:csv) or of \
                        `systeminfo` (list, /fo csv or /fo table)";

static WMIC_LIST_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*HotFixID\s*=").expect("valid regex"));
static MISSING_ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^KB\d+: \S").expect("valid regex"));

/// Text of `bytes` ([`text::decode`]), and one more case: text in the ANSI
/// code page followed by UTF-16 LE without a BOM. That is what a redirected
/// `wmic` writes on its first run: the console message "Please wait while
/// WMIC is being installed." in ANSI, then its UTF-16 output. The two parts
/// are decoded each on its own and joined by a line break.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(start) = utf16_after_ansi(bytes) {
        let (head, _) = text::decode(&bytes[..start]);
        let (rest, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(&bytes[start..]);
        return Cow::Owned(format!("{head}\n{rest}"));
    }
    text::decode(bytes).0
}

/// Where UTF-16 LE text starts after an ANSI prefix: the first NUL byte
/// follows the first UTF-16 code unit, no NUL comes before, and most of the
/// next 16 byte pairs are ASCII in UTF-16 LE.
fn utf16_after_ansi(bytes: &[u8]) -> Option<usize> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return None;
    }
    let start = bytes.iter().position(|&b| b == 0)?.checked_sub(1)?;
    if start < 4 {
        return None;
    }
    let pairs = bytes[start..].chunks_exact(2).take(16);
    let total = pairs.len();
    let ascii = bytes[start..]
        .chunks_exact(2)
        .take(16)
        .filter(|p| p[0] != 0 && p[1] == 0)
        .count();
    (total >= 4 && ascii * 4 >= total * 3).then_some(start)
}

/// Every non-blank line reads `KB<digits>: title`.
fn is_missing_list(lines: &[&str]) -> bool {
    let mut any = false;
    for line in lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
        if !MISSING_ENTRY.is_match(line) {
            return false;
        }
        any = true;
    }
    any
}

/// Records the non-blank lines before a header as skipped.
fn stray_lines(lines: &[&str], file: &str, before: &str, out: &mut Hotfixes) {
    for (index, line) in lines.iter().enumerate() {
        let line = line.trim();
        if !line.is_empty() {
            out.problems.push(Note::at(
                file,
                index as u64 + 1,
                format!("\"{}\" before {before}; skipped", shorten(line)),
            ));
        }
    }
}

/// `text` cut to 60 characters for a message.
fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The records of CSV text that hold something, with their line; a record
/// that cannot be read is a problem naming the file.
/// The non-blank records of CSV `text` with their line numbers; records the
/// CSV reader cannot read become `problems`.
fn csv_rows(text: &str, file: &str, problems: &mut Vec<Note>) -> Vec<(u64, csv::StringRecord)> {
    let mut rows = Vec::new();
    for record in csv_reader(text).into_records() {
        match record {
            Err(e) => problems.push(Note::file(file, e.to_string())),
            Ok(r) if r.iter().all(|f| f.trim().is_empty()) => {}
            Ok(r) => rows.push((r.position().map_or(0, |p| p.line()), r)),
        }
    }
    rows
}

#[cfg(test)]
mod tests;
