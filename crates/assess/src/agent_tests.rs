//! Agent plans for every line and boundary the rules carry: last build before
//! ACS, first ACS build, builds in between, feature releases, unknown builds.

use serde_json::{json, Value};

use crate::tests::{codes, host, run};
use crate::{Action, HostAssessment, Verdict};

fn plan(a: &HostAssessment) -> (Action, &str) {
    (a.agents[0].action, a.agents[0].target.as_str())
}

/// A Server 2019 host below the update (not ready) with one agent.
fn unready(product: &str, version: &str, extra: Value) -> HostAssessment {
    let mut h = host("17763.2183", "Server", extra);
    h["agents"] = json!([{"product": product, "version": version}]);
    run(h)
}

/// The same host with the update (ready).
fn ready(product: &str, version: &str) -> HostAssessment {
    let mut h = host("17763.2300", "Server", json!({}));
    h["agents"] = json!([{"product": product, "version": version}]);
    run(h)
}

use Action::{FixHost, Hold, None as NoAction, Pin};

/// product, version, action and target on a host that is not ready, codes that
/// must be among the findings, codes that must not.
type Case = (
    &'static str,
    &'static str,
    Action,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const DSA: &str = "deep_security_agent";
const DSN: &str = "deep_security_notifier";
const SAAS: &str = "apex_one_saas_agent";
const SEP: &str = "vision_one_sep_agent";

const UNREADY: &[Case] = &[
    // Deep Security 20.0 LTS: last pre-ACS 6313, first ACS 6690 (seeds 000, 002).
    (
        DSA,
        "20.0.0-5137",
        Pin,
        "20.0.0.6313",
        &["ACS021"],
        &["ACS028", "ACS036"],
    ),
    (DSA, "20.0.0.6313", Pin, "20.0.0.6313", &["ACS021"], &[]),
    (
        DSA,
        "20.0.0.6314",
        Hold,
        "20.0.0.6314",
        &["ACS036"],
        &["ACS021", "ACS020"],
    ),
    (
        DSA,
        "20.0.0.6689",
        Hold,
        "20.0.0.6689",
        &["ACS036"],
        &["ACS021"],
    ),
    (
        DSA,
        "20.0.0-6690",
        FixHost,
        "20.0.0-6690",
        &["ACS020"],
        &["ACS021"],
    ),
    (DSA, "20.0.0-8438", FixHost, "20.0.0-8438", &["ACS020"], &[]),
    // 20.0.1 is the same long-term line (20.0), built later.
    (
        DSA,
        "20.0.1-21510",
        FixHost,
        "20.0.1-21510",
        &["ACS020"],
        &[],
    ),
    // 12.0 LTS: 2626 / 2932.
    (
        DSA,
        "12.0.0.1234",
        Pin,
        "12.0.0.2626",
        &["ACS021"],
        &["ACS028"],
    ),
    (DSA, "12.0.0.2626", Pin, "12.0.0.2626", &["ACS021"], &[]),
    (DSA, "12.0.0.2800", Hold, "12.0.0.2800", &["ACS036"], &[]),
    (DSA, "12.0.0-2932", FixHost, "12.0.0-2932", &["ACS020"], &[]),
    // 11.0 LTS: 2549 / 2580; its installers do not check the host.
    (
        DSA,
        "11.0.0.2000",
        Pin,
        "11.0.0.2549",
        &["ACS021", "ACS028"],
        &[],
    ),
    (DSA, "11.0.0.2560", Hold, "11.0.0.2560", &["ACS036"], &[]),
    (DSA, "11.0.0-2580", FixHost, "11.0.0-2580", &["ACS020"], &[]),
    // Feature releases: never ACS-signed, out of support; 12.5 moves to the 20.0
    // LTS line, the 11.x releases through 12.0 (Deep Security 20 does not upgrade them).
    (
        DSA,
        "11.1.0.163",
        Pin,
        "12.0.0.2626",
        &["ACS037", "ACS021"],
        &["ACS020", "ACS036", "ACS022"],
    ),
    (
        DSA,
        "11.2.0.148",
        Pin,
        "12.0.0.2626",
        &["ACS037"],
        &["ACS020", "ACS022"],
    ),
    (
        DSA,
        "11.3.0.254",
        Pin,
        "12.0.0.2626",
        &["ACS037"],
        &["ACS020", "ACS022"],
    ),
    (
        DSA,
        "12.5.0.1001",
        Pin,
        "20.0.0.6313",
        &["ACS037"],
        &["ACS020", "ACS022"],
    ),
    // Below 11: unsupported, to the newest pre-ACS build.
    (
        DSA,
        "10.0.0.3761",
        Pin,
        "20.0.0.6313",
        &["ACS022", "ACS021"],
        &["ACS037"],
    ),
    (DSA, "9.6.2-8288", Pin, "20.0.0.6313", &["ACS022"], &[]),
    // A version too short to place against the line's builds: held.
    (
        DSA,
        "20.0",
        Hold,
        "20.0",
        &["ACS036"],
        &["ACS021", "ACS020"],
    ),
    (
        "apex_one_agent",
        "14.0",
        Hold,
        "14.0",
        &["ACS036"],
        &["ACS021", "ACS020"],
    ),
    // A minor the rules know nothing of: held, never guessed.
    (
        DSA,
        "12.1.0.100",
        Hold,
        "12.1.0.100",
        &["ACS036"],
        &["ACS020", "ACS021"],
    ),
    // Notifier: same builds, its installer does not check the host.
    (
        DSN,
        "20.0.0.6000",
        Pin,
        "20.0.0.6313",
        &["ACS021", "ACS028"],
        &[],
    ),
    (DSN, "12.0.0.2626", Pin, "12.0.0.2626", &["ACS028"], &[]),
    (DSN, "11.0.0.2000", Pin, "11.0.0.2549", &["ACS028"], &[]),
    (DSN, "20.0.0-6690", FixHost, "20.0.0-6690", &["ACS020"], &[]),
    // Manager: ACS-signed without /INTEGRITYCHECK, not affected.
    (
        "deep_security_manager",
        "20.0.737",
        NoAction,
        "20.0.737",
        &["ACS024"],
        &[],
    ),
    (
        "deep_security_manager",
        "12.5.0.100",
        NoAction,
        "12.5.0.100",
        &["ACS024"],
        &[],
    ),
    // Apex One: ACS check and signing from Critical Patch 12011 (seed 003).
    (
        "apex_one_agent",
        "14.0.11564",
        Pin,
        "14.0.11564",
        &["ACS021", "ACS023"],
        &[],
    ),
    (
        "apex_one_agent",
        "14.0.12011",
        FixHost,
        "14.0.12011",
        &["ACS020"],
        &["ACS023"],
    ),
    (
        "apex_one_server",
        "14.0.11000",
        Pin,
        "14.0.11000",
        &["ACS021"],
        &[],
    ),
    // Apex One SaaS and Standard Endpoint Protection: December 2022 = 11960 is
    // the last before ACS and loops (KA-0014129, seed 003); 12637 and later are
    // ACS-signed; the builds in between are held. The service delivers only its
    // current build, so a pin keeps the installed one.
    (
        SAAS,
        "14.0.11789",
        Pin,
        "14.0.11789",
        &["ACS021", "ACS023"],
        &["ACS036"],
    ),
    (
        SAAS,
        "14.0.11960",
        Pin,
        "14.0.11960",
        &["ACS021", "ACS023"],
        &[],
    ),
    (
        SAAS,
        "14.0.12000",
        Hold,
        "14.0.12000",
        &["ACS036"],
        &["ACS021", "ACS023", "ACS020"],
    ),
    (
        SAAS,
        "14.0.12637",
        FixHost,
        "14.0.12637",
        &["ACS020"],
        &["ACS021", "ACS023"],
    ),
    (
        SAAS,
        "14.0.12737",
        FixHost,
        "14.0.12737",
        &["ACS020"],
        &["ACS023"],
    ),
    (SAAS, "14.0.20731", FixHost, "14.0.20731", &["ACS020"], &[]),
    (
        SEP,
        "14.0.12526",
        Hold,
        "14.0.12526",
        &["ACS036"],
        &["ACS020"],
    ),
    (SEP, "14.0.14492", FixHost, "14.0.14492", &["ACS020"], &[]),
];

#[test]
fn every_line_and_boundary_on_a_host_that_is_not_ready() {
    for &(product, version, action, target, must, must_not) in UNREADY {
        let a = unready(product, version, json!({}));
        assert_eq!(a.verdict, Verdict::NotReady);
        let got = codes(&a);
        assert_eq!(plan(&a), (action, target), "{product} {version}: {got:?}");
        for c in must {
            assert!(
                got.contains(c),
                "{product} {version}: {c} missing in {got:?}"
            );
        }
        for c in must_not {
            assert!(
                !got.contains(c),
                "{product} {version}: {c} unexpected in {got:?}"
            );
        }
        assert!(!a.agents[0].reason.is_empty());
    }
}

#[test]
fn every_line_on_a_ready_host_upgrades() {
    for &(product, version, action, _, _, _) in UNREADY {
        let a = ready(product, version);
        assert_eq!(a.verdict, Verdict::Ready);
        let want = if action == NoAction {
            NoAction
        } else {
            Action::Upgrade
        };
        assert_eq!(plan(&a).0, want, "{product} {version}: {:?}", codes(&a));
    }
    // A feature release on a ready host: upgrade, and say where to.
    let a = ready(DSA, "11.3.0.254");
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "ACS037")
        .expect("ACS037");
    assert!(f.title.contains("11.3 feature release"), "{}", f.title);
    assert!(
        f.remediation.iter().any(|r| r.contains("12.0.0.2626")),
        "{:?}",
        f.remediation
    );
}

#[test]
fn a_build_between_says_what_the_sources_say() {
    let a = unready(DSA, "20.0.0.6500", json!({}));
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "ACS036")
        .expect("ACS036");
    let text = f.remediation.join("\n");
    for needle in [
        "20.0.0.6313",
        "20.0.0-6690",
        "acsready inspect",
        "Upgrade Agent",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
}

#[test]
fn pin_steps_name_the_target_and_the_risks() {
    let a = unready(DSA, "20.0.0-5137", json!({}));
    let pin = a.findings.iter().find(|f| f.code == "ACS021").unwrap();
    let r = &pin.remediation;
    assert!(r.iter().any(|r| r.contains("self-protection")));
    assert!(r
        .iter()
        .any(|r| r.contains("Export the installer of 20.0.0.6313")));
    assert!(r.iter().any(|r| r.contains("Accepted risks")));
    // Apex One before 12011 without delivery control: may loop.
    let a = unready("apex_one_agent", "14.0.11564", json!({}));
    let f = a.findings.iter().find(|f| f.code == "ACS023").unwrap();
    assert!(f.remediation.iter().any(|r| r.contains("NoProgramUpgrade")));
    let a = unready(
        "apex_one_agent",
        "14.0.11564",
        json!({"delivery": {"no_program_upgrade": true}}),
    );
    assert!(!codes(&a).contains(&"ACS023"));
    let pin = a.findings.iter().find(|f| f.code == "ACS021").unwrap();
    assert!(pin.remediation.iter().any(|r| r.contains("already set")));
    // Fix host is critical and comes first.
    let a = unready(DSA, "20.0.0-6690", json!({}));
    assert_eq!(a.findings[0].code, "ACS020");
}

/// Every product's delivery-control steps are its own: on-premises console,
/// SaaS console, Vision One, Workload Security.
#[test]
fn each_product_gets_its_own_delivery_control() {
    let cases = [
        (DSA, "20.0.0-5137", "Export the installer"),
        ("apex_one_agent", "14.0.11564", "Agents > Agent Management"),
        (
            SAAS,
            "14.0.11960",
            "Apex One SaaS console: Policies > Policy Management",
        ),
        (SEP, "14.0.11960", "Protection Manager"),
    ];
    for (product, version, needle) in cases {
        let a = unready(product, version, json!({}));
        let pin = a.findings.iter().find(|f| f.code == "ACS021").expect("pin");
        let steps = pin.remediation.join("\n");
        assert!(steps.contains(needle), "{product}: {steps}");
        if product != "apex_one_agent" {
            assert!(
                !steps.contains("Agents > Agent Management"),
                "{product}: {steps}"
            );
        }
    }
}

#[test]
fn agent_plans_on_unknown_and_odd_inputs() {
    let a = run(json!({"host":"h","os":{"current_build":"17763"},
        "agents":[{"product":"deep_security_agent","version":"20.0.0.6313"}]}));
    assert_eq!(a.verdict, Verdict::Unknown);
    assert_eq!(plan(&a).0, Hold);
    let a = run(host(
        "17763.3000",
        "Server",
        json!({"agents":[{"product":"deep_security_agent","version":"twenty"},
                         {"product":"acme","version":"1"}]}),
    ));
    assert_eq!(a.agents[0].action, Hold);
    assert_eq!(a.agents[1].action, Hold);
    assert!(codes(&a).contains(&"ACS025") && codes(&a).contains(&"ACS029"));
}
