//! Where uploads are unpacked: one folder per upload, named
//! [`PREFIX`]`…`, under one parent folder that belongs to the server. A
//! server killed mid-upload leaves its folder behind; the next start removes
//! such leftovers, and nothing else.

use std::io;
use std::path::{Path, PathBuf};

/// The start of the name of every upload folder.
pub const PREFIX: &str = "acsready-upload-";

/// The file in the parent folder that the process using it holds locked.
const LOCK: &str = "acsready-uploads.lock";

/// The parent folder of the upload folders.
#[derive(Debug)]
pub struct Spool {
    parent: PathBuf,
    /// Held while the spool lives: another server started on the same
    /// folder leaves this one's uploads alone.
    _lock: std::fs::File,
}

impl Spool {
    /// Creates `parent` if needed and removes the upload folders left in it
    /// (directories whose name starts with [`PREFIX`]; files, links and
    /// other names are left alone), unless another process holds the
    /// folder. Answers the spool and how many leftovers were removed.
    pub fn open(parent: &Path) -> io::Result<(Spool, usize)> {
        std::fs::create_dir_all(parent)?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(parent.join(LOCK))?;
        let spool = Spool {
            parent: parent.to_path_buf(),
            _lock: lock,
        };
        match spool._lock.try_lock() {
            Ok(()) => {}
            // In use by another process: its uploads are not leftovers.
            Err(std::fs::TryLockError::WouldBlock) => return Ok((spool, 0)),
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
        let mut removed = 0;
        for entry in std::fs::read_dir(parent)? {
            let entry = entry?;
            let ours = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(PREFIX));
            // symlink_metadata: a link named like ours is not followed.
            if ours && std::fs::symlink_metadata(entry.path())?.is_dir() {
                std::fs::remove_dir_all(entry.path())?;
                removed += 1;
            }
        }
        Ok((spool, removed))
    }

    /// The parent folder.
    pub fn parent(&self) -> &Path {
        &self.parent
    }

    /// A new, empty upload folder; removed when the value is dropped.
    pub fn folder(&self) -> io::Result<tempfile::TempDir> {
        tempfile::Builder::new()
            .prefix(PREFIX)
            .tempdir_in(&self.parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path().join("uploads");
        let (spool, removed) = Spool::open(&parent).unwrap();
        assert_eq!(removed, 0);
        let live = spool.folder().unwrap();
        assert!(live.path().starts_with(&parent));
        let stale = parent.join(format!("{PREFIX}old"));
        std::fs::create_dir_all(stale.join("web01")).unwrap();
        std::fs::write(stale.join("web01/SOFTWARE"), b"regf").unwrap();
        let keep_file = parent.join(format!("{PREFIX}file"));
        std::fs::write(&keep_file, b"x").unwrap();
        let keep_dir = parent.join("other");
        std::fs::create_dir(&keep_dir).unwrap();
        let outside = dir.path().join(format!("{PREFIX}outside"));
        std::fs::create_dir(&outside).unwrap();
        // The folder is in use: nothing is removed.
        let (_, removed) = Spool::open(&parent).unwrap();
        assert_eq!(removed, 0);
        assert!(stale.is_dir() && live.path().is_dir());
        let live_path = live.path().to_path_buf();
        std::mem::forget(live); // as a killed server would
        drop(spool);
        let (_, removed) = Spool::open(&parent).unwrap();
        // The stale folder and the earlier live one (a new start owns none).
        assert_eq!(removed, 2);
        assert!(!live_path.exists());
        assert!(!stale.exists());
        assert!(keep_file.is_file() && keep_dir.is_dir() && outside.is_dir());
    }
}
