//! Input-kind detection on arbitrary bytes and on non-ASCII text: no panic
//! (a multibyte character may straddle any cut), and the same text gives
//! the same kind in UTF-8 and in UTF-16 with a byte order mark.
//!
//! Run with `cargo +nightly fuzz run input_kind` from this folder.

#![no_main]

use acsready_sources::detect_kind;
use libfuzzer_sys::fuzz_target;

/// Characters of several widths, so text from few fuzz bytes crosses the
/// detector's window at every offset.
const ALPHABET: [&str; 12] = [
    "a", "{", "[", "\"", ",", "日", "本", "é", "😀", "\u{feff}", "\"hostIdentifier\"", "\"computers\"",
];

fuzz_target!(|data: &[u8]| {
    let _ = detect_kind(data);
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text: String = if mode & 1 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        // Each byte a run of one alphabet entry: long texts from short inputs.
        rest.iter()
            .map(|b| ALPHABET[usize::from(b % 12)].repeat(usize::from(b / 12) + 1))
            .collect()
    };
    let text = if mode & 2 == 0 { text } else { format!("{{\"host\":\"{text}") };
    let utf8 = detect_kind(text.as_bytes());
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(utf8, detect_kind(&utf16), "UTF-8 and UTF-16 disagree");
});
