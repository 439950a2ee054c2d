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

use crate::data::{windows_1252, Text};
use crate::{fold, path_segments, Data, RegistryError, RegistryView, Value};

mod apply;

use apply::{Apply, Current, Damage};

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
    /// Keys whose subtree bad lines left incomplete.
    damage: Vec<Damage>,
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
        let top = self.apply_text(&text, origin, utf16(bytes))?;
        let odd = utf16(bytes) && bytes.len() % 2 == 1;
        if replaced > 0 || odd {
            let message = if odd {
                "the UTF-16 text ends in the middle of a character (the file was cut short)"
                    .to_string()
            } else {
                format!("{replaced} invalid UTF-16 code units replaced by U+FFFD")
            };
            if let Some(path) = top {
                self.damage.push(Damage {
                    path,
                    warning: format!("{origin}:1: {message}"),
                });
            }
            self.warnings.push(RegistryError::Syntax {
                file: origin.to_string(),
                line: 1,
                message,
            });
        }
        Ok(())
    }

    /// Applies the text of one `.reg` file; `origin` names it in warnings
    /// and in [`RegistryView::origin`].
    pub fn add_text(&mut self, text: &str, origin: &str) -> Result<(), RegistryError> {
        self.apply_text(text, origin, false).map(|_| ())
    }

    /// [`RegFiles::add_text`]; returns the deepest key above every key the
    /// file names (folded), if it names any. `utf16_export`: the text was
    /// UTF-16, as `reg export` writes it (see `Apply::end`).
    fn apply_text(
        &mut self,
        text: &str,
        origin: &str,
        utf16_export: bool,
    ) -> Result<Option<Vec<String>>, RegistryError> {
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
            damage: Vec::new(),
            top: None,
        };
        let whole = if Apply::cut(&lines) && lines.len() > first + 1 {
            &lines[..lines.len() - 1]
        } else {
            &lines[..]
        };
        apply.lines(whole, first + 1);
        apply.end(&lines, utf16_export);
        let Apply {
            mut warnings,
            suppressed,
            damage,
            top,
            ..
        } = apply;
        self.damage.extend(damage);
        if suppressed > 0 {
            warnings.push(RegistryError::Syntax {
                file: origin.to_string(),
                line: lines.len() as u64,
                message: format!("{suppressed} more bad lines not listed"),
            });
        }
        self.warnings.extend(warnings);
        self.files.push(origin.to_string());
        Ok(top)
    }

    /// Applies the output of `reg query KEY` (the key's values and the names
    /// of its subkeys); encoding detected as for [`RegFiles::add_file`].
    pub fn add_query_output(&mut self, bytes: &[u8], origin: &str) -> Result<(), RegistryError> {
        let (text, _) = decode_bytes(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let (keys, warnings) = crate::regquery::parse(text, origin)?;
        let full_names = |path: &str| {
            let mut names: Vec<String> = path
                .split('\\')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(full) = names.first().and_then(|first| root_name(first)) {
                names[0] = full.to_string();
            }
            names
        };
        for key in keys {
            let node = self.tree.create(&full_names(&key.path));
            for value in key.values {
                node.values.insert(fold(&value.name), value);
            }
        }
        for (key, warning) in warnings {
            // A bad line loses a value of the key it follows.
            let path = key.map_or_else(Vec::new, |k| {
                full_names(&k).iter().map(|n| fold(n)).collect()
            });
            if !self.damage.iter().any(|d| d.path == path) {
                self.damage.push(Damage {
                    path,
                    warning: warning.to_string(),
                });
            }
            self.warnings.push(warning);
        }
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

    fn damage(&self, path: &str) -> Option<String> {
        let mut full = self.folded.clone();
        full.extend(path_segments(path));
        self.files
            .damage
            .iter()
            .find(|d| d.path.starts_with(&full) || full.starts_with(&d.path))
            .map(|d| d.warning.clone())
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

/// Whether `bytes` are read as UTF-16 (as [`decode_bytes`] decides).
fn utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xff\xfe")
        || bytes.starts_with(b"\xfe\xff")
        || (!bytes.starts_with(b"\xef\xbb\xbf")
            && bytes.len() >= 2
            && bytes[0] != 0
            && bytes[1] == 0)
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod damage_tests;
