//! The log of Trend Micro's EasyFix for System Certificates.
//!
//! `EasyFixSysCerts.exe A1`, run as administrator, installs the root and
//! intermediate certificates the agents need and writes `Log\SCPeasyFix.txt`
//! beside itself. Seed 000 says how to read it: "Fixing result is True" at
//! the end means every step succeeded, "No missing system certificate" means
//! nothing was missing, and anything else is a failure.
//!
//! The seeds do not show the whole log, so this reader assumes only that the
//! result is stated on a line of its own kind, and decides by the **last**
//! marker line in the file (a log may hold several runs, and the last run
//! counts), matching case-insensitively and with any spacing:
//!
//! * "Fixing result is True" → [`EasyFixResult::Fixed`];
//! * "Fixing result is" followed by anything else (`False`, an error text,
//!   nothing) → [`EasyFixResult::Failed`];
//! * "No missing system certificate(s)" → [`EasyFixResult::NothingMissing`].
//!
//! A log that states no result is unknown, never a failure: no marker line
//! at all (an empty log, one cut short by a crash or a copy), or a last
//! marker line that the file ends in (no line break after it) with a value
//! other than `True` or `False` ("Fixing result is Tr": cut) is an error
//! naming the file (and the line), saying to run EasyFix again and collect
//! the whole log.
//!
//! The text may be UTF-8, UTF-16 with BOM, or Shift_JIS / Windows-1252; a
//! file that is binary data is an error. The last text that looks like a date
//! or time ("2023/03/29 10:15:30", "2023-03-29T10:15:30", "3/29/2023 10:15:30
//! AM", "2023年3月29日 10:15", "10:15:30") is returned as the log's time, as
//! written.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::text;
use crate::SourceError;

/// The result the log states; the same as the facts' [`EasyFix`](acsready_facts::EasyFix).
pub type EasyFixResult = acsready_facts::EasyFix;

/// What an EasyFix log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EasyFixLog {
    pub result: EasyFixResult,
    /// The line that decided the result, trimmed; `None` when no line did.
    pub line: Option<String>,
    /// Its 1-based line number.
    pub line_number: Option<u64>,
    /// The last date or time written in the log, as written.
    pub timestamp: Option<String>,
}

static FIXING_RESULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)fixing\s*result\s*(?:is|:|=)\s*:?\s*([^\s.,;:!]*)").expect("valid regex")
});
static NOTHING_MISSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)no\s+missing\s+system\s+certificates?").expect("valid regex")
});
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // 2023-03-29 10:15:30.123, 2023/03/29T10:15, 2023.03.29
        r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:(?:[ T]|,\s*)+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp][Mm])?)?",
        // 3/29/2023 10:15:30 AM, 29.03.2023 10:15
        r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}(?:(?:\s|,\s*)+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp][Mm])?)?",
        // 2023年3月29日 10:15:30
        r"|\d{4}年\s*\d{1,2}月\s*\d{1,2}日(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?",
        // 10:15:30 alone
        r"|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b",
    ))
    .expect("valid regex")
});

/// Reads the EasyFix log at `path`.
pub fn read_easyfix_log(path: &Path) -> Result<EasyFixLog, SourceError> {
    crate::read_then(path, parse_easyfix_log)
}

/// Parses an EasyFix log held in memory; `file` names it in errors.
pub fn parse_easyfix_log(bytes: &[u8], file: &str) -> Result<EasyFixLog, SourceError> {
    let (text, _) = text::decode(bytes);
    text::not_binary(
        &text,
        file,
        "expected the text log of EasyFix for System Certificates (SCPeasyFix.txt)",
    )?;
    let mut log = EasyFixLog {
        result: EasyFixResult::Failed,
        line: None,
        line_number: None,
        timestamp: None,
    };
    let lines: Vec<&str> = text::lines(&text).collect();
    let cut = !text.trim_end_matches([' ', '\t']).ends_with('\n');
    let mut cut_value = None;
    for (index, &line) in lines.iter().enumerate() {
        if let Some(stamp) = TIMESTAMP.find_iter(line).last() {
            log.timestamp = Some(stamp.as_str().to_string());
        }
        // The later marker in the line decides, as the later line does.
        let fixing = FIXING_RESULT
            .captures_iter(line)
            .last()
            .and_then(|c| Some((c.get(0)?.start(), c.get(1)?.as_str().to_string())));
        let nothing = NOTHING_MISSING.find_iter(line).last().map(|m| m.start());
        let last = cut && index + 1 == lines.len();
        // The value ends the file: it may be cut ("Tr" of "True").
        let ends_file = FIXING_RESULT
            .captures_iter(line)
            .last()
            .and_then(|c| c.get(0))
            .is_some_and(|m| m.end() >= line.trim_end().len());
        cut_value = match &fixing {
            Some((_, value))
                if last
                    && ends_file
                    && !value.eq_ignore_ascii_case("true")
                    && !value.eq_ignore_ascii_case("false") =>
            {
                Some(value.clone())
            }
            _ => None,
        };
        let result = match (fixing, nothing) {
            (Some((at, _)), Some(n)) if n > at => EasyFixResult::NothingMissing,
            (Some((_, value)), _) if value.eq_ignore_ascii_case("true") => EasyFixResult::Fixed,
            (Some(_), _) => EasyFixResult::Failed,
            (None, Some(_)) => EasyFixResult::NothingMissing,
            (None, None) => continue,
        };
        log.result = result;
        log.line = Some(line.trim().to_string());
        log.line_number = Some(index as u64 + 1);
    }
    let unknown = |line: String, why: &str| SourceError::Format {
        file: format!("{file}{line}"),
        message: format!(
            "{why}, so the result of EasyFix for System Certificates is unknown; run it again \
             and collect the whole Log\\SCPeasyFix.txt"
        ),
    };
    match (&log.line_number, cut_value) {
        (None, _) => Err(unknown(
            String::new(),
            "the log states no result (no \"Fixing result is …\" or \"No missing system \
             certificate\" line: EasyFix did not finish, or the file was cut)",
        )),
        (Some(n), Some(value)) => Err(unknown(
            format!(":{n}"),
            &format!(
                "the file ends in its result line (\"Fixing result is {value}\", no line break \
                 after it: it was cut)"
            ),
        )),
        (Some(_), None) => Ok(log),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> EasyFixLog {
        parse_easyfix_log(text.as_bytes(), "SCPeasyFix.txt").unwrap()
    }

    const FIXED: &str = "\
[2023/03/29 10:15:01] EasyFix for System Certificates start\r
[2023/03/29 10:15:02] Checking certificate: Microsoft Identity Verification Root Certificate Authority 2020\r
[2023/03/29 10:15:03] Certificate is missing, installing\r
[2023/03/29 10:15:04] Fixing result is True\r
";

    #[test]
    fn fixed_nothing_missing_and_failed() {
        let log = parse(FIXED);
        assert_eq!(log.result, EasyFixResult::Fixed);
        assert_eq!(
            log.line.as_deref(),
            Some("[2023/03/29 10:15:04] Fixing result is True")
        );
        assert_eq!(log.line_number, Some(4));
        assert_eq!(log.timestamp.as_deref(), Some("2023/03/29 10:15:04"));

        let log = parse("start\nNo missing system certificate\nend 2023-03-29T10:15:30\n");
        assert_eq!(log.result, EasyFixResult::NothingMissing);
        assert_eq!(log.line_number, Some(2));
        assert_eq!(log.timestamp.as_deref(), Some("2023-03-29T10:15:30"));

        let log = parse("3/29/2023 10:15:30 AM Fixing result is False\n");
        assert_eq!(log.result, EasyFixResult::Failed);
        assert_eq!(
            log.line.as_deref(),
            Some("3/29/2023 10:15:30 AM Fixing result is False")
        );
        assert_eq!(log.timestamp.as_deref(), Some("3/29/2023 10:15:30 AM"));

        // Something other than True is a failure, whatever it says.
        assert_eq!(
            parse("Fixing result is error 5").result,
            EasyFixResult::Failed
        );
        assert_eq!(parse("FIXING RESULT IS TRUE.").result, EasyFixResult::Fixed);
        assert_eq!(parse("fixing result: true").result, EasyFixResult::Fixed);
    }

    #[test]
    fn the_last_marker_decides() {
        let log = parse("Fixing result is False\nretry\nFixing result is True\n");
        assert_eq!(
            (log.result, log.line_number),
            (EasyFixResult::Fixed, Some(3))
        );
        let log = parse("Fixing result is True\nNo missing system certificate\n");
        assert_eq!(log.result, EasyFixResult::NothingMissing);
        let log = parse("No missing system certificate\nFixing result is False\n");
        assert_eq!(log.result, EasyFixResult::Failed);
        let log = parse("No missing system certificates. Fixing result is True");
        assert_eq!(log.result, EasyFixResult::Fixed);
    }

    #[test]
    fn no_result_is_unknown_not_a_failure() {
        for text in [
            "",
            "\r\n",
            "EasyFix start\r\nInstalling certificate 1 of 3\r\n",
        ] {
            let error = parse_easyfix_log(text.as_bytes(), "SCPeasyFix.txt").unwrap_err();
            assert!(
                error
                    .to_string()
                    .starts_with("SCPeasyFix.txt: the log states no result"),
                "{error}"
            );
        }
        // Cut in the result line: "Tr" is not "False".
        let error =
            parse_easyfix_log(&FIXED.as_bytes()[..FIXED.len() - 4], "SCPeasyFix.txt").unwrap_err();
        assert!(
            error.to_string().starts_with(
                "SCPeasyFix.txt:4: the file ends in its result line (\"Fixing result is Tr\""
            ),
            "{error}"
        );
        // Without a final line break, a whole value still reads.
        assert_eq!(parse(FIXED.trim_end()).result, EasyFixResult::Fixed);
        assert_eq!(
            parse("Fixing result is False").result,
            EasyFixResult::Failed
        );
    }

    proptest! {
        /// The rule of docs/host-facts.md: the log cut anywhere never reads
        /// as a result the whole log does not state.
        #[test]
        fn a_cut_log_never_states_another_result(at in 0usize..FIXED.len()) {
            if let Ok(log) = parse_easyfix_log(&FIXED.as_bytes()[..at], "x") {
                prop_assert_eq!(log.result, EasyFixResult::Fixed);
            }
        }
    }

    #[test]
    fn encodings() {
        let log = parse_easyfix_log(&text::utf16le_with_bom(FIXED), "x").unwrap();
        assert_eq!(
            (log.result, log.line_number),
            (EasyFixResult::Fixed, Some(4))
        );
        let ja =
            "2023年3月29日 10:15:30 証明書を確認しています\r\nNo missing system certificate\r\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(ja);
        let log = parse_easyfix_log(&sjis, "x").unwrap();
        assert_eq!(log.result, EasyFixResult::NothingMissing);
        assert_eq!(log.timestamp.as_deref(), Some("2023年3月29日 10:15:30"));
        let error = parse_easyfix_log(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "x").unwrap_err();
        assert!(error.to_string().contains("binary data"), "{error}");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_easyfix_log(&bytes, "x");
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}", marker in 0usize..4) {
            let marker = ["", "Fixing result is True", "No missing system certificate", "Fixing result is"][marker];
            let input = format!("{text}\n{marker}{text}");
            let _ = parse_easyfix_log(input.as_bytes(), "x");
            let _ = parse_easyfix_log(&text::utf16le_with_bom(&input), "x");
        }
    }
}
