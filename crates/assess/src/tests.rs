use std::sync::OnceLock;

use acsready_facts::HostFacts;
use acsready_rules::{Lang, Rules};
use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

pub(crate) const ROOT: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

pub(crate) fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules"))
}

pub(crate) fn facts(v: Value) -> HostFacts {
    let mut f: HostFacts = serde_json::from_value(v).expect("facts");
    f.normalize().expect("normalize");
    f
}

pub(crate) fn run(v: Value) -> HostAssessment {
    assess(&facts(v), rules(), Lang::En)
}

/// A host with the root in ROOT and the given OS; `extra` fields are merged in.
pub(crate) fn host(build: &str, installation: &str, extra: Value) -> Value {
    let mut h = json!({
        "host": "h",
        "os": {"current_build": build, "installation_type": installation},
        "certificates": [{"sha1": ROOT, "store": "ROOT"}],
        "root_auto_update_disabled": false,
    });
    if let (Some(h), Value::Object(extra)) = (h.as_object_mut(), extra) {
        for (k, v) in extra {
            h.insert(k, v);
        }
    }
    h
}

pub(crate) fn codes(a: &HostAssessment) -> Vec<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Every Windows 10/Server row with a minimum UBR: one below, at, above.
#[test]
fn min_ubr_rows_at_their_boundaries() {
    let rows = [
        ("20348", "Server", 261, "KB5005619", "Windows Server 2022"),
        ("19043", "Client", 1266, "KB5005611", "Windows 10 21H1"),
        ("19042", "Client", 1266, "KB5005611", "Windows 10 20H2"),
        ("19041", "Client", 1266, "KB5005611", "Windows 10 2004"),
        ("19044", "Client", 1586, "KB5011487", "Windows 10 21H2"),
        ("18363", "Client", 1830, "KB5005624", "Windows 10 1909"),
        (
            "17763",
            "Client",
            2210,
            "KB5005625",
            "Windows 10 1809 / LTSC 2019",
        ),
        ("17763", "Server", 2210, "KB5005625", "Windows Server 2019"),
        (
            "14393",
            "Client",
            4704,
            "KB5006669",
            "Windows 10 1607 / LTSB 2016",
        ),
        (
            "14393",
            "Server Core",
            4704,
            "KB5006669",
            "Windows Server 2016",
        ),
        (
            "10240",
            "Client",
            19086,
            "KB5006675",
            "Windows 10 1507 / LTSB 2015",
        ),
    ];
    for (build, inst, min, kb, name) in rows {
        for (ubr, expected) in [
            (min - 1, Verdict::NotReady),
            (min, Verdict::Ready),
            (min + 1, Verdict::Ready),
        ] {
            let a = run(host(&format!("{build}.{ubr}"), inst, json!({})));
            assert_eq!(a.verdict, expected, "{build}.{ubr} {inst}: {:?}", codes(&a));
            assert_eq!(a.os.name, name);
            if expected == Verdict::NotReady {
                let f = &a.findings[0];
                assert_eq!(f.code, "ACS001");
                assert!(f.remediation[0].contains(kb), "{:?}", f.remediation);
                assert!(f.title.contains(&format!("{build}.{min}")), "{}", f.title);
            } else {
                assert!(codes(&a).contains(&"ACS100"));
            }
        }
    }
}

#[test]
fn native_rows_are_ready_at_any_ubr() {
    for (build, inst, name) in [
        ("22000", "Client", "Windows 11 21H2"),
        ("22621", "Client", "Windows 11 22H2"),
        ("22631", "Client", "Windows 11 23H2"),
        ("26100", "Server", "Windows Server 2025"),
        (
            "25398",
            "Server",
            "Windows Server 23H2 / Azure Stack HCI 23H2",
        ),
        ("20349", "Server", "Azure Stack HCI 22H2"),
        (
            "26200",
            "Client",
            "Windows 11 / Windows Server 2025 or later",
        ),
        ("19045", "Client", "Windows 10 22H2"),
    ] {
        let a = run(host(&format!("{build}.1"), inst, json!({})));
        assert_eq!(a.verdict, Verdict::Ready, "{build}");
        assert_eq!(a.os.name, name);
    }
}

/// Azure Stack HCI 20H2 (17784): from KB5006679 (17784.2005) on.
#[test]
fn azure_stack_hci_20h2_needs_the_october_2021_update() {
    let a = run(host("17784.1979", "Server", json!({})));
    assert_eq!(
        (a.verdict, a.os.name.as_str()),
        (Verdict::NotReady, "Azure Stack HCI 20H2")
    );
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "ACS001")
        .expect("ACS001");
    assert!(
        f.remediation[0].contains("KB5006679"),
        "{:?}",
        f.remediation
    );
    assert_eq!(
        run(host("17784.2005", "Server", json!({}))).verdict,
        Verdict::Ready
    );
}

#[test]
fn windows_11_is_told_by_build_not_product_name() {
    let mut h = host("22631.4460", "Client", json!({}));
    h["os"]["product_name"] = json!("Windows 10 Pro");
    let a = run(h);
    assert_eq!(a.os.name, "Windows 11 23H2");
    assert_eq!(a.verdict, Verdict::Ready);
}

#[test]
fn windows_10_21h2_applies_the_stricter_source_and_says_so() {
    let a = run(host("19044.1585", "Client", json!({})));
    assert_eq!(a.verdict, Verdict::NotReady);
    let disagree = a.findings.iter().find(|f| f.code == "ACS008").unwrap();
    assert!(disagree.title.contains("KA-0013628"), "{}", disagree.title);
    assert!(
        disagree.remediation[0].contains("seed 001"),
        "{:?}",
        disagree.remediation
    );

    let mut lenient = rules().clone();
    lenient.policy.conflicting_sources = acsready_rules::ConflictPolicy::MostLenient;
    let a = assess(
        &facts(host("19044.1585", "Client", json!({}))),
        &lenient,
        Lang::En,
    );
    assert_eq!(a.verdict, Verdict::Ready);
}

/// Legacy rows: the October rollup, the security-only update, a later rollup, none.
#[test]
fn legacy_rows_with_each_kind_of_update() {
    let rows = [
        (
            "9600",
            "Server",
            "KB5006714",
            "KB5006729",
            "KB5022352",
            "Windows Server 2012 R2",
        ),
        (
            "9600",
            "Client",
            "KB5006714",
            "KB5006729",
            "KB5007247",
            "Windows 8.1",
        ),
        (
            "9200",
            "Server",
            "KB5006739",
            "KB5006732",
            "KB5010392",
            "Windows Server 2012",
        ),
        (
            "7601",
            "Client",
            "KB5006743",
            "KB5006728",
            "KB5007236",
            "Windows 7 SP1",
        ),
        (
            "7601",
            "Server",
            "KB5006743",
            "KB5006728",
            "KB5034169",
            "Windows Server 2008 R2 SP1",
        ),
        (
            "6003",
            "Server",
            "KB5006736",
            "KB5006715",
            "KB5034173",
            "Windows Server 2008 SP2",
        ),
        (
            "6002",
            "Server",
            "KB5006736",
            "KB5006715",
            "KB5018450",
            "Windows Server 2008 SP2",
        ),
    ];
    for (build, inst, rollup, sec_only, later, name) in rows {
        for kb in [rollup, sec_only, later] {
            let a = run(host(build, inst, json!({"updates": ["KB4474419", kb]})));
            assert_eq!(
                a.verdict,
                Verdict::Ready,
                "{name} with {kb}: {:?}",
                codes(&a)
            );
            assert_eq!(a.os.name, name);
        }
        let a = run(host(
            build,
            inst,
            json!({"updates": ["KB4474419", "KB4490628"]}),
        ));
        assert_eq!(
            a.verdict,
            Verdict::NotReady,
            "{name} without: {:?}",
            codes(&a)
        );
        let f = a.findings.iter().find(|f| f.code == "ACS002").unwrap();
        assert!(f.remediation[0].contains(rollup) && f.remediation[0].contains(sec_only));
        let esu = codes(&a).contains(&"ACS007");
        assert_eq!(esu, build == "7601" || build.starts_with("600"), "{name}");
    }
}

#[test]
fn a_later_security_only_update_alone_does_not_count() {
    // KB5007255 is the November 2021 security-only update for 8.1 / 2012 R2.
    let a = run(host("9600", "Server", json!({"updates": ["KB5007255"]})));
    assert_eq!(a.verdict, Verdict::NotReady, "{:?}", codes(&a));
}

#[test]
fn legacy_host_with_updates_the_rules_do_not_know_is_unknown() {
    let a = run(host(
        "9600",
        "Server",
        json!({"updates": ["KB4474419", "KB5099999"]}),
    ));
    assert_eq!(a.verdict, Verdict::Unknown);
    let f = a.findings.iter().find(|f| f.code == "ACS012").unwrap();
    assert!(f.remediation[0].contains("KB5099999"));
}

#[test]
fn legacy_host_without_update_facts_is_unknown() {
    let a = run(host("9600", "Server", json!({})));
    assert_eq!(a.verdict, Verdict::Unknown);
    let f = &a.findings.iter().find(|f| f.code == "ACS010").unwrap();
    assert!(f.title.contains("updates"));
    assert!(f.remediation[0].contains("wmic qfe"));
}

#[test]
fn releases_without_any_update_are_unsupported() {
    for (build, inst) in [
        ("18362", "Client"),
        ("17134", "Client"),
        ("16299", "Server"),
        ("15063", "Client"),
        ("10586", "Client"),
        ("9200", "Client"),
        ("7600", "Client"),
        ("7600", "Server"),
        ("6002", "Client"),
        ("6001", "Server"),
        ("3790", "Server"),
        ("2600", "Client"),
        ("2195", "Server"),
    ] {
        let a = run(host(build, inst, json!({"updates": []})));
        assert_eq!(a.verdict, Verdict::Unsupported, "{build} {inst}");
        assert_eq!(a.findings[0].code, "ACS003");
        assert!(a.findings[0].remediation[0].contains("supported Windows"));
    }
}

#[test]
fn shared_build_without_installation_type_is_unknown() {
    let a = run(
        json!({"host":"h","os":{"current_build":"9200"},"updates":["KB5006739"],
        "certificates":[{"sha1":ROOT,"store":"ROOT"}]}),
    );
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(a
        .findings
        .iter()
        .any(|f| f.title.contains("os.installation_type")));
    // ProductName that names a server settles it.
    let a = run(
        json!({"host":"h","os":{"current_build":"9200","product_name":"Windows Server 2012 Standard"},
        "updates":["KB5006739"],"certificates":[{"sha1":ROOT,"store":"ROOT"}]}),
    );
    assert_eq!(a.verdict, Verdict::Ready);
}

#[test]
fn missing_ubr_is_unknown_unless_the_kb_is_listed() {
    let a = run(host("17763", "Server", json!({})));
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(a.findings.iter().any(|f| f.title == "Missing fact: os.ubr"));
    let a = run(host("17763", "Server", json!({"updates": ["KB5005625"]})));
    assert_eq!(a.verdict, Verdict::Ready);
}

#[test]
fn missing_build_and_unknown_build() {
    let a = run(json!({"host":"h","certificates":[]}));
    assert_eq!(a.verdict, Verdict::Unknown);
    let a = run(host("18000.1", "Client", json!({})));
    assert_eq!(a.verdict, Verdict::Unknown);
    assert_eq!(a.findings[0].code, "ACS011");
}

#[test]
fn root_certificate_cases() {
    let with_certs = |certs: Value, disabled: Value| {
        let mut h = host("17763.2300", "Server", json!({}));
        h["certificates"] = certs;
        h["root_auto_update_disabled"] = disabled;
        if h["certificates"].is_null() {
            h.as_object_mut().unwrap().remove("certificates");
        }
        if h["root_auto_update_disabled"].is_null() {
            h.as_object_mut()
                .unwrap()
                .remove("root_auto_update_disabled");
        }
        run(h)
    };
    let only = |store: &str| json!([{"sha1": ROOT, "store": store}]);
    for store in ["AuthRoot", "ROOT", "Policies\\Root", "EnterpriseRoot"] {
        let a = with_certs(only(store), json!(true));
        assert_eq!(a.verdict, Verdict::Ready, "{store}");
        assert!(codes(&a).contains(&"ACS101"));
    }
    // Not collected: unknown.
    let a = with_certs(Value::Null, json!(false));
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(a
        .findings
        .iter()
        .any(|f| f.title == "Missing fact: certificates"));
    // Absent, auto-update off: not ready, critical.
    let a = with_certs(json!([]), json!(true));
    assert_eq!(a.verdict, Verdict::NotReady);
    assert_eq!(a.findings[0].code, "ACS004");
    assert!(a.findings[0]
        .remediation
        .iter()
        .any(|r| r.contains("EasyFixSysCerts.exe A1")));
    assert!(a.findings[0]
        .remediation
        .iter()
        .any(|r| r.contains("certutil -addstore Root")));
    // Absent, auto-update on: ready with a warning.
    let a = with_certs(json!([]), json!(false));
    assert_eq!(a.verdict, Verdict::Ready);
    assert!(codes(&a).contains(&"ACS005"));
    // Absent, policy unknown: unknown.
    let a = with_certs(json!([]), Value::Null);
    assert_eq!(a.verdict, Verdict::Unknown);
    // In a store that does not count (CA): as absent.
    let a = with_certs(only("CA"), json!(true));
    assert_eq!(a.verdict, Verdict::NotReady);
    // Distrusted wins over trusted.
    let a = with_certs(
        json!([{"sha1": ROOT, "store": "ROOT"}, {"sha1": ROOT, "store": "Disallowed"}]),
        json!(false),
    );
    assert_eq!(a.verdict, Verdict::NotReady);
    assert_eq!(a.findings[0].code, "ACS006");
}

#[test]
fn a_store_entry_holding_another_certificate_does_not_count() {
    let mut h = host("17763.2300", "Server", json!({}));
    h["certificates"] = json!([{"sha1": ROOT, "store": "ROOT", "der_sha1": "28CA236A328D9C5240AB1712A1392DAA8B4DD7A0"}]);
    h["root_auto_update_disabled"] = json!(true);
    let a = run(h);
    assert_eq!(a.verdict, Verdict::NotReady);
    assert!(codes(&a).contains(&"ACS009") && codes(&a).contains(&"ACS004"));
    // The same entry with matching bytes is trusted.
    let mut h = host("17763.2300", "Server", json!({}));
    h["certificates"] = json!([{"sha1": ROOT, "store": "ROOT", "der_sha1": ROOT}]);
    assert_eq!(run(h).verdict, Verdict::Ready);
}

#[test]
fn an_update_waiting_for_a_restart_is_named() {
    let a = run(host(
        "17763.2183",
        "Server",
        json!({"pending_updates": ["KB5005625"]}),
    ));
    assert_eq!(a.verdict, Verdict::NotReady);
    let f = a.findings.iter().find(|f| f.code == "ACS013").unwrap();
    assert!(f.title.contains("KB5005625"));
    let a = run(host(
        "9600",
        "Server",
        json!({"updates": [], "pending_updates": ["KB5022352"]}),
    ));
    assert!(codes(&a).contains(&"ACS013"));
}

#[test]
fn easyfix_log_stands_in_for_uncollected_certificates() {
    let mut h = host("17763.2300", "Server", json!({"easyfix": "fixed"}));
    h.as_object_mut().unwrap().remove("certificates");
    let a = run(h.clone());
    assert_eq!(a.verdict, Verdict::Ready);
    h["easyfix"] = json!("failed");
    let a = run(h);
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(codes(&a).contains(&"ACS015"));
}

#[test]
fn conflicts_become_findings_and_evidence_names_its_source() {
    let mut f = facts(host("17763.2300", "Server", json!({})));
    f.attribute_all("SOFTWARE");
    let mut other = facts(host("17763.2183", "Server", json!({})));
    other.attribute_all("web01/CurrentVersion.reg");
    f.merge(other, "x");
    let a = assess(&f, rules(), Lang::En);
    let c = a.findings.iter().find(|f| f.code == "ACS014").unwrap();
    assert!(
        c.remediation[0].contains("2300 (SOFTWARE)")
            && c.remediation[0].contains("2183 (web01/CurrentVersion.reg)")
    );
    let met = a.findings.iter().find(|f| f.code == "ACS100").unwrap();
    let ubr = met.evidence.iter().find(|e| e.fact == "os.ubr").unwrap();
    assert_eq!(ubr.source.as_deref(), Some("SOFTWARE"));
}

#[test]
fn japanese_texts() {
    let f = facts(host("17763.2183", "Server", json!({})));
    let a = assess(&f, rules(), Lang::Ja);
    assert!(
        a.findings[0].title.contains("更新プログラム"),
        "{}",
        a.findings[0].title
    );
    assert!(a.findings[0].remediation[0].contains("KB5005625"));
}

#[test]
fn findings_are_sorted_by_severity() {
    let a = run(host(
        "17763.2183",
        "Server",
        json!({"certificates": [], "root_auto_update_disabled": true,
               "agents":[{"product":"deep_security_agent","version":"20.0.0-6690"}]}),
    ));
    let sev: Vec<_> = a.findings.iter().map(|f| f.severity).collect();
    let mut sorted = sev.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(sev, sorted);
}

fn arb_host() -> impl Strategy<Value = Value> {
    let builds = prop::sample::select(vec![
        22000u32, 19045, 19044, 19043, 18363, 17763, 14393, 10240, 20348, 9600, 9200, 7601, 6003,
        18362, 7600,
    ]);
    let kbs = prop::collection::vec(
        prop::sample::select(vec![
            "KB5006714",
            "KB5006729",
            "KB5007247",
            "KB5006739",
            "KB5006743",
            "KB5006736",
            "KB4474419",
            "KB5099999",
            "KB5005625",
            "KB5007255",
        ]),
        0..4,
    );
    (
        builds,
        prop::option::of(0u32..25_000),
        prop::option::of(kbs),
        prop::sample::select(vec!["Client", "Server"]),
        prop::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(|(build, ubr, updates, inst, disabled, root)| {
            let mut h = json!({"host":"p","os":{"current_build": build.to_string(), "installation_type": inst},
                "certificates": if root { json!([{"sha1": ROOT, "store": "AuthRoot"}]) } else { json!([]) }});
            if let Some(u) = ubr {
                h["os"]["ubr"] = json!(u);
            }
            if let Some(u) = updates {
                h["updates"] = json!(u);
            }
            if let Some(d) = disabled {
                h["root_auto_update_disabled"] = json!(d);
            }
            h
        })
}

proptest! {
    /// Raising the UBR or adding updates never turns a ready host into a not-ready one.
    #[test]
    fn more_updates_never_make_a_ready_host_not_ready(
        h in arb_host(),
        raise in 0u32..20_000,
        extra in prop::collection::vec(prop::sample::select(vec!["KB5006714", "KB5099999", "KB5007255", "KB4474419", "KB5005625"]), 0..3),
    ) {
        let before = run(h.clone());
        let mut after = h;
        if let Some(u) = after["os"]["ubr"].as_u64() {
            after["os"]["ubr"] = json!(u + u64::from(raise));
        }
        let mut updates: Vec<Value> = after["updates"].as_array().cloned().unwrap_or_default();
        updates.extend(extra.iter().map(|k| json!(k)));
        after["updates"] = json!(updates);
        let after = run(after);
        if before.verdict == Verdict::Ready {
            prop_assert_eq!(after.verdict, Verdict::Ready);
        }
        if before.verdict == Verdict::Unsupported {
            prop_assert_eq!(after.verdict, Verdict::Unsupported);
        }
    }

    /// Every host gets a verdict, and every finding has a title.
    #[test]
    fn assessment_is_total(h in arb_host()) {
        let a = run(h);
        let complete = a.findings.iter().all(|f| !f.title.is_empty() && !f.title.contains('{'));
        prop_assert!(complete, "a title is empty or has an unfilled placeholder");
    }
}
