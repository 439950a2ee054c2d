//! The facts JSON reader.
//!
//! Three shapes are accepted, told apart by content:
//!
//! * **NDJSON**, one host object per line (blank lines and CRLF are fine).
//!   It is streamed line by line, so memory stays bounded whatever the file
//!   size; a bad line is reported and the following lines still work.
//! * **Objects**: one object, possibly pretty-printed over many lines, or
//!   several concatenated ones (`ConvertTo-Json | Add-Content` per host).
//!   After a syntax error the reader resumes at the next line that starts
//!   with `{`.
//! * **An array of objects**, pretty or not. A bad element (wrong types,
//!   missing `host`) is reported at the line where it starts and the other
//!   elements still come through; a syntax error that breaks the array ends
//!   the file with one error.
//!
//! Detection: after a byte order mark and whitespace, `[` means an array;
//! `{` means NDJSON when the first non-empty line is on its own one complete
//! JSON value, and objects otherwise. The two whole-document shapes are read
//! whole, up to [`MAX_DOCUMENT_BYTES`].
//!
//! UTF-8 (with or without BOM) and UTF-16 LE/BE (with BOM, as Windows
//! PowerShell 5 `Out-File` writes it, or recognisable without) are accepted;
//! UTF-16 is decoded on the fly. Lines and columns in errors refer to the
//! decoded text; columns count bytes.

mod document;
mod input;
mod lines;
mod record;
#[cfg(test)]
mod tests;

use std::fmt;
use std::io::{self, BufReader, Read};
use std::ops::{Deref, Range};
use std::sync::Arc;

use document::Document;
use input::{io_error, Encoding, Input, Utf16Decoder};
use lines::{is_one_line_value, read_line_capped, skip_whitespace, LineRead, Lines};
pub use record::{parse_facts, parse_unit};

use crate::SourceError;

/// Size limit of a whole-document (object or array) file, after decoding.
pub const MAX_DOCUMENT_BYTES: u64 = 1 << 30;
/// Size limit of one NDJSON line.
pub const MAX_LINE_BYTES: u64 = 256 << 20;

const EXPECTED: &str =
    "expected a JSON object, an array of objects, or NDJSON (one object per line)";

/// One unparsed record: raw JSON text of one host object plus the 1-based
/// line where it starts.
///
/// The text starts at the record's first character, which is not always at
/// the start of its line (array elements, objects after other objects):
/// [`parse_unit`] reports columns on the record's first line relative to
/// where the record starts there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub line: u64,
    pub text: UnitText,
}

/// The text of a unit: a range of a block of text that a few hundred
/// NDJSON records share (one allocation for them all, not one each), or
/// text of its own.
#[derive(Clone)]
pub struct UnitText {
    block: Arc<String>,
    range: Range<usize>,
}

impl UnitText {
    /// Bytes `range` of `block`, which must lie on character boundaries.
    fn shared(block: &Arc<String>, range: Range<usize>) -> Self {
        debug_assert!(block.get(range.clone()).is_some());
        UnitText {
            block: Arc::clone(block),
            range,
        }
    }
}

impl Deref for UnitText {
    type Target = str;

    fn deref(&self) -> &str {
        // The range was cut at line ends of valid UTF-8 text.
        self.block.get(self.range.clone()).unwrap_or_default()
    }
}

impl From<&str> for UnitText {
    fn from(text: &str) -> Self {
        UnitText::from(text.to_string())
    }
}

impl From<Box<str>> for UnitText {
    fn from(text: Box<str>) -> Self {
        UnitText::from(text.into_string())
    }
}

impl From<String> for UnitText {
    fn from(text: String) -> Self {
        let range = 0..text.len();
        UnitText {
            block: Arc::new(text),
            range,
        }
    }
}

impl PartialEq for UnitText {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for UnitText {}

impl fmt::Debug for UnitText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Reads facts JSON from a reader in batches of [`Unit`]s.
pub struct JsonFacts<R> {
    file: String,
    state: State<R>,
    /// An error met after some units of a batch, returned by the next call.
    deferred: Option<SourceError>,
    max_document: u64,
    max_line: u64,
}

enum State<R> {
    Start(R),
    Lines(Lines<R>),
    Document(Document),
    Done,
}

impl<R: Read> JsonFacts<R> {
    /// A reader of `reader`; `file` names it in errors and origins.
    pub fn new(reader: R, file: &str) -> Self {
        JsonFacts {
            file: file.to_string(),
            state: State::Start(reader),
            deferred: None,
            max_document: MAX_DOCUMENT_BYTES,
            max_line: MAX_LINE_BYTES,
        }
    }

    /// The name given to [`new`](Self::new).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Next batch of at most `max` (at least 1) units; NDJSON is streamed,
    /// the other shapes are read whole on the first call.
    ///
    /// `Ok(None)` at the end. Errors that make one unit unusable are
    /// returned inside the batch; an `Err` (I/O error, unusable file) ends
    /// the file, and later calls return `Ok(None)`.
    pub fn next_batch(
        &mut self,
        max: usize,
    ) -> Result<Option<Vec<Result<Unit, SourceError>>>, SourceError> {
        let result = self.batch(max.max(1));
        if result.is_err() {
            self.state = State::Done;
        }
        result
    }

    fn batch(&mut self, max: usize) -> Result<Option<Vec<Result<Unit, SourceError>>>, SourceError> {
        if let Some(error) = self.deferred.take() {
            return Err(error);
        }
        if let State::Start(_) = self.state {
            self.detect()?;
        }
        // Sized once: growing a batch-sized vector copies it several times.
        let capacity = max.min(1 << 14);
        let mut units = Vec::new();
        match &mut self.state {
            State::Start(_) | State::Done => {}
            State::Lines(lines) => {
                let mut spans = Vec::with_capacity(capacity);
                let mut end = false;
                while spans.len() < max {
                    match lines.next_span(&self.file, self.max_line) {
                        Ok(Some(span)) => spans.push(span),
                        Ok(None) => {
                            end = true;
                            break;
                        }
                        Err(e) if spans.is_empty() => return Err(io_error(&self.file, e)),
                        Err(e) => {
                            self.deferred = Some(io_error(&self.file, e));
                            break;
                        }
                    }
                }
                units = lines.units(spans);
                if end {
                    self.state = State::Done;
                }
            }
            State::Document(doc) => {
                units.reserve_exact(capacity);
                while units.len() < max {
                    match doc.next_unit(&self.file) {
                        Some(unit) => units.push(unit),
                        None => {
                            self.state = State::Done;
                            break;
                        }
                    }
                }
            }
        }
        Ok((!units.is_empty()).then_some(units))
    }

    /// Reads the encoding and the shape, and sets the state accordingly.
    fn detect(&mut self) -> Result<(), SourceError> {
        let State::Start(mut reader) = std::mem::replace(&mut self.state, State::Done) else {
            return Ok(());
        };
        let mut prefix = [0u8; 4];
        let mut len = 0;
        while len < prefix.len() {
            match reader.read(&mut prefix[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(&self.file, e)),
            }
        }
        let prefix = &prefix[..len];
        let (encoding, bom) = match prefix {
            [0xFF, 0xFE, 0, 0] | [0, 0, 0xFE, 0xFF] => {
                return Err(self
                    .format("the file is UTF-32, which is not supported; save it as UTF-8".into()))
            }
            [a, 0, 0, 0] | [0, 0, 0, a] if *a != 0 => {
                return Err(self
                    .format("the file is UTF-32, which is not supported; save it as UTF-8".into()))
            }
            [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8, 3),
            [0xFF, 0xFE, ..] => (Encoding::Utf16 { big_endian: false }, 2),
            [0xFE, 0xFF, ..] => (Encoding::Utf16 { big_endian: true }, 2),
            [a, 0, ..] if *a != 0 => (Encoding::Utf16 { big_endian: false }, 0),
            [0, b, ..] if *b != 0 => (Encoding::Utf16 { big_endian: true }, 0),
            _ => (Encoding::Utf8, 0),
        };
        let prefixed = io::Cursor::new(prefix[bom..].to_vec()).chain(reader);
        let mut input = match encoding {
            Encoding::Utf8 => Input::Utf8(BufReader::with_capacity(1 << 16, prefixed)),
            Encoding::Utf16 { big_endian } => Input::Utf16(BufReader::with_capacity(
                1 << 16,
                Utf16Decoder::new(prefixed, big_endian),
            )),
        };

        let (mut line, mut column) = (1u64, 1u64);
        let first = skip_whitespace(&mut input, &mut line, &mut column)
            .map_err(|e| io_error(&self.file, e))?;
        match first {
            None => {}
            Some(b'[') => {
                let mut bytes = Vec::new();
                self.read_rest(&mut input, &mut bytes)?;
                self.state = State::Document(Document::new(bytes, line, column));
            }
            Some(b'{') => {
                let mut first = Vec::new();
                let read = read_line_capped(&mut input, &mut first, self.max_document)
                    .map_err(|e| io_error(&self.file, e))?;
                if read == LineRead::TooLong {
                    return Err(self.too_large());
                }
                if is_one_line_value(&first) {
                    self.state = State::Lines(Lines::new(input, line - 1, first));
                } else {
                    self.read_rest(&mut input, &mut first)?;
                    self.state = State::Document(Document::new(first, line, column));
                }
            }
            Some(_) => {
                let mut head = Vec::new();
                input
                    .take(64)
                    .read_to_end(&mut head)
                    .map_err(|e| io_error(&self.file, e))?;
                let found = describe_start(&head);
                return Err(self.format(format!("{EXPECTED}, found {found}")));
            }
        }
        Ok(())
    }

    fn read_rest(&self, input: &mut Input<R>, bytes: &mut Vec<u8>) -> Result<(), SourceError> {
        let limit = (self.max_document + 1).saturating_sub(bytes.len() as u64);
        input
            .take(limit)
            .read_to_end(bytes)
            .map_err(|e| io_error(&self.file, e))?;
        if bytes.len() as u64 > self.max_document {
            return Err(self.too_large());
        }
        Ok(())
    }

    fn too_large(&self) -> SourceError {
        self.format(format!(
            "the file is larger than {} MiB, the limit for a JSON object or array; \
             write NDJSON (one host object per line) instead, which is streamed",
            self.max_document >> 20
        ))
    }

    fn format(&self, message: String) -> SourceError {
        SourceError::Format {
            file: self.file.clone(),
            message,
        }
    }
}

/// What a file that is not facts JSON starts with, for the error message.
fn describe_start(buf: &[u8]) -> String {
    match buf {
        [0x1F, 0x8B, ..] => return "gzip-compressed data (decompress it first)".into(),
        [b'P', b'K', 3, 4, ..] => {
            return "a ZIP archive (an .xlsx or .zip file?)".into();
        }
        [b'"', ..] => return "a string".into(),
        [b'-' | b'0'..=b'9', ..] => return "a number".into(),
        [b'<', ..] => return "XML or HTML".into(),
        _ => {}
    }
    let head = &buf[..buf.len().min(64)];
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.valid_up_to() > 0 => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => "",
    };
    let text = text.lines().next().unwrap_or("");
    if text.is_empty() || text.chars().any(|c| c.is_control() && c != '\t') {
        let byte = buf.first().copied().unwrap_or(0);
        return format!("binary data (first byte 0x{byte:02X})");
    }
    let snippet: String = text.chars().take(30).collect();
    format!("text starting with {snippet:?}")
}

fn is_json_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}
