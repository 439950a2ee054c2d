use super::*;

#[test]
fn embedded_rules_load_and_validate() {
    let rules = Rules::embedded().expect("embedded rules are valid");
    assert_eq!(rules.schema_version, SCHEMA_VERSION);
    assert_eq!(
        rules.root_certificate.sha1,
        "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2"
    );
}

#[test]
fn every_windows_row_of_the_issue_is_present() {
    let rules = Rules::embedded().unwrap();
    let id = |build, inst| {
        let rows = rules.windows_rows(build, inst);
        assert_eq!(rows.len(), 1, "build {build} {inst:?}: {rows:?}");
        rows[0].id.clone()
    };
    use Installation::*;
    assert_eq!(id(22000, Some(Client)), "win11-21h2");
    assert_eq!(id(27000, Some(Client)), "win11");
    assert_eq!(id(26100, Some(Server)), "win11-24h2");
    assert_eq!(id(19045, None), "win10-22h2");
    assert_eq!(id(19044, None), "win10-21h2");
    assert_eq!(id(17763, Some(Server)), "win10-1809");
    assert_eq!(id(9200, Some(Server)), "ws2012");
    assert_eq!(id(9200, Some(Client)), "win8");
    assert_eq!(id(6003, Some(Server)), "ws2008sp2");
    assert_eq!(id(6002, Some(Client)), "vista");
    assert_eq!(id(2600, None), "xp-2003");
    assert_eq!(id(2195, None), "pre-vista");
    assert!(rules.windows_rows(18000, None).is_empty());
    assert_eq!(rules.windows_rows(9200, None).len(), 2);
}

#[test]
fn store_aliases_resolve() {
    let rules = Rules::embedded().unwrap();
    assert_eq!(rules.store("root").unwrap().id, "root");
    assert_eq!(rules.store("AUTHROOT").unwrap().id, "authroot");
    assert_eq!(
        rules
            .store("HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\AuthRoot")
            .unwrap()
            .id,
        "authroot"
    );
    assert_eq!(
        rules.store("Policies/Root").unwrap().id,
        "group_policy_root"
    );
    assert!(rules.store("Disallowed").unwrap().distrusts);
    assert!(rules.store("CA").is_none());
}

#[test]
fn agent_lines_by_major_and_minor() {
    let rules = Rules::embedded().unwrap();
    let line = |product: &str, v: &str| rules.agent_line(product, &Version::parse(v).unwrap());
    let l = line("deep_security_agent", "20.0.0.5394").unwrap();
    assert_eq!(l.last_pre_acs.as_deref(), Some("20.0.0.6313"));
    assert!(line("deep_security_agent", "10.0.0.3761").is_none());
    // Feature releases are lines of their own, not the long-term line of their major.
    let fr = line("deep_security_agent", "11.3.0.254").unwrap();
    assert_eq!((fr.major, fr.minor), (Some(11), Some(3)));
    assert!(fr.never_acs && !fr.supported);
    assert!(
        line("deep_security_agent", "12.5.0.1001")
            .unwrap()
            .never_acs
    );
    assert_eq!(
        line("deep_security_agent", "11.0.0.2549").unwrap().minor,
        Some(0)
    );
    // A minor the rules do not know is on no line.
    assert!(line("deep_security_agent", "12.1.0.100").is_none());
    // Only the Agent's installer checks the host (seed 002).
    assert!(
        line("deep_security_agent", "20.0.0.6690")
            .unwrap()
            .installer_checks_host
    );
    for v in ["20.0.0.6690", "12.0.0.2932", "11.0.0.2580"] {
        assert!(
            !line("deep_security_notifier", v)
                .unwrap()
                .installer_checks_host
        );
    }
    assert!(line("apex_one_saas_agent", "14.0.12737").is_some());
}

#[test]
fn wrong_schema_is_refused_with_its_own_message() {
    let err = Rules::from_toml("schema_version = 9\n", "x.toml").unwrap_err();
    assert!(
        err.to_string()
            .contains("schema_version 9 is not supported"),
        "{err}"
    );
}

#[test]
fn syntax_errors_name_the_file_and_line() {
    let err = Rules::from_toml("schema_version = 1\nrules_version = \n", "my.toml").unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("my.toml: "), "{msg}");
    assert!(msg.contains("line 2"), "{msg}");
}

#[test]
fn broken_references_are_reported() {
    let text = EMBEDDED_RULES
        .replace("servicing = \"ws2012\"", "servicing = \"nope\"")
        .replace("[findings.ACS004]", "[findings.ACS904]");
    let err = Rules::from_toml(&text, "edited.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("[servicing.nope]"), "{err}");
    assert!(err.contains("no [findings.ACS004]"), "{err}");
}

#[test]
fn missing_source_is_reported() {
    let text = EMBEDDED_RULES.replacen("source = \"seed 002\"", "source = \"\"", 1);
    let err = Rules::from_toml(&text, "edited.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("`source` is empty"), "{err}");
}

#[test]
fn preflight_apex_one_is_in_the_embedded_rules() {
    let rules = Rules::embedded().unwrap();
    let a = rules
        .preflight
        .apex_one
        .as_ref()
        .expect("[preflight.apex_one]");
    assert_eq!(a.target().map(|l| l.major), Some(14));
    assert_eq!(
        a.line(12).and_then(|l| l.auth_cert_export_until),
        Some(5684)
    );
    assert_eq!(
        a.line(14).and_then(|l| l.auth_cert_export_until),
        Some(8378)
    );
    let forbidden: String = a.sql_password.iter().map(|c| c.chars.as_str()).collect();
    for c in "&<>^|;\\[](),?*!@=".chars() {
        assert!(forbidden.contains(c), "{c} is not forbidden");
    }
    let win7 = a
        .sha2
        .iter()
        .find(|s| s.windows == "win7sp1-ws2008r2sp1")
        .unwrap();
    // The seed's pair is the one checked; Microsoft's is a source beside it.
    assert_eq!(win7.kbs, ["KB3033929", "KB4490628"]);
    assert!(win7
        .sources
        .iter()
        .any(|s| s.kbs.contains(&"KB4474419".to_string())));
    for code in codes::PREFLIGHT_CODES {
        assert!(rules.finding(code).is_some(), "{code}");
    }
}

#[test]
fn preflight_references_are_validated() {
    let text = EMBEDDED_RULES.replacen("windows = [\"vista\"]", "windows = [\"vista-x\"]", 1);
    let err = Rules::from_toml(&text, "edited.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no [[windows]] row \"vista-x\""), "{err}");
    let text = EMBEDDED_RULES.replacen("blocking = [\"ACS200\"", "blocking = [\"ACS001\"", 1);
    let err = Rules::from_toml(&text, "edited.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"ACS001\" is not a preflight code"), "{err}");
    let text = EMBEDDED_RULES.replacen(
        "kbs = [\"KB4474419\", \"KB4490628\"]",
        "kbs = [\"4474419\"]",
        1,
    );
    let err = Rules::from_toml(&text, "edited.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"4474419\" is not a KB number"), "{err}");
}

#[test]
fn rules_without_a_preflight_section_still_load() {
    let cut = EMBEDDED_RULES
        .find("# ---------------------------------------------------------------------------\n# Preflight: upgrading")
        .unwrap();
    let rules = Rules::from_toml(&EMBEDDED_RULES[..cut], "old.toml").unwrap();
    assert!(rules.preflight.apex_one.is_none());
}

#[test]
fn product_names_are_plain_or_per_language() {
    let rules = Rules::embedded().unwrap();
    let label = |id: &str, lang| rules.product(id).unwrap().label(lang).to_string();
    assert_eq!(
        label("deep_security_agent", Lang::En),
        "Deep Security Agent"
    );
    assert_eq!(
        label("deep_security_agent", Lang::Ja),
        "Deep Security Agent"
    );
    assert_eq!(
        rules
            .product("deep_security_agent")
            .unwrap()
            .name
            .get(Lang::En),
        "Deep Security Agent / Workload Security Agent"
    );
    assert_eq!(label("apex_one_agent", Lang::En), "Apex One security agent");
    assert_eq!(
        label("apex_one_agent", Lang::Ja),
        "Apex One セキュリティエージェント"
    );
    assert_eq!(label("apex_one_server", Lang::Ja), "Apex One サーバ");

    // An override file may still give one string, or a table for `short` too.
    let text = EMBEDDED_RULES.replacen(
        "name = { en = \"Apex One server\", ja = \"Apex One サーバ\" }",
        "name = \"OfficeScan server\"\nshort = { en = \"OSCE\", ja = \"OSCE サーバ\" }",
        1,
    );
    let rules = Rules::from_toml(&text, "edited.toml").unwrap();
    let server = rules.product("apex_one_server").unwrap();
    assert_eq!(server.name.get(Lang::Ja), "OfficeScan server");
    assert_eq!(server.label(Lang::Ja), "OSCE サーバ");
    assert_eq!(server.label(Lang::En), "OSCE");
}

#[test]
fn empty_product_names_are_refused() {
    let text = EMBEDDED_RULES.replacen("ja = \"Apex One サーバ\"", "ja = \" \"", 1);
    let err = Rules::from_toml(&text, "edited.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("product apex_one_server: empty name"), "{err}");
    let text = EMBEDDED_RULES.replacen("ja = \"Apex One サーバ\"", "jp = \"x\"", 1);
    let err = Rules::from_toml(&text, "edited.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a string, or a table with `en` and `ja`"),
        "{err}"
    );
}

#[test]
fn registry_and_console_facts_are_in_the_rules() {
    let rules = Rules::embedded().unwrap();
    let keys: Vec<(&str, &str, bool)> = (rules.root_certificate.stores.iter())
        .flat_map(|s| &s.registry_keys)
        .map(|k| (k.key.as_str(), k.name.as_str(), k.required))
        .collect();
    assert!(keys.contains(&(r"Microsoft\SystemCertificates\ROOT", "ROOT", true)));
    assert!(keys.contains(&(
        r"Microsoft\EnterpriseCertificates\Disallowed",
        r"Enterprise\Disallowed",
        false
    )));
    assert_eq!(keys.len(), 7, "{keys:?}");
    // Every name the readers write resolves to its store.
    for s in &rules.root_certificate.stores {
        for k in &s.registry_keys {
            assert_eq!(
                rules.store(&k.name).map(|x| &x.id),
                Some(&s.id),
                "{}",
                k.name
            );
        }
    }
    let apex = rules.product("apex_one_agent").unwrap();
    assert_eq!(apex.delivery_keys.len(), 8);
    assert_eq!(apex.blocked_installer_text(), "blocked_apex_one_installer");
    let notifier = rules.product("deep_security_notifier").unwrap();
    assert_eq!(
        notifier.blocked_installer_text(),
        DEFAULT_BLOCKED_INSTALLER_TEXT
    );
    let console: Vec<&str> = (rules.products.iter())
        .filter(|p| p.console_agent)
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(console, ["deep_security_agent"]);
}

#[test]
fn registry_and_console_facts_are_validated() {
    let refused = |text: String, what: &str| {
        let err = Rules::from_toml(&text, "t.toml").unwrap_err().to_string();
        assert!(err.contains(what), "{err}");
    };
    refused(
        EMBEDDED_RULES.replacen(
            "blocked_installer_text = \"blocked_apex_one_installer\"",
            "blocked_installer_text = \"blocked_nowhere\"",
            1,
        ),
        "no [texts.blocked_nowhere]",
    );
    refused(
        EMBEDDED_RULES.replacen(
            "pin_installed_build = true\n",
            "pin_installed_build = true\nconsole_agent = true\n",
            1,
        ),
        "more than one `console_agent`",
    );
    refused(
        EMBEDDED_RULES.replacen(
            "name = \"Policies\\\\Root\"",
            "name = \"Policies\\\\Nope\"",
            1,
        ),
        "registry key name \"Policies\\Nope\" is not one of its aliases",
    );
    refused(
        EMBEDDED_RULES.replace(", required = true", ""),
        "no `registry_keys` entry is `required`",
    );
}

#[test]
fn the_remediation_section_must_match_what_the_readers_read() {
    let rules = Rules::embedded().unwrap();
    assert!(rules.remediation.is_some());
    let mut bad = rules.clone();
    if let Some(r) = bad.remediation.as_mut() {
        r.no_program_upgrade.key_64bit = "Wow6432Node\\TrendMicro\\Elsewhere".into();
        r.root_certificate.store = "nowhere".into();
        r.no_program_upgrade.products.push("no_such_product".into());
        r.updates.source = " ".into();
    }
    let problems = bad.validate().join("\n");
    for want in [
        "is not among the products' delivery_keys",
        "no store \"nowhere\"",
        "unknown product \"no_such_product\"",
        "remediation.updates: needs `source`",
    ] {
        assert!(problems.contains(want), "{want}: {problems}");
    }
    // Rules files written before the section still load.
    let text = include_str!("../../../rules/acsready-rules.toml");
    let cut = &text[..text
        .find("[remediation.root_certificate]")
        .expect("section")];
    let old = Rules::from_toml(cut, "old.toml").expect("rules without [remediation] load");
    assert!(old.remediation.is_none());
}
