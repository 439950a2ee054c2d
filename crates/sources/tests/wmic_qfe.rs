//! `wmic qfe` output as real hosts write it: the first-run message before
//! the header (glued to it, or in ANSI before UTF-16 output), stray lines,
//! KB numbers with suffixes. Short reconstructions of the layouts of
//! github bitsadmin/wesng `validation/xp_sp1_x86_qfe.txt` (message glued to
//! an ASCII header), `validation/xp_sp2_x86_qfe.txt` (ANSI message, then
//! UTF-16 LE without a BOM) and `validation/srv_2012r2_x64_standard_ru_qfe.txt`
//! (a stray `cat q` line before the header), also in
//! `../shared/testdata/real/systeminfo/`.

use acsready_sources::{parse_hotfixes, HotfixFormat, Hotfixes, Note};

const HEADER: &str = "Caption                                     CSName    Description      FixComments  HotFixID      InstallDate  InstalledBy          InstalledOn  Name  ServicePackInEffect  Status  ";

fn row(caption: &str, host: &str, description: &str, id: &str) -> String {
    format!(
        "{caption:<44}{host:<10}{description:<17}{:<13}{id:<14}{:<13}{:<21}{:<13}{:<6}{:<21}{:<8}",
        "", "", "SYSTEM", "3/18/2014", "", "", ""
    )
}

/// A wmic table as `wmic qfe > file` writes it (CR CR LF line ends).
fn table(rows: &[String]) -> String {
    let mut out = format!("{HEADER}\r\r\n");
    for r in rows {
        out.push_str(r);
        out.push_str("\r\r\n");
    }
    out.push_str("\r\r\n");
    out
}

fn rows() -> Vec<String> {
    vec![
        row(
            "http://support.microsoft.com/?kbid=2919355",
            "WINXP01",
            "Update",
            "KB2919355",
        ),
        row("", "WINXP01", "Update", "KB893803v2"),
        row("", "WINXP01", "Hotfix", "KB2378111_WM9"),
        row("", "WINXP01", "Update", "KB2510531-IE8"),
        row("", "WINXP01", "", "File 1"),
    ]
}

const READ: [&str; 4] = ["KB2919355", "KB893803", "KB2378111", "KB2510531"];

fn parse(bytes: &[u8]) -> Hotfixes {
    parse_hotfixes(bytes, "qfe.txt").unwrap_or_else(|e| panic!("{e}"))
}

/// `offset`: the lines before the header.
fn check(out: &Hotfixes, offset: usize) {
    assert_eq!(out.format, HotfixFormat::WmicTable);
    assert_eq!(out.host.as_deref(), Some("WINXP01"), "{out:?}");
    let known: Option<Vec<&str>> = out
        .known_updates()
        .map(|u| u.iter().map(String::as_str).collect());
    assert_eq!(known, Some(READ.to_vec()), "{out:?}");
    // The suffixed entries are read, their raw text kept.
    let notes: Vec<Note> = [
        (3, "KB893803v2", "KB893803"),
        (4, "KB2378111_WM9", "KB2378111"),
        (5, "KB2510531-IE8", "KB2510531"),
    ]
    .iter()
    .map(|(line, raw, kb)| {
        Note::at(
            "qfe.txt",
            (line + offset) as u64,
            format!("hotfix \"{raw}\" read as {kb}"),
        )
    })
    .collect();
    assert_eq!(out.notes, notes);
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn a_plain_table_with_suffixed_ids() {
    let out = parse(&[&b"\xFF\xFE"[..], &utf16le(&table(&rows()))].concat());
    check(&out, 0);
    assert_eq!(
        Note::texts(&out.problems),
        ["qfe.txt:6: hotfix \"File 1\" is not a KB number; skipped"]
    );
}

#[test]
fn the_first_run_message_glued_to_the_header() {
    for message in [
        "Please wait while WMIC is being installed.",
        "Bitte warten Sie, während WMIC installiert wird.",
        "WMIC をインストールしています。お待ちください。",
    ] {
        let text = format!("{message}{}", table(&rows()));
        for bytes in [
            text.as_bytes().to_vec(),
            [&b"\xFF\xFE"[..], &utf16le(&text)].concat(),
        ] {
            let out = parse(&bytes);
            check(&out, 0);
            let first = &out.problems[0];
            assert!(
                (first.file.as_str(), first.line) == ("qfe.txt", Some(1))
                    && first.message.starts_with('"')
                    && first.message.contains("before the wmic header"),
                "{:?}",
                out.problems
            );
        }
    }
}

#[test]
fn the_first_run_message_in_ansi_before_utf16() {
    let bytes = [
        &b"Please wait while WMIC is being installed."[..],
        &utf16le(&table(&rows())),
    ]
    .concat();
    let out = parse(&bytes);
    check(&out, 1);
    assert_eq!(
        out.problems[0].to_string(),
        "qfe.txt:1: \"Please wait while WMIC is being installed.\" before the wmic header; skipped"
    );
}

#[test]
fn stray_lines_before_the_header() {
    let text = format!("cat q\r\nC:\\>wmic qfe\r\n{}", table(&rows()));
    let out = parse(text.as_bytes());
    check(&out, 2);
    assert_eq!(
        Note::texts(&out.problems)[..2],
        [
            "qfe.txt:1: \"cat q\" before the wmic header; skipped",
            "qfe.txt:2: \"C:\\>wmic qfe\" before the wmic header; skipped",
        ]
    );
    // The rows, not the stray line, give the host: two hosts never merge.
    assert_eq!(out.host.as_deref(), Some("WINXP01"));
}

#[test]
fn a_header_without_rows_or_a_cut_row_is_not_a_whole_list() {
    let out = parse(format!("{HEADER}\r\r\n\r\r\n").as_bytes());
    assert_eq!(out.known_updates(), None);
    assert!(
        Note::texts(&out.problems)[0].contains("without rows"),
        "{:?}",
        out.problems
    );
    // Cut inside the HotFixID column of the last row.
    let text = table(&rows()[..2]);
    let cut = text.find("KB893803v2").expect("the row") + 4;
    let out = parse(&text.as_bytes()[..cut]);
    assert_eq!(out.known_updates(), None, "{out:?}");
    assert_eq!(
        out.updates,
        Some(vec!["KB2919355".to_string()]),
        "KB89 is not used"
    );
    assert!(
        Note::texts(&out.problems)
            .iter()
            .any(|p| p.contains("cut?")),
        "{:?}",
        out.problems
    );
}
