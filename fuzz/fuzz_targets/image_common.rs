//! What the disk image targets share: the bytes written to a file (the
//! image readers read files, as images are), read as a Windows machine's
//! disk. Reading either fails with an error naming the image or gives
//! the files found, never a panic, a hang or a huge allocation.
//!
//! The `ntfs` crate may panic on a damaged volume; acsready-diskimage
//! catches panics raised inside it and reports the volume as damaged. So
//! a panic located in `ntfs` is let through to that catch, and any other
//! panic still aborts the run.

use std::io::Write;
use std::sync::Once;

use acsready_diskimage::{read_windows, Wanted};

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_ntfs = info
                .location()
                .is_some_and(|l| l.file().contains("/ntfs-") || l.file().contains("\\ntfs-"));
            if !in_ntfs {
                abort(info);
                std::process::abort();
            }
        }));
    });
}

/// Reads `prefix` followed by `data` as an image.
pub fn read_image(prefix: &[u8], data: &[u8]) {
    install_hook();
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if file.write_all(prefix).and_then(|_| file.write_all(data)).is_err() {
        return;
    }
    let wanted = Wanted {
        files: vec![
            r"Windows\System32\config\SOFTWARE".into(),
            r"Windows\System32\config\SYSTEM".into(),
        ],
        folders: vec![r"Windows\System32\config".into()],
    };
    let shown = "fuzz.img";
    match read_windows(file.path(), shown, &wanted, &mut |_| {}) {
        Ok(read) => assert!(read.volumes.iter().all(|v| v.files.len() <= 2)),
        Err(e) => assert_eq!(e.image(), shown),
    }
}
