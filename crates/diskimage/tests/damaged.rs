//! Damaged and foreign images, made here without any tool: every one is an
//! error naming the image and what is wrong with it, never a panic; random
//! bytes behind each format's signature likewise.

use std::path::{Path, PathBuf};

use acsready_diskimage::{read_windows, ImageError, Wanted};
use acsready_testkit::temp_dir;
use proptest::prelude::*;

fn read(path: &Path) -> Result<acsready_diskimage::ImageRead, ImageError> {
    let wanted = Wanted {
        files: vec![r"Windows\System32\config\SOFTWARE".into()],
        folders: Vec::new(),
    };
    read_windows(path, "the image", &wanted, &mut |_| {})
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A disk of `sectors` sectors with an MBR whose one partition (type 7)
/// starts at sector 1 and holds `boot` as its first sector.
fn mbr_disk(boot: &[u8], sectors: usize) -> Vec<u8> {
    let mut d = vec![0u8; sectors * 512];
    d[446 + 4] = 0x07;
    d[446 + 8..446 + 12].copy_from_slice(&1u32.to_le_bytes());
    d[446 + 12..446 + 16].copy_from_slice(&((sectors - 1) as u32).to_le_bytes());
    d[510] = 0x55;
    d[511] = 0xAA;
    d[512..512 + boot.len()].copy_from_slice(boot);
    d
}

#[test]
fn foreign_files_are_named_for_what_they_are() {
    let dir = temp_dir("diskimage-foreign");
    for (name, bytes, says) in [
        (
            "a.vhdx.gz",
            &b"\x1f\x8b\x08\0rest of a gzip file"[..],
            "a gzip file: unpack it first",
        ),
        ("b.zip", b"PK\x03\x04 a zip archive", "a zip archive"),
        ("c.img", &[0u8; 100][..], "100 bytes, too short for a disk"),
        (
            "d.img",
            &[b'x'; 4096][..],
            "no VHDX, VHD, VMDK or QCOW2 signature",
        ),
    ] {
        let err = read(&write(&dir, name, bytes)).expect_err(name);
        assert!(matches!(err, ImageError::UnknownFormat { .. }), "{err}");
        assert!(
            err.to_string().starts_with("the image: not a disk image"),
            "{err}"
        );
        assert!(err.to_string().contains(says), "{err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bitlocker_volume_says_it_needs_its_key_and_nothing_else_is_windows() {
    let dir = temp_dir("diskimage-bitlocker");
    let mut boot = vec![0u8; 512];
    boot[3..11].copy_from_slice(b"-FVE-FS-");
    let err = read(&write(&dir, "bl.raw", &mbr_disk(&boot, 64))).expect_err("BitLocker");
    assert!(
        matches!(err, ImageError::BitLocker { partition: 1, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("cannot be read without its recovery key"),
        "{err}"
    );

    // A partition that is neither NTFS nor BitLocker: no Windows volume.
    let err = read(&write(
        &dir,
        "fat.raw",
        &mbr_disk(b"\xEB\x3C\x90MSDOS5.0", 64),
    ))
    .expect_err("FAT");
    assert!(matches!(err, ImageError::NoWindows { .. }), "{err}");
    assert!(err.to_string().contains("partition 1: not NTFS"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn damaged_headers_are_named() {
    let dir = temp_dir("diskimage-headers");
    // A dynamic VHD whose footer's checksum is wrong.
    let mut vhd = vec![0u8; 2048];
    vhd[..8].copy_from_slice(b"conectix");
    let err = read(&write(&dir, "x.vhd", &vhd)).expect_err("VHD");
    assert!(
        err.to_string()
            .contains("damaged VHD image: the footer's checksum"),
        "{err}"
    );
    // A VHDX whose headers are not valid.
    let mut vhdx = vec![0u8; 320 * 1024];
    vhdx[..8].copy_from_slice(b"vhdxfile");
    let err = read(&write(&dir, "x.vhdx", &vhdx)).expect_err("VHDX");
    assert!(err.to_string().contains("neither header is valid"), "{err}");
    // A VHDX cut before its headers: truncated.
    let err = read(&write(&dir, "cut.vhdx", &vhdx[..70 * 1024])).expect_err("cut");
    assert!(matches!(err, ImageError::Truncated { .. }), "{err}");
    // An encrypted QCOW2.
    let mut q = vec![0u8; 512];
    q[..4].copy_from_slice(b"QFI\xfb");
    q[4..8].copy_from_slice(&3u32.to_be_bytes());
    q[20..24].copy_from_slice(&16u32.to_be_bytes());
    q[24..32].copy_from_slice(&(1u64 << 20).to_be_bytes());
    q[32..36].copy_from_slice(&2u32.to_be_bytes());
    let err = read(&write(&dir, "x.qcow2", &q)).expect_err("QCOW2");
    assert!(err.to_string().contains("encrypted"), "{err}");
    // A GPT disk whose headers fail their CRC.
    let mut gpt = vec![0u8; 64 * 512];
    gpt[446 + 4] = 0xEE;
    gpt[510] = 0x55;
    gpt[511] = 0xAA;
    gpt[512..520].copy_from_slice(b"EFI PART");
    gpt[512 + 12..512 + 16].copy_from_slice(&92u32.to_le_bytes());
    let err = read(&write(&dir, "gpt.raw", &gpt)).expect_err("GPT");
    assert!(err.to_string().contains("no usable GPT"), "{err}");
    assert!(
        err.to_string().contains("header CRC32 does not match"),
        "{err}"
    );
    // A VMDK descriptor whose extent file is missing.
    let desc = b"# Disk DescriptorFile\nversion=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\nRW 2048 FLAT \"gone-flat.vmdk\" 0\n";
    let err = read(&write(&dir, "x.vmdk", desc)).expect_err("VMDK");
    assert!(matches!(err, ImageError::Io { .. }), "{err}");
    assert!(err.to_string().contains("gone-flat.vmdk"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random bytes behind each signature: an error or a read, never a
    /// panic, and an error always names the image.
    #[test]
    fn random_images_never_panic(kind in 0usize..7, body in proptest::collection::vec(any::<u8>(), 0..70_000)) {
        let prefixes: [&[u8]; 7] = [b"", b"vhdxfile", b"conectix", b"QFI\xfb", b"KDMV", b"# Disk DescriptorFile\n", b""];
        let mut bytes = prefixes[kind].to_vec();
        bytes.extend_from_slice(&body);
        if kind == 6 {
            bytes = mbr_disk(b"\xEB\x52\x90NTFS    ", 2 + body.len() / 512);
            let n = bytes.len() - 1024;
            bytes[1024..1024 + n.min(body.len())].copy_from_slice(&body[..n.min(body.len())]);
        }
        let dir = temp_dir("diskimage-random");
        let path = write(&dir, "r.img", &bytes);
        if let Err(e) = read(&path) {
            prop_assert_eq!(e.image(), "the image");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
