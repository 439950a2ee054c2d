//! Readers that turn evidence files into acsready [`HostFacts`].
//!
//! A reader splits its input into [`Unit`]s (the raw text of one host plus
//! the line where it starts) in bounded batches; [`parse_unit`] turns one
//! unit into a normalized [`Record`]. Splitting is sequential and cheap,
//! parsing is pure, so callers can parse a batch in parallel.
//!
//! Errors come in three weights (see [`SourceError`]): a bad record is
//! reported and its neighbours still come through, an unusable file stops
//! that file only, and an I/O error is fatal for that file.
//!
//! The only reader so far is [`JsonFacts`], for the facts JSON a collector
//! script writes: NDJSON, one or several (pretty-printed) objects, or an
//! array of objects, in UTF-8 or UTF-16 with a byte order mark.
//!
//! Evidence readers that give parts of the facts of one host:
//!
//! * [`read_evtx`]: event log files (`.evtx`) → [`EventLog`] of
//!   [`EventFact`](acsready_facts::EventFact)s, selected by an [`EventFilter`];
//! * [`read_wevtutil_xml`]: the XML of `wevtutil qe … /f:RenderedXml` or
//!   `/f:xml` → the same [`EventLog`], with the rendered message text;
//! * [`read_easyfix_log`]: the `SCPeasyFix.txt` log of EasyFix for System
//!   Certificates → [`EasyFixLog`];
//! * [`read_hotfixes`]: `wmic qfe` and `systeminfo` output → installed KBs
//!   and the OS name and build ([`Hotfixes`]).
//!
//! Fleet readers that give facts of many hosts:
//!
//! * [`read_osquery`]: results of acsready's osquery pack
//!   (`osquery/acsready.conf`) in the three shapes osquery writes →
//!   [`OsqueryFacts`];
//! * [`read_console`]: Deep Security Manager /
//!   Workload Security computers (API JSON, console CSV export) →
//!   [`ConsoleFacts`].
//!
//! Text inputs may be UTF-8, UTF-16 (with BOM, as `cmd` and PowerShell
//! redirection write it) or the ANSI code page (Shift_JIS, Windows-1252).

use std::fmt;

pub use acsready_facts::HostFacts;

pub mod cert_blob;
pub mod compressed;
mod console;
mod easyfix;
mod events;
mod evtx;
pub mod folder;
pub mod hive_file;
mod hotfixes;
mod json;
mod kind;
pub mod listing;
mod note;
mod osquery;
pub mod registry_facts;
#[cfg(test)]
mod rules_fixture;
pub mod server;
pub mod services;
mod text;
mod wevtutil;

pub use self::evtx::{read_evtx, read_evtx_bytes};
pub use console::{read_console, read_console_each, ConsoleFacts, ConsoleFormat};
pub use easyfix::{parse_easyfix_log, read_easyfix_log, EasyFixLog, EasyFixResult};
pub use events::{EventFilter, EventLog, MAX_PROBLEMS};
pub use hotfixes::{parse_hotfixes, read_hotfixes, HotfixFormat, Hotfixes};
pub use json::{parse_facts, parse_unit, JsonFacts, Unit, MAX_DOCUMENT_BYTES, MAX_LINE_BYTES};
pub use kind::{detect_kind, record_host, InputKind as DetectedKind};
pub use note::Note;
pub use osquery::{read_osquery, store_name, OsqueryFacts, OSQUERY_QUERIES};
pub use wevtutil::{parse_wevtutil_xml, read_wevtutil_xml};

/// Where a record came from: file name as given by the user ("-" for
/// stdin) and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: u64,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What went wrong while reading a source.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file could not be read; fatal for that file.
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// One record is unusable; the others continue. Lines and columns are
    /// 1-based; the column counts bytes and is 1 when it is not known.
    #[error("{file}:{line}:{column}: {message}")]
    Record {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    /// The whole file is unusable (binary, not JSON, too large…).
    #[error("{file}: {message}")]
    Format { file: String, message: String },
}

impl SourceError {
    /// The whole of `file` is unusable for the reason `message` gives.
    pub(crate) fn format(file: &str, message: impl Into<String>) -> Self {
        SourceError::Format {
            file: file.to_string(),
            message: message.into(),
        }
    }
}

/// Reads the whole file at `path` with the name problems give it, then
/// hands both to `parse`.
pub(crate) fn read_then<T>(
    path: &std::path::Path,
    parse: impl FnOnce(&[u8], &str) -> Result<T, SourceError>,
) -> Result<T, SourceError> {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => parse(&bytes, &file),
        Err(source) => Err(SourceError::Io { file, source }),
    }
}

/// One host's normalized facts and where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub facts: HostFacts,
    pub origin: Origin,
}
