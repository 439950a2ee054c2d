//! CSV, one row per host, with a UTF-8 byte order mark so that Excel (also in
//! Japan) opens it as UTF-8. The columns are always the same, even when empty.

use std::io::{self, Write};

use acsready_assess::HostAssessment;

use crate::csv_rows::{to_io, writer};
use crate::encode::{HostEncoder, HostEncoding, Streamed};
use crate::Style;

pub const COLUMNS: [&str; 14] = [
    "host",
    "verdict",
    "os_name",
    "os_build",
    "os_ubr",
    "os_release",
    "max_severity",
    "finding_codes",
    "findings",
    "agents",
    "agent_actions",
    "remediation",
    "sources",
    "modules",
];

/// The columns of `--csv-findings`: one row per finding.
pub const FINDING_COLUMNS: [&str; 10] = [
    "host",
    "verdict",
    "os_name",
    "code",
    "severity",
    "title",
    "evidence",
    "remediation",
    "agents",
    "sources",
];

pub struct CsvReport<W: Write> {
    out: W,
    style: Style,
    per_finding: bool,
    encoder: HostEncoder,
    buf: Vec<u8>,
}

impl<W: Write> CsvReport<W> {
    pub fn begin(out: W, style: Style) -> io::Result<Self> {
        Self::with_rows(out, style, false)
    }

    /// One row per finding instead of one per host.
    pub fn per_finding(out: W, style: Style) -> io::Result<Self> {
        Self::with_rows(out, style, true)
    }

    fn with_rows(mut out: W, style: Style, per_finding: bool) -> io::Result<Self> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut header = Vec::new();
        let mut w = writer(&mut header);
        match per_finding {
            true => w.write_record(FINDING_COLUMNS),
            false => w.write_record(COLUMNS),
        }
        .map_err(to_io)?;
        w.flush()?;
        drop(w);
        out.write_all(&header)?;
        let encoding = HostEncoding::Csv {
            style: style.clone(),
            per_finding,
        };
        Ok(CsvReport {
            out,
            encoder: encoding.encoder(),
            style,
            per_finding,
            buf: Vec::new(),
        })
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

impl<W: Write> Streamed for CsvReport<W> {
    fn encoding(&self) -> HostEncoding {
        HostEncoding::Csv {
            style: self.style.clone(),
            per_finding: self.per_finding,
        }
    }

    fn write_encoded(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }
}
