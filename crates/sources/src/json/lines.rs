//! Line-level reading of the decoded input: NDJSON handed out one line at a
//! time, and the whitespace and line helpers shape detection uses.

use std::io::{self, BufRead, Read};

use serde::de::IgnoredAny;

use super::input::Input;
use super::{is_json_whitespace, Unit};
use crate::SourceError;

pub(super) struct Lines<R> {
    pub(super) input: Input<R>,
    /// Line number of the last line read.
    pub(super) line: u64,
    /// The first line, read during detection, not yet handed out.
    pub(super) first: Option<Vec<u8>>,
    /// The line being read, kept across lines (one allocation per unit).
    pub(super) buf: Vec<u8>,
}

impl<R: Read> Lines<R> {
    /// The next non-blank line as a unit, or `None` at the end.
    pub(super) fn next_unit(
        &mut self,
        file: &str,
        max_line: u64,
    ) -> io::Result<Option<Result<Unit, SourceError>>> {
        loop {
            match self.first.take() {
                Some(first) => self.buf = first,
                None => {
                    self.buf.clear();
                    match read_line_capped(&mut self.input, &mut self.buf, max_line)? {
                        LineRead::Eof => return Ok(None),
                        LineRead::Line => {}
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
            }
            self.line += 1;
            let mut bytes = self.buf.as_slice();
            while let Some((b'\n' | b'\r', rest)) = bytes.split_last() {
                bytes = rest;
            }
            // A byte order mark in the middle: files joined with `cat`.
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            if bytes.iter().all(|b| is_json_whitespace(*b)) {
                continue;
            }
            return Ok(Some(match std::str::from_utf8(bytes) {
                Ok(text) => Ok(Unit {
                    line: self.line,
                    text: Box::from(text),
                }),
                Err(e) => Err(SourceError::Record {
                    file: file.to_string(),
                    line: self.line,
                    column: e.valid_up_to() as u64 + 1,
                    message: "the line is not valid UTF-8".into(),
                }),
            }));
        }
    }
}

/// Whether `line` holds exactly one complete JSON value (NDJSON), rather
/// than the start of a pretty-printed one or several values.
pub(super) fn is_one_line_value(line: &[u8]) -> bool {
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
pub(super) fn skip_whitespace(
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
pub(super) enum LineRead {
    Eof,
    Line,
    /// Longer than the limit; the rest of the line was skipped.
    TooLong,
}

/// Reads one line (with its `\n`) into `buf`, at most `max` bytes of it.
pub(super) fn read_line_capped(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: u64,
) -> io::Result<LineRead> {
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
