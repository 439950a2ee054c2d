//! `.reg` exports (`reg export`, regedit), merged into one tree.
//!
//! Accepted: UTF-16LE with BOM (what Windows writes), UTF-16BE with BOM,
//! UTF-8 with or without BOM, UTF-16LE without BOM, and, when the bytes
//! are not UTF-8, Windows-1252 (old `REGEDIT4` files); the header
//! `Windows Registry Editor Version 5.00` or `REGEDIT4`; CRLF or LF;
//! `;` comments; `[key]` and `[-key]` (delete the key and its subtree);
//! `"name"=…` and `@=…` (default value) with `\\` and `\"` escapes;
//! `"string"`, `-` (delete the value), `dword:1f`, `hex:` (REG_BINARY) and
//! `hex(N):` data, continued over lines ending with `\`. In `hex(2)`,
//! `hex(7)` and `hex(1)` data, strings are UTF-16LE in version 5.00 files
//! and one byte a character (Windows-1252) in `REGEDIT4` files.
//!
//! Files are applied in the order they are added, so a deletion removes
//! what an earlier part of the same file or an earlier file set. A bad
//! line is a [`RegistryError::Syntax`] warning naming the file and line;
//! the rest of the file is still applied. Not supported: `REG_SZ` data
//! spanning lines (a string with a line break in it, which regedit writes
//! unescaped): its lines are reported as bad.

use std::collections::BTreeMap;
use std::path::Path;

use crate::data::{decode, windows_1252, Text};
use crate::{fold, path_segments, Data, RegistryError, RegistryView, Value};

/// Deepest key Windows allows (and the deepest this reader builds).
const MAX_DEPTH: usize = 512;

/// Warnings kept per file; the others are counted in one last warning.
const MAX_WARNINGS_PER_FILE: usize = 100;

const HEADER_5: &str = "Windows Registry Editor Version 5.00";
const HEADER_4: &str = "REGEDIT4";

/// The root keys and their abbreviations, as `reg.exe` accepts them.
const ROOTS: [(&str, &str); 7] = [
    ("HKLM", "HKEY_LOCAL_MACHINE"),
    ("HKCU", "HKEY_CURRENT_USER"),
    ("HKCR", "HKEY_CLASSES_ROOT"),
    ("HKU", "HKEY_USERS"),
    ("HKCC", "HKEY_CURRENT_CONFIG"),
    ("HKPD", "HKEY_PERFORMANCE_DATA"),
    ("HKDD", "HKEY_DYN_DATA"),
];

/// The full name of a root key given by its full or short name.
fn root_name(segment: &str) -> Option<&'static str> {
    ROOTS
        .iter()
        .find(|(short, long)| {
            segment.eq_ignore_ascii_case(short) || segment.eq_ignore_ascii_case(long)
        })
        .map(|(_, long)| *long)
}

/// The `.reg` files of one host, merged into one registry tree.
///
/// ```
/// use acsready_registry::{Data, RegFiles, RegistryView};
///
/// let mut files = RegFiles::new();
/// files.add_text(
///     "Windows Registry Editor Version 5.00\r\n\r\n\
///      [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n\
///      \"CurrentBuild\"=\"17763\"\r\n\"UBR\"=dword:00000889\r\n",
///     "web01/CurrentVersion.reg",
/// )?;
/// let software = files.view("HKLM\\SOFTWARE");
/// let cv = "Microsoft\\Windows NT\\CurrentVersion";
/// assert_eq!(software.value(cv, "ubr"), Some(Data::Dword(2185)));
/// assert_eq!(software.value(cv, "CurrentBuild"), Some(Data::Sz("17763".into())));
/// # Ok::<(), acsready_registry::RegistryError>(())
/// ```
#[derive(Debug, Default)]
pub struct RegFiles {
    tree: Node,
    files: Vec<String>,
    warnings: Vec<RegistryError>,
}

/// One key: its name as first written, subkeys and values by folded name.
#[derive(Debug, Default)]
struct Node {
    name: String,
    children: BTreeMap<String, Node>,
    values: BTreeMap<String, Value>,
}

impl Node {
    fn get(&self, folded: &[String]) -> Option<&Node> {
        folded
            .iter()
            .try_fold(self, |node, segment| node.children.get(segment))
    }

    fn get_mut(&mut self, folded: &[String]) -> Option<&mut Node> {
        folded
            .iter()
            .try_fold(self, |node, segment| node.children.get_mut(segment))
    }

    /// The key at `names` (exact spellings), created with its parents.
    fn create(&mut self, names: &[String]) -> &mut Node {
        names.iter().fold(self, |node, name| {
            node.children.entry(fold(name)).or_insert_with(|| Node {
                name: name.clone(),
                ..Node::default()
            })
        })
    }
}

impl RegFiles {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one `.reg` file and applies it over what was added before.
    ///
    /// An unreadable file, or one that is not a `.reg` export, is an error
    /// and changes nothing; bad lines are [`RegFiles::warnings`].
    pub fn add_file(&mut self, path: &Path) -> Result<(), RegistryError> {
        let origin = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| RegistryError::Io {
            file: origin.clone(),
            source,
        })?;
        self.add_bytes(&bytes, &origin)
    }

    /// Applies the raw bytes of one `.reg` file (encoding detected as for
    /// [`RegFiles::add_file`]); `origin` names it.
    pub fn add_bytes(&mut self, bytes: &[u8], origin: &str) -> Result<(), RegistryError> {
        let (text, replaced) = decode_bytes(bytes);
        self.add_text(&text, origin)?;
        if replaced > 0 {
            self.warnings.push(RegistryError::Syntax {
                file: origin.to_string(),
                line: 1,
                message: format!("{replaced} invalid UTF-16 code units replaced by U+FFFD"),
            });
        }
        Ok(())
    }

    /// Applies the text of one `.reg` file; `origin` names it in warnings
    /// and in [`RegistryView::origin`].
    pub fn add_text(&mut self, text: &str, origin: &str) -> Result<(), RegistryError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let (first, text_kind) = header(&lines).map_err(|message| RegistryError::NotRegFile {
            file: origin.to_string(),
            message,
        })?;
        let mut apply = Apply {
            tree: &mut self.tree,
            origin,
            text: text_kind,
            warnings: Vec::new(),
            suppressed: 0,
            current: Current::None,
        };
        apply.lines(&lines, first + 1);
        let Apply {
            mut warnings,
            suppressed,
            ..
        } = apply;
        if suppressed > 0 {
            warnings.push(RegistryError::Syntax {
                file: origin.to_string(),
                line: lines.len() as u64,
                message: format!("{suppressed} more bad lines not listed"),
            });
        }
        self.warnings.extend(warnings);
        self.files.push(origin.to_string());
        Ok(())
    }

    /// Applies the output of `reg query KEY` (the key's values and the names
    /// of its subkeys); encoding detected as for [`RegFiles::add_file`].
    pub fn add_query_output(&mut self, bytes: &[u8], origin: &str) -> Result<(), RegistryError> {
        let (text, _) = decode_bytes(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let (keys, warnings) = crate::regquery::parse(text, origin)?;
        for key in keys {
            let mut names: Vec<String> = key
                .path
                .split('\\')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(full) = names.first().and_then(|first| root_name(first)) {
                names[0] = full.to_string();
            }
            let node = self.tree.create(&names);
            for value in key.values {
                node.values.insert(fold(&value.name), value);
            }
        }
        self.warnings.extend(warnings);
        self.files.push(origin.to_string());
        Ok(())
    }

    /// Whether some bytes look like `reg query` output rather than a `.reg` file.
    pub fn is_query_output(bytes: &[u8]) -> bool {
        let (text, _) = decode_bytes(bytes);
        crate::regquery::looks_like(text.strip_prefix('\u{feff}').unwrap_or(&text))
    }

    /// Bad lines met so far, in order, each naming its file and line.
    pub fn warnings(&self) -> &[RegistryError] {
        &self.warnings
    }

    /// The files applied so far, as named when added.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// A view rooted at `root`, e.g. `HKEY_LOCAL_MACHINE\SOFTWARE` (short
    /// names such as `HKLM\SOFTWARE` work too); `""` views the top, whose
    /// subkeys are the root keys present in the files.
    pub fn view(&self, root: &str) -> RegView<'_> {
        let mut names: Vec<&str> = root.split('\\').filter(|s| !s.is_empty()).collect();
        if let Some(full) = names.first().and_then(|first| root_name(first)) {
            names[0] = full;
        }
        let root = names.join("\\");
        RegView {
            files: self,
            folded: path_segments(&root),
            root,
        }
    }
}

/// A [`RegistryView`] of [`RegFiles`] below one key.
#[derive(Debug, Clone)]
pub struct RegView<'a> {
    files: &'a RegFiles,
    root: String,
    folded: Vec<String>,
}

impl RegView<'_> {
    fn node(&self, path: &str) -> Option<&Node> {
        self.files.tree.get(&self.folded)?.get(&path_segments(path))
    }
}

impl RegistryView for RegView<'_> {
    fn subkeys(&self, path: &str) -> Option<Vec<String>> {
        Some(
            self.node(path)?
                .children
                .values()
                .map(|n| n.name.clone())
                .collect(),
        )
    }

    fn values(&self, path: &str) -> Option<Vec<Value>> {
        Some(self.node(path)?.values.values().cloned().collect())
    }

    fn value(&self, path: &str, name: &str) -> Option<Data> {
        Some(self.node(path)?.values.get(&fold(name))?.data.clone())
    }

    fn origin(&self) -> String {
        let files = if self.files.files.is_empty() {
            "no .reg files".to_string()
        } else {
            self.files.files.join(", ")
        };
        if self.root.is_empty() {
            files
        } else {
            format!("{files} [{}]", self.root)
        }
    }
}

/// Decodes the bytes of a `.reg` file; returns the text and how many
/// invalid UTF-16 units were replaced.
fn decode_bytes(bytes: &[u8]) -> (String, usize) {
    fn utf16(units: impl Iterator<Item = u16>) -> (String, usize) {
        let mut replaced = 0;
        let text = char::decode_utf16(units)
            .map(|r| {
                r.unwrap_or_else(|_| {
                    replaced += 1;
                    char::REPLACEMENT_CHARACTER
                })
            })
            .collect();
        (text, replaced)
    }
    let le = |b: &[u8]| utf16(b.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]])));
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        le(rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        utf16(
            rest.chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]])),
        )
    } else if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        (String::from_utf8_lossy(rest).into_owned(), 0)
    } else if bytes.len() >= 2 && bytes[0] != 0 && bytes[1] == 0 {
        le(bytes)
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_string(), 0),
            Err(_) => (bytes.iter().map(|&b| windows_1252(b)).collect(), 0),
        }
    }
}

/// Finds the header; returns its line index and how `hex(N)` strings are
/// encoded.
fn header(lines: &[&str]) -> Result<(usize, Text), String> {
    let Some((index, line)) = lines.iter().enumerate().find(|(_, l)| !l.trim().is_empty()) else {
        return Err("the file is empty".to_string());
    };
    let line = line.trim();
    if line.eq_ignore_ascii_case(HEADER_5) {
        Ok((index, Text::Utf16))
    } else if line.eq_ignore_ascii_case(HEADER_4) {
        Ok((index, Text::Ansi))
    } else {
        let preview: String = line.chars().take(40).collect();
        Err(format!(
            "line {}: expected \"{HEADER_5}\" or \"{HEADER_4}\", found {preview:?}",
            index + 1
        ))
    }
}

/// Which key value lines apply to.
enum Current {
    /// No key header yet.
    None,
    /// After a deleted or bad key header: value lines are ignored.
    Skip,
    /// The exact names of the current key's path.
    Key(Vec<String>),
}

/// Applies the lines of one file to the tree.
struct Apply<'a> {
    tree: &'a mut Node,
    origin: &'a str,
    text: Text,
    warnings: Vec<RegistryError>,
    suppressed: usize,
    current: Current,
}

impl Apply<'_> {
    fn warn(&mut self, index: usize, message: String) {
        if self.warnings.len() < MAX_WARNINGS_PER_FILE {
            self.warnings.push(RegistryError::Syntax {
                file: self.origin.to_string(),
                line: index as u64 + 1,
                message,
            });
        } else {
            self.suppressed += 1;
        }
    }

    fn lines(&mut self, lines: &[&str], start: usize) {
        let mut i = start;
        while i < lines.len() {
            let line = lines[i].trim();
            let index = i;
            i += 1;
            if line.is_empty() || line.starts_with(';') {
                continue;
            }
            if line.starts_with('[') {
                self.key_header(index, line);
            } else if line.starts_with('"') || line.starts_with('@') {
                i = self.value_line(lines, index, line);
            } else if line.eq_ignore_ascii_case(HEADER_5) || line.eq_ignore_ascii_case(HEADER_4) {
                // Exports concatenated into one file repeat the header.
                self.text = if line.eq_ignore_ascii_case(HEADER_4) {
                    Text::Ansi
                } else {
                    Text::Utf16
                };
            } else {
                let preview: String = line.chars().take(40).collect();
                self.warn(index, format!("unrecognised line {preview:?}"));
            }
        }
    }

    fn key_header(&mut self, index: usize, line: &str) {
        self.current = Current::Skip;
        let Some(close) = line.rfind(']') else {
            self.warn(index, "key header without closing ']'".to_string());
            return;
        };
        let trailing = line[close + 1..].trim();
        if !trailing.is_empty() && !trailing.starts_with(';') {
            self.warn(
                index,
                format!("text after the key header ignored: {trailing:?}"),
            );
        }
        let inner = &line[1..close];
        let (delete, path) = match inner.strip_prefix('-') {
            Some(path) => (true, path),
            None => (false, inner),
        };
        let mut names: Vec<String> = path
            .split('\\')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if names.is_empty() {
            self.warn(index, "empty key path".to_string());
            return;
        }
        if names.len() > MAX_DEPTH {
            self.warn(
                index,
                format!("key path deeper than {MAX_DEPTH} levels, ignored"),
            );
            return;
        }
        match root_name(&names[0]) {
            Some(full) => names[0] = full.to_string(),
            None => self.warn(
                index,
                format!(
                    "key path does not start with a root key such as HKEY_LOCAL_MACHINE: {:?}",
                    names[0]
                ),
            ),
        }
        if delete {
            let folded: Vec<String> = names.iter().map(|n| fold(n)).collect();
            if let Some((last, parent)) = folded.split_last() {
                if let Some(parent) = self.tree.get_mut(parent) {
                    parent.children.remove(last);
                }
            }
        } else {
            self.tree.create(&names);
            self.current = Current::Key(names);
        }
    }

    /// Applies one value line (and its continuation lines); returns the
    /// index of the next line to read.
    fn value_line(&mut self, lines: &[&str], index: usize, line: &str) -> usize {
        let mut next = index + 1;
        let (name, rest) = match line.strip_prefix('@') {
            Some(rest) => (String::new(), rest),
            None => match quoted(line) {
                Ok(parsed) => parsed,
                Err(message) => {
                    self.warn(index, format!("value name: {message}"));
                    return next;
                }
            },
        };
        let Some(data) = rest.trim_start().strip_prefix('=') else {
            self.warn(
                index,
                format!("value {name:?}: expected '=' after the name"),
            );
            return next;
        };
        let mut data = data.trim().to_string();
        if starts_with_ignore_case(&data, "hex") {
            while data.ends_with('\\') {
                let Some(more) = lines.get(next).map(|l| l.trim()) else {
                    break;
                };
                if more.is_empty() {
                    break;
                }
                data.pop();
                data.push_str(more);
                next += 1;
            }
        }
        let parsed = match parse_data(&data, self.text) {
            Ok(parsed) => parsed,
            Err(message) => {
                self.warn(index, format!("value {name:?}: {message}"));
                return next;
            }
        };
        let key = match &self.current {
            Current::Key(names) => names.iter().map(|n| fold(n)).collect::<Vec<_>>(),
            Current::Skip => return next,
            Current::None => {
                self.warn(index, format!("value {name:?} before any key header"));
                return next;
            }
        };
        if let Some(node) = self.tree.get_mut(&key) {
            match parsed {
                None => {
                    node.values.remove(&fold(&name));
                }
                Some(data) => {
                    node.values.insert(fold(&name), Value { name, data });
                }
            }
        }
        next
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Parses a `"…"` string at the start of `s`, with `\\` and `\"` escapes
/// (a backslash keeps the character after it); returns the text and what
/// follows the closing quote.
fn quoted(s: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped)) => out.push(escaped),
                None => break,
            },
            '"' => return Ok((out, &s[i + 1..])),
            _ => out.push(c),
        }
    }
    Err("no closing quote".to_string())
}

/// Parses the data after `=`: `None` deletes the value.
fn parse_data(data: &str, text: Text) -> Result<Option<Data>, String> {
    if data == "-" {
        return Ok(None);
    }
    if data.starts_with('"') {
        let (s, rest) = quoted(data).map_err(|m| format!("string data: {m}"))?;
        let rest = rest.trim();
        if !rest.is_empty() {
            let preview: String = rest.chars().take(20).collect();
            return Err(format!("text after the closing quote: {preview:?}"));
        }
        return Ok(Some(Data::Sz(s)));
    }
    if starts_with_ignore_case(data, "dword:") {
        let digits = data["dword:".len()..].trim();
        if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("dword value {digits:?} is not 1 to 8 hex digits"));
        }
        return u32::from_str_radix(digits, 16)
            .map(|n| Some(Data::Dword(n)))
            .map_err(|e| format!("dword value {digits:?}: {e}"));
    }
    if starts_with_ignore_case(data, "hex:") {
        let bytes = hex_bytes(&data["hex:".len()..])?;
        return Ok(Some(decode(3, &bytes, text)));
    }
    if starts_with_ignore_case(data, "hex(") {
        let rest = &data["hex(".len()..];
        let Some((kind, rest)) = rest.split_once(')') else {
            return Err("hex( without closing )".to_string());
        };
        let kind_text = kind.trim();
        if kind_text.is_empty()
            || kind_text.len() > 8
            || !kind_text.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(format!("type hex({kind_text}) is not hex"));
        }
        let kind = u32::from_str_radix(kind_text, 16)
            .map_err(|e| format!("type hex({kind_text}): {e}"))?;
        let Some(bytes) = rest.trim_start().strip_prefix(':') else {
            return Err(format!("expected ':' after hex({kind_text})"));
        };
        let bytes = hex_bytes(bytes)?;
        return Ok(Some(decode(kind, &bytes, text)));
    }
    let preview: String = data.chars().take(20).collect();
    Err(format!(
        "unknown data {preview:?} (expected \"…\", -, dword:, hex: or hex(N):)"
    ))
}

/// Parses comma-separated hex bytes (`01,ff,0a`); a trailing comma is
/// allowed.
fn hex_bytes(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let mut bytes = Vec::with_capacity(text.len() / 3 + 1);
    if text.is_empty() {
        return Ok(bytes);
    }
    let parts: Vec<&str> = text.split(',').collect();
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        let part = part.trim();
        if part.is_empty() && i == last {
            break;
        }
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            let preview: String = part.chars().take(12).collect();
            return Err(format!("hex value byte {} ({preview:?}) is not hex", i + 1));
        }
        bytes.push(u8::from_str_radix(part, 16).map_err(|e| format!("hex value {part:?}: {e}"))?);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests;
