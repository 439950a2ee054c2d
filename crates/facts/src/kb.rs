//! KB numbers of Windows updates.

/// Why an `updates` entry is not a KB number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{value}\" is not a KB number (expected e.g. KB5006714)")]
pub struct KbError {
    pub value: String,
}

/// "kb5006714", "KB 5006714" or "5006714" → "KB5006714".
pub fn normalize_kb(raw: &str) -> Result<String, KbError> {
    let trimmed = raw.trim();
    let digits = trimmed
        .get(..2)
        .filter(|p| p.eq_ignore_ascii_case("kb"))
        .map_or(trimmed, |_| trimmed[2..].trim_start());
    if !digits.is_empty() && digits.len() <= 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("KB{digits}"))
    } else {
        Err(KbError {
            value: raw.to_string(),
        })
    }
}

/// The KB number an update list entry starts with, and what follows it:
/// "KB893803v2" → ("KB893803", "v2"), "KB2510531-IE8 - Update" →
/// ("KB2510531", "-IE8 - Update"), "KB5006714" → ("KB5006714", ""). Old
/// tools list such entries (`wmic qfe`, `systeminfo` on XP to 7); the suffix
/// names a variant of the same update. `None` when the entry does not start
/// with "KB" and digits, or the digits run on into more than 10.
pub fn leading_kb(raw: &str) -> Option<(String, &str)> {
    let trimmed = raw.trim();
    let rest = trimmed
        .get(..2)
        .filter(|p| p.eq_ignore_ascii_case("kb"))
        .and_then(|_| trimmed.get(2..))?
        .trim_start();
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (digits, suffix) = rest.split_at(end);
    (!digits.is_empty() && digits.len() <= 10).then(|| (format!("KB{digits}"), suffix.trim()))
}

/// The number of a canonical "KB<digits>" string.
pub fn kb_number(kb: &str) -> Option<u64> {
    kb.strip_prefix("KB")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms() {
        assert_eq!(normalize_kb("kb5006714").unwrap(), "KB5006714");
        assert_eq!(normalize_kb("KB 5006714").unwrap(), "KB5006714");
        assert_eq!(normalize_kb("5006714").unwrap(), "KB5006714");
        assert!(normalize_kb("KB").is_err());
        assert!(normalize_kb("Security Update").is_err());
        assert!(normalize_kb("ｋｂ5").is_err());
        assert_eq!(kb_number("KB5006714"), Some(5006714));
    }

    #[test]
    fn leading_forms() {
        let kb = |s| leading_kb(s).map(|(kb, rest)| (kb, rest.to_string()));
        assert_eq!(kb("KB893803v2"), Some(("KB893803".into(), "v2".into())));
        assert_eq!(
            kb("KB2378111_WM9"),
            Some(("KB2378111".into(), "_WM9".into()))
        );
        assert_eq!(
            kb("KB2510531-IE8 - Update"),
            Some(("KB2510531".into(), "-IE8 - Update".into()))
        );
        assert_eq!(kb(" kb5006714 "), Some(("KB5006714".into(), String::new())));
        assert_eq!(kb("Q147222"), None);
        assert_eq!(kb("5006714"), None, "bare numbers are normalize_kb's");
        assert_eq!(kb("KB"), None);
        assert_eq!(kb("KB12345678901"), None);
        assert_eq!(kb("File 1"), None);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = normalize_kb(&s);
            if let Some((kb, _)) = leading_kb(&s) {
                prop_assert_eq!(normalize_kb(&kb), Ok(kb.clone()));
            }
        }
    }
}
