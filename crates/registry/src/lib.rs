//! One read-only view of Windows registry data, whatever the evidence is.
//!
//! A host's registry reaches acsready in two shapes:
//!
//! - **offline hive files** (`SOFTWARE`, `SYSTEM`, `NTUSER.DAT`…) copied
//!   from the machine, read by [`Hive`] with the `notatin` crate; when the
//!   transaction logs (`SOFTWARE.LOG1`, `SOFTWARE.LOG2`) lie beside the hive
//!   they are replayed, so changes not yet flushed into the hive are seen;
//! - **`.reg` exports** written by `reg export` or regedit (UTF-16LE with
//!   BOM, or UTF-8; `Windows Registry Editor Version 5.00` or `REGEDIT4`),
//!   read by [`RegFiles`], which merges the several exports of one host
//!   (one per exported key) into one tree, applying deletions in order.
//!
//! Both give a [`RegistryView`]: subkey names and values of a key, found by
//! a path relative to the view's root. Both map raw data the same way
//! ([`Data::from_raw`]), list subkeys and values in the same order (by
//! case-insensitive name) and compare names case-insensitively, so code
//! above this crate reads identical facts from either source.
//!
//! Errors name the file (and, for `.reg` syntax, the line). A bad line of
//! a `.reg` file is a warning ([`RegFiles::warnings`]) and the rest of the
//! file is still read; a file that is not a hive or not a `.reg` export is
//! an error; nothing here panics on bad input (a panic inside the hive
//! reader, which its unchecked arithmetic can raise on a damaged hive in
//! builds with overflow checks, is caught and noted).
//!
//! Building: notatin 1.0.1 declares `nom >= 6` but only compiles with
//! nom 7, so `Cargo.lock` and `fuzz/Cargo.lock` pin nom 7.1.3; after a
//! lock refresh run `cargo update -p nom@8.0.0 --precise 7.1.3`.

use std::fmt;

mod data;
mod hive;
mod regfile;
mod regquery;

pub use hive::{Hive, Recovery};
pub use regfile::{RegFiles, RegView};

/// The data of a registry value, decoded by its type.
///
/// The mapping from the raw type and bytes is [`Data::from_raw`], shared by
/// both sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    /// `REG_NONE` (type 0) without data; `REG_NONE` with data is
    /// [`Data::Other`] with `kind` 0.
    None,
    /// `REG_SZ` (1), cut at its first NUL.
    Sz(String),
    /// `REG_EXPAND_SZ` (2), cut at its first NUL, not expanded.
    ExpandSz(String),
    /// `REG_MULTI_SZ` (7): the strings between NULs, trailing NULs removed.
    MultiSz(Vec<String>),
    /// `REG_DWORD` (4), little-endian.
    Dword(u32),
    /// `REG_QWORD` (11), little-endian.
    Qword(u64),
    /// `REG_BINARY` (3).
    Binary(Vec<u8>),
    /// Any other type, or a `REG_DWORD`/`REG_QWORD` with too few bytes.
    Other { kind: u32, bytes: Vec<u8> },
}

impl Data {
    /// The registry type number (`REG_SZ` = 1, …).
    pub fn kind(&self) -> u32 {
        match self {
            Data::None => 0,
            Data::Sz(_) => 1,
            Data::ExpandSz(_) => 2,
            Data::Binary(_) => 3,
            Data::Dword(_) => 4,
            Data::MultiSz(_) => 7,
            Data::Qword(_) => 11,
            Data::Other { kind, .. } => *kind,
        }
    }

    /// The text of a `REG_SZ` or `REG_EXPAND_SZ`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Data::Sz(s) | Data::ExpandSz(s) => Some(s),
            _ => None,
        }
    }

    /// The number of a `REG_DWORD`.
    pub fn as_u32(&self) -> Option<u32> {
        match self {
            Data::Dword(n) => Some(*n),
            _ => None,
        }
    }
}

/// One value of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The value's name; `""` is the key's default value (`@` in `.reg`).
    pub name: String,
    pub data: Data,
}

/// Read-only access to a registry tree, the same for every source.
///
/// Paths are `\`-separated key names relative to the view's root (`""` is
/// the root itself); empty segments are ignored, so leading and trailing
/// backslashes do no harm. Names compare case-insensitively, as Windows
/// does.
pub trait RegistryView {
    /// Names of the subkeys of the key at `path`, sorted by
    /// case-insensitive name; `None` if the key does not exist.
    fn subkeys(&self, path: &str) -> Option<Vec<String>>;

    /// Values of the key at `path`, sorted by case-insensitive name (the
    /// default value, named `""`, first); `None` if the key does not exist.
    fn values(&self, path: &str) -> Option<Vec<Value>>;

    /// The data of one value (`""` = the default value); `None` if the key
    /// or the value does not exist.
    fn value(&self, path: &str, name: &str) -> Option<Data> {
        let wanted = fold(name);
        self.values(path)?
            .into_iter()
            .find(|v| fold(&v.name) == wanted)
            .map(|v| v.data)
    }

    /// Why what the view holds at or below the key at `path` may be
    /// incomplete: a warning naming the file and line of the damage that
    /// lost keys or values there (or above it, when which key it hit is
    /// unknown); `None` when nothing is known to be missing.
    fn damage(&self, path: &str) -> Option<String> {
        let _ = path;
        None
    }

    /// Where the data comes from, for evidence: `"SOFTWARE (hive, 2 logs
    /// replayed)"`, `"web01/CurrentVersion.reg [HKEY_LOCAL_MACHINE\SOFTWARE]"`.
    fn origin(&self) -> String;
}

/// What went wrong while reading registry evidence.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a usable registry hive (wrong signature, truncated,
    /// a transaction log, or damaged beyond reading its root key).
    #[error("{file}: not a usable registry hive: {message}")]
    NotAHive { file: String, message: String },
    /// The file is not a `.reg` export (no header, binary data).
    #[error("{file}: not a .reg export: {message}")]
    NotRegFile { file: String, message: String },
    /// One line of a `.reg` file is unusable; the rest of the file is still
    /// read. `line` is 1-based.
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: u64,
        message: String,
    },
}

/// Case-folds a key or value name the way Windows compares them: each
/// character upper-cased on its own (no expansions such as `ß` → `SS`).
pub(crate) fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let mut upper = c.to_uppercase();
        match (upper.next(), upper.next()) {
            (Some(u), None) => out.push(u),
            _ => out.push(c),
        }
    }
    out
}

/// Splits a `\`-separated path into folded segments, ignoring empty ones.
pub(crate) fn path_segments(path: &str) -> Vec<String> {
    path.split('\\')
        .filter(|s| !s.is_empty())
        .map(fold)
        .collect()
}

/// Sorts names case-insensitively, ties broken by the exact spelling so
/// the order is total.
pub(crate) fn sort_names(names: &mut [String]) {
    names.sort_by_cached_key(|n| (fold(n), n.clone()));
}

/// Sorts values by case-insensitive name; equal names keep their order.
pub(crate) fn sort_values(values: &mut [Value]) {
    values.sort_by_cached_key(|v| fold(&v.name));
}

/// Shows a few leading bytes as hex, for error messages.
pub(crate) struct HexPreview<'a>(pub &'a [u8]);

impl fmt::Display for HexPreview<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().take(8).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02x}")?;
        }
        if self.0.len() > 8 {
            f.write_str(" …")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_is_per_character_upper_case() {
        assert_eq!(fold("Software\\Microsoft"), "SOFTWARE\\MICROSOFT");
        assert_eq!(fold("straße"), "STRAßE");
        assert_eq!(fold("äÖ"), "ÄÖ");
    }

    #[test]
    fn path_segments_ignore_empty_parts() {
        assert_eq!(path_segments("\\a\\\\B\\"), vec!["A", "B"]);
        assert!(path_segments("").is_empty());
        assert!(path_segments("\\").is_empty());
    }

    #[test]
    fn names_sort_case_insensitively() {
        let mut names = vec!["b".to_string(), "A".into(), "a".into(), "C".into()];
        sort_names(&mut names);
        assert_eq!(names, vec!["A", "a", "b", "C"]);
    }

    #[test]
    fn data_kinds_and_accessors() {
        assert_eq!(Data::Qword(1).kind(), 11);
        assert_eq!(
            Data::Other {
                kind: 9,
                bytes: vec![]
            }
            .kind(),
            9
        );
        assert_eq!(Data::ExpandSz("x".into()).as_str(), Some("x"));
        assert_eq!(Data::Dword(7).as_u32(), Some(7));
        assert_eq!(Data::Binary(vec![]).as_str(), None);
    }

    #[test]
    fn hex_preview_is_short() {
        assert_eq!(HexPreview(&[1, 2]).to_string(), "01 02");
        assert_eq!(
            HexPreview(&[0; 10]).to_string(),
            "00 00 00 00 00 00 00 00 …"
        );
    }
}
