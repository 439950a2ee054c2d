//! The text `reg query KEY` prints: the key's values (and the names of its
//! subkeys), for collections that need a few values of a key whose subkeys
//! must not be copied (`CurrentVersion\Winlogon` may hold a password).
//!
//! ```text
//! HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion
//!     CurrentBuild    REG_SZ    17763
//!     UBR    REG_DWORD    0x89f
//!
//! HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon
//! ```
//!
//! Windows XP's reg.exe 3.0 separates the columns with tabs and starts with
//! `! REG.EXE VERSION 3.0`; both forms are read. Data are shown as reg.exe
//! formats them: numbers as `0x…`, binary as hex digits, multi-strings joined
//! by a literal `\0`, the default value named `(Default)` (or a translation
//! such as `(既定)`).

use crate::{Data, RegistryError, Value};

/// One key of the output: its full path and the values listed under it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct QueriedKey {
    pub path: String,
    pub values: Vec<Value>,
}

/// Whether a text looks like `reg query` output (a key path first).
pub(crate) fn looks_like(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    let first = if first.starts_with("! REG.EXE") {
        lines.next().unwrap_or("")
    } else {
        first
    };
    is_key_line(first)
}

fn is_key_line(line: &str) -> bool {
    let upper = line.to_ascii_uppercase();
    ["HKEY_", "HKLM\\", "HKCU\\", "HKU\\", "HKCR\\", "HKCC\\"]
        .iter()
        .any(|p| upper.starts_with(p))
}

/// Splits `name<sep>REG_TYPE<sep>data` where sep is tabs or 2+ spaces.
fn split_value(line: &str) -> Option<(&str, &str, &str)> {
    let mut search = 0;
    while let Some(found) = line[search..].find("REG_") {
        let at = search + found;
        let before_ok = at > 0 && line[..at].ends_with([' ', '\t']);
        let kind_end = line[at..].find([' ', '\t']).map_or(line.len(), |e| at + e);
        let kind = &line[at..kind_end];
        if before_ok
            && kind[4..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_')
        {
            let name = line[..at].trim_end_matches([' ', '\t']);
            let data = line[kind_end..].trim_start_matches([' ', '\t']);
            // reg.exe puts four spaces between columns; strip only those.
            return Some((name, kind, data));
        }
        search = at + 4;
    }
    None
}

fn parse_data(kind: &str, data: &str) -> Result<Data, String> {
    let number = |s: &str| -> Result<u64, String> {
        let s = s.trim();
        let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"));
        match hex {
            Some(h) => u64::from_str_radix(h, 16),
            None => s.parse(),
        }
        .map_err(|_| format!("\"{s}\" is not a number"))
    };
    let bytes = |s: &str| -> Result<Vec<u8>, String> {
        let s = s.trim();
        if !s.len().is_multiple_of(2) {
            return Err(format!("\"{s}\" is not hex bytes"));
        }
        (0..s.len())
            .step_by(2)
            .map(|i| {
                s.get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
                    .ok_or_else(|| format!("\"{s}\" is not hex bytes"))
            })
            .collect()
    };
    Ok(match kind {
        "REG_SZ" => Data::Sz(data.to_string()),
        "REG_EXPAND_SZ" => Data::ExpandSz(data.to_string()),
        "REG_MULTI_SZ" => Data::MultiSz(
            data.split("\\0")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        "REG_DWORD" | "REG_DWORD_LITTLE_ENDIAN" => Data::Dword(
            u32::try_from(number(data)?).map_err(|_| format!("\"{data}\" does not fit a DWORD"))?,
        ),
        "REG_QWORD" | "REG_QWORD_LITTLE_ENDIAN" => Data::Qword(number(data)?),
        "REG_BINARY" => Data::Binary(bytes(data)?),
        "REG_NONE" if data.trim().is_empty() => Data::None,
        "REG_NONE" => Data::Other {
            kind: 0,
            bytes: bytes(data)?,
        },
        other => return Err(format!("unknown value type {other}")),
    })
}

/// A bad line, and the path of the key it follows (whose values it may
/// have held), if any.
pub(crate) type Warning = (Option<String>, RegistryError);

/// Reads the output; bad lines are returned as warnings (line number,
/// message), each with the key it follows. Output whose last line has no
/// line break was cut short: that line is a warning too.
pub(crate) fn parse(
    text: &str,
    origin: &str,
) -> Result<(Vec<QueriedKey>, Vec<Warning>), RegistryError> {
    if !looks_like(text) {
        return Err(RegistryError::NotRegFile {
            file: origin.to_string(),
            message: "not the output of `reg query` (it should start with a key such as HKEY_LOCAL_MACHINE\\…)".into(),
        });
    }
    let mut keys: Vec<QueriedKey> = Vec::new();
    let mut warnings = Vec::new();
    let cut = !text.trim_end_matches([' ', '\t']).ends_with('\n');
    let whole = if cut {
        // The last line may be cut anywhere, a value's data included.
        text.rfind('\n').map_or("", |at| &text[..at + 1])
    } else {
        text
    };
    for (n, raw) in whole.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with("! REG.EXE") {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if !indented && is_key_line(line.trim()) {
            keys.push(QueriedKey {
                path: line.trim().to_string(),
                values: Vec::new(),
            });
            continue;
        }
        let warn = |message: String| RegistryError::Syntax {
            file: origin.to_string(),
            line: n as u64 + 1,
            message,
        };
        let Some(key) = keys.last_mut() else {
            warnings.push((None, warn("a value before any key".into())));
            continue;
        };
        let Some((name, kind, data)) = split_value(line.trim_start_matches([' ', '\t'])) else {
            warnings.push((
                Some(key.path.clone()),
                warn(format!("\"{}\" is neither a key nor a value", line.trim())),
            ));
            continue;
        };
        let name = if name == "<NO NAME>"
            || (name.starts_with('(') && name.ends_with(')') && !name.contains('\\'))
        {
            // "(Default)" and its translations: the unnamed value.
            ""
        } else {
            name
        };
        match parse_data(kind, data) {
            Ok(data) => key.values.push(Value {
                name: name.to_string(),
                data,
            }),
            Err(message) => warnings.push((
                Some(key.path.clone()),
                warn(format!("value \"{name}\": {message}")),
            )),
        }
    }
    if cut {
        let line = text.lines().count() as u64;
        warnings.push((
            keys.last().map(|k| k.path.clone()),
            RegistryError::Syntax {
                file: origin.to_string(),
                line,
                message: "the output ends in the middle of this line (it was cut short): the \
                          line is not read, and what followed is lost"
                    .into(),
            },
        ));
    }
    Ok((keys, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OUTPUT: &str = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n    SystemRoot    REG_SZ    C:\\Windows\r\n    CurrentBuild    REG_SZ    17763\r\n    UBR    REG_DWORD    0x89f\r\n    ProductName    REG_SZ    Windows Server 2019 Standard\r\n    DigitalProductId    REG_BINARY    A40000000300\r\n    InstallTime    REG_QWORD    0x1d7c0a0a0a0a0a0\r\n    Multi    REG_MULTI_SZ    a\\0b c\\0\r\n    (Default)    REG_SZ    x\r\n    Empty    REG_SZ    \r\n\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\r\n";

    #[test]
    fn values_of_a_key_and_its_subkey_names() {
        let (keys, warnings) = parse(OUTPUT, "cv.txt").unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(keys.len(), 2);
        assert!(keys[1].path.ends_with("\\Winlogon") && keys[1].values.is_empty());
        let v = |name: &str| {
            keys[0]
                .values
                .iter()
                .find(|v| v.name == name)
                .map(|v| v.data.clone())
        };
        assert_eq!(v("UBR"), Some(Data::Dword(2207)));
        assert_eq!(
            v("ProductName"),
            Some(Data::Sz("Windows Server 2019 Standard".into()))
        );
        assert_eq!(v("SystemRoot"), Some(Data::Sz("C:\\Windows".into())));
        assert_eq!(
            v("DigitalProductId"),
            Some(Data::Binary(vec![0xA4, 0, 0, 0, 3, 0]))
        );
        assert_eq!(
            v("Multi"),
            Some(Data::MultiSz(vec!["a".into(), "b c".into()]))
        );
        assert_eq!(v(""), Some(Data::Sz("x".into())));
        assert_eq!(v("Empty"), Some(Data::Sz(String::new())));
        assert!(matches!(v("InstallTime"), Some(Data::Qword(_))));
    }

    #[test]
    fn windows_xp_reg_exe_3_output() {
        let xp = "\r\n! REG.EXE VERSION 3.0\r\n\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n\tCurrentBuildNumber\tREG_SZ\t2600\r\n\tCSDVersion\tREG_SZ\tService Pack 3\r\n\t<NO NAME>\tREG_SZ\t\r\n";
        let (keys, warnings) = parse(xp, "xp.txt").unwrap();
        assert_eq!(keys[0].values[0].data, Data::Sz("2600".into()));
        assert_eq!(keys[0].values[1].data, Data::Sz("Service Pack 3".into()));
        assert_eq!(warnings.len(), 0, "{warnings:?}");
    }

    #[test]
    fn bad_lines_are_warnings_and_other_text_is_refused() {
        let text = "HKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n    N    REG_DWORD    0xZZ\r\n    garbage\r\n    M    REG_SZ    ok\r\n";
        let (keys, warnings) = parse(text, "x.txt").unwrap();
        assert_eq!(keys[0].values.len(), 1);
        assert_eq!(warnings.len(), 2);
        assert!(
            warnings[0]
                .1
                .to_string()
                .starts_with("x.txt:2: value \"N\""),
            "{}",
            warnings[0].1
        );
        assert_eq!(
            warnings[0].0.as_deref(),
            Some("HKEY_LOCAL_MACHINE\\SOFTWARE\\X")
        );
        // Cut in the middle of a line: that line is not read.
        let (_, warnings) = parse(&text[..text.len() - 4], "x.txt").unwrap();
        assert_eq!(warnings.len(), 3);
        assert!(
            warnings[2]
                .1
                .to_string()
                .starts_with("x.txt:4: the output ends in the middle of this line"),
            "{}",
            warnings[2].1
        );
        assert!(parse("Host Name: WEB01\r\n", "systeminfo.txt").is_err());
        assert!(looks_like("\r\n\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\r\n"));
    }

    #[test]
    fn query_output_and_reg_files_share_one_view() {
        use crate::{RegFiles, RegistryView};
        let mut files = RegFiles::new();
        files
            .add_query_output(OUTPUT.as_bytes(), "web01/CurrentVersion.txt")
            .unwrap();
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\ROOT\\Certificates]\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert!(!RegFiles::is_query_output(&utf16));
        assert!(RegFiles::is_query_output(OUTPUT.as_bytes()));
        files.add_bytes(&utf16, "web01/Cert-ROOT.reg").unwrap();
        let view = files.view("HKLM\\SOFTWARE");
        assert_eq!(
            view.value("Microsoft\\Windows NT\\CurrentVersion", "ubr"),
            Some(Data::Dword(2207))
        );
        assert_eq!(
            view.subkeys("Microsoft\\Windows NT\\CurrentVersion"),
            Some(vec!["Winlogon".to_string()])
        );
        assert_eq!(
            view.subkeys("Microsoft\\SystemCertificates\\ROOT\\Certificates"),
            Some(vec![])
        );
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse(&format!("HKEY_LOCAL_MACHINE\\X\n    {text}"), "p.txt");
            let _ = parse(&text, "p.txt");
        }
    }
}
