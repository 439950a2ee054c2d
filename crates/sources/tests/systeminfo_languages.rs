//! `systeminfo` in the display languages Windows ships, as `cmd` writes it
//! (the OEM code page) and as PowerShell captures it (UTF-16, long lines
//! hard-wrapped at the console width), list, CSV and table. The fixtures
//! in `tests/data/systeminfo/` reproduce real layouts; its README says
//! where each was seen.

use std::path::Path;

use acsready_sources::{parse_hotfixes, HotfixFormat, Hotfixes, Note};
use encoding_rs::{Encoding, BIG5, EUC_KR, GBK, IBM866, SHIFT_JIS};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/systeminfo")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Characters of the Western fixtures in code page 850, the OEM code page
/// `cmd` writes on Western European Windows (encoding_rs has no CP850).
fn cp850(text: &str) -> Vec<u8> {
    const MAP: [(char, u8); 19] = [
        ('ü', 0x81),
        ('é', 0x82),
        ('â', 0x83),
        ('ä', 0x84),
        ('à', 0x85),
        ('ç', 0x87),
        ('ê', 0x88),
        ('è', 0x8A),
        ('ï', 0x8B),
        ('ô', 0x93),
        ('ö', 0x94),
        ('û', 0x96),
        ('á', 0xA0),
        ('í', 0xA1),
        ('ó', 0xA2),
        ('ú', 0xA3),
        ('ñ', 0xA4),
        ('ã', 0xC6),
        ('ß', 0xE1),
    ];
    text.chars()
        .map(|c| match MAP.iter().find(|(m, _)| *m == c) {
            Some((_, b)) => *b,
            None => {
                assert!(c.is_ascii(), "{c:?} has no CP850 byte here");
                c as u8
            }
        })
        .collect()
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect()
}

/// Console cells of a character: 2 for East Asian wide ones.
fn cells(c: char) -> usize {
    match u32::from(c) {
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFF00..=0xFF60 => {
            2
        }
        _ => 1,
    }
}

/// What PowerShell 2 or `Out-File -Width 80` makes of the output: every
/// line cut into pieces of `width` console cells.
fn wrapped(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.split("\r\n") {
        let mut used = 0;
        for c in line.chars() {
            if used + cells(c) > width {
                out.push_str("\r\n");
                used = 0;
            }
            out.push(c);
            used += cells(c);
        }
        out.push_str("\r\n");
    }
    out
}

/// Every way the text reaches acsready: the OEM code page of `cmd`, UTF-8,
/// PowerShell's UTF-16, unwrapped and wrapped at several widths.
fn forms(text: &str, oem: Option<&'static Encoding>) -> Vec<(String, Vec<u8>)> {
    let oem_bytes = match oem {
        Some(encoding) => {
            let (bytes, _, bad) = encoding.encode(text);
            assert!(!bad, "the fixture fits {}", encoding.name());
            bytes.into_owned()
        }
        None => cp850(text),
    };
    vec![
        ("cmd, OEM code page".into(), oem_bytes),
        ("UTF-8".into(), text.as_bytes().to_vec()),
        ("PowerShell, UTF-16".into(), utf16le_bom(text)),
        (
            "PowerShell, wrapped at 80".into(),
            utf16le_bom(&wrapped(text, 80)),
        ),
        (
            "PowerShell, wrapped at 120".into(),
            utf16le_bom(&wrapped(text, 120)),
        ),
        // A narrower window cuts the version line and entries too.
        (
            "PowerShell, wrapped at 70".into(),
            utf16le_bom(&wrapped(text, 70)),
        ),
    ]
}

struct Want {
    file: &'static str,
    oem: Option<&'static Encoding>,
    host: &'static str,
    build: u32,
    kbs: &'static [&'static str],
}

const LISTS: &[Want] = &[
    Want {
        file: "ja-11.txt",
        oem: Some(SHIFT_JIS),
        host: "DESKTOP-JP11",
        build: 22000,
        kbs: &["KB5017264", "KB5012170", "KB5018418", "KB5017850"],
    },
    Want {
        file: "ja-2012r2.txt",
        oem: Some(SHIFT_JIS),
        host: "JPSRV01",
        build: 9600,
        kbs: &["KB2919355", "KB2919442", "KB5006714"],
    },
    Want {
        file: "de-7.txt",
        oem: None,
        host: "OLI7-PC",
        build: 7601,
        kbs: &["KB2849697", "KB2849696", "KB2841134"],
    },
    Want {
        file: "fr-7.txt",
        oem: None,
        host: "WIN-IDKKFN87EL8",
        build: 7601,
        kbs: &["KB2491683", "KB2506014", "KB2506928"],
    },
    Want {
        file: "es-10.txt",
        oem: None,
        host: "PC-ES01",
        build: 17763,
        kbs: &["KB4486553", "KB4465477", "KB4465664"],
    },
    Want {
        file: "it-10.txt",
        oem: None,
        host: "PC044",
        build: 17134,
        kbs: &["KB4100347", "KB4338853", "KB4343669"],
    },
    Want {
        file: "pt-BR-11.txt",
        oem: None,
        host: "AERO-DO-LG",
        build: 22621,
        kbs: &["KB5017271", "KB5019509", "KB5017233"],
    },
    Want {
        file: "nl-10.txt",
        oem: None,
        host: "DESKTOP-NL01",
        build: 17134,
        kbs: &["KB4230204", "KB4456655", "KB4457146"],
    },
    Want {
        file: "ru-2012r2.txt",
        oem: Some(IBM866),
        host: "DC",
        build: 9600,
        kbs: &["KB2919355", "KB2919442", "KB2937220"],
    },
    Want {
        file: "zh-CN-10.txt",
        oem: Some(GBK),
        host: "DESKTOP-0CQH3P2",
        build: 17763,
        kbs: &["KB4464455"],
    },
    Want {
        file: "zh-TW-10.txt",
        oem: Some(BIG5),
        host: "DESKTOP-TW01",
        build: 19045,
        kbs: &["KB5031356", "KB5032189"],
    },
    Want {
        file: "ko-10.txt",
        oem: Some(EUC_KR),
        host: "DESKTOP-KO01",
        build: 19045,
        kbs: &["KB5031356", "KB5032189"],
    },
    Want {
        file: "en-none.txt",
        oem: None,
        host: "DESKTOP-OOF6NB5",
        build: 17134,
        kbs: &[],
    },
    Want {
        file: "ja-none.txt",
        oem: Some(SHIFT_JIS),
        host: "DESKTOP-JP11",
        build: 22000,
        kbs: &[],
    },
];

fn read(bytes: &[u8], what: &str) -> Hotfixes {
    parse_hotfixes(bytes, "systeminfo.txt").unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn known(h: &Hotfixes) -> Option<Vec<&str>> {
    h.known_updates()
        .map(|u| u.iter().map(String::as_str).collect())
}

fn check(want: &Want, text: &str, label: &str) {
    for (form, bytes) in forms(text, want.oem) {
        let what = format!("{} ({label}), {form}", want.file);
        let h = read(&bytes, &what);
        assert_eq!(h.format, HotfixFormat::SysteminfoList, "{what}");
        assert_eq!(h.build, Some(want.build), "{what}: {:?}", h.problems);
        assert_eq!(
            known(&h),
            Some(want.kbs.to_vec()),
            "{what}: {:?}",
            h.problems
        );
        assert!(h.problems.is_empty(), "{what}: {:?}", h.problems);
        if !form.contains("OEM") || want.oem.is_some() {
            assert_eq!(h.host.as_deref(), Some(want.host), "{what}");
        }
    }
}

#[test]
fn every_language_reads_in_every_form() {
    for want in LISTS {
        check(want, &fixture(want.file), "as written");
    }
}

/// The labels of a language nobody tested: every label replaced by a word
/// the reader cannot know, the values left at their column.
fn unknown_labels(text: &str) -> String {
    text.split("\r\n")
        .enumerate()
        .map(|(i, line)| {
            if line.starts_with(' ') {
                return line.to_string();
            }
            let Some(colon) = line.find(':') else {
                return line.to_string();
            };
            let value = line[colon + 1..].trim_start();
            let column: usize = line[..line.len() - value.len()].chars().map(cells).sum();
            format!("{:<column$}{value}", format!("Qzx{i}:"))
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn a_language_nobody_tested_still_reads() {
    for want in LISTS {
        let text = unknown_labels(&fixture(want.file));
        assert!(!text.lines().any(|l| l.starts_with("Hotfix")), "{text}");
        check(want, &text, "unknown labels");
    }
}

#[test]
fn a_cut_japanese_list_is_partial() {
    let text = fixture("ja-7-cut.txt");
    for (form, bytes) in forms(&text, Some(SHIFT_JIS)) {
        let h = read(&bytes, &form);
        assert_eq!(h.build, Some(7601), "{form}");
        assert_eq!(h.hotfix_count, Some(294), "{form}");
        assert_eq!(known(&h), None, "{form}: 3 of 294 read");
        assert_eq!(
            h.updates.as_deref(),
            Some(
                &[
                    "KB2849697".to_string(),
                    "KB2849696".into(),
                    "KB3020369".into()
                ][..]
            ),
            "{form}"
        );
        assert!(
            h.problems.iter().any(|p| p
                .to_string()
                .contains("says 294 hotfixes are installed but lists 3")),
            "{form}: {:?}",
            h.problems
        );
    }
}

#[test]
fn csv_in_english_and_japanese() {
    let h = read(fixture("en-csv.csv").as_bytes(), "en-csv");
    assert_eq!(h.format, HotfixFormat::SysteminfoCsv);
    assert_eq!(
        (h.host.as_deref(), h.build),
        (Some("HIGHWAYSTAR"), Some(19044))
    );
    assert_eq!(known(&h), Some(vec!["KB5010472", "KB4537759", "KB4557968"]));
    let text = fixture("ja-csv.csv");
    for (form, bytes) in forms(&text, Some(SHIFT_JIS)) {
        let h = read(&bytes, &form);
        assert_eq!(h.format, HotfixFormat::SysteminfoCsv, "{form}");
        if form.contains("wrapped") {
            continue; // a CSV row is one line: wrapping breaks it
        }
        assert_eq!(h.build, Some(22000), "{form}");
        assert_eq!(
            known(&h),
            Some(vec!["KB5017264", "KB5012170", "KB5018418", "KB5017850"]),
            "{form}"
        );
    }
}

#[test]
fn a_table_gives_the_build_and_an_unknown_list() {
    let h = read(fixture("en-table.txt").as_bytes(), "en-table");
    assert_eq!(h.format, HotfixFormat::SysteminfoTable);
    assert_eq!(
        (h.host.as_deref(), h.build),
        (Some("HIGHWAYSTAR"), Some(19044))
    );
    assert_eq!(h.hotfix_count, Some(22));
    assert_eq!(known(&h), None, "the table cuts the hotfix column");
    assert!(
        Note::texts(&h.problems).iter().any(|p| p.contains("table")),
        "{:?}",
        h.problems
    );
}

#[test]
fn a_zero_count_is_none_and_a_count_without_entries_is_unknown() {
    let text = fixture("en-none.txt");
    let zero = text.replace(
        "Hotfix(s):                 N/A",
        "Hotfix(s):                 0 Hotfix(s) Installed.",
    );
    assert_ne!(zero, text);
    let h = read(zero.as_bytes(), "0 Hotfix(s)");
    assert_eq!((h.hotfix_count, known(&h)), (Some(0), Some(vec![])));
    let three = text.replace(
        "Hotfix(s):                 N/A",
        "Hotfix(s):                 3 Hotfix(s) Installed.",
    );
    let h = read(three.as_bytes(), "3 Hotfix(s), none listed");
    assert_eq!((h.hotfix_count, known(&h)), (Some(3), None));
    assert_eq!(h.updates, Some(vec![]), "read: nothing; whole: no");
}
