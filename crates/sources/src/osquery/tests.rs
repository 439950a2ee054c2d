use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::text::utf16le_with_bom;
use acsready_facts::DeliveryFacts;

const ROOT: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

pub(super) fn products() -> Vec<(String, String)> {
    vec![
        (
            "Trend Micro Deep Security Agent".into(),
            "deep_security_agent".into(),
        ),
        (
            "Trend Micro Apex One Security Agent".into(),
            "apex_one_agent".into(),
        ),
    ]
}

fn read(text: &str) -> OsqueryFacts {
    read_osquery(text.as_bytes(), "osq.log", &products()).unwrap_or_else(|e| panic!("{e}"))
}

/// One event line of `query` for `host`.
fn event(query: &str, host: &str, columns: Value) -> String {
    json!({"name": format!("pack_acsready_{query}"), "hostIdentifier": host,
           "calendarTime": "Mon Nov  3 10:00:00 2025 UTC", "unixTime": 1762164000,
           "epoch": 0, "counter": 0, "numerics": false,
           "columns": columns, "action": "added"})
    .to_string()
}

fn snapshot(query: &str, host: &str, rows: Value) -> String {
    json!({"name": query, "hostIdentifier": host, "snapshot": rows, "action": "snapshot",
           "unixTime": 1762164000, "epoch": 0, "counter": 0, "numerics": false})
    .to_string()
}

fn host<'a>(out: &'a OsqueryFacts, name: &str) -> &'a HostFacts {
    out.hosts
        .iter()
        .find(|h| h.host == name)
        .unwrap_or_else(|| panic!("no host {name} in {out:?}"))
}

#[test]
fn event_lines_with_a_bad_line_in_the_middle() {
    let lines = [
        event(
            "acsready_os_version",
            "web01",
            json!({"name":"Microsoft Windows Server 2019 Datacenter","version":"10.0.17763",
                   "major":"10","minor":"0","patch":"","build":"17763"}),
        ),
        event(
            "acsready_current_version",
            "web01",
            json!({"name":"UBR","data":"2210"}),
        ),
        "{\"name\":\"pack_acsready_acsready_patches\",\"hostIdentifier\":".to_string(),
        event(
            "acsready_current_version",
            "web01",
            json!({"name":"InstallationType","data":"Server"}),
        ),
        event(
            "acsready_patches",
            "web01",
            json!({"hotfix_id":"KB5005625"}),
        ),
        event(
            "acsready_patches",
            "web01",
            json!({"hotfix_id":"kb5005112"}),
        ),
        event(
            "acsready_certificates",
            "web01",
            json!({"sha1": ROOT.to_lowercase(), "store": "Trusted Root Certification Authorities",
                   "store_location": "LocalMachine", "subject": "Microsoft Identity Verification Root Certificate Authority 2020"}),
        ),
        event(
            "acsready_root_policy",
            "web01",
            json!({"name":"DisableRootAutoUpdate","data":""}),
        ),
        event(
            "acsready_programs",
            "web01",
            json!({"name":"Trend Micro Deep Security Agent","version":"20.0.0.5137"}),
        ),
        event(
            "acsready_programs",
            "web01",
            json!({"name":"Trend Micro Platform","version":"1.0"}),
        ),
    ];
    let out = read(&(lines.join("\r\n") + "\r\n"));
    assert_eq!(out.problems.len(), 2, "{:?}", out.problems);
    assert!(
        Note::texts(&out.problems)[0].starts_with("osq.log:3: not a JSON object"),
        "{:?}",
        out.problems
    );
    // The cut line was an event of the patches query: an update may be
    // missing from the list, which is therefore unknown.
    assert_eq!(
        out.problems[1].to_string(),
        "osq.log:3: updates of web01 unknown: the line is not JSON, so the list is not known \
         whole; collect the query results again"
    );
    assert_eq!(out.hosts.len(), 1);
    let h = &out.hosts[0];
    assert_eq!(h.host, "web01");
    let os = h.os.as_ref().unwrap();
    assert_eq!(os.current_build.as_deref(), Some("17763"));
    assert_eq!(os.ubr, Some(2210));
    assert_eq!(os.installation_type.as_deref(), Some("Server"));
    assert_eq!(
        os.product_name.as_deref(),
        Some("Microsoft Windows Server 2019 Datacenter")
    );
    assert_eq!(h.sources["os.ubr"], "osq.log:2");
    assert_eq!(h.sources["os.current_build"], "osq.log:1");
    assert_eq!(h.updates, None);
    let certs = h.certificates.as_ref().unwrap();
    assert_eq!(
        (certs[0].sha1.as_str(), certs[0].store.as_str()),
        (ROOT, "ROOT")
    );
    assert_eq!(h.root_auto_update_disabled, Some(false));
    assert_eq!(
        h.agents.as_deref().unwrap(),
        [AgentFact {
            product: "deep_security_agent".into(),
            version: "20.0.0.5137".into()
        }]
    );
    assert_eq!(h.sources["agents"], "osq.log:9-10");
    // Not collected: unknown, never empty.
    assert_eq!(h.delivery, None);
    assert!(h.conflicts.is_empty());
}

#[test]
fn snapshot_lines_two_hosts_and_the_ubr_in_os_version() {
    let lines = [
        snapshot(
            "pack_acsready_acsready_os_version",
            "web01",
            json!([{"name":"Microsoft Windows Server 2019 Standard","version":"10.0.17763",
                    "major":"10","minor":"0","patch":"","build":"17763.2210"}]),
        ),
        snapshot(
            "pack/acsready/acsready_os_version",
            "DB02.corp.example",
            json!([{"name":"Microsoft Windows Server 2022 Standard","version":"10.0.20348",
                    "major":"10","minor":"0","patch":"","build":"20348"}]),
        ),
        snapshot(
            "pack_acsready_acsready_certificates",
            "web01",
            json!([
                {"sha1": ROOT, "store": "Third-Party Root Certification Authorities", "store_location": "LocalMachine", "subject": "x"},
                {"sha1": "cabd2a79a1076a31f21d253635cb039d4329a5e8", "store": "Trusted Root Certification Authorities", "store_location": "LocalMachineGroupPolicy", "subject": "y"},
                {"sha1": ROOT, "store": "Trusted Root Certification Authorities", "store_location": "CurrentUser", "subject": "x"}
            ]),
        ),
        snapshot(
            "pack_acsready_acsready_patches",
            "db02.corp.example",
            json!([]),
        ),
        snapshot(
            "pack_acsready_acsready_apex_delivery",
            "web01",
            json!([
                {"key": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\TrendMicro\\PC-cillinNTCorp\\CurrentVersion\\Misc.", "name": "ProgramVer", "data": "14.0.12011"},
                {"key": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\TrendMicro\\PC-cillinNTCorp\\CurrentVersion\\Misc.", "name": "NoProgramUpgrade", "data": "1"}
            ]),
        ),
        snapshot(
            "pack_acsready_acsready_root_policy",
            "web01",
            json!([{"name":"DisableRootAutoUpdate","data":"1"}]),
        ),
    ];
    let out = read(&lines.join("\n"));
    assert_eq!(out.problems, Vec::<Note>::new());
    assert_eq!(out.hosts.len(), 2);
    let web = host(&out, "web01");
    assert_eq!(web.build(), Some(17763));
    assert_eq!(web.ubr(), Some(2210), "osquery ≥ 5.9 appends the UBR");
    assert_eq!(web.sources["os.ubr"], "osq.log:1");
    assert_eq!(
        web.certificates.as_deref().unwrap(),
        [
            CertificateFact {
                sha1: ROOT.into(),
                store: "AuthRoot".into(),
                subject: Some("x".into()),
                ..Default::default()
            },
            CertificateFact {
                sha1: "CABD2A79A1076A31F21D253635CB039D4329A5E8".into(),
                store: "Policies\\Root".into(),
                subject: Some("y".into()),
                ..Default::default()
            },
        ]
    );
    assert_eq!(web.sources["certificates"], "osq.log:3");
    assert_eq!(
        web.delivery,
        Some(DeliveryFacts {
            no_program_upgrade: Some(true)
        })
    );
    assert_eq!(web.root_auto_update_disabled, Some(true));
    assert_eq!(web.updates, None);
    // Host names are compared case-insensitively; the first spelling stays.
    let db = host(&out, "DB02.corp.example");
    assert_eq!(db.build(), Some(20348));
    assert_eq!(db.ubr(), None, "no UBR before osquery 5.9");
    assert_eq!(db.updates, Some(vec![]), "an empty snapshot is known");
    assert_eq!(db.certificates, None);
}

#[test]
fn a_later_snapshot_replaces_an_earlier_one() {
    let lines = [
        snapshot(
            "acsready_patches",
            "a",
            json!([{"hotfix_id":"KB1"},{"hotfix_id":"KB2"}]),
        ),
        snapshot("acsready_patches", "a", json!([{"hotfix_id":"KB3"}])),
        snapshot(
            "acsready_current_version",
            "a",
            json!([{"name":"UBR","data":"100"}]),
        ),
        snapshot(
            "acsready_current_version",
            "a",
            json!([{"name":"UBR","data":"200"}]),
        ),
    ];
    let out = read(&lines.join("\n"));
    let a = &out.hosts[0];
    assert_eq!(a.updates.as_deref().unwrap(), ["KB3"]);
    assert_eq!(a.sources["updates"], "osq.log:2");
    assert_eq!(a.ubr(), Some(200));
}

#[test]
fn registry_and_os_version_disagreeing_is_a_conflict() {
    let lines = [
        snapshot(
            "acsready_current_version",
            "a",
            json!([{"name":"CurrentBuild","data":"17763"},{"name":"UBR","data":"2183"},
                   {"name":"ProductName","data":"Windows Server 2019 Datacenter"}]),
        ),
        snapshot(
            "acsready_os_version",
            "a",
            json!([{"name":"Microsoft Windows Server 2019 Datacenter","version":"10.0.17763",
                    "major":"10","minor":"0","patch":"","build":"17763.2210"}]),
        ),
    ];
    let out = read(&lines.join("\n"));
    let a = &out.hosts[0];
    assert_eq!(a.ubr(), Some(2183), "the registry is kept");
    assert_eq!(
        a.os.as_ref().unwrap().product_name.as_deref(),
        Some("Windows Server 2019 Datacenter")
    );
    assert_eq!(a.conflicts.len(), 1, "{:?}", a.conflicts);
    assert_eq!(a.conflicts[0].fact, "os.ubr");
    assert_eq!(
        a.conflicts[0].values,
        [
            ("2183".to_string(), "osq.log:1".to_string()),
            ("2210".to_string(), "osq.log:2".to_string())
        ]
    );
    assert_eq!(a.sources["os.current_build"], "osq.log:1, osq.log:2");
}

#[test]
fn unknown_queries_and_other_lines_are_problems_not_errors() {
    let lines = [
        snapshot("pack_other_processes", "a", json!([{"pid":"4"}])),
        snapshot("pack_other_processes", "a", json!([{"pid":"8"}])),
        snapshot("acsready_os_version_extra", "a", json!([])),
        json!({"hostIdentifier":"a","severity":"0","message":"status log"}).to_string(),
        snapshot(
            "acsready_patches",
            "a",
            json!([{"hotfix_id":"File 1"},{"hotfix_id":"KB9"}]),
        ),
        event("acsready_patches", "", json!({"hotfix_id":"KB1"})),
        snapshot(
            "acsready_certificates",
            "a",
            json!([{"sha1":"xyz","store":"Root","store_location":"LocalMachine"}]),
        ),
    ];
    let out = read(&lines.join("\n"));
    let p = &out.problems;
    assert_eq!(p.len(), 7, "{p:?}");
    let expected: [(u64, &str); 7] = [
        (1, "query \"pack_other_processes\""),
        (3, "query \"acsready_os_version_extra\""),
        (4, "not an osquery result line"),
        (5, "hotfix_id \"File 1\""),
        (6, "\"hostIdentifier\" is empty"),
        (7, "sha1 \"xyz\""),
        (7, "certificates of a unknown: sha1 \"xyz\""),
    ];
    for (p, (line, start)) in p.iter().zip(expected) {
        assert_eq!((p.file.as_str(), p.line), ("osq.log", Some(line)), "{p}");
        assert!(p.message.starts_with(start), "{p}");
    }
    let a = &out.hosts[0];
    assert_eq!(a.updates.as_deref().unwrap(), ["KB9"]);
    assert_eq!(
        a.certificates, None,
        "a row came that could not be read: the store may hold that certificate"
    );
}

#[test]
fn removed_events_and_diff_batches() {
    let removed = json!({"name":"acsready_patches","hostIdentifier":"a",
                         "columns":{"hotfix_id":"KB1"},"action":"removed"})
    .to_string();
    let batch = json!({"name":"acsready_patches","hostIdentifier":"a",
                       "diffResults":{"added":[{"hotfix_id":"KB3"}],"removed":[{"hotfix_id":"KB2"}]}})
    .to_string();
    let lines = [
        event("acsready_patches", "a", json!({"hotfix_id":"KB1"})),
        event("acsready_patches", "a", json!({"hotfix_id":"KB2"})),
        removed,
        batch,
    ];
    let out = read(&lines.join("\n"));
    assert_eq!(out.problems, Vec::<Note>::new());
    assert_eq!(out.hosts[0].updates.as_deref().unwrap(), ["KB3"]);
}

#[test]
fn osqueryi_json_arrays_without_host() {
    // `osqueryi --json` of several queries appended to one file, in UTF-16
    // as PowerShell 5 redirection writes it; values are strings.
    let text = r#"[
  {"build":"17763.2210","major":"10","minor":"0","name":"Microsoft Windows Server 2019 Datacenter","patch":"","version":"10.0.17763"}
]
[
  {"data":"Server","name":"InstallationType"},
  {"data":"ServerDatacenter","name":"EditionID"}
]
[
  {"hotfix_id":"KB5005625"},
  {"hotfix_id":"KB5005112"}
]
[
  {"sha1":"F40042E2E5F7E8EF8189FED15519AECE42C3BFA2","store":"AuthRoot","store_location":"LocalMachine","subject":"Microsoft Identity Verification Root Certificate Authority 2020"}
]
[
  {"name":"Trend Micro Apex One Security Agent","version":"14.0.12011"}
]
[
  {"data":"0","name":"DisableRootAutoUpdate"}
]
[
  {"data":"0","key":"HKEY_LOCAL_MACHINE\\SOFTWARE\\TrendMicro\\PC-cillinNTCorp\\CurrentVersion\\Misc.","name":"NoProgramUpgrade"}
]
[
  {"pid":"4"}
]
"#;
    for bytes in [text.as_bytes().to_vec(), utf16le_with_bom(text)] {
        let mut out = read_osquery(&bytes, "osqi.json", &products()).unwrap();
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(
            Note::texts(&out.problems)[0].starts_with("osqi.json:25: a row with columns (pid)"),
            "{:?}",
            out.problems
        );
        assert_eq!(out.hosts.len(), 1);
        assert_eq!(out.hosts[0].host, "");
        out.name_unnamed_host("web01");
        let h = &out.hosts[0];
        assert_eq!(h.host, "web01");
        assert_eq!((h.build(), h.ubr()), (Some(17763), Some(2210)));
        let os = h.os.as_ref().unwrap();
        assert_eq!(os.installation_type.as_deref(), Some("Server"));
        assert_eq!(h.sources["os.installation_type"], "osqi.json:5");
        assert_eq!(h.sources["os.edition_id"], "osqi.json:6");
        assert_eq!(h.updates.as_deref().unwrap(), ["KB5005625", "KB5005112"]);
        assert_eq!(h.sources["updates"], "osqi.json:9-10");
        assert_eq!(h.certificates.as_ref().unwrap()[0].store, "AuthRoot");
        assert_eq!(h.agents.as_ref().unwrap()[0].product, "apex_one_agent");
        assert_eq!(h.root_auto_update_disabled, Some(false));
        assert_eq!(h.delivery.as_ref().unwrap().no_program_upgrade, Some(false));
    }
}

#[test]
fn numbers_are_accepted_where_strings_are_expected() {
    let out = read(&snapshot(
        "acsready_current_version",
        "a",
        json!([{"name":"UBR","data":2210},{"name":"CurrentBuild","data":17763}]),
    ));
    assert_eq!(
        (out.hosts[0].build(), out.hosts[0].ubr()),
        (Some(17763), Some(2210))
    );
}

#[test]
fn whole_file_errors() {
    for bad in [
        &b""[..],
        b"  \n",
        b"hello",
        b"MZ\x90\0\x03\0\0\0",
        b"[{\"a\":",
    ] {
        assert!(read_osquery(bad, "x", &[]).is_err(), "{bad:?}");
    }
}

#[test]
fn store_names() {
    assert_eq!(store_name("LocalMachine", "Root").as_deref(), Some("ROOT"));
    assert_eq!(
        store_name("LocalMachine", "Untrusted Certificates").as_deref(),
        Some("Disallowed")
    );
    assert_eq!(
        store_name(
            "LocalMachineEnterprise",
            "Trusted Root Certification Authorities"
        )
        .as_deref(),
        Some("Enterprise\\Root")
    );
    assert_eq!(
        store_name("LocalMachine", "サードパーティ ルート証明機関").as_deref(),
        Some("AuthRoot")
    );
    assert_eq!(
        store_name("LocalMachine", "Intermediate Certification Authorities").as_deref(),
        Some("LocalMachine\\Intermediate Certification Authorities")
    );
    assert_eq!(store_name("Users", "Root"), None);
}

#[test]
fn the_query_pack_names_every_query() {
    let conf = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../osquery/acsready.conf"
    ))
    .expect("osquery/acsready.conf");
    let conf: Value = serde_json::from_str(&conf).expect("the pack is JSON");
    let queries = conf["packs"]["acsready"]["queries"]
        .as_object()
        .expect("packs.acsready.queries");
    let names: Vec<&str> = queries.keys().map(String::as_str).collect();
    let mut expected = OSQUERY_QUERIES.to_vec();
    let mut got = names.clone();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected);
    for (name, q) in queries {
        assert!(q["query"].as_str().unwrap().ends_with(';'), "{name}");
        assert!(query_by_name(&format!("pack_acsready_{name}")).is_some());
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_osquery(&bytes, "fuzz", &products());
    }

    #[test]
    fn arbitrary_lines_never_panic(lines in proptest::collection::vec(
        prop_oneof![
            Just(r#"{"name":"acsready_patches","hostIdentifier":"a","columns":{"hotfix_id":"KB1"}}"#.to_string()),
            Just(r#"{"name":"acsready_os_version","hostIdentifier":"a","snapshot":[{"build":"1.2.3.4.5"}]}"#.to_string()),
            Just(r#"[{"name":"x","data":"y"}]"#.to_string()),
            "[ -~]{0,40}",
        ], 0..8)) {
        let _ = read_osquery(lines.join("\n").as_bytes(), "fuzz", &products());
    }
}
