//! The inputs of a run as the user gave them: folders expanded into their
//! facts files, the kind of each file, and the problems met, on standard
//! error.

use std::fs::File;
use std::path::{Path, PathBuf};

use acsready_report::InputProblem;

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
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FACTS_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            files.push(path);
        }
    }
}

/// Input errors and warnings on standard error, one a line, naming the source.
pub(crate) fn report_problems(errors: &[InputProblem], warnings: &[InputProblem]) {
    for e in errors {
        eprintln!("acsready: {}: {}", e.source, e.message);
    }
    for w in warnings {
        eprintln!("acsready: warning: {}: {}", w.source, w.message);
    }
}

/// The kind of an input file, from its first bytes (facts when unreadable:
/// the streaming reader then reports the problem).
pub(crate) fn kind_of(path: &Path) -> InputKind {
    use std::io::Read as _;
    if path.as_os_str() == "-" {
        return InputKind::Facts;
    }
    let mut head = Vec::new();
    match File::open(path) {
        Ok(f) => {
            let _ = f.take(64 * 1024).read_to_end(&mut head);
            inputs::detect(&head)
        }
        Err(_) => InputKind::Facts,
    }
}
