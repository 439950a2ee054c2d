//! Evidence from Windows hosts (`--collected`, `--hive`, `--evtx`): which
//! hosts there are, and reading each into merged facts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use acsready_facts::HostFacts;
use acsready_report::InputProblem;
pub use acsready_server::Readers;
use acsready_sources::compressed;
use acsready_sources::folder::{
    loose_file, read_evidence, read_host_folder, HostEvidence, LooseFile, SOFTWARE_HIVE,
    SYSTEM_HIVE,
};

use crate::evidence_args::EvidenceArgs;

/// One host to read: a collector folder, or files given on the command line.
pub enum HostSource {
    Folder(PathBuf),
    Files {
        host: Option<String>,
        files: Vec<PathBuf>,
        /// Given with --hive: the host's SOFTWARE hive is expected.
        software_expected: bool,
    },
}

/// A host's facts, and the problems met reading them (not fatal).
pub struct Read {
    pub facts: HostFacts,
    pub warnings: Vec<InputProblem>,
}

/// Whether `dir` is one host's folder as the collector writes it (it holds
/// `collector.txt`).
fn is_host_folder(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            e.file_name().eq_ignore_ascii_case("collector.txt")
                && e.file_type().is_ok_and(|t| t.is_file())
        })
    })
}

/// Positional inputs that are collector output, recognised by content: a
/// host folder (it holds `collector.txt`) is read as one host, a folder of
/// such host folders as `--collected`. An archive (`.zip`, `.7z`) is read as
/// the folder it holds, and so is an archive given to `--collected`. The
/// other inputs are returned; an archive that cannot be unpacked is an error.
pub fn claim_collector_folders(
    inputs: &[PathBuf],
    evidence: &mut EvidenceArgs,
    errors: &mut Vec<InputProblem>,
) -> Vec<PathBuf> {
    let mut rest = Vec::new();
    for input in inputs {
        let Some(dir) = unpacked_folder(input, evidence, errors) else {
            continue;
        };
        if dir.as_os_str() == "-" {
            rest.push(dir);
        } else if !dir.is_dir() {
            match loose_file(&dir) {
                Some(LooseFile::Evidence(_)) => evidence.loose.push(dir),
                // Read with its hive when that is given too.
                Some(LooseFile::TransactionLog) if hive_given(&dir, inputs) => {}
                Some(LooseFile::TransactionLog) => evidence.loose.push(dir),
                None => rest.push(dir),
            }
        } else if is_host_folder(&dir) {
            evidence.host_folders.push(dir);
        } else if std::fs::read_dir(&dir).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.path().is_dir() && is_host_folder(&e.path()))
        }) {
            evidence.collected.push(dir);
        } else {
            rest.push(dir);
        }
    }
    let collected = std::mem::take(&mut evidence.collected);
    for dir in collected {
        if let Some(dir) = unpacked_folder(&dir, evidence, errors) {
            evidence.collected.push(dir);
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
fn unpacked_folder(
    input: &Path,
    evidence: &mut EvidenceArgs,
    errors: &mut Vec<InputProblem>,
) -> Option<PathBuf> {
    if input.as_os_str() == "-" || !input.is_file() {
        return Some(input.to_path_buf());
    }
    if !compressed::packing_of(input).is_some_and(compressed::Packing::is_archive) {
        return Some(input.to_path_buf());
    }
    match compressed::unpack(input, compressed::Limits::default()) {
        Ok(Some(u)) => {
            let root = u.root.clone();
            evidence.unpacked.push(Arc::new(u));
            Some(root)
        }
        Ok(None) => Some(input.to_path_buf()),
        Err(e) => {
            errors.push(InputProblem::from_message(&e.to_string()));
            None
        }
    }
}

/// `text` with the paths inside unpacked archives shown by the archives'
/// names (`share.zip/WEB01/SOFTWARE`).
pub fn shown(evidence: &EvidenceArgs, text: &str) -> String {
    evidence
        .unpacked
        .iter()
        .fold(text.to_string(), |t, u| u.shown(&t))
}

/// The hosts of the evidence arguments, in order. A `--collected` folder that
/// cannot be listed is an error; its unfinished sub-folders (`.tmp`, `.old`
/// as the collector leaves them while swapping) are skipped.
pub fn hosts(args: &EvidenceArgs, errors: &mut Vec<InputProblem>) -> Vec<HostSource> {
    let mut hosts = Vec::new();
    for dir in &args.collected {
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
                    errors.push(InputProblem::new(
                        dir.display().to_string(),
                        "no host folder in it (expected one sub-folder per host, as acsready-collect.cmd writes)",
                    ));
                }
                hosts.extend(folders.into_iter().map(HostSource::Folder));
            }
            Err(e) => errors.push(InputProblem {
                host: None,
                source: dir.display().to_string(),
                message: format!("cannot read the folder: {e}"),
            }),
        }
    }
    hosts.extend(args.host_folders.iter().cloned().map(HostSource::Folder));
    hosts.extend(args.loose.iter().map(|file| HostSource::Files {
        host: args.host.clone(),
        files: vec![file.clone()],
        software_expected: false,
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

fn warn(text: String) -> InputProblem {
    InputProblem::from_message(&text)
}

/// The host a source is about, as far as its name tells: a host folder's
/// name, or `--host`.
fn host_of(source: &HostSource) -> Option<String> {
    match source {
        HostSource::Folder(dir) => dir.file_name().map(|n| n.to_string_lossy().into_owned()),
        HostSource::Files { host, .. } => host.clone(),
    }
}

/// Reads one host; an error names the host when its source does.
pub fn read(source: &HostSource, readers: &Readers) -> Result<Read, InputProblem> {
    read_source(source, readers).map_err(|p| {
        let host = p.host.clone().or_else(|| host_of(source));
        p.about(host)
    })
}

fn read_source(source: &HostSource, readers: &Readers) -> Result<Read, InputProblem> {
    let opts = readers.options();
    let evidence = match source {
        HostSource::Folder(dir) => {
            read_host_folder(dir, None, &opts).map_err(|e| warn(e.to_string()))?
        }
        HostSource::Files {
            host,
            files,
            software_expected,
        } => {
            for f in files {
                if !f.is_file() {
                    return Err(InputProblem {
                        host: None,
                        source: f.display().to_string(),
                        message: "no such file".into(),
                    });
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
                let problems: Vec<&str> = ev
                    .problems
                    .iter()
                    .map(|p| {
                        names
                            .iter()
                            .find_map(|n| p.strip_prefix(n.as_str())?.strip_prefix(": "))
                            .filter(|_| names.len() == 1)
                            .unwrap_or(p)
                    })
                    .collect();
                return Err(InputProblem::new(names.join(", "), problems.join("; ")));
            }
            ev
        }
    };
    Ok(Read {
        facts: evidence.facts,
        warnings: evidence.problems.into_iter().map(warn).collect(),
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
            ev.problems.push(format!(
                "{file}: a SYSTEM hive, but --hive expects the host's SOFTWARE hive \
                 (C:\\Windows\\System32\\config\\SOFTWARE, with SOFTWARE.LOG1 and \
                 SOFTWARE.LOG2): only the computer name was read from it"
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
    }
}
