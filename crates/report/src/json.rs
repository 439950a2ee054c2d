//! The JSON report, written as hosts are assessed so a million hosts need no
//! more memory than one.
//!
//! ```json
//! {"schema":"acsready.report/1","generator":{…},"rules":{"version","as_of",…},
//!  "lang":"en","hosts":[{…},…],"summary":{…},"errors":[{"source","message"}]}
//! ```

use std::io::{self, Write};

use acsready_assess::{HostAssessment, Summary};
use serde::{Deserialize, Serialize};

use crate::encode::{HostEncoder, HostEncoding, Streamed};
use crate::{InputProblem, Problems, RulesIdentity};

/// Identifies the report layout; bumped only on incompatible change.
pub const REPORT_SCHEMA: &str = "acsready.report/1";

/// A whole JSON report, for reading one back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub generator: Generator,
    pub rules: RulesIdentity,
    pub lang: String,
    pub hosts: Vec<HostAssessment>,
    pub summary: Summary,
    #[serde(default)]
    pub errors: Vec<InputProblem>,
    /// Problems that did not stop an input (a damaged event record, an
    /// unreadable certificate entry): the hosts were still assessed.
    #[serde(default)]
    pub warnings: Vec<InputProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generator {
    pub name: String,
    pub version: String,
}

/// The report of `--summary`: a [`Report`] without its hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryReport {
    pub schema: String,
    pub generator: Generator,
    pub rules: RulesIdentity,
    pub lang: String,
    pub summary: Summary,
    pub errors: Vec<InputProblem>,
    pub warnings: Vec<InputProblem>,
}

impl SummaryReport {
    pub fn new(
        rules: &RulesIdentity,
        lang: acsready_rules::Lang,
        summary: &Summary,
        problems: &Problems,
    ) -> Self {
        SummaryReport {
            schema: REPORT_SCHEMA.into(),
            generator: Generator::this(),
            rules: rules.clone(),
            lang: lang.as_str().into(),
            summary: summary.clone(),
            errors: problems.errors.clone(),
            warnings: problems.warnings.clone(),
        }
    }
}

impl Generator {
    pub(crate) fn this() -> Self {
        Generator {
            name: "acsready".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Streams a [`Report`].
pub struct JsonReport<W: Write> {
    out: W,
    /// Whether a host was written (the next one follows a `,`).
    started: bool,
    encoder: HostEncoder,
    buf: Vec<u8>,
}

impl<W: Write> JsonReport<W> {
    /// Writes everything before the first host.
    pub fn begin(
        mut out: W,
        rules: &RulesIdentity,
        lang: acsready_rules::Lang,
    ) -> io::Result<Self> {
        let generator = Generator::this();
        write!(out, "{{\"schema\":")?;
        serde_json::to_writer(&mut out, REPORT_SCHEMA)?;
        write!(out, ",\"generator\":")?;
        serde_json::to_writer(&mut out, &generator)?;
        write!(out, ",\"rules\":")?;
        serde_json::to_writer(&mut out, rules)?;
        write!(out, ",\"lang\":\"{}\",\"hosts\":[", lang.as_str())?;
        Ok(JsonReport {
            out,
            started: false,
            encoder: HostEncoding::Json.encoder(),
            buf: Vec::new(),
        })
    }

    /// Writes one host, on its own line.
    pub fn host(&mut self, a: &HostAssessment) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        self.encoder.encode(a, &mut buf)?;
        self.write_encoded(&buf)?;
        self.buf = buf;
        Ok(())
    }

    /// Writes the summary, the input errors and warnings, and closes the document.
    pub fn finish(mut self, summary: &Summary, problems: &Problems) -> io::Result<W> {
        if self.started {
            self.out.write_all(b"\n")?;
        }
        write!(self.out, "],\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary)?;
        write!(self.out, ",\"errors\":")?;
        serde_json::to_writer(&mut self.out, &problems.errors)?;
        write!(self.out, ",\"warnings\":")?;
        serde_json::to_writer(&mut self.out, &problems.warnings)?;
        writeln!(self.out, "}}")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Streamed for JsonReport<W> {
    fn encoding(&self) -> HostEncoding {
        HostEncoding::Json
    }

    /// Hosts come each after `,` and a line break; the first one's `,` is
    /// dropped.
    fn write_encoded(&mut self, bytes: &[u8]) -> io::Result<()> {
        let bytes = match (self.started, bytes.split_first()) {
            (false, Some((b',', rest))) => rest,
            _ => bytes,
        };
        self.started |= !bytes.is_empty();
        self.out.write_all(bytes)
    }
}

/// JSON Lines: one host per line, written as hosts are assessed.
pub struct JsonlReport<W: Write> {
    out: W,
    encoder: HostEncoder,
    buf: Vec<u8>,
}

impl<W: Write> JsonlReport<W> {
    pub fn new(out: W) -> Self {
        JsonlReport {
            out,
            encoder: HostEncoding::Jsonl.encoder(),
            buf: Vec::new(),
        }
    }

    pub fn host(&mut self, a: &HostAssessment) -> io::Result<()> {
        self.buf.clear();
        self.encoder.encode(a, &mut self.buf)?;
        self.out.write_all(&self.buf)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Streamed for JsonlReport<W> {
    fn encoding(&self) -> HostEncoding {
        HostEncoding::Jsonl
    }

    fn write_encoded(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }
}
