//! What a file to be deployed demands of a host: an ACS-signed module linked
//! with /INTEGRITYCHECK loads only on a host that is ready, and an ACS-signed
//! installer that the rules say checks the host refuses one that is not.

use acsready_facts::ModuleFacts;
use acsready_rules::{Lang, Rules, Version};
use serde::{Deserialize, Serialize};

use crate::findings::{plain, text_ref};
use crate::model::TextRef;
use crate::render;

/// The demand of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demand {
    pub requires_acs_ready_host: bool,
    /// Why, in one line.
    pub reason: String,
    /// The text `reason` is rendered from, for rendering it in another language.
    #[serde(skip)]
    pub reason_text: Option<TextRef>,
    /// The product the installer is of, when the rules know it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Whether that product line's installer refuses hosts that are not ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installer_checks_host: Option<bool>,
}

/// The product id and line of an installer, from its ProductName and version.
fn product_of<'r>(
    m: &ModuleFacts,
    rules: &'r Rules,
) -> Option<(&'r str, Option<&'r acsready_rules::AgentLine>)> {
    let name = m.product_name.as_deref()?.to_lowercase();
    let product = rules.products.iter().find(|p| {
        p.display_names
            .iter()
            .any(|d| name.starts_with(&d.to_lowercase()))
    })?;
    let line = m
        .product_version
        .as_deref()
        .and_then(Version::parse)
        .and_then(|v| rules.agent_line(&product.id, &v));
    Some((product.id.as_str(), line))
}

/// What `m` demands of a host: `requires_acs_ready_host` is ACS-signed and
/// (FORCE_INTEGRITY, or an installer whose line checks the host).
pub fn module_demand(m: &ModuleFacts, rules: &Rules, lang: Lang) -> Demand {
    let found = if m.installer {
        product_of(m, rules)
    } else {
        None
    };
    let product = found.map(|(id, _)| id.to_string());
    let checks = found
        .and_then(|(_, line)| line)
        .map(|l| l.installer_checks_host);
    let name = m.product_name.clone().unwrap_or_default();
    let version = m.product_version.clone().unwrap_or_default();
    let params = [("product", name.as_str()), ("version", version.as_str())];
    let (requires, key) = if !m.acs_signed {
        (false, "demand_not_acs")
    } else if m.force_integrity {
        (true, "demand_force_integrity")
    } else if checks == Some(true) {
        (true, "demand_installer_checks")
    } else if checks == Some(false) {
        (false, "demand_installer_no_check")
    } else {
        (false, "demand_acs_no_integrity_check")
    };
    let reason_text = text_ref(key, plain(&params));
    Demand {
        requires_acs_ready_host: requires,
        reason: render::line(rules, lang, &reason_text),
        reason_text: Some(reason_text),
        product,
        installer_checks_host: checks,
    }
}

/// What happens when a file is deployed to a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It installs and runs.
    Installs,
    /// Its installer checks the host and refuses.
    Blocked,
    /// It installs (or is delivered) but Windows will not load it: protection fails.
    Breaks,
    /// The host's verdict is unknown.
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Installs => "installs",
            Outcome::Blocked => "blocked",
            Outcome::Breaks => "breaks",
            Outcome::Unknown => "unknown",
        }
    }
}

/// The prediction for one host and one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModulePrediction {
    pub path: String,
    pub outcome: Outcome,
    /// Why, in one line; for `blocked`, the message the installer shows.
    pub reason: String,
    /// The text of the rules `reason` is rendered from, with its values:
    /// `reason` is rendered again from it in another language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_text: Option<TextRef>,
}

/// The text key of the message an installer of `product` shows when it
/// refuses a host: the product's `blocked_installer_text` in the rules.
fn blocked_text<'r>(product: Option<&str>, rules: &'r Rules) -> &'r str {
    product
        .and_then(|id| rules.product(id))
        .map_or(acsready_rules::DEFAULT_BLOCKED_INSTALLER_TEXT, |p| {
            p.blocked_installer_text()
        })
}

/// Predicts what deploying `m` (whose demand is `d`) does on a host with `verdict`.
pub fn predict(
    m: &ModuleFacts,
    d: &Demand,
    verdict: crate::Verdict,
    rules: &Rules,
    lang: Lang,
) -> ModulePrediction {
    use crate::Verdict;
    let text = |key: &str| {
        let params = [
            ("product", d.product.as_deref().unwrap_or("")),
            ("path", m.path.as_str()),
        ];
        Some(text_ref(key, plain(&params)))
    };
    // An ACS installer that does not check the host (Deep Security 11.0)
    // installs anywhere; its modules then fail where the host is not ready.
    let unchecked_acs_installer =
        m.acs_signed && m.installer && d.installer_checks_host == Some(false);
    let (outcome, reason_text) = match verdict {
        Verdict::Ready => (Outcome::Installs, d.reason_text.clone()),
        _ if !d.requires_acs_ready_host && !unchecked_acs_installer => {
            (Outcome::Installs, d.reason_text.clone())
        }
        Verdict::Unknown => (Outcome::Unknown, text("predict_unknown_host")),
        Verdict::NotReady | Verdict::Unsupported => {
            if m.installer && d.installer_checks_host == Some(true) {
                (
                    Outcome::Blocked,
                    text(blocked_text(d.product.as_deref(), rules)),
                )
            } else {
                (Outcome::Breaks, text("predict_breaks"))
            }
        }
    };
    ModulePrediction {
        path: m.path.clone(),
        outcome,
        reason: reason_text
            .as_ref()
            .map_or_else(|| d.reason.clone(), |t| render::line(rules, lang, t)),
        reason_text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules::embedded().unwrap()
    }

    fn module(acs: bool, fi: bool, product: Option<(&str, &str)>) -> ModuleFacts {
        ModuleFacts {
            path: "x".into(),
            acs_signed: acs,
            force_integrity: fi,
            installer: product.is_some(),
            product_name: product.map(|p| p.0.to_string()),
            product_version: product.map(|p| p.1.to_string()),
        }
    }

    #[test]
    fn demand_follows_signature_integrity_bit_and_installer_line() {
        let r = rules();
        let d = |m: ModuleFacts| module_demand(&m, &r, Lang::En);
        assert!(!d(module(false, true, None)).requires_acs_ready_host);
        assert!(d(module(true, true, None)).requires_acs_ready_host);
        assert!(!d(module(true, false, None)).requires_acs_ready_host);
        let dsa20 = d(module(
            true,
            false,
            Some(("Trend Micro Deep Security Agent", "20.0.0.6690")),
        ));
        assert!(dsa20.requires_acs_ready_host);
        assert_eq!(dsa20.product.as_deref(), Some("deep_security_agent"));
        assert!(dsa20.reason.contains("20.0.0.6690"), "{}", dsa20.reason);
        let dsa11 = d(module(
            true,
            false,
            Some(("Trend Micro Deep Security Agent", "11.0.0.2580")),
        ));
        assert!(!dsa11.requires_acs_ready_host);
        assert_eq!(dsa11.installer_checks_host, Some(false));
        let other = d(module(true, false, Some(("Contoso Tool", "1.0"))));
        assert!(!other.requires_acs_ready_host && other.product.is_none());
        assert!(!d(module(true, true, None)).reason.is_empty());
    }

    #[test]
    fn predictions_for_each_kind_of_file_and_host() {
        use crate::Verdict::*;
        let r = rules();
        let p = |m: ModuleFacts, v| {
            let d = module_demand(&m, &r, Lang::Ja);
            predict(&m, &d, v, &r, Lang::Ja)
        };
        let fi = || module(true, true, None);
        let apex = || {
            module(
                true,
                false,
                Some(("Trend Micro Apex One Security Agent", "14.0.12011")),
            )
        };
        let dsa11 = || {
            module(
                true,
                false,
                Some(("Trend Micro Deep Security Agent", "11.0.0.2580")),
            )
        };
        assert_eq!(p(fi(), Ready).outcome, Outcome::Installs);
        assert_eq!(p(fi(), NotReady).outcome, Outcome::Breaks);
        assert_eq!(p(fi(), Unknown).outcome, Outcome::Unknown);
        let blocked = p(apex(), NotReady);
        assert_eq!(blocked.outcome, Outcome::Blocked);
        assert!(
            blocked
                .reason
                .contains("Azure Code Signingがサポートされていません"),
            "{}",
            blocked.reason
        );
        assert_eq!(p(apex(), Unsupported).outcome, Outcome::Blocked);
        assert_eq!(p(dsa11(), NotReady).outcome, Outcome::Breaks);
        assert_eq!(p(dsa11(), Ready).outcome, Outcome::Installs);
        // Only the Agent's installer checks the host (seed 002): the Notifier's
        // installs where the host is not ready, then breaks; the 20.0 Agent's is blocked.
        let notifier = module(
            true,
            false,
            Some(("Trend Micro Deep Security Notifier", "20.0.0.6690")),
        );
        assert_eq!(p(notifier, NotReady).outcome, Outcome::Breaks);
        let dsa20 = module(
            true,
            false,
            Some(("Trend Micro Deep Security Agent", "20.0.0.6690")),
        );
        assert_eq!(p(dsa20, NotReady).outcome, Outcome::Blocked);
        assert_eq!(
            p(module(false, true, None), NotReady).outcome,
            Outcome::Installs
        );
    }
}
