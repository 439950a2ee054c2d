//! The whole-document shapes (one or several objects, an array of
//! objects), read into memory and handed out one value at a time.

use serde_json::value::RawValue;

use super::record::json_error;
use super::{is_json_whitespace, Unit, EXPECTED};
use crate::SourceError;

/// A whole-document file in memory, handed out one value at a time.
pub(super) struct Document {
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
    pub(super) fn new(bytes: Vec<u8>, line: u64, column: u64) -> Self {
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

    pub(super) fn next_unit(&mut self, file: &str) -> Option<Result<Unit, SourceError>> {
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
                    text: Box::<str>::from(raw).into(),
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
