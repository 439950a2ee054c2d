//! Compressed evidence, read as what it holds: how DFIR copies and ticket
//! attachments arrive.
//!
//! * `.gz` and `.xz` hold one file: `SYSTEM.xz` is read as `SYSTEM`, with
//!   the transaction logs beside it (`SYSTEM.LOG1.xz`, `SYSTEM.LOG2`, …)
//!   unpacked with it, so a dirty hive is still recovered.
//! * `.zip` and `.7z` hold a folder: a host folder, a share of host folders
//!   or facts files.
//!
//! Formats are told by their magic bytes, never by the name. Unpacking is
//! capped ([`Limits`]) against decompression bombs; anything over a cap, an
//! encrypted archive or an unsupported method is an error naming the file
//! and the format. Files are unpacked into a temporary folder that lives as
//! long as the [`Unpacked`]; [`Unpacked::shown`] turns its paths back into
//! the names the user gave (`share/WEB01.zip/WEB01/SOFTWARE`).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::Note;

/// The compressed formats acsready reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    Gzip,
    Xz,
    Zip,
    SevenZ,
}

impl Packing {
    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Packing::Gzip => "gzip",
            Packing::Xz => "xz",
            Packing::Zip => "zip",
            Packing::SevenZ => "7z",
        }
    }

    /// Whether the format holds a folder (else one file).
    pub fn is_archive(self) -> bool {
        matches!(self, Packing::Zip | Packing::SevenZ)
    }

    /// The usual file name suffix.
    fn suffix(self) -> &'static str {
        match self {
            Packing::Gzip => ".gz",
            Packing::Xz => ".xz",
            Packing::Zip => ".zip",
            Packing::SevenZ => ".7z",
        }
    }
}

/// The format of compressed bytes, from their first bytes.
pub fn packing(head: &[u8]) -> Option<Packing> {
    if head.starts_with(&[0x1F, 0x8B]) {
        Some(Packing::Gzip)
    } else if head.starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0x00]) {
        Some(Packing::Xz)
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Packing::Zip)
    } else if head.starts_with(&[b'7', b'z', 0xBC, 0xAF, 0x27, 0x1C]) {
        Some(Packing::SevenZ)
    } else {
        None
    }
}

/// Compressed formats acsready does not read, from their first bytes.
pub fn unsupported_packing(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"Rar!\x1a\x07") {
        Some("RAR")
    } else if head.starts_with(b"BZh") && head.get(3).is_some_and(u8::is_ascii_digit) {
        Some("bzip2")
    } else if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        Some("zstd")
    } else if head.starts_with(b"MSCF") {
        Some("cabinet (.cab)")
    } else {
        None
    }
}

/// The message for a file in a format acsready does not unpack.
pub fn unsupported_message(format: &str) -> String {
    format!("a {format} file, which acsready does not unpack: unpack it, or pack it as .zip, .7z, .gz or .xz")
}

/// The format of a file, from its first bytes (`None`: not compressed, or
/// not readable: the reader of the file then says why).
pub fn packing_of(path: &Path) -> Option<Packing> {
    let mut head = [0u8; 6];
    let mut file = File::open(path).ok()?;
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(_) => return None,
        }
    }
    packing(&head[..read])
}

/// Caps on what one compressed input may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes unpacked in all, over every file of an archive.
    pub max_bytes: u64,
    /// Unpacked bytes per compressed byte, checked once `ratio_after`
    /// bytes were unpacked (small files compress well and are harmless).
    pub max_ratio: u64,
    pub ratio_after: u64,
    /// Files in one archive.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 << 30,
            max_ratio: 1000,
            ratio_after: 64 << 20,
            max_entries: 100_000,
        }
    }
}

/// Why a compressed input could not be read: shown as `file: why`.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("{file}: {}", self.why())]
    Io {
        file: String,
        #[source]
        source: io::Error,
    },
    /// Damaged, encrypted, or a method the reader does not know.
    #[error("{file}: {}", self.why())]
    Format {
        file: String,
        format: &'static str,
        message: String,
    },
    /// Over a cap of [`Limits`]: a decompression bomb, or evidence larger
    /// than acsready unpacks.
    #[error("{file}: {}", self.why())]
    TooLarge {
        file: String,
        format: &'static str,
        message: String,
    },
}

impl UnpackError {
    /// The compressed file, as the user named it.
    pub fn file(&self) -> &str {
        match self {
            UnpackError::Io { file, .. }
            | UnpackError::Format { file, .. }
            | UnpackError::TooLarge { file, .. } => file,
        }
    }

    /// Why it could not be read.
    pub fn why(&self) -> String {
        match self {
            UnpackError::Io { source, .. } => source.to_string(),
            UnpackError::Format {
                format, message, ..
            } => format!("cannot read this {format} file: {message}"),
            UnpackError::TooLarge {
                format, message, ..
            } => format!(
                "{format} file unpacks to {message}; not read (unpack it by hand if it is genuine)"
            ),
        }
    }
}

impl From<&UnpackError> for Note {
    fn from(e: &UnpackError) -> Note {
        Note::file(e.file(), e.why())
    }
}

/// Counts what passes through a reader, for the ratio cap.
struct Counting<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// The unpacked side of a stream, stopped with an error at a cap.
struct Capped<R> {
    inner: R,
    /// Compressed bytes read so far.
    packed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    unpacked: u64,
    limits: Limits,
}

/// The message of an I/O error that is a cap (see [`capped_error`]).
const CAP_MARK: &str = "unpacks to ";

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.unpacked += n as u64;
        if self.unpacked > self.limits.max_bytes {
            return Err(io::Error::other(format!(
                "{CAP_MARK}more than {} bytes",
                self.limits.max_bytes
            )));
        }
        if self.unpacked > self.limits.ratio_after {
            let packed = self
                .packed
                .load(std::sync::atomic::Ordering::Relaxed)
                .max(1);
            if self.unpacked / packed > self.limits.max_ratio {
                return Err(io::Error::other(format!(
                    "{CAP_MARK}more than {} times its size",
                    self.limits.max_ratio
                )));
            }
        }
        Ok(n)
    }
}

/// An I/O error of a capped stream as an [`UnpackError`].
fn capped_error(e: io::Error, file: &str, format: &'static str) -> UnpackError {
    let text = e.to_string();
    match text.strip_prefix(CAP_MARK) {
        Some(cap) => UnpackError::TooLarge {
            file: file.to_string(),
            format,
            message: cap.to_string(),
        },
        None if e.kind() == io::ErrorKind::NotFound
            || e.kind() == io::ErrorKind::PermissionDenied =>
        {
            UnpackError::Io {
                file: file.to_string(),
                source: e,
            }
        }
        None => UnpackError::Format {
            file: file.to_string(),
            format,
            message: text,
        },
    }
}

/// Memory an `.xz` stream may ask for its dictionary, in KiB.
const XZ_MEMORY_KB: u32 = 256 * 1024;

/// The unpacked bytes of a `.gz` or `.xz` stream, capped.
pub fn single_reader<'a, R: Read + Send + 'a>(
    reader: R,
    packing: Packing,
    limits: Limits,
) -> Box<dyn Read + Send + 'a> {
    let packed = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counting = Counting {
        inner: io::BufReader::new(reader),
        count: packed.clone(),
    };
    let inner: Box<dyn Read + Send + 'a> = match packing {
        // The dictionary a header asks for is capped too (xz -9 needs 64 MiB).
        Packing::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            counting,
            true,
            XZ_MEMORY_KB,
        )),
        _ => Box::new(flate2::read::MultiGzDecoder::new(counting)),
    };
    Box::new(Capped {
        inner,
        packed,
        unpacked: 0,
        limits,
    })
}

/// Unpacks compressed bytes of one file (`.gz`, `.xz`) into memory, capped.
pub fn unpack_bytes(
    bytes: &[u8],
    name: &str,
    limits: Limits,
) -> Result<Option<Vec<u8>>, UnpackError> {
    let Some(p) = packing(bytes) else {
        return Ok(None);
    };
    if p.is_archive() {
        return Err(UnpackError::Format {
            file: name.to_string(),
            format: p.name(),
            message: "an archive of several files; give it as a file or folder input".into(),
        });
    }
    let mut out = Vec::new();
    single_reader(bytes, p, limits)
        .read_to_end(&mut out)
        .map_err(|e| capped_error(e, name, p.name()))?;
    Ok(Some(out))
}

/// The evidence files of one host with the compressed ones unpacked: the
/// paths to read, and the unpacked files to keep until they are read (see
/// [`Unpacked::shown`]). A transaction log (`SYSTEM.LOG1.xz`) is unpacked
/// with its hive; an archive among them, a format acsready does not read, or
/// a file over a cap is a problem naming the file.
pub fn unpack_evidence(
    files: &[PathBuf],
    limits: Limits,
    problems: &mut Vec<Note>,
) -> (Vec<PathBuf>, Vec<Unpacked>) {
    let mut paths = Vec::with_capacity(files.len());
    let mut unpacked = Vec::new();
    for path in files {
        let mut head = Vec::new();
        if let Ok(f) = File::open(path) {
            let _ = f.take(8).read_to_end(&mut head);
        }
        if let Some(format) = unsupported_packing(&head) {
            problems.push(Note::file(
                path.display().to_string(),
                unsupported_message(format),
            ));
            continue;
        }
        let Some(p) = packing(&head) else {
            paths.push(path.clone());
            continue;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_archive() {
            problems.push(Note::file(
                path.display().to_string(),
                format!(
                    "a {} archive among the evidence files of one host: give it as an input of its own (it is read as a folder)",
                    p.name()
                ),
            ));
            continue;
        }
        let lower = unpacked_name(&name, p).to_ascii_lowercase();
        if [".log", ".log1", ".log2"]
            .iter()
            .any(|s| lower.ends_with(s))
        {
            // Unpacked beside its hive, when the hive is.
            continue;
        }
        match unpack(path, limits) {
            Ok(Some(u)) => {
                paths.push(u.root.clone());
                unpacked.push(u);
            }
            Ok(None) => paths.push(path.clone()),
            Err(e) => problems.push(Note::from(&e)),
        }
    }
    (paths, unpacked)
}

/// `text` with the paths of every unpacked file shown as the user named them.
pub fn shown_in(unpacked: &[Unpacked], text: &str) -> String {
    unpacked
        .iter()
        .fold(text.to_string(), |text, u| u.shown(&text))
}

/// What a compressed file unpacked to, in a temporary folder removed when
/// this is dropped.
#[derive(Debug)]
pub struct Unpacked {
    dir: tempfile::TempDir,
    /// The unpacked file, or the folder an archive holds.
    pub root: PathBuf,
    /// The format.
    pub packing: Packing,
    /// Unpacked paths and the names they are shown by, longest path first.
    names: Vec<(String, String)>,
}

impl Unpacked {
    /// `text` with every unpacked path in it replaced by the name the user
    /// gave (`/tmp/.tmpX/SYSTEM` → `evidence/SYSTEM.xz`).
    pub fn shown(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (from, to) in &self.names {
            if text.contains(from.as_str()) {
                text = text.replace(from.as_str(), to);
            }
        }
        text
    }

    /// The temporary folder everything was unpacked into.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// The name of a file without its compression suffix (`SYSTEM.xz` →
/// `SYSTEM`; a name without the usual suffix is kept).
fn unpacked_name(name: &str, p: Packing) -> String {
    let lower = name.to_ascii_lowercase();
    let suffixes: &[&str] = match p {
        Packing::Gzip => &[".gz", ".gzip"],
        Packing::Xz => &[".xz"],
        Packing::Zip => &[".zip"],
        Packing::SevenZ => &[".7z"],
    };
    for s in suffixes {
        if lower.ends_with(s) && name.len() > s.len() {
            return name[..name.len() - s.len()].to_string();
        }
    }
    if name.is_empty() {
        "unpacked".into()
    } else {
        name.to_string()
    }
}

/// Unpacks a compressed file; `Ok(None)` when it is not compressed.
///
/// A `.gz`/`.xz` file unpacks to one file (`root`) named without the
/// suffix; when it is a registry hive, its transaction logs beside it
/// (`<name>.LOG`, `.LOG1`, `.LOG2`, compressed the same way or not) are
/// unpacked beside it. A `.zip`/`.7z` unpacks to a folder named after the
/// archive; when the archive holds one folder only, `root` is that folder.
pub fn unpack(path: &Path, limits: Limits) -> Result<Option<Unpacked>, UnpackError> {
    let Some(p) = packing_of(path) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let io_err = |source| UnpackError::Io {
        file: shown.clone(),
        source,
    };
    let dir = tempfile::Builder::new()
        .prefix("acsready-")
        .tempdir()
        .map_err(io_err)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = unpacked_name(&name, p);
    let target = dir.path().join(&base);
    let mut names = vec![(target.display().to_string(), shown.clone())];
    let root = if p.is_archive() {
        std::fs::create_dir(&target).map_err(io_err)?;
        let file = File::open(path).map_err(io_err)?;
        if p == Packing::Zip {
            unzip(file, &target, &shown, limits)?;
        } else {
            // sevenz-rust2 0.20 can panic on a damaged header (a length
            // it allocates before checking): that is a damaged file too.
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                un7z(file, &target, &shown, limits)
            }));
            read.unwrap_or_else(|_| {
                Err(UnpackError::Format {
                    file: shown.clone(),
                    format: Packing::SevenZ.name(),
                    message: "damaged archive header".into(),
                })
            })?;
        }
        only_folder(&target).unwrap_or(target)
    } else {
        let file = File::open(path).map_err(io_err)?;
        write_capped(single_reader(file, p, limits), &target, &shown, p.name())?;
        if is_hive(&target) {
            names.extend(unpack_logs(path, &base, p, dir.path(), limits)?);
        }
        target
    };
    names.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    Ok(Some(Unpacked {
        dir,
        root,
        packing: p,
        names,
    }))
}

fn is_hive(path: &Path) -> bool {
    let mut head = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"regf"
}

/// The transaction logs beside a compressed hive, unpacked (or copied)
/// beside the unpacked hive; their unpacked and shown names.
fn unpack_logs(
    hive: &Path,
    base: &str,
    p: Packing,
    dir: &Path,
    limits: Limits,
) -> Result<Vec<(String, String)>, UnpackError> {
    let mut names = Vec::new();
    let beside = hive.parent().unwrap_or(Path::new("."));
    for log in ["LOG", "LOG1", "LOG2", "log", "log1", "log2"] {
        let log_name = format!("{base}.{log}");
        let target = dir.join(&log_name);
        if target.exists() {
            continue;
        }
        let packed = beside.join(format!("{log_name}{}", p.suffix()));
        let plain = beside.join(&log_name);
        let (source, packing) = if packed.is_file() {
            (
                packed,
                packing_of(&beside.join(format!("{log_name}{}", p.suffix()))),
            )
        } else if plain.is_file() {
            (plain, None)
        } else {
            continue;
        };
        let shown = source.display().to_string();
        let file = File::open(&source).map_err(|e| UnpackError::Io {
            file: shown.clone(),
            source: e,
        })?;
        match packing {
            Some(lp) if !lp.is_archive() => {
                write_capped(single_reader(file, lp, limits), &target, &shown, lp.name())?;
            }
            _ => {
                write_capped(file, &target, &shown, "log")?;
            }
        }
        names.push((target.display().to_string(), shown));
    }
    Ok(names)
}

/// Writes a (capped) stream to a new file.
fn write_capped<R: Read>(
    mut reader: R,
    target: &Path,
    shown: &str,
    format: &'static str,
) -> Result<u64, UnpackError> {
    let mut out = File::create(target).map_err(|source| UnpackError::Io {
        file: target.display().to_string(),
        source,
    })?;
    let n = io::copy(&mut reader, &mut out).map_err(|e| capped_error(e, shown, format))?;
    out.flush().map_err(|source| UnpackError::Io {
        file: target.display().to_string(),
        source,
    })?;
    Ok(n)
}

mod archive;

#[cfg(test)]
use archive::safe_relative;
use archive::{only_folder, un7z, unzip};

#[cfg(test)]
mod tests;
