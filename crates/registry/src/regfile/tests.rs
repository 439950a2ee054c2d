use super::*;

use proptest::prelude::*;

const CV: &str = "Microsoft\\Windows NT\\CurrentVersion";

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Applies texts as files named a.reg, b.reg…; panics on a file error.
fn files(texts: &[&str]) -> RegFiles {
    let mut files = RegFiles::new();
    for (i, text) in texts.iter().enumerate() {
        let name = format!("{}.reg", char::from(b'a' + i as u8));
        if let Err(e) = files.add_text(text, &name) {
            panic!("{name}: {e}");
        }
    }
    files
}

fn warnings(files: &RegFiles) -> Vec<String> {
    files.warnings().iter().map(|w| w.to_string()).collect()
}

/// What `reg export` writes on Windows 10 for a few value kinds.
const EXPORT: &str = "Windows Registry Editor Version 5.00\r\n\
\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n\
\"CurrentBuild\"=\"17763\"\r\n\
\"UBR\"=dword:0000001f\r\n\
\"InstallTime\"=hex(b):3b,8d,a6,31,18,c9,d4,01\r\n\
\"DigitalProductId\"=hex:a4,00,00,00,03,00,00,00,30,30,34,32,39,2d,30,30,30,30,\\\r\n\
  30,2d,30,30,30,30,31\r\n\
\"PathName\"=hex(2):43,00,3a,00,5c,00,57,00,69,00,6e,00,64,00,6f,00,77,00,73,00,\\\r\n\
  00,00\r\n\
@=\"default text\"\r\n\
\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Fonts]\r\n\
\r\n";

#[test]
fn utf16le_export_with_crlf() -> Result<(), RegistryError> {
    let dir = tempfile::tempdir().map_err(|source| RegistryError::Io {
        file: "tempdir".into(),
        source,
    })?;
    let path = dir.path().join("CurrentVersion.reg");
    std::fs::write(&path, utf16le_with_bom(EXPORT)).map_err(|source| RegistryError::Io {
        file: "write".into(),
        source,
    })?;
    let mut files = RegFiles::new();
    files.add_file(&path)?;
    assert!(files.warnings().is_empty(), "{:?}", warnings(&files));
    let view = files.view("HKEY_LOCAL_MACHINE\\SOFTWARE");
    assert_eq!(
        view.value(CV, "CurrentBuild"),
        Some(Data::Sz("17763".into()))
    );
    assert_eq!(view.value(CV, "UBR"), Some(Data::Dword(31)));
    assert_eq!(
        view.value(CV, "InstallTime"),
        Some(Data::Qword(0x01d4_c918_31a6_8d3b))
    );
    assert_eq!(
        view.value(CV, "DigitalProductId"),
        Some(Data::Binary(vec![
            0xa4, 0, 0, 0, 3, 0, 0, 0, 0x30, 0x30, 0x34, 0x32, 0x39, 0x2d, 0x30, 0x30, 0x30, 0x30,
            0x30, 0x2d, 0x30, 0x30, 0x30, 0x30, 0x31
        ]))
    );
    assert_eq!(
        view.value(CV, "PathName"),
        Some(Data::ExpandSz("C:\\Windows".into()))
    );
    assert_eq!(view.value(CV, ""), Some(Data::Sz("default text".into())));
    assert_eq!(view.subkeys(CV), Some(vec!["Fonts".to_string()]));
    assert_eq!(view.subkeys(&format!("{CV}\\Fonts")), Some(vec![]));
    assert_eq!(view.values(&format!("{CV}\\Fonts")), Some(vec![]));
    // sorted by case-insensitive name, default value first
    let names: Vec<String> = view
        .values(CV)
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(
        names,
        vec![
            "",
            "CurrentBuild",
            "DigitalProductId",
            "InstallTime",
            "PathName",
            "UBR"
        ]
    );
    assert_eq!(
        view.origin(),
        format!("{} [HKEY_LOCAL_MACHINE\\SOFTWARE]", path.display())
    );
    Ok(())
}

#[test]
fn utf8_with_and_without_bom_and_lf() {
    let lf = EXPORT.replace("\r\n", "\n");
    for bytes in [
        lf.clone().into_bytes(),
        [b"\xef\xbb\xbf".as_slice(), lf.as_bytes()].concat(),
        EXPORT.as_bytes().to_vec(),
    ] {
        let (text, replaced) = decode_bytes(&bytes);
        assert_eq!(replaced, 0);
        let files = files(&[&text]);
        assert!(files.warnings().is_empty(), "{:?}", warnings(&files));
        let view = files.view("HKLM\\SOFTWARE");
        assert_eq!(view.value(CV, "UBR"), Some(Data::Dword(31)));
        assert_eq!(
            view.value(CV, "PathName"),
            Some(Data::ExpandSz("C:\\Windows".into()))
        );
    }
}

#[test]
fn decodes_utf16_without_bom_big_endian_and_ansi() {
    let le: Vec<u8> = utf16("REGEDIT4\r\n");
    assert_eq!(decode_bytes(&le).0, "REGEDIT4\r\n");
    let mut be = vec![0xfe, 0xff];
    be.extend("REGEDIT4".encode_utf16().flat_map(u16::to_be_bytes));
    assert_eq!(decode_bytes(&be).0, "REGEDIT4");
    assert_eq!(decode_bytes(b"\"caf\xe9 \x80\"").0, "\"café €\"");
    let (text, replaced) = decode_bytes(&[0xff, 0xfe, 0x41, 0x00, 0x00, 0xd8, 0x42, 0x00]);
    assert_eq!((text.as_str(), replaced), ("A\u{FFFD}B", 1));
}

#[test]
fn add_bytes_detects_the_encoding_and_reports_bad_utf16() {
    let mut files = RegFiles::new();
    let mut bytes = utf16le_with_bom(
        "Windows Registry Editor Version 5.00\r\n[HKEY_LOCAL_MACHINE\\K]\r\n\"a\"=\"x",
    );
    bytes.extend([0x00, 0xdc]); // a lone low surrogate
    bytes.extend(utf16("\"\r\n\r\n"));
    assert!(files.add_bytes(&bytes, "bad16.reg").is_ok());
    assert_eq!(
        warnings(&files),
        vec!["bad16.reg:1: 1 invalid UTF-16 code units replaced by U+FFFD"]
    );
    assert_eq!(
        files.view("HKLM").value("K", "a"),
        Some(Data::Sz("x\u{FFFD}".into()))
    );
    let err = files.add_bytes(b"\x00\x01binary", "bin.reg").err();
    assert!(
        matches!(err, Some(RegistryError::NotRegFile { .. })),
        "{err:?}"
    );
}

#[test]
fn escapes_in_names_and_strings() {
    let files = files(&["Windows Registry Editor Version 5.00\n\
        [HKEY_CURRENT_USER\\Software\\Test]\n\
        \"a\\\\b\\\"c\"=\"C:\\\\Program Files\\\\\\\"x\\\"\"\n\
        \"empty\"=\"\"\n\
        \"spaces\" = \"  padded  \"\n\
        @=\"\"\n"]);
    assert!(files.warnings().is_empty(), "{:?}", warnings(&files));
    let view = files.view("HKCU\\Software");
    assert_eq!(
        view.value("Test", "a\\b\"c"),
        Some(Data::Sz("C:\\Program Files\\\"x\"".into()))
    );
    assert_eq!(view.value("test", "EMPTY"), Some(Data::Sz(String::new())));
    assert_eq!(
        view.value("Test", "spaces"),
        Some(Data::Sz("  padded  ".into()))
    );
    assert_eq!(view.value("Test", ""), Some(Data::Sz(String::new())));
}

#[test]
fn every_hex_kind() {
    let multi: Vec<String> = utf16("one\0two\0\0")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = format!(
        "Windows Registry Editor Version 5.00\n\
         [HKEY_LOCAL_MACHINE\\K]\n\
         \"bin\"=hex:00,ff,10\n\
         \"bin-empty\"=hex:\n\
         \"none\"=hex(0):\n\
         \"none-data\"=hex(0):01,02\n\
         \"sz\"=hex(1):41,00,42,00,00,00\n\
         \"dword\"=hex(4):01,00,00,00\n\
         \"dword-short\"=hex(4):01,00\n\
         \"big-endian\"=hex(5):00,00,00,01\n\
         \"multi\"=hex(7):{}\n\
         \"multi-empty\"=hex(7):00,00\n\
         \"qword\"=hex(b):ff,ff,ff,ff,ff,ff,ff,ff\n\
         \"QWORD-upper\"=HEX(B):01,00,00,00,00,00,00,00,\n\
         \"resource\"=hex(8):aa\n\
         \"big-kind\"=hex(ffff0007):61,00,00,00\n\
         \"dword-upper\"=DWORD:FFFFFFFF\n\
         \"dword-short-text\"=dword:1f\n",
        multi.join(",")
    );
    let files = files(&[&text]);
    assert!(files.warnings().is_empty(), "{:?}", warnings(&files));
    let view = files.view("HKLM");
    let value = |name: &str| view.value("K", name);
    assert_eq!(value("bin"), Some(Data::Binary(vec![0, 0xff, 0x10])));
    assert_eq!(value("bin-empty"), Some(Data::Binary(vec![])));
    assert_eq!(value("none"), Some(Data::None));
    assert_eq!(
        value("none-data"),
        Some(Data::Other {
            kind: 0,
            bytes: vec![1, 2]
        })
    );
    assert_eq!(value("sz"), Some(Data::Sz("AB".into())));
    assert_eq!(value("dword"), Some(Data::Dword(1)));
    assert_eq!(
        value("dword-short"),
        Some(Data::Other {
            kind: 4,
            bytes: vec![1, 0]
        })
    );
    assert_eq!(
        value("big-endian"),
        Some(Data::Other {
            kind: 5,
            bytes: vec![0, 0, 0, 1]
        })
    );
    assert_eq!(
        value("multi"),
        Some(Data::MultiSz(vec!["one".into(), "two".into()]))
    );
    assert_eq!(value("multi-empty"), Some(Data::MultiSz(vec![])));
    assert_eq!(value("qword"), Some(Data::Qword(u64::MAX)));
    assert_eq!(value("qword-UPPER"), Some(Data::Qword(1)));
    assert_eq!(
        value("resource"),
        Some(Data::Other {
            kind: 8,
            bytes: vec![0xaa]
        })
    );
    assert_eq!(
        value("big-kind"),
        Some(Data::Other {
            kind: 0xffff_0007,
            bytes: vec![0x61, 0, 0, 0]
        })
    );
    assert_eq!(value("dword-upper"), Some(Data::Dword(u32::MAX)));
    assert_eq!(value("dword-short-text"), Some(Data::Dword(31)));
}

#[test]
fn continuation_lines_and_multi_strings() {
    // As regedit wraps hex(7) data: "\" at the end, two spaces of indent.
    let text = "Windows Registry Editor Version 5.00\r\n\r\n\
        [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\ServiceGroupOrder]\r\n\
        \"List\"=hex(7):53,00,79,00,73,00,74,00,65,00,6d,00,20,00,42,00,75,00,73,00,20,\\\r\n\
        \x20 00,45,00,78,00,74,00,65,00,6e,00,64,00,65,00,72,00,00,00,53,00,43,00,53,00,\\\r\n\
        \t49,00,20,00,6d,00,69,00,6e,00,69,00,70,00,6f,00,72,00,74,00,00,00,00,00\r\n\
        \"After\"=dword:00000002\r\n";
    let files = files(&[text]);
    assert!(files.warnings().is_empty(), "{:?}", warnings(&files));
    let view = files.view("HKLM\\SYSTEM\\ControlSet001\\Control");
    assert_eq!(
        view.value("ServiceGroupOrder", "List"),
        Some(Data::MultiSz(vec![
            "System Bus Extender".into(),
            "SCSI miniport".into()
        ]))
    );
    assert_eq!(
        view.value("ServiceGroupOrder", "After"),
        Some(Data::Dword(2))
    );
}

#[test]
fn comments_blank_lines_and_indentation() {
    let files = files(&["\r\n\r\nWindows Registry Editor Version 5.00\r\n\
        ; a comment\r\n\
        \r\n\
        [HKEY_LOCAL_MACHINE\\K] ; trailing comment\r\n\
        ;\"hidden\"=dword:00000001\r\n\
        \x20   \"shown\"=dword:00000002\r\n"]);
    assert!(files.warnings().is_empty(), "{:?}", warnings(&files));
    let view = files.view("HKLM");
    assert_eq!(
        view.values("K"),
        Some(vec![Value {
            name: "shown".into(),
            data: Data::Dword(2)
        }])
    );
}

#[test]
fn deletes_within_a_file_and_across_files() {
    let first = "Windows Registry Editor Version 5.00\r\n\
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\r\n\"keep\"=\"1\"\r\n\"drop\"=\"2\"\r\n\
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\Sub\\Deeper]\r\n\"x\"=dword:00000001\r\n\
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\B]\r\n\"b\"=dword:00000001\r\n\
        [-HKEY_LOCAL_MACHINE\\SOFTWARE\\B]\r\n\
        \"ignored after a deleted key\"=dword:00000001\r\n\
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\C]\r\n\"c\"=dword:00000001\r\n\"c\"=-\r\n";
    let second = "Windows Registry Editor Version 5.00\r\n\
        [-HKEY_LOCAL_MACHINE\\SOFTWARE\\a\\SUB]\r\n\
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\r\n\"DROP\"=-\r\n\"absent\"=-\r\n\
        [-HKEY_LOCAL_MACHINE\\SOFTWARE\\Never\\Existed]\r\n";
    let files = files(&[first, second]);
    assert!(files.warnings().is_empty(), "{:?}", warnings(&files));
    let view = files.view("HKLM\\SOFTWARE");
    assert_eq!(view.subkeys(""), Some(vec!["A".to_string(), "C".into()]));
    assert_eq!(view.subkeys("A"), Some(vec![]));
    assert_eq!(view.values("A\\Sub"), None);
    assert_eq!(
        view.values("A"),
        Some(vec![Value {
            name: "keep".into(),
            data: Data::Sz("1".into())
        }])
    );
    assert_eq!(view.values("C"), Some(vec![]));
    assert_eq!(view.values("B"), None);
    assert_eq!(view.origin(), "a.reg, b.reg [HKEY_LOCAL_MACHINE\\SOFTWARE]");

    // A later file can bring a deleted key back, without its old values.
    let mut files = files;
    let third = "Windows Registry Editor Version 5.00\r\n\
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\B]\r\n\"new\"=dword:00000002\r\n";
    assert!(files.add_text(third, "c.reg").is_ok());
    let view = files.view("HKLM\\SOFTWARE");
    assert_eq!(
        view.values("B"),
        Some(vec![Value {
            name: "new".into(),
            data: Data::Dword(2)
        }])
    );
}

#[test]
fn several_files_merge_and_later_values_win() {
    let cv = "Windows Registry Editor Version 5.00\r\n\
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n\
        \"UBR\"=dword:00000001\r\n";
    let roots = "Windows Registry Editor Version 5.00\r\n\
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\AuthRoot\\Certificates\\F40042E2E5F7E8EF8189FED15519AECE42C3BFA2]\r\n\
        \"Blob\"=hex:01,02\r\n\
        [HKEY_LOCAL_MACHINE\\SOFTWARE\\MICROSOFT\\windows nt\\currentversion]\r\n\
        \"UBR\"=dword:00000002\r\n";
    let files = files(&[cv, roots]);
    let view = files.view("HKEY_LOCAL_MACHINE\\software\\");
    assert_eq!(view.value(CV, "ubr"), Some(Data::Dword(2)));
    // The first spelling of a key name is kept.
    assert_eq!(
        view.subkeys("Microsoft"),
        Some(vec!["SystemCertificates".into(), "Windows NT".into()])
    );
    assert_eq!(view.subkeys(""), Some(vec!["Microsoft".to_string()]));
    assert_eq!(
        view.subkeys("Microsoft\\SystemCertificates\\AuthRoot\\Certificates"),
        Some(vec!["F40042E2E5F7E8EF8189FED15519AECE42C3BFA2".to_string()])
    );
    assert_eq!(
        files.view("").subkeys(""),
        Some(vec!["HKEY_LOCAL_MACHINE".to_string()])
    );
    assert_eq!(files.view("HKCU").subkeys(""), None);
    assert_eq!(files.files(), ["a.reg", "b.reg"]);
}

#[test]
fn regedit4_strings_are_ansi() {
    // REGEDIT4 files are in the ANSI code page: é is one byte (e9).
    let bytes = b"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Caf\xe9]\r\n\
        \"Name\"=\"Andr\xe9\"\r\n\
        \"Path\"=hex(2):25,77,69,6e,64,69,72,25,5c,e9,00\r\n\
        \"List\"=hex(7):61,00,62,\\\r\n  63,00,00\r\n\
        \"Count\"=dword:00000010\r\n";
    let (text, _) = decode_bytes(bytes);
    let files = files(&[&text]);
    assert!(files.warnings().is_empty(), "{:?}", warnings(&files));
    let view = files.view("HKLM\\SOFTWARE");
    assert_eq!(view.subkeys(""), Some(vec!["Café".to_string()]));
    assert_eq!(view.value("CAFÉ", "name"), Some(Data::Sz("André".into())));
    assert_eq!(
        view.value("Café", "Path"),
        Some(Data::ExpandSz("%windir%\\é".into()))
    );
    assert_eq!(
        view.value("Café", "List"),
        Some(Data::MultiSz(vec!["a".into(), "bc".into()]))
    );
    assert_eq!(view.value("Café", "Count"), Some(Data::Dword(16)));
}

#[test]
fn malformed_lines_are_warnings_and_the_rest_is_kept() {
    let text = "Windows Registry Editor Version 5.00\r\n\
        \"early\"=dword:00000001\r\n\
        [HKEY_LOCAL_MACHINE\\K]\r\n\
        \"good1\"=dword:00000001\r\n\
        \"bad-hex\"=hex:01,zz,03\r\n\
        \"bad-dword\"=dword:123456789\r\n\
        \"unterminated\"=\"abc\r\n\
        \"no-equals\" dword:00000001\r\n\
        \"unknown\"=float:1.5\r\n\
        \"trailing\"=\"a\" b\r\n\
        \"bad-kind\"=hex(zz):00\r\n\
        \"no-colon\"=hex(2)00\r\n\
        \"no-close\"=hex(2:00\r\n\
        \"long-byte\"=hex:100\r\n\
        \"name-unterminated=dword:00000001\r\n\
        what is this\r\n\
        [HKEY_LOCAL_MACHINE\\Broken\r\n\
        \"after-broken-header\"=dword:00000001\r\n\
        [HKEY_LOCAL_MACHINE\\K]\r\n\
        \"good2\"=hex:\\\r\n\
        \x20 01,02\r\n\
        [NotARoot\\Key]\r\n\
        \"kept\"=dword:00000003\r\n\
        []\r\n";
    let files = files(&[text]);
    let warnings = warnings(&files);
    assert_eq!(
        warnings,
        vec![
            "a.reg:2: value \"early\" before any key header",
            "a.reg:5: value \"bad-hex\": hex value byte 2 (\"zz\") is not hex",
            "a.reg:6: value \"bad-dword\": dword value \"123456789\" is not 1 to 8 hex digits",
            "a.reg:7: value \"unterminated\": string data: no closing quote",
            "a.reg:8: value \"no-equals\": expected '=' after the name",
            "a.reg:9: value \"unknown\": unknown data \"float:1.5\" (expected \"…\", -, dword:, hex: or hex(N):)",
            "a.reg:10: value \"trailing\": text after the closing quote: \"b\"",
            "a.reg:11: value \"bad-kind\": type hex(zz) is not hex",
            "a.reg:12: value \"no-colon\": expected ':' after hex(2)",
            "a.reg:13: value \"no-close\": hex( without closing )",
            "a.reg:14: value \"long-byte\": hex value byte 1 (\"100\") is not hex",
            "a.reg:15: value name: no closing quote",
            "a.reg:16: unrecognised line \"what is this\"; the values after it up to the next key are not read",
            "a.reg:17: key header without closing ']'",
            "a.reg:22: key path does not start with a root key such as HKEY_LOCAL_MACHINE: \"NotARoot\"",
            "a.reg:24: empty key path",
        ]
    );
    let view = files.view("HKLM");
    let names: Vec<String> = view
        .values("K")
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, vec!["good1", "good2"]);
    assert_eq!(view.value("K", "good2"), Some(Data::Binary(vec![1, 2])));
    assert_eq!(view.subkeys(""), Some(vec!["K".to_string()]));
    assert_eq!(
        files.view("NotARoot").value("Key", "kept"),
        Some(Data::Dword(3))
    );
}

#[test]
fn a_file_without_header_is_an_error_and_changes_nothing() {
    let mut files = RegFiles::new();
    for (text, expected) in [
        ("", "x.reg: not a .reg export: the file is empty"),
        ("\r\n  \r\n", "x.reg: not a .reg export: the file is empty"),
        (
            "[HKEY_LOCAL_MACHINE\\K]\r\n\"a\"=dword:00000001\r\n",
            "x.reg: not a .reg export: line 1: expected \"Windows Registry Editor Version 5.00\" \
             or \"REGEDIT4\", found \"[HKEY_LOCAL_MACHINE\\\\K]\"",
        ),
        (
            "Windows Registry Editor Version 4.00\r\n",
            "x.reg: not a .reg export: line 1: expected \"Windows Registry Editor Version 5.00\" \
             or \"REGEDIT4\", found \"Windows Registry Editor Version 4.00\"",
        ),
    ] {
        let err = files.add_text(text, "x.reg").err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some(expected));
    }
    assert!(files.files().is_empty());
    assert_eq!(files.view("").subkeys(""), Some(vec![]));
    assert_eq!(files.view("").origin(), "no .reg files");
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let mut files = RegFiles::new();
    let err = files.add_file(Path::new("no/such/file.reg")).err();
    assert!(
        matches!(&err, Some(RegistryError::Io { file, .. }) if file.ends_with("file.reg")),
        "{err:?}"
    );
}

#[test]
fn concatenated_exports_repeat_the_header() {
    let text = "Windows Registry Editor Version 5.00\r\n[HKEY_LOCAL_MACHINE\\A]\r\n\"a\"=dword:00000001\r\n\
        REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\B]\r\n\"b\"=hex(2):41,00\r\n";
    let files = files(&[text]);
    assert!(files.warnings().is_empty(), "{:?}", warnings(&files));
    assert_eq!(
        files.view("HKLM").value("B", "b"),
        Some(Data::ExpandSz("A".into()))
    );
}

#[test]
fn depth_and_warning_limits() {
    let deep = format!(
        "REGEDIT4\n[HKEY_LOCAL_MACHINE{}]\n\"a\"=dword:1\n",
        "\\k".repeat(MAX_DEPTH + 1)
    );
    let files_deep = files(&[&deep]);
    assert_eq!(
        warnings(&files_deep),
        vec![format!(
            "a.reg:2: key path deeper than {MAX_DEPTH} levels, ignored"
        )]
    );
    let ok = format!(
        "REGEDIT4\n[HKEY_LOCAL_MACHINE{}]\n",
        "\\k".repeat(MAX_DEPTH - 1)
    );
    assert!(files(&[&ok]).warnings().is_empty());

    let noisy = format!("REGEDIT4\n{}", "junk\n".repeat(250));
    let files_noisy = files(&[&noisy]);
    assert_eq!(files_noisy.warnings().len(), MAX_WARNINGS_PER_FILE + 1);
    assert_eq!(
        warnings(&files_noisy).last().map(String::as_str),
        Some("a.reg:252: 150 more bad lines not listed")
    );
}

#[test]
fn large_file_is_linear() {
    // 200,000 values in one key and 20,000 keys: a quadratic reader would
    // take minutes here.
    let mut text =
        String::from("Windows Registry Editor Version 5.00\n[HKEY_LOCAL_MACHINE\\Big]\n");
    for i in 0..200_000 {
        text.push_str(&format!("\"v{i}\"=dword:{i:08x}\n"));
    }
    for i in 0..20_000 {
        text.push_str(&format!("[HKEY_LOCAL_MACHINE\\Big\\k{i}]\n\"x\"=-\n"));
    }
    for i in 0..200_000 {
        text.push_str(&format!("[HKEY_LOCAL_MACHINE\\Big]\n\"v{i}\"=-\n"));
    }
    let started = std::time::Instant::now();
    let files = files(&[&text]);
    assert!(files.warnings().is_empty());
    assert_eq!(files.view("HKLM").values("Big"), Some(vec![]));
    assert_eq!(
        files.view("HKLM").subkeys("Big").map(|k| k.len()),
        Some(20_000)
    );
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

// ---- property tests ------------------------------------------------------

/// A key of a generated tree.
#[derive(Debug, Clone)]
struct TestKey {
    name: String,
    values: Vec<(String, Data)>,
    children: Vec<TestKey>,
}

/// Writes `key` and its subtree below `parent` the way regedit does:
/// strings as `"…"`, numbers as `dword:`, everything else as `hex(N):`
/// wrapped at about 80 columns with `\` continuations.
fn write_key(out: &mut String, parent: &str, key: &TestKey) {
    let path = format!("{parent}\\{}", key.name);
    out.push_str(&format!("[{path}]\r\n"));
    for (name, data) in &key.values {
        let start = out.len();
        if name.is_empty() {
            out.push('@');
        } else {
            out.push_str(&format!("\"{}\"", escape(name)));
        }
        out.push('=');
        let hex = |kind: Option<u32>, bytes: &[u8]| -> String {
            let mut s = match kind {
                None => "hex:".to_string(),
                Some(k) => format!("hex({k:x}):"),
            };
            let mut column = out.len() - start + s.len();
            for (i, b) in bytes.iter().enumerate() {
                s.push_str(&format!("{b:02x}"));
                column += 2;
                if i + 1 < bytes.len() {
                    s.push(',');
                    column += 1;
                    if column > 76 {
                        s.push_str("\\\r\n  ");
                        column = 2;
                    }
                }
            }
            s
        };
        let text = match data {
            Data::None => hex(Some(0), &[]),
            Data::Sz(s) => format!("\"{}\"", escape(s)),
            Data::ExpandSz(s) => hex(Some(2), &utf16(&format!("{s}\0"))),
            Data::MultiSz(list) => {
                let mut joined: String = list.iter().map(|s| format!("{s}\0")).collect();
                joined.push('\0');
                hex(Some(7), &utf16(&joined))
            }
            Data::Dword(n) => format!("dword:{n:08x}"),
            Data::Qword(n) => hex(Some(11), &n.to_le_bytes()),
            Data::Binary(b) => hex(None, b),
            Data::Other { kind, bytes } => hex(Some(*kind), bytes),
        };
        out.push_str(&text);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    for child in &key.children {
        write_key(out, &path, child);
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Checks that the view holds exactly the tree below `path`.
fn assert_same(view: &RegView<'_>, path: &str, key: &TestKey) -> Result<(), TestCaseError> {
    let mut expected_keys: Vec<String> = key.children.iter().map(|c| c.name.clone()).collect();
    crate::sort_names(&mut expected_keys);
    prop_assert_eq!(
        view.subkeys(path),
        Some(expected_keys),
        "subkeys of {}",
        path
    );
    let mut expected_values: Vec<Value> = key
        .values
        .iter()
        .map(|(name, data)| Value {
            name: name.clone(),
            data: data.clone(),
        })
        .collect();
    crate::sort_values(&mut expected_values);
    prop_assert_eq!(
        view.values(path),
        Some(expected_values),
        "values of {}",
        path
    );
    for child in &key.children {
        assert_same(view, &format!("{path}\\{}", child.name), child)?;
    }
    Ok(())
}

/// Names compare case-insensitively: keep the first of each folded name.
fn unique_by_fold<T>(items: Vec<T>, name: impl Fn(&T) -> &str) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|i| seen.insert(fold(name(i))))
        .collect()
}

fn text_strategy() -> impl Strategy<Value = String> {
    // Printable text with the characters that need escaping or care.
    "[a-zA-Z0-9 _.\\-\\\\\"'@=;\\[\\]{}é€ß日本]{0,12}"
}

fn data_strategy() -> impl Strategy<Value = Data> {
    let no_nul = "[a-zA-Z0-9 %\\\\\"é日]{0,10}";
    prop_oneof![
        Just(Data::None),
        text_strategy().prop_map(Data::Sz),
        no_nul.prop_map(Data::ExpandSz),
        prop::collection::vec("[a-zA-Z0-9 \\\\é]{1,6}", 0..4).prop_map(Data::MultiSz),
        any::<u32>().prop_map(Data::Dword),
        any::<u64>().prop_map(Data::Qword),
        prop::collection::vec(any::<u8>(), 0..100).prop_map(Data::Binary),
        (
            prop::sample::select(vec![0u32, 6, 8, 9, 10, 0x20, 0x4000_0000]),
            prop::collection::vec(any::<u8>(), 1..40)
        )
            .prop_map(|(kind, bytes)| Data::Other { kind, bytes }),
    ]
}

fn key_strategy() -> impl Strategy<Value = TestKey> {
    let values = || prop::collection::vec((text_strategy(), data_strategy()), 0..5);
    let name = "[a-zA-Z0-9 _.\\-'@=;\\[\\]{}é€日]{1,10}";
    let leaf = (name, values()).prop_map(|(name, values)| TestKey {
        name,
        values: unique_by_fold(values, |(n, _)| n),
        children: Vec::new(),
    });
    leaf.prop_recursive(4, 40, 5, move |inner| {
        (name, values(), prop::collection::vec(inner, 0..5)).prop_map(|(name, values, children)| {
            TestKey {
                name,
                values: unique_by_fold(values, |(n, _)| n),
                children: unique_by_fold(children, |c| &c.name),
            }
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let (text, _) = decode_bytes(&bytes);
        let mut files = RegFiles::new();
        let _ = files.add_text(&text, "bytes.reg");
        let _ = files.add_text(&format!("{HEADER_5}\n{text}"), "bytes.reg");
        let _ = files.add_text(&format!("{HEADER_4}\n{text}"), "bytes.reg");
        let view = files.view("");
        let _ = view.subkeys("");
        let _ = view.values("HKEY_LOCAL_MACHINE");
    }

    #[test]
    fn reg_like_lines_never_panic(lines in prop::collection::vec(
        "(\\[-?(HKLM|HKEY_CURRENT_USER)?(\\\\[a-z\\]\\-]{0,3}){0,3}\\]?|\"[a-z\\\\\"]{0,4}\"?|@)\
         ( ?= ?(-|\"[a-z\\\\\"]{0,4}\"?|dword:[0-9a-fz]{0,9}|hex(\\([0-9a-fz]{0,9}\\)?)?:?([0-9a-fz]{0,3},?){0,4}\\\\?))?",
        0..30,
    )) {
        let text = format!("{HEADER_5}\r\n{}", lines.join("\r\n"));
        let mut files = RegFiles::new();
        prop_assert!(files.add_text(&text, "lines.reg").is_ok());
        let view = files.view("HKLM");
        let _ = view.subkeys("");
        let _ = view.values("");
    }

    #[test]
    fn written_tree_reads_back_the_same(
        keys in prop::collection::vec(key_strategy(), 1..4),
        utf16_file in any::<bool>(),
    ) {
        let keys = unique_by_fold(keys, |k| &k.name);
        let mut text = String::from("Windows Registry Editor Version 5.00\r\n\r\n");
        for key in &keys {
            write_key(&mut text, "HKEY_LOCAL_MACHINE\\SOFTWARE", key);
        }
        let text = if utf16_file {
            let (decoded, replaced) = decode_bytes(&utf16le_with_bom(&text));
            prop_assert_eq!(replaced, 0);
            decoded
        } else {
            text
        };
        let mut files = RegFiles::new();
        prop_assert!(files.add_text(&text, "tree.reg").is_ok());
        prop_assert!(files.warnings().is_empty(), "{:?}\n{}", files.warnings(), text);
        let view = files.view("HKLM\\SOFTWARE");
        let root = TestKey { name: String::new(), values: Vec::new(), children: keys };
        assert_same(&view, "", &root)?;
    }
}
