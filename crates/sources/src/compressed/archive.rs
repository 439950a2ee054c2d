//! Archives that hold a folder (`.zip`, `.7z`): every member unpacked
//! inside the unpack folder, within the caps.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use super::{write_capped, Limits, Packing, UnpackError};

/// The one folder a folder holds, when it holds nothing else.
pub(super) fn only_folder(dir: &Path) -> Option<PathBuf> {
    let mut entries = std::fs::read_dir(dir).ok()?;
    let first = entries.next()?.ok()?.path();
    (entries.next().is_none() && first.is_dir()).then_some(first)
}

/// An archive member's name as a relative path inside the unpack folder:
/// no root, no drive, no `..` (names that try to leave are refused).
pub(super) fn safe_relative(name: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => continue,
            ".." => return None,
            p if p.contains(':') => return None,
            p => out.push(p),
        }
    }
    match out.components().next() {
        Some(Component::Normal(_)) => Some(out),
        _ => None,
    }
}

/// Tracks the caps over every member of an archive.
struct Budget {
    limits: Limits,
    packed: u64,
    unpacked: u64,
    entries: usize,
}

impl Budget {
    fn new(limits: Limits, packed: u64) -> Self {
        Budget {
            limits,
            packed: packed.max(1),
            unpacked: 0,
            entries: 0,
        }
    }

    /// Room left for one more member, whose stated size is `size`.
    fn member(&mut self, size: u64, file: &str, format: &'static str) -> Result<u64, UnpackError> {
        self.entries += 1;
        let too_large = |message: String| UnpackError::TooLarge {
            file: file.to_string(),
            format,
            message,
        };
        if self.entries > self.limits.max_entries {
            return Err(too_large(format!(
                "more than {} files",
                self.limits.max_entries
            )));
        }
        let total = self.unpacked.saturating_add(size);
        if total > self.limits.max_bytes {
            return Err(too_large(format!(
                "more than {} bytes",
                self.limits.max_bytes
            )));
        }
        if total > self.limits.ratio_after && total / self.packed > self.limits.max_ratio {
            return Err(too_large(format!(
                "more than {} times its size",
                self.limits.max_ratio
            )));
        }
        Ok(self.limits.max_bytes - self.unpacked)
    }

    /// Copies a member, never more than the room left nor than it said.
    fn copy<R: Read>(
        &mut self,
        reader: R,
        size: u64,
        target: &Path,
        file: &str,
        format: &'static str,
    ) -> Result<(), UnpackError> {
        let room = self.member(size, file, format)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| UnpackError::Io {
                file: target.display().to_string(),
                source,
            })?;
        }
        // A member that unpacks to more than it stated is cut at its
        // stated size plus one byte, and refused.
        let limit = size.min(room).saturating_add(1);
        let n = write_capped(reader.take(limit), target, file, format)?;
        if n > size {
            return Err(UnpackError::Format {
                file: file.to_string(),
                format,
                message: format!("{} unpacks to more than it states", target.display()),
            });
        }
        self.unpacked += n;
        Ok(())
    }
}

pub(super) fn unzip(
    file: File,
    target: &Path,
    shown: &str,
    limits: Limits,
) -> Result<(), UnpackError> {
    let format = Packing::Zip.name();
    let fail = |message: String| UnpackError::Format {
        file: shown.to_string(),
        format,
        message,
    };
    let packed = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut zip =
        zip::ZipArchive::new(io::BufReader::new(file)).map_err(|e| fail(e.to_string()))?;
    let mut budget = Budget::new(limits, packed);
    for i in 0..zip.len() {
        let member = zip.by_index(i).map_err(|e| fail(e.to_string()))?;
        if member.encrypted() {
            return Err(fail(format!(
                "{} is encrypted",
                member.name().unwrap_or_default()
            )));
        }
        if member.is_dir() {
            continue;
        }
        let Some(relative) = member.enclosed_name() else {
            return Err(fail(format!(
                "member name {:?} leaves the archive",
                member.name().unwrap_or_default()
            )));
        };
        let size = member.size();
        budget.copy(member, size, &target.join(relative), shown, format)?;
    }
    Ok(())
}

pub(super) fn un7z(
    file: File,
    target: &Path,
    shown: &str,
    limits: Limits,
) -> Result<(), UnpackError> {
    let format = Packing::SevenZ.name();
    let fail = |message: String| UnpackError::Format {
        file: shown.to_string(),
        format,
        message,
    };
    let packed = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut archive =
        sevenz_rust2::ArchiveReader::new(io::BufReader::new(file), sevenz_rust2::Password::empty())
            .map_err(|e| fail(e.to_string()))?;
    archive.set_thread_count(1);
    let mut budget = Budget::new(limits, packed);
    let mut failed: Option<UnpackError> = None;
    let read = archive.for_each_entries(|entry, reader| {
        if entry.is_directory() {
            return Ok(true);
        }
        let result = match safe_relative(entry.name()) {
            Some(relative) => {
                budget.copy(reader, entry.size(), &target.join(relative), shown, format)
            }
            None => Err(fail(format!(
                "member name {:?} leaves the archive",
                entry.name()
            ))),
        };
        match result {
            Ok(()) => Ok(true),
            Err(e) => {
                failed = Some(e);
                Ok(false)
            }
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    read.map_err(|e| fail(e.to_string()))
}
