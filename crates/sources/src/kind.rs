//! What an input is, recognised from its content: the kind of a fleet
//! input (facts JSON, osquery results, a console export) from its first
//! bytes, and the host a facts record names even when it is invalid.

/// The kinds of fleet input, as recognised by [`detect_kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Host facts JSON (docs/host-facts.md).
    Facts,
    /// osquery results of the acsready query pack.
    Osquery,
    /// Deep Security Manager / Workload Security computers from the API.
    ConsoleJson,
    /// The console's CSV export of computers.
    ConsoleCsv,
}

/// Characters of the head searched for the names that tell the kinds apart.
const WINDOW_CHARS: usize = 4096;

/// The kind of an input, from its first bytes (any length, any encoding:
/// UTF-8, UTF-16 with a byte order mark, or bytes that are neither).
pub fn detect_kind(head: &[u8]) -> InputKind {
    let text = decode_head(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        // Cut at a character boundary: the head may be Japanese text.
        let end = t
            .char_indices()
            .nth(WINDOW_CHARS)
            .map_or(t.len(), |(i, _)| i);
        let window = &t[..end];
        if window.contains("\"hostIdentifier\"") || window.contains("\"diffResults\"") {
            return InputKind::Osquery;
        }
        if window.contains("\"computers\"")
            || window.contains("\"agentVersion\"")
            || window.contains("\"hostName\"")
        {
            return InputKind::ConsoleJson;
        }
        let osquery_columns = ["\"hotfix_id\"", "\"store_location\"", "\"platform_like\""];
        if t.starts_with('[') && osquery_columns.iter().any(|c| window.contains(c)) {
            return InputKind::Osquery;
        }
        return InputKind::Facts;
    }
    let first = t
        .lines()
        .next()
        .unwrap_or("")
        .to_lowercase()
        .replace([' ', '_', '-', '"'], "");
    if first.contains(',')
        && (first.contains("agentversion")
            || first.contains("platform")
            || first.contains("hostname"))
    {
        return InputKind::ConsoleCsv;
    }
    InputKind::Facts
}

/// The `"host"` a facts record names, even when the record is not valid
/// host facts (a bad value further on) or not valid JSON (cut short): a bad
/// record is then reported with its host.
pub fn record_host(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        host: Option<serde_json::Value>,
    }
    let named = match serde_json::from_str::<Named>(text) {
        Ok(Named {
            host: Some(serde_json::Value::String(h)),
        }) => Some(h),
        Ok(_) => None,
        // Not JSON as a whole: the first `"host": "…"` in it.
        Err(_) => first_host_member(text),
    };
    named
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && h.chars().count() <= 255)
}

/// The string value of the first `"host"` member of a JSON text that may be
/// broken further on.
fn first_host_member(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(at) = rest.find("\"host\"") {
        rest = &rest[at + 6..];
        let value = rest.trim_start().strip_prefix(':')?.trim_start();
        if let Some(quoted) = value.strip_prefix('"') {
            let mut escaped = false;
            for (i, c) in quoted.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        return serde_json::from_str(&value[..i + 2]).ok();
                    }
                    _ => escaped = false,
                }
            }
            return None;
        }
    }
    None
}

fn decode_head(head: &[u8]) -> String {
    let utf16 = |le: bool, b: &[u8]| {
        let units = b.chunks_exact(2).map(|p| {
            if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{fffd}'))
            .collect::<String>()
    };
    match head {
        [0xFF, 0xFE, rest @ ..] => utf16(true, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(false, rest),
        _ => String::from_utf8_lossy(head).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_recognised_by_content() {
        assert_eq!(detect_kind(br#"{"host":"a"}"#), InputKind::Facts);
        assert_eq!(detect_kind(br#"[{"host":"a","os":{}}]"#), InputKind::Facts);
        assert_eq!(
            detect_kind(br#"{"name":"pack_acsready_acsready_os_version","hostIdentifier":"w","columns":{}}"#),
            InputKind::Osquery
        );
        assert_eq!(
            detect_kind(br#"[{"hotfix_id":"KB5005625"}]"#),
            InputKind::Osquery
        );
        assert_eq!(
            detect_kind(br#"{"computers":[{"hostName":"w","agentVersion":"20.0.0.6313"}]}"#),
            InputKind::ConsoleJson
        );
        assert_eq!(detect_kind("\u{feff}Name,Platform,Agent Version\r\nw,Microsoft Windows Server 2019 (64 bit) (Build 17763),20.0.0.6313\r\n".as_bytes()), InputKind::ConsoleCsv);
    }

    #[test]
    fn a_bad_record_still_names_its_host() {
        let bad_value = r#"{"host":"web02","os":{"ubr":"x"}}"#;
        assert_eq!(record_host(bad_value).as_deref(), Some("web02"));
        let cut = r#"{"os":{"ubr":1},"host" : "db\"01","updates":["KB1"#;
        assert_eq!(record_host(cut).as_deref(), Some("db\"01"));
        assert_eq!(
            record_host(r#"{"host":"端末01","os":"#).as_deref(),
            Some("端末01")
        );
        assert_eq!(record_host(r#"{"host":42}"#), None);
        assert_eq!(record_host(r#"{"host":"  "}"#), None);
        assert_eq!(record_host(r#"{"host":"unterminated"#), None);
        assert_eq!(record_host("not json"), None);
    }

    #[test]
    fn multibyte_text_across_the_window_is_no_panic() {
        // Every offset of a 3-byte character around the window's end.
        for pad in 0..8 {
            let text = format!(
                "{{\"host\":\"{}{}\"}}",
                "a".repeat(4080 + pad),
                "日本語".repeat(20)
            );
            assert_eq!(detect_kind(text.as_bytes()), InputKind::Facts);
        }
        let wide = format!(
            "{{\"host\":\"{}\",\"hostIdentifier\":1}}",
            "端末".repeat(3000)
        );
        assert_eq!(
            detect_kind(wide.as_bytes()),
            InputKind::Facts,
            "past the window"
        );
        let ja = "{\"hostIdentifier\":\"端末\"}";
        assert_eq!(detect_kind(ja.as_bytes()), InputKind::Osquery);
    }
}
