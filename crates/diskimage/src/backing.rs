//! The files an image is made of (the image, its extents, its parents),
//! opened read-only, every byte read from them counted.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::ImageError;
use crate::overlay::Overlay;

/// Bytes read from the files of one image, shared by all its parts.
#[derive(Debug, Clone, Default)]
pub struct ReadCounter(Arc<AtomicU64>);

impl ReadCounter {
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// Bytes read so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What every part of an image reader knows: the image's name as given
/// (for errors) and the counter.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub image: String,
    pub counter: ReadCounter,
    /// Every file opened for the image (itself, its extents, its parents).
    pub files: Arc<std::sync::Mutex<Vec<PathBuf>>>,
}

impl Context {
    /// A context for the image named `image` in messages.
    pub fn new(image: &str) -> Context {
        Context {
            image: image.to_string(),
            ..Context::default()
        }
    }

    /// The files opened so far.
    pub fn opened(&self) -> Vec<PathBuf> {
        self.files.lock().map(|f| f.clone()).unwrap_or_default()
    }
}

/// One file of an image, opened read-only; for a VHDX whose log was
/// replayed, read through the log's writes.
pub struct Backing {
    file: File,
    path: PathBuf,
    len: u64,
    ctx: Context,
    overlay: Option<Overlay>,
}

impl Backing {
    pub fn open(path: &Path, ctx: &Context) -> Result<Backing, ImageError> {
        let io = |source| ImageError::Io {
            image: ctx.image.clone(),
            file: path.display().to_string(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if let Ok(mut files) = ctx.files.lock() {
            files.push(path.to_path_buf());
        }
        Ok(Backing {
            file,
            path: path.to_path_buf(),
            len,
            ctx: ctx.clone(),
            overlay: None,
        })
    }

    /// The file's size (after the log's replay, which may extend it).
    pub fn len(&self) -> u64 {
        self.overlay
            .as_ref()
            .map_or(self.len, |o| o.len().max(self.len))
    }

    /// From now on, reads see the replayed log's writes.
    pub fn set_overlay(&mut self, overlay: Overlay) {
        self.overlay = Some(overlay);
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn ctx(&self) -> &Context {
        &self.ctx
    }

    /// Reads `buf.len()` bytes at `offset`; a read past the end of the
    /// file is a truncated image of `format`.
    pub fn read_at(
        &mut self,
        offset: u64,
        buf: &mut [u8],
        format: &'static str,
    ) -> Result<(), ImageError> {
        self.check_end(offset, buf.len() as u64, format)?;
        // Past the file's end only where the replayed log extended it.
        let on_disk = self.len.saturating_sub(offset).min(buf.len() as u64) as usize;
        let io = |source| ImageError::Io {
            image: self.ctx.image.clone(),
            file: self.path.display().to_string(),
            source,
        };
        if on_disk > 0 {
            self.file.seek(SeekFrom::Start(offset)).map_err(io)?;
            self.file.read_exact(&mut buf[..on_disk]).map_err(io)?;
            self.ctx.counter.add(on_disk as u64);
        }
        buf[on_disk..].fill(0);
        if let Some(o) = &self.overlay {
            o.apply(offset, buf);
        }
        Ok(())
    }

    /// A read of `len` bytes at `offset` past the file's end is a
    /// truncated image of `format`.
    fn check_end(&self, offset: u64, len: u64, format: &'static str) -> Result<(), ImageError> {
        let end = offset.saturating_add(len);
        if end > self.len() {
            return Err(ImageError::Truncated {
                image: self.ctx.image.clone(),
                format,
                file: self.path.display().to_string(),
                size: self.len(),
                needed: end,
            });
        }
        Ok(())
    }

    /// Reads `len` bytes at `offset` into a new buffer (`len` is checked
    /// against the file's size first, so a damaged length allocates
    /// nothing).
    pub fn read_vec(
        &mut self,
        offset: u64,
        len: u64,
        format: &'static str,
    ) -> Result<Vec<u8>, ImageError> {
        self.check_end(offset, len, format)?;
        let mut buf = vec![0u8; len as usize];
        self.read_at(offset, &mut buf, format)?;
        Ok(buf)
    }
}

/// A virtual disk: `size` bytes, read at any offset.
pub trait Disk: Send {
    /// The format's name in messages ("VHDX", "raw").
    fn format(&self) -> &'static str;
    /// The virtual size in bytes.
    fn size(&self) -> u64;
    /// Reads `buf.len()` bytes at `offset` of the virtual disk (zeros where
    /// nothing was ever written).
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), ImageError>;
}

/// A read past the end of a virtual disk.
pub(crate) fn past_end(
    ctx: &Context,
    format: &'static str,
    offset: u64,
    len: usize,
    size: u64,
) -> ImageError {
    crate::error::damaged(
        &ctx.image,
        format,
        format!(
            "a read of {len} bytes at {offset} goes past the end of the virtual disk ({size} bytes)"
        ),
    )
}

/// Checks a read of `len` bytes at `offset` against the disk's `size`.
pub(crate) fn check_range(
    ctx: &Context,
    format: &'static str,
    offset: u64,
    len: usize,
    size: u64,
) -> Result<(), ImageError> {
    match offset.checked_add(len as u64) {
        Some(end) if end <= size => Ok(()),
        _ => Err(past_end(ctx, format, offset, len, size)),
    }
}

/// A disk read piece by piece (blocks, clusters, extents): a [`Disk`]
/// once it says what the piece at a position holds.
pub(crate) trait Pieces: Send {
    /// The format's name in messages.
    const FORMAT: &'static str;
    /// Names the image in errors.
    fn context(&self) -> &Context;
    /// The virtual size in bytes.
    fn virtual_size(&self) -> u64;
    /// Reads the start of `out` at `pos`, up to the end of the piece
    /// holding `pos`; says how many bytes.
    fn read_piece(&mut self, pos: u64, out: &mut [u8]) -> Result<usize, ImageError>;
}

impl<T: Pieces> Disk for T {
    fn format(&self) -> &'static str {
        T::FORMAT
    }

    fn size(&self) -> u64 {
        self.virtual_size()
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), ImageError> {
        check_range(self.context(), T::FORMAT, offset, buf.len(), self.size())?;
        let mut done = 0usize;
        while done < buf.len() {
            let n = self.read_piece(offset + done as u64, &mut buf[done..])?;
            done += n.clamp(1, buf.len() - done);
        }
        Ok(())
    }
}

/// Little- and big-endian fields of a header, bounds-checked.
pub(crate) fn le_u16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

pub(crate) fn le_u32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub(crate) fn le_u64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

pub(crate) fn be_u32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

pub(crate) fn be_u64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_be_bytes(a)
    })
}

/// A parent or extent named by an image, resolved beside it (names are
/// written with `\` on Windows: both separators are accepted).
pub(crate) fn beside(image: &Path, name: &str) -> PathBuf {
    let name = name.replace('\\', "/");
    let p = Path::new(&name);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    let dir = image.parent().unwrap_or(Path::new("."));
    dir.join(p)
}

/// The file name of a Windows or Unix path (`C:\VMs\base.vhdx` → `base.vhdx`).
pub(crate) fn file_name_of(name: &str) -> &str {
    name.rsplit(['\\', '/']).next().unwrap_or(name)
}

/// The first of `names` (as an image records its parent: relative, then
/// absolute paths) that exists: as written when absolute, else beside
/// `child`, then by file name beside `child`. `Err` lists where it looked.
pub(crate) fn find_parent(child: &Path, names: &[String]) -> Result<PathBuf, String> {
    let mut looked: Vec<PathBuf> = Vec::new();
    for name in names.iter().filter(|n| !n.trim().is_empty()) {
        for candidate in [beside(child, name), beside(child, file_name_of(name))] {
            if !looked.contains(&candidate) {
                looked.push(candidate);
            }
        }
    }
    looked.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        looked
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    })
}
