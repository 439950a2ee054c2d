//! What a reader notes while reading, typed: the file (and line, column)
//! it is about, and the message. Shown as `file:line:column: message`,
//! `file:line: message` or `file: message`, the parts there are.

use std::fmt;

use acsready_registry::RegistryError;

use crate::{SourceError, MAX_PROBLEMS};

/// Something met while reading that did not stop the reading (or, in a
/// server's evidence, an error of one file), and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The file as the user named it ("-" for standard input), or the
    /// registry view it was read through; empty when the note is of no
    /// one file.
    pub file: String,
    /// 1-based line (or record number) in the file, when known.
    pub line: Option<u64>,
    /// 1-based column of the line, when known.
    pub column: Option<u64>,
    pub message: String,
}

impl Note {
    /// A note of a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Note {
        Note {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A note of one line of a file.
    pub fn at(file: impl Into<String>, line: u64, message: impl Into<String>) -> Note {
        Note {
            line: Some(line),
            ..Note::file(file, message)
        }
    }

    /// A note of no one file ("… and 3 more problems like these").
    pub fn general(message: impl Into<String>) -> Note {
        Note::file("", message)
    }

    /// Where the note is: "file", "file:line" or "file:line:column".
    pub fn place(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file),
            (Some(l), None) => format!("{}:{l}", self.file),
            _ => self.file.clone(),
        }
    }

    /// Each note as shown.
    pub fn texts(notes: &[Note]) -> Vec<String> {
        notes.iter().map(Note::to_string).collect()
    }

    /// The same note, its message followed by `more`.
    pub(crate) fn and(mut self, more: &str) -> Note {
        self.message.push_str(more);
        self
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = self.place();
        if place.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{place}: {}", self.message)
        }
    }
}

impl From<&SourceError> for Note {
    fn from(e: &SourceError) -> Note {
        match e {
            SourceError::Io { file, source } => Note::file(file, source.to_string()),
            SourceError::Record {
                file,
                line,
                column,
                message,
            } => Note {
                column: Some(*column),
                ..Note::at(file, *line, message)
            },
            SourceError::Format { file, message } => Note::file(file, message),
        }
    }
}

impl From<&RegistryError> for Note {
    /// The registry crate words its errors; the file and line are taken from
    /// their fields, the message is the rest of the error's text.
    fn from(e: &RegistryError) -> Note {
        let text = e.to_string();
        let (file, line) = match e {
            RegistryError::Io { file, .. }
            | RegistryError::NotAHive { file, .. }
            | RegistryError::NotRegFile { file, .. } => (file, None),
            RegistryError::Syntax { file, line, .. } => (file, Some(*line)),
        };
        let place = match line {
            Some(l) => format!("{file}:{l}: "),
            None => format!("{file}: "),
        };
        let message = text.strip_prefix(&place).unwrap_or(&text).to_string();
        Note {
            line,
            ..Note::file(file, message)
        }
    }
}

/// Notes kept one by one up to [`MAX_PROBLEMS`](crate::MAX_PROBLEMS), the last then saying how
/// many more there were: a reader's memory stays bounded whatever the input.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Note>,
    more: u64,
}

impl Problems {
    /// Adds a note; `note` is only called while there is room.
    pub(crate) fn push(&mut self, note: impl FnOnce() -> Note) {
        if self.list.len() < MAX_PROBLEMS - 1 {
            self.list.push(note());
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Note> {
        if self.more > 0 {
            self.list.push(Note::general(format!(
                "… and {} more problems like these",
                self.more
            )));
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_as_the_readers_always_wrote_them() {
        assert_eq!(
            Note::at("a.csv", 12, "bad row").to_string(),
            "a.csv:12: bad row"
        );
        let record = SourceError::Record {
            file: "a.json".into(),
            line: 3,
            column: 7,
            message: "missing field".into(),
        };
        assert_eq!(Note::from(&record).to_string(), record.to_string());
        assert_eq!(
            Note::file(r"C:\share\web01\SOFTWARE", "cut short").to_string(),
            r"C:\share\web01\SOFTWARE: cut short"
        );
        assert_eq!(Note::general("no place").to_string(), "no place");
    }

    #[test]
    fn registry_errors_keep_their_file_and_line() {
        let syntax = RegistryError::Syntax {
            file: r"C:\share\web01\CurrentVersion.reg".into(),
            line: 9,
            message: "a value outside any key".into(),
        };
        let note = Note::from(&syntax);
        assert_eq!(
            (note.file.as_str(), note.line, note.message.as_str()),
            (
                r"C:\share\web01\CurrentVersion.reg",
                Some(9),
                "a value outside any key"
            )
        );
        assert_eq!(note.to_string(), syntax.to_string());
        let not_reg = RegistryError::NotRegFile {
            file: "x.reg".into(),
            message: "no header".into(),
        };
        let note = Note::from(&not_reg);
        assert_eq!((note.file.as_str(), note.line), ("x.reg", None));
        assert_eq!(note.to_string(), not_reg.to_string());
    }
}
