//! Unpacking an uploaded zip within its limits: what the headers declare is
//! checked before anything is written (entry count, each entry's size and
//! compression ratio, the total), and each entry is then counted as it is
//! inflated, so an entry that holds more than its header says stops at one
//! byte past it.

use std::io::{self, Read, Seek, Write};
use std::path::{Component, Path};

use super::{CollectedError, ZipLimits};

/// A zip whose headers are within the limits.
pub struct Checked<R> {
    archive: zip::ZipArchive<R>,
    declared: u64,
}

fn zip_error(e: zip::result::ZipError) -> CollectedError {
    CollectedError::Zip(e.to_string())
}

fn entry_name<R: Read>(entry: &zip::read::ZipFile<'_, R>, index: usize) -> String {
    entry
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| format!("#{index}"))
}

/// Opens a zip and checks its headers against `limits`.
pub fn check<R: Read + Seek>(reader: R, limits: &ZipLimits) -> Result<Checked<R>, CollectedError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(zip_error)?;
    if archive.len() > limits.max_entries {
        return Err(CollectedError::TooManyEntries(limits.max_entries));
    }
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(zip_error)?;
        let size = entry.size();
        if size > limits.max_file {
            return Err(CollectedError::FileTooLarge {
                name: entry_name(&entry, i),
                limit: limits.max_file,
            });
        }
        let packed = entry.compressed_size().max(1);
        if size > limits.ratio_floor && size / packed >= limits.max_ratio {
            return Err(CollectedError::Ratio {
                name: entry_name(&entry, i),
                ratio: size / packed,
                limit: limits.max_ratio,
            });
        }
        declared = declared.saturating_add(size);
        if declared > limits.max_unpacked {
            return Err(CollectedError::TooLarge(limits.max_unpacked));
        }
    }
    Ok(Checked { archive, declared })
}

impl<R: Read + Seek> Checked<R> {
    /// The bytes the entries declare, together (at most the limit).
    pub fn declared(&self) -> u64 {
        self.declared
    }

    /// Unpacks every entry under `root`, refusing unsafe paths, links and
    /// entries that inflate past their declared size.
    pub fn unpack(mut self, root: &Path) -> Result<(), CollectedError> {
        for i in 0..self.archive.len() {
            let mut entry = self.archive.by_index(i).map_err(zip_error)?;
            let name = entry_name(&entry, i);
            if entry.is_symlink() {
                return Err(CollectedError::Link(name));
            }
            let relative = entry
                .enclosed_name()
                .filter(|p| p.components().all(|c| matches!(c, Component::Normal(_))))
                .ok_or_else(|| CollectedError::UnsafePath(name.clone()))?;
            let target = root.join(relative);
            if entry.is_dir() {
                std::fs::create_dir_all(&target)?;
                continue;
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let declared = entry.size();
            let mut out = std::fs::File::create(&target)?;
            let mut written: u64 = 0;
            let mut buf = vec![0u8; 64 << 10];
            loop {
                let n = match entry.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    // A damaged entry, or one the zip reader finds larger
                    // than declared.
                    Err(e) => {
                        return Err(CollectedError::Zip(format!(
                            "{}:{name}: {e}",
                            super::ZIP_NAME
                        )))
                    }
                };
                written += n as u64;
                if written > declared {
                    return Err(CollectedError::Overflow { name, declared });
                }
                out.write_all(&buf[..n])?;
            }
        }
        Ok(())
    }
}
