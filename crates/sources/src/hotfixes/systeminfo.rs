//! `systeminfo` output in any display language: list, `/fo csv`, `/fo table`.
//!
//! The labels are translated (`Hotfix(s)`, `ホットフィックス`, `修正プログラム`,
//! `Correctif(s)`, `Исправление(я)`, `修补程序`…) and written in the OEM code
//! page, so they are only hints. The reader relies on what does not change:
//!
//! * the fields come in a fixed order, one per line in the list format
//!   (`label:` at the start of the line, the value at one column for all
//!   fields), continuation lines indented to that column; a CSV or table has
//!   the same fields as columns;
//! * the OS version reads `10.0.22000 N/A ビルド 22000` / `6.1.7601 Service Pack
//!   1 Build 7601`: three dotted numbers, words, and the build again;
//! * `System Type` reads `x64-based PC` (or `X86-…`, `ARM64-…`) in every
//!   language, and the hotfix field comes 17 fields after it (XP to 11 and
//!   Server 2003 to 2022 seen), before the network cards;
//! * the hotfix field holds a count (`4 ホットフィックスがインストールされています。`,
//!   `Число установленных исправлений - 7.`, `安装了 1 个修补程序。`) or, when
//!   there are none, a word without digits (`N/A`, `Н/Д`, `暂缺`), then
//!   entries `[01]: KB5017264`, numbered from 1.
//!
//! The hotfix field is the one a label names, else the field whose entries
//! are KB numbers, else — only for "none" — the field 17 after `System Type`
//! when the network cards follow it. Its list is complete when the count
//! matches the entries, numbered in sequence, each read (an entry that looks
//! like a KB number but cannot be read makes it partial; `File 1`, `Q147222`
//! and GUIDs are entries of another kind). systeminfo cuts long lists (about
//! 220 to 250 entries on XP to 7, sometimes in the middle of an entry: `[24`,
//! `[240]: KB2862`), and a file may end in the hotfix field: then the list is
//! partial and a last entry that may be cut is not used.
//!
//! PowerShell 2 (Windows 7) and `Out-File -Width` hard-wrap long lines at the
//! console width: a line as wide as the widest line (or one cell less, when
//! a wide character did not fit), followed by a line at the left margin that
//! is not a field or by one indented less than the values, continues on it.
//!
//! Where these facts were seen: `docs/sources/systeminfo-wmic.md`.

use std::sync::LazyLock;

use regex::Regex;

use crate::Note;

use super::layout::{column_split, offset_of, split_field, value_column, width};
use super::{csv_reader, csv_rows, non_empty, shorten, Added, HotfixFormat, Hotfixes};

/// One `systeminfo` field: its label, value and continuation lines.
#[derive(Debug, Default)]
struct Field {
    label: String,
    value: String,
    line: u64,
    items: Vec<(u64, String)>,
}

/// What a label names, in the languages seen (hints only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    Host,
    OsName,
    OsVersion,
    Hotfixes,
}

fn hint(label: &str) -> Option<Hint> {
    let key: String = label
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ':' | '：'))
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "hostname" | "ホスト名" | "nomdel'hôte" | "nombredehost" | "nomehost" | "nomedohost"
        | "имяузла" | "主机名" | "主機名稱" | "호스트이름" | "hostnaam" => {
            Hint::Host
        }
        "osname"
        | "os名"
        | "betriebssystemname"
        | "nomdusystèmed'exploitation"
        | "nombredelsistemaoperativo"
        | "nomeso"
        | "nomedosistemaoperacional"
        | "названиеос"
        | "os名称"
        | "作業系統名稱"
        | "os이름"
        | "os-naam" => Hint::OsName,
        "osversion"
        | "osバージョン"
        | "betriebssystemversion"
        | "versiondusystème"
        | "versióndelsistemaoperativo"
        | "versioneso"
        | "versãodosistemaoperacional"
        | "версияос"
        | "os版本"
        | "作業系統版本"
        | "os버전"
        | "os-versie" => Hint::OsVersion,
        "hotfix(s)"
        | "hotfix(es)"
        | "hotfixes"
        | "ホットフィックス"
        | "修正プログラム"
        | "correctif(s)"
        | "revisión(es)"
        | "aggiornamentirapidi"
        | "исправление(я)"
        | "修补程序"
        | "修補程式"
        | "핫픽스" => Hint::Hotfixes,
        _ => return None,
    })
}

static ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\[(\d+)\]\s*[:：]\s*(.*)$").expect("valid regex"));
static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\d+\.\d+\.(\d+)\s+\S.*\s(\d+)\s*$").expect("valid regex"));
static SYSTEM_TYPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^[a-z0-9_]+-based PC$").expect("valid regex"));
static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+").expect("valid regex"));
static KB_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(KB\s?\d+|\d{5,}|Q\d{5,})").expect("valid regex"));
static RULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^=+( +=+)+\s*$").expect("valid regex"));

/// The build of an OS version value, when it is written twice as systeminfo
/// writes it ("10.0.**22000** N/A ビルド **22000**").
fn version_build(value: &str) -> Option<u32> {
    let c = VERSION.captures(value)?;
    let (build, again) = (c.get(1)?.as_str(), c.get(2)?.as_str());
    (build == again).then(|| build.parse().ok()).flatten()
}

/// Whether the text looks like `systeminfo` output, and in which format.
pub(super) fn text_format(lines: &[&str]) -> Option<HotfixFormat> {
    if lines.iter().any(|l| RULE.is_match(l)) {
        return Some(HotfixFormat::SysteminfoTable);
    }
    let column = value_column(lines);
    let mut fields = 0;
    for line in lines.iter().filter(|l| !l.starts_with(char::is_whitespace)) {
        if let Some((label, value)) = split_field(line, column) {
            if hint(&label).is_some() || version_build(&value).is_some() {
                return Some(HotfixFormat::SysteminfoList);
            }
            fields += 1;
        }
    }
    let items = lines
        .iter()
        .any(|l| l.starts_with(char::is_whitespace) && ENTRY.is_match(l));
    (fields >= 10 && items).then_some(HotfixFormat::SysteminfoList)
}

/// `systeminfo /fo csv`: a quoted header with systeminfo's labels, or with
/// as many columns.
pub(super) fn csv_format(first: &str) -> Option<HotfixFormat> {
    if !first.starts_with('"') {
        return None;
    }
    let record = csv_reader(first).records().next()?.ok()?;
    (record.iter().any(|f| hint(f).is_some()) || record.len() >= 25)
        .then_some(HotfixFormat::SysteminfoCsv)
}

/// Appends the rest of a wrapped line to the field's last line; `space`:
/// the wrapped line ended with a space (trimmed from the value).
fn join(field: &mut Field, rest: &str, space: bool) {
    let text = match field.items.last_mut() {
        Some((_, item)) => item,
        None => &mut field.value,
    };
    if space && !rest.starts_with(char::is_whitespace) {
        text.push(' ');
    }
    text.push_str(rest.trim_end());
}

/// The fields of the list format.
fn list_fields(lines: &[&str], file: &str, out: &mut Hotfixes) -> Vec<Field> {
    let column = value_column(lines);
    let widest = lines.iter().map(|l| width(l)).max().unwrap_or(0);
    let mut fields: Vec<Field> = Vec::new();
    let mut previous_width = 0;
    let mut previous_space = false;
    for (index, line) in lines.iter().enumerate() {
        let number = index as u64 + 1;
        // A wide character that does not fit the last column moves to the
        // next line: a wrapped line may be one cell short.
        let wrapped = previous_width + 1 >= widest && widest >= 40;
        let space = std::mem::replace(&mut previous_space, line.ends_with(char::is_whitespace));
        previous_width = width(line);
        if line.trim().is_empty() {
            continue;
        }
        let indent = width(line) - width(line.trim_start());
        if wrapped && indent > 0 && indent < column.unwrap_or(usize::MAX) {
            // Wrapped at a space: the rest of the line before.
            if let Some(field) = fields.last_mut() {
                join(field, line, space);
                continue;
            }
        }
        if line.starts_with(char::is_whitespace) {
            match fields.last_mut() {
                Some(field) => field.items.push((number, line.trim().to_string())),
                None => out.problems.push(Note::at(
                    file,
                    number,
                    format!(
                        "\"{}\" before the first field; skipped",
                        shorten(line.trim())
                    ),
                )),
            }
            continue;
        }
        // A line the console wrapped: the rest of the line before.
        if wrapped && column.and_then(|c| column_split(line, c)).is_none() {
            if let Some(field) = fields.last_mut() {
                join(field, line, space);
                continue;
            }
        }
        let (label, value) =
            split_field(line, column).unwrap_or_else(|| (line.trim().to_string(), String::new()));
        fields.push(Field {
            label,
            value,
            line: number,
            items: Vec::new(),
        });
    }
    fields
}

pub(super) fn list(lines: &[&str], file: &str, out: &mut Hotfixes) {
    let fields = list_fields(lines, file, out);
    read_fields(fields, file, out);
}

/// Splits a CSV or table cell into the value and its entries
/// ("4 Hotfix(s) Installed.,[01]: KB…,[02]: KB…").
fn cell_field(label: &str, cell: &str, line: u64) -> Field {
    let mut parts = cell.split(',');
    let mut value = parts.next().unwrap_or("").trim().to_string();
    let mut items = Vec::new();
    for part in parts {
        if items.is_empty() && !part.trim_start().starts_with('[') {
            value.push(',');
            value.push_str(part);
        } else {
            items.push((line, part.trim().to_string()));
        }
    }
    Field {
        label: label.trim().to_string(),
        value: value.trim().to_string(),
        line,
        items,
    }
}

/// The last hotfix entry `last` (line, text, KB) of output that was cut:
/// its KB may be the start of a longer number, so it is not used.
fn drop_cut_entry(last: Option<(u64, String, Option<String>)>, file: &str, out: &mut Hotfixes) {
    let Some((number, entry, Some(kb))) = last else {
        return;
    };
    if let Some(list) = out.updates.as_mut() {
        list.retain(|k| *k != kb);
    }
    out.problems.push(Note::at(
        file,
        number,
        format!("the last entry \"{entry}\" may be cut off; not used"),
    ));
}

pub(super) fn csv(text: &str, file: &str, out: &mut Hotfixes) {
    let mut header: Option<Vec<String>> = None;
    let mut fields = None;
    for (line, record) in csv_rows(text, file, &mut out.problems) {
        let Some(labels) = &header else {
            header = Some(record.iter().map(str::to_string).collect());
            continue;
        };
        if fields.is_some() {
            let host = record.get(0).unwrap_or("");
            out.problems.push(Note::at(
                file,
                line,
                format!("a second host ({host}); only the first is read"),
            ));
            break;
        }
        fields = Some(
            record
                .iter()
                .enumerate()
                .map(|(i, cell)| cell_field(labels.get(i).map_or("", String::as_str), cell, line))
                .collect::<Vec<_>>(),
        );
    }
    match fields {
        Some(fields) => read_fields(fields, file, out),
        None => out.problems.push(Note::file(
            file,
            "a systeminfo CSV header without a row: nothing read",
        )),
    }
}

/// The text of `line` between two console columns.
fn between(line: &str, start: usize, end: usize) -> &str {
    let from = offset_of(line, start).unwrap_or(line.len());
    let to = offset_of(line, end).unwrap_or(line.len()).max(from);
    &line[from..to]
}

pub(super) fn table(lines: &[&str], file: &str, out: &mut Hotfixes) {
    let Some(rule) = lines.iter().position(|l| RULE.is_match(l)) else {
        return;
    };
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in lines[rule].chars().chain(std::iter::once(' ')).enumerate() {
        match (c == '=', start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    let header = rule.checked_sub(1).map_or("", |h| lines[h]);
    let mut rows = lines
        .iter()
        .enumerate()
        .skip(rule + 1)
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((index, row)) = rows.next() else {
        out.problems.push(Note::at(
            file,
            rule as u64 + 1,
            "a systeminfo table without a row: nothing read",
        ));
        return;
    };
    if let Some((second, _)) = rows.next() {
        out.problems.push(Note::at(
            file,
            second as u64 + 1,
            "a second host; only the first is read",
        ));
    }
    let line = index as u64 + 1;
    let fields = spans
        .iter()
        .map(|&(s, e)| {
            cell_field(
                between(header, s, e),
                between(row, s, e + 1).trim_end(),
                line,
            )
        })
        .collect();
    read_fields(fields, file, out);
    if out.updates.is_some() && !out.complete {
        out.problems.push(Note::file(
            file,
            "`systeminfo /fo table` shows only the start of the hotfix field: installed \
             updates unknown; run `systeminfo` as a list (no /fo) or with /fo csv",
        ));
    }
}

/// Most entries of the field are KB numbers.
fn kb_items(field: &Field) -> bool {
    let entries: Vec<&str> = field
        .items
        .iter()
        .filter_map(|(_, item)| ENTRY.captures(item)?.get(2).map(|m| m.as_str()))
        .collect();
    let kbs = entries.iter().filter(|e| KB_LIKE.is_match(e)).count();
    kbs > 0 && kbs * 2 >= entries.len()
}

/// A value without digits and without entries: "N/A" in some language.
fn says_none(field: &Field) -> bool {
    field.items.is_empty()
        && !field.value.is_empty()
        && field.value.chars().count() <= 40
        && !field.value.chars().any(|c| c.is_ascii_digit())
}

/// The network cards: a count and entries that are not KB numbers.
fn network_cards(field: &Field) -> bool {
    field.value.chars().any(|c| c.is_ascii_digit()) && !field.items.is_empty() && !kb_items(field)
}

fn find_hotfixes(fields: &[Field]) -> Option<usize> {
    if let Some(at) = fields
        .iter()
        .position(|f| hint(&f.label) == Some(Hint::Hotfixes))
    {
        return Some(at);
    }
    if let Some(at) = fields.iter().position(kb_items) {
        return Some(at);
    }
    let system_type = fields.iter().position(|f| SYSTEM_TYPE.is_match(&f.value))?;
    let at = system_type + 17;
    (fields.get(at).is_some_and(says_none) && fields.get(at + 1).is_some_and(network_cards))
        .then_some(at)
}

fn read_fields(mut fields: Vec<Field>, file: &str, out: &mut Hotfixes) {
    let versions: Vec<usize> = (0..fields.len())
        .filter(|&i| version_build(&fields[i].value).is_some())
        .collect();
    if let (Some(&first), Some(&second)) = (versions.first(), versions.get(1)) {
        // `systeminfo /s A /s B`: the next host starts two fields before its
        // version.
        let cut = second.saturating_sub(2).max(first + 1);
        out.problems.push(Note::at(
            file,
            fields[cut].line,
            format!(
                "a second host ({}); only the first is read",
                shorten(&fields[cut].value)
            ),
        ));
        fields.truncate(cut);
    }
    let version = versions.first().copied().or_else(|| {
        fields
            .iter()
            .position(|f| hint(&f.label) == Some(Hint::OsVersion))
    });
    match version {
        Some(at) => {
            let field = &fields[at];
            out.os_version = non_empty(&field.value);
            out.build = version_build(&field.value);
            if out.build.is_none() {
                out.problems.push(Note::at(
                    file,
                    field.line,
                    format!(
                        "OS version \"{}\" not understood (expected e.g. \"10.0.17763 N/A \
                         Build 17763\"); the build is unknown",
                        shorten(&field.value)
                    ),
                ));
            }
        }
        None => out.problems.push(Note::file(
            file,
            "no OS version line (\"10.0.17763 N/A Build 17763\"); the build is unknown",
        )),
    }
    let by_hint = |wanted: Hint| fields.iter().position(|f| hint(&f.label) == Some(wanted));
    let before_version = |n: usize| version.and_then(|v| v.checked_sub(n));
    if let Some(at) = by_hint(Hint::Host).or_else(|| before_version(2)) {
        out.host = non_empty(&fields[at].value);
    }
    if let Some(at) = by_hint(Hint::OsName).or_else(|| before_version(1)) {
        out.os_name = non_empty(&fields[at].value);
    }
    match find_hotfixes(&fields) {
        Some(at) => read_hotfix_field(&fields[at], at + 1 == fields.len(), file, out),
        None => out.problems.push(Note::file(
            file,
            "no hotfix section found (the `Hotfix(s)` field, after `Logon Server`); \
             installed updates unknown",
        )),
    }
}

/// Reads the hotfix field; `last`: no field follows it (systeminfo always
/// lists the network cards after it), so the output was cut in it.
fn read_hotfix_field(field: &Field, last_field: bool, file: &str, out: &mut Hotfixes) {
    out.found_list();
    let line = field.line;
    let mut items: Vec<(u64, &str)> = Vec::new();
    let value = match ENTRY.captures(&field.value) {
        // `Hotfix(s): [01]: KB…` without a count.
        Some(_) => {
            items.push((line, field.value.as_str()));
            ""
        }
        None => field.value.as_str(),
    };
    items.extend(field.items.iter().map(|(n, item)| (*n, item.as_str())));
    let count: Option<u32> = DIGITS.find(value).and_then(|m| m.as_str().parse().ok());
    out.hotfix_count = count;
    let mut listed: u32 = 0;
    let mut in_order = true;
    let mut last: Option<(u64, String, Option<String>)> = None;
    for (number, item) in items {
        match ENTRY
            .captures(item)
            .filter(|c| c.get(2).is_some_and(|m| !m.as_str().trim().is_empty()))
        {
            Some(c) => {
                listed += 1;
                let index: Option<u32> = c.get(1).and_then(|m| m.as_str().parse().ok());
                if index != Some(listed) && in_order {
                    in_order = false;
                    out.problems.push(Note::at(
                        file,
                        number,
                        format!(
                            "hotfix entry \"{}\" out of sequence (expected [{:02}]); \
                             entries are missing",
                            shorten(item),
                            listed
                        ),
                    ));
                }
                let entry = c.get(2).map_or("", |m| m.as_str());
                let added = match out.add(file, number, entry) {
                    Added::New(kb) => Some(kb),
                    Added::Unreadable => {
                        in_order = false;
                        None
                    }
                    Added::Again | Added::NotKb => None,
                };
                last = Some((number, entry.to_string(), added));
            }
            None => {
                in_order = false;
                last = None;
                out.problems.push(Note::at(
                    file,
                    number,
                    format!(
                        "hotfix entry \"{}\" is cut off or unreadable",
                        shorten(item)
                    ),
                ));
            }
        }
    }
    if last_field {
        in_order = false;
        out.problems.push(Note::at(
            file,
            line,
            "the output ends in the hotfix field (systeminfo lists the network \
             cards after it): cut, the update list is incomplete",
        ));
        drop_cut_entry(last.take(), file, out);
    }
    out.complete = match count {
        Some(count) if count == listed => in_order,
        Some(count) => {
            out.problems.push(Note::at(
                file,
                line,
                format!(
                    "systeminfo says {count} hotfixes are installed but lists \
                     {listed}; the list is incomplete (systeminfo cuts long lists: collect \
                     `wmic qfe` too)"
                ),
            ));
            if count > listed {
                // The entry the output was cut in may be a longer number.
                drop_cut_entry(last, file, out);
            }
            false
        }
        None if listed == 0 && says_none(field) => !last_field,
        None => {
            out.problems.push(Note::at(
                file,
                line,
                format!(
                    "hotfix count \"{}\" not understood; the list may be incomplete",
                    shorten(value)
                ),
            ));
            false
        }
    };
}
