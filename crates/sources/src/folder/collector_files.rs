//! What the collector's own files say: its manifest (`collector.txt`), the
//! keys it found absent or could not read, and what an empty file was meant
//! to hold.

use acsready_facts::HostFacts;

use super::text_of;
use crate::registry_facts::{
    KnownProducts, AUTHROOT_POLICY, CBS_PACKAGES, CURRENT_VERSION, UNINSTALL,
};

/// The collector's `collector.txt`: `key=value` lines.
pub(super) fn manifest(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Whether a file holds nothing but a byte order mark and white space.
pub(super) fn is_blank(bytes: &[u8]) -> bool {
    text_of(bytes)
        .trim_start_matches('\u{feff}')
        .trim()
        .is_empty()
}

/// What an empty file was meant to hold, told by its name (its content
/// cannot tell), and which facts are therefore unknown.
pub(super) fn empty_file_meaning(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".xml") {
        "by its name, the events XML that wevtutil qe writes: the events are unknown"
    } else if lower.ends_with(".evtx") {
        "by its name, an event log exported by wevtutil epl: the events are unknown"
    } else if lower.ends_with(".reg") {
        "by its name, a reg export: what its registry key says is unknown"
    } else if lower.contains("systeminfo") {
        "by its name, the output of systeminfo: the installed updates are unknown"
    } else if lower.contains("qfe") {
        "by its name, the output of wmic qfe: the installed updates are unknown"
    } else if lower == "currentversion.txt" {
        "by its name, reg query of the Windows version key: the Windows version is unknown"
    } else {
        "nothing could be read from it"
    }
}

/// Windows' registry keys (relative to SOFTWARE) that each fact read from a
/// collector's exports comes from: Windows' own keys, and from the rules
/// the certificate stores' keys and the vendor's keys (`vendor_keys` of each
/// product line).
fn fact_keys(products: &KnownProducts) -> [(&'static str, Vec<&str>); 4] {
    [
        ("os", vec![CURRENT_VERSION]),
        ("updates", vec![CBS_PACKAGES]),
        ("certificates", products.certificate_parents()),
        ("agents", UNINSTALL.to_vec()),
    ]
}

/// Whether one key lies within the other (paths relative to SOFTWARE).
pub(super) fn overlaps(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let within =
        |inner: &str, outer: &str| inner == outer || inner.starts_with(&format!("{outer}\\"));
    within(&a, &b) || within(&b, &a)
}

/// Forgets what the exports say about facts whose keys could not be read:
/// the registry view then lacks part of what the host holds, and a list
/// read from the rest would pass for the whole. Returns the facts forgotten.
pub(super) fn forget_unreadable(
    facts: &mut HostFacts,
    unreadable: &[String],
    products: &KnownProducts,
) -> Vec<&'static str> {
    let mut forgotten = Vec::new();
    // The products' own keys hold their versions and the delivery setting.
    if unreadable
        .iter()
        .any(|u| products.vendor_keys.iter().any(|(k, _)| overlaps(u, k)))
    {
        facts.agents = None;
        facts.delivery = None;
        forgotten.extend(["agents", "delivery"]);
    }
    for (fact, keys) in fact_keys(products) {
        if !unreadable
            .iter()
            .any(|u| keys.iter().any(|k| overlaps(u, k)))
        {
            continue;
        }
        match fact {
            "os" => facts.os = None,
            "updates" => {
                facts.updates = None;
                facts.pending_updates = None;
            }
            "certificates" => {
                facts.certificates = None;
                if unreadable.iter().any(|u| overlaps(u, AUTHROOT_POLICY)) {
                    facts.root_auto_update_disabled = None;
                }
            }
            _ => facts.agents = None,
        }
        if !forgotten.contains(&fact) {
            forgotten.push(fact);
        }
    }
    forgotten
}

/// Keys of `absent-keys.txt`, relative to `HKLM\SOFTWARE`.
pub(super) fn absent_software_keys(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter_map(|l| {
            let upper = l.to_ascii_uppercase();
            ["HKLM\\SOFTWARE\\", "HKEY_LOCAL_MACHINE\\SOFTWARE\\"]
                .iter()
                .find(|p| upper.starts_with(*p))
                .map(|p| l[p.len()..].to_string())
        })
        .collect()
}
