//! Host facts from the SOFTWARE registry: an offline hive, or the `reg
//! export` files of the collector, through one [`RegistryView`].
//!
//! Keys and values (FACTS.md §4–5, seed 004):
//! - `Microsoft\Windows NT\CurrentVersion`: the OS;
//! - `Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages`:
//!   installed, superseded and pending updates;
//! - `Microsoft\SystemCertificates\<store>`, `Policies\Microsoft\SystemCertificates\<store>`,
//!   `Microsoft\EnterpriseCertificates\<store>`: root certificates (`Blob` values);
//! - `Policies\Microsoft\SystemCertificates\AuthRoot\DisableRootAutoUpdate`;
//! - the Uninstall keys (native and `Wow6432Node`) for Trend Micro products;
//! - `TrendMicro\PC-cillinNTCorp[\CurrentVersion]\Misc.\NoProgramUpgrade`
//!   (also spelled `Trend Micro`, native and `Wow6432Node`).

use acsready_facts::{normalize_kb, AgentFact, CertificateFact, DeliveryFacts, HostFacts, OsFacts};
use acsready_registry::{Data, RegistryView};

use crate::cert_blob::read_blob;

const CURRENT_VERSION: &str = r"Microsoft\Windows NT\CurrentVersion";
const CBS_PACKAGES: &str = r"Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages";
const AUTHROOT_POLICY: &str = r"Policies\Microsoft\SystemCertificates\AuthRoot";

/// Certificate stores read, as (key relative to SOFTWARE, store name written in the facts).
const STORES: [(&str, &str); 7] = [
    (r"Microsoft\SystemCertificates\ROOT", "ROOT"),
    (r"Microsoft\SystemCertificates\AuthRoot", "AuthRoot"),
    (r"Microsoft\SystemCertificates\Disallowed", "Disallowed"),
    (
        r"Policies\Microsoft\SystemCertificates\Root",
        r"Policies\Root",
    ),
    (
        r"Policies\Microsoft\SystemCertificates\Disallowed",
        r"Policies\Disallowed",
    ),
    (r"Microsoft\EnterpriseCertificates\Root", r"Enterprise\Root"),
    (
        r"Microsoft\EnterpriseCertificates\Disallowed",
        r"Enterprise\Disallowed",
    ),
];

const UNINSTALL: [&str; 2] = [
    r"Microsoft\Windows\CurrentVersion\Uninstall",
    r"Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
];

/// Where `Misc.\NoProgramUpgrade` may live (seed 004; FACTS.md §5 notes both
/// spellings and both levels).
const APEX_ONE_MISC: [&str; 8] = [
    r"TrendMicro\PC-cillinNTCorp\CurrentVersion\Misc.",
    r"Wow6432Node\TrendMicro\PC-cillinNTCorp\CurrentVersion\Misc.",
    r"Trend Micro\PC-cillinNTCorp\CurrentVersion\Misc.",
    r"Wow6432Node\Trend Micro\PC-cillinNTCorp\CurrentVersion\Misc.",
    r"TrendMicro\PC-cillinNTCorp\Misc.",
    r"Wow6432Node\TrendMicro\PC-cillinNTCorp\Misc.",
    r"Trend Micro\PC-cillinNTCorp\Misc.",
    r"Wow6432Node\Trend Micro\PC-cillinNTCorp\Misc.",
];

/// CBS `CurrentState` values (FACTS.md §4).
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
    /// Whether `path` (relative to SOFTWARE) is known not to exist on the host.
    fn known_absent(&self, path: &str) -> bool {
        match self {
            Coverage::Whole => true,
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

/// How Trend Micro products show on a host (from the rules).
#[derive(Debug, Clone, Default)]
pub struct KnownProducts {
    /// Uninstall `DisplayName` prefix → product id.
    pub display_names: Vec<(String, String)>,
    /// Vendor key (relative to SOFTWARE) whose presence means the product is
    /// installed → product id.
    pub vendor_keys: Vec<(String, String)>,
}

/// Reads what a SOFTWARE view says about the host. `products` maps
/// Uninstall DisplayName prefixes to product ids (from the rules). Problems
/// that do not stop the reading (an unreadable certificate) are returned as notes.
pub fn software_facts(
    view: &dyn RegistryView,
    host: &str,
    coverage: &Coverage,
    products: &KnownProducts,
) -> (HostFacts, Vec<String>) {
    let origin = view.origin();
    let mut notes = Vec::new();
    let mut facts = HostFacts {
        host: host.to_string(),
        ..Default::default()
    };
    facts.os = os_facts(view);
    if let Some((installed, pending, rollup)) = packages(view) {
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
    facts.certificates = certificates(view, coverage, &mut notes);
    facts.root_auto_update_disabled = match view.value(AUTHROOT_POLICY, "DisableRootAutoUpdate") {
        Some(Data::Dword(v)) => Some(v != 0),
        Some(other) => {
            notes.push(format!(
                "{origin}: DisableRootAutoUpdate is {other:?}, not a DWORD"
            ));
            None
        }
        None if view.values(AUTHROOT_POLICY).is_some()
            || coverage.known_absent(AUTHROOT_POLICY) =>
        {
            Some(false)
        }
        None => None,
    };
    facts.agents = agents(view, coverage, products);
    facts.delivery = APEX_ONE_MISC.iter().find_map(|key| {
        let values = view.values(key)?;
        let set = values
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case("NoProgramUpgrade"))
            .and_then(|v| match &v.data {
                Data::Dword(n) => Some(*n == 1),
                Data::Sz(s) => Some(s.trim() == "1"),
                _ => None,
            })
            .unwrap_or(false);
        Some(DeliveryFacts {
            no_program_upgrade: Some(set),
        })
    });
    let sourced = facts.sources.clone();
    facts.attribute_all(&origin);
    facts.sources.extend(sourced);
    (facts, notes)
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
fn packages(view: &dyn RegistryView) -> Option<Packages> {
    let names = view.subkeys(CBS_PACKAGES)?;
    let mut installed: Vec<String> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut rollup: Option<(u32, u32)> = None;
    for name in names {
        let state = match view.value(&format!(r"{CBS_PACKAGES}\{name}"), "CurrentState") {
            Some(Data::Dword(s)) => s,
            _ => continue,
        };
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
    // A KB installed through one package and pending through another is installed.
    pending.retain(|kb| !installed.contains(kb));
    installed.sort();
    pending.sort();
    Some((installed, pending, rollup))
}

fn certificates(
    view: &dyn RegistryView,
    coverage: &Coverage,
    notes: &mut Vec<String>,
) -> Option<Vec<CertificateFact>> {
    let mut seen_any = false;
    let mut certs = Vec::new();
    for (key, store) in STORES {
        let path = format!(r"{key}\Certificates");
        let Some(thumbprints) = view.subkeys(&path) else {
            seen_any |= view.subkeys(key).is_some() || coverage.known_absent(key);
            continue;
        };
        seen_any = true;
        for thumbprint in thumbprints {
            let mut cert = CertificateFact {
                sha1: thumbprint.to_ascii_uppercase(),
                store: store.to_string(),
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
                    Err(e) => notes.push(format!("{}: {path}\\{thumbprint}: {e}", view.origin())),
                },
                _ => notes.push(format!(
                    "{}: {path}\\{thumbprint} has no Blob",
                    view.origin()
                )),
            }
            certs.push(cert);
        }
    }
    seen_any.then_some(certs)
}

fn agents(
    view: &dyn RegistryView,
    coverage: &Coverage,
    products: &KnownProducts,
) -> Option<Vec<AgentFact>> {
    let mut seen_any = false;
    let mut agents: Vec<AgentFact> = Vec::new();
    for key in UNINSTALL {
        let Some(entries) = view.subkeys(key) else {
            seen_any |= coverage.known_absent(key) && key == UNINSTALL[0];
            continue;
        };
        seen_any = true;
        for entry in entries {
            let path = format!(r"{key}\{entry}");
            let Some(name) = view
                .value(&path, "DisplayName")
                .and_then(|d| d.as_str().map(str::to_string))
            else {
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
            let version = match view.value(&path, "DisplayVersion") {
                Some(Data::Sz(v)) => v.trim().to_string(),
                _ => String::new(),
            };
            let agent = AgentFact {
                product: product.clone(),
                version,
            };
            if !agent.version.is_empty() && !agents.contains(&agent) {
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
mod view_tests {
    use super::*;
    use acsready_registry::{Hive, RegFiles};
    use acsready_testkit::{
        acs_root_der, cert_blob, export_hive, merge_into_hive, shared, temp_dir,
        ACS_ROOT_SHA1 as ROOT,
    };

    fn products() -> KnownProducts {
        KnownProducts {
            vendor_keys: vec![(
                r"Trend Micro\Deep Security Agent".into(),
                "deep_security_agent".into(),
            )],
            display_names: vec![
                (
                    "Trend Micro Deep Security Agent".into(),
                    "deep_security_agent".into(),
                ),
                (
                    "Trend Micro Apex One Security Agent".into(),
                    "apex_one_agent".into(),
                ),
            ],
        }
    }

    fn hex(bytes: &[u8]) -> String {
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// A SOFTWARE export of a Server 2019 host one update short of ACS.
    fn software_reg() -> String {
        let der = acs_root_der();
        let cbs = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages";
        format!(
            "Windows Registry Editor Version 5.00\r\n\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n\
\"ProductName\"=\"Windows Server 2019 Standard\"\r\n\"EditionID\"=\"ServerStandard\"\r\n\
\"InstallationType\"=\"Server\"\r\n\"CurrentBuild\"=\"17763\"\r\n\"CurrentBuildNumber\"=\"17763\"\r\n\
\"UBR\"=dword:0000089f\r\n\"ReleaseId\"=\"1809\"\r\n\r\n\
[{cbs}\\Package_for_KB5005625~31bf3856ad364e35~amd64~~17763.2210.1.7]\r\n\"CurrentState\"=dword:00000040\r\n\r\n\
[{cbs}\\Package_for_KB4474419~31bf3856ad364e35~amd64~~6.1.3.2]\r\n\"CurrentState\"=dword:00000070\r\n\r\n\
[{cbs}\\Package_1_for_KB4490628~31bf3856ad364e35~amd64~~6.1.1.0]\r\n\"CurrentState\"=dword:00000050\r\n\r\n\
[{cbs}\\Package_for_KB4000001~31bf3856ad364e35~amd64~~6.1.1.0]\r\n\"CurrentState\"=dword:00000000\r\n\r\n\
[{cbs}\\Package_for_RollupFix~31bf3856ad364e35~amd64~~17763.2183.1.8]\r\n\"CurrentState\"=dword:00000070\r\n\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\ROOT\\Certificates]\r\n\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\AuthRoot\\Certificates\\{ROOT}]\r\n\"Blob\"=hex:{}\r\n\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\AuthRoot]\r\n\"DisableRootAutoUpdate\"=dword:00000001\r\n\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{{0D4E2D2B-0000-4A2C-9B8E-1A2B3C4D5E6F}}]\r\n\
\"DisplayName\"=\"Trend Micro Deep Security Agent\"\r\n\"DisplayVersion\"=\"20.0.0.5137\"\r\n\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Contoso]\r\n\
\"DisplayName\"=\"Contoso Tool\"\r\n\"DisplayVersion\"=\"1.0\"\r\n\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\TrendMicro\\PC-cillinNTCorp\\CurrentVersion\\Misc.]\r\n\
\"NoProgramUpgrade\"=dword:00000001\r\n",
            hex(&cert_blob(&der))
        )
    }

    fn reg_facts(text: &str) -> HostFacts {
        let mut files = RegFiles::new();
        files
            .add_text(text, "web01/export.reg")
            .expect(".reg parses");
        let view = files.view(r"HKLM\SOFTWARE");
        let (facts, notes) = software_facts(
            &view,
            "web01",
            &Coverage::Exported { absent: &[] },
            &products(),
        );
        assert!(notes.is_empty(), "{notes:?}");
        facts
    }

    fn check(f: &HostFacts) {
        let os = f.os.as_ref().expect("os");
        assert_eq!(os.current_build.as_deref(), Some("17763"));
        assert_eq!(os.ubr, Some(2207));
        assert_eq!(os.installation_type.as_deref(), Some("Server"));
        assert_eq!(os.display_version.as_deref(), Some("1809"));
        assert_eq!(
            f.updates.as_deref(),
            Some(&["KB4474419".to_string(), "KB4490628".to_string()][..])
        );
        assert_eq!(
            f.pending_updates.as_deref(),
            Some(&["KB5005625".to_string()][..])
        );
        let certs = f.certificates.as_ref().expect("certificates");
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].store, "AuthRoot");
        assert_eq!(certs[0].der_sha1.as_deref(), Some(ROOT));
        assert_eq!(certs[0].not_after.as_deref(), Some("2045-04-16T18:44:40Z"));
        assert_eq!(f.root_auto_update_disabled, Some(true));
        let agents = f.agents.as_ref().expect("agents");
        assert_eq!(agents.len(), 1);
        assert_eq!(
            (agents[0].product.as_str(), agents[0].version.as_str()),
            ("deep_security_agent", "20.0.0.5137")
        );
        assert_eq!(
            f.delivery.as_ref().and_then(|d| d.no_program_upgrade),
            Some(true)
        );
    }

    #[test]
    fn facts_from_reg_exports() {
        let f = reg_facts(&software_reg());
        check(&f);
        assert!(
            f.sources["os.ubr"].starts_with("web01/export.reg"),
            "{}",
            f.sources["os.ubr"]
        );
    }

    #[test]
    fn a_missing_export_leaves_facts_unknown_unless_known_absent() {
        let text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n\"CurrentBuild\"=\"9600\"\r\n";
        let f = reg_facts(text);
        assert_eq!(f.build(), Some(9600));
        assert!(
            f.ubr().is_none()
                && f.updates.is_none()
                && f.certificates.is_none()
                && f.agents.is_none()
        );
        assert_eq!(f.root_auto_update_disabled, None);
        let mut files = RegFiles::new();
        files.add_text(text, "x.reg").unwrap();
        let view = files.view(r"HKLM\SOFTWARE");
        let absent = vec![
            r"Policies\Microsoft\SystemCertificates".to_string(),
            r"Microsoft\SystemCertificates\ROOT".to_string(),
        ];
        let (f, _) = software_facts(
            &view,
            "x",
            &Coverage::Exported { absent: &absent },
            &products(),
        );
        assert_eq!(
            f.root_auto_update_disabled,
            Some(false),
            "the policy key is known not to exist"
        );
        assert_eq!(
            f.certificates,
            Some(vec![]),
            "the ROOT store is known empty"
        );
    }

    #[test]
    fn a_vendor_key_alone_shows_the_product_with_an_unknown_version() {
        let text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall]\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Trend Micro\\Deep Security Agent]\r\n\"InstallationFolder\"=\"C:\\\\Program Files\\\\Trend Micro\\\\Deep Security Agent\\\\\"\r\n";
        let f = reg_facts(text);
        let agents = f.agents.expect("agents");
        assert_eq!(agents.len(), 1);
        assert_eq!(
            (agents[0].product.as_str(), agents[0].version.as_str()),
            ("deep_security_agent", "unknown")
        );
    }

    #[test]
    fn the_ubr_falls_back_to_the_newest_cumulative_update() {
        let text = software_reg().replace("\"UBR\"=dword:0000089f\r\n", "");
        let f = reg_facts(&text);
        assert_eq!(f.ubr(), Some(2183));
        assert!(f.sources["os.ubr"].contains("RollupFix"));
    }

    /// Writes the test SOFTWARE into a copy of a real hive with hivex, then reads
    /// the hive and its own hivexregedit export: all three give the same facts.
    #[test]
    fn a_real_hive_and_its_export_give_the_same_facts() {
        let dir = temp_dir("registry-facts");
        let prefix = r"HKEY_LOCAL_MACHINE\SOFTWARE";
        let hive = merge_into_hive(
            &software_reg(),
            &shared("testdata/hives/regipy__ntuser_software_partial"),
            prefix,
            &dir.join("SOFTWARE"),
        );
        let opened = Hive::open(&hive).expect("hive opens");
        let (from_hive, notes) = software_facts(&opened, "web01", &Coverage::Whole, &products());
        check_hive(&from_hive, &notes);

        let mut files = RegFiles::new();
        files
            .add_bytes(&export_hive(&hive, prefix), "export.reg")
            .expect("export parses");
        let view = files.view(r"HKLM\SOFTWARE");
        let (from_export, _) = software_facts(&view, "web01", &Coverage::Whole, &products());
        let strip = |mut f: HostFacts| {
            f.sources.clear();
            f
        };
        assert_eq!(strip(from_hive), strip(from_export));
        let _ = std::fs::remove_dir_all(dir);
    }

    fn check_hive(f: &HostFacts, notes: &[String]) {
        check(&HostFacts {
            // The shared hive also has one certificate of its own in ROOT.
            certificates: f
                .certificates
                .clone()
                .map(|c| c.into_iter().filter(|c| c.sha1 == ROOT).collect()),
            ..f.clone()
        });
        let own = f
            .certificates
            .as_ref()
            .unwrap()
            .iter()
            .find(|c| c.store == "ROOT")
            .expect("the hive's own ROOT certificate");
        assert_eq!(own.sha1, "28CA236A328D9C5240AB1712A1392DAA8B4DD7A0");
        assert_eq!(
            own.der_sha1.as_deref(),
            Some(own.sha1.as_str()),
            "its Blob holds that certificate"
        );
        assert!(notes.is_empty(), "{notes:?}");
    }
}
