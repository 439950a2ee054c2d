//! The table on a real terminal: acsready run under a pseudo-terminal of a
//! set size fits its width, shows host names, builds and codes whole, and
//! `--wide` shows everything. (Unix: the pseudo-terminal is opened through
//! the POSIX calls; on Windows the same layout is tested without one.)
#![cfg(unix)]

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcsetwinsize, Winsize};
use unicode_width::UnicodeWidthStr;

fn fleet() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fleet.ndjson")
}

fn acsready() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_acsready"));
    c.env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("ACSREADY_LANG")
        .env("LANG", "C")
        .env("TERM", "xterm");
    c
}

/// What `cmd` writes to standard output on a terminal `cols` wide, without
/// the terminal's carriage returns and colours; and its exit code.
fn on_terminal(cmd: Command, cols: u16) -> (String, i32) {
    let (text, code) = on_terminal_raw(cmd, cols);
    (strip_colours(&text), code)
}

/// As [`on_terminal`], with the colours kept.
fn on_terminal_raw(mut cmd: Command, cols: u16) -> (String, i32) {
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(OsStr::from_bytes(name.as_bytes()))
        .expect("open the terminal");
    let size = Winsize {
        ws_row: 40,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    tcsetwinsize(&terminal, size).expect("set the size");
    cmd.stdout(Stdio::from(terminal))
        .stderr(Stdio::null())
        .stdin(Stdio::null());
    let mut child = cmd.spawn().expect("acsready runs");
    // The command holds the terminal's descriptor: reading ends once the
    // child's copy is the only one and it has exited.
    drop(cmd);
    let mut master = std::fs::File::from(master);
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match master.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // EIO once the terminal is closed.
                Err(_) => break,
            }
        }
        bytes
    });
    let status = child.wait().expect("acsready ends");
    let bytes = reader.join().expect("reader");
    let text = String::from_utf8(bytes).expect("UTF-8").replace('\r', "");
    (text, status.code().expect("an exit code"))
}

fn strip_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters final-letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The host names, builds and codes of the example fleet, from its JSON report.
fn fleet_words() -> (Vec<String>, Vec<String>, Vec<String>) {
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(fleet())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hosts = report["hosts"].as_array().unwrap();
    let names = hosts
        .iter()
        .map(|h| h["host"].as_str().unwrap().to_string())
        .collect();
    let builds = hosts
        .iter()
        .filter_map(
            |h| match (h["os"]["build"].as_u64(), h["os"]["ubr"].as_u64()) {
                (Some(b), Some(u)) => Some(format!("{b}.{u}")),
                _ => None,
            },
        )
        .collect();
    let codes = hosts
        .iter()
        .flat_map(|h| h["findings"].as_array().unwrap().iter())
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    (names, builds, codes)
}

/// The table: the lines before the first empty one.
fn table(text: &str) -> Vec<&str> {
    text.lines().take_while(|l| !l.is_empty()).collect()
}

#[test]
fn the_table_fits_80_and_120_columns_and_cuts_nothing() {
    let (names, builds, codes) = fleet_words();
    for (cols, lang) in [(80u16, "en"), (120, "en"), (80, "ja"), (120, "ja")] {
        let mut cmd = acsready();
        cmd.args(["--lang", lang, "assess"]).arg(fleet());
        let (text, code) = on_terminal(cmd, cols);
        assert_eq!(code, 1, "{text}");
        for line in text.lines() {
            assert!(
                line.width() <= usize::from(cols),
                "{cols} {lang}: {} columns: {line:?}",
                line.width()
            );
        }
        let rows = table(&text);
        assert_eq!(rows.len(), names.len() + 1, "{cols} {lang}:\n{text}");
        for (row, name) in rows[1..].iter().zip(&names) {
            assert_eq!(row.split("  ").next(), Some(name.as_str()), "{row}");
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        for build in &builds {
            assert!(words.contains(&build.as_str()), "{cols} {lang}: {build}");
        }
        for word in rows.iter().flat_map(|r| r.split_whitespace()) {
            if word.starts_with("ACS") {
                assert!(codes.contains(&word.to_string()), "{cols} {lang}: {word}");
            }
        }
    }
}

#[test]
fn the_counts_alone_fit_too() {
    for lang in ["en", "ja"] {
        let mut cmd = acsready();
        cmd.args(["--lang", lang, "assess", "--summary"])
            .arg(fleet());
        let (text, code) = on_terminal(cmd, 60);
        assert_eq!(code, 1, "{text}");
        assert!(text.lines().count() > 1, "{text}");
        assert!(text.lines().all(|l| l.width() <= 60), "{text}");
        let piped = acsready()
            .args(["--lang", lang, "assess", "--summary"])
            .arg(fleet())
            .output()
            .unwrap();
        let piped = String::from_utf8(piped.stdout).unwrap();
        assert_eq!(piped.lines().count(), 1, "{piped}");
        // The same text, only broken into lines (Japanese between characters).
        let visible = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(visible(&text), visible(&piped));
    }
}

#[test]
fn a_wider_terminal_shows_more_and_columns_overrides_the_terminal() {
    let run = |cols: u16, env: Option<&str>, wide: bool| {
        let mut cmd = acsready();
        cmd.args(["--lang", "en", "assess"]).arg(fleet());
        if wide {
            cmd.arg("--wide");
        }
        if let Some(c) = env {
            cmd.env("COLUMNS", c);
        }
        on_terminal(cmd, cols).0
    };
    let at_80 = run(80, None, false);
    let at_120 = run(120, None, false);
    assert!(table(&at_120)[0].contains("OS"), "{at_120}");
    assert!(!table(&at_80)[0].contains("OS"), "{at_80}");
    assert!(at_120.contains("pin 20.0.0.6313"), "{at_120}");

    // COLUMNS is the width asked for.
    assert_eq!(run(120, Some("80"), false), at_80);

    // --wide: everything, however narrow the terminal.
    let wide = run(80, None, true);
    assert!(
        wide.contains("Deep Security Agent 20.0.0.5394 → pin 20.0.0.6313"),
        "{wide}"
    );
    assert!(wide.contains("Windows 10 1809 / LTSC 2019"), "{wide}");
    assert!(table(&wide).iter().any(|l| l.width() > 120), "{wide}");
    let piped = acsready()
        .args(["--lang", "en", "assess", "--wide"])
        .arg(fleet())
        .output()
        .unwrap();
    let piped = String::from_utf8(piped.stdout).unwrap();
    assert_eq!(table(&wide), table(&piped));
}

#[test]
fn colours_show_on_a_terminal_and_never_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.txt");
    let mut cmd = acsready();
    cmd.args(["assess"]).arg(fleet()).arg("--output").arg(&file);
    let (shown, code) = on_terminal(cmd, 100);
    assert_eq!((shown.as_str(), code), ("", 1));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains('\x1b'), "{text}");
    // A file gets the table in full, as a pipe does.
    let piped = acsready().args(["assess"]).arg(fleet()).output().unwrap();
    assert_eq!(text.as_bytes(), piped.stdout);

    // On the terminal itself, the verdicts are coloured.
    let mut cmd = acsready();
    cmd.args(["assess"]).arg(fleet());
    let (raw, _) = on_terminal_raw(cmd, 100);
    assert!(raw.contains("\x1b[31mnot ready\x1b[0m"), "{raw}");
}
