//! Disk images of powered-off Windows machines (`--image`, `preflight
//! --server-image`): each image is one host, its files read out of its
//! Windows volume into memory by acsready-diskimage and handed to the
//! same readers as files on disk (hives with their `.LOG1`/`.LOG2`
//! replayed, event logs). The host is named by the image's own
//! ComputerName (its SYSTEM hive), else the image's file name; every
//! fact's source names the image and the file in it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use acsready_diskimage::{read_windows, ImageRead, Progress, Wanted};
use acsready_facts::FileListing;
use acsready_sources::folder::{read_memory_evidence, MemoryFile};

use crate::open::sorted_entries;
use crate::problem::{Problem, ProblemKind};
use crate::readers::Readers;

/// File names of disk images searched for in a folder given to `--image`.
const IMAGE_EXTENSIONS: [&str; 10] = [
    "vhdx", "avhdx", "vhd", "avhd", "vmdk", "qcow2", "qcow", "img", "raw", "dd",
];

/// Folder levels searched for images below a folder given to `--image`.
const MAX_DEPTH: usize = 8;

const CONFIG: &str = r"Windows\System32\config";
const LOGS: &str = r"Windows\System32\winevt\Logs";

/// Tells how far the reading of each image is: the image (as given) and
/// the file being read in it.
#[derive(Clone)]
pub struct ImageProgress(pub Arc<ProgressFn>);

/// What [`ImageProgress`] calls: the image and how far its file is.
pub type ProgressFn = dyn Fn(&str, Progress) + Send + Sync;

impl fmt::Debug for ImageProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ImageProgress")
    }
}

/// The files read from a Windows volume for a host: the SOFTWARE and
/// SYSTEM hives with their transaction logs, the Application and System
/// event logs.
fn host_files() -> Vec<String> {
    let mut files = Vec::new();
    for hive in ["SOFTWARE", "SYSTEM"] {
        for suffix in ["", ".LOG1", ".LOG2"] {
            files.push(format!(r"{CONFIG}\{hive}{suffix}"));
        }
    }
    files.push(format!(r"{LOGS}\Application.evtx"));
    files.push(format!(r"{LOGS}\System.evtx"));
    files
}

/// The images of the `--image` inputs, in order: files as given, folders
/// searched for image files (by extension), less the files that other
/// images found there use as extents or parents (a machine is read once,
/// from its newest layer).
pub(crate) fn image_files(inputs: &[PathBuf], errors: &mut Vec<Problem>) -> Vec<PathBuf> {
    let mut images = Vec::new();
    for input in inputs {
        if !input.is_dir() {
            images.push(input.clone());
            continue;
        }
        let mut found = Vec::new();
        search(input, 0, &mut found, errors);
        if found.is_empty() {
            errors.push(Problem::new(
                ProblemKind::Folder,
                input.display().to_string(),
                format!(
                    "no disk image in this folder (files named *.{})",
                    IMAGE_EXTENSIONS.join(", *.")
                ),
            ));
        }
        let used: Vec<PathBuf> = found
            .iter()
            .filter_map(|p| acsready_diskimage::layers(p).ok())
            .flatten()
            .filter_map(|p| p.canonicalize().ok())
            .collect();
        images.extend(
            found
                .into_iter()
                .filter(|p| p.canonicalize().map_or(true, |c| !used.contains(&c))),
        );
    }
    images
}

fn search(dir: &Path, depth: usize, found: &mut Vec<PathBuf>, errors: &mut Vec<Problem>) {
    let Some(paths) = sorted_entries(dir, errors) else {
        return;
    };
    for path in paths {
        if path.is_dir() {
            if depth < MAX_DEPTH {
                search(&path, depth + 1, found, errors);
            }
        } else if is_image_name(&path) {
            found.push(path);
        }
    }
}

fn is_image_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// How a file in an image is named in messages and sources:
/// `web01.vhdx:\Windows\System32\config\SOFTWARE`.
fn shown_in(image: &str, path: &str) -> String {
    format!("{image}:\\{path}")
}

/// Reads the image at `path` (files of its first Windows volume; folders
/// listed when asked), as one problem naming the image when it cannot be.
fn read(
    path: &Path,
    folders: &[String],
    progress: Option<&ImageProgress>,
) -> Result<(ImageRead, Vec<Problem>), Problem> {
    let shown = path.display().to_string();
    let wanted = Wanted {
        files: host_files(),
        folders: folders.to_vec(),
    };
    let mut tell = |p: Progress| {
        if let Some(f) = progress {
            (f.0)(&shown, p);
        }
    };
    let read = read_windows(path, &shown, &wanted, &mut tell)
        .map_err(|e| Problem::new(ProblemKind::Format, &shown, e.detail()))?;
    let mut warnings: Vec<Problem> = read
        .notes
        .iter()
        .map(|n| Problem::new(ProblemKind::Reading, &shown, n.clone()))
        .collect();
    for other in read.volumes.iter().skip(1) {
        warnings.push(Problem::new(
            ProblemKind::Reading,
            &shown,
            format!(
                "partition {} holds Windows too; only the first Windows volume (partition {}) was read",
                other.partition, read.volumes[0].partition
            ),
        ));
    }
    Ok((read, warnings))
}

/// The files read from the image's Windows volume, as the readers take
/// them: each hive with its logs.
fn memory_files(shown: &str, read: &mut ImageRead) -> Vec<MemoryFile> {
    let Some(volume) = read.volumes.first_mut() else {
        return Vec::new();
    };
    let mut files = std::mem::take(&mut volume.files);
    let mut take = |path: &str| {
        files
            .iter()
            .position(|f| f.path.eq_ignore_ascii_case(path))
            .map(|i| files.remove(i).bytes)
    };
    let mut out = Vec::new();
    for hive in ["SOFTWARE", "SYSTEM"] {
        let path = format!(r"{CONFIG}\{hive}");
        let Some(bytes) = take(&path) else { continue };
        let logs = [".LOG1", ".LOG2"]
            .iter()
            .filter_map(|s| take(&format!("{path}{s}")))
            .collect();
        out.push(MemoryFile {
            name: hive.to_string(),
            shown: shown_in(shown, &path),
            bytes,
            logs,
        });
    }
    for f in files {
        let name = f.path.rsplit('\\').next().unwrap_or(&f.path).to_string();
        out.push(MemoryFile {
            name,
            shown: shown_in(shown, &f.path),
            bytes: f.bytes,
            logs: Vec::new(),
        });
    }
    out
}

/// Reads one image as one host (its facts, and the problems that did not
/// stop the reading); `host` names it instead of its ComputerName.
pub(crate) fn read_image(
    path: &Path,
    host: Option<&str>,
    readers: &Readers,
    progress: Option<&ImageProgress>,
) -> Result<(acsready_facts::HostFacts, Vec<Problem>), Problem> {
    let shown = path.display().to_string();
    let (mut read, mut warnings) = read(path, &[], progress)?;
    let files = memory_files(&shown, &mut read);
    let fallback = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "host".into());
    let ev = read_memory_evidence(host, &fallback, files, &readers.options());
    if !ev
        .used
        .iter()
        .any(|(_, what)| *what == acsready_sources::folder::SOFTWARE_HIVE)
    {
        let problems: Vec<String> = ev.problems.iter().map(|p| p.to_string()).collect();
        return Err(Problem::new(
            ProblemKind::Format,
            &shown,
            format!(
                "the Windows volume's SOFTWARE hive could not be read{}",
                if problems.is_empty() {
                    String::new()
                } else {
                    format!(": {}", problems.join("; "))
                }
            ),
        ));
    }
    warnings.extend(ev.problems.iter().map(Problem::reading));
    Ok((ev.facts, warnings))
}

/// What `preflight --server-image` reads from a management server's image.
pub struct ServerImage {
    /// The hives, with their logs.
    pub hives: Vec<MemoryFile>,
    /// The install folders found.
    pub listings: Vec<FileListing>,
    pub warnings: Vec<Problem>,
}

/// Reads a management server's image: its hives and the listing of the
/// first of `install_folders` (volume paths) that exists.
pub fn read_server_image(
    path: &Path,
    install_folders: &[String],
    progress: Option<&ImageProgress>,
) -> Result<ServerImage, Problem> {
    let shown = path.display().to_string();
    let (mut read, warnings) = read(path, install_folders, progress)?;
    let listings = read
        .volumes
        .first()
        .map(|v| {
            v.folders
                .iter()
                .map(|(folder, paths)| FileListing {
                    origin: shown_in(&shown, folder),
                    paths: paths.iter().map(|p| format!(r"C:\{p}")).collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    let hives = memory_files(&shown, &mut read)
        .into_iter()
        .filter(|f| !f.logs.is_empty() || f.bytes.starts_with(b"regf"))
        .collect();
    Ok(ServerImage {
        hives,
        listings,
        warnings,
    })
}
