//! Opening inputs: folders expanded into their facts files, files and
//! standard input unpacked as they are read (`.gz`, `.xz`), and the kind of
//! each recognised from its first bytes.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use acsready_sources::compressed::{self, Limits, Packing};

use crate::kind::{detect, InputKind};
use crate::problem::{Problem, ProblemKind};

/// Extensions of facts files inside a folder given as input.
const FACTS_EXTENSIONS: [&str; 4] = ["json", "ndjson", "jsonl", "csv"];

/// Expands folders into their facts files (sorted, recursive). A folder that
/// cannot be read is reported and the others are still expanded.
pub(crate) fn expand(inputs: &[PathBuf], errors: &mut Vec<Problem>) -> Vec<PathBuf> {
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

/// The entries of folder `dir`, sorted; a problem, and none, when it
/// cannot be read.
pub(crate) fn sorted_entries(dir: &Path, errors: &mut Vec<Problem>) -> Option<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(Problem::new(
                ProblemKind::Folder,
                dir.display().to_string(),
                format!("cannot read the folder: {e}"),
            ));
            return None;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Some(paths)
}

fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Problem>) {
    let Some(paths) = sorted_entries(dir, errors) else {
        return;
    };
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

/// How the user named an input, for messages ("-" is standard input).
pub(crate) fn input_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

/// The kind of an input file, from its first bytes (unpacked when it is
/// compressed; facts when unreadable: the streaming reader then reports the
/// problem).
pub fn kind_of(path: &Path) -> InputKind {
    if path.as_os_str() == "-" {
        return InputKind::Facts;
    }
    let mut head = Vec::new();
    match open_input(path) {
        Ok(r) => {
            let _ = r.take(64 * 1024).read_to_end(&mut head);
            detect(&head)
        }
        Err(_) => InputKind::Facts,
    }
}

/// Opens an input file ("-": standard input) for reading, unpacked as it
/// is read when it is `.gz` or `.xz`.
pub fn open_input(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    if path.as_os_str() == "-" {
        return unpacking(io::stdin(), "standard input");
    }
    unpacking(File::open(path)?, &path.display().to_string())
}

/// A stream unpacked as it is read when it starts as `.gz` or `.xz` does;
/// an archive or a format acsready does not unpack is an error naming it.
pub fn unpacking<'a, R: Read + Send + 'a>(
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
