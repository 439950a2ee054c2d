//! The rule of `docs/host-facts.md` ("what a reader cannot read is
//! unknown"): `.reg` exports and `reg query` output whose section of a fact
//! is damaged or deleted never give that fact as known empty.

use super::*;
use acsready_registry::RegFiles;
use acsready_testkit::{acs_root_der, apply_edits, cert_blob, utf16le_bom, RegText};
use proptest::prelude::*;

const SW: &str = r"HKEY_LOCAL_MACHINE\SOFTWARE";

fn products() -> KnownProducts {
    crate::rules_fixture::with_rules(KnownProducts {
        vendor_keys: Vec::new(),
        display_names: vec![(
            "Trend Micro Apex One Security Agent".into(),
            "apex_one_agent".into(),
        )],
        ..KnownProducts::default()
    })
}

/// The sections the collector exports, one file each, as `reg export`
/// writes them (UTF-16LE, BOM, CRLF, an empty line at the end).
fn sections() -> Vec<(&'static str, Vec<u8>)> {
    let cbs = format!(r"{SW}\{CBS_PACKAGES}");
    let mut packages = RegText::new().key(&cbs);
    for kb in ["4474419", "5005625", "5006714", "5011503", "5022840"] {
        packages = packages
            .key(&format!(
                r"{cbs}\Package_for_KB{kb}~31bf3856ad364e35~amd64~~6.3.1.0"
            ))
            .dword("CurrentState", 0x70);
    }
    let blob = cert_blob(&acs_root_der());
    let authroot = format!(r"{SW}\Microsoft\SystemCertificates\AuthRoot");
    let mut certs = RegText::new()
        .key(&format!(
            r"{SW}\Microsoft\SystemCertificates\ROOT\Certificates"
        ))
        .key(&authroot)
        .key(&format!(r"{authroot}\Certificates"));
    for thumbprint in [
        "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2",
        "0563B8630D62D75ABBC8AB1E4BDFB5A899B24D43",
        "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4",
    ] {
        certs = certs
            .key(&format!(r"{authroot}\Certificates\{thumbprint}"))
            .binary("Blob", &blob);
    }
    let policy = RegText::new()
        .key(&format!(r"{SW}\Policies\Microsoft\SystemCertificates"))
        .key(&format!(r"{SW}\{AUTHROOT_POLICY}"))
        .dword("DisableRootAutoUpdate", 1);
    let uninstall = format!(r"{SW}\{}", UNINSTALL[0]);
    let agents = RegText::new()
        .key(&uninstall)
        .key(&format!(
            r"{uninstall}\{{A38F51ED-D01A-4CE4-91EB-B824A00A8BDF}}"
        ))
        .sz("DisplayName", "Trend Micro Apex One Security Agent")
        .sz("DisplayVersion", "14.0.12526")
        .key(&format!(r"{uninstall}\Contoso"))
        .sz("DisplayName", "Contoso Tool")
        .sz("DisplayVersion", "1.0");
    vec![
        ("CBS-Packages.reg", utf16le_bom(&packages.text())),
        ("Cert-AuthRoot.reg", utf16le_bom(&certs.text())),
        ("Cert-Policies.reg", utf16le_bom(&policy.text())),
        ("Uninstall.reg", utf16le_bom(&agents.text())),
    ]
}

/// The facts of the sections, the one at `damaged` replaced by `bytes`
/// (left out when `None`); and the notes.
fn facts_with(damaged: usize, bytes: Option<Vec<u8>>) -> (HostFacts, Vec<Note>) {
    let mut files = RegFiles::new();
    for (i, (name, whole)) in sections().into_iter().enumerate() {
        let bytes = if i == damaged {
            bytes.clone()
        } else {
            Some(whole)
        };
        if let Some(bytes) = bytes {
            // A file damaged beyond reading is an error, and adds nothing.
            let _ = files.add_bytes(&bytes, name);
        }
    }
    let view = files.view(SW);
    software_facts(
        &view,
        "web01",
        &Coverage::Exported { absent: &[] },
        &products(),
    )
}

#[test]
fn whole_sections_give_every_fact() {
    let (f, notes) = facts_with(usize::MAX, None);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(f.updates.as_ref().map(Vec::len), Some(5));
    assert_eq!(f.certificates.as_ref().map(Vec::len), Some(3));
    assert_eq!(f.root_auto_update_disabled, Some(true));
    assert_eq!(f.agents.as_ref().map(Vec::len), Some(1));
}

#[test]
fn a_cut_export_makes_its_fact_unknown_and_says_where_and_what_to_collect() {
    let (_, bytes) = &sections()[0];
    // Cut at a line break in the middle of the packages (UTF-16: 2 bytes a
    // character): the keys read look whole, the missing end line tells.
    let text = String::from_utf16_lossy(
        &bytes[2..]
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect::<Vec<_>>(),
    );
    let at = text.match_indices("\r\n").nth(8).unwrap().0 + 2;
    let (f, notes) = facts_with(0, Some(utf16le_bom(&text[..at])));
    assert_eq!(f.updates, None);
    assert_eq!(f.pending_updates, None);
    assert_eq!(f.certificates.as_ref().map(Vec::len), Some(3));
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(
        (notes[0].file.as_str(), notes[0].line),
        ("CBS-Packages.reg", Some(9))
    );
    assert!(
        notes[0].message.starts_with("updates unknown: the export ends without")
            && notes[0].message.contains(r#"reg export "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages""#),
        "{}",
        notes[0]
    );
}

#[test]
fn package_names_without_states_are_not_none_installed() {
    // `reg query` of the Packages key without /s: names only.
    let out = format!(
        "\r\n{SW}\\{CBS_PACKAGES}\r\n{SW}\\{CBS_PACKAGES}\\Package_for_KB5005625~31bf3856ad364e35~amd64~~6.3.1.0\r\n"
    );
    let mut files = RegFiles::new();
    files.add_query_output(out.as_bytes(), "cbs.txt").unwrap();
    let (f, notes) = software_facts(
        &files.view(SW),
        "web01",
        &Coverage::Exported { absent: &[] },
        &products(),
    );
    assert_eq!(f.updates, None);
    assert!(
        notes.iter().any(|n| n
            .to_string()
            .contains("lists 1 packages but the state (CurrentState) of none")),
        "{notes:?}"
    );
}

#[test]
fn an_agent_without_a_readable_version_is_still_there() {
    let uninstall = format!(r"{SW}\{}", UNINSTALL[0]);
    let text = RegText::new()
        .key(&format!(
            r"{uninstall}\{{A38F51ED-D01A-4CE4-91EB-B824A00A8BDF}}"
        ))
        .sz("DisplayName", "Trend Micro Apex One Security Agent")
        .text();
    let mut files = RegFiles::new();
    files.add_text(&text, "Uninstall.reg").unwrap();
    let (f, _) = software_facts(
        &files.view(SW),
        "web01",
        &Coverage::Exported { absent: &[] },
        &products(),
    );
    let agents = f.agents.expect("agents");
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].version, "unknown");
}

/// Whether the fact of section `i` is known empty (or known false).
fn known_empty(i: usize, f: &HostFacts) -> bool {
    match i {
        0 => f.updates.as_ref().is_some_and(Vec::is_empty),
        1 => f.certificates.as_ref().is_some_and(Vec::is_empty),
        2 => f.root_auto_update_disabled == Some(false),
        _ => f.agents.as_ref().is_some_and(Vec::is_empty),
    }
}

/// Damage a reader can see in a UTF-16 export: an odd number of bytes lost
/// or added (the text no longer lines up), or a run of bytes zeroed (NUL
/// characters). A well-formed line with other text in it (a letter of a
/// name changed) is read as what it says: no reader can tell.
fn damage() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop_oneof![
        (0usize..3).prop_flat_map(|n| {
            prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..2), 2 * n + 1)
        }),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| {
            (0..2 * len)
                .map(|k| (at.wrapping_add(k), 0u8, 2u8))
                .collect()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The section of a list damaged: its fact is never known empty. (The
    /// policy is one DWORD: it is cut and deleted below.)
    #[test]
    fn damaged_list_sections_are_never_known_empty(
        i in prop::sample::select(vec![0usize, 1, 3]),
        edits in damage(),
    ) {
        let bytes = apply_edits(sections()[i].1.clone(), &edits);
        let (f, notes) = facts_with(i, Some(bytes));
        prop_assert!(!known_empty(i, &f), "{f:?} {notes:?}");
    }

    /// A section cut anywhere, or its file missing: never known empty.
    #[test]
    fn cut_or_deleted_sections_are_never_known_empty(
        i in 0usize..4,
        at in any::<prop::sample::Index>(),
        delete in any::<bool>(),
    ) {
        let whole = sections()[i].1.clone();
        let cut = &whole[..at.index(whole.len())];
        // A cut right after the empty line that ends a key leaves a whole
        // export of fewer keys: no reader can tell (the collector's own
        // `reg export` check and file size are what catch it).
        prop_assume!(delete || !cut.ends_with(&utf16le_bom("\r\n\r\n")[2..]));
        let bytes = (!delete).then(|| cut.to_vec());
        let (f, notes) = facts_with(i, bytes);
        prop_assert!(!known_empty(i, &f), "{f:?} {notes:?}");
    }
}

#[test]
fn a_whole_hive_knows_a_key_absent_only_under_a_parent_it_has() {
    // A hive that lost its Microsoft keys (damaged): the stores and the
    // Uninstall key are not known absent; the policy key is, as Policies
    // is there without it.
    let text = RegText::new()
        .key(&format!(r"{SW}\Policies\Microsoft\SystemCertificates"))
        .text();
    let mut files = RegFiles::new();
    files.add_text(&text, "SOFTWARE").unwrap();
    let view = files.view(SW);
    let (f, _) = software_facts(&view, "web01", &Coverage::Whole, &products());
    assert_eq!(f.certificates, None);
    assert_eq!(f.agents, None);
    assert_eq!(f.root_auto_update_disabled, Some(false));
    // With the parents there, the keys are known absent.
    let text = RegText::new()
        .key(&format!(r"{SW}\Policies\Microsoft\SystemCertificates"))
        .key(&format!(r"{SW}\Microsoft\SystemCertificates"))
        .key(&format!(r"{SW}\Microsoft\EnterpriseCertificates"))
        .key(&format!(r"{SW}\Microsoft\Windows\CurrentVersion"))
        .text();
    let mut files = RegFiles::new();
    files.add_text(&text, "SOFTWARE").unwrap();
    let (f, _) = software_facts(&files.view(SW), "web01", &Coverage::Whole, &products());
    assert_eq!(f.certificates, Some(vec![]));
    assert_eq!(f.agents, Some(vec![]));
}

/// A real SOFTWARE hive that is only a part of one (regipy's
/// `ntuser_software_partial`): it has the Uninstall key and the stores but
/// no CBS `Packages` key. What it holds is known, empty lists included;
/// the updates it lacks are unknown, not "none installed".
#[test]
fn a_real_partial_hive_knows_what_it_holds_only() {
    let hive = acsready_registry::Hive::open(&acsready_testkit::shared(
        "testdata/hives/regipy__ntuser_software_partial",
    ))
    .expect("hive opens");
    assert!(hive.subkeys(CBS_PACKAGES).is_none());
    let (f, _) = software_facts(&hive, "h", &Coverage::Whole, &products());
    assert_eq!(f.updates, None);
    assert_eq!(f.pending_updates, None);
    assert_eq!(
        f.agents,
        Some(vec![]),
        "the Uninstall key is there, no product"
    );
    assert_eq!(f.certificates.as_ref().map(Vec::len), Some(1));
}
