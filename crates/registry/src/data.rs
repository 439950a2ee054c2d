//! Raw registry data (type number + bytes) to [`Data`], shared by the hive
//! and the `.reg` readers so both give the same result for the same bytes.

use crate::Data;

impl Data {
    /// Decodes raw value data of registry type `kind`; strings are
    /// UTF-16LE, as in hives and in `hex(N):` data of version 5.00 `.reg`
    /// files.
    ///
    /// - fixed-size types (`REG_DWORD`, `REG_DWORD_BIG_ENDIAN`, `REG_QWORD`,
    ///   `REG_FILETIME` and the settings.dat composite numbers) are cut to
    ///   their size when longer, as Windows' typed readers and the hive
    ///   reader (notatin) do, so hives and `.reg` exports agree;
    /// - `REG_DWORD` or `REG_QWORD` with too few bytes, and every type
    ///   without a variant of its own, is [`Data::Other`];
    /// - `REG_SZ`/`REG_EXPAND_SZ` stop at the first NUL; `REG_MULTI_SZ`
    ///   drops trailing NULs and splits at the others; an odd last byte is
    ///   ignored and unpaired surrogates become U+FFFD.
    pub fn from_raw(kind: u32, bytes: &[u8]) -> Data {
        decode(kind, bytes, Text::Utf16)
    }
}

/// How string types are encoded in the raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// UTF-16LE code units (hives, `.reg` version 5.00).
    Utf16,
    /// One byte a character, Windows-1252 (`REGEDIT4` files).
    Ansi,
}

/// Size of the fixed-size types, by the low 12 bits of the type number
/// (notatin masks the device-property flag bits above them).
fn fixed_len(kind: u32) -> Option<usize> {
    match kind & 0xFFF {
        0x101 | 0x10B => Some(1),
        0x102 | 0x103 => Some(2),
        0x4 | 0x5 | 0x104 | 0x105 => Some(4),
        0xB | 0x10 | 0x106 | 0x107 => Some(8),
        _ => None,
    }
}

pub(crate) fn decode(kind: u32, bytes: &[u8], text: Text) -> Data {
    let bytes = match fixed_len(kind) {
        Some(n) if bytes.len() > n => &bytes[..n],
        _ => bytes,
    };
    match kind {
        0 if bytes.is_empty() => Data::None,
        1 => Data::Sz(first_string(bytes, text)),
        2 => Data::ExpandSz(first_string(bytes, text)),
        3 => Data::Binary(bytes.to_vec()),
        4 => match <[u8; 4]>::try_from(bytes) {
            Ok(b) => Data::Dword(u32::from_le_bytes(b)),
            Err(_) => other(kind, bytes),
        },
        7 => Data::MultiSz(strings(bytes, text)),
        11 => match <[u8; 8]>::try_from(bytes) {
            Ok(b) => Data::Qword(u64::from_le_bytes(b)),
            Err(_) => other(kind, bytes),
        },
        _ => other(kind, bytes),
    }
}

fn other(kind: u32, bytes: &[u8]) -> Data {
    Data::Other {
        kind,
        bytes: bytes.to_vec(),
    }
}

/// The characters of `bytes`, as code points (UTF-16 units or bytes).
fn units(bytes: &[u8], text: Text) -> Vec<u16> {
    match text {
        Text::Utf16 => bytes
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect(),
        Text::Ansi => bytes.iter().map(|&b| u16::from(b)).collect(),
    }
}

fn units_to_string(units: &[u16], text: Text) -> String {
    match text {
        Text::Utf16 => char::decode_utf16(units.iter().copied())
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
        Text::Ansi => units
            .iter()
            .map(|&u| windows_1252(u8::try_from(u).unwrap_or(b'?')))
            .collect(),
    }
}

fn first_string(bytes: &[u8], text: Text) -> String {
    let units = units(bytes, text);
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    units_to_string(&units[..end], text)
}

fn strings(bytes: &[u8], text: Text) -> Vec<String> {
    let units = units(bytes, text);
    let end = units.iter().rposition(|&u| u != 0).map_or(0, |i| i + 1);
    if end == 0 {
        return Vec::new();
    }
    units[..end]
        .split(|&u| u == 0)
        .map(|s| units_to_string(s, text))
        .collect()
}

/// Decodes one Windows-1252 byte (the usual ANSI code page of `REGEDIT4`
/// files); the five unassigned bytes map to the C1 controls, as Windows
/// does.
pub(crate) fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn strings_stop_at_nul() {
        assert_eq!(
            Data::from_raw(1, &utf16("abc\0junk")),
            Data::Sz("abc".into())
        );
        assert_eq!(
            Data::from_raw(2, &utf16("%SystemRoot%\0")),
            Data::ExpandSz("%SystemRoot%".into())
        );
        assert_eq!(Data::from_raw(1, &[]), Data::Sz(String::new()));
        // odd last byte ignored, lone surrogate replaced
        assert_eq!(Data::from_raw(1, &[0x41, 0, 0x42]), Data::Sz("A".into()));
        assert_eq!(
            Data::from_raw(1, &[0x00, 0xD8, 0x41, 0x00]),
            Data::Sz("\u{FFFD}A".into())
        );
    }

    #[test]
    fn multi_strings_split_at_nul() {
        assert_eq!(
            Data::from_raw(7, &utf16("a\0bc\0\0")),
            Data::MultiSz(vec!["a".into(), "bc".into()])
        );
        assert_eq!(
            Data::from_raw(7, &utf16("a\0\0b\0\0")),
            Data::MultiSz(vec!["a".into(), "".into(), "b".into()])
        );
        assert_eq!(Data::from_raw(7, &utf16("\0\0")), Data::MultiSz(vec![]));
        assert_eq!(Data::from_raw(7, &[]), Data::MultiSz(vec![]));
    }

    #[test]
    fn numbers_and_fixed_sizes() {
        assert_eq!(Data::from_raw(4, &[0x1f, 0, 0, 0]), Data::Dword(31));
        assert_eq!(Data::from_raw(4, &[1, 0, 0, 0, 9, 9]), Data::Dword(1));
        assert_eq!(
            Data::from_raw(4, &[1, 0]),
            Data::Other {
                kind: 4,
                bytes: vec![1, 0]
            }
        );
        assert_eq!(
            Data::from_raw(11, &[1, 0, 0, 0, 0, 0, 0, 1]),
            Data::Qword(0x0100_0000_0000_0001)
        );
        assert_eq!(
            Data::from_raw(5, &[0, 0, 0, 1, 2]),
            Data::Other {
                kind: 5,
                bytes: vec![0, 0, 0, 1]
            }
        );
        assert_eq!(
            Data::from_raw(0x10004, &[1, 2, 3, 4, 5]),
            Data::Other {
                kind: 0x10004,
                bytes: vec![1, 2, 3, 4]
            }
        );
    }

    #[test]
    fn none_binary_and_others() {
        assert_eq!(Data::from_raw(0, &[]), Data::None);
        assert_eq!(
            Data::from_raw(0, &[0, 0]),
            Data::Other {
                kind: 0,
                bytes: vec![0, 0]
            }
        );
        assert_eq!(Data::from_raw(3, &[1, 2]), Data::Binary(vec![1, 2]));
        assert_eq!(
            Data::from_raw(8, &[7]),
            Data::Other {
                kind: 8,
                bytes: vec![7]
            }
        );
    }

    #[test]
    fn ansi_strings() {
        assert_eq!(
            decode(2, b"%windir%\\x\x80\0", Text::Ansi),
            Data::ExpandSz("%windir%\\x€".into())
        );
        assert_eq!(
            decode(7, b"a\0\xe9\0\0", Text::Ansi),
            Data::MultiSz(vec!["a".into(), "é".into()])
        );
        assert_eq!(windows_1252(0x81), '\u{81}');
        assert_eq!(windows_1252(0x9F), 'Ÿ');
        assert_eq!(windows_1252(b'A'), 'A');
    }
}
