use super::*;
use acsready_facts::{FileListing, ServiceFact};

const ROOT: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

fn host(json: &str) -> HostFacts {
    let mut f: HostFacts = serde_json::from_str(json).expect("facts");
    f.normalize().expect("valid");
    f
}

/// A ready Windows Server 2019 with an agent of `version`.
fn ready(name: &str, version: &str, npu: bool) -> HostFacts {
    host(&format!(
        r#"{{"host":"{name}","os":{{"current_build":"17763.2210","installation_type":"Server"}},
            "certificates":[{{"sha1":"{ROOT}","store":"AuthRoot"}}],"root_auto_update_disabled":false,
            "agents":[{{"product":"apex_one_agent","version":"{version}"}}],
            "delivery":{{"no_program_upgrade":{npu}}}}}"#
    ))
}

fn server(version: &str) -> ServerEvidence {
    let facts = host(&format!(
        r#"{{"host":"osce","os":{{"current_build":"17763.2210","installation_type":"Server"}},
            "certificates":[{{"sha1":"{ROOT}","store":"AuthRoot"}}],"root_auto_update_disabled":false,
            "agents":[{{"product":"apex_one_server","version":"{version}"}}]}}"#
    ));
    ServerEvidence {
        host: "osce".into(),
        facts: Some(facts),
        version: None,
        services: None,
        listing: None,
    }
}

fn listing(paths: &[&str]) -> FileListing {
    FileListing {
        origin: "dir.txt".into(),
        paths: paths.iter().map(|p| p.to_string()).collect(),
    }
}

fn before() -> Options {
    Options {
        phase: Phase::Before,
        staged_rollout: false,
    }
}

fn after() -> Options {
    Options {
        phase: Phase::After,
        staged_rollout: false,
    }
}

fn rules() -> Rules {
    Rules::embedded().unwrap()
}

fn codes_of(p: &Preflight) -> Vec<&str> {
    p.findings.iter().map(|f| f.code.as_str()).collect()
}

fn finding<'a>(p: &'a Preflight, code: &str) -> &'a PreflightFinding {
    p.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes_of(p)))
}

#[test]
fn a_clean_fleet_does_not_block() {
    let rules = rules();
    let pf = rules.preflight.apex_one.as_ref().unwrap();
    let mut s = server("12.0.0.5500");
    s.listing = Some(listing(&[r"C:\OSCE\AuthCertBackup\OfficeScanAuth.dat"]));
    let agents = [
        ready("a1", "12.0.0.5500", true),
        ready("a2", "12.0.0.5500", true),
    ];
    let pw = check_password(pf, "Passw0rd");
    let p = run(&rules, Lang::En, before(), &agents, &s, Some(&pw)).unwrap();
    assert!(!p.summary.blocked, "{:?}", codes_of(&p));
    for code in [
        "ACS203", "ACS205", "ACS211", "ACS212", "ACS218", "ACS219", "ACS221", "ACS222",
    ] {
        finding(&p, code);
    }
    assert_eq!(p.summary.blocking, 0);
    assert_eq!(p.server.line.as_deref(), Some("Virus Buster Corp. XG"));
}

#[test]
fn unsupported_windows_blocks_and_is_listed() {
    let rules = rules();
    let agents = [
        host(r#"{"host":"xp","os":{"current_build":"2600","installation_type":"Client"}}"#),
        host(r#"{"host":"vista","os":{"current_build":"6002","installation_type":"Client"}}"#),
        host(r#"{"host":"w7rtm","os":{"current_build":"7600","installation_type":"Client"}}"#),
        host(r#"{"host":"w8","os":{"current_build":"9200","installation_type":"Client"}}"#),
        host(r#"{"host":"ws08","os":{"current_build":"6003","installation_type":"Server"}}"#),
        host(r#"{"host":"ws08r2rtm","os":{"current_build":"7600","installation_type":"Server"}}"#),
        host(r#"{"host":"ws12","os":{"current_build":"9200","installation_type":"Server"}}"#),
        host(r#"{"host":"w7sp1","os":{"current_build":"7601","installation_type":"Client"}}"#),
        host(r#"{"host":"nobuild"}"#),
        host(r#"{"host":"amb9200","os":{"current_build":"9200"}}"#),
        host(
            r#"{"host":"ws12dc","os":{"current_build":"9200","product_name":"Windows Server 2012 Datacenter"}}"#,
        ),
        host(r#"{"host":"vista-or-2008","os":{"current_build":"6002"}}"#),
    ];
    let p = run(
        &rules,
        Lang::En,
        before(),
        &agents,
        &server("12.0.0.1"),
        None,
    )
    .unwrap();
    let f = finding(&p, "ACS200");
    assert!(f.blocking);
    assert_eq!(
        f.hosts,
        ["vista", "vista-or-2008", "w7rtm", "w8", "ws08", "xp"]
    );
    assert!(f.title.starts_with("6 agent(s)"), "{}", f.title);
    assert_eq!(p.findings[0].code, "ACS200");
    let ambiguous = finding(&p, "ACS201");
    assert_eq!(ambiguous.hosts, ["nobuild", "amb9200"]);
    assert!(
        ambiguous.evidence[1].value.contains("Windows 8?"),
        "{:?}",
        ambiguous.evidence
    );
    assert!(p.summary.blocked);
    let xp = p.agents.iter().find(|a| a.host == "xp").unwrap();
    assert_eq!(
        xp.unsupported_os.as_deref(),
        Some("Windows XP / Windows Server 2003")
    );
}

#[test]
fn a_forbidden_password_blocks_naming_only_classes() {
    let rules = rules();
    let pf = rules.preflight.apex_one.as_ref().unwrap();
    let pw = check_password(pf, "s3cr&t(x)");
    let p = run(
        &rules,
        Lang::Ja,
        before(),
        &[],
        &server("12.0.0.1"),
        Some(&pw),
    )
    .unwrap();
    let f = finding(&p, "ACS202");
    assert!(f.blocking);
    assert!(f.title.contains("コマンド シェルの記号"), "{}", f.title);
    assert!(f.title.contains("括弧"), "{}", f.title);
    let json = serde_json::to_string(&p).unwrap();
    assert!(!json.contains("s3cr"), "the password leaked");
    let p = run(&rules, Lang::En, before(), &[], &server("12.0.0.1"), None).unwrap();
    assert!(finding(&p, "ACS220").title.contains("SQL Server password"));
}

#[test]
fn version_differences_are_counted() {
    let rules = rules();
    let agents = [
        ready("same", "14.0.0.8400", true),
        ready("older", "12.0.0.5684", true),
        ready("newer", "14.0.0.9000", true),
        host(r#"{"host":"none"}"#),
    ];
    let p = run(
        &rules,
        Lang::En,
        after(),
        &agents,
        &server("14.0.0.8400"),
        None,
    )
    .unwrap();
    let f = finding(&p, "ACS204");
    assert_eq!(
        f.title,
        "2 of 4 agent(s) run another version than the server (Apex One 14.0.0.8400)"
    );
    assert_eq!(f.hosts, ["older", "newer"]);
    let value = |fact: &str| {
        f.evidence
            .iter()
            .find(|e| e.fact == fact)
            .map(|e| e.value.as_str())
    };
    assert_eq!(value("agents.older"), Some("1"));
    assert_eq!(value("agents.version_unknown"), Some("1"));
    // After the upgrade, the older agent's renamed services are expected.
    assert_eq!(finding(&p, "ACS217").hosts, ["older"]);
}

#[test]
fn delivery_control_is_a_finding_only_for_a_staged_rollout() {
    let rules = rules();
    let agents = [
        ready("set", "12.0.0.1", true),
        ready("unset", "12.0.0.1", false),
        host(r#"{"host":"unknown","os":{"current_build":"17763.2210"}}"#),
    ];
    let s = server("12.0.0.1");
    let p = run(&rules, Lang::En, before(), &agents, &s, None).unwrap();
    assert_eq!(finding(&p, "ACS221").hosts, ["unset", "unknown"]);
    assert!(!codes_of(&p).contains(&"ACS206"));
    let staged = Options {
        staged_rollout: true,
        ..before()
    };
    let p = run(&rules, Lang::En, staged, &agents, &s, None).unwrap();
    let f = finding(&p, "ACS206");
    assert_eq!(f.hosts, ["unset", "unknown"]);
    assert!(f.remediation[0].contains("14 days"), "{:?}", f.remediation);
}

#[test]
fn an_unready_server_blocks_with_its_own_findings() {
    let rules = rules();
    let mut s = server("12.0.0.1");
    let facts = s.facts.as_mut().unwrap();
    facts.os.as_mut().unwrap().ubr = Some(2183);
    let p = run(&rules, Lang::En, before(), &[], &s, None).unwrap();
    let f = finding(&p, "ACS207");
    assert!(f.blocking);
    assert!(
        f.evidence.iter().any(|e| e.fact == "osce: ACS001"),
        "{:?}",
        f.evidence
    );
    assert!(
        f.remediation.iter().any(|r| r.contains("KB5005625")),
        "{:?}",
        f.remediation
    );
    assert_eq!(p.server.verdict, Some(acsready_assess::Verdict::NotReady));
}

#[test]
fn legacy_hosts_need_the_sha2_updates_of_the_rules() {
    let rules = rules();
    let agents = [
        host(
            r#"{"host":"w7","os":{"current_build":"7601","installation_type":"Client"},"updates":["KB4490628","KB3033929"]}"#,
        ),
        host(
            r#"{"host":"w7ok","os":{"current_build":"7601","installation_type":"Client"},"updates":["KB4490628","KB4474419"]}"#,
        ),
        host(
            r#"{"host":"ws08","os":{"current_build":"6003","installation_type":"Server"},"updates":["KB4474419"]}"#,
        ),
        host(
            r#"{"host":"ws08seed","os":{"current_build":"6003","installation_type":"Server"},"updates":["KB2763674","KB4474419"]}"#,
        ),
        host(
            r#"{"host":"w7none","os":{"current_build":"7601","installation_type":"Client"},"updates":["KB4490628"]}"#,
        ),
        host(r#"{"host":"w7x","os":{"current_build":"7601","installation_type":"Client"}}"#),
    ];
    let p = run(
        &rules,
        Lang::En,
        before(),
        &agents,
        &server("12.0.0.1"),
        None,
    )
    .unwrap();
    // The seed's sets (KB3033929 / KB4490628, KB2763674 / KB4474419) and
    // Microsoft's pass; a host with neither complete does not.
    let f = finding(&p, "ACS209");
    assert_eq!(f.hosts, ["ws08", "w7none"]);
    assert!(
        f.evidence[0].value.contains("missing KB2763674"),
        "{:?}",
        f.evidence
    );
    assert!(f.evidence[0].value.contains("seed 004"), "{:?}", f.evidence);
    assert!(
        f.evidence[1].value.contains("missing KB3033929"),
        "{:?}",
        f.evidence
    );
    // Hosts with only the seed's set are told what Microsoft's KB4472027 adds.
    let a = finding(&p, "ACS223");
    assert_eq!(a.hosts, ["w7", "ws08seed"]);
    assert!(
        a.evidence[0].value.contains("absent KB4474419"),
        "{:?}",
        a.evidence
    );
    assert!(
        a.evidence[1].value.contains("absent KB4493730"),
        "{:?}",
        a.evidence
    );
    assert!(p
        .findings
        .iter()
        .any(|x| x.code == "ACS220" && x.hosts == ["w7x"]));
}

#[test]
fn the_auth_cert_advice_depends_on_the_server_build() {
    let rules = rules();
    let mut s = server("12.0.0.5000");
    s.listing = Some(listing(&[r"C:\OSCE\PCCSRV\ofcscan.ini"]));
    let p = run(&rules, Lang::En, before(), &[], &s, None).unwrap();
    let f = finding(&p, "ACS210");
    assert!(
        f.remediation
            .iter()
            .any(|r| r.contains("export the certificate now")),
        "{:?}",
        f.remediation
    );
    let mut s = server("14.0.0.8378");
    s.listing = Some(listing(&[r"C:\OSCE\PCCSRV\ofcscan.ini"]));
    let p = run(&rules, Lang::En, before(), &[], &s, None).unwrap();
    let f = finding(&p, "ACS210");
    assert!(
        f.remediation
            .iter()
            .any(|r| r.contains("can no longer be exported")),
        "{:?}",
        f.remediation
    );
    let p = run(&rules, Lang::En, before(), &[], &server("14.0.0.1"), None).unwrap();
    assert!(p
        .findings
        .iter()
        .any(|x| x.code == "ACS220" && x.title.contains("install folder")));
}

#[test]
fn after_the_upgrade_services_and_folders_are_checked() {
    let rules = rules();
    let mut s = server("14.0.0.8400");
    let svc = |name: &str, display: &str, start: u32| ServiceFact {
        name: name.into(),
        display_name: Some(display.into()),
        start: Some(start),
    };
    s.services = Some((
        "SYSTEM".into(),
        vec![
            svc(
                "iVPAgent",
                "Trend Micro Vulnerability Protection Service",
                2,
            ),
            svc("iACAgent", "Trend Micro Application Control Service", 2),
            svc("tmlisten", "Apex One NT Listener", 2),
        ],
    ));
    s.listing = Some(listing(&[
        r"C:\TM\Apex One\iServiceSrv\iVP",
        r"C:\TM\Apex One\iServiceSrv\iAC",
    ]));
    let p = run(&rules, Lang::En, after(), &[], &s, None).unwrap();
    for code in ["ACS214", "ACS216", "ACS217"] {
        finding(&p, code);
    }
    assert!(finding(&p, "ACS217").evidence[0].value.contains("expected"));
    for code in ["ACS213", "ACS215", "ACS200", "ACS210", "ACS212", "ACS218"] {
        assert!(
            !codes_of(&p).contains(&code),
            "{code} in {:?}",
            codes_of(&p)
        );
    }

    let (_, services) = s.services.as_mut().unwrap();
    services[1].start = Some(4);
    services.remove(0);
    s.listing = Some(listing(&[r"C:\TM\Apex One\iServiceSrv\iVP"]));
    let p = run(&rules, Lang::En, after(), &[], &s, None).unwrap();
    let f = finding(&p, "ACS213");
    assert!(
        f.title
            .contains("Trend Micro Vulnerability Protection Service"),
        "{}",
        f.title
    );
    assert!(
        f.title.contains("Application Control Service (disabled)"),
        "{}",
        f.title
    );
    assert!(finding(&p, "ACS215").title.ends_with(r"iServiceSrv\iAC"));
    assert!(!p.summary.blocked);
}

#[test]
fn rules_without_the_section_are_an_error() {
    let mut rules = rules();
    rules.preflight.apex_one = None;
    let err = run(
        &rules,
        Lang::En,
        before(),
        &[],
        &ServerEvidence::default(),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("[preflight.apex_one]"));
}

#[test]
fn every_emitted_code_has_texts_in_both_languages() {
    let rules = rules();
    for lang in [Lang::En, Lang::Ja] {
        let agents = [ready("a", "12.0.0.1", false)];
        for options in [before(), after()] {
            let p = run(&rules, lang, options, &agents, &server("14.0.0.1"), None).unwrap();
            for f in &p.findings {
                assert!(!f.title.contains('{'), "{}: {}", f.code, f.title);
                for r in &f.remediation {
                    assert!(!r.contains('{'), "{}: {r}", f.code);
                }
            }
        }
    }
}

#[test]
fn hosts_without_the_agent_are_skipped() {
    let rules = rules();
    let agents = [
        host(
            r#"{"host":"dsa-xp","os":{"current_build":"2600","installation_type":"Client"},"agents":[{"product":"deep_security_agent","version":"20.0.0.1"}]}"#,
        ),
        host(r#"{"host":"xp","os":{"current_build":"2600","installation_type":"Client"}}"#),
    ];
    let p = run(
        &rules,
        Lang::En,
        before(),
        &agents,
        &server("12.0.0.1"),
        None,
    )
    .unwrap();
    assert_eq!(p.skipped, ["dsa-xp"]);
    assert_eq!(finding(&p, "ACS200").hosts, ["xp"]);
    assert_eq!(p.summary.agents, 1);
    assert_eq!(p.agents.len(), 1);
}

#[test]
fn after_the_upgrade_only_the_checks_of_after_run_as_the_rules_list_them() {
    let xp = host(r#"{"host":"pc-xp","os":{"current_build":"2600","installation_type":"Client"}}"#);
    let agents = [ready("pc1", "14.0.12526", true), xp];
    let codes = |rules: &Rules, options: Options| -> Vec<String> {
        let p = run(
            rules,
            Lang::En,
            options,
            &agents,
            &server("14.0.12526"),
            None,
        )
        .unwrap();
        assert_eq!(p.summary.blocked, p.findings.iter().any(|f| f.blocking));
        codes_of(&p).into_iter().map(str::to_string).collect()
    };
    assert!(codes(&rules(), before()).contains(&"ACS200".into()));
    let after_codes = codes(&rules(), after());
    for code in [
        "ACS200", "ACS201", "ACS202", "ACS206", "ACS210", "ACS212", "ACS218",
    ] {
        assert!(
            !after_codes.contains(&code.into()),
            "{code} after: {after_codes:?}"
        );
    }
    assert!(after_codes.contains(&"ACS219".into()), "{after_codes:?}");

    // Which check runs when is data: listed for after, it runs after.
    let mut edited = rules();
    let pf = edited.preflight.apex_one.as_mut().unwrap();
    pf.phases
        .after
        .push(acsready_rules::PreflightCheck::UnsupportedOs);
    assert!(codes(&edited, after()).contains(&"ACS200".into()));
}
