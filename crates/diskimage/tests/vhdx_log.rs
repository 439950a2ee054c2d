//! A VHDX whose log was not applied (a machine stopped mid-update), made
//! by code: qemu-img's VHDX of one disk, with the blocks of another disk
//! appended and the BAT sectors pointing to them only in its log
//! (acsready-testkit's `vhdx_with_log`). Read with the log replayed in
//! memory it is the other disk, byte for byte, and the file is not
//! written; a damaged log is an error naming the image.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use acsready_diskimage::{open_disk, read_windows, Context, ImageError, Wanted};
use acsready_testkit::disk::{convert, ntfs_volume, raw_disk, skip_image_tests, Table};
use acsready_testkit::vhdx_log::{clear_log_guid, vhdx_with_log, LogPlan, Logged};
use acsready_testkit::{shared, temp_dir};

const SOFTWARE: &str = r"Windows\System32\config\SOFTWARE";

struct Fixture {
    dir: PathBuf,
    /// The raw disks: SOFTWARE as it is, and changed in two places.
    base: PathBuf,
    changed: PathBuf,
    changed_software: PathBuf,
    /// qemu-img's dynamic VHDX of `base`.
    vhdx: PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = temp_dir("diskimage-vhdx-log");
        let software = shared("testdata/hives/regipy__ntuser_software_partial");
        let mut bytes = std::fs::read(&software).expect("SOFTWARE");
        let n = bytes.len();
        for i in (8192..12288).chain(n - 4096..n) {
            bytes[i] ^= 0xA5;
        }
        let changed_software = dir.join("SOFTWARE-changed");
        std::fs::write(&changed_software, bytes).expect("write");
        let disk = |name: &str, file: &Path| {
            let volume = ntfs_volume(
                &dir.join(format!("{name}.img")),
                48 << 20,
                &[(SOFTWARE, file)],
            );
            raw_disk(&volume, Table::Mbr, &dir.join(format!("{name}.raw")))
        };
        let base = disk("base", &software);
        let changed = disk("changed", &changed_software);
        let vhdx = convert(
            &base,
            "vhdx",
            &["-o", "subformat=dynamic"],
            &dir.join("base.vhdx"),
        );
        Fixture {
            dir,
            base,
            changed,
            changed_software,
            vhdx,
        }
    })
}

fn logged(name: &str, plan: &LogPlan) -> Logged {
    let f = fixture();
    vhdx_with_log(&f.vhdx, &f.base, &f.changed, plan, &f.dir.join(name))
}

/// The whole virtual disk.
fn disk_bytes(image: &Path) -> Result<Vec<u8>, ImageError> {
    let mut disk = open_disk(image, &Context::new("the image"))?;
    let mut buf = vec![0u8; disk.size() as usize];
    disk.read_at(0, &mut buf)?;
    Ok(buf)
}

fn software(image: &Path) -> Result<Vec<u8>, ImageError> {
    let wanted = Wanted {
        files: vec![SOFTWARE.into()],
        folders: Vec::new(),
    };
    let mut read = read_windows(image, "the image", &wanted, &mut |_| {})?;
    Ok(read.volumes.remove(0).files.remove(0).bytes)
}

#[test]
fn an_unapplied_log_is_replayed_in_memory_and_the_file_is_left_as_it_was() {
    if skip_image_tests() {
        return;
    }
    let f = fixture();
    let want = std::fs::read(&f.changed).unwrap();
    let base = std::fs::read(&f.base).unwrap();
    let wrap = LogPlan {
        start_sector: 254,
        entries: 3,
        ..LogPlan::default()
    };
    for (name, plan) in [("logged.vhdx", LogPlan::default()), ("wrapped.vhdx", wrap)] {
        let l = logged(name, &plan);
        assert!(l.zeroes, "no zero descriptor was written");
        assert_eq!(l.log, (1 << 20, 1 << 20), "qemu-img's log");
        if plan.start_sector == 254 {
            // The sequence goes round the log's end: the second entry's
            // data sector is the log's first sector, the third follows.
            assert!(l.entries[2] < l.entries[0], "{:?}", l.entries);
        }
        let before = std::fs::read(&l.path).unwrap();
        let modified = std::fs::metadata(&l.path).unwrap().modified().unwrap();
        let got = disk_bytes(&l.path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            got == want,
            "{name}: the replayed disk differs from the changed disk"
        );
        assert_eq!(
            software(&l.path).unwrap(),
            std::fs::read(&f.changed_software).unwrap()
        );
        assert!(
            std::fs::read(&l.path).unwrap() == before,
            "{name} was written"
        );
        assert_eq!(
            std::fs::metadata(&l.path).unwrap().modified().unwrap(),
            modified
        );
        // Without the log, the same file is the disk before the update.
        let plain = clear_log_guid(&l.path, &f.dir.join(format!("plain-{name}")));
        assert!(
            disk_bytes(&plain).unwrap() == base,
            "{name} without its log"
        );
    }
}

fn error(image: &Path) -> String {
    let err = software(image).expect_err("a damaged log");
    assert_eq!(err.image(), "the image");
    err.to_string()
}

#[test]
fn a_damaged_log_is_an_error_naming_the_image_and_what_is_wrong() {
    if skip_image_tests() {
        return;
    }
    let f = fixture();
    let alone = LogPlan {
        stale: false,
        ..LogPlan::default()
    };
    // A damaged entry inside the sequence: later entries are newer than
    // what can be replayed.
    let three = logged(
        "middle.vhdx",
        &LogPlan {
            entries: 3,
            ..alone.clone()
        },
    );
    let middle = three.damaged(1, 200, &f.dir.join("middle-damaged.vhdx"));
    let text = error(&middle);
    assert!(
        text.starts_with("the image: damaged VHDX image: its log (LogGuid {"),
        "{text}"
    );
    assert!(text.contains("1048576 bytes at offset 1048576"), "{text}");
    assert!(
        text.contains("holds changes not yet written into the disk"),
        "{text}"
    );
    assert!(text.contains("entry 12 at log offset"), "{text}");
    assert!(text.contains("(entries 10 to 10)"), "{text}");

    // A gap in the sequence numbers.
    let gap = logged(
        "gap.vhdx",
        &LogPlan {
            gap_after: Some(0),
            ..alone.clone()
        },
    );
    let text = error(&gap.path);
    assert!(text.contains("entry 12 at log offset"), "{text}");

    // Its only entry with a wrong checksum: no valid sequence.
    let one = logged(
        "one.vhdx",
        &LogPlan {
            entries: 1,
            ..alone.clone()
        },
    );
    let bad_crc = one.damaged(0, 4, &f.dir.join("bad-crc.vhdx"));
    let text = error(&bad_crc);
    assert!(text.contains("no valid sequence of entries"), "{text}");

    // Cut below the size the log says the file had: truncated.
    let cut = f.dir.join("cut.vhdx");
    let whole = std::fs::read(&one.path).unwrap();
    std::fs::write(&cut, &whole[..whole.len() - (1 << 20)]).unwrap();
    let err = software(&cut).expect_err("truncated");
    assert!(
        matches!(err, ImageError::Truncated { needed, .. } if needed == whole.len() as u64),
        "{err}"
    );
}
