//! The acsready rules database.
//!
//! A human-edited TOML file (`rules/acsready-rules.toml` in the repository)
//! holds every fact acsready applies, each with its `source` and `as_of`
//! date. It is embedded in the binary; users may load their own with
//! [`Rules::from_path`]. [`Rules::validate`] checks that every reference in
//! the file resolves, so a broken override is refused with a clear message
//! instead of giving wrong verdicts.

pub mod codes;
mod date;
mod model;
mod preflight;
mod products;
mod remediation;
mod text;
mod validate;
mod validate_preflight;
mod version;
mod windows;

use std::path::Path;

pub use date::{days_between, parse_day};
pub use model::*;
pub use preflight::*;
pub use products::*;
pub use remediation::*;
pub use text::{fill, placeholders, Lang, Localized, LocalizedList};
pub use version::{Version, VersionScheme};
pub use windows::*;

/// The rules shipped with acsready.
pub const EMBEDDED_RULES: &str = include_str!("../../../rules/acsready-rules.toml");
/// Where [`EMBEDDED_RULES`] comes from, for messages.
pub const EMBEDDED_ORIGIN: &str = "embedded rules (rules/acsready-rules.toml)";
/// The layout of the rules file this build understands.
pub const SCHEMA_VERSION: u32 = 1;

/// Why a rules file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{origin}: cannot read: {source}")]
    Io {
        origin: String,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}: schema_version {found} is not supported (this acsready reads schema_version {expected})")]
    Schema {
        origin: String,
        found: u32,
        expected: u32,
    },
    #[error("{origin}: {problems}")]
    Invalid { origin: String, problems: String },
}

impl Rules {
    /// The rules embedded in the binary.
    pub fn embedded() -> Result<Rules, RulesError> {
        Rules::from_toml(EMBEDDED_RULES, EMBEDDED_ORIGIN)
    }

    /// Reads and validates a rules file.
    pub fn from_path(path: &Path) -> Result<Rules, RulesError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Io {
            origin: origin.clone(),
            source,
        })?;
        Rules::from_toml(&text, &origin)
    }

    /// Parses and validates rules text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Rules, RulesError> {
        // Look at the schema first, so an old or new file gets the right message.
        #[derive(serde::Deserialize)]
        struct Head {
            schema_version: Option<u32>,
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let syntax = |e: toml::de::Error| RulesError::Syntax {
            origin: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        };
        let head: Head = toml::from_str(text).map_err(syntax)?;
        match head.schema_version {
            Some(SCHEMA_VERSION) => {}
            Some(found) => {
                return Err(RulesError::Schema {
                    origin: origin.to_string(),
                    found,
                    expected: SCHEMA_VERSION,
                })
            }
            None => {
                return Err(RulesError::Invalid {
                    origin: origin.to_string(),
                    problems: "missing schema_version".into(),
                })
            }
        }
        let mut rules: Rules = toml::from_str(text).map_err(syntax)?;
        rules.origin = origin.to_string();
        // Validation looks products and lines up too.
        rules.index();
        let problems = rules.validate();
        if !problems.is_empty() {
            return Err(RulesError::Invalid {
                origin: origin.to_string(),
                problems: problems.join("; "),
            });
        }
        Ok(rules)
    }
}

#[cfg(test)]
mod tests;
