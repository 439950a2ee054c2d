//! Hosts turned into the bytes of a streamed report (JSON, JSON Lines,
//! CSV) one at a time and apart from the writing: the hosts of a batch are
//! encoded in parallel, one [`HostEncoder`] per thread, and their bytes
//! written in input order by the report ([`Streamed::write_encoded`]).
//!
//! The reports' own `host` methods encode through the same encoders, so a
//! report is byte for byte the same whichever way its hosts come in.

use std::io;

use acsready_assess::render::render_host;
use acsready_assess::{HostAssessment, TextCache};

use crate::csv_rows::{finding_rows, writer, HostRow};
use crate::json_host::JsonHost;
use crate::Style;

/// How the hosts of one report are encoded; cheap to clone and shared by
/// the threads of a run.
#[derive(Debug, Clone)]
pub enum HostEncoding {
    /// An element of the JSON report's `hosts` array, after a `,` and a
    /// line break (the report drops the first host's `,`).
    Json,
    /// One JSON Lines line.
    Jsonl,
    /// CSV: one row per host, or one per finding.
    Csv { style: Style, per_finding: bool },
}

impl HostEncoding {
    /// Whether hosts are best encoded assessed without texts
    /// ([`Detail::Params`]), through [`HostEncoder::encode_rendering`]:
    /// JSON, JSON Lines and the CSV of host rows render each distinct
    /// finding's texts once.
    ///
    /// [`Detail::Params`]: acsready_assess::Detail::Params
    pub fn renders(&self) -> bool {
        matches!(
            self,
            HostEncoding::Json
                | HostEncoding::Jsonl
                | HostEncoding::Csv {
                    per_finding: false,
                    ..
                }
        )
    }

    /// An encoder for one thread.
    pub fn encoder(&self) -> HostEncoder {
        HostEncoder {
            encoding: self.clone(),
            json: JsonHost::default(),
            csv: HostRow::default(),
        }
    }
}

/// Encodes hosts of one [`HostEncoding`]; keeps what repeats across hosts
/// (the bytes of finding texts), so keep one per thread for a whole run.
pub struct HostEncoder {
    encoding: HostEncoding,
    json: JsonHost,
    csv: HostRow,
}

impl HostEncoder {
    /// Appends the bytes of host `a` to `out`.
    pub fn encode(&mut self, a: &HostAssessment, out: &mut Vec<u8>) -> io::Result<()> {
        match &self.encoding {
            HostEncoding::Json => {
                out.extend_from_slice(b",\n");
                self.json.write(a, out)?;
            }
            HostEncoding::Jsonl => {
                self.json.write(a, out)?;
                out.push(b'\n');
            }
            HostEncoding::Csv { style, per_finding } => {
                let mut w = writer(out);
                match per_finding {
                    true => finding_rows(&mut w, a, style)?,
                    false => self.csv.write(&mut w, a, style, None)?,
                }
                w.flush()?;
            }
        }
        Ok(())
    }

    /// Appends the bytes of host `a`, assessed without texts
    /// ([`Detail::Params`]), as [`HostEncoder::encode`] appends the host
    /// assessed with every text in the language of `texts`.
    ///
    /// [`Detail::Params`]: acsready_assess::Detail::Params
    pub fn encode_rendering(
        &mut self,
        a: &HostAssessment,
        texts: &mut TextCache,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        match &self.encoding {
            HostEncoding::Json => {
                out.extend_from_slice(b",\n");
                self.json.write_rendering(a, texts, out)
            }
            HostEncoding::Jsonl => {
                self.json.write_rendering(a, texts, out)?;
                out.push(b'\n');
                Ok(())
            }
            HostEncoding::Csv {
                style,
                per_finding: false,
            } => {
                let mut w = writer(out);
                self.csv.write(&mut w, a, style, Some(texts))?;
                w.flush()
            }
            HostEncoding::Csv { .. } => {
                let mut whole = a.clone();
                render_host(&mut whole, texts.rules(), texts.lang());
                self.encode(&whole, out)
            }
        }
    }
}

/// A report written as hosts come, whose hosts can be encoded apart from
/// the writing.
pub trait Streamed {
    /// How this report encodes a host.
    fn encoding(&self) -> HostEncoding;
    /// Writes hosts encoded with [`encoding`](Self::encoding), in order.
    fn write_encoded(&mut self, bytes: &[u8]) -> io::Result<()>;
}
