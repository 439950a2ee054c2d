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
    hosts: usize,
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
        Ok(JsonReport { out, hosts: 0 })
    }

    /// Writes one host, on its own line.
    pub fn host(&mut self, a: &HostAssessment) -> io::Result<()> {
        if self.hosts > 0 {
            self.out.write_all(b",")?;
        }
        self.out.write_all(b"\n")?;
        serde_json::to_writer(&mut self.out, a)?;
        self.hosts += 1;
        Ok(())
    }

    /// Writes the summary, the input errors and warnings, and closes the document.
    pub fn finish(mut self, summary: &Summary, problems: &Problems) -> io::Result<W> {
        if self.hosts > 0 {
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

/// JSON Lines: one host per line, written as hosts are assessed.
pub struct JsonlReport<W: Write> {
    out: W,
}

impl<W: Write> JsonlReport<W> {
    pub fn new(out: W) -> Self {
        JsonlReport { out }
    }

    pub fn host(&mut self, a: &HostAssessment) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, a)?;
        self.out.write_all(b"\n")
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
