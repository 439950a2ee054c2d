//! Names osquery writes: certificate stores, programs, `CurrentVersion` values.

/// `CurrentVersion` values read, lower-case.
pub(super) const CURRENT_VERSION_NAMES: [&str; 8] = [
    "currentbuild",
    "currentbuildnumber",
    "ubr",
    "installationtype",
    "editionid",
    "productname",
    "displayversion",
    "csdversion",
];

/// The product id of a program DisplayName, by case-insensitive prefix.
pub(crate) fn product_of<'a>(name: &str, products: &'a [(String, String)]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    products
        .iter()
        .find(|(prefix, _)| lower.starts_with(&prefix.to_lowercase()))
        .map(|(_, id)| id.as_str())
}

/// The store name written in the facts for osquery's `store_location` and
/// `store`, or `None` for stores that are not the machine's (`CurrentUser`,
/// `Users`, `Services`).
///
/// osquery writes the store's localized display name (`CryptFindLocalizedName`):
/// "Trusted Root Certification Authorities" for `Root`, "Third-Party Root
/// Certification Authorities" for `AuthRoot`, "Untrusted Certificates" for
/// `Disallowed` on English Windows. Those, the internal names and the
/// Japanese display names (信頼されたルート証明機関, サードパーティ ルート証明機関,
/// 信頼されていない証明書; from the certificate manager's UI, not checked
/// against osquery output) become `ROOT`, `AuthRoot` and `Disallowed`,
/// prefixed `Policies\` for `LocalMachineGroupPolicy` and `Enterprise\` for
/// `LocalMachineEnterprise`. Other names are kept as
/// `<store_location>\<store>`. Note that osquery's `LocalMachine` `Root`
/// store is the logical store, which also shows the AuthRoot, group policy
/// and enterprise roots.
pub fn store_name(store_location: &str, store: &str) -> Option<String> {
    let prefix = match store_location.to_ascii_lowercase().as_str() {
        "" | "localmachine" => "",
        "localmachinegrouppolicy" => r"Policies\",
        "localmachineenterprise" => r"Enterprise\",
        _ => return None,
    };
    let squeezed: String = store
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let canonical = match squeezed.as_str() {
        "root" | "trustedrootcertificationauthorities" | "信頼されたルート証明機関" => {
            "ROOT"
        }
        "authroot" | "third-partyrootcertificationauthorities" | "サードパーティルート証明機関" => {
            "AuthRoot"
        }
        "disallowed" | "untrustedcertificates" | "信頼されていない証明書" => {
            "Disallowed"
        }
        _ => {
            return Some(if store_location.is_empty() {
                store.to_string()
            } else {
                format!(r"{store_location}\{store}")
            })
        }
    };
    Some(if canonical == "ROOT" && !prefix.is_empty() {
        format!("{prefix}Root")
    } else {
        format!("{prefix}{canonical}")
    })
}
