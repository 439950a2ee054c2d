//! The inputs of a run as the user gave them: folders expanded into their
//! facts files, the kind of each file, and the problems met, on standard
//! error.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use acsready_report::InputProblem;
use acsready_sources::compressed::{self, Limits, Packing};
use acsready_sources::{record_host, SourceError, Unit};

use crate::evidence_args::EvidenceArgs;

use crate::inputs::{self, InputKind};

/// Extensions of facts files inside a folder given as input.
const FACTS_EXTENSIONS: [&str; 4] = ["json", "ndjson", "jsonl", "csv"];

/// Expands folders into their facts files (sorted, recursive). A folder that
/// cannot be read is reported and the others are still expanded.
pub(crate) fn expand(inputs: &[PathBuf], errors: &mut Vec<InputProblem>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for input in inputs {
        if input.as_os_str() != "-" && input.is_dir() {
            collect_dir(input, &mut files, errors);
        } else {
            files.push(input.clone());
        }
    }
    files
}

fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<InputProblem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(InputProblem {
                host: None,
                source: dir.display().to_string(),
                message: format!("cannot read the folder: {e}"),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_dir(&path, files, errors);
        } else if is_facts_file(&path) {
            files.push(path);
        }
    }
}

/// Whether a file in a folder is a facts file by its name, compressed
/// (`fleet.ndjson.gz`, `hosts.json.xz`) or not.
fn is_facts_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".xz"))
        .unwrap_or(&name);
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| FACTS_EXTENSIONS.contains(&e))
}

/// Input errors and warnings on standard error, one a line, naming the
/// source (and the host, when known).
pub(crate) fn report_problems(errors: &[InputProblem], warnings: &[InputProblem]) {
    for e in errors {
        eprintln!("acsready: {}", e.line("host"));
    }
    for w in warnings {
        eprintln!("acsready: warning: {}", w.line("host"));
    }
}

/// A reading error as a problem of its file (and line).
pub(crate) fn source_problem(e: &SourceError) -> InputProblem {
    match e {
        SourceError::Io { file, source } => InputProblem::new(file, source.to_string()),
        SourceError::Record {
            file,
            line,
            column,
            message,
        } => InputProblem::new(format!("{file}:{line}:{column}"), message),
        SourceError::Format { file, message } => InputProblem::new(file, message),
    }
}

/// A record that is not valid host facts, naming the host it names.
pub(crate) fn record_problem(unit: &Unit, e: &SourceError) -> InputProblem {
    source_problem(e).about(record_host(&unit.text))
}

/// How the user named an input, for messages ("-" is standard input).
fn input_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

/// The error of a run that read no host at all: a scheduled job must not
/// take an empty folder or an empty pipe for a ready fleet.
pub(crate) fn no_hosts(inputs: &[PathBuf], evidence: &EvidenceArgs) -> InputProblem {
    let mut names: Vec<String> = inputs.iter().map(|p| input_name(p)).collect();
    names.extend(
        [
            &evidence.collected,
            &evidence.host_folders,
            &evidence.loose,
            &evidence.hive,
            &evidence.evtx,
        ]
        .into_iter()
        .flatten()
        .map(|p| input_name(p)),
    );
    if names.is_empty() {
        names.push("standard input".into());
    }
    InputProblem::new("", format!("no hosts read from {}", names.join(", ")))
}

/// The kind of an input file, from its first bytes (unpacked when it is
/// compressed; facts when unreadable: the streaming reader then reports the
/// problem).
pub(crate) fn kind_of(path: &Path) -> InputKind {
    if path.as_os_str() == "-" {
        return InputKind::Facts;
    }
    let mut head = Vec::new();
    match open_input(path) {
        Ok(r) => {
            let _ = r.take(64 * 1024).read_to_end(&mut head);
            inputs::detect(&head)
        }
        Err(_) => InputKind::Facts,
    }
}

/// Opens an input file ("-": standard input) for reading, unpacked as it
/// is read when it is `.gz` or `.xz`.
pub(crate) fn open_input(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    if path.as_os_str() == "-" {
        return unpacking(io::stdin(), "standard input");
    }
    unpacking(File::open(path)?, &path.display().to_string())
}

/// A stream unpacked as it is read when it starts as `.gz` or `.xz` does;
/// an archive or a format acsready does not unpack is an error naming it.
pub(crate) fn unpacking<'a, R: Read + Send + 'a>(
    mut reader: R,
    name: &str,
) -> io::Result<Box<dyn Read + Send + 'a>> {
    let mut head = Vec::with_capacity(8);
    while head.len() < 8 {
        let mut byte = [0u8; 8];
        let want = 8 - head.len();
        match reader.read(&mut byte[..want]) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&byte[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    if let Some(format) = compressed::unsupported_packing(&head) {
        return Err(io::Error::other(compressed::unsupported_message(format)));
    }
    let whole = io::Cursor::new(head.clone()).chain(reader);
    match compressed::packing(&head) {
        None => Ok(Box::new(whole)),
        Some(p @ (Packing::Gzip | Packing::Xz)) => {
            Ok(compressed::single_reader(whole, p, Limits::default()))
        }
        Some(p) if name == "standard input" => Err(io::Error::other(format!(
            "a {} archive on standard input: save it to a file and give the file",
            p.name()
        ))),
        Some(p) => Err(io::Error::other(format!(
            "a {} archive here: give it as an input of its own (it is read as the folder it holds)",
            p.name()
        ))),
    }
}
