//! Decoding of the text files Windows tools write.
//!
//! `cmd.exe` redirection (`>`) of `wmic` writes UTF-16 LE with a byte order
//! mark, PowerShell 5 `Out-File` writes UTF-16 LE, newer tools write UTF-8
//! with or without a BOM, and older tools write the ANSI code page (Shift_JIS
//! on Japanese Windows, Windows-1252 on Western ones). [`decode`] accepts all
//! of them and never fails: it picks the first of these that fits.
//!
//! 1. a byte order mark (UTF-8, UTF-16 LE, UTF-16 BE);
//! 2. UTF-16 without a BOM, recognised by NUL bytes in every other place of
//!    ASCII text;
//! 3. valid UTF-8;
//! 4. Shift_JIS, when the bytes are valid Shift_JIS;
//! 5. Windows-1252, which maps every byte.
//!
//! Invalid UTF-16 (lone surrogates) becomes U+FFFD.

use std::borrow::Cow;

use encoding_rs::{Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How [`decode`] read the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    ShiftJis,
    Windows1252,
}

/// Decodes `bytes` (see the module documentation); the BOM is removed.
pub(crate) fn decode(bytes: &[u8]) -> (Cow<'_, str>, TextEncoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest), TextEncoding::Utf8);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (utf16(UTF_16LE, rest), TextEncoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (utf16(UTF_16BE, rest), TextEncoding::Utf16Be);
    }
    match utf16_without_bom(bytes) {
        Some(TextEncoding::Utf16Le) => return (utf16(UTF_16LE, bytes), TextEncoding::Utf16Le),
        Some(TextEncoding::Utf16Be) => return (utf16(UTF_16BE, bytes), TextEncoding::Utf16Be),
        _ => {}
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (Cow::Borrowed(text), TextEncoding::Utf8);
    }
    if let Some(text) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        return (text, TextEncoding::ShiftJis);
    }
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    (text, TextEncoding::Windows1252)
}

fn utf16<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Cow<'a, str> {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Cow::Owned(text.into_owned())
}

/// UTF-16 without a BOM: in the first 64 byte pairs, at least half the pairs
/// have a NUL on one side and a non-NUL on the other, always the same side.
fn utf16_without_bom(bytes: &[u8]) -> Option<TextEncoding> {
    let pairs: Vec<(u8, u8)> = bytes
        .chunks_exact(2)
        .take(64)
        .map(|p| (p[0], p[1]))
        .collect();
    if pairs.len() < 2 {
        return None;
    }
    let le = pairs.iter().filter(|(a, b)| *a != 0 && *b == 0).count();
    let be = pairs.iter().filter(|(a, b)| *a == 0 && *b != 0).count();
    if le * 2 >= pairs.len() && be == 0 {
        Some(TextEncoding::Utf16Le)
    } else if be * 2 >= pairs.len() && le == 0 {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Fails when the decoded `text` of `file` [looks binary](looks_binary):
/// `expected` says what the reader wanted instead.
pub(crate) fn not_binary(text: &str, file: &str, expected: &str) -> Result<(), crate::SourceError> {
    if looks_binary(text) {
        return Err(crate::SourceError::format(
            file,
            format!("{expected}, found binary data"),
        ));
    }
    Ok(())
}

/// The first character of JSON `text` of `file`, `[` or `{`; anything else
/// (or nothing) fails, naming what `expected` wanted and what was found.
pub(crate) fn json_start(
    text: &str,
    file: &str,
    expected: &str,
) -> Result<char, crate::SourceError> {
    match text.trim_start().chars().next() {
        Some(c @ ('[' | '{')) => Ok(c),
        Some(_) => Err(crate::SourceError::format(
            file,
            format!("{expected}, found {}", describe_start(text)),
        )),
        None => Err(crate::SourceError::format(
            file,
            format!("{expected}, found an empty file"),
        )),
    }
}

/// Whether decoded text looks like binary data rather than a text file:
/// NUL characters, or more than 1 in 16 of its first 4096 characters are C0
/// controls other than tab, CR, LF and form feed (or U+FFFD, the mark of bytes
/// that decoded to nothing).
pub(crate) fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut odd = 0usize;
    for c in text.chars().take(4096) {
        total += 1;
        if c == '\0' {
            return true;
        }
        if (c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\x0C')) || c == '\u{FFFD}' {
            odd += 1;
        }
    }
    total > 0 && odd * 16 > total
}

/// Lines of `text` without their terminators: LF, CRLF and the CR CR LF that
/// `wmic` writes when its output is redirected.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.trim_end_matches('\r'))
}

/// Collapses runs of ASCII whitespace (space, tab, CR, LF, form feed) into
/// one space and trims the ends; other spaces (U+3000) are kept.
pub(crate) fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_ascii_whitespace()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Short description of the start of `text` for error messages.
pub(crate) fn describe_start(text: &str) -> String {
    let start: String = text
        .trim_start()
        .chars()
        .take(40)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("{:?}", start.trim_end())
}

#[cfg(test)]
pub(crate) fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_recognised() {
        let text = "修正プログラム: 1 個\r\n[01]: KB5005625\r\n";
        let bytes = utf16le_with_bom(text);
        let (decoded, enc) = decode(&bytes);
        assert_eq!((decoded.as_ref(), enc), (text, TextEncoding::Utf16Le));
        let bom_less: Vec<u8> = utf16le_with_bom("HotFixID\r\nKB1\r\n")[2..].to_vec();
        assert_eq!(
            decode(&bom_less),
            ("HotFixID\r\nKB1\r\n".into(), TextEncoding::Utf16Le)
        );
        let be: Vec<u8> = "ab".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&be).1, TextEncoding::Utf16Be);
        let mut utf8 = b"\xEF\xBB\xBF".to_vec();
        utf8.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&utf8), (text.into(), TextEncoding::Utf8));
        let (sjis, _, _) = SHIFT_JIS.encode(text);
        assert_eq!(decode(&sjis), (text.into(), TextEncoding::ShiftJis));
        assert_eq!(
            decode(b"caf\xE9 \x81"),
            ("café \u{81}".into(), TextEncoding::Windows1252)
        );
        assert_eq!(decode(b""), ("".into(), TextEncoding::Utf8));
    }

    #[test]
    fn helpers() {
        assert_eq!(squeeze("  a\r\n\t b\u{3000}c  "), "a b\u{3000}c");
        assert_eq!(lines("a\r\r\nb\nc").collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(looks_binary("MZ\0\0"));
        assert!(!looks_binary("Fixing result is True\r\n"));
    }
}
