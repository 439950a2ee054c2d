//! Evidence of Windows hosts (collector folders, `--collected` parents,
//! `--hive`, `--evtx`, loose evidence files): which hosts there are, and
//! reading each into its facts.

use std::path::PathBuf;

use acsready_facts::HostFacts;
use acsready_sources::folder::{
    read_evidence, read_host_folder, HostEvidence, SOFTWARE_HIVE, SYSTEM_HIVE,
};
use acsready_sources::Note;

use crate::find::Found;
use crate::problem::{Problem, ProblemKind};
use crate::readers::Readers;

/// One host to read: a collector folder, or files given on the command line.
pub enum HostSource {
    Folder(PathBuf),
    Files {
        host: Option<String>,
        files: Vec<PathBuf>,
        /// Given with --hive: the host's SOFTWARE hive is expected.
        software_expected: bool,
    },
    /// A disk image (`--image`).
    Image {
        path: PathBuf,
        host: Option<String>,
        progress: Option<crate::image::ImageProgress>,
    },
}

/// A host's facts, and the problems met reading them (not fatal).
pub struct Read {
    pub facts: HostFacts,
    pub warnings: Vec<Problem>,
}

/// The host folders of `--collected` parents, in order. A parent that
/// cannot be listed is an error; its unfinished sub-folders (`.tmp`, `.old`
/// as the collector leaves them while swapping) are skipped.
pub fn collected_folders(parents: &[PathBuf], errors: &mut Vec<Problem>) -> Vec<PathBuf> {
    let mut hosts = Vec::new();
    for dir in parents {
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut folders: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_dir())
                    .filter(|p| {
                        let name = p
                            .file_name()
                            .map(|n| n.to_string_lossy().to_lowercase())
                            .unwrap_or_default();
                        !(name.ends_with(".tmp") || name.ends_with(".old") || name.starts_with('.'))
                    })
                    .collect();
                folders.sort();
                if folders.is_empty() {
                    errors.push(Problem::new(
                        ProblemKind::Folder,
                        dir.display().to_string(),
                        "no host folder in it (expected one sub-folder per host, as acsready-collect.cmd writes)",
                    ));
                }
                hosts.extend(folders);
            }
            Err(e) => errors.push(Problem::new(
                ProblemKind::Folder,
                dir.display().to_string(),
                format!("cannot read the folder: {e}"),
            )),
        }
    }
    hosts
}

/// The hosts of the evidence found, in order.
pub(crate) fn hosts(args: &Found, errors: &mut Vec<Problem>) -> Vec<HostSource> {
    let mut hosts: Vec<HostSource> = collected_folders(&args.collected, errors)
        .into_iter()
        .map(HostSource::Folder)
        .collect();
    hosts.extend(args.host_folders.iter().cloned().map(HostSource::Folder));
    hosts.extend(args.loose.iter().map(|file| HostSource::Files {
        host: args.host.clone(),
        files: vec![file.clone()],
        software_expected: false,
    }));
    hosts.extend(args.images.iter().map(|path| HostSource::Image {
        path: path.clone(),
        host: args.host.clone(),
        progress: args.image_progress.clone(),
    }));
    if !args.hive.is_empty() || !args.evtx.is_empty() {
        let files = args.hive.iter().chain(&args.evtx).cloned().collect();
        hosts.push(HostSource::Files {
            host: args.host.clone(),
            files,
            software_expected: !args.hive.is_empty(),
        });
    }
    hosts
}

/// The host a source is about, as far as its name tells: a host folder's
/// name, or `--host`.
fn host_of(source: &HostSource) -> Option<String> {
    match source {
        HostSource::Folder(dir) => dir.file_name().map(|n| n.to_string_lossy().into_owned()),
        HostSource::Files { host, .. } => host.clone(),
        HostSource::Image { host, .. } => host.clone(),
    }
}

/// Reads one host; an error names the host when its source does.
pub fn read(source: &HostSource, readers: &Readers) -> Result<Read, Problem> {
    read_source(source, readers).map_err(|p| {
        let host = p.host.clone().or_else(|| host_of(source));
        p.about(host)
    })
}

fn read_source(source: &HostSource, readers: &Readers) -> Result<Read, Problem> {
    let opts = readers.options();
    let evidence = match source {
        HostSource::Folder(dir) => {
            read_host_folder(dir, None, &opts).map_err(|e| Problem::of_source(&e))?
        }
        HostSource::Files {
            host,
            files,
            software_expected,
        } => {
            for f in files {
                if !f.is_file() {
                    return Err(Problem::new(
                        ProblemKind::Open,
                        f.display().to_string(),
                        "no such file",
                    ));
                }
            }
            let fallback = files
                .first()
                .and_then(|f| f.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "host".into());
            let mut ev = read_evidence(host.as_deref(), &fallback, files, &opts);
            if *software_expected {
                expect_software(&mut ev);
            }
            if ev.used.is_empty() {
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                // Each problem names its file: once is enough.
                let problems: Vec<String> = ev
                    .problems
                    .iter()
                    .map(|p| match names.as_slice() {
                        [name] if p.file == *name && p.line.is_none() => p.message.clone(),
                        _ => p.to_string(),
                    })
                    .collect();
                return Err(Problem::new(
                    ProblemKind::Format,
                    names.join(", "),
                    problems.join("; "),
                ));
            }
            ev
        }
        HostSource::Image {
            path,
            host,
            progress,
        } => {
            let (facts, warnings) =
                crate::image::read_image(path, host.as_deref(), readers, progress.as_ref())?;
            return Ok(Read { facts, warnings });
        }
    };
    Ok(Read {
        facts: evidence.facts,
        warnings: evidence.problems.iter().map(Problem::reading).collect(),
    })
}

/// `--hive` reads a host's SOFTWARE hive: a SYSTEM hive given alone only
/// names the host, and the warning says which hive to give instead.
fn expect_software(ev: &mut HostEvidence) {
    if ev.used.iter().any(|(_, what)| *what == SOFTWARE_HIVE) {
        return;
    }
    for (file, what) in &ev.used {
        if *what == SYSTEM_HIVE {
            ev.problems.push(Note::file(
                file,
                "a SYSTEM hive, but --hive expects the host's SOFTWARE hive \
                 (C:\\Windows\\System32\\config\\SOFTWARE, with SOFTWARE.LOG1 and \
                 SOFTWARE.LOG2): only the computer name was read from it",
            ));
        }
    }
}

/// A short name for a host source, for messages.
pub fn describe(source: &HostSource) -> String {
    match source {
        HostSource::Folder(dir) => dir.display().to_string(),
        HostSource::Files { files, .. } => files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        HostSource::Image { path, .. } => path.display().to_string(),
    }
}
