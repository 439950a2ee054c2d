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

use std::io::{self, BufRead, BufReader, Read};

use acsready_facts::HostFacts;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::{Origin, Record, SourceError};

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
    pub text: Box<str>,
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

struct Lines<R> {
    input: Input<R>,
    /// Line number of the last line read.
    line: u64,
    /// The first line, read during detection, not yet handed out.
    first: Option<Vec<u8>>,
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
        let mut units = Vec::new();
        match &mut self.state {
            State::Start(_) | State::Done => {}
            State::Lines(lines) => {
                while units.len() < max {
                    match lines.next_unit(&self.file, self.max_line) {
                        Ok(Some(unit)) => units.push(unit),
                        Ok(None) => {
                            self.state = State::Done;
                            break;
                        }
                        Err(e) if units.is_empty() => return Err(io_error(&self.file, e)),
                        Err(e) => {
                            self.deferred = Some(io_error(&self.file, e));
                            break;
                        }
                    }
                }
            }
            State::Document(doc) => {
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
                    self.state = State::Lines(Lines {
                        input,
                        line: line - 1,
                        first: Some(first),
                    });
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

/// The path of the field a type error is in ("agents[1].version"), if any.
fn field_path(text: &str) -> Option<String> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, HostFacts>(&mut de) {
        Err(e) if e.inner().is_data() => {
            let path = e.path().to_string();
            (path != ".").then_some(path)
        }
        _ => None,
    }
}

/// Parses and normalizes one unit (pure; callers run it in parallel).
pub fn parse_unit(file: &str, unit: &Unit) -> Result<Record, SourceError> {
    let mut facts: HostFacts = serde_json::from_str(&unit.text).map_err(|e| {
        let mut error = json_error(file, unit.line, 1, &e);
        if let SourceError::Record { line, message, .. } = &mut error {
            // Parse again on this rare path to name the field ("os.ubr: …").
            if let Some(path) = field_path(&unit.text) {
                message.insert_str(0, &format!("{path}: "));
            }
            if *line != unit.line {
                message.push_str(&format!(" (in the record starting at line {})", unit.line));
            }
        }
        error
    })?;
    if let Err(e) = facts.normalize() {
        let message = if facts.host.is_empty() {
            e.to_string()
        } else {
            format!("host {:?}: {e}", facts.host)
        };
        return Err(SourceError::Record {
            file: file.to_string(),
            line: unit.line,
            column: 1,
            message,
        });
    }
    Ok(Record {
        facts,
        origin: Origin {
            file: file.to_string(),
            line: unit.line,
        },
    })
}

impl<R: Read> Lines<R> {
    /// The next non-blank line as a unit, or `None` at the end.
    fn next_unit(
        &mut self,
        file: &str,
        max_line: u64,
    ) -> io::Result<Option<Result<Unit, SourceError>>> {
        loop {
            let mut bytes = match self.first.take() {
                Some(bytes) => bytes,
                None => {
                    let mut bytes = Vec::new();
                    match read_line_capped(&mut self.input, &mut bytes, max_line)? {
                        LineRead::Eof => return Ok(None),
                        LineRead::Line => bytes,
                        LineRead::TooLong => {
                            self.line += 1;
                            return Ok(Some(Err(SourceError::Record {
                                file: file.to_string(),
                                line: self.line,
                                column: 1,
                                message: format!("the line is longer than {} MiB", max_line >> 20),
                            })));
                        }
                    }
                }
            };
            self.line += 1;
            while let Some(b'\n' | b'\r') = bytes.last() {
                bytes.pop();
            }
            // A byte order mark in the middle: files joined with `cat`.
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            if bytes.iter().all(|b| is_json_whitespace(*b)) {
                continue;
            }
            return Ok(Some(match String::from_utf8(bytes) {
                Ok(text) => Ok(Unit {
                    line: self.line,
                    text: text.into_boxed_str(),
                }),
                Err(e) => Err(SourceError::Record {
                    file: file.to_string(),
                    line: self.line,
                    column: e.utf8_error().valid_up_to() as u64 + 1,
                    message: "the line is not valid UTF-8".into(),
                }),
            }));
        }
    }
}

/// A whole-document file in memory, handed out one value at a time.
struct Document {
    bytes: Vec<u8>,
    pos: usize,
    /// Line of `pos`.
    line: u64,
    /// Offset of the start of that line; negative when the document starts
    /// in the middle of its first line.
    line_start: i64,
    in_array: bool,
    /// In an array, after an element: a `,` or `]` must come.
    after_element: bool,
    done: bool,
}

impl Document {
    fn new(bytes: Vec<u8>, line: u64, column: u64) -> Self {
        Document {
            bytes,
            pos: 0,
            line,
            line_start: 1 - column as i64,
            in_array: false,
            after_element: false,
            done: false,
        }
    }

    fn column(&self) -> u64 {
        (self.pos as i64 - self.line_start + 1) as u64
    }

    fn advance_to(&mut self, pos: usize) {
        let pos = pos.min(self.bytes.len());
        for (i, b) in self.bytes[self.pos..pos].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = (self.pos + i + 1) as i64;
            }
        }
        self.pos = pos;
    }

    fn skip_whitespace(&mut self) {
        let skip = self.bytes[self.pos..]
            .iter()
            .take_while(|b| is_json_whitespace(**b))
            .count();
        self.advance_to(self.pos + skip);
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn error_here(&self, file: &str, message: &str) -> SourceError {
        SourceError::Record {
            file: file.to_string(),
            line: self.line,
            column: self.column(),
            message: message.to_string(),
        }
    }

    /// Ends the document with an error at the current position.
    fn fail(&mut self, file: &str, message: &str) -> Option<Result<Unit, SourceError>> {
        self.done = true;
        Some(Err(self.error_here(file, message)))
    }

    fn next_unit(&mut self, file: &str) -> Option<Result<Unit, SourceError>> {
        while !self.done {
            self.skip_whitespace();
            let Some(b) = self.peek() else {
                if self.in_array {
                    return self.fail(
                        file,
                        "unexpected end of file: the array is not closed (is the file truncated?)",
                    );
                }
                self.done = true;
                return None;
            };
            match (self.in_array, self.after_element, b) {
                (true, true, b',') => {
                    self.advance_to(self.pos + 1);
                    self.after_element = false;
                    self.skip_whitespace();
                    if self.peek() == Some(b']') {
                        let error = self.error_here(file, "trailing comma before `]`");
                        self.advance_to(self.pos + 1);
                        self.in_array = false;
                        return Some(Err(error));
                    }
                }
                (true, _, b']') => {
                    self.advance_to(self.pos + 1);
                    self.in_array = false;
                    self.after_element = false;
                }
                (true, true, _) => {
                    return self.fail(file, "expected `,` or `]` after an array element")
                }
                (true, false, _) => {
                    self.after_element = true;
                    return Some(self.value(file));
                }
                (false, _, b'[') => {
                    self.advance_to(self.pos + 1);
                    self.in_array = true;
                    self.after_element = false;
                }
                (false, _, b'{') => return Some(self.value(file)),
                (false, _, _) => return self.fail(file, EXPECTED),
            }
        }
        None
    }

    /// The JSON value at `pos`, which is not whitespace.
    fn value(&mut self, file: &str) -> Result<Unit, SourceError> {
        let start = self.pos;
        let (line, column) = (self.line, self.column());
        let mut stream =
            serde_json::Deserializer::from_slice(&self.bytes[start..]).into_iter::<Box<RawValue>>();
        match stream.next() {
            Some(Ok(raw)) => {
                let end = start + stream.byte_offset();
                self.advance_to(end);
                Ok(Unit {
                    line,
                    text: raw.into(),
                })
            }
            Some(Err(e)) => {
                let error = json_error(file, line, column, &e);
                // Concatenated pretty-printed objects start at column 1:
                // resume at the next such line. Inside an array there is no
                // such landmark, so a broken array ends the file.
                let next = if self.in_array {
                    None
                } else {
                    self.bytes[start + 1..]
                        .windows(2)
                        .position(|w| w == b"\n{")
                        .map(|i| start + 1 + i + 1)
                };
                match next {
                    Some(next) => self.advance_to(next),
                    None => self.done = true,
                }
                Err(error)
            }
            None => {
                self.done = true;
                Err(self.error_here(file, "unexpected end of file"))
            }
        }
    }
}

/// A serde_json error in a text that starts at `line`:`column` of `file`.
fn json_error(file: &str, line: u64, column: u64, e: &serde_json::Error) -> SourceError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let mut message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    if e.is_eof() {
        message.push_str(" (is the file truncated?)");
    }
    let (error_line, error_column) = (e.line().max(1) as u64, e.column() as u64);
    SourceError::Record {
        file: file.to_string(),
        line: line + error_line - 1,
        column: if error_line == 1 {
            column + error_column.max(1) - 1
        } else {
            error_column.max(1)
        },
        message,
    }
}

fn io_error(file: &str, e: io::Error) -> SourceError {
    if let Some(bad) = e.get_ref().and_then(|r| r.downcast_ref::<Utf16Error>()) {
        return SourceError::Format {
            file: file.to_string(),
            message: bad.to_string(),
        };
    }
    SourceError::Io {
        file: file.to_string(),
        source: e,
    }
}

fn is_json_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Whether `line` holds exactly one complete JSON value (NDJSON), rather
/// than the start of a pretty-printed one or several values.
fn is_one_line_value(line: &[u8]) -> bool {
    let mut stream = serde_json::Deserializer::from_slice(line).into_iter::<IgnoredAny>();
    match stream.next() {
        Some(Ok(_)) => line[stream.byte_offset()..]
            .iter()
            .all(|b| is_json_whitespace(*b)),
        // The value goes on on the next lines.
        Some(Err(e)) if e.is_eof() => false,
        // A broken line: NDJSON reports it and goes on with the next one.
        _ => true,
    }
}

/// Skips JSON whitespace, keeping track of the position; returns the next
/// byte (not consumed) or `None` at the end.
fn skip_whitespace(
    input: &mut impl BufRead,
    line: &mut u64,
    column: &mut u64,
) -> io::Result<Option<u8>> {
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(None);
        }
        let skip = buf.iter().take_while(|b| is_json_whitespace(**b)).count();
        for b in &buf[..skip] {
            if *b == b'\n' {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
        }
        let next = buf.get(skip).copied();
        input.consume(skip);
        if next.is_some() {
            return Ok(next);
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum LineRead {
    Eof,
    Line,
    /// Longer than the limit; the rest of the line was skipped.
    TooLong,
}

/// Reads one line (with its `\n`) into `buf`, at most `max` bytes of it.
fn read_line_capped(input: &mut impl BufRead, buf: &mut Vec<u8>, max: u64) -> io::Result<LineRead> {
    let n = input
        .by_ref()
        .take(max.saturating_add(1))
        .read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(LineRead::Eof);
    }
    if n as u64 <= max || (buf.last() == Some(&b'\n') && n as u64 == max + 1) {
        return Ok(LineRead::Line);
    }
    buf.clear();
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(LineRead::TooLong);
        }
        match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(LineRead::TooLong);
            }
            None => {
                let len = chunk.len();
                input.consume(len);
            }
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

enum Encoding {
    Utf8,
    Utf16 { big_endian: bool },
}

type Prefixed<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// The input as UTF-8 bytes.
enum Input<R> {
    Utf8(BufReader<Prefixed<R>>),
    Utf16(BufReader<Utf16Decoder<Prefixed<R>>>),
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Utf8(r) => r.read(buf),
            Input::Utf16(r) => r.read(buf),
        }
    }
}

impl<R: Read> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Input::Utf8(r) => r.fill_buf(),
            Input::Utf16(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match self {
            Input::Utf8(r) => r.consume(amt),
            Input::Utf16(r) => r.consume(amt),
        }
    }
}

/// Invalid UTF-16 in the input.
#[derive(Debug, thiserror::Error)]
#[error("the file is not valid UTF-16: {0}")]
struct Utf16Error(&'static str);

/// Decodes UTF-16 to UTF-8 as it reads.
struct Utf16Decoder<R> {
    inner: R,
    big_endian: bool,
    /// Bytes read but not decoded yet (an odd byte, half a surrogate pair).
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R: Read> Utf16Decoder<R> {
    fn new(inner: R, big_endian: bool) -> Self {
        Utf16Decoder {
            inner,
            big_endian,
            raw: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            eof: false,
        }
    }

    fn unit(&self, i: usize) -> u16 {
        let pair = [self.raw[i], self.raw[i + 1]];
        if self.big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        let invalid = |why| io::Error::new(io::ErrorKind::InvalidData, Utf16Error(why));
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.eof {
            let old = self.raw.len();
            self.raw.resize(old + (1 << 15), 0);
            let n = loop {
                match self.inner.read(&mut self.raw[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.raw.truncate(old);
                        return Err(e);
                    }
                }
            };
            self.raw.truncate(old + n);
            self.eof = n == 0;
            let mut i = 0;
            while i + 2 <= self.raw.len() {
                let unit = self.unit(i);
                let c = match unit {
                    0xD800..=0xDBFF => {
                        if i + 4 > self.raw.len() {
                            if self.eof {
                                return Err(invalid("the file ends in a surrogate pair"));
                            }
                            break;
                        }
                        let low = self.unit(i + 2);
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(invalid("unpaired surrogate"));
                        }
                        i += 2;
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(invalid("unpaired surrogate")),
                    _ => u32::from(unit),
                };
                i += 2;
                let c = char::from_u32(c).ok_or_else(|| invalid("invalid code point"))?;
                let mut utf8 = [0u8; 4];
                self.out
                    .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
            self.raw.drain(..i);
            if self.eof && !self.raw.is_empty() {
                return Err(invalid("odd number of bytes"));
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acsready_facts::{AgentFact, CertificateFact, DeliveryFacts, EventFact, OsFacts};
    use proptest::prelude::*;

    #[test]
    fn type_errors_name_the_field() {
        let unit = |text: &str| Unit {
            line: 7,
            text: text.into(),
        };
        let msg = |text: &str| parse_unit("f.json", &unit(text)).unwrap_err().to_string();
        assert!(msg(r#"{"host":"a","os":5}"#).starts_with("f.json:7:18: os: invalid type"));
        let m = msg(
            r#"{"host":"b","agents":[{"product":"x","version":"1"},{"product":"y","version":true}]}"#,
        );
        assert!(
            m.contains(": agents[1].version: invalid type: boolean"),
            "{m}"
        );
        assert!(msg(r#"{"host":"c","os":{"ubr":-1}}"#).contains("os.ubr: -1 is not a UBR"));
        // Syntax errors have no field.
        assert!(msg(r#"{"host":"d","#).contains(": EOF while parsing"));
    }

    /// What reading a whole input gave: one outcome per unit (the record,
    /// or the error as displayed), and the error that ended the file.
    #[derive(Debug, Default)]
    struct Outcome {
        units: Vec<Result<Record, String>>,
        fatal: Option<String>,
        batches: Vec<usize>,
    }

    impl Outcome {
        fn hosts(&self) -> Vec<&str> {
            self.units
                .iter()
                .filter_map(|u| u.as_ref().ok())
                .map(|r| r.facts.host.as_str())
                .collect()
        }

        fn lines(&self) -> Vec<u64> {
            self.units
                .iter()
                .filter_map(|u| u.as_ref().ok())
                .map(|r| r.origin.line)
                .collect()
        }

        fn errors(&self) -> Vec<&str> {
            self.units
                .iter()
                .filter_map(|u| u.as_ref().err())
                .map(String::as_str)
                .collect()
        }

        fn records(self) -> Vec<HostFacts> {
            self.units
                .into_iter()
                .map(|u| u.expect("a record").facts)
                .collect()
        }
    }

    fn read_with<R: Read>(mut reader: JsonFacts<R>, max: usize) -> Outcome {
        let mut outcome = Outcome::default();
        // Every batch makes progress, so this bound is never reached by a
        // reader that works.
        for _ in 0..100_000 {
            match reader.next_batch(max) {
                Ok(Some(batch)) => {
                    assert!(!batch.is_empty() && batch.len() <= max.max(1));
                    outcome.batches.push(batch.len());
                    for unit in batch {
                        outcome.units.push(
                            unit.and_then(|u| parse_unit("in.json", &u))
                                .map_err(|e| e.to_string()),
                        );
                    }
                }
                Ok(None) => {
                    assert!(matches!(reader.next_batch(max), Ok(None)), "None is final");
                    return outcome;
                }
                Err(e) => {
                    outcome.fatal = Some(e.to_string());
                    assert!(matches!(reader.next_batch(max), Ok(None)), "Err is final");
                    return outcome;
                }
            }
        }
        panic!("the reader does not end");
    }

    fn read(bytes: &[u8]) -> Outcome {
        read_with(JsonFacts::new(bytes, "in.json"), 1000)
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        units
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    const NDJSON: &str = "{\"host\":\"web01\",\"updates\":[\"kb5006714\"]}\n\
                          \n\
                          {\"host\":\"web02\",\"os\":{\"current_build\":\"17763.2210\"}}\n\
                          {\"host\":\"web03\"}\n";

    const PRETTY_ARRAY: &str = r#"[
    {
        "host": "web01",
        "updates": [
            "KB5006714"
        ]
    },
    {
        "host": "web02",
        "os": {
            "current_build": 17763,
            "ubr": 2210
        }
    }
]
"#;

    #[test]
    fn ndjson_lines_are_records_with_their_lines() {
        let out = read(NDJSON.as_bytes());
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts(), ["web01", "web02", "web03"]);
        assert_eq!(out.lines(), [1, 3, 4]);
        let records = out.records();
        assert_eq!(
            records[0].updates.as_deref(),
            Some(&["KB5006714".to_string()][..])
        );
        assert_eq!(
            (records[1].build(), records[1].ubr()),
            (Some(17763), Some(2210))
        );
    }

    #[test]
    fn ndjson_is_streamed_in_batches() {
        let text: String = (0..10)
            .map(|i| format!("{{\"host\":\"h{i}\"}}\n"))
            .collect();
        let out = read_with(JsonFacts::new(text.as_bytes(), "in.json"), 3);
        assert_eq!(out.batches, [3, 3, 3, 1]);
        assert_eq!(out.hosts().len(), 10);
        assert_eq!(out.lines(), (1..=10).collect::<Vec<u64>>());
        // A batch size of 0 still makes progress.
        let out = read_with(JsonFacts::new(text.as_bytes(), "in.json"), 0);
        assert_eq!(out.batches, [1; 10]);
    }

    #[test]
    fn crlf_line_ends_are_accepted() {
        let out = read(NDJSON.replace('\n', "\r\n").as_bytes());
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts(), ["web01", "web02", "web03"]);
        assert_eq!(out.lines(), [1, 3, 4]);
        let out = read(PRETTY_ARRAY.replace('\n', "\r\n").as_bytes());
        assert_eq!(out.hosts(), ["web01", "web02"]);
        assert_eq!(out.lines(), [2, 8]);
    }

    #[test]
    fn one_pretty_object_is_one_record() {
        let text = "\n  {\n  \"host\": \"db01\",\n  \"root_auto_update_disabled\": true\n}\n";
        let out = read(text.as_bytes());
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts(), ["db01"]);
        assert_eq!(out.lines(), [2]);
        assert_eq!(out.records()[0].root_auto_update_disabled, Some(true));
    }

    #[test]
    fn concatenated_objects_are_records() {
        let text =
            "{\n  \"host\": \"a\"\n}\n{\n  \"host\": \"b\"\n}{\"host\":\"c\"} {\"host\":\"d\"}\n";
        let out = read(text.as_bytes());
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts(), ["a", "b", "c", "d"]);
        assert_eq!(out.lines(), [1, 4, 6, 6]);
        // Several objects on the first line are not NDJSON, but still work.
        let out = read(b"{\"host\":\"a\"}{\"host\":\"b\"}\n{\"host\":\"c\"}");
        assert_eq!(out.hosts(), ["a", "b", "c"]);
    }

    #[test]
    fn arrays_pretty_or_compact_are_records() {
        let out = read(PRETTY_ARRAY.as_bytes());
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts(), ["web01", "web02"]);
        assert_eq!(out.lines(), [2, 8]);
        let records = out.records();
        assert_eq!(
            (records[1].build(), records[1].ubr()),
            (Some(17763), Some(2210))
        );

        let out = read(br#"[{"host":"a"},{"host":"b"}]"#);
        assert_eq!(out.hosts(), ["a", "b"]);
        let out = read(b"  []  ");
        assert!(out.units.is_empty() && out.fatal.is_none());
        // Arrays one after another (files joined with `cat`).
        let out = read(b"[{\"host\":\"a\"}]\n[{\"host\":\"b\"}]\n");
        assert_eq!(out.hosts(), ["a", "b"]);
    }

    #[test]
    fn array_is_handed_out_in_batches() {
        let text: Vec<String> = (0..7).map(|i| format!("{{\"host\":\"h{i}\"}}")).collect();
        let text = format!("[{}]", text.join(",\n"));
        let out = read_with(JsonFacts::new(text.as_bytes(), "in.json"), 3);
        assert_eq!(out.batches, [3, 3, 1]);
        assert_eq!(out.lines(), (1..=7).collect::<Vec<u64>>());
    }

    #[test]
    fn utf8_bom_is_skipped() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(NDJSON.as_bytes());
        assert_eq!(read(&bytes).hosts(), ["web01", "web02", "web03"]);
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(PRETTY_ARRAY.as_bytes());
        assert_eq!(read(&bytes).hosts(), ["web01", "web02"]);
        // A BOM at the start of a later line: NDJSON files joined with `cat`.
        let out = read(b"{\"host\":\"a\"}\n\xEF\xBB\xBF{\"host\":\"b\"}\n");
        assert_eq!(out.hosts(), ["a", "b"]);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        // What Windows PowerShell 5 `ConvertTo-Json | Out-File` writes.
        let text = PRETTY_ARRAY
            .replace('\n', "\r\n")
            .replace("web02", "wéb02-主機-😀");
        let out = read(&utf16(&text, false, true));
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts(), ["web01", "wéb02-主機-😀"]);
        assert_eq!(out.lines(), [2, 8]);
        let out = read(&utf16(NDJSON, true, true));
        assert_eq!(out.hosts(), ["web01", "web02", "web03"]);
        assert_eq!(out.lines(), [1, 3, 4]);
        // Without a BOM, recognised by its zero bytes.
        assert_eq!(read(&utf16(NDJSON, false, false)).hosts().len(), 3);
        assert_eq!(read(&utf16(NDJSON, true, false)).hosts().len(), 3);
    }

    #[test]
    fn utf16_ndjson_is_streamed_across_decoder_chunks() {
        let text: String = (0..3000)
            .map(|i| format!("{{\"host\":\"h{i}-😀\"}}\r\n"))
            .collect();
        let out = read_with(
            JsonFacts::new(&utf16(&text, false, true)[..], "in.json"),
            500,
        );
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts().len(), 3000);
        assert_eq!(out.hosts()[2999], "h2999-😀");
        assert_eq!(out.batches.len(), 6);
    }

    #[test]
    fn broken_utf16_is_a_format_error() {
        let mut bytes = utf16(NDJSON, false, true);
        bytes.push(b'x');
        let out = read(&bytes);
        assert!(
            out.fatal.as_deref().unwrap().contains("not valid UTF-16"),
            "{out:?}"
        );
        let mut bytes = utf16("{\"host\":\"a", false, true);
        bytes.extend_from_slice(&0xD800u16.to_le_bytes());
        bytes.extend_from_slice(&utf16("\"}", false, false));
        let out = read(&bytes);
        assert!(
            out.fatal.as_deref().unwrap().contains("unpaired surrogate"),
            "{out:?}"
        );
        let out = read(b"\xFF\xFE\0\0{\0\0\0");
        assert!(out.fatal.as_deref().unwrap().contains("UTF-32"), "{out:?}");
    }

    #[test]
    fn bad_ndjson_line_is_reported_and_the_next_lines_still_work() {
        let text = "{\"host\":\"a\"}\n{\"host\":\"b\",,}\n{\"host\":\"c\"}\n{\"host\":\"d\"}\n";
        let out = read(text.as_bytes());
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts(), ["a", "c", "d"]);
        assert_eq!(out.lines(), [1, 3, 4]);
        assert_eq!(out.errors().len(), 1);
        assert!(
            out.errors()[0].starts_with("in.json:2:13: "),
            "{:?}",
            out.errors()
        );
        // A broken first line does not hide the rest.
        let out = read(b"{\"host\":x}\n{\"host\":\"b\"}\n");
        assert_eq!(out.hosts(), ["b"]);
        assert!(
            out.errors()[0].starts_with("in.json:1:9: expected value"),
            "{out:?}"
        );
        // Nor does a truncated first line.
        let out = read(b"{\"host\":\"a\",\"upd\n{\"host\":\"b\"}\n");
        assert_eq!(out.hosts(), ["b"]);
        assert_eq!(out.errors().len(), 1);
        assert!(out.errors()[0].starts_with("in.json:1:"), "{out:?}");
    }

    #[test]
    fn wrong_types_are_reported_at_their_place() {
        let text = "{\"host\":\"a\"}\n{\"host\":\"b\",\"updates\":5}\n{\"updates\":[]}\n[1]\n{\"host\":\"e\"}\n";
        let out = read(text.as_bytes());
        assert_eq!(out.hosts(), ["a", "e"]);
        let errors = out.errors();
        assert_eq!(errors.len(), 3);
        assert!(
            errors[0].starts_with("in.json:2:23: updates: invalid type: integer `5`"),
            "{errors:?}"
        );
        assert!(
            errors[1].starts_with("in.json:3:") && errors[1].contains("missing field `host`"),
            "{errors:?}"
        );
        assert!(
            errors[2].starts_with("in.json:4:2: invalid type"),
            "{errors:?}"
        );
    }

    #[test]
    fn bad_array_element_is_reported_at_its_start_and_others_come_through() {
        let text = r#"[
  {
    "host": "a"
  },
  {
    "host": "b",
    "updates": 5
  },
  {
    "os": {}
  },
  {"host": "d", "agents": [{"product": "x", "version": []}]},
  {
    "host": "e"
  }
]"#;
        let out = read(text.as_bytes());
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts(), ["a", "e"]);
        assert_eq!(out.lines(), [2, 13]);
        let errors = out.errors();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors[0].starts_with("in.json:7:16: updates: invalid type: integer `5`"),
            "{errors:?}"
        );
        assert!(
            errors[0].ends_with("(in the record starting at line 5)"),
            "{errors:?}"
        );
        assert!(errors[1].contains("missing field `host`"), "{errors:?}");
        assert!(
            errors[1].ends_with("(in the record starting at line 9)"),
            "{errors:?}"
        );
        assert!(errors[2].starts_with("in.json:12:"), "{errors:?}");
        assert!(!errors[2].contains("record starting"), "{errors:?}");
    }

    #[test]
    fn normalize_errors_name_the_host() {
        let text = r#"{"host":"web01","updates":["KB1","KB2","x"]}
{"host":" ","updates":["x"]}
{"host":"web03","certificates":[{"sha1":"00","store":"ROOT"}]}
"#;
        let out = read(text.as_bytes());
        assert_eq!(
            out.errors(),
            [
                r#"in.json:1:1: host "web01": updates[2]: "x" is not a KB number (expected e.g. KB5006714)"#,
                "in.json:2:1: `host` is empty",
                r#"in.json:3:1: host "web03": certificates[0].sha1 "00" is not a SHA-1 thumbprint (40 hex digits)"#,
            ]
        );
    }

    #[test]
    fn truncated_files_report_the_break_and_keep_what_came_before() {
        let cut = &PRETTY_ARRAY[..PRETTY_ARRAY.find("\"ubr\"").unwrap()];
        let out = read(cut.as_bytes());
        assert_eq!(out.fatal, None);
        assert_eq!(out.hosts(), ["web01"]);
        assert_eq!(out.errors().len(), 1);
        assert!(out.errors()[0].starts_with("in.json:12:"), "{out:?}");
        assert!(out.errors()[0].contains("truncated"), "{out:?}");

        // Cut between elements: the array is not closed.
        let out = read(b"[\n{\"host\":\"a\"},\n{\"host\":\"b\"}\n");
        assert_eq!(out.hosts(), ["a", "b"]);
        assert_eq!(out.errors().len(), 1);
        assert!(
            out.errors()[0].starts_with("in.json:4:1: unexpected end of file"),
            "{out:?}"
        );

        let out = read(b"{\"host\":\"a\"}\n{\"host\":\"b\"}\n{\"host\":\"c\",\"upd");
        assert_eq!(out.hosts(), ["a", "b"]);
        assert_eq!(out.errors().len(), 1);
        assert!(out.errors()[0].starts_with("in.json:3:"), "{out:?}");
        assert!(out.errors()[0].contains("truncated"), "{out:?}");

        let out = read(b"{\n  \"host\": \"a\",\n  \"updates\": [");
        assert!(out.hosts().is_empty());
        assert!(out.errors()[0].starts_with("in.json:3:"), "{out:?}");
    }

    #[test]
    fn syntax_error_in_an_array_ends_the_file() {
        let out = read(b"[{\"host\":\"a\"},\n {\"host\" \"b\"},\n {\"host\":\"c\"}]");
        assert_eq!(out.hosts(), ["a"]);
        assert_eq!(out.errors(), ["in.json:2:10: expected `:`"]);
        let out = read(b"[{\"host\":\"a\"} {\"host\":\"b\"}]");
        assert_eq!(out.hosts(), ["a"]);
        assert_eq!(
            out.errors(),
            ["in.json:1:15: expected `,` or `]` after an array element"]
        );
        let out = read(b"[{\"host\":\"a\"},]");
        assert_eq!(out.hosts(), ["a"]);
        assert_eq!(out.errors(), ["in.json:1:15: trailing comma before `]`"]);
        let out = read(b"[{\"host\":\"a\"}] 42");
        assert_eq!(out.hosts(), ["a"]);
        assert_eq!(out.errors().len(), 1);
        assert!(out.errors()[0].starts_with("in.json:1:16: expected a JSON object"));
    }

    #[test]
    fn concatenated_objects_resume_after_a_broken_one() {
        let text = "{\n  \"host\": \"a\"\n}\n{\n  \"host\": \"b\",\n  \"updates\": [,]\n}\n{\n  \"host\": \"c\"\n}\n";
        let out = read(text.as_bytes());
        assert_eq!(out.hosts(), ["a", "c"]);
        assert_eq!(out.lines(), [1, 8]);
        assert_eq!(out.errors().len(), 1);
        assert!(
            out.errors()[0].starts_with("in.json:6:15: expected value"),
            "{out:?}"
        );
    }

    #[test]
    fn empty_input_has_no_records_and_no_error() {
        for input in [
            &b""[..],
            b"\n\r\n  \t\n",
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            b"\xEF\xBB\xBF\n\n",
        ] {
            let out = read(input);
            assert!(
                out.units.is_empty() && out.fatal.is_none(),
                "{input:?}: {out:?}"
            );
        }
        assert!(read(&utf16("\r\n", false, true)).units.is_empty());
    }

    #[test]
    fn non_json_is_a_format_error() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
        let cases: [(&[u8], &str); 7] = [
            (png, "found binary data (first byte 0x89)"),
            (b"\x1f\x8b\x08\0\0\0", "gzip"),
            (b"PK\x03\x04\x14\0", "ZIP"),
            (b"  42\n", "found a number"),
            (b"\"web01\"", "found a string"),
            (
                b"host,os\nweb01,2019\n",
                "found text starting with \"host,os\"",
            ),
            (b"\0\0\0\0\x01\x02", "binary data"),
        ];
        for (input, found) in cases {
            let out = read(input);
            assert!(out.units.is_empty(), "{input:?}: {out:?}");
            let fatal = out.fatal.unwrap_or_default();
            assert!(
                fatal
                    .starts_with("in.json: expected a JSON object, an array of objects, or NDJSON")
                    && fatal.contains(found),
                "{input:?}: {fatal}"
            );
        }
    }

    #[test]
    fn invalid_utf8_in_a_line_is_a_record_error() {
        let out = read(b"{\"host\":\"a\"}\n{\"host\":\"\xFF\"}\n{\"host\":\"c\"}\n");
        assert_eq!(out.hosts(), ["a", "c"]);
        assert_eq!(out.errors(), ["in.json:2:10: the line is not valid UTF-8"]);
        let out = read(b"[{\"host\":\"a\"},{\"host\":\"\xFF\"}]");
        assert_eq!(out.hosts(), ["a"]);
        assert_eq!(out.errors().len(), 1);
    }

    #[test]
    fn size_limits_are_enforced() {
        let mut reader = JsonFacts::new(PRETTY_ARRAY.as_bytes(), "in.json");
        reader.max_document = 50;
        let out = read_with(reader, 10);
        assert!(out.units.is_empty());
        assert!(out.fatal.unwrap().contains("larger than"));

        let text = "{\"host\":\"a\"}\n{\"host\":\"a-very-long-host-name\"}\n{\"host\":\"c\"}\n";
        let mut reader = JsonFacts::new(text.as_bytes(), "in.json");
        reader.max_line = 20;
        let out = read_with(reader, 10);
        assert_eq!(out.hosts(), ["a", "c"]);
        assert_eq!(out.lines(), [1, 3]);
        assert_eq!(out.errors(), ["in.json:2:1: the line is longer than 0 MiB"]);
    }

    /// Gives `data`, then fails.
    struct Failing(io::Cursor<Vec<u8>>);

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::other("disk on fire")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn io_errors_end_the_file() {
        let failing = |text: &str| Failing(io::Cursor::new(text.as_bytes().to_vec()));
        let out = read_with(JsonFacts::new(failing("  "), "-"), 10);
        assert_eq!(out.fatal.as_deref(), Some("-: disk on fire"));
        let out = read_with(JsonFacts::new(failing(PRETTY_ARRAY), "-"), 10);
        assert!(out.units.is_empty());
        assert_eq!(out.fatal.as_deref(), Some("-: disk on fire"));
    }

    #[test]
    fn ndjson_units_come_before_the_end_of_the_input_is_read() {
        // The reader fails at the end: NDJSON hands out what came before.
        let mut reader = JsonFacts::new(Failing(io::Cursor::new(NDJSON.as_bytes().to_vec())), "-");
        let batch = reader.next_batch(100).unwrap().unwrap();
        assert_eq!(batch.len(), 3);
        assert_eq!(batch[2].as_ref().unwrap().line, 4);
        let error = reader.next_batch(100).unwrap_err();
        assert!(matches!(error, SourceError::Io { .. }), "{error}");
        assert!(reader.next_batch(100).unwrap().is_none());
    }

    #[test]
    fn origin_displays_as_file_and_line() {
        let origin = Origin {
            file: "-".into(),
            line: 12,
        };
        assert_eq!(origin.to_string(), "-:12");
        let unit = Unit {
            line: 12,
            text: "{\"host\":\"a\"}".into(),
        };
        assert_eq!(parse_unit("-", &unit).unwrap().origin, origin);
    }

    fn host_strategy() -> impl Strategy<Value = HostFacts> {
        let text = || "[\\PC\n\t\"\\\\]{0,12}";
        let os = (
            proptest::option::of("[ a-zA-Z0-9]{0,10}"),
            proptest::option::of((1u32..40000, proptest::option::of(0u32..5000))),
            proptest::option::of(0u32..5000),
        )
            .prop_map(|(product_name, build, ubr)| OsFacts {
                product_name,
                current_build: build.map(|(b, u)| match u {
                    Some(u) => format!("{b}.{u}"),
                    None => b.to_string(),
                }),
                // A UBR in the build wins; a separate one must agree.
                ubr: match build {
                    Some((_, Some(u))) => Some(u),
                    _ => ubr,
                },
                ..OsFacts::default()
            });
        let cert = (
            "[0-9a-fA-F]{40}",
            "[A-Za-z]{1,8}",
            proptest::option::of(text()),
        )
            .prop_map(|(sha1, store, subject)| CertificateFact {
                sha1,
                store,
                subject,
                ..CertificateFact::default()
            });
        let agent = ("[a-z_]{1,12}", "[0-9.\\-]{0,12}")
            .prop_map(|(product, version)| AgentFact { product, version });
        let event = (
            any::<u32>(),
            proptest::option::of(text()),
            proptest::option::of(text()),
        )
            .prop_map(|(id, provider, message)| EventFact {
                id,
                provider,
                time: None,
                message,
            });
        (
            "[a-zA-Z0-9][\\PC\"\\\\]{0,15}",
            proptest::option::of(os),
            proptest::option::of(proptest::collection::vec("(kb|KB|KB )?[0-9]{1,9}", 0..4)),
            proptest::option::of(proptest::collection::vec(cert, 0..3)),
            proptest::option::of(any::<bool>()),
            proptest::option::of(proptest::collection::vec(agent, 0..3)),
            proptest::option::of(proptest::option::of(any::<bool>())),
            proptest::option::of(proptest::collection::vec(event, 0..3)),
        )
            .prop_map(
                |(host, os, updates, certificates, root, agents, delivery, events)| HostFacts {
                    host,
                    os,
                    updates,
                    certificates,
                    root_auto_update_disabled: root,
                    agents,
                    delivery: delivery
                        .map(|no_program_upgrade| DeliveryFacts { no_program_upgrade }),
                    events,
                    ..HostFacts::default()
                },
            )
    }

    /// Valid facts JSON mutated a little: a good start for breaking things.
    fn mutated_json() -> impl Strategy<Value = Vec<u8>> {
        let docs = prop_oneof![
            Just(NDJSON.as_bytes().to_vec()),
            Just(PRETTY_ARRAY.as_bytes().to_vec()),
            Just(utf16(PRETTY_ARRAY, false, true)),
            Just(b"{\n \"host\": \"a\"\n}\n{\"host\":\"b\"}".to_vec()),
        ];
        (
            docs,
            proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..6),
        )
            .prop_map(|(doc, edits)| acsready_testkit::apply_edits(doc, &edits))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_bytes_never_panic(
            prefix in prop_oneof![Just(&b""[..]), Just(&b"["[..]), Just(&b"{"[..]), Just(&b"\xFF\xFE"[..]), Just(&b"\xEF\xBB\xBF{"[..])],
            bytes in proptest::collection::vec(any::<u8>(), 0..512),
            max in 0usize..5,
        ) {
            let mut input = prefix.to_vec();
            input.extend_from_slice(&bytes);
            read_with(JsonFacts::new(&input[..], "in.json"), max);
        }

        #[test]
        fn mutated_json_never_panics(input in mutated_json(), max in 1usize..5) {
            read_with(JsonFacts::new(&input[..], "in.json"), max);
        }

        #[test]
        fn hosts_round_trip_through_every_shape(hosts in proptest::collection::vec(host_strategy(), 0..6)) {
            let expected: Vec<HostFacts> = hosts
                .iter()
                .map(|h| {
                    let mut h = h.clone();
                    h.normalize().map(|()| h)
                })
                .collect::<Result<_, _>>()
                .expect("the strategy makes valid facts");
            let compact: Vec<String> = hosts.iter().map(|h| serde_json::to_string(h).unwrap()).collect();
            let pretty: Vec<String> = hosts.iter().map(|h| serde_json::to_string_pretty(h).unwrap()).collect();
            let pretty_array = serde_json::to_string_pretty(&hosts).unwrap();
            let mut shapes = vec![
                ("ndjson", compact.join("\n").into_bytes()),
                ("ndjson crlf", compact.iter().map(|l| format!("{l}\r\n")).collect::<String>().into_bytes()),
                ("array", serde_json::to_vec(&hosts).unwrap()),
                ("pretty array", pretty_array.clone().into_bytes()),
                ("objects", pretty.join("\n").into_bytes()),
                ("utf-16 array", utf16(&pretty_array.replace('\n', "\r\n"), false, true)),
                ("utf-16 ndjson", utf16(&compact.join("\r\n"), true, true)),
            ];
            if let [one] = &pretty[..] {
                shapes.push(("one object", one.clone().into_bytes()));
            }
            for (shape, bytes) in shapes {
                let out = read_with(JsonFacts::new(&bytes[..], "in.json"), 4);
                prop_assert_eq!(&out.fatal, &None, "{}", shape);
                prop_assert!(out.errors().is_empty(), "{}: {:?}", shape, out.errors());
                let lines = out.lines();
                prop_assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{}: {:?}", shape, lines);
                if shape.starts_with("ndjson") || shape == "utf-16 ndjson" {
                    prop_assert_eq!(lines, (1..=hosts.len() as u64).collect::<Vec<_>>());
                }
                prop_assert_eq!(&out.records(), &expected, "{}", shape);
            }
        }
    }
}
