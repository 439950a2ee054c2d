//! Facts from a SOFTWARE registry built by test code, read as `.reg` files
//! and as a real hive written by hivex.

use super::*;
use acsready_registry::{Hive, RegFiles};
use acsready_testkit::{
    acs_root_der, cert_blob, export_hive, merge_into_hive, shared, temp_dir, ACS_ROOT_SHA1 as ROOT,
};

fn products() -> KnownProducts {
    crate::rules_fixture::with_rules(KnownProducts {
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
        ..KnownProducts::default()
    })
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
        f.ubr().is_none() && f.updates.is_none() && f.certificates.is_none() && f.agents.is_none()
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
        f.certificates, None,
        "ROOT is known empty, AuthRoot is unknown: the list is not known"
    );
    let absent = vec![
        r"Policies\Microsoft\SystemCertificates".to_string(),
        r"Microsoft\SystemCertificates\ROOT".to_string(),
        r"Microsoft\SystemCertificates\AuthRoot".to_string(),
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
        "the ROOT and AuthRoot stores are known empty"
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

fn check_hive(f: &HostFacts, notes: &[Note]) {
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
