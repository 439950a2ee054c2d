//! An NTFS volume of a disk, read with the `ntfs` crate: files found by
//! path (case-insensitively, through the directory indexes and the
//! volume's upcase table) and read whole into memory; folders listed.
//! Only the MFT records, index records and clusters of what is asked are
//! read.

use std::io::{self, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};

use ntfs::indexes::NtfsFileNameIndex;
use ntfs::{Ntfs, NtfsAttributeFlags, NtfsError, NtfsReadSeek};

use crate::backing::{Context, Disk};
use crate::error::ImageError;
use crate::partition::Partition;

/// Blocks the volume reader keeps (4 KiB each: MFT records, index
/// records, a file's first clusters).
const BLOCK: u64 = 4096;
const CACHED_BLOCKS: usize = 1024;

/// Reads a partition of a disk as `Read + Seek`, through a small cache of
/// 4 KiB blocks; large reads go to the disk directly.
pub(crate) struct PartitionReader<'d> {
    disk: &'d mut dyn Disk,
    start: u64,
    len: u64,
    pos: u64,
    cache: std::collections::HashMap<u64, Vec<u8>>,
    order: std::collections::VecDeque<u64>,
}

impl<'d> PartitionReader<'d> {
    pub(crate) fn new(disk: &'d mut dyn Disk, start: u64, len: u64) -> Self {
        let len = len.min(disk.size().saturating_sub(start));
        PartitionReader {
            disk,
            start,
            len,
            pos: 0,
            cache: Default::default(),
            order: Default::default(),
        }
    }

    fn block(&mut self, index: u64) -> io::Result<&[u8]> {
        if !self.cache.contains_key(&index) {
            let at = index * BLOCK;
            let n = BLOCK.min(self.len - at) as usize;
            let mut buf = vec![0u8; n];
            self.disk
                .read_at(self.start + at, &mut buf)
                .map_err(io::Error::other)?;
            if self.order.len() >= CACHED_BLOCKS {
                if let Some(old) = self.order.pop_front() {
                    self.cache.remove(&old);
                }
            }
            self.order.push_back(index);
            self.cache.insert(index, buf);
        }
        Ok(self.cache.get(&index).map_or(&[][..], Vec::as_slice))
    }
}

impl Read for PartitionReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(self.len - self.pos) as usize;
        if want as u64 >= 16 * BLOCK {
            self.disk
                .read_at(self.start + self.pos, &mut buf[..want])
                .map_err(io::Error::other)?;
            self.pos += want as u64;
            return Ok(want);
        }
        let index = self.pos / BLOCK;
        let within = (self.pos % BLOCK) as usize;
        let block = self.block(index)?;
        let n = want.min(block.len().saturating_sub(within));
        buf[..n].copy_from_slice(&block[within..within + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PartitionReader<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match pos {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the volume",
            )),
        }
    }
}

/// An opened NTFS volume.
pub struct NtfsVolume<'d> {
    reader: PartitionReader<'d>,
    ntfs: Ntfs,
    partition: usize,
    image: String,
}

/// The most of one file read into memory (a SOFTWARE hive of a busy
/// server is some hundred MB).
pub const MAX_FILE: u64 = 2 << 30;

impl<'d> NtfsVolume<'d> {
    /// Opens the NTFS volume of `part` on `disk`.
    pub fn open(
        disk: &'d mut dyn Disk,
        part: &Partition,
        ctx: &Context,
    ) -> Result<NtfsVolume<'d>, ImageError> {
        let mut reader = PartitionReader::new(disk, part.offset, part.length);
        let image = ctx.image.clone();
        let ntfs = guarded(&image, part.index, || {
            let mut ntfs = Ntfs::new(&mut reader)?;
            ntfs.read_upcase_table(&mut reader)?;
            Ok(ntfs)
        })?;
        Ok(NtfsVolume {
            reader,
            ntfs,
            partition: part.index,
            image,
        })
    }

    /// The file record of `path` (`\`-separated, from the volume's
    /// root), or `None` when some component of it does not exist.
    fn find(&mut self, path: &str) -> Result<Option<u64>, ImageError> {
        let ntfs = &self.ntfs;
        let reader = &mut self.reader;
        guarded(&self.image, self.partition, || {
            let mut file = ntfs.root_directory(reader)?;
            for name in path.split('\\').filter(|c| !c.is_empty()) {
                let index = file.directory_index(reader)?;
                let mut finder = index.finder();
                let Some(entry) = NtfsFileNameIndex::find(&mut finder, ntfs, reader, name) else {
                    return Ok(None);
                };
                file = entry?.to_file(ntfs, reader)?;
            }
            Ok(Some(file.file_record_number()))
        })
    }

    /// Whether `path` exists.
    pub fn exists(&mut self, path: &str) -> Result<bool, ImageError> {
        Ok(self.find(path)?.is_some())
    }

    /// The bytes of the file at `path`, or `None` when it does not exist.
    /// `progress` is told the bytes read so far and the file's length.
    pub fn read_file(
        &mut self,
        path: &str,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Option<Vec<u8>>, ImageError> {
        let Some(file_record) = self.find(path)? else {
            return Ok(None);
        };
        let ntfs = &self.ntfs;
        let volume_len = self.reader.len;
        let reader = &mut self.reader;
        let shown = path.to_string();
        guarded(&self.image, self.partition, || {
            let file = ntfs.file(reader, file_record)?;
            if file.is_directory() {
                return Ok(Err(format!("{shown} is a folder, not a file")));
            }
            let Some(item) = file.data(reader, "") else {
                return Ok(Err(format!("{shown} has no data")));
            };
            let item = item?;
            let attribute = item.to_attribute()?;
            let flags = attribute.flags();
            if flags.contains(NtfsAttributeFlags::ENCRYPTED) {
                return Ok(Err(format!(
                    "{shown} is encrypted with EFS: it cannot be read without the user's key"
                )));
            }
            if flags.contains(NtfsAttributeFlags::COMPRESSED) {
                return Ok(Err(format!(
                    "{shown} is NTFS-compressed, which acsready does not decompress; copy the file out of the running machine instead"
                )));
            }
            let len = attribute.value_length();
            if len > volume_len {
                return Ok(Err(format!(
                    "{shown} claims {len} bytes, more than its volume holds ({volume_len}): its MFT record is damaged"
                )));
            }
            if len > MAX_FILE {
                return Ok(Err(format!(
                    "{shown} has {len} bytes, more than the {MAX_FILE} acsready reads"
                )));
            }
            let mut value = attribute.value(reader)?;
            let mut bytes = Vec::with_capacity(len as usize);
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = value.read(reader, &mut buf)?;
                if n == 0 {
                    break;
                }
                bytes.extend_from_slice(&buf[..n]);
                progress(bytes.len() as u64, len);
            }
            Ok(Ok(bytes))
        })?
        .map(Some)
        .map_err(|message| ImageError::Ntfs {
            image: self.image.clone(),
            partition: self.partition,
            message,
        })
    }

    /// The paths under the folder `dir` (`\`-separated, relative to the
    /// volume's root, folders too), depth first, at most `limit`; `None`
    /// when the folder does not exist.
    pub fn list(&mut self, dir: &str, limit: usize) -> Result<Option<Vec<String>>, ImageError> {
        let Some(top) = self.find(dir)? else {
            return Ok(None);
        };
        let ntfs = &self.ntfs;
        let reader = &mut self.reader;
        let base = dir.trim_matches('\\').to_string();
        guarded(&self.image, self.partition, || {
            let mut paths = Vec::new();
            let mut stack = vec![(top, base)];
            while let Some((record, path)) = stack.pop() {
                let folder = ntfs.file(reader, record)?;
                let index = folder.directory_index(reader)?;
                let mut entries = index.entries();
                let mut children = Vec::new();
                while let Some(entry) = entries.next(reader) {
                    let entry = entry?;
                    let Some(name) = entry.key() else { continue };
                    let name = name?;
                    // The DOS 8.3 names repeat the long ones.
                    if name.namespace() == ntfs::structured_values::NtfsFileNamespace::Dos {
                        continue;
                    }
                    let text = name.name().to_string_lossy();
                    if record == ntfs::KnownNtfsFileRecordNumber::RootDirectory as u64
                        && text.starts_with('$')
                    {
                        continue;
                    }
                    let child = format!("{path}\\{text}");
                    if name.is_directory() {
                        children.push((entry.file_reference().file_record_number(), child.clone()));
                    }
                    paths.push(child);
                    if paths.len() >= limit {
                        return Ok(paths);
                    }
                }
                children.reverse();
                stack.extend(children);
            }
            Ok(paths)
        })
        .map(Some)
    }
}

/// Runs an `ntfs` crate call, turning its errors (and a panic, should a
/// damaged volume bring one out) into an error naming the image and
/// partition; an error of the image itself (truncated) is passed on.
fn guarded<T>(
    image: &str,
    partition: usize,
    f: impl FnOnce() -> Result<T, NtfsError>,
) -> Result<T, ImageError> {
    let ntfs_error = |message: String| ImageError::Ntfs {
        image: image.to_string(),
        partition,
        message,
    };
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(NtfsError::Io(e))) => match e.into_inner().map(|b| b.downcast::<ImageError>()) {
            Some(Ok(inner)) => Err(*inner),
            Some(Err(other)) => Err(ntfs_error(format!("I/O error: {other}"))),
            None => Err(ntfs_error("I/O error".into())),
        },
        Ok(Err(e @ NtfsError::UpdateSequenceNumberMismatch { .. })) => Err(ntfs_error(format!(
            "an MFT or index record fails its fixups (torn write or damaged sector): {e}"
        ))),
        Ok(Err(e)) => Err(ntfs_error(e.to_string())),
        Err(_) => Err(ntfs_error(
            "the NTFS reader stopped on a structure it could not follow".into(),
        )),
    }
}
