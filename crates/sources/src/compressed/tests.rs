use std::io::Write;

use super::*;

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).expect("xz");
    w.write_all(bytes).expect("xz");
    w.finish().expect("xz")
}

/// A zip of `(name, bytes)` members.
fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    for (name, bytes) in members {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("zip");
        w.write_all(bytes).expect("zip");
    }
    w.finish().expect("zip").into_inner()
}

fn sevenz_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = sevenz_rust2::ArchiveWriter::new(io::Cursor::new(Vec::new())).expect("7z");
    for (name, bytes) in members {
        w.push_archive_entry(sevenz_rust2::ArchiveEntry::new_file(name), Some(*bytes))
            .expect("7z");
    }
    w.finish().expect("7z").into_inner()
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn formats_are_told_by_their_magic() {
    assert_eq!(packing(&gz(b"x")), Some(Packing::Gzip));
    assert_eq!(packing(&xz(b"x")), Some(Packing::Xz));
    assert_eq!(packing(&zip_of(&[("a", b"x")])), Some(Packing::Zip));
    assert_eq!(packing(&sevenz_of(&[("a", b"x")])), Some(Packing::SevenZ));
    assert_eq!(packing(b"{\"host\":1}"), None);
    assert_eq!(packing(b"regf"), None);
    assert_eq!(packing(b""), None);
}

#[test]
fn one_compressed_file_is_read_as_the_file_without_its_suffix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "wmic qfe ホットフィックス\r\n".repeat(100);
    for (name, bytes) in [
        ("qfe.txt.gz", gz(text.as_bytes())),
        ("qfe.txt.xz", xz(text.as_bytes())),
    ] {
        let path = put(dir.path(), name, &bytes);
        let u = unpack(&path, Limits::default())
            .expect("unpack")
            .expect("compressed");
        assert_eq!(u.root.file_name().and_then(|n| n.to_str()), Some("qfe.txt"));
        assert_eq!(std::fs::read(&u.root).expect("read"), text.as_bytes());
        let shown = u.shown(&format!("{}: line 3", u.root.display()));
        assert_eq!(shown, format!("{}: line 3", path.display()));
        assert_eq!(
            unpack_bytes(&bytes, name, Limits::default()).expect("bytes"),
            Some(text.clone().into_bytes())
        );
    }
    let plain = put(dir.path(), "plain.json", b"{}");
    assert!(unpack(&plain, Limits::default()).expect("plain").is_none());
    assert!(unpack_bytes(b"{}", "-", Limits::default())
        .expect("plain")
        .is_none());
}

#[test]
fn bombs_and_damage_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zeros = vec![0u8; 2 << 20];
    let small = Limits {
        max_bytes: 1 << 19,
        ..Limits::default()
    };
    let path = put(dir.path(), "bomb.gz", &gz(&zeros));
    let e = unpack(&path, small).expect_err("capped").to_string();
    assert!(
        e.contains("bomb.gz: gzip file unpacks to more than 524288 bytes"),
        "{e}"
    );
    let ratio = Limits {
        ratio_after: 1 << 19,
        max_ratio: 100,
        ..Limits::default()
    };
    let path = put(dir.path(), "bomb.xz", &xz(&zeros));
    let e = unpack(&path, ratio).expect_err("capped").to_string();
    assert!(
        e.contains("xz file unpacks to more than 100 times its size"),
        "{e}"
    );
    let path = put(
        dir.path(),
        "bomb.zip",
        &zip_of(&[("a", &zeros), ("b", &zeros)]),
    );
    let e = unpack(&path, small).expect_err("capped").to_string();
    assert!(e.contains("zip file unpacks to more than"), "{e}");
    let path = put(dir.path(), "bomb.7z", &sevenz_of(&[("a", &zeros)]));
    let e = unpack(&path, ratio).expect_err("capped").to_string();
    assert!(e.contains("7z file unpacks to more than 100 times"), "{e}");

    let mut cut = xz(b"some evidence text");
    cut.truncate(cut.len() / 2);
    let path = put(dir.path(), "cut.xz", &cut);
    let e = unpack(&path, Limits::default())
        .expect_err("cut")
        .to_string();
    assert!(
        e.starts_with(&format!("{}: cannot read this xz file", path.display())),
        "{e}"
    );
    let mut bad = zip_of(&[("a", b"x")]);
    bad.truncate(12);
    let path = put(dir.path(), "bad.zip", &bad);
    let e = unpack(&path, Limits::default())
        .expect_err("bad")
        .to_string();
    assert!(e.contains("cannot read this zip file"), "{e}");
}

#[test]
fn an_archive_of_a_host_folder_is_that_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let members: [(&str, &[u8]); 2] = [
        ("WEB01/collector.txt", b"computer=WEB01\r\n"),
        ("WEB01/qfe.txt", b"Node,HotFixID\r\n"),
    ];
    for (name, bytes) in [
        ("WEB01.zip", zip_of(&members)),
        ("WEB01.7z", sevenz_of(&members)),
    ] {
        let path = put(dir.path(), name, &bytes);
        let u = unpack(&path, Limits::default())
            .expect("unpack")
            .expect("archive");
        assert!(u.packing.is_archive());
        assert_eq!(
            u.root.file_name().and_then(|n| n.to_str()),
            Some("WEB01"),
            "{name}"
        );
        assert_eq!(
            std::fs::read(u.root.join("collector.txt")).expect("member"),
            b"computer=WEB01\r\n"
        );
        let shown = u.shown(&u.root.join("qfe.txt").display().to_string());
        assert_eq!(
            shown,
            path.join("WEB01").join("qfe.txt").display().to_string(),
            "{name}"
        );
    }
    // Files at the top: the folder is named after the archive.
    let path = put(dir.path(), "DB02.zip", &zip_of(&[("collector.txt", b"x")]));
    let u = unpack(&path, Limits::default())
        .expect("unpack")
        .expect("archive");
    assert_eq!(u.root.file_name().and_then(|n| n.to_str()), Some("DB02"));
}

#[test]
fn member_names_never_leave_the_folder() {
    assert_eq!(
        safe_relative("a/b\\c"),
        Some(PathBuf::from("a").join("b").join("c"))
    );
    assert_eq!(safe_relative("./a"), Some(PathBuf::from("a")));
    assert_eq!(safe_relative("../a"), None);
    assert_eq!(safe_relative("a/../../b"), None);
    assert_eq!(safe_relative("C:\\Windows"), None);
    assert_eq!(safe_relative("/"), None);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = put(dir.path(), "evil.7z", &sevenz_of(&[("../evil", b"x")]));
    let e = unpack(&path, Limits::default())
        .expect_err("refused")
        .to_string();
    assert!(e.contains("leaves the archive"), "{e}");
    assert!(!dir.path().join("evil").exists());
}

#[test]
fn a_real_compressed_hive_is_read_with_its_logs() {
    let hive = acsready_testkit::shared("testdata/real/hives/regipy__SYSTEM_B.xz");
    let u = unpack(&hive, Limits::default())
        .expect("unpack")
        .expect("xz");
    assert_eq!(
        u.root.file_name().and_then(|n| n.to_str()),
        Some("regipy__SYSTEM_B")
    );
    for log in ["LOG1", "LOG2"] {
        assert!(
            u.dir().join(format!("regipy__SYSTEM_B.{log}")).is_file(),
            "{log}"
        );
    }
    let opened = acsready_registry::Hive::open(&u.root).expect("a hive");
    assert_eq!(
        crate::hive_file::computer_name(&opened).as_deref(),
        Some("DESKTOP-PM6C56D")
    );
    let notes = opened.notes().join("; ");
    assert!(!notes.contains("no .LOG1/.LOG2 beside it"), "{notes}");
    assert!(u
        .shown(&u.dir().join("regipy__SYSTEM_B.LOG1").display().to_string())
        .ends_with("regipy__SYSTEM_B.LOG1.xz"));

    let corrupted =
        acsready_testkit::shared("testdata/real/hives/regipy__corrupted_system_hive.xz");
    let u = unpack(&corrupted, Limits::default())
        .expect("unpack")
        .expect("xz");
    let opened = acsready_registry::Hive::open(&u.root).expect("read despite damage");
    assert_eq!(
        crate::hive_file::computer_name(&opened).as_deref(),
        Some("GINEVRA")
    );
}

#[test]
fn a_damaged_xz_index_is_an_error_not_a_huge_allocation() {
    // Found by the fuzz target `unpack`: an index claiming 2^31 records.
    let bytes: &[u8] = &[
        0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46, 0x00, 0xff, 0xff,
        0xff, 0xcf, 0x00, 0x00, 0x00, 0x83, 0x2f, 0xe5, 0xa3, 0x01, 0x00, 0x10, 0x7b, 0x5f, 0x22,
        0x68, 0x6f, 0x73, 0x74, 0x22, 0x3a, 0x77, 0x65, 0x30, 0x62, 0x22, 0x31, 0x22, 0x5a, 0x0a,
        0x00, 0x00, 0x00, 0x00, 0x74, 0x00, 0x59, 0x2a, 0xf1, 0xd2, 0xc6, 0x0e, 0x1f, 0xb6, 0xf3,
        0x7d, 0x01, 0xb3, 0x00, 0x00, 0x00, 0x04, 0x59, 0x5a,
    ];
    let e = unpack_bytes(bytes, "index.xz", Limits::default()).expect_err("damaged");
    assert!(
        e.to_string()
            .starts_with("index.xz: cannot read this xz file"),
        "{e}"
    );
}

#[test]
fn a_damaged_7z_header_is_an_error_not_a_panic() {
    // Found by the fuzz target `unpack`.
    let text = "N3q8ryccABoAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABLBQYBAAAAAAAAOgYFBktQSwUGSwBQSwUGAABQSwUGS1BLAFAF9fT/AwQKAAAA83T///8BAh4DCgQAAAX/EQAAAFBLBQYABjAAQxwAZi4AAAEAAAsBAAAAAAAABAAAAAAEAA==";
    let bytes = base64_decode(text);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = put(dir.path(), "bad.7z", &bytes);
    let e = unpack(&path, Limits::default())
        .expect_err("damaged")
        .to_string();
    assert!(e.contains("cannot read this 7z file"), "{e}");
}

#[test]
fn a_7z_header_claiming_billions_of_files_is_an_error_not_an_abort() {
    // Found by the fuzz target `unpack`: sevenz-rust2 0.20 reserved what the
    // count said (hundreds of terabytes) and the process aborted.
    let text = "N3q8ryccABoAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABQSwMECgAAAAAATTmCXYHt+GARAAAAEQAAAAYA5P+Z0Gpzb25VVAkAA6U7D2thxC9rdXgLAAEEAAAAAAQAAAAAeyJob3N0Ijoid2ViMDAifQpQSwECHgMKOzsPa2HED2t1eAsAAQQAAAAABAAAAAB7Imhvc3QiOiJ3ZWIwMCJ9ClAAGAAAAAAAAQD+//+qAACkgQAAAGRkZGRkZGRkAA////8AAAAAAAAAAAAA/////////xMAACEAAh4DCgAAAAAATTmCXYHt+GARAAAAEQCB7fhgEQAAABEAAAAGAOQx/5k90Gpzb25VVAkAA6U7D2thP8QPa3V4CwAABgAYAAAAAAABAAAApIEAAAAAD////wAAAAAAAAAAAAAAAAAAAPYAAAAAAAAAAAAABfrk/5k90Gpzb25VVAkArKysrKysrKysrKysrKysrKysrKxTAAAAAAAAAAOlOw9rYT/ED2t1eAsAAAYAGAAAAAAAAQAAAKSBAAAAAA////8AAAAAAAAAAAAAAAAAAA==";
    let bytes = base64_decode(text);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = put(dir.path(), "huge.7z", &bytes);
    let e = unpack(&path, Limits::default())
        .expect_err("damaged")
        .to_string();
    assert!(e.contains("cannot read this 7z file"), "{e}");
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text.bytes().filter(|c| *c != b'=').map(value).collect();
    digits
        .chunks(4)
        .flat_map(|c| {
            let n = c.iter().fold(0u32, |n, d| (n << 6) | u32::from(*d)) << (6 * (4 - c.len()));
            let bytes = n.to_be_bytes();
            bytes[1..c.len()].to_vec()
        })
        .collect()
}
