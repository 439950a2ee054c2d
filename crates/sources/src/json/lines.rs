//! Line-level reading of the decoded input: NDJSON handed out one line at a
//! time, and the whitespace and line helpers shape detection uses.

use std::io::{self, BufRead, Read};
use std::ops::Range;
use std::sync::Arc;

use serde::de::IgnoredAny;

use super::input::Input;
use super::{is_json_whitespace, Unit, UnitText};
use crate::SourceError;

pub(super) struct Lines<R> {
    input: Input<R>,
    /// Line number of the last line read.
    line: u64,
    /// The first line, read during detection, not yet handed out.
    first: Option<Vec<u8>>,
    /// The line being read, kept across lines.
    buf: Vec<u8>,
    /// The text of the last lines of the batch being read.
    block: String,
    /// Blocks of the batch already full.
    full: Vec<Arc<String>>,
}

/// A line of the batch being read (its number, its block and where its
/// text is in it), or the problem with it.
pub(super) type Span = Result<(u64, usize, Range<usize>), SourceError>;

/// Bytes of a block of lines: a few hundred records. Blocks freed by
/// other threads than the one that read them stay small, so the allocator
/// reuses their memory at once (batch-sized blocks raised the peak
/// memory of a run by a fifth).
const BLOCK: usize = 64 << 10;

impl<R: Read> Lines<R> {
    /// Lines of `input` after line `line`, the first of them `first`.
    pub(super) fn new(input: Input<R>, line: u64, first: Vec<u8>) -> Self {
        Lines {
            input,
            line,
            first: Some(first),
            buf: Vec::new(),
            block: String::new(),
            full: Vec::new(),
        }
    }

    /// The next non-blank line, its text added to the block, or `None` at
    /// the end.
    pub(super) fn next_span(&mut self, file: &str, max_line: u64) -> io::Result<Option<Span>> {
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
                Ok(text) => {
                    if !self.block.is_empty() && self.block.len() + text.len() > BLOCK {
                        let next = String::with_capacity(BLOCK.max(text.len()));
                        let full = std::mem::replace(&mut self.block, next);
                        self.full.push(Arc::new(full));
                    } else if self.block.capacity() == 0 {
                        self.block.reserve(BLOCK.max(text.len()));
                    }
                    let start = self.block.len();
                    self.block.push_str(text);
                    Ok((self.line, self.full.len(), start..self.block.len()))
                }
                Err(e) => Err(SourceError::Record {
                    file: file.to_string(),
                    line: self.line,
                    column: e.valid_up_to() as u64 + 1,
                    message: "the line is not valid UTF-8".into(),
                }),
            }));
        }
    }

    /// The units of `spans`, sharing the blocks of the batch; the next
    /// batch starts new blocks.
    pub(super) fn units(&mut self, spans: Vec<Span>) -> Vec<Result<Unit, SourceError>> {
        let mut blocks = std::mem::take(&mut self.full);
        blocks.push(Arc::new(std::mem::take(&mut self.block)));
        spans
            .into_iter()
            .map(|span| {
                span.map(|(line, block, range)| Unit {
                    line,
                    text: UnitText::shared(&blocks[block], range),
                })
            })
            .collect()
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
