//! A collector folder uploaded as a zip (the server's `POST
//! /api/v1/collected`): unpacked into a temporary folder (entry count and
//! size capped, no path outside the folder, no links) and read like
//! `acsready assess --collected` reads a host folder.

use std::io::{self, Cursor, Read, Write};
use std::path::{Component, Path, PathBuf};

use acsready_facts::HostFacts;
use acsready_sources::folder::read_host_folder;

use crate::problem::Problem;
use crate::readers::Readers;

/// Limits of an uploaded zip.
#[derive(Debug, Clone, Copy)]
pub struct ZipLimits {
    pub max_entries: usize,
    /// Bytes of all entries together once unpacked.
    pub max_unpacked: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_entries: 1_000,
            max_unpacked: 1 << 30,
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
    #[error("zip entry {0:?}: its path leaves the folder or is absolute")]
    UnsafePath(String),
    #[error("zip entry {0:?} is a link; links are not accepted")]
    Link(String),
    #[error(
        "the zip holds no host folder: expected the files of one host, at its top or in one folder"
    )]
    Empty,
    #[error("cannot unpack: {0}")]
    Io(#[from] io::Error),
    #[error("{0}")]
    Read(String),
}

/// The facts of the host whose folder the zip holds, and what was skipped.
#[derive(Debug)]
pub struct Collected {
    pub facts: HostFacts,
    pub warnings: Vec<Problem>,
}

/// Unpacks `zip` and reads the host folder in it. The host folder is the
/// zip's only top-level folder, or the zip's top itself (then `host` or the
/// collection names the host).
pub fn read_collected(
    zip: &[u8],
    host: Option<&str>,
    limits: ZipLimits,
    readers: &Readers,
) -> Result<Collected, CollectedError> {
    let temp = tempfile::tempdir()?;
    let root = temp.path().join("upload");
    std::fs::create_dir(&root)?;
    unpack(zip, &root, limits)?;
    let mut dirs = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&root)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            dirs.push(entry.path());
        } else {
            files += 1;
        }
    }
    let folder = match (dirs.len(), files) {
        (1, 0) => dirs.remove(0),
        (_, 0) => return Err(CollectedError::Empty),
        _ => root.clone(),
    };
    let evidence = read_host_folder(&folder, host, &readers.options())
        .map_err(|e| CollectedError::Read(strip_temp(&e.to_string(), temp.path())))?;
    let mut facts = evidence.facts;
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
                p.file = strip_temp(&p.file, temp.path());
                p.message = strip_temp(&p.message, temp.path());
                p
            })
            .collect(),
    })
}

/// Messages name files relative to the upload, not the temporary folder.
fn strip_temp(message: &str, temp: &Path) -> String {
    let prefix = format!(
        "{}{}",
        temp.join("upload").display(),
        std::path::MAIN_SEPARATOR
    );
    message.replace(&prefix, "")
}

/// Unpacks every entry under `root`, refusing unsafe paths and links and
/// stopping at the limits (counted on the bytes written, not the headers).
pub fn unpack(zip: &[u8], root: &Path, limits: ZipLimits) -> Result<(), CollectedError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(zip)).map_err(|e| CollectedError::Zip(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(CollectedError::TooManyEntries(limits.max_entries));
    }
    let mut budget = limits.max_unpacked;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| CollectedError::Zip(e.to_string()))?;
        let name = entry
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("#{i}"));
        if entry.is_symlink() {
            return Err(CollectedError::Link(name));
        }
        let relative = entry
            .enclosed_name()
            .filter(|p| p.components().all(|c| matches!(c, Component::Normal(_))))
            .ok_or_else(|| CollectedError::UnsafePath(name.clone()))?;
        let target = root.join(relative);
        if entry.is_dir() {
            std::fs::create_dir_all(&target)?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = std::fs::File::create(&target)?;
        let written = io::copy(&mut (&mut entry).take(budget + 1), &mut out)?;
        if written > budget {
            return Err(CollectedError::TooLarge(limits.max_unpacked));
        }
        budget -= written;
    }
    Ok(())
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
    fn limits_hold_on_what_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b'a'; 10_000];
        let z = zip_of(&[("h/a.txt", &big), ("h/b.txt", &big)]);
        let limits = ZipLimits {
            max_entries: 10,
            max_unpacked: 15_000,
        };
        assert!(matches!(
            unpack(&z, dir.path(), limits),
            Err(CollectedError::TooLarge(15_000))
        ));
        let limits = ZipLimits {
            max_entries: 1,
            max_unpacked: 1 << 20,
        };
        assert!(matches!(
            unpack(&z, dir.path(), limits),
            Err(CollectedError::TooManyEntries(1))
        ));
        assert!(matches!(
            unpack(b"not a zip", dir.path(), ZipLimits::default()),
            Err(CollectedError::Zip(_))
        ));
    }

    #[test]
    fn a_folder_with_facts_json_is_read_as_that_host() {
        let rules = acsready_rules::Rules::embedded().unwrap();
        let readers = Readers::new(&rules);
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
