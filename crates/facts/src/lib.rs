//! Typed facts about one Windows host.
//!
//! Every acsready source (a facts JSON record, a registry hive, an event log,
//! a console export…) produces a [`HostFacts`]; the assessment reads nothing
//! else. A fact that is absent is *unknown*, never false: every field but
//! `host` is optional, and lists are `Option<Vec<_>>` so that "no updates
//! were collected" differs from "no updates are installed".
//!
//! The JSON form is documented in `docs/host-facts.md` and
//! `docs/host-facts.schema.json`.

mod build;
mod kb;
mod merge;
pub mod server;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use build::{parse_build, BuildError};
pub use kb::{kb_number, leading_kb, normalize_kb, KbError};
pub use server::{FileListing, ServiceFact};

/// Everything acsready may know about one host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostFacts {
    /// Host name as the fleet knows it (NetBIOS, FQDN or console display name).
    pub host: String,
    /// When the facts were collected (RFC 3339, e.g. "2026-11-01T09:30:00+09:00");
    /// normalized to UTC ("2026-11-01T00:30:00Z"). The fleet server stores one
    /// record per host and collection time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<OsFacts>,
    /// Installed updates as KB numbers ("KB5006714").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updates: Option<Vec<String>>,
    /// Certificates found in the local machine stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Vec<CertificateFact>>,
    /// The "Turn off Automatic Root Certificates Update" policy
    /// (`DisableRootAutoUpdate` = 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_auto_update_disabled: Option<bool>,
    /// Trend Micro products installed on the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<Vec<AgentFact>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryFacts>,
    /// Events from the Application log (and others) that may explain a symptom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventFact>>,
    /// Updates that are staged or wait for a restart: they do not count yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_updates: Option<Vec<String>>,
    /// What the vendor's EasyFix for System Certificates logged (`SCPeasyFix.txt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub easyfix: Option<EasyFix>,
    /// Where each fact came from: fact name ("os.ubr", "certificates") → source.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
    /// Facts on which two sources disagree (the first value is kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// The result line of the EasyFix for System Certificates log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EasyFix {
    /// "Fixing result is True": missing certificates were installed.
    Fixed,
    /// "No missing system certificate": nothing had to be installed.
    NothingMissing,
    /// Any other result.
    Failed,
}

/// Two sources gave different values for one fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub fact: String,
    /// (value, source) of every source, the kept one first.
    pub values: Vec<(String, String)>,
}

/// Values of `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OsFacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition_id: Option<String>,
    /// "Client", "Server" or "Server Core".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation_type: Option<String>,
    /// `CurrentBuild`, as a number or a string; "17763.2210" also gives the UBR.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "build::deserialize_opt_string_or_number"
    )]
    pub current_build: Option<String>,
    /// Update Build Revision, the number after the build ("17763.**2210**").
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "build::deserialize_opt_u32"
    )]
    pub ubr: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csd_version: Option<String>,
}

/// One certificate in one store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CertificateFact {
    /// SHA-1 thumbprint, 40 hex digits (spaces and colons are ignored).
    pub sha1: String,
    /// Store name as the collector wrote it ("ROOT", "AuthRoot", …).
    pub store: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Validity, as the certificate states it (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// SHA-1 of the certificate bytes stored under `sha1`, when a source could
    /// compute it; a value different from `sha1` means the store entry is not
    /// the certificate its name claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub der_sha1: Option<String>,
}

/// One installed Trend Micro product.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentFact {
    /// One of the product ids of the rules (`deep_security_agent`, …).
    pub product: String,
    /// Version as shown by the product ("20.0.0-6690" or "20.0.0.6690").
    #[serde(deserialize_with = "build::deserialize_string_or_number")]
    pub version: String,
}

/// Program delivery control on the host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryFacts {
    /// `…\PC-cillinNTCorp\CurrentVersion\Misc.\NoProgramUpgrade` = 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_program_upgrade: Option<bool>,
}

/// One event log record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventFact {
    pub id: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What acsready knows about one file to be deployed (an agent module or
/// installer), from its signature: the input of "what does this file demand of
/// a host".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleFacts {
    pub path: String,
    /// Signed with Azure Code Signing (chain to the ACS root, or the ACS EKU).
    pub acs_signed: bool,
    /// The PE header asks Windows to check the signature at load time
    /// (IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY, /INTEGRITYCHECK).
    pub force_integrity: bool,
    /// An installer package (MSI).
    pub installer: bool,
    /// ProductName and ProductVersion of an installer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_version: Option<String>,
}

/// What is wrong with a record that parsed as JSON but is not valid facts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("`host` is empty")]
    EmptyHost,
    #[error("os.current_build: {0}")]
    Build(#[from] BuildError),
    #[error("os.current_build says UBR {in_build} but os.ubr is {ubr}")]
    UbrConflict { in_build: u32, ubr: u32 },
    #[error("updates[{index}]: {source}")]
    Update { index: usize, source: KbError },
    #[error("pending_updates[{index}]: {source}")]
    Pending { index: usize, source: KbError },
    #[error("certificates[{index}].sha1 \"{value}\" is not a SHA-1 thumbprint (40 hex digits)")]
    Thumbprint { index: usize, value: String },
    #[error("agents[{index}].product is empty")]
    EmptyProduct { index: usize },
    #[error("collected_at \"{value}\" is not an RFC 3339 date and time (e.g. 2026-11-01T09:30:00+09:00)")]
    CollectedAt { value: String },
    #[error("collected_at \"{value}\" is outside the years {first} to {last} (in UTC)", first = COLLECTED_YEARS.0, last = COLLECTED_YEARS.1)]
    CollectedAtRange { value: String },
}

impl HostFacts {
    /// Checks the facts and brings them to canonical form: KB numbers as
    /// "KB<digits>", thumbprints as 40 upper-case hex digits, a
    /// "build.ubr" `current_build` split into build and UBR.
    pub fn normalize(&mut self) -> Result<(), FactsError> {
        trim_in_place(&mut self.host);
        if self.host.is_empty() {
            return Err(FactsError::EmptyHost);
        }
        if let Some(raw) = &mut self.collected_at {
            let at = rfc3339(raw).ok_or_else(|| {
                if beyond_time_stamps(raw) {
                    FactsError::CollectedAtRange { value: raw.clone() }
                } else {
                    FactsError::CollectedAt { value: raw.clone() }
                }
            })?;
            if !collected_year(at) {
                return Err(FactsError::CollectedAtRange { value: raw.clone() });
            }
            *raw = at.to_string();
        }
        if let Some(os) = &mut self.os {
            if let Some(raw) = &os.current_build {
                let (build, ubr) = parse_build(raw)?;
                match (ubr, os.ubr) {
                    (Some(in_build), Some(ubr)) if in_build != ubr => {
                        return Err(FactsError::UbrConflict { in_build, ubr })
                    }
                    (Some(in_build), None) => os.ubr = Some(in_build),
                    _ => {}
                }
                if !is_plain_number(raw, build) {
                    os.current_build = Some(build.to_string());
                }
            }
        }
        if let Some(updates) = &mut self.updates {
            for (index, kb) in updates.iter_mut().enumerate() {
                *kb = normalize_kb(kb).map_err(|source| FactsError::Update { index, source })?;
            }
        }
        if let Some(pending) = &mut self.pending_updates {
            for (index, kb) in pending.iter_mut().enumerate() {
                *kb = normalize_kb(kb).map_err(|source| FactsError::Pending { index, source })?;
            }
        }
        if let Some(certs) = &mut self.certificates {
            for (index, cert) in certs.iter_mut().enumerate() {
                let bad = |value: &str| FactsError::Thumbprint {
                    index,
                    value: value.to_string(),
                };
                if !is_thumbprint(&cert.sha1) {
                    cert.sha1 = normalize_thumbprint(&cert.sha1).ok_or_else(|| bad(&cert.sha1))?;
                }
                if let Some(der) = cert.der_sha1.as_mut().filter(|d| !is_thumbprint(d)) {
                    *der = normalize_thumbprint(der).ok_or_else(|| bad(der))?;
                }
            }
        }
        if let Some(agents) = &mut self.agents {
            for (index, agent) in agents.iter_mut().enumerate() {
                trim_in_place(&mut agent.product);
                trim_in_place(&mut agent.version);
                if agent.product.is_empty() {
                    return Err(FactsError::EmptyProduct { index });
                }
            }
        }
        Ok(())
    }

    /// The OS build number, if known and numeric (after [`normalize`](Self::normalize)).
    pub fn build(&self) -> Option<u32> {
        self.os.as_ref()?.current_build.as_deref()?.parse().ok()
    }

    /// The UBR, if known.
    pub fn ubr(&self) -> Option<u32> {
        self.os.as_ref()?.ubr
    }
}

/// Removes leading and trailing whitespace, allocating only when there is
/// some (most values have none).
fn trim_in_place(s: &mut String) {
    let trimmed = s.trim();
    if trimmed.len() != s.len() {
        *s = trimmed.to_string();
    }
}

/// Whether `raw` is already `build` written the normal way (digits, no
/// leading zero), so it need not be written again.
fn is_plain_number(raw: &str, build: u32) -> bool {
    raw.bytes().all(|b| b.is_ascii_digit())
        && (raw == "0" || !raw.starts_with('0'))
        && raw.parse() == Ok(build)
}

/// Whether `raw` is already a normal thumbprint: 40 upper-case hex digits.
fn is_thumbprint(raw: &str) -> bool {
    raw.len() == 40
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

/// An RFC 3339 date and time ("2026-11-01T09:30:00+09:00") in UTC
/// ("2026-11-01T00:30:00Z"); `None` when it is not one.
pub fn normalize_timestamp(raw: &str) -> Option<String> {
    rfc3339(raw)
        .filter(|t| collected_year(*t))
        .map(|t| t.to_string())
}

/// The first and last years (in UTC) of a `collected_at`: every instant of
/// them is a time stamp (the last instant the time stamps hold is in
/// 9999-12-30), and one rule holds for every reader, the command line's
/// and the server's alike.
pub const COLLECTED_YEARS: (i16, i16) = (1970, 9998);

/// Whether `at` falls in [`COLLECTED_YEARS`].
fn collected_year(at: jiff::Timestamp) -> bool {
    let year = at.to_zoned(jiff::tz::TimeZone::UTC).year();
    (COLLECTED_YEARS.0..=COLLECTED_YEARS.1).contains(&year)
}

/// Whether `raw` is an RFC 3339 date and time whose year lies beyond what
/// a time stamp holds (9999-12-31): one that reads with another year.
fn beyond_time_stamps(raw: &str) -> bool {
    let raw = raw.trim();
    let digits = raw.as_bytes().iter().take(4).all(u8::is_ascii_digit);
    digits
        && raw
            .get(4..)
            .is_some_and(|rest| rfc3339(&format!("2000{rest}")).is_some())
}

/// An RFC 3339 date and time with an offset, as an instant.
fn rfc3339(raw: &str) -> Option<jiff::Timestamp> {
    let raw = raw.trim();
    // RFC 3339 requires a full date, a time and an offset.
    let (date, rest) = raw.split_once(['T', 't', ' '])?;
    if date.len() != 10 || !rest.contains([':']) {
        return None;
    }
    raw.parse::<jiff::Timestamp>().ok()
}

/// Upper-case hex SHA-1 thumbprint without separators, or `None` if it is not one.
pub fn normalize_thumbprint(raw: &str) -> Option<String> {
    let hex: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | ':' | '-' | '\u{200e}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> HostFacts {
        let mut facts: HostFacts = serde_json::from_str(json).expect("valid json");
        facts.normalize().expect("valid facts");
        facts
    }

    #[test]
    fn build_with_ubr_is_split() {
        let f = parse(r#"{"host":"a","os":{"current_build":"17763.2210"}}"#);
        assert_eq!(f.build(), Some(17763));
        assert_eq!(f.ubr(), Some(2210));
    }

    #[test]
    fn numeric_build_and_string_ubr_are_accepted() {
        let f = parse(r#"{"host":"a","os":{"current_build":20348,"ubr":"261"}}"#);
        assert_eq!(f.build(), Some(20348));
        assert_eq!(f.ubr(), Some(261));
    }

    #[test]
    fn conflicting_ubr_is_an_error() {
        let mut f: HostFacts =
            serde_json::from_str(r#"{"host":"a","os":{"current_build":"17763.2210","ubr":2183}}"#)
                .unwrap();
        assert_eq!(
            f.normalize(),
            Err(FactsError::UbrConflict {
                in_build: 2210,
                ubr: 2183
            })
        );
    }

    #[test]
    fn missing_lists_stay_unknown() {
        let f = parse(r#"{"host":"a"}"#);
        assert!(f.updates.is_none() && f.certificates.is_none() && f.agents.is_none());
        let f = parse(r#"{"host":"a","updates":[],"certificates":[]}"#);
        assert_eq!(f.updates, Some(vec![]));
    }

    #[test]
    fn kb_and_thumbprints_are_canonical() {
        let f = parse(
            r#"{"host":" a ","updates":["kb5006714","5006729"],
               "certificates":[{"sha1":"f4 00 42 e2 e5 f7 e8 ef 81 89 fe d1 55 19 ae ce 42 c3 bf a2","store":"Root"}]}"#,
        );
        assert_eq!(f.host, "a");
        assert_eq!(f.updates.unwrap(), vec!["KB5006714", "KB5006729"]);
        assert_eq!(
            f.certificates.unwrap()[0].sha1,
            "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2"
        );
    }

    #[test]
    fn bad_values_are_errors_naming_the_field() {
        let mut f: HostFacts =
            serde_json::from_str(r#"{"host":"a","certificates":[{"sha1":"xyz","store":"ROOT"}]}"#)
                .unwrap();
        let err = f.normalize().unwrap_err().to_string();
        assert!(err.contains("certificates[0].sha1"), "{err}");
        let mut f: HostFacts = serde_json::from_str(r#"{"host":"  "}"#).unwrap();
        assert_eq!(f.normalize(), Err(FactsError::EmptyHost));
    }

    /// What normalizing a host collected at `at` says.
    fn collected_at(at: &str) -> Result<Option<String>, FactsError> {
        let mut f: HostFacts =
            serde_json::from_str(&format!(r#"{{"host":"a","collected_at":"{at}"}}"#)).unwrap();
        f.normalize().map(|()| f.collected_at)
    }

    #[test]
    fn collected_at_is_rfc3339_normalized_to_utc() {
        let f = parse(r#"{"host":"a","collected_at":"2026-11-01T09:30:00+09:00"}"#);
        assert_eq!(f.collected_at.as_deref(), Some("2026-11-01T00:30:00Z"));
        for bad in [
            "2026-11-01",
            "yesterday",
            "2026-11-01T09:30:00",
            "2026-13-01T00:00:00Z",
        ] {
            let err = collected_at(bad).unwrap_err().to_string();
            assert!(err.starts_with("collected_at"), "{bad}: {err}");
        }
    }

    #[test]
    fn collected_at_is_taken_from_1970_to_9998_in_utc() {
        for (good, utc) in [
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
            ("1970-01-01T09:00:00+09:00", "1970-01-01T00:00:00Z"),
            ("9998-12-31T23:59:59.999Z", "9998-12-31T23:59:59.999Z"),
            ("9999-01-01T08:59:59+09:00", "9998-12-31T23:59:59Z"),
        ] {
            assert_eq!(collected_at(good), Ok(Some(utc.into())), "{good}");
        }
        for bad in [
            "1969-12-31T23:59:59Z",
            "1970-01-01T08:59:59+09:00",
            "0000-01-01T00:00:00Z",
            "9999-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "9998-12-31T23:00:00-01:00",
        ] {
            let err = collected_at(bad).unwrap_err();
            assert_eq!(
                err,
                FactsError::CollectedAtRange { value: bad.into() },
                "{bad}"
            );
            assert!(err.to_string().contains("1970 to 9998"), "{err}");
            assert_eq!(normalize_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn unknown_fields_are_ignored_for_forward_compatibility() {
        let f = parse(r#"{"host":"a","collector":"v9","os":{"build_lab":"x"}}"#);
        assert_eq!(f.host, "a");
        assert_eq!(f.build(), None);
    }
}
