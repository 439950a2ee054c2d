//! The Windows volumes of an image, and the files and folders asked for
//! on each.

use std::path::Path;

use crate::backing::Context;
use crate::error::ImageError;
use crate::partition::{partitions, Partition, VolumeKind};
use crate::volume::NtfsVolume;

/// The file that makes an NTFS volume a Windows volume.
pub const WINDOWS_MARK: &str = r"Windows\System32\config\SOFTWARE";

/// What to read from each Windows volume: files and folders, `\`-separated
/// from the volume's root (`Windows\System32\config\SYSTEM`).
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// Files, read whole when they exist.
    pub files: Vec<String>,
    /// Folders listed (paths under them, recursively) when they exist.
    pub folders: Vec<String>,
}

/// A file read from a volume.
#[derive(Debug, Clone)]
pub struct ImageFile {
    /// Its path on the volume, as asked (`Windows\System32\config\SOFTWARE`).
    pub path: String,
    pub bytes: Vec<u8>,
}

/// One Windows volume and what was read from it.
#[derive(Debug, Clone)]
pub struct WindowsVolume {
    /// The partition (1-based; 0 for an image of a volume).
    pub partition: usize,
    /// The files asked for that exist, in the order asked.
    pub files: Vec<ImageFile>,
    /// The folders asked for that exist, with the paths under them
    /// (`Program Files\Trend Micro\…`, relative to the volume's root).
    pub folders: Vec<(String, Vec<String>)>,
}

/// What was read from an image.
#[derive(Debug, Clone)]
pub struct ImageRead {
    /// The container's format ("VHDX", "raw").
    pub format: &'static str,
    /// The virtual disk's size in bytes.
    pub size: u64,
    pub volumes: Vec<WindowsVolume>,
    /// What did not stop the reading (a BitLocker data volume, a damaged
    /// volume beside the Windows one).
    pub notes: Vec<String>,
    /// Bytes read from the image's files.
    pub bytes_read: u64,
}

/// Progress of reading one file of an image.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The file being read, on the volume.
    pub file: &'a str,
    pub done: u64,
    pub total: u64,
}

/// Paths under a folder taken at most.
const MAX_LISTED: usize = 2_000_000;

/// Reads the image at `path` (named `shown` in errors): finds its Windows
/// volumes and reads what `wanted` asks from each. `progress` is told how
/// far each file is.
pub fn read_windows(
    path: &Path,
    shown: &str,
    wanted: &Wanted,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImageRead, ImageError> {
    let ctx = Context::new(shown);
    let mut disk = crate::open_disk(path, &ctx)?;
    let parts = partitions(disk.as_mut(), &ctx)?;
    let mut volumes = Vec::new();
    let mut notes = Vec::new();
    let mut first_error: Option<ImageError> = None;
    let mut bitlocker: Option<usize> = None;
    for part in &parts {
        match part.volume {
            VolumeKind::BitLocker => {
                bitlocker.get_or_insert(part.index);
                notes.push(format!(
                    "partition {} is BitLocker-encrypted: not read (it cannot be read without its recovery key)",
                    part.index
                ));
            }
            VolumeKind::Other => {}
            VolumeKind::Ntfs => match read_volume(disk.as_mut(), part, &ctx, wanted, progress) {
                Ok(Some(v)) => volumes.push(v),
                Ok(None) => {}
                Err(e) => {
                    notes.push(e.detail());
                    first_error.get_or_insert(e);
                }
            },
        }
    }
    if volumes.is_empty() {
        if let Some(partition) = bitlocker {
            return Err(ImageError::BitLocker {
                image: ctx.image,
                partition,
            });
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        return Err(ImageError::NoWindows {
            image: ctx.image.clone(),
            volumes: describe(&parts),
        });
    }
    Ok(ImageRead {
        format: disk.format(),
        size: disk.size(),
        volumes,
        notes,
        bytes_read: ctx.counter.get(),
    })
}

fn read_volume(
    disk: &mut dyn crate::Disk,
    part: &Partition,
    ctx: &Context,
    wanted: &Wanted,
    progress: &mut dyn FnMut(Progress),
) -> Result<Option<WindowsVolume>, ImageError> {
    let mut volume = NtfsVolume::open(disk, part, ctx)?;
    if !volume.exists(WINDOWS_MARK)? {
        return Ok(None);
    }
    let mut files = Vec::new();
    for file in &wanted.files {
        let mut tell = |done, total| progress(Progress { file, done, total });
        if let Some(bytes) = volume.read_file(file, &mut tell)? {
            files.push(ImageFile {
                path: file.clone(),
                bytes,
            });
        }
    }
    let mut folders = Vec::new();
    for folder in &wanted.folders {
        if let Some(paths) = volume.list(folder, MAX_LISTED)? {
            folders.push((folder.clone(), paths));
        }
    }
    Ok(Some(WindowsVolume {
        partition: part.index,
        files,
        folders,
    }))
}

/// The volumes found, for the "no Windows volume" error.
fn describe(parts: &[Partition]) -> String {
    if parts.is_empty() {
        return "no partition".into();
    }
    parts
        .iter()
        .map(|p| {
            let kind = match p.volume {
                VolumeKind::Ntfs => "NTFS",
                VolumeKind::BitLocker => "BitLocker",
                VolumeKind::Other => "not NTFS",
            };
            format!("partition {}: {kind}, {} MB", p.index, p.length >> 20)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
