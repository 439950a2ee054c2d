//! Event log files (`.evtx`), read with the `evtx` crate.
//!
//! Chunks are read in the order Windows reads them (oldest records first,
//! also in a log that has wrapped around), including chunks past the count
//! in a dirty file header: Windows writes records there before it updates
//! the header, so they are real records; [`EventLog::problems`] then says
//! that the header is stale and how many records lie past its count. Each record is rendered to JSON by
//! `evtx` and mapped to an [`EventFact`]:
//!
//! * `id`: `System/EventID`, a number, a string (forwarded events) or
//!   `{"#text": …, "#attributes": {"Qualifiers": …}}`;
//! * `provider`: `System/Provider/@Name`, or `@EventSourceName` without one;
//! * `time`: `System/TimeCreated/@SystemTime` as `evtx` renders it (ISO 8601,
//!   UTC, seven fractional digits);
//! * `message`: the data strings (see [`crate::events`]); a raw `.evtx` has
//!   no rendered message text.
//!
//! Damage is never fatal: a chunk that cannot be read, a record whose header
//! is corrupt (`evtx` resyncs on the next record), a record that does not
//! render or has no event ID are listed in [`EventLog::problems`] with the
//! file and the record number (or the chunk and offset when the record
//! number cannot be read) and skipped. A chunk whose CRC32 does not match is
//! read anyway and listed too, and so is a file cut short (in a chunk, or
//! at a chunk boundary before the chunks its header counts): a log never
//! reads as "no events" without saying what was lost. Only a file that is
//! not an event log at all
//! (no `ElfFile` signature, or too short for the file header) is an error.
//!
//! Record numbers are those of the record headers, the numbers Event Viewer
//! and `python-evtx` show; they can differ from `System/EventRecordID` in a
//! log that was exported or forwarded.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;
use std::sync::Arc;

use ::evtx::{EvtxParser, ParserSettings};
use acsready_facts::EventFact;
use serde_json::Value;

use crate::events::{non_empty, parse_event_id, EventFilter, EventLog, LogBuilder, RawEvent};
use crate::{Note, SourceError};

/// The signature every `.evtx` file starts with.
const SIGNATURE: &[u8; 8] = b"ElfFile\0";

/// Reads the records of the event log file at `path` that `filter` keeps.
///
/// I/O errors and a file that is not an event log are errors; damaged chunks
/// and records are listed in [`EventLog::problems`].
pub fn read_evtx(path: &Path, filter: &EventFilter) -> Result<EventLog, SourceError> {
    let file = path.display().to_string();
    let io = |source| SourceError::Io {
        file: file.clone(),
        source,
    };
    let mut handle = File::open(path).map_err(io)?;
    let mut head = [0u8; 8];
    let read = read_prefix(&mut handle, &mut head).map_err(io)?;
    check_signature(&head[..read], &file)?;
    handle.rewind().map_err(io)?;
    let len = handle.metadata().map_err(io)?.len();
    let parser = EvtxParser::from_read_seek(handle).map_err(|e| not_evtx(&file, &e))?;
    Ok(read_parser(parser, len, &file, filter, &mut |_, _| {}))
}

/// Like [`read_evtx`], for a file already in memory; `file` names it in
/// problems and errors.
pub fn read_evtx_bytes(
    bytes: Vec<u8>,
    file: &str,
    filter: &EventFilter,
) -> Result<EventLog, SourceError> {
    check_signature(&bytes[..bytes.len().min(8)], file)?;
    let len = bytes.len() as u64;
    let parser = EvtxParser::from_buffer(bytes).map_err(|e| not_evtx(file, &e))?;
    Ok(read_parser(parser, len, file, filter, &mut |_, _| {}))
}

/// Like [`read_evtx_bytes`], also calling `kept(record_number, &fact)` for
/// every kept record (tests compare record numbers with other tools).
#[cfg(test)]
pub(crate) fn read_evtx_bytes_with(
    bytes: Vec<u8>,
    file: &str,
    filter: &EventFilter,
    kept: &mut dyn FnMut(u64, &EventFact),
) -> Result<EventLog, SourceError> {
    check_signature(&bytes[..bytes.len().min(8)], file)?;
    let len = bytes.len() as u64;
    let parser = EvtxParser::from_buffer(bytes).map_err(|e| not_evtx(file, &e))?;
    Ok(read_parser(parser, len, file, filter, kept))
}

fn read_prefix(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut len = 0;
    while len < buf.len() {
        match reader.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(len)
}

fn check_signature(head: &[u8], file: &str) -> Result<(), SourceError> {
    if head == SIGNATURE {
        return Ok(());
    }
    let (text, _) = crate::text::decode(head);
    let found = if head.is_empty() {
        "the file is empty".to_string()
    } else if head.starts_with(b"<") || text.trim_start().starts_with('<') {
        "it looks like XML: read wevtutil XML output as such".to_string()
    } else {
        format!(
            "it starts with {}",
            head.iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    Err(SourceError::Format {
        file: file.to_string(),
        message: format!(
            "not an EVTX event log (expected the signature \"ElfFile\" at the start; {found})"
        ),
    })
}

fn not_evtx(file: &str, error: &::evtx::err::EvtxError) -> SourceError {
    SourceError::Format {
        file: file.to_string(),
        message: format!("not a readable EVTX event log: {}", error_chain(error)),
    }
}

/// An error and its sources, joined with ": ".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        source = e.source();
    }
    text
}

fn settings() -> ParserSettings {
    // One thread: files are read one by one and callers parallelise across
    // files; without `multithreading`, `evtx` has no thread pool at all.
    ParserSettings::new()
        .indent(false)
        .separate_json_attributes(false)
        .validate_checksums(false)
}

/// Size of the file header block and of a chunk.
const HEADER_BLOCK: u64 = 4096;
const CHUNK: u64 = 65536;

fn read_parser<T: Read + Seek>(
    mut parser: EvtxParser<T>,
    len: u64,
    file: &str,
    filter: &EventFilter,
    kept: &mut dyn FnMut(u64, &EventFact),
) -> EventLog {
    let settings = Arc::new(settings());
    let mut log = LogBuilder::default();
    let tail = len.saturating_sub(HEADER_BLOCK) % CHUNK;
    if tail != 0 && u64::from(parser.header().header_block_size) == HEADER_BLOCK {
        log.problem(|| {
            Note::file(
                file,
                format!(
                    "the file ends {tail} bytes into chunk {} (it was cut short); the records \
                     of that chunk are lost",
                    (len - HEADER_BLOCK) / CHUNK
                ),
            )
        });
    }
    let header_chunks = u64::from(parser.header().chunk_count);
    let whole_chunks = len.saturating_sub(HEADER_BLOCK) / CHUNK;
    if tail == 0 && whole_chunks < header_chunks {
        // Cut at a chunk boundary: the header still counts the lost chunks.
        log.problem(|| {
            Note::file(
                file,
                format!(
                    "the file holds {whole_chunks} chunks but its header counts \
                     {header_chunks} (it was cut short); the records of the missing chunks are lost"
                ),
            )
        });
    }
    let header_dirty = parser.header().flags.contains(::evtx::HeaderFlags::DIRTY);
    // Records read from chunks past the header's count, and their chunks.
    let mut past_header = (0u64, 0u64);
    for (index, chunk) in parser.chunks().enumerate() {
        let mut chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                log.problem(|| {
                    Note::file(
                        file,
                        format!("{}; its records are skipped", error_chain(&e)),
                    )
                });
                continue;
            }
        };
        let number = chunk.number.unwrap_or(index as u64);
        if !chunk.validate_header_checksum() || !chunk.validate_data_checksum() {
            log.problem(|| {
                Note::file(
                    file,
                    format!(
                        "chunk {number} (records {}-{}): CRC32 does not match (damaged, or the \
                         log was not closed cleanly); its records are read anyway",
                        chunk.header.first_event_record_id, chunk.header.last_event_record_id
                    ),
                )
            });
        }
        let parsed = match chunk.parse(Arc::clone(&settings)) {
            Ok(parsed) => parsed,
            Err(e) => {
                log.problem(|| {
                    Note::file(
                        file,
                        format!(
                            "chunk {number}: {}; its records are skipped",
                            error_chain(&e)
                        ),
                    )
                });
                continue;
            }
        };
        let mut parsed = parsed;
        let before = log.log.records_read;
        // The last record read, to place a record whose number is unreadable.
        let mut previous: Option<u64> = None;
        for record in parsed.iter() {
            let record = match record {
                Ok(record) => record,
                Err(::evtx::err::EvtxError::FailedToParseRecord { record_id, source }) => {
                    log.problem(|| {
                        Note::file(
                            file,
                            format!(
                                "record {record_id} (chunk {number}): {}; skipped",
                                error_chain(source.as_ref())
                            ),
                        )
                    });
                    continue;
                }
                Err(e) => {
                    let after = previous.map_or_else(
                        || " (before its first record)".to_string(),
                        |n| format!(" (after record {n})"),
                    );
                    log.problem(|| {
                        Note::file(
                            file,
                            format!("chunk {number}{after}: {}; skipped", error_chain(&e)),
                        )
                    });
                    continue;
                }
            };
            let record_number = record.event_record_id;
            previous = Some(record_number);
            let value = match record.into_json_value() {
                Ok(serialized) => serialized.data,
                Err(e) => {
                    log.problem(|| {
                        Note::file(
                            file,
                            format!("record {record_number}: {}; skipped", error_chain(&e)),
                        )
                    });
                    continue;
                }
            };
            match map_record(&value) {
                Ok((id, raw)) => {
                    log.log.records_read += 1;
                    if let Some(fact) = raw.into_fact(id, filter) {
                        kept(record_number, &fact);
                        log.log.events.push(fact);
                    }
                }
                Err(why) => {
                    log.problem(|| {
                        Note::file(file, format!("record {record_number}: {why}; skipped"))
                    });
                }
            }
        }
        if number >= header_chunks && log.log.records_read > before {
            past_header.0 += log.log.records_read - before;
            past_header.1 += 1;
        }
    }
    if past_header.0 > 0 {
        let (records, chunks) = past_header;
        let dirty = if header_dirty {
            "it is marked dirty: the log was not closed cleanly"
        } else {
            "the log was not closed cleanly"
        };
        log.problem(|| {
            Note::file(
                file,
                format!(
                    "the file header is stale ({dirty}): it counts {header_chunks} chunks, \
                     but {chunks} more chunks hold {records} records; they are read"
                ),
            )
        });
    }
    log.finish()
}

/// The event ID and the rest of one record rendered as JSON by `evtx`.
fn map_record(value: &Value) -> Result<(u32, RawEvent), String> {
    let event = value
        .get("Event")
        .ok_or_else(|| "the record holds no Event element".to_string())?;
    let system = event
        .get("System")
        .ok_or_else(|| "the event has no System element".to_string())?;
    let id_value = system
        .get("EventID")
        .ok_or_else(|| "the event has no System/EventID".to_string())?;
    let id = event_id(id_value)
        .ok_or_else(|| format!("System/EventID {} is not an event ID", short(id_value)))?;
    let attribute = |element: &str, name: &str| {
        system
            .get(element)
            .and_then(|e| e.get("#attributes"))
            .and_then(|a| a.get(name))
            .and_then(scalar_text)
            .and_then(|t| non_empty(&t))
    };
    let mut raw = RawEvent {
        id: Some(id),
        provider: attribute("Provider", "Name"),
        event_source: attribute("Provider", "EventSourceName"),
        time: attribute("TimeCreated", "SystemTime"),
        ..RawEvent::default()
    };
    if let Some(data) = event.get("EventData") {
        match data {
            Value::Object(members) => {
                for (name, member) in members {
                    if name != "Binary" && name != "#attributes" {
                        collect_text(member, &mut raw);
                    }
                }
            }
            other => collect_text(other, &mut raw),
        }
    }
    if let Some(data) = event.get("UserData") {
        collect_text(data, &mut raw);
    }
    Ok((id, raw))
}

/// `900`, `"900"` or `{"#text": 900, "#attributes": {"Qualifiers": 0}}`.
fn event_id(value: &Value) -> Option<u32> {
    match value {
        Value::Object(members) => members.get("#text").and_then(event_id),
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => parse_event_id(s),
        _ => None,
    }
}

/// Text of a JSON scalar: strings as they are, numbers and booleans as
/// written; `null`, arrays and objects have none.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Every text leaf under `value`, in order, attributes left out.
fn collect_text(value: &Value, raw: &mut RawEvent) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                if name != "#attributes" {
                    collect_text(member, raw);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_text(item, raw)),
        other => {
            if let Some(text) = scalar_text(other) {
                raw.push_data(&text);
            }
        }
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
pub(crate) mod tests;
