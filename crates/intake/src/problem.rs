//! Problems met reading inputs, typed: the file (and line, column) they are
//! in, the host when it is known, what kind of problem, and the message.

use acsready_sources::{record_host, SourceError, Unit};

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

    /// A problem the readers of acsready-sources note as text, each naming
    /// its place first ("file: message", "file:line: message").
    pub fn noted(kind: ProblemKind, text: &str) -> Self {
        let Some((place, message)) = text.split_once(": ") else {
            return Problem::new(kind, "", text);
        };
        let (mut file, mut numbers) = (place, Vec::new());
        while numbers.len() < 2 {
            match file.rsplit_once(':') {
                Some((head, n)) if n.parse::<u64>().is_ok_and(|v| v.to_string() == n) => {
                    numbers.push(n.parse::<u64>().unwrap_or_default());
                    file = head;
                }
                _ => break,
            }
        }
        numbers.reverse();
        Problem {
            file: file.to_string(),
            line: numbers.first().copied(),
            column: numbers.get(1).copied(),
            host: None,
            kind,
            message: message.to_string(),
        }
    }

    /// A reading error of acsready-sources, with its file and line.
    pub fn of_source(e: &SourceError) -> Self {
        match e {
            SourceError::Io { file, source } => {
                Problem::new(ProblemKind::Open, file, source.to_string())
            }
            SourceError::Record {
                file,
                line,
                column,
                message,
            } => Problem {
                file: file.clone(),
                line: Some(*line),
                column: Some(*column),
                host: None,
                kind: ProblemKind::Record,
                message: message.clone(),
            },
            SourceError::Format { file, message } => {
                Problem::new(ProblemKind::Format, file, message)
            }
        }
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
    fn noted_text_keeps_its_place() {
        for text in [
            "a.csv:12: bad row",
            "a.json:3:7: missing field",
            "C:\\share\\web01\\SOFTWARE: cut short",
            "no place at all",
            "f:007: zero-padded is not a line",
        ] {
            let p = Problem::noted(ProblemKind::Reading, text);
            assert_eq!(p.to_string(), text);
        }
        let p = Problem::noted(ProblemKind::Reading, "a.json:3:7: x");
        assert_eq!(
            (p.file.as_str(), p.line, p.column),
            ("a.json", Some(3), Some(7))
        );
    }
}
