//! Problems met reading inputs, typed: the file (and line, column) they are
//! in, the host when it is known, what kind of problem, and the message.

use acsready_sources::{record_host, Note, SourceError, Unit};

/// What kind of problem an input has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// The input cannot be opened or read.
    Open,
    /// A folder cannot be listed, or holds no host.
    Folder,
    /// An archive cannot be unpacked.
    Archive,
    /// One record is not valid host facts.
    Record,
    /// The input as a whole is not of the kind it was read as.
    Format,
    /// A reader noted something while reading (the rest was read).
    Reading,
    /// No host was read from any input.
    NoHosts,
}

/// One problem of an input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.display())]
pub struct Problem {
    /// The file (or folder, "-" for standard input); empty when the
    /// problem is of no one input.
    pub file: String,
    /// 1-based line in the file, when known.
    pub line: Option<u64>,
    /// 1-based column of the line, when known.
    pub column: Option<u64>,
    /// The host the input is about, when it can be recognised.
    pub host: Option<String>,
    pub kind: ProblemKind,
    pub message: String,
}

impl Problem {
    /// A problem of a whole file, about no known host.
    pub fn new(kind: ProblemKind, file: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            file: file.into(),
            line: None,
            column: None,
            host: None,
            kind,
            message: message.into(),
        }
    }

    /// The same problem, naming the host it is about (when known).
    pub fn about(mut self, host: Option<String>) -> Self {
        self.host = host.filter(|h| !h.trim().is_empty());
        self
    }

    /// Where the problem is: "file", "file:line" or "file:line:column".
    pub fn place(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file),
            (Some(l), None) => format!("{}:{l}", self.file),
            _ => self.file.clone(),
        }
    }

    fn display(&self) -> String {
        let place = self.place();
        if place.is_empty() {
            self.message.clone()
        } else {
            format!("{place}: {}", self.message)
        }
    }

    /// A note of an acsready-sources reader, its place kept as it is.
    pub fn from_note(kind: ProblemKind, note: &Note) -> Self {
        Problem {
            file: note.file.clone(),
            line: note.line,
            column: note.column,
            host: None,
            kind,
            message: note.message.clone(),
        }
    }

    /// A reader's note of something met while reading.
    pub fn reading(note: &Note) -> Self {
        Problem::from_note(ProblemKind::Reading, note)
    }

    /// A reading error of acsready-sources, with its file and line.
    pub fn of_source(e: &SourceError) -> Self {
        let kind = match e {
            SourceError::Io { .. } => ProblemKind::Open,
            SourceError::Record { .. } => ProblemKind::Record,
            SourceError::Format { .. } => ProblemKind::Format,
        };
        Problem::from_note(kind, &Note::from(e))
    }

    /// A record that is not valid host facts, naming the host it names.
    pub fn of_record(unit: &Unit, e: &SourceError) -> Self {
        Problem::of_source(e).about(record_host(&unit.text))
    }
}

/// Problems of a run: errors (an input, a record or a host not read) and
/// warnings (read, with something noted).
#[derive(Debug, Clone, Default)]
pub struct Problems {
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_keeps_its_place_typed() {
        let at = Note::at(r"C:\share\web01\wmic_qfe.txt", 12, "bad row");
        let p = Problem::reading(&at);
        assert_eq!(
            (p.file.as_str(), p.line, p.column, p.kind),
            (
                r"C:\share\web01\wmic_qfe.txt",
                Some(12),
                None,
                ProblemKind::Reading
            )
        );
        assert_eq!(p.message, "bad row");
        assert_eq!(p.to_string(), at.to_string());
        let record = SourceError::Record {
            file: "a.json".into(),
            line: 3,
            column: 7,
            message: "missing field".into(),
        };
        let p = Problem::of_source(&record);
        assert_eq!(
            (p.file.as_str(), p.line, p.column, p.kind),
            ("a.json", Some(3), Some(7), ProblemKind::Record)
        );
        assert_eq!(p.to_string(), record.to_string());
        let whole = Problem::from_note(ProblemKind::Archive, &Note::file("f:007", "x: y"));
        assert_eq!(
            (
                whole.kind,
                whole.file.as_str(),
                whole.line,
                whole.message.as_str()
            ),
            (ProblemKind::Archive, "f:007", None, "x: y")
        );
        assert_eq!(
            Problem::reading(&Note::general("no place")).to_string(),
            "no place"
        );
    }
}
