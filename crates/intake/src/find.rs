//! Finding the inputs of a run: what the user gave (files, folders,
//! archives, standard input, `--collected` parents, `--hive`, `--evtx`)
//! sorted into facts files and hosts' evidence, recognised by content.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use acsready_sources::compressed::{self, Unpacked};
use acsready_sources::folder::{loose_file, LooseFile};
use acsready_sources::Note;

use crate::kind::InputKind;
use crate::open::expand;
use crate::problem::{Problem, ProblemKind};

/// The inputs of a run as the user gave them.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Files, folders, archives; "-" is standard input.
    pub inputs: Vec<PathBuf>,
    /// Folders with one sub-folder per host, as the collector writes them.
    pub collected: Vec<PathBuf>,
    /// Offline SOFTWARE hives of one host (with `evtx`).
    pub hive: Vec<PathBuf>,
    /// Application event logs of the same host as `hive`.
    pub evtx: Vec<PathBuf>,
    /// The name of the host of `hive` / `evtx` and of loose evidence files.
    pub host: Option<String>,
    /// Read every input as this kind instead of recognising it.
    pub kind: Option<InputKind>,
    /// Disk images of machines, or folders of them (`--image`).
    pub images: Vec<PathBuf>,
    /// Told how far the reading of each image is.
    pub image_progress: Option<crate::image::ImageProgress>,
}

impl Request {
    /// Whether no evidence option is given (`--collected`, `--hive`, `--evtx`).
    pub fn evidence_is_empty(&self) -> bool {
        self.collected.is_empty()
            && self.hive.is_empty()
            && self.evtx.is_empty()
            && self.images.is_empty()
    }

    /// Whether nothing at all is given.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty() && self.evidence_is_empty()
    }
}

/// The inputs found: facts files (and other inputs recognised by content)
/// and the hosts' evidence.
#[derive(Default)]
pub(crate) struct Found {
    /// Files to read by their kind, in the order given (folders expanded).
    pub files: Vec<PathBuf>,
    pub collected: Vec<PathBuf>,
    /// Host folders given as inputs.
    pub host_folders: Vec<PathBuf>,
    /// Evidence files given as inputs: each is one host.
    pub loose: Vec<PathBuf>,
    pub hive: Vec<PathBuf>,
    pub evtx: Vec<PathBuf>,
    pub host: Option<String>,
    /// Archives unpacked for the run (their paths are shown as the
    /// archives' names).
    pub unpacked: Vec<Arc<Unpacked>>,
    /// Disk images, each one host.
    pub images: Vec<PathBuf>,
    pub image_progress: Option<crate::image::ImageProgress>,
}

impl Found {
    /// Whether there is evidence of hosts (anything but facts files).
    pub fn has_evidence(&self) -> bool {
        !(self.collected.is_empty()
            && self.host_folders.is_empty()
            && self.loose.is_empty()
            && self.hive.is_empty()
            && self.evtx.is_empty()
            && self.images.is_empty())
    }
}

/// Sorts the inputs of `request`: collector output is recognised by
/// content (a host folder, a folder of host folders, an evidence file), an
/// archive is read as the folder it holds, other folders are expanded into
/// their facts files. An archive that cannot be unpacked is an error.
pub(crate) fn find(request: &Request, errors: &mut Vec<Problem>) -> Found {
    let mut found = Found {
        collected: request.collected.clone(),
        hive: request.hive.clone(),
        evtx: request.evtx.clone(),
        host: request.host.clone(),
        images: crate::image::image_files(&request.images, errors),
        image_progress: request.image_progress.clone(),
        ..Found::default()
    };
    let rest = claim_collector_folders(&request.inputs, &mut found, errors);
    found.files = expand(&rest, errors);
    found
}

/// Whether `dir` is one host's folder: the collector writes `collector.txt`
/// in it; evidence copied by hand is recognised by a file at its top that
/// only one host's evidence is (a hive, an event log, a `.reg` export,
/// `reg query` output, wevtutil XML; text that merely looks like
/// systeminfo output does not make a folder a host).
fn is_host_folder(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .collect();
    files.iter().any(|f| {
        f.file_name()
            .is_some_and(|n| n.eq_ignore_ascii_case("collector.txt"))
    }) || files
        .iter()
        .any(|f| matches!(loose_file(f), Some(LooseFile::Evidence(what)) if !WEAK_EVIDENCE.contains(&what)))
}

/// Evidence recognised from loose text, too weak to make a folder a host.
const WEAK_EVIDENCE: [&str; 2] = ["wmic qfe / systeminfo", "EasyFix log"];

/// Positional inputs that are collector output, recognised by content: a
/// host folder is read as one host, a folder of host folders as
/// `--collected`, an evidence file as one host. An archive (`.zip`, `.7z`)
/// is read as the folder it holds, and so is an archive given to
/// `--collected`. The other inputs are returned.
fn claim_collector_folders(
    inputs: &[PathBuf],
    found: &mut Found,
    errors: &mut Vec<Problem>,
) -> Vec<PathBuf> {
    let mut rest = Vec::new();
    for input in inputs {
        let Some(dir) = unpacked_folder(input, found, errors) else {
            continue;
        };
        if dir.as_os_str() == "-" {
            rest.push(dir);
        } else if !dir.is_dir() {
            match loose_file(&dir) {
                Some(LooseFile::Evidence(_)) => found.loose.push(dir),
                // Read with its hive when that is given too.
                Some(LooseFile::TransactionLog) if hive_given(&dir, inputs) => {}
                Some(LooseFile::TransactionLog) => found.loose.push(dir),
                None => rest.push(dir),
            }
        } else if is_host_folder(&dir) {
            found.host_folders.push(dir);
        } else if std::fs::read_dir(&dir).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.path().is_dir() && is_host_folder(&e.path()))
        }) {
            found.collected.push(dir);
        } else {
            rest.push(dir);
        }
    }
    let collected = std::mem::take(&mut found.collected);
    for dir in collected {
        if let Some(dir) = unpacked_folder(&dir, found, errors) {
            found.collected.push(dir);
        }
    }
    rest
}

/// Whether the hive of a transaction log (`SYSTEM.LOG1` → `SYSTEM`, also
/// compressed) is among the inputs.
fn hive_given(log: &Path, inputs: &[PathBuf]) -> bool {
    let stem = |p: &Path| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let name = name
            .strip_suffix(".xz")
            .or_else(|| name.strip_suffix(".gz"))
            .unwrap_or(&name)
            .to_string();
        (p.parent().map(Path::to_path_buf), name)
    };
    let (dir, name) = stem(log);
    let hive = name
        .strip_suffix(".log1")
        .or_else(|| name.strip_suffix(".log2"))
        .unwrap_or(&name)
        .to_string();
    inputs
        .iter()
        .any(|i| stem(i) == (dir.clone(), hive.clone()))
}

/// The folder an archive holds (unpacked, kept in `evidence`), or the input
/// itself when it is no archive; `None` when it cannot be unpacked.
fn unpacked_folder(input: &Path, found: &mut Found, errors: &mut Vec<Problem>) -> Option<PathBuf> {
    if input.as_os_str() == "-" || !input.is_file() {
        return Some(input.to_path_buf());
    }
    if !compressed::packing_of(input).is_some_and(compressed::Packing::is_archive) {
        return Some(input.to_path_buf());
    }
    match compressed::unpack(input, compressed::Limits::default()) {
        Ok(Some(u)) => {
            let root = u.root.clone();
            found.unpacked.push(Arc::new(u));
            Some(root)
        }
        Ok(None) => Some(input.to_path_buf()),
        Err(e) => {
            errors.push(Problem::from_note(ProblemKind::Archive, &Note::from(&e)));
            None
        }
    }
}
