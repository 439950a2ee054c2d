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

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = normalize_kb(&s);
        }
    }
}
