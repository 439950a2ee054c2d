//! Errors as standard error shows them.

/// An error and its causes, each said once: `{:#}` repeats a cause whose
/// text the message already holds (a library error that shows its source).
pub fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let shown = cause.to_string();
        if text.contains(&shown) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&shown);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A library error as `thiserror` writes `#[error("…: {source}")]`.
    #[derive(Debug)]
    struct ShowsItsSource {
        source: std::io::Error,
    }

    impl std::fmt::Display for ShowsItsSource {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "rules.toml: cannot read: {}", self.source)
        }
    }

    impl std::error::Error for ShowsItsSource {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    #[test]
    fn a_cause_already_in_the_message_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(ShowsItsSource { source: io });
        assert_eq!(error_text(&e), "rules.toml: cannot read: No such file");
        assert_eq!(
            format!("{e:#}"),
            "rules.toml: cannot read: No such file: No such file"
        );
    }

    #[test]
    fn context_and_causes_not_in_the_message_are_all_said() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(io).context("cannot open db.sqlite");
        assert_eq!(error_text(&e), "cannot open db.sqlite: No such file");
    }
}
