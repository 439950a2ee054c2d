//! A collector folder uploaded as a zip (the server's `POST
//! /api/v1/collected`): checked against its limits, unpacked into an upload
//! folder of the server's [`Spool`] (no path outside the folder, no links,
//! every entry counted as it is inflated) and read like `acsready assess
//! --collected` reads a host folder. Problems name files as in the upload
//! (`upload.zip:web01/SOFTWARE`), never the folder it was unpacked in.

mod spool;
mod unpack;

use std::fs::File;
use std::io::{self, BufReader, Cursor, Write};
use std::path::{Path, PathBuf};

use acsready_facts::HostFacts;
use acsready_sources::compressed::packing_of;
use acsready_sources::folder::read_evidence;
use acsready_sources::Note;

use crate::problem::Problem;
use crate::readers::Readers;

pub use spool::{Spool, PREFIX};
pub use unpack::{check, Checked};

/// The name of the uploaded zip in its upload folder, and in problems.
pub const ZIP_NAME: &str = "upload.zip";
/// The folder of an upload folder that the zip is unpacked into.
const UNPACKED: &str = "unpacked";

/// Limits of an uploaded zip.
#[derive(Debug, Clone, Copy)]
pub struct ZipLimits {
    pub max_entries: usize,
    /// Bytes of all entries together once unpacked.
    pub max_unpacked: u64,
    /// Bytes of one entry once unpacked.
    pub max_file: u64,
    /// Largest ratio of an entry's size to its compressed size…
    pub max_ratio: u64,
    /// …for entries larger than this (small files may compress well).
    pub ratio_floor: u64,
}

impl Default for ZipLimits {
    /// A SOFTWARE hive can be ~100 MB and compresses 3-10×; a zip bomb
    /// compresses about 1000×.
    fn default() -> Self {
        ZipLimits {
            max_entries: 1_000,
            max_unpacked: 256 << 20,
            max_file: 128 << 20,
            max_ratio: 100,
            ratio_floor: 1 << 20,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CollectedError {
    #[error("not a zip file: {0}")]
    Zip(String),
    #[error("the zip has more than {0} entries")]
    TooManyEntries(usize),
    #[error("the zip unpacks to more than {0} bytes")]
    TooLarge(u64),
    #[error("{ZIP_NAME}:{name}: unpacks to more than {limit} bytes")]
    FileTooLarge { name: String, limit: u64 },
    #[error("{ZIP_NAME}:{name}: unpacks to {ratio} times its compressed size (the limit is {limit} times)")]
    Ratio {
        name: String,
        ratio: u64,
        limit: u64,
    },
    #[error("{ZIP_NAME}:{name}: holds more than the {declared} bytes its header declares")]
    Overflow { name: String, declared: u64 },
    #[error("{ZIP_NAME}:{0}: the path leaves the folder")]
    UnsafePath(String),
    #[error("{ZIP_NAME}:{0}: a link; links are not accepted")]
    Link(String),
    #[error(
        "the zip holds no host folder: expected the files of one host, at its top or in one folder"
    )]
    Empty,
    #[error("{0}: no evidence file (hive, .reg, .evtx, .xml, facts JSON, wmic/systeminfo text, EasyFix log) among the uploaded files")]
    NoEvidence(String),
    #[error(
        "{0}: nothing names the host (no collector.txt computer=, SYSTEM hive ComputerName, \
         systeminfo Host Name or facts host); send ?host=NAME, or zip the host's folder named \
         after the host"
    )]
    NoHost(String),
    #[error("cannot unpack: {0}")]
    Io(#[from] io::Error),
    #[error("{0}")]
    Read(String),
}

impl CollectedError {
    /// The limit the zip exceeds (as [`ZipLimits`] names it), if any.
    pub fn limit(&self) -> Option<&'static str> {
        match self {
            CollectedError::TooManyEntries(_) => Some("max_entries"),
            CollectedError::TooLarge(_) => Some("max_unpacked"),
            CollectedError::FileTooLarge { .. } => Some("max_file"),
            CollectedError::Ratio { .. } => Some("max_ratio"),
            _ => None,
        }
    }
}

/// The facts of the host whose folder the zip holds, and what was skipped.
#[derive(Debug)]
pub struct Collected {
    pub facts: HostFacts,
    pub warnings: Vec<Problem>,
}

/// An uploaded zip (`upload.zip` in its upload folder) whose headers are
/// within the limits, not yet unpacked.
pub struct UploadedZip {
    checked: Checked<BufReader<File>>,
    folder: PathBuf,
}

impl UploadedZip {
    /// Opens `folder/upload.zip` and checks its headers against `limits`.
    pub fn open(folder: &Path, limits: &ZipLimits) -> Result<Self, CollectedError> {
        let file = File::open(folder.join(ZIP_NAME))?;
        Ok(UploadedZip {
            checked: check(BufReader::new(file), limits)?,
            folder: folder.to_path_buf(),
        })
    }

    /// The bytes the zip's entries declare, together.
    pub fn declared_size(&self) -> u64 {
        self.checked.declared()
    }

    /// Unpacks the zip beside it and reads the host folder in it. The host
    /// folder is the zip's only top-level folder (which names the host
    /// unless the evidence or `host` does), or the zip's top itself (then
    /// `host` or the evidence names the host, or nothing is read).
    pub fn read(self, host: Option<&str>, readers: &Readers) -> Result<Collected, CollectedError> {
        let root = self.folder.join(UNPACKED);
        std::fs::create_dir(&root)?;
        self.checked.unpack(&root)?;
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&root)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                dirs.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
        let (folder, fallback) = match (dirs.len(), files.len()) {
            (1, 0) => {
                let dir = dirs.remove(0);
                let name = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                files = std::fs::read_dir(&dir)?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect();
                (dir, name)
            }
            (_, 0) => return Err(CollectedError::Empty),
            // Top-level files: no folder name to fall back on.
            _ => (root.clone(), String::new()),
        };
        files.sort();
        let names = upload_names(&root, files.iter().chain([&folder]));
        let shown = |text: &str| shown_in_upload(text, &names);
        // A compressed file in the zip would unpack beyond the zip's limits
        // and the server's budget: skipped, with a warning.
        let (packed, files): (Vec<PathBuf>, Vec<PathBuf>) =
            files.into_iter().partition(|f| packing_of(f).is_some());
        let skipped = packed.iter().map(|f| {
            Note::file(
                shown(&f.display().to_string()),
                "a compressed file inside the uploaded zip is not unpacked by the server; \
                 put it in the zip as it is (the zip compresses it); skipped",
            )
        });
        let mut evidence = read_evidence(host, &fallback, &files, &readers.options());
        evidence.problems.splice(0..0, skipped);
        let place = shown(&folder.display().to_string());
        if evidence.used.is_empty() {
            return Err(CollectedError::NoEvidence(place));
        }
        let mut facts = evidence.facts;
        if facts.host.trim().is_empty() {
            return Err(CollectedError::NoHost(place));
        }
        facts.sources.values_mut().for_each(|s| *s = shown(s));
        for c in &mut facts.conflicts {
            c.values.iter_mut().for_each(|(_, s)| *s = shown(s));
        }
        facts
            .normalize()
            .map_err(|e| CollectedError::Read(format!("host {:?}: {e}", facts.host)))?;
        Ok(Collected {
            facts,
            warnings: evidence
                .problems
                .iter()
                .map(|note| {
                    let mut p = Problem::reading(note);
                    p.file = shown(&p.file);
                    p.message = shown(&p.message);
                    p
                })
                .collect(),
        })
    }
}

/// Unpacks a zip held in memory into a new temporary folder and reads it
/// as [`UploadedZip::read`] does.
pub fn read_collected(
    zip: &[u8],
    host: Option<&str>,
    limits: ZipLimits,
    readers: &Readers,
) -> Result<Collected, CollectedError> {
    let temp = tempfile::Builder::new().prefix(PREFIX).tempdir()?;
    std::fs::write(temp.path().join(ZIP_NAME), zip)?;
    UploadedZip::open(temp.path(), &limits)?.read(host, readers)
}

/// Checks a zip held in memory against `limits` and unpacks it under `root`.
pub fn unpack(zip: &[u8], root: &Path, limits: ZipLimits) -> Result<(), CollectedError> {
    check(Cursor::new(zip), &limits)?.unpack(root)
}

/// Each path of the unpacked zip (the longest first, then the unpacked
/// folder itself) and the name it is shown by in the upload:
/// `upload.zip:web01/SOFTWARE`, with `/` on every platform.
fn upload_names<'a>(
    root: &Path,
    paths: impl Iterator<Item = &'a PathBuf>,
) -> Vec<(String, String)> {
    let mut names: Vec<(String, String)> = paths
        .filter_map(|p| {
            let inside: Vec<String> = p
                .strip_prefix(root)
                .ok()?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let name = if inside.is_empty() {
                ZIP_NAME.to_string()
            } else {
                format!("{ZIP_NAME}:{}", inside.join("/"))
            };
            Some((p.display().to_string(), name))
        })
        .collect();
    names.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
    let root = root.display().to_string();
    names.push((
        format!("{root}{}", std::path::MAIN_SEPARATOR),
        format!("{ZIP_NAME}:"),
    ));
    names.push((root, ZIP_NAME.to_string()));
    names
}

/// `text` with every path of the unpacked zip in it shown as in the upload.
fn shown_in_upload(text: &str, names: &[(String, String)]) -> String {
    names.iter().fold(text.to_string(), |text, (path, name)| {
        if text.contains(path.as_str()) {
            text.replace(path.as_str(), name)
        } else {
            text
        }
    })
}

/// The files of one host folder (not its sub-folders) as a zip whose one
/// top folder has the host folder's name: what `acsready push` uploads and
/// [`read_collected`] reads.
pub fn zip_folder(dir: &Path) -> io::Result<Vec<u8>> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "host".into());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("{}: cannot read the folder: {e}", dir.display()),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for file in files {
        let Some(file_name) = file.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let bytes = std::fs::read(&file).map_err(|e| {
            io::Error::new(e.kind(), format!("{}: cannot read: {e}", file.display()))
        })?;
        zip.start_file(format!("{name}/{file_name}"), opts)
            .map_err(io::Error::other)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish().map_err(io::Error::other)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn paths_leaving_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["../evil.txt", "a/../../evil", "../../../../../../tmp/evil"] {
            let z = zip_of(&[(bad, b"x")]);
            let Err(err) = unpack(&z, dir.path(), ZipLimits::default()) else {
                panic!(
                    "{bad} was unpacked: {:?}",
                    std::fs::read_dir(dir.path())
                        .unwrap()
                        .map(|e| e.unwrap().path())
                        .collect::<Vec<_>>()
                );
            };
            assert!(matches!(err, CollectedError::UnsafePath(_)), "{bad}: {err}");
        }
        assert!(!dir.path().parent().unwrap().join("evil.txt").exists());
        // An absolute name stays inside the folder.
        let z = zip_of(&[("/etc/evil", b"x")]);
        unpack(&z, dir.path(), ZipLimits::default()).unwrap();
        assert!(dir.path().join("etc/evil").is_file());
    }

    #[test]
    fn headers_over_the_limits_are_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b'a'; 10_000];
        let z = zip_of(&[("h/a.txt", &big), ("h/b.txt", &big)]);
        let limits = ZipLimits {
            max_unpacked: 15_000,
            ..ZipLimits::default()
        };
        let err = unpack(&z, dir.path(), limits).unwrap_err();
        assert!(matches!(err, CollectedError::TooLarge(15_000)), "{err}");
        assert_eq!(err.limit(), Some("max_unpacked"));
        let limits = ZipLimits {
            max_file: 9_999,
            ..ZipLimits::default()
        };
        let err = unpack(&z, dir.path(), limits).unwrap_err();
        assert!(
            matches!(&err, CollectedError::FileTooLarge { name, limit: 9_999 } if name == "h/a.txt"),
            "{err}"
        );
        // 10,000 bytes of one letter deflate to a few dozen.
        let limits = ZipLimits {
            ratio_floor: 1_000,
            ..ZipLimits::default()
        };
        let err = unpack(&z, dir.path(), limits).unwrap_err();
        assert!(
            matches!(err, CollectedError::Ratio { limit: 100, .. }),
            "{err}"
        );
        let limits = ZipLimits {
            max_entries: 1,
            ..ZipLimits::default()
        };
        let err = unpack(&z, dir.path(), limits).unwrap_err();
        assert!(matches!(err, CollectedError::TooManyEntries(1)), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(matches!(
            unpack(b"not a zip", dir.path(), ZipLimits::default()),
            Err(CollectedError::Zip(_))
        ));
        // Within the limits, everything is unpacked.
        unpack(&z, dir.path(), ZipLimits::default()).unwrap();
        assert_eq!(std::fs::read(dir.path().join("h/b.txt")).unwrap(), big);
    }

    fn readers() -> Readers {
        Readers::new(&acsready_rules::Rules::embedded().unwrap())
    }

    #[test]
    fn a_folder_with_facts_json_is_read_as_that_host() {
        let readers = readers();
        let z = zip_of(&[(
            "web01/facts.json",
            br#"{"host":"web01","os":{"current_build":"17763.2183"}}"#,
        )]);
        let c = read_collected(&z, None, ZipLimits::default(), &readers).unwrap();
        assert_eq!(c.facts.host, "web01");
        assert_eq!(c.facts.build(), Some(17763));
        let err = read_collected(&zip_of(&[]), None, ZipLimits::default(), &readers).unwrap_err();
        assert!(matches!(err, CollectedError::Empty));
    }

    const REG: &[u8] = b"Windows Registry Editor Version 5.00\r\n\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n\
\"CurrentBuild\"=\"17763\"\r\n\"UBR\"=dword:00000887\r\n";

    #[test]
    fn files_at_the_top_are_named_by_their_evidence_or_refused() {
        let readers = readers();
        let limits = ZipLimits::default();
        let named = zip_of(&[
            ("software.reg", REG),
            ("facts.json", br#"{"host":"web07"}"#),
        ]);
        let c = read_collected(&named, None, limits, &readers).unwrap();
        assert_eq!(c.facts.host, "web07");
        let unnamed = zip_of(&[("software.reg", REG)]);
        let err = read_collected(&unnamed, None, limits, &readers).unwrap_err();
        assert!(
            matches!(&err, CollectedError::NoHost(at) if at == ZIP_NAME),
            "{err}"
        );
        let c = read_collected(&unnamed, Some("web08"), limits, &readers).unwrap();
        assert_eq!(c.facts.host, "web08");
        assert_eq!(c.facts.build(), Some(17763));
    }

    #[test]
    fn compressed_files_inside_the_zip_are_skipped_with_a_warning() {
        // A gzip header is enough: the file is skipped by its first bytes.
        let gz = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff";
        let z = zip_of(&[("web01/software.reg.gz", gz), ("web01/software.reg", REG)]);
        let c = read_collected(&z, None, ZipLimits::default(), &readers()).unwrap();
        assert_eq!(c.facts.build(), Some(17763));
        assert_eq!(c.warnings[0].file, "upload.zip:web01/software.reg.gz");
        assert!(
            c.warnings[0].message.contains("not unpacked"),
            "{:?}",
            c.warnings
        );
        assert!(!format!("{:?}", c.facts.sources).contains(".gz"));
    }

    #[test]
    fn problems_name_files_in_the_upload_never_the_folder_it_was_unpacked_in() {
        let readers = readers();
        let limits = ZipLimits::default();
        let z = zip_of(&[("web01/notes.bin", b"\x01\x02 not evidence")]);
        let err = read_collected(&z, None, limits, &readers)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("upload.zip:web01: no evidence"), "{err}");
        let z = zip_of(&[("web01/empty.txt", b""), ("web01/software.reg", REG)]);
        let c = read_collected(&z, None, limits, &readers).unwrap();
        assert_eq!(c.facts.host, "web01");
        assert_eq!(c.warnings[0].file, "upload.zip:web01/empty.txt");
        let texts = format!("{:?} {:?}", c.warnings, c.facts.sources);
        assert!(!texts.contains(PREFIX), "{texts}");
        assert!(texts.contains("upload.zip:web01/software.reg"), "{texts}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Any bytes, and any entry names in a real zip: an error or files
        /// inside the folder, never a panic and never a file outside.
        #[test]
        fn nothing_lands_outside_the_folder(
            junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            names in proptest::collection::vec("[a-z./\\\\]{1,12}", 1..5),
        ) {
            let outer = tempfile::tempdir().unwrap();
            let root = outer.path().join("root");
            std::fs::create_dir(&root).unwrap();
            let _ = unpack(&junk, &root, ZipLimits::default());
            let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for (name, data) in &entries {
                if w.start_file(*name, zip::write::SimpleFileOptions::default()).is_ok() {
                    w.write_all(data).unwrap();
                }
            }
            if let Ok(z) = w.finish() {
                let _ = unpack(&z.into_inner(), &root, ZipLimits::default());
            }
            let outside: Vec<_> = std::fs::read_dir(outer.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
            proptest::prop_assert_eq!(outside, vec![std::ffi::OsString::from("root")]);
        }
    }
}
