//! Offline hive files (regf), read with `notatin`.
//!
//! [`Hive::open`] reads the whole file, checks its base block (signature,
//! file type, size) so that a file that is not a hive, a transaction log
//! or a truncated copy gives a clear error, then hands it to notatin with
//! the transaction logs found beside it (same name plus `.LOG1`/`.LOG2`,
//! any case). notatin replays the logs when the hive is dirty (its two
//! sequence numbers differ) and the logs are newer, and ignores them when
//! the hive is clean. If the logs cannot be parsed, the hive is opened
//! without them and [`Hive::notes`] says so.
//!
//! Keys are read lazily: a query walks from the root, caching the last
//! path walked and the subkeys listed on it, so a depth-first walk over the
//! whole hive reads every key once.

use std::collections::HashMap;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use notatin::cell_key_node::CellKeyNode;
use notatin::log::LogCode;
use notatin::parser::Parser;
use notatin::parser_builder::ParserBuilder;

use crate::{fold, path_segments, sort_names, sort_values, Data, HexPreview};
use crate::{RegistryError, RegistryView, Value};

/// Size of the base block at the start of every hive.
const BASE_BLOCK_LEN: usize = 4096;

/// An offline registry hive; the view's root is the hive's root key (for a
/// `SOFTWARE` hive, paths look like `Microsoft\Windows NT\CurrentVersion`).
///
/// Queries lock an internal cache, so a `Hive` can be shared between
/// threads but queries on one hive run one at a time.
pub struct Hive {
    origin: String,
    root_name: String,
    notes: Vec<String>,
    recovery: Recovery,
    sequence: (u32, u32),
    inner: Mutex<Inner>,
}

/// Whether the hive holds all its changes: Windows writes changes to the
/// transaction logs (`.LOG1`/`.LOG2`) first and flushes them into the hive
/// later; until then the hive is *dirty* (its two sequence numbers differ)
/// and only the logs have the latest changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// The sequence numbers agree: nothing to replay (`logs` found beside
    /// it were not needed).
    Clean { logs: usize },
    /// Dirty, and `logs` transaction logs were replayed: the hive is read
    /// as Windows would read it.
    Replayed { logs: usize },
    /// Dirty, and no `.LOG1`/`.LOG2` beside it: its latest changes may be
    /// missing.
    DirtyWithoutLogs,
    /// Dirty, `logs` logs found but none could be applied (damaged, or
    /// from another moment than the hive): its latest changes may be
    /// missing.
    NotReplayed { logs: usize },
}

impl Recovery {
    /// The hive's latest changes may be missing.
    pub fn incomplete(&self) -> bool {
        matches!(
            self,
            Recovery::DirtyWithoutLogs | Recovery::NotReplayed { .. }
        )
    }
}

struct Inner {
    parser: Parser,
    /// `cursor[0]` is the root; `cursor[i + 1]` is a subkey of `cursor[i]`.
    cursor: Vec<Level>,
    /// Problems met while reading keys after opening.
    notes: Vec<String>,
}

struct Level {
    /// Folded name (empty for the root).
    name: String,
    node: CellKeyNode,
    children: Option<Children>,
}

struct Children {
    nodes: Vec<CellKeyNode>,
    by_name: HashMap<String, usize>,
}

/// What the base block says.
struct Header {
    dirty: bool,
    primary: u32,
    secondary: u32,
}

impl Hive {
    /// Opens a hive file, replaying `<name>.LOG1` and `<name>.LOG2` when
    /// they exist beside it.
    pub fn open(path: &Path) -> Result<Hive, RegistryError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| RegistryError::Io {
            file: file.clone(),
            source,
        })?;
        let mut notes = Vec::new();
        let mut logs = Vec::new();
        if bytes.starts_with(b"regf") {
            for log_path in find_logs(path) {
                match std::fs::read(&log_path) {
                    Ok(data) => logs.push(data),
                    Err(e) => notes.push(format!("{}: cannot read: {e}", log_path.display())),
                }
            }
        }
        Self::read(file, bytes, logs, notes)
    }

    /// Reads a hive already in memory, without transaction logs; `origin`
    /// names it in errors and in [`RegistryView::origin`].
    pub fn from_bytes(bytes: Vec<u8>, origin: &str) -> Result<Hive, RegistryError> {
        Self::read(origin.to_string(), bytes, Vec::new(), Vec::new())
    }

    /// Reads a hive already in memory with the contents of its
    /// transaction logs (`.LOG1`, `.LOG2`, as read out of a disk image),
    /// replayed as [`Hive::open`] replays the files beside a hive.
    pub fn from_bytes_with_logs(
        bytes: Vec<u8>,
        logs: Vec<Vec<u8>>,
        origin: &str,
    ) -> Result<Hive, RegistryError> {
        let logs = if bytes.starts_with(b"regf") {
            logs
        } else {
            Vec::new()
        };
        Self::read(origin.to_string(), bytes, logs, Vec::new())
    }

    fn read(
        file: String,
        bytes: Vec<u8>,
        logs: Vec<Vec<u8>>,
        mut notes: Vec<String>,
    ) -> Result<Hive, RegistryError> {
        let not_a_hive = |message: String| RegistryError::NotAHive {
            file: file.clone(),
            message,
        };
        let header = check_header(&bytes).map_err(not_a_hive)?;
        let found = logs.len();

        let (parser, root, replayed) = if logs.is_empty() {
            let (parser, root) = build(bytes, Vec::new()).map_err(not_a_hive)?;
            (parser, root, 0)
        } else {
            match build(bytes.clone(), logs) {
                Ok((parser, root)) => {
                    let replayed = if applied_sequence(&parser).is_some_and(|n| n > 0) {
                        let skipped = parse_logs(&parser)
                            .filter(|(_, text)| text.starts_with("Skipping log file"))
                            .count();
                        found.saturating_sub(skipped)
                    } else {
                        0
                    };
                    (parser, root, replayed)
                }
                Err(message) => {
                    notes.push(format!(
                        "transaction logs not used, they could not be read: {message}"
                    ));
                    let (parser, root) = build(bytes, Vec::new()).map_err(not_a_hive)?;
                    (parser, root, 0)
                }
            }
        };
        notes.extend(
            parse_logs(&parser)
                .filter(|(code, _)| *code != LogCode::Info)
                .map(|(_, text)| text.to_string()),
        );

        // The recovery state says this better than notatin's own notes.
        notes.retain(|n| !superseded_note(n));

        let plural = |n: usize| if n == 1 { "log" } else { "logs" };
        let (status, recovery) = match (found, header.dirty) {
            (0, false) => ("hive".to_string(), Recovery::Clean { logs: 0 }),
            (0, true) => (
                "hive, dirty and no .LOG1/.LOG2 beside it: its latest changes may be missing"
                    .to_string(),
                Recovery::DirtyWithoutLogs,
            ),
            (n, false) => (
                format!("hive, clean, {n} {} not needed", plural(n)),
                Recovery::Clean { logs: n },
            ),
            (_, true) if replayed > 0 => (
                format!("hive, {replayed} {} replayed", plural(replayed)),
                Recovery::Replayed { logs: replayed },
            ),
            (n, true) => (
                format!(
                    "hive, dirty, {n} {} not replayed: its latest changes may be missing",
                    plural(n)
                ),
                Recovery::NotReplayed { logs: n },
            ),
        };
        Ok(Hive {
            origin: format!("{file} ({status})"),
            root_name: root.key_name.clone(),
            notes,
            recovery,
            sequence: (header.primary, header.secondary),
            inner: Mutex::new(Inner {
                parser,
                cursor: vec![Level {
                    name: String::new(),
                    node: root,
                    children: None,
                }],
                notes: Vec::new(),
            }),
        })
    }

    /// Whether the hive's unflushed changes were replayed from its
    /// transaction logs.
    pub fn recovery(&self) -> &Recovery {
        &self.recovery
    }

    /// The primary and secondary sequence numbers of the hive file as read,
    /// before any log was replayed (they differ when the hive is dirty).
    pub fn sequence_numbers(&self) -> (u32, u32) {
        self.sequence
    }

    /// The name stored in the hive's root key (`ROOT`,
    /// `CMI-CreateHive{…}`, `Software` for a subtree saved with `reg save`).
    pub fn root_name(&self) -> &str {
        &self.root_name
    }

    /// What the hive reader noticed: damaged cells, logs it skipped or could
    /// not read, a bad checksum it repaired… Empty for a healthy hive.
    pub fn notes(&self) -> Vec<String> {
        let inner = self.lock();
        self.notes.iter().chain(&inner.notes).cloned().collect()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic inside the reader is caught below; the cache it may have
        // left half-updated is only a cache, so a poisoned lock is usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the key at `path`, catching a panic of the hive reader
    /// (which then counts as a missing key and is noted).
    fn with_key<T>(&self, path: &str, f: impl FnOnce(&mut Inner, usize) -> T) -> Option<T> {
        let segments = path_segments(path);
        let mut inner = self.lock();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let depth = inner.descend(&segments)?;
            Some(f(&mut inner, depth))
        }));
        match result {
            Ok(found) => found,
            Err(_) => {
                inner.cursor.truncate(1);
                inner
                    .notes
                    .push(format!("{path}: the hive reader failed on this key"));
                None
            }
        }
    }
}

impl std::fmt::Debug for Hive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hive")
            .field("origin", &self.origin)
            .field("root_name", &self.root_name)
            .finish_non_exhaustive()
    }
}

impl RegistryView for Hive {
    fn subkeys(&self, path: &str) -> Option<Vec<String>> {
        self.with_key(path, |inner, depth| {
            let mut names: Vec<String> = inner
                .children(depth)
                .nodes
                .iter()
                .map(|n| n.key_name.clone())
                .collect();
            sort_names(&mut names);
            names
        })
    }

    fn values(&self, path: &str) -> Option<Vec<Value>> {
        self.with_key(path, |inner, depth| {
            let mut values: Vec<Value> = inner.cursor[depth]
                .node
                .value_iter()
                .filter(|v| !v.cell_state.is_deleted())
                .map(|v| {
                    let bytes = v.detail.value_bytes().unwrap_or_default();
                    Value {
                        name: v.detail.value_name(),
                        data: Data::from_raw(v.detail.data_type_raw(), &bytes),
                    }
                })
                .collect();
            sort_values(&mut values);
            values
        })
    }

    fn origin(&self) -> String {
        self.origin.clone()
    }
}

impl Inner {
    /// Moves the cursor to the key at `segments`; returns its depth, or
    /// `None` if a key on the way does not exist.
    fn descend(&mut self, segments: &[String]) -> Option<usize> {
        for (i, segment) in segments.iter().enumerate() {
            if self.cursor.get(i + 1).is_some_and(|l| &l.name == segment) {
                continue;
            }
            self.cursor.truncate(i + 1);
            let children = self.children(i);
            let node = children.nodes.get(*children.by_name.get(segment)?)?.clone();
            self.cursor.push(Level {
                name: segment.clone(),
                node,
                children: None,
            });
        }
        Some(segments.len())
    }

    /// The subkeys of the key at `depth` on the cursor, read once.
    fn children(&mut self, depth: usize) -> &Children {
        let level = &mut self.cursor[depth];
        let children = level.children.get_or_insert_with(|| {
            let nodes: Vec<CellKeyNode> = level
                .node
                .read_sub_keys(&mut self.parser)
                .into_iter()
                .filter(|n| !n.cell_state.is_deleted())
                .collect();
            let mut by_name = HashMap::with_capacity(nodes.len());
            for (i, node) in nodes.iter().enumerate() {
                by_name.entry(fold(&node.key_name)).or_insert(i);
            }
            if let Some(logs) = level.node.logs.get() {
                for log in logs.iter().filter(|l| l.code == LogCode::WarningParse) {
                    self.notes.push(log.text.clone());
                }
            }
            Children { nodes, by_name }
        });
        children
    }
}

/// Builds a notatin parser (without recovery of deleted cells) and reads
/// the root key; a panic inside notatin becomes an error.
fn build(hive: Vec<u8>, logs: Vec<Vec<u8>>) -> Result<(Parser, CellKeyNode), String> {
    catch_unwind(move || {
        let mut builder = ParserBuilder::from_file(Cursor::new(hive));
        builder.recover_deleted(false);
        for log in logs {
            builder.with_transaction_log(Cursor::new(log));
        }
        let mut parser = builder.build().map_err(|e| e.to_string())?;
        let root = parser
            .get_root_key()
            .map_err(|e| format!("cannot read the root key: {e}"))?
            .ok_or_else(|| "no root key".to_string())?;
        Ok((parser, root))
    })
    .unwrap_or_else(|_| Err("the hive reader failed on this file".to_string()))
}

fn parse_logs(parser: &Parser) -> impl Iterator<Item = (LogCode, &str)> {
    parser
        .get_parse_logs()
        .get()
        .into_iter()
        .flatten()
        .map(|l| (l.code, l.text.as_str()))
}

/// The sequence number notatin set after replaying logs (0 when no log
/// entry could be applied), if it tried.
fn applied_sequence(parser: &Parser) -> Option<u32> {
    parse_logs(parser).find_map(|(code, text)| {
        let rest = text.strip_prefix("Applied transaction log(s)")?;
        let number = rest.split("updated to ").nth(1)?;
        let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
        (code == LogCode::Info)
            .then(|| digits.parse().ok())
            .flatten()
    })
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Checks the base block and the first hive bin header.
fn check_header(bytes: &[u8]) -> Result<Header, String> {
    if !bytes.starts_with(b"regf") {
        return Err(format!(
            "no \"regf\" signature (the file starts with {}, {} bytes)",
            HexPreview(bytes),
            bytes.len()
        ));
    }
    if bytes.len() < BASE_BLOCK_LEN + 32 {
        return Err(format!(
            "truncated: {} bytes, a hive has at least {} (base block and one hive bin)",
            bytes.len(),
            BASE_BLOCK_LEN + 32
        ));
    }
    let field = |at| le_u32(bytes, at).unwrap_or(0);
    let file_type = field(28);
    if file_type != 0 {
        return Err(format!(
            "this is a transaction log (file type {file_type}), not a hive; open the hive it \
             belongs to"
        ));
    }
    let bins_size = field(40) as usize;
    let available = bytes.len() - BASE_BLOCK_LEN;
    if bins_size > available {
        return Err(format!(
            "truncated: the base block announces {bins_size} bytes of hive bins, the file \
             has {available}"
        ));
    }
    if !bytes[BASE_BLOCK_LEN..].starts_with(b"hbin") {
        return Err(format!(
            "no hive bin after the base block (offset 4096 holds {})",
            HexPreview(&bytes[BASE_BLOCK_LEN..])
        ));
    }
    Ok(Header {
        dirty: field(4) != field(8),
        primary: field(4),
        secondary: field(8),
    })
}

/// notatin's notes that the recovery state replaces: "requires recovery"
/// for a dirty hive (said whether or not the logs then replay it) and
/// "skipping transaction logs" for a clean one.
fn superseded_note(note: &str) -> bool {
    note.starts_with("Hive requires recovery: primary and secondary sequence numbers")
        || note.starts_with("Skipping transaction logs because the primary file")
}

/// `<hive>.LOG1` and `<hive>.LOG2` beside `hive`, names compared without
/// regard to ASCII case.
fn find_logs(hive: &Path) -> Vec<PathBuf> {
    let Some(name) = hive.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Vec::new();
    };
    let dir = match hive.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(usize, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        for (rank, suffix) in [".LOG1", ".LOG2"].iter().enumerate() {
            let wanted = format!("{name}{suffix}");
            if entry_name.eq_ignore_ascii_case(&wanted)
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                found.push((rank, entry.path()));
            }
        }
    }
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base_block() -> Vec<u8> {
        let mut b = vec![0u8; BASE_BLOCK_LEN + 4096];
        b[..4].copy_from_slice(b"regf");
        b[4] = 1;
        b[8] = 1;
        b[40..44].copy_from_slice(&4096u32.to_le_bytes());
        b[BASE_BLOCK_LEN..BASE_BLOCK_LEN + 4].copy_from_slice(b"hbin");
        b
    }

    #[test]
    fn header_checks_name_the_problem() {
        let err = check_header(b"MZ\x90\0").err().unwrap_or_default();
        assert!(err.contains("no \"regf\" signature"), "{err}");
        assert!(err.contains("4d 5a 90 00"), "{err}");

        let err = check_header(&base_block()[..5000])
            .err()
            .unwrap_or_default();
        assert!(err.contains("truncated"), "{err}");

        let mut log = base_block();
        log[28] = 6;
        let err = check_header(&log).err().unwrap_or_default();
        assert!(err.contains("transaction log"), "{err}");

        let mut no_bin = base_block();
        no_bin[BASE_BLOCK_LEN] = b'x';
        let err = check_header(&no_bin).err().unwrap_or_default();
        assert!(err.contains("no hive bin"), "{err}");

        let ok = check_header(&base_block()).map(|h| h.dirty);
        assert_eq!(ok, Ok(false));
        let mut dirty = base_block();
        dirty[8] = 2;
        assert_eq!(check_header(&dirty).map(|h| h.dirty), Ok(true));
    }

    #[test]
    fn logs_are_found_whatever_their_case() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let hive = dir.path().join("SOFTWARE");
        std::fs::write(&hive, b"")?;
        std::fs::write(dir.path().join("software.log2"), b"")?;
        std::fs::write(dir.path().join("SOFTWARE.LOG1"), b"")?;
        std::fs::write(dir.path().join("SOFTWARE.LOG"), b"")?;
        std::fs::write(dir.path().join("SYSTEM.LOG1"), b"")?;
        let logs: Vec<String> = find_logs(&hive)
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(logs, vec!["SOFTWARE.LOG1", "software.log2"]);
        Ok(())
    }

    #[test]
    fn a_hive_with_a_broken_root_is_an_error_not_a_panic() {
        // A valid-looking base block whose root cell offset points nowhere.
        let mut b = base_block();
        b[36..40].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
        assert!(build(b, Vec::new()).is_err());
    }

    #[test]
    fn hive_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Hive>();
    }
}
