//! Changed and damaged files: a flipped byte in a signed image or package
//! is `tampered`; truncated files, oversized length fields, garbage
//! certificate tables and zip bombs give an error for that file and never a
//! panic; arbitrary bytes never panic.

use std::io::{Cursor, Write};

use acsready_signature::{
    inspect_bytes, inspect_bytes_with, AcsIdentity, FileReport, Format, Integrity, Limits,
};
use proptest::prelude::*;

fn acs() -> AcsIdentity {
    AcsIdentity {
        root_subject: "CN=Microsoft Identity Verification Root Certificate Authority 2020, O=Microsoft Corporation, C=US".into(),
        root_sha1: acsready_testkit::ACS_ROOT_SHA1.into(),
        eku: "1.3.6.1.4.1.311.97.1.0".into(),
    }
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(acsready_testkit::shared(rel)).expect("read the test file")
}

fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
}

fn u16_at(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap()) as usize
}

/// File offset and size of a section's raw data, from the section table.
fn section(pe: &[u8], name: &str) -> (usize, usize) {
    let nt = u32_at(pe, 0x3C);
    let count = u16_at(pe, nt + 6);
    let opt_size = u16_at(pe, nt + 20);
    let table = nt + 24 + opt_size;
    (0..count)
        .map(|i| table + 40 * i)
        .find(|&s| pe[s..s + 8].starts_with(name.as_bytes()))
        .map(|s| (u32_at(pe, s + 20), u32_at(pe, s + 16)))
        .unwrap_or_else(|| panic!("no {name} section"))
}

/// Offset of the certificate-table data directory entry.
fn security_dir(pe: &[u8]) -> usize {
    let nt = u32_at(pe, 0x3C);
    let opt = nt + 24;
    let dirs = if u16_at(pe, opt) == 0x20b {
        opt + 112
    } else {
        opt + 96
    };
    dirs + 8 * 4
}

fn intact(r: &FileReport) -> bool {
    !r.signatures.is_empty()
        && r.signatures
            .iter()
            .all(|s| s.integrity == Integrity::Intact)
}

fn tampered_reasons(r: &FileReport) -> Vec<String> {
    r.signatures
        .iter()
        .filter_map(|s| match &s.integrity {
            Integrity::Tampered { reason } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn one_flipped_byte_in_text_is_tampered() {
    for file in [
        "testdata/pe/saferwall__kernel32.dll",
        "testdata/pe/saferwall__putty.exe",
        "testdata/pe/signify__sigcheck.exe",
    ] {
        let mut pe = read(file);
        assert!(
            intact(&inspect_bytes(file, &pe, &acs())),
            "{file} as shipped"
        );
        let (start, size) = section(&pe, ".text");
        pe[start + size / 2] ^= 0x01;
        let r = inspect_bytes(file, &pe, &acs());
        assert_eq!(r.error, None, "{file}");
        let reasons = tampered_reasons(&r);
        // Every signature (SHA-1 and nested SHA-256) sees the change.
        assert_eq!(
            reasons.len(),
            r.signatures.len(),
            "{file}: {:?}",
            r.signatures
        );
        assert!(
            reasons
                .iter()
                .all(|r| r.contains("differs from the signed digest")),
            "{reasons:?}"
        );
    }
}

#[test]
fn the_checksum_field_is_not_covered() {
    let file = "testdata/pe/saferwall__kernel32.dll";
    let mut pe = read(file);
    let checksum = u32_at(&pe, 0x3C) + 24 + 64;
    pe[checksum] ^= 0xFF;
    assert!(intact(&inspect_bytes(file, &pe, &acs())));
}

/// A DER element at `at`: (tag, offset of the contents, length).
fn der_at(b: &[u8], at: usize) -> (u8, usize, usize) {
    let tag = b[at];
    let first = b[at + 1] as usize;
    if first < 0x80 {
        (tag, at + 2, first)
    } else {
        let n = first & 0x7F;
        let len = b[at + 2..at + 2 + n]
            .iter()
            .fold(0, |l, &x| (l << 8) | x as usize);
        (tag, at + 2 + n, len)
    }
}

/// The children of the constructed element at `at`.
fn der_children(b: &[u8], at: usize) -> Vec<usize> {
    let (_, start, len) = der_at(b, at);
    let mut out = Vec::new();
    let mut p = start;
    while p < start + len {
        out.push(p);
        let (_, c, l) = der_at(b, p);
        p = c + l;
    }
    out
}

#[test]
fn a_flipped_byte_in_the_signature_itself_is_tampered() {
    let file = "testdata/pe/saferwall__kernel32.dll";
    let mut pe = read(file);
    let table = u32_at(&pe, security_dir(&pe));
    // ContentInfo → [0] → SignedData → signerInfos (last) → SignerInfo →
    // the signature OCTET STRING.
    let content = der_children(&pe, table + 8)[1];
    let signed_data = der_children(&pe, content)[0];
    let signer_infos = *der_children(&pe, signed_data).last().unwrap();
    let signer_info = der_children(&pe, signer_infos)[0];
    let signature = der_children(&pe, signer_info)
        .into_iter()
        .find(|&p| pe[p] == 0x04)
        .expect("the signature");
    let (_, at, len) = der_at(&pe, signature);
    pe[at + len / 2] ^= 0x01;
    let r = inspect_bytes(file, &pe, &acs());
    let reasons = tampered_reasons(&r);
    assert_eq!(reasons.len(), 1, "{:?}", r.signatures);
    assert!(
        reasons[0].contains("signer's signature is bad"),
        "{reasons:?}"
    );
}

#[test]
fn a_flipped_byte_in_an_msi_stream_is_tampered() {
    let file = "testdata/msi/signify__putty.msi";
    let mut msi = read(file);
    assert!(intact(&inspect_bytes(file, &msi, &acs())));
    // The middle of the package lies in the cabinet stream.
    let mid = msi.len() / 2;
    msi[mid] ^= 0x01;
    let r = inspect_bytes(file, &msi, &acs());
    assert_eq!(r.error, None);
    let reasons = tampered_reasons(&r);
    assert_eq!(reasons.len(), 2, "{:?}", r.signatures);
    assert!(
        reasons[0].contains("differs from the signed digest"),
        "{reasons:?}"
    );
}

#[test]
fn truncated_signed_files_are_errors() {
    let file = "testdata/pe/saferwall__kernel32.dll";
    let pe = read(file);
    let dir = security_dir(&pe);
    let table = u32_at(&pe, dir);
    // Cut inside the certificate table: the table runs past the end.
    let r = inspect_bytes(file, &pe[..table + 100], &acs());
    assert!(r.signed);
    let e = r.error.expect("an error");
    assert!(
        e.starts_with(file) && e.contains("runs past the end of the file"),
        "{e}"
    );
    // Cut anywhere: an error or a report, never a panic.
    for cut in (0..pe.len()).step_by(pe.len() / 97) {
        let r = inspect_bytes(file, &pe[..cut], &acs());
        assert!(!r.error.unwrap_or_default().contains("internal error"));
    }
    let msi = read("testdata/msi/signify__putty.msi");
    for cut in (8..msi.len()).step_by(msi.len() / 41) {
        let r = inspect_bytes("putty.msi", &msi[..cut], &acs());
        assert!(r.error.is_some(), "putty.msi cut at {cut}: {r:?}");
        assert!(!r.error.unwrap().contains("internal error"));
    }
}

#[test]
fn oversized_length_fields_are_errors() {
    let file = "testdata/pe/saferwall__kernel32.dll";
    let pe = read(file);
    let dir = security_dir(&pe);
    let table = u32_at(&pe, dir);

    // The data directory claims a huge table.
    let mut huge_dir = pe.clone();
    huge_dir[dir + 4..dir + 8].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let r = inspect_bytes(file, &huge_dir, &acs());
    assert!(r.signed && r.error.is_some(), "{r:?}");

    // The WIN_CERTIFICATE entry claims more than the table.
    let mut huge_entry = pe.clone();
    huge_entry[table..table + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let r = inspect_bytes(file, &huge_entry, &acs());
    assert!(r.signed && r.error.is_some(), "{r:?}");

    // The PKCS#7 claims a length of 4 GiB.
    let mut huge_der = pe.clone();
    huge_der[table + 8..table + 14].copy_from_slice(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xF0]);
    let r = inspect_bytes(file, &huge_der, &acs());
    assert!(
        r.signed && r.error.is_some() && r.signatures.is_empty(),
        "{r:?}"
    );
}

#[test]
fn a_garbage_certificate_table_is_an_error() {
    let file = "testdata/pe/saferwall__kernel32.dll";
    let mut pe = read(file);
    let dir = security_dir(&pe);
    let (table, size) = (u32_at(&pe, dir), u32_at(&pe, dir + 4));
    let mut x: u32 = 0x1234_5678;
    for b in &mut pe[table + 8..table + size] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let r = inspect_bytes(file, &pe, &acs());
    assert!(r.signed);
    assert!(r.signatures.is_empty());
    assert!(r.error.unwrap().contains("not PKCS#7"));
}

fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(*name, opts).expect("start a member");
        w.write_all(data).expect("write a member");
    }
    w.finish().expect("finish the zip").into_inner()
}

#[test]
fn zip_members_are_inspected_in_memory() {
    let pe = read("testdata/pe/saferwall__kernel32.dll");
    let msi = read("testdata/msi/signify__putty.msi");
    let inner = zip_of(&[("agent/kernel32.dll", &pe)]);
    let innermost = zip_of(&[("deep.zip", &inner)]);
    let outer = zip_of(&[
        ("readme.txt", b"not a module"),
        ("agent.msi", &msi),
        ("bin/kernel32.dll", &pe),
        ("nested.zip", &inner),
        ("twice.zip", &innermost),
    ]);
    let r = inspect_bytes("export.zip", &outer, &acs());
    assert_eq!(r.format, Format::Zip);
    assert_eq!(r.error, None);
    let paths: Vec<_> = r.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "export.zip!agent.msi",
            "export.zip!bin/kernel32.dll",
            "export.zip!nested.zip",
            "export.zip!twice.zip"
        ]
    );
    assert!(intact(&r.entries[0]) && r.entries[0].msi.is_some());
    assert!(intact(&r.entries[1]));
    assert_eq!(r.entries[1].force_integrity, Some(false));
    let nested = &r.entries[2];
    assert_eq!(nested.entries.len(), 1);
    assert_eq!(
        nested.entries[0].path,
        "export.zip!nested.zip!agent/kernel32.dll"
    );
    assert!(intact(&nested.entries[0]));
    // A ZIP inside a ZIP inside a ZIP is not opened.
    let twice = &r.entries[3].entries;
    assert_eq!(twice.len(), 1);
    assert!(twice[0]
        .error
        .as_deref()
        .unwrap()
        .contains("nested more than 1 level"));
}

#[test]
fn zip_bombs_stop_with_an_error() {
    let zeros = vec![0u8; 4 << 20];
    let mut mz = zeros.clone();
    mz[..2].copy_from_slice(b"MZ");
    let limits = Limits {
        max_zip_entry_bytes: 1 << 20,
        max_zip_total_bytes: 6 << 20,
        ..Limits::default()
    };
    // One member inflates past the per-member limit.
    let bomb = zip_of(&[("big.exe", &mz)]);
    assert!(bomb.len() < 64 * 1024);
    let r = inspect_bytes_with("bomb.zip", &bomb, &acs(), &limits);
    let e = r.error.expect("an error");
    assert!(e.starts_with("bomb.zip: ") && e.contains("zip bomb"), "{e}");

    // Members under the per-member limit that add up past the total.
    let small = &mz[..(900 << 10)];
    let names: Vec<String> = (0..10).map(|i| format!("m{i}.dll")).collect();
    let members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), small)).collect();
    let r = inspect_bytes_with("many.zip", &zip_of(&members), &acs(), &limits);
    let e = r.error.expect("an error");
    assert!(e.contains("in all"), "{e}");
    assert!(r.entries.len() < 10);

    // Too many entries.
    let few = Limits {
        max_zip_entries: 3,
        ..Limits::default()
    };
    let r = inspect_bytes_with("many.zip", &zip_of(&members), &acs(), &few);
    assert!(r.error.unwrap().contains("more than the limit of 3"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = inspect_bytes("fuzz.bin", &bytes, &acs());
    }

    #[test]
    fn arbitrary_bytes_behind_each_magic_never_panic(
        magic in 0usize..3,
        rest in prop::collection::vec(any::<u8>(), 0..4096),
    ) {
        let head: &[u8] = match magic {
            0 => b"MZ",
            1 => &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            _ => b"PK\x03\x04",
        };
        let mut bytes = head.to_vec();
        bytes.extend(rest);
        let r = inspect_bytes("fuzz.bin", &bytes, &acs());
        prop_assert!(!r.error.as_deref().unwrap_or_default().contains("internal error"));
    }

    #[test]
    fn damaged_signed_files_never_panic(
        which in 0usize..3,
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..4), 1..8),
    ) {
        let file = [
            "testdata/pe/signify__kdbazis.dll",
            "testdata/pe/saferwall__amdxata.sys",
            "testdata/msi/osslsigncode__unsigned.msi",
        ][which];
        let bytes = acsready_testkit::apply_edits(read(file), &edits);
        let r = inspect_bytes(file, &bytes, &acs());
        prop_assert!(!r.error.as_deref().unwrap_or_default().contains("internal error"));
    }
}
