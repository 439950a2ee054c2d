//! Host facts from the SOFTWARE registry: an offline hive, or the `reg
//! export` files of the collector, through one [`RegistryView`].
//!
//! Keys and values (docs/sources/registry.md; seed 004, docs/sources/seeds.md):
//! - `Microsoft\Windows NT\CurrentVersion`: the OS;
//! - `Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages`:
//!   installed, superseded and pending updates;
//! - `Microsoft\SystemCertificates\<store>`, `Policies\Microsoft\SystemCertificates\<store>`,
//!   `Microsoft\EnterpriseCertificates\<store>`: root certificates (`Blob` values);
//! - `Policies\Microsoft\SystemCertificates\AuthRoot\DisableRootAutoUpdate`;
//! - the Uninstall keys (native and `Wow6432Node`) for Trend Micro products;
//! - `NoProgramUpgrade` under the products' `delivery_keys`
//!   (`TrendMicro\PC-cillinNTCorp[\CurrentVersion]\Misc.`, both spellings,
//!   native and `Wow6432Node`).
//!
//! The stores' keys, the vendor keys and the delivery keys are facts of the
//! rules (`root_certificate.stores[].registry_keys`, `[[products]]`
//! `vendor_keys` and `delivery_keys`, with their sources in
//! docs/sources/registry.md); the caller passes them in [`KnownProducts`].

use acsready_facts::{normalize_kb, AgentFact, CertificateFact, DeliveryFacts, HostFacts, OsFacts};
use acsready_registry::{Data, RegistryView};

use crate::cert_blob::read_blob;
use crate::Note;

pub(crate) const CURRENT_VERSION: &str = r"Microsoft\Windows NT\CurrentVersion";
pub(crate) const CBS_PACKAGES: &str =
    r"Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages";
pub(crate) const AUTHROOT_POLICY: &str = r"Policies\Microsoft\SystemCertificates\AuthRoot";

pub(crate) const UNINSTALL: [&str; 2] = [
    r"Microsoft\Windows\CurrentVersion\Uninstall",
    r"Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
];

/// CBS `CurrentState` values (docs/sources/registry.md).
const INSTALLED_STATES: [u32; 3] = [0x50, 0x70, 0x80]; // superseded, installed, permanent
const PENDING_STATES: [u32; 4] = [0x30, 0x40, 0x60, 0x65]; // staging, staged, install pending, partially installed

/// What the collection is known to cover.
pub enum Coverage<'a> {
    /// A whole hive: a key that is not there does not exist on the host.
    Whole,
    /// Exports of some keys: a key is known absent only if it is listed here
    /// (paths relative to SOFTWARE, as the collector reported them missing).
    Exported { absent: &'a [String] },
}

impl Coverage<'_> {
    /// Whether `path` (relative to SOFTWARE) is known not to exist on the
    /// host: listed as absent by the collector, or, in a whole hive, not
    /// among the subkeys of a parent that is there. A key whose parent is
    /// missing too is not known absent: a damaged hive loses keys, and a
    /// SOFTWARE hive without its `Microsoft` keys is not whole.
    fn known_absent(&self, view: &dyn RegistryView, path: &str) -> bool {
        match self {
            Coverage::Whole => match path.rsplit_once('\\') {
                Some((parent, _)) => view.subkeys(parent).is_some(),
                None => true,
            },
            Coverage::Exported { absent } => {
                let p = path.to_ascii_lowercase();
                absent.iter().any(|a| {
                    let a = a.to_ascii_lowercase();
                    p == a || p.starts_with(&format!("{a}\\"))
                })
            }
        }
    }
}

/// How Trend Micro products and the certificate stores show on a host and
/// in a console: facts of the rules, which the caller passes in.
#[derive(Debug, Clone, Default)]
pub struct KnownProducts {
    /// Uninstall `DisplayName` prefix → product id.
    pub display_names: Vec<(String, String)>,
    /// Vendor key (relative to SOFTWARE) whose presence means the product is
    /// installed → product id.
    pub vendor_keys: Vec<(String, String)>,
    /// Keys (relative to SOFTWARE), in the order looked at, whose
    /// `NoProgramUpgrade` value is the agent's program-delivery setting.
    pub delivery_keys: Vec<String>,
    /// The product id whose version the Deep Security / Workload Security
    /// console lists for its computers; without it the console's agent
    /// versions are not read.
    pub console_agent: Option<String>,
    /// The certificate stores' keys, in the order read.
    pub certificate_stores: Vec<StoreKey>,
}

/// Where a certificate store lives in the SOFTWARE hive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreKey {
    /// Relative to SOFTWARE ("Microsoft\\SystemCertificates\\ROOT").
    pub key: String,
    /// The store name written in the facts ("ROOT").
    pub name: String,
    /// Without this key the certificate list is unknown: it holds the roots
    /// the rules look for.
    pub required: bool,
}

impl KnownProducts {
    /// The store keys in reading order: keys under one parent together,
    /// parents in the order they first come.
    pub fn order_stores(mut stores: Vec<StoreKey>) -> Vec<StoreKey> {
        let parent = |k: &StoreKey| {
            k.key
                .rsplit_once('\\')
                .map_or(String::new(), |(p, _)| p.to_ascii_lowercase())
        };
        let mut parents: Vec<String> = Vec::new();
        for k in &stores {
            let p = parent(k);
            if !parents.contains(&p) {
                parents.push(p);
            }
        }
        stores.sort_by_key(|k| parents.iter().position(|p| *p == parent(k)));
        stores
    }

    /// The keys holding the certificate stores (the stores' parents),
    /// relative to SOFTWARE.
    pub fn certificate_parents(&self) -> Vec<&str> {
        let mut parents: Vec<&str> = Vec::new();
        for k in &self.certificate_stores {
            let p = k.key.rsplit_once('\\').map_or(k.key.as_str(), |(p, _)| p);
            if !parents.iter().any(|x| x.eq_ignore_ascii_case(p)) {
                parents.push(p);
            }
        }
        parents
    }
}

/// Reads what a SOFTWARE view says about the host. `products` maps
/// Uninstall DisplayName prefixes to product ids (from the rules). Problems
/// that do not stop the reading (an unreadable certificate) are returned as notes.
pub fn software_facts(
    view: &dyn RegistryView,
    host: &str,
    coverage: &Coverage,
    products: &KnownProducts,
) -> (HostFacts, Vec<Note>) {
    let origin = view.origin();
    let mut notes = Vec::new();
    let mut facts = HostFacts {
        host: host.to_string(),
        ..Default::default()
    };
    facts.os = os_facts(view);
    if let Some((installed, pending, rollup)) = packages(view, &mut notes) {
        facts.updates = Some(installed);
        facts.pending_updates = Some(pending);
        let os = facts.os.get_or_insert_with(Default::default);
        if os.ubr.is_none() {
            // The newest installed cumulative update of this build tells the UBR.
            if let Some((build, ubr)) = rollup {
                if os
                    .current_build
                    .as_deref()
                    .is_none_or(|b| b == build.to_string())
                {
                    os.ubr = Some(ubr);
                    facts
                        .sources
                        .insert("os.ubr".into(), format!("{origin} (CBS RollupFix package)"));
                }
            }
        }
    }
    facts.certificates = certificates(view, coverage, products, &mut notes);
    facts.root_auto_update_disabled = match view.value(AUTHROOT_POLICY, "DisableRootAutoUpdate") {
        Some(Data::Dword(v)) => Some(v != 0),
        Some(other) => {
            notes.push(Note::file(
                &origin,
                format!("DisableRootAutoUpdate is {other:?}, not a DWORD"),
            ));
            None
        }
        None if view.damage(AUTHROOT_POLICY).is_some() => {
            notes.extend(unread(view, AUTHROOT_POLICY, "root_auto_update_disabled"));
            None
        }
        None if view.values(AUTHROOT_POLICY).is_some()
            || coverage.known_absent(view, AUTHROOT_POLICY) =>
        {
            Some(false)
        }
        None => None,
    };
    facts.agents = agents(view, coverage, products, &mut notes);
    facts.delivery = products.delivery_keys.iter().find_map(|key| {
        let values = view.values(key)?;
        let set = values
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case("NoProgramUpgrade"))
            .and_then(|v| match &v.data {
                Data::Dword(n) => Some(*n == 1),
                Data::Sz(s) => Some(s.trim() == "1"),
                _ => None,
            });
        let set = match set {
            Some(set) => Some(set),
            // Not set, unless the line that set it could not be read.
            None if view.damage(key).is_some() => {
                notes.extend(unread(view, key, "delivery.no_program_upgrade"));
                None
            }
            None => Some(false),
        };
        Some(DeliveryFacts {
            no_program_upgrade: set,
        })
    });
    let sourced = facts.sources.clone();
    facts.attribute_all(&origin);
    facts.sources.extend(sourced);
    (facts, notes)
}

/// The note saying that `fact` is unknown because the key at `path` was not
/// read whole (the damage names the file and line), and what to collect;
/// `None` when nothing is known to be missing there.
fn unread(view: &dyn RegistryView, path: &str, fact: &str) -> Option<Note> {
    let damage = view.damage(path)?;
    let (file, line, what) = damage_place(&damage);
    let note = Note::file(
        file,
        format!(
            "{fact} unknown: {what}; collect the key again whole \
             (reg export \"HKLM\\SOFTWARE\\{path}\" or acsready-collect.cmd)"
        ),
    );
    Some(Note { line, ..note })
}

/// The file, line and text of a damage warning. The registry views give it
/// as the text of a `.reg` syntax warning, `file:line: what` (the line
/// always there), so this is the one place its parts are taken apart again.
fn damage_place(damage: &str) -> (&str, Option<u64>, &str) {
    let Some((place, what)) = damage.split_once(": ") else {
        return ("", None, damage);
    };
    match place.rsplit_once(':') {
        Some((file, line)) => match line.parse() {
            Ok(n) => (file, Some(n), what),
            Err(_) => (place, None, what),
        },
        None => (place, None, what),
    }
}

/// Damage at the key at `path` or above it (a lost subkey, a key whose
/// header could not be read), leaving out damage inside its subkeys.
fn damage_here(view: &dyn RegistryView, path: &str) -> bool {
    // No key is named U+0001: only damage at `path` or above matches it.
    view.damage(&format!("{path}\\\u{1}")).is_some()
}

fn text(view: &dyn RegistryView, name: &str) -> Option<String> {
    match view.value(CURRENT_VERSION, name)? {
        Data::Sz(s) | Data::ExpandSz(s) => {
            Some(s.trim_end_matches('\0').trim().to_string()).filter(|s| !s.is_empty())
        }
        Data::Dword(n) => Some(n.to_string()),
        _ => None,
    }
}

fn os_facts(view: &dyn RegistryView) -> Option<OsFacts> {
    view.values(CURRENT_VERSION)?;
    Some(OsFacts {
        product_name: text(view, "ProductName"),
        edition_id: text(view, "EditionID"),
        installation_type: text(view, "InstallationType"),
        current_build: text(view, "CurrentBuild").or_else(|| text(view, "CurrentBuildNumber")),
        ubr: match view.value(CURRENT_VERSION, "UBR") {
            Some(Data::Dword(n)) => Some(n),
            Some(Data::Sz(s)) => s.trim().parse().ok(),
            _ => None,
        },
        display_version: text(view, "DisplayVersion").or_else(|| text(view, "ReleaseId")),
        csd_version: text(view, "CSDVersion"),
    })
}

/// The KB of a CBS package name: `Package_for_KB5005625~…` or `Package_1_for_KB5005625~…`.
fn package_kb(name: &str) -> Option<String> {
    let rest = name.strip_prefix("Package_")?;
    let rest = match rest.split_once("_for_") {
        Some((n, r)) if n.bytes().all(|b| b.is_ascii_digit()) => r,
        _ => rest.strip_prefix("for_")?,
    };
    let kb = rest.split('~').next()?;
    if kb.len() > 2 && kb[..2].eq_ignore_ascii_case("kb") {
        normalize_kb(kb).ok()
    } else {
        None
    }
}

/// `Package_for_RollupFix~31bf3856ad364e35~amd64~~17763.2210.1.7` → (17763, 2210).
fn rollup_build(name: &str) -> Option<(u32, u32)> {
    if !name
        .to_ascii_lowercase()
        .starts_with("package_for_rollupfix~")
    {
        return None;
    }
    let version = name.rsplit("~~").next()?;
    let mut parts = version.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

type Packages = (Vec<String>, Vec<String>, Option<(u32, u32)>);

/// Installed and pending KBs, and the newest installed cumulative update.
///
/// Unknown (with a note) when the Packages key was not read whole: a lost
/// package key, an update package whose state could not be read, or no
/// package state at all (`reg query` without `/s` lists only names; every
/// Windows with CBS has packages).
fn packages(view: &dyn RegistryView, notes: &mut Vec<Note>) -> Option<Packages> {
    let names = view.subkeys(CBS_PACKAGES)?;
    let unknown = |notes: &mut Vec<Note>, why: Option<Note>| {
        notes.extend(why.or_else(|| unread(view, CBS_PACKAGES, "updates")));
        None
    };
    if damage_here(view, CBS_PACKAGES) {
        return unknown(notes, None);
    }
    let mut installed: Vec<String> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut rollup: Option<(u32, u32)> = None;
    let mut states = 0usize;
    let total = names.len();
    for name in names {
        let path = format!(r"{CBS_PACKAGES}\{name}");
        let state = match view.value(&path, "CurrentState") {
            Some(Data::Dword(s)) => s,
            _ if package_kb(&name).is_some() && view.damage(&path).is_some() => {
                return unknown(notes, unread(view, &path, "updates"));
            }
            _ => continue,
        };
        states += 1;
        let is_installed = INSTALLED_STATES.contains(&state);
        if let Some(kb) = package_kb(&name) {
            if is_installed {
                if !installed.contains(&kb) {
                    installed.push(kb);
                }
            } else if PENDING_STATES.contains(&state) && !pending.contains(&kb) {
                pending.push(kb);
            }
        } else if let Some(b) = rollup_build(&name).filter(|_| is_installed && state != 0x50) {
            rollup = Some(rollup.map_or(b, |r| r.max(b)));
        }
    }
    if states == 0 {
        let why = Note::file(
            view.origin(),
            format!(
                "updates unknown: the CBS Packages key lists {total} packages but the state \
                 (CurrentState) of none; collect the key with its subkeys \
                 (reg export \"HKLM\\SOFTWARE\\{CBS_PACKAGES}\")"
            ),
        );
        return unknown(notes, Some(why));
    }
    // A KB installed through one package and pending through another is installed.
    pending.retain(|kb| !installed.contains(kb));
    installed.sort();
    pending.sort();
    Some((installed, pending, rollup))
}

fn certificates(
    view: &dyn RegistryView,
    coverage: &Coverage,
    products: &KnownProducts,
    notes: &mut Vec<Note>,
) -> Option<Vec<CertificateFact>> {
    let mut seen_any = false;
    let mut certs = Vec::new();
    for StoreKey {
        key,
        name: store,
        required,
    } in &products.certificate_stores
    {
        let path = format!(r"{key}\Certificates");
        // A lost certificate key, or the store's keys cut: unknown. Damage
        // inside one certificate's key is a note on that certificate.
        let lost = if view.subkeys(&path).is_some() {
            damage_here(view, &path)
        } else {
            view.damage(key).is_some()
        };
        if lost {
            notes.extend(unread(view, key, "certificates"));
            return None;
        }
        let Some(thumbprints) = view.subkeys(&path) else {
            let known = view.subkeys(key).is_some() || coverage.known_absent(view, key);
            // ROOT and AuthRoot hold the roots the rules look for: without
            // them the list would claim what it does not know.
            if !known && *required {
                return None;
            }
            seen_any |= known;
            continue;
        };
        seen_any = true;
        for thumbprint in thumbprints {
            let mut cert = CertificateFact {
                sha1: thumbprint.to_ascii_uppercase(),
                store: store.clone(),
                ..Default::default()
            };
            match view.value(&format!(r"{path}\{thumbprint}"), "Blob") {
                Some(Data::Binary(blob)) => match read_blob(&blob) {
                    Ok(stored) => {
                        cert.der_sha1 = Some(stored.sha1);
                        cert.subject = stored.subject;
                        cert.not_before = stored.not_before;
                        cert.not_after = stored.not_after;
                    }
                    Err(e) => notes.push(Note::file(
                        view.origin(),
                        format!("{path}\\{thumbprint}: {e}"),
                    )),
                },
                _ => notes.push(Note::file(
                    view.origin(),
                    format!("{path}\\{thumbprint} has no Blob"),
                )),
            }
            certs.push(cert);
        }
    }
    seen_any.then_some(certs)
}

/// Trend Micro products of the Uninstall keys and vendor keys.
///
/// Unknown (with a note) when an Uninstall key was not read whole: a lost
/// entry, or an entry whose `DisplayName` could not be read. Damage in an
/// entry that names another product does not matter.
fn agents(
    view: &dyn RegistryView,
    coverage: &Coverage,
    products: &KnownProducts,
    notes: &mut Vec<Note>,
) -> Option<Vec<AgentFact>> {
    let mut seen_any = false;
    let mut agents: Vec<AgentFact> = Vec::new();
    for key in UNINSTALL {
        let Some(entries) = view.subkeys(key) else {
            if view.damage(key).is_some() {
                notes.extend(unread(view, key, "agents"));
                return None;
            }
            seen_any |= coverage.known_absent(view, key) && key == UNINSTALL[0];
            continue;
        };
        if damage_here(view, key) {
            notes.extend(unread(view, key, "agents"));
            return None;
        }
        seen_any = true;
        for entry in entries {
            let path = format!(r"{key}\{entry}");
            let Some(name) = view
                .value(&path, "DisplayName")
                .and_then(|d| d.as_str().map(str::to_string))
            else {
                if view.damage(&path).is_some() {
                    notes.extend(unread(view, &path, "agents"));
                    return None;
                }
                continue;
            };
            let lower = name.to_lowercase();
            let Some((_, product)) = products
                .display_names
                .iter()
                .find(|(prefix, _)| lower.starts_with(&prefix.to_lowercase()))
            else {
                continue;
            };
            // The product is there even when its version cannot be read.
            let version = match view.value(&path, "DisplayVersion") {
                Some(Data::Sz(v)) if !v.trim().is_empty() => v.trim().to_string(),
                _ => "unknown".to_string(),
            };
            let agent = AgentFact {
                product: product.clone(),
                version,
            };
            if !agents.contains(&agent) {
                agents.push(agent);
            }
        }
    }
    // A vendor key without an Uninstall entry still shows the product; its
    // version is then unknown (the vendor keys' version values are not documented).
    for (key, product) in &products.vendor_keys {
        if view.subkeys(key).is_some() && !agents.iter().any(|a| &a.product == product) {
            agents.push(AgentFact {
                product: product.clone(),
                version: "unknown".into(),
            });
            seen_any = true;
        }
    }
    seen_any.then_some(agents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_are_read_parent_by_parent_in_the_rules_order() {
        let products = crate::rules_fixture::with_rules(KnownProducts::default());
        let names: Vec<&str> = (products.certificate_stores.iter())
            .map(|k| k.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "ROOT",
                "AuthRoot",
                "Disallowed",
                r"Policies\Root",
                r"Policies\Disallowed",
                r"Enterprise\Root",
                r"Enterprise\Disallowed"
            ]
        );
        assert_eq!(
            products.certificate_parents(),
            [
                r"Microsoft\SystemCertificates",
                r"Policies\Microsoft\SystemCertificates",
                r"Microsoft\EnterpriseCertificates"
            ]
        );
        assert_eq!(
            products.delivery_keys.first().map(String::as_str),
            Some(r"TrendMicro\PC-cillinNTCorp\CurrentVersion\Misc.")
        );
    }

    #[test]
    fn package_names() {
        assert_eq!(
            package_kb("Package_for_KB5005625~31bf3856ad364e35~amd64~~17763.2210.1.7").as_deref(),
            Some("KB5005625")
        );
        assert_eq!(
            package_kb("Package_1_for_KB4474419~31bf3856ad364e35~amd64~~6.1.3.2").as_deref(),
            Some("KB4474419")
        );
        assert_eq!(
            package_kb("Package_for_RollupFix~31bf3856ad364e35~amd64~~17763.2210.1.7"),
            None
        );
        assert_eq!(
            package_kb("Microsoft-Windows-Foundation-Package~31bf3856ad364e35~amd64~~10.0"),
            None
        );
        assert_eq!(
            rollup_build("Package_for_RollupFix~31bf3856ad364e35~amd64~~17763.2210.1.7"),
            Some((17763, 2210))
        );
        assert_eq!(rollup_build("Package_for_KB1~x~~1.2"), None);
    }
}

/// Facts from a SOFTWARE registry built by test code, read as `.reg` files and
/// as a real hive written by hivex.
#[cfg(test)]
mod view_tests;

/// Damaged or deleted sections never give known-empty facts.
#[cfg(test)]
mod damage_tests;
