//! The files of a server's install folder: a copy of the folder, or a
//! listing written on the server by `dir /s /b` or `dir /s` (any language
//! of Windows; UTF-16 as `cmd /u` writes it, UTF-8, or the ANSI code page
//! such as CP932), or `Get-ChildItem -Recurse -Name` (relative paths).
//!
//! `dir /s` prints, for every folder, a header line with the folder's path
//! (" Directory of C:\…" in English, " C:\… のディレクトリ" in Japanese,
//! " C:\… 디렉터리" in Korean, " C:\… 的目录" in Chinese),
//! then one line per entry: date, time, `<DIR>` / `<JUNCTION>` or the size,
//! and the name. `dir /s /b` prints one full path per line. A listing with
//! at least one header is read as `dir /s`, otherwise as one path a line.

use std::path::Path;
use std::sync::OnceLock;

use acsready_facts::FileListing;
use regex::Regex;

use crate::SourceError;

/// Lines of a listing at most (a whole server volume has far fewer).
pub const MAX_LISTING_LINES: usize = 5_000_000;
/// Entries taken from a folder walk at most.
pub const MAX_WALK_ENTRIES: usize = 2_000_000;

fn entry_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^\s*\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}\.?\s+(?:午前|午後|오전|오후|上午|下午|[AaPp]\.?[Mm]\.?)?\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[AaPp]\.?[Mm]\.?|午前|午後|오전|오후|上午|下午))?\s+(<[A-Za-z]+>|[\d,.\x{a0}\x{202f}']+)\s+(.+?)\s*$",
        )
        .unwrap_or_else(|e| unreachable!("a fixed pattern: {e}"))
    })
}

/// The folder of a `dir /s` header line, if it is one.
fn header_path(line: &str) -> Option<String> {
    let start = line.char_indices().find_map(|(i, _)| {
        let rest = &line[i..];
        let b = rest.as_bytes();
        let drive = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\';
        (drive || rest.starts_with(r"\\")).then_some(i)
    })?;
    let path = line[start..].trim_end();
    // Japanese, Korean and Chinese put the word after the path.
    let path = ["のディレクトリ", "디렉터리", "的目录"]
        .iter()
        .find_map(|w| path.strip_suffix(w))
        .map(str::trim_end)
        .unwrap_or(path);
    let path = path.trim_end_matches('\\');
    // A drive root ("C:\\" → "C:") is a folder; separators alone are not.
    has_name(path).then(|| path.to_string())
}

/// Whether a path has a name between its separators.
fn has_name(path: &str) -> bool {
    path.split(['\\', '/']).any(|c| !c.is_empty())
}

/// Reads the text of a listing. An empty file, a binary file or text with
/// no path in it is an error naming the file.
pub fn parse_listing(bytes: &[u8], origin: &str) -> Result<FileListing, SourceError> {
    let bad = |message: &str| SourceError::Format {
        file: origin.to_string(),
        message: message.to_string(),
    };
    if bytes.is_empty() {
        return Err(bad(
            "empty file: expected the output of dir /s /b or dir /s",
        ));
    }
    let (text, _) = crate::text::decode(bytes);
    if text.contains('\0') {
        return Err(bad(
            "binary data: expected the text output of dir /s /b or dir /s",
        ));
    }
    let lines: Vec<&str> = text.lines().take(MAX_LISTING_LINES + 1).collect();
    if lines.len() > MAX_LISTING_LINES {
        return Err(bad(&format!(
            "more than {MAX_LISTING_LINES} lines: list the install folder only"
        )));
    }
    let mut paths = Vec::new();
    let mut folder: Option<String> = None;
    let mut headers = 0usize;
    for line in &lines {
        if let Some(caps) = entry_line().captures(line) {
            let kind = caps.get(1).map_or("", |m| m.as_str());
            let mut name = caps.get(2).map_or("", |m| m.as_str());
            if kind.starts_with('<') && kind != "<DIR>" {
                // <JUNCTION>, <SYMLINKD>: "name [target]".
                if let Some(open) = name.rfind(" [") {
                    name = &name[..open];
                }
            }
            if name == "." || name == ".." {
                continue;
            }
            if let Some(dir) = &folder {
                paths.push(format!("{dir}\\{name}"));
            }
            continue;
        }
        if let Some(dir) = header_path(line) {
            headers += 1;
            paths.push(dir.clone());
            folder = Some(dir);
        }
    }
    if headers == 0 {
        // dir /s /b, or relative paths: one path a line.
        paths = lines
            .iter()
            .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
            .filter(|l| !l.is_empty())
            .map(|l| l.trim_end_matches('\\').to_string())
            .filter(|l| has_name(l))
            .collect();
        if !paths.iter().any(|p| p.contains('\\')) {
            return Err(bad(
                "no path in it: expected the output of dir /s /b or dir /s (or a folder)",
            ));
        }
    }
    paths.sort();
    paths.dedup();
    Ok(FileListing {
        origin: origin.to_string(),
        paths,
    })
}

/// Walks a copy of the install folder (symbolic links are not followed);
/// paths start with the folder's own name.
pub fn walk_folder(dir: &Path) -> Result<FileListing, SourceError> {
    let root = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut paths = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), root)];
    while let Some((path, shown)) = stack.pop() {
        let entries = std::fs::read_dir(&path).map_err(|source| SourceError::Io {
            file: path.display().to_string(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| SourceError::Io {
                file: path.display().to_string(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if shown.is_empty() {
                name
            } else {
                format!("{shown}\\{name}")
            };
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if is_dir {
                stack.push((entry.path(), child.clone()));
            }
            paths.push(child);
            if paths.len() > MAX_WALK_ENTRIES {
                return Err(SourceError::Format {
                    file: dir.display().to_string(),
                    message: format!(
                        "more than {MAX_WALK_ENTRIES} entries: give the install folder only"
                    ),
                });
            }
        }
    }
    paths.sort();
    Ok(FileListing {
        origin: dir.display().to_string(),
        paths,
    })
}

/// The install folder given as a folder or as a listing file.
pub fn read_install_folder(path: &Path) -> Result<FileListing, SourceError> {
    if path.is_dir() {
        return walk_folder(path);
    }
    crate::read_then(path, parse_listing)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r"C:\Program Files (x86)\Trend Micro\OfficeScan";

    fn dir_s_ja() -> String {
        let top = format!(" {ROOT} のディレクトリ");
        let sub = format!(" {ROOT}\\AuthCertBackup のディレクトリ");
        [
            " ドライブ C のボリューム ラベルは Windows です",
            " ボリューム シリアル番号は 1234-ABCD です",
            "",
            &top,
            "",
            "2023/01/15  10:00    <DIR>          .",
            "2023/01/15  10:00    <DIR>          ..",
            "2023/01/15  10:00    <DIR>          AuthCertBackup",
            "2023/01/15  10:00    <JUNCTION>     Link [C:\\Target]",
            "2023/01/15  10:00            12,345 ofcscan.ini",
            "               1 個のファイル              12,345 バイト",
            "",
            &sub,
            "",
            "2023/01/15  10:00             2,048 OfficeScanAuth.dat",
            "     ファイルの総数:",
        ]
        .join("\r\n")
    }

    #[test]
    fn japanese_dir_s_in_cp932() {
        let text = dir_s_ja();
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        let l = parse_listing(&bytes, "list.txt").unwrap();
        assert!(l
            .find_suffix(r"AuthCertBackup\OfficeScanAuth.dat")
            .is_some());
        assert!(l.paths.contains(&format!("{ROOT}\\Link")));
        assert!(l.paths.contains(&format!("{ROOT}\\ofcscan.ini")));
        assert!(!l
            .paths
            .iter()
            .any(|p| p.ends_with("\\.") || p.ends_with("..")));
    }

    #[test]
    fn english_dir_s_in_utf16() {
        let header = format!(" Directory of {ROOT}\\Apex One\\iServiceSrv");
        let text = [
            " Volume in drive C has no label.",
            &header,
            "",
            "01/15/2023  10:00 AM    <DIR>          iVP",
            "01/15/2023  10:00 PM    <DIR>          iAC",
            "               0 File(s)              0 bytes",
        ]
        .join("\r\n");
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let l = parse_listing(&bytes, "list.txt").unwrap();
        assert!(l.find_suffix(r"iServiceSrv\iVP").is_some());
        assert!(l.find_suffix(r"iServiceSrv\iAC").is_some());
    }

    #[test]
    fn korean_and_chinese_headers() {
        for word in ["디렉터리", "的目录"] {
            let text =
                format!(" C:\\OSCE {word}\r\n\r\n2024-04-01  오전 09:00    <DIR>          iVP\r\n");
            let l = parse_listing(text.as_bytes(), "k.txt").unwrap();
            assert_eq!(l.paths, ["C:\\OSCE", "C:\\OSCE\\iVP"], "{word}");
        }
    }

    #[test]
    fn dir_s_b_is_one_path_a_line() {
        let text = format!(
            "{ROOT}\r\n{ROOT}\\AuthCertBackup\r\n{ROOT}\\AuthCertBackup\\OfficeScanAuth.dat\r\n"
        );
        let l = parse_listing(text.as_bytes(), "b.txt").unwrap();
        assert_eq!(l.paths.len(), 3);
        assert!(l
            .find_suffix(r"AuthCertBackup\OfficeScanAuth.dat")
            .is_some());
    }

    #[test]
    fn the_root_of_a_drive_is_a_folder() {
        let l = parse_listing(
            b" Directory of C:\\\r\n\r\n01/15/2023  10:00 AM    <DIR>          OfficeScan\r\n",
            "root.txt",
        )
        .unwrap();
        assert_eq!(l.paths, ["C:", r"C:\OfficeScan"]);
    }

    #[test]
    fn a_path_of_backslashes_is_no_entry() {
        // Found by fuzzing: a trailing "\\" read as a UNC header with no name.
        let l = parse_listing(b"C\\Apdx One\\iServ\\\\\n\\\\\n/\n", "f.txt").unwrap();
        assert_eq!(l.paths, [r"C\Apdx One\iServ"]);
        let l = parse_listing(
            b" \\\\\\/\r\n01/15/2023  10:00 AM    <DIR>          x\r\n",
            "g.txt",
        );
        assert!(l.is_err(), "{l:?}");
    }

    #[test]
    fn not_a_listing_is_an_error_naming_the_file() {
        for bad in [&b""[..], b"hello world\r\n", b"\x00\x01\x02\x03"] {
            let err = parse_listing(bad, "bad.txt").unwrap_err().to_string();
            assert!(err.starts_with("bad.txt: "), "{err}");
        }
    }

    #[test]
    fn a_folder_is_walked() {
        let dir = std::env::temp_dir().join(format!("acsready-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let root = dir.join("OfficeScan");
        std::fs::create_dir_all(root.join("AuthCertBackup")).unwrap();
        std::fs::write(root.join("AuthCertBackup/OfficeScanAuth.dat"), b"x").unwrap();
        let l = read_install_folder(&root).unwrap();
        assert!(l
            .paths
            .contains(&r"OfficeScan\AuthCertBackup\OfficeScanAuth.dat".to_string()));
        assert!(read_install_folder(&dir.join("missing")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse_listing(&bytes, "p.txt");
        }

        /// The rule of docs/host-facts.md: a listing cut anywhere or
        /// damaged is an error or still lists paths, and only paths of
        /// its folders; it never reads as an empty folder.
        #[test]
        fn a_damaged_listing_is_never_an_empty_folder(
            at in proptest::sample::select((0..600usize).collect::<Vec<_>>()),
            edits in proptest::collection::vec((proptest::num::usize::ANY, proptest::num::u8::ANY, 0u8..4), 0..4),
        ) {
            let text = dir_s_ja();
            let cut = text.as_bytes()[..at.min(text.len())].to_vec();
            let bytes = acsready_testkit::apply_edits(cut, &edits);
            if let Ok(l) = parse_listing(&bytes, "p.txt") {
                proptest::prop_assert!(!l.paths.is_empty());
            }
        }

        #[test]
        fn dir_b_paths_round_trip(names in proptest::collection::vec("[A-Za-z0-9_().-]{1,12}( [A-Za-z0-9_().-]{1,5})?", 1..6)) {
            let path = format!("C:\\{}", names.join("\\"));
            let l = parse_listing(path.as_bytes(), "p.txt").unwrap();
            let last = names.last().unwrap();
            proptest::prop_assert!(l.find_suffix(last).is_some());
            proptest::prop_assert_eq!(l.paths, vec![path]);
        }
    }
}
