//! Every container and partition table, made by code (mkntfs, ntfscp,
//! qemu-img, the tables written in acsready-testkit), gives back the very
//! bytes of the files put on its Windows volume, and reads only a small
//! part of the image.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use acsready_diskimage::{read_windows, ImageError, ImageRead, Wanted};
use acsready_testkit::disk::{
    child_image, convert, ntfs_volume, raw_disk, skip_image_tests, Table,
};
use acsready_testkit::vhd_child::vhd_child;
use acsready_testkit::vhdx_child::vhdx_child;
use acsready_testkit::{shared, temp_dir, unxz};

const SOFTWARE: &str = r"Windows\System32\config\SOFTWARE";
const SYSTEM: &str = r"Windows\System32\config\SYSTEM";
const LOG1: &str = r"Windows\System32\config\SYSTEM.LOG1";
const LOG2: &str = r"Windows\System32\config\SYSTEM.LOG2";
const APPLICATION: &str = r"Windows\System32\winevt\Logs\Application.evtx";

/// The files of the test volume: (path on it, file); and a copy of the
/// volume whose SOFTWARE was changed (`changed_files`).
struct Fixture {
    dir: PathBuf,
    files: Vec<(&'static str, PathBuf)>,
    volume: PathBuf,
    changed_files: Vec<(&'static str, PathBuf)>,
    changed: PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = temp_dir("diskimage-formats");
        let system = unxz("testdata/real/hives/regipy__SYSTEM_B.xz", &dir, "SYSTEM");
        let log1 = unxz(
            "testdata/real/hives/regipy__SYSTEM_B.LOG1.xz",
            &dir,
            "SYSTEM.LOG1",
        );
        let log2 = unxz(
            "testdata/real/hives/regipy__SYSTEM_B.LOG2.xz",
            &dir,
            "SYSTEM.LOG2",
        );
        let files = vec![
            (
                SOFTWARE,
                shared("testdata/hives/regipy__ntuser_software_partial"),
            ),
            (SYSTEM, system),
            (LOG1, log1),
            (LOG2, log2),
            (
                APPLICATION,
                shared("testdata/real/evtx/dfirmuseum__RathbunVM_W10EventLogs__Application.evtx"),
            ),
        ];
        let refs: Vec<(&str, &Path)> = files.iter().map(|(p, f)| (*p, f.as_path())).collect();
        let volume = ntfs_volume(&dir.join("volume.img"), 48 << 20, &refs);
        // The same files, SOFTWARE changed in its second and last 4 KiB.
        let mut software = std::fs::read(&files[0].1).expect("SOFTWARE");
        let n = software.len();
        for i in (4096..8192).chain(n - 4096..n) {
            software[i] ^= 0x5A;
        }
        let changed_software = dir.join("SOFTWARE-changed");
        std::fs::write(&changed_software, software).expect("write");
        let mut changed_files = files.clone();
        changed_files[0].1 = changed_software;
        let refs: Vec<(&str, &Path)> = changed_files
            .iter()
            .map(|(p, f)| (*p, f.as_path()))
            .collect();
        let changed = ntfs_volume(&dir.join("changed.img"), 48 << 20, &refs);
        Fixture {
            dir,
            files,
            volume,
            changed_files,
            changed,
        }
    })
}

fn wanted() -> Wanted {
    Wanted {
        files: [
            SOFTWARE,
            SYSTEM,
            LOG1,
            LOG2,
            APPLICATION,
            r"Windows\System32\winevt\Logs\System.evtx",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        folders: vec![r"Windows\System32\config".into()],
    }
}

fn read(image: &Path) -> Result<ImageRead, ImageError> {
    read_windows(image, &image.display().to_string(), &wanted(), &mut |_| {})
}

/// The image gives back every file's bytes, lists the folder, and reads
/// far less than the image.
fn check(image: &Path, format: &str) {
    check_files(image, format, &fixture().files);
}

fn check_files(image: &Path, format: &str, files: &[(&'static str, PathBuf)]) {
    let f = fixture();
    let read = read(image).unwrap_or_else(|e| panic!("{}: {e}", image.display()));
    assert_eq!(read.format, format, "{}", image.display());
    assert_eq!(read.volumes.len(), 1);
    let volume = &read.volumes[0];
    let got: Vec<&str> = volume.files.iter().map(|f| f.path.as_str()).collect();
    // System.evtx is not on the volume: it is left out, not an error.
    assert_eq!(got, [SOFTWARE, SYSTEM, LOG1, LOG2, APPLICATION]);
    for ((path, source), file) in files.iter().zip(&volume.files) {
        let want = std::fs::read(source).expect("source");
        assert_eq!(&file.path, path);
        assert!(
            file.bytes == want,
            "{}: {path} differs ({} bytes, want {})",
            image.display(),
            file.bytes.len(),
            want.len()
        );
    }
    let (folder, listed) = &volume.folders[0];
    assert_eq!(folder, r"Windows\System32\config");
    assert!(
        listed
            .iter()
            .any(|p| p == r"Windows\System32\config\SYSTEM.LOG1"),
        "{listed:?}"
    );
    let files_len: u64 = f
        .files
        .iter()
        .map(|(_, p)| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(
        read.bytes_read < files_len + (4 << 20),
        "{}: {} bytes read for {files_len} bytes of files",
        image.display(),
        read.bytes_read
    );
}

fn raw(table: Table) -> PathBuf {
    let f = fixture();
    let out = f.dir.join(format!("disk-{table:?}.raw"));
    if !out.exists() {
        raw_disk(&f.volume, table, &out);
    }
    out
}

/// The raw disk of the changed volume, partitioned as `raw(Table::Mbr)`.
fn raw_changed() -> PathBuf {
    let f = fixture();
    let out = f.dir.join("changed-Mbr.raw");
    if !out.exists() {
        raw_disk(&f.changed, Table::Mbr, &out);
    }
    out
}

#[test]
fn raw_images_with_mbr_with_gpt_and_of_a_volume() {
    if skip_image_tests() {
        return;
    }
    check(&raw(Table::Mbr), "raw");
    check(&raw(Table::Gpt), "raw");
    check(&fixture().volume, "raw");
}

#[test]
fn vhdx_fixed_and_dynamic() {
    if skip_image_tests() {
        return;
    }
    let dir = &fixture().dir;
    for (table, sub) in [(Table::Gpt, "dynamic"), (Table::Mbr, "fixed")] {
        let out = dir.join(format!("{sub}.vhdx"));
        convert(
            &raw(table),
            "vhdx",
            &["-o", &format!("subformat={sub}")],
            &out,
        );
        check(&out, "VHDX");
    }
}

#[test]
fn vhd_fixed_and_dynamic() {
    if skip_image_tests() {
        return;
    }
    let dir = &fixture().dir;
    for (table, sub) in [(Table::Mbr, "dynamic"), (Table::Gpt, "fixed")] {
        let out = dir.join(format!("{sub}.vhd"));
        convert(
            &raw(table),
            "vpc",
            &["-o", &format!("subformat={sub},force_size=on")],
            &out,
        );
        check(&out, "VHD");
    }
}

#[test]
fn vmdk_sparse_stream_optimised_flat_and_split() {
    if skip_image_tests() {
        return;
    }
    let dir = &fixture().dir;
    for sub in [
        "monolithicSparse",
        "streamOptimized",
        "monolithicFlat",
        "twoGbMaxExtentSparse",
        "twoGbMaxExtentFlat",
    ] {
        let out = dir.join(format!("{sub}.vmdk"));
        convert(
            &raw(Table::Mbr),
            "vmdk",
            &["-o", &format!("subformat={sub}")],
            &out,
        );
        check(&out, "VMDK");
    }
}

#[test]
fn qcow2_v3_v2_and_compressed() {
    if skip_image_tests() {
        return;
    }
    let dir = &fixture().dir;
    for (name, opts) in [
        ("v3", vec!["-o", "compat=1.1"]),
        ("v2", vec!["-o", "compat=0.10"]),
        ("compressed", vec!["-c"]),
    ] {
        let out = dir.join(format!("{name}.qcow2"));
        convert(&raw(Table::Gpt), "qcow2", &opts, &out);
        check(&out, "QCOW2");
    }
}

/// A differencing VHDX, a QCOW2 and a VMDK child holding only what
/// differs from their parent: the changed SOFTWARE comes from the child,
/// the rest from the parent; without its parent, an error naming it.
#[test]
fn children_read_through_their_parents() {
    if skip_image_tests() {
        return;
    }
    let f = fixture();
    let dir = &f.dir;
    for (format, ext) in [
        ("vhdx", "vhdx"),
        ("vpc", "vhd"),
        ("qcow2", "qcow2"),
        ("vmdk", "vmdk"),
    ] {
        let parent = dir.join(format!("parent.{ext}"));
        let opts: &[&str] = match format {
            "vpc" => &["-o", "subformat=dynamic,force_size=on"],
            _ => &[],
        };
        convert(&raw(Table::Mbr), format, opts, &parent);
        let child = dir.join(format!("child.{ext}"));
        if format == "vhdx" {
            vhdx_child("parent.vhdx", &raw(Table::Mbr), &raw_changed(), &child);
        } else if format == "vpc" {
            vhd_child("parent.vhd", &raw(Table::Mbr), &raw_changed(), &child);
        } else {
            child_image(format, &parent, &raw(Table::Mbr), &raw_changed(), &child);
        }
        let (child_len, parent_len) = (
            std::fs::metadata(&child).unwrap().len(),
            std::fs::metadata(&parent).unwrap().len(),
        );
        assert!(child_len < parent_len / 2, "{child_len} {parent_len}");
        let shown = match format {
            "vpc" => "VHD".to_string(),
            f => f.to_uppercase(),
        };
        check_files(&child, &shown, &f.changed_files);
        // Without its parent: an error naming it.
        let moved = dir.join(format!("moved-parent.{ext}"));
        std::fs::rename(&parent, &moved).unwrap();
        let err = read(&child).expect_err("no parent");
        std::fs::rename(&moved, &parent).unwrap();
        assert!(matches!(err, ImageError::MissingParent { .. }), "{err}");
        assert!(err.to_string().contains(&format!("parent.{ext}")), "{err}");
    }
}
