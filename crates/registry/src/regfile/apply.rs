//! Applying the lines of one `.reg` file to the tree, and where a bad line
//! leaves the tree incomplete ([`Damage`]).

use crate::data::{decode, Text};
use crate::{fold, Data, RegistryError, Value};

use super::{root_name, Node, HEADER_4, HEADER_5, MAX_DEPTH, MAX_WARNINGS_PER_FILE};

/// Where a bad line leaves the tree incomplete: the key (folded path) whose
/// subtree may miss keys or values, and the warning that says why. A query
/// at a key above or below `path` is affected; other keys are not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Damage {
    pub path: Vec<String>,
    pub warning: String,
}

/// Which key value lines apply to.
pub(super) enum Current {
    /// No key header yet.
    None,
    /// After a deleted or bad key header: value lines are ignored.
    Skip,
    /// The exact names of the current key's path.
    Key(Vec<String>),
}

/// Applies the lines of one file to the tree.
pub(super) struct Apply<'a> {
    pub tree: &'a mut Node,
    pub origin: &'a str,
    pub text: Text,
    pub warnings: Vec<RegistryError>,
    pub suppressed: usize,
    pub current: Current,
    /// Where bad lines leave the tree incomplete (one entry per path).
    pub damage: Vec<Damage>,
    /// The deepest key above every key this file names (folded).
    pub top: Option<Vec<String>>,
}

impl Apply<'_> {
    /// Warns about line `index` (0-based); `lost` is the key (folded path)
    /// whose subtree the bad line leaves incomplete, if any.
    fn warn_at(&mut self, index: usize, message: String, lost: Option<Vec<String>>) {
        let line = index as u64 + 1;
        if let Some(path) = lost {
            if !self.damage.iter().any(|d| d.path == path) {
                self.damage.push(Damage {
                    path,
                    warning: format!("{}:{line}: {message}", self.origin),
                });
            }
        }
        if self.warnings.len() < MAX_WARNINGS_PER_FILE {
            self.warnings.push(RegistryError::Syntax {
                file: self.origin.to_string(),
                line,
                message,
            });
        } else {
            self.suppressed += 1;
        }
    }

    /// Warns about a bad line that loses what it would have set in the
    /// current key (nothing when the key is deleted or its header was bad:
    /// that header is reported already).
    fn warn(&mut self, index: usize, message: String) {
        let lost = match &self.current {
            Current::Key(names) => Some(names.iter().map(|n| fold(n)).collect()),
            Current::Skip => None,
            Current::None => Some(Vec::new()),
        };
        self.warn_at(index, message, lost);
    }

    /// The current key's parent (folded), where a mangled key header of a
    /// sibling would have been; the top without a current key.
    fn parent_of_current(&self) -> Vec<String> {
        match &self.current {
            Current::Key(names) if names.len() > 1 => {
                names[..names.len() - 1].iter().map(|n| fold(n)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Keeps `top` the deepest key above every key named so far.
    fn named(&mut self, names: &[String]) {
        let folded: Vec<String> = names.iter().map(|n| fold(n)).collect();
        self.top = Some(match self.top.take() {
            None => folded,
            Some(top) => top
                .into_iter()
                .zip(folded)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }

    /// Checks how the file ends. A last line without a line break was cut
    /// short: it is not applied (`lines` does not get it). `reg export`
    /// (UTF-16, `utf16_export`) also ends every file with an empty line
    /// after the last key's values: an export without it was cut at a line
    /// break. What the file held past the cut is lost.
    pub fn end(&mut self, lines: &[&str], utf16_export: bool) {
        let n = lines.len();
        let broken = n >= 1 && lines[n - 1].trim().is_empty();
        let blank = broken && n >= 2 && lines[n - 2].trim().is_empty();
        if broken && (!utf16_export || blank) {
            return;
        }
        // Nothing applied yet: which key the cut lost is unknown.
        let top = self.top.clone().unwrap_or_default();
        let last = lines
            .iter()
            .rposition(|l| !l.trim().is_empty())
            .unwrap_or(0);
        let message = if broken {
            "the export ends without the empty line `reg export` writes after the last key \
             (it was cut short): keys and values past this line are lost"
        } else {
            "the file ends in the middle of this line (it was cut short): the line is not read, \
             and keys and values past it are lost"
        };
        self.warn_at(last, message.to_string(), Some(top));
    }

    /// Whether the last line of `lines` has no line break: it was cut.
    pub fn cut(lines: &[&str]) -> bool {
        lines.last().is_some_and(|l| !l.trim().is_empty())
    }

    pub fn lines(&mut self, lines: &[&str], start: usize) {
        let mut i = start;
        while i < lines.len() {
            let line = lines[i].trim();
            let index = i;
            i += 1;
            if line.is_empty() || line.starts_with(';') {
                continue;
            }
            if line.chars().any(|c| c.is_control() && c != '\t') {
                // Zeroed blocks, bytes lost in UTF-16 text: nothing in the
                // line can be trusted, and it may have swallowed the header
                // of a sibling key: the values that follow are not
                // applied, and the current key's parent is incomplete.
                let lost = match line.strip_prefix('[') {
                    Some(header) => lost_parent(header),
                    None => self.parent_of_current(),
                };
                self.current = Current::Skip;
                self.warn_at(
                    index,
                    "the line holds control characters (the file is damaged); it and the \
                     values after it up to the next key are not read"
                        .to_string(),
                    Some(lost),
                );
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
                // Perhaps a damaged key header: the current key's siblings
                // may be incomplete.
                let lost = self.parent_of_current();
                // The values after it may belong to that lost key.
                self.current = Current::Skip;
                self.warn_at(
                    index,
                    format!(
                        "unrecognised line {preview:?}; the values after it up to the next key \
                         are not read"
                    ),
                    Some(lost),
                );
            }
        }
    }

    fn key_header(&mut self, index: usize, line: &str) {
        self.current = Current::Skip;
        let Some(close) = line.rfind(']') else {
            // The key it names is lost: its parent, as far as it can be read.
            let lost = lost_parent(&line[1..]);
            self.warn_at(
                index,
                "key header without closing ']'".to_string(),
                Some(lost),
            );
            return;
        };
        let trailing = line[close + 1..].trim();
        if !trailing.is_empty() && !trailing.starts_with(';') {
            let lost = lost_parent(&line[1..close]);
            self.warn_at(
                index,
                format!("text after the key header ignored: {trailing:?}"),
                Some(lost),
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
            let lost = self.parent_of_current();
            self.warn_at(index, "empty key path".to_string(), Some(lost));
            return;
        }
        if names.len() > MAX_DEPTH {
            let lost = lost_parent(path);
            self.warn_at(
                index,
                format!("key path deeper than {MAX_DEPTH} levels, ignored"),
                Some(lost),
            );
            return;
        }
        match root_name(&names[0]) {
            Some(full) => names[0] = full.to_string(),
            None => self.warn_at(
                index,
                format!(
                    "key path does not start with a root key such as HKEY_LOCAL_MACHINE: {:?}",
                    names[0]
                ),
                // Which key it meant is unknown.
                Some(Vec::new()),
            ),
        }
        self.named(&names);
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

/// The parent (folded) of the key a damaged header names as far as it can
/// be read (its last name may be cut); the top when its root is unreadable.
fn lost_parent(path: &str) -> Vec<String> {
    let path = path.strip_prefix('-').unwrap_or(path);
    let mut names: Vec<String> = path
        .split('\\')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    names.pop();
    // A name with control characters in it is damaged: keep what is above.
    // So is one that swallowed the next header (`[`), or one with ASCII
    // read one byte off in UTF-16 ('S' 0x53 read as U+5300): the names
    // after it cannot be trusted either.
    if let Some(bad) = names.iter().position(|n| {
        n.chars()
            .any(|c| c.is_control() || c == '\u{fffd}' || c == '[' || shifted_ascii(c))
    }) {
        names.truncate(bad);
    }
    match names.first().and_then(|first| root_name(first)) {
        Some(full) => {
            names[0] = full.to_string();
            names.iter().map(|n| fold(n)).collect()
        }
        None => Vec::new(),
    }
}

/// A printable ASCII character read one byte off in UTF-16 text: its code
/// is the ASCII code times 256 (`S` 0x53 → U+5300).
fn shifted_ascii(c: char) -> bool {
    let code = c as u32;
    code & 0xFF == 0 && (0x20..0x7F).contains(&(code >> 8))
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
