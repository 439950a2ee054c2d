//! Where a command's document goes: standard output, or `--output FILE`.
//!
//! A file is written atomically: into a temporary file in the same folder,
//! renamed over FILE once complete, so a reader never sees half a report and
//! a failed run leaves FILE as it was. The bytes are the ones the command
//! writes, on every system (no shell re-encoding, no CRLF translation).
//! A closed pipe on standard output ends a command quietly: see
//! [`is_broken_pipe`].

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use tempfile::NamedTempFile;

/// The `--output` option of every command that writes a document.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OutputArgs {
    /// Write to FILE instead of standard output (- is standard output): atomically (a temporary
    /// file in the same folder, renamed when complete), the same bytes on Windows as on Linux,
    /// without colours
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A command's output, buffered.
pub(crate) enum Output {
    Stdout(BufWriter<io::Stdout>),
    File {
        temp: BufWriter<NamedTempFile>,
        path: PathBuf,
    },
}

/// Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org).
pub(crate) fn use_color() -> bool {
    io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

impl Output {
    /// Standard output (no `--output`, or `--output -`), or a temporary
    /// file beside `args.output`.
    pub(crate) fn open(args: &OutputArgs) -> Result<Output> {
        let Some(path) = args.output.as_ref().filter(|p| p.as_os_str() != "-") else {
            return Ok(Output::Stdout(BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            )));
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut temp = tempfile::Builder::new();
        temp.prefix(".acsready-").suffix(".tmp");
        // A report is an ordinary file: the umask decides, as for `>`.
        #[cfg(unix)]
        let temp = {
            use std::os::unix::fs::PermissionsExt;
            temp.permissions(std::fs::Permissions::from_mode(0o666))
        };
        let temp = temp.tempfile_in(dir).map_err(|e| cannot_write(path, e))?;
        Ok(Output::File {
            temp: BufWriter::with_capacity(1 << 16, temp),
            path: path.clone(),
        })
    }

    /// Whether the output is a terminal that colours are shown on.
    pub(crate) fn colour(&self) -> bool {
        matches!(self, Output::Stdout(_)) && use_color()
    }

    /// The width to fit on a terminal: `COLUMNS` when set, else the
    /// terminal's own; `None` when the output is not a terminal.
    pub(crate) fn terminal_width(&self) -> Option<usize> {
        if !matches!(self, Output::Stdout(_)) || !io::stdout().is_terminal() {
            return None;
        }
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|c| *c > 0);
        Some(columns.unwrap_or_else(|| {
            terminal_size::terminal_size().map_or(80, |(w, _)| usize::from(w.0))
        }))
    }

    /// Flushes; a file is synced and renamed over its path.
    pub(crate) fn commit(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => Ok(out.flush()?),
            Output::File { temp, path } => {
                let temp = temp
                    .into_inner()
                    .map_err(|e| cannot_write(&path, e.into_error()))?;
                temp.as_file()
                    .sync_all()
                    .map_err(|e| cannot_write(&path, e))?;
                temp.persist(&path)
                    .map_err(|e| cannot_write(&path, e.error))?;
                Ok(())
            }
        }
    }
}

/// "FILE: cannot write: CAUSE", naming the file asked for, not the
/// temporary file (tempfile appends ` at path "…"` to its errors).
fn cannot_write(path: &Path, e: io::Error) -> anyhow::Error {
    let text = e.to_string();
    let cause = text.split(" at path \"").next().unwrap_or(&text);
    anyhow!("{}: cannot write: {cause}", path.display())
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File { temp, .. } => temp.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.write_all(buf),
            Output::File { temp, .. } => temp.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { temp, .. } => temp.flush(),
        }
    }
}

/// Whether an error is a closed pipe on the output (`acsready rules | head`):
/// the reader has what it wanted, and the command ends quietly. Writes through
/// serde_json hide the I/O error from the error's chain; it is asked too.
pub(crate) fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let kind = c
            .downcast_ref::<io::Error>()
            .map(io::Error::kind)
            .or_else(|| {
                c.downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}
