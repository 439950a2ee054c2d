use proptest::prelude::*;

use super::*;
use crate::text::utf16le_with_bom;

fn products() -> KnownProducts {
    KnownProducts {
        console_agent: Some("deep_security_agent".into()),
        ..KnownProducts::default()
    }
}

const API: &str = r#"{
  "computers": [
    {
      "hostName": "web01.corp.example",
      "displayName": "web01",
      "description": "",
      "lastIPUsed": "10.0.0.5",
      "platform": "Microsoft Windows Server 2019 (64 bit) (Build 17763)",
      "groupID": 0,
      "policyID": 1,
      "agentVersion": "20.0.0.5394",
      "hostGUID": "x",
      "ID": 2
    },
    {
      "hostName": "lnx01",
      "platform": "Amazon Linux 2 (64 bit) (4.14.330-250.540.amzn2.x86_64)",
      "agentVersion": "20.0.0.8453",
      "ID": 3
    },
    {
      "hostName": "",
      "displayName": "dsva-vm-07",
      "platform": "Microsoft Windows 10 (64 bit)",
      "agentVersion": "",
      "ID": 4
    },
    42,
    {"ID": 5, "platform": "Microsoft Windows Server 2016 (64 bit) (Build 14393)"}
  ]
}"#;

fn check_api(out: &ConsoleFacts, file: &str) {
    assert_eq!(out.skipped_non_windows, ["lnx01"]);
    assert_eq!(out.hosts.len(), 2, "{out:?}");
    let web = &out.hosts[0];
    assert_eq!(web.host, "web01.corp.example");
    let os = web.os.as_ref().unwrap();
    assert_eq!(
        os.product_name.as_deref(),
        Some("Microsoft Windows Server 2019")
    );
    assert_eq!(os.current_build.as_deref(), Some("17763"));
    assert_eq!(os.ubr, None, "the console has no UBR");
    assert_eq!(
        web.agents.as_deref().unwrap(),
        [AgentFact {
            product: "deep_security_agent".into(),
            version: "20.0.0.5394".into()
        }]
    );
    assert_eq!(web.sources["agents"], format!("{file}:3"));
    assert_eq!(web.updates, None);
    assert_eq!(web.certificates, None);
    // No hostName: the display name; no agentVersion: agents unknown.
    let vm = &out.hosts[1];
    assert_eq!(vm.host, "dsva-vm-07");
    assert_eq!(vm.agents, None);
    assert_eq!(vm.os.as_ref().unwrap().current_build, None);
    assert_eq!(vm.sources["os.product_name"], format!("{file}:21"));
    assert_eq!(out.problems.len(), 2, "{:?}", out.problems);
    assert!(out.problems[0]
        .to_string()
        .starts_with(&format!("{file}:28: a computer is not an object")));
    assert!(out.problems[1]
        .to_string()
        .starts_with(&format!("{file}:29: a computer without host name")));
}

#[test]
fn api_object_and_bare_array() {
    let out = read_console(ConsoleFormat::Json, API.as_bytes(), "dsm.json", &products()).unwrap();
    check_api(&out, "dsm.json");
    // The same computers as a bare array (one line less before each).
    let array = API
        .trim_start_matches("{\n  \"computers\": ")
        .trim_end_matches('}');
    let array = format!("\n{array}");
    let out = read_console(
        ConsoleFormat::Json,
        array.as_bytes(),
        "dsm.json",
        &products(),
    )
    .unwrap();
    check_api(&out, "dsm.json");
    // UTF-16 with BOM, as PowerShell writes it.
    let out = read_console(
        ConsoleFormat::Json,
        &utf16le_with_bom(API),
        "ps.json",
        &products(),
    )
    .unwrap();
    check_api(&out, "ps.json");
}

#[test]
fn the_product_id_comes_from_the_rules_console_agent() {
    let list = KnownProducts {
        console_agent: Some("dsa".into()),
        ..KnownProducts::default()
    };
    let out = read_console(
        ConsoleFormat::Json,
        br#"[{"hostName":"a","agentVersion":"20.0.0-6690"}]"#,
        "x",
        &list,
    )
    .unwrap();
    assert_eq!(out.hosts[0].agents.as_ref().unwrap()[0].product, "dsa");
    assert_eq!(out.hosts[0].os, None, "no platform: OS unknown");
    // Without the rules' console agent, the version is of no known product.
    let none = KnownProducts::default();
    let out = read_console(
        ConsoleFormat::Json,
        br#"[{"hostName":"a","agentVersion":"1"}]"#,
        "x",
        &none,
    )
    .unwrap();
    assert_eq!(out.hosts[0].agents, None);
}

#[test]
fn json_errors() {
    for bad in [
        &b""[..],
        b"{\"items\":[]}",
        b"{\"computers\":[",
        b"hello",
        b"7",
    ] {
        assert!(
            read_console(ConsoleFormat::Json, bad, "x", &products()).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

const CSV: &str = "\"Name\",\"Display Name\",\"Platform\",\"Agent Version\",\"Status\"\r\n\
\"web01\",\"Web 01\",\"Microsoft Windows Server 2022 (64 bit) (Build 20348)\",\"20.0.0.6313\",\"Managed (Online)\"\r\n\
\"lnx01\",\"\",\"Red Hat Enterprise 8 (64 bit) (4.18.0-513.el8.x86_64)\",\"20.0.0.8438\",\"Managed (Online)\"\r\n\
\"\",\"vdi-03\",\"Microsoft Windows 10 (64 bit) (Build 19045)\",\"\",\"Unmanaged\"\r\n\
\r\n\
\"\",\"\",\"Microsoft Windows 10 (64 bit)\",\"20.0.0.1\",\"x\"\r\n";

fn check_csv(out: &ConsoleFacts, what: &str) {
    assert_eq!(out.skipped_non_windows, ["lnx01"], "{what}");
    assert_eq!(out.hosts.len(), 2, "{what}");
    let web = &out.hosts[0];
    assert_eq!(web.host, "web01", "{what}");
    assert_eq!(web.build(), Some(20348), "{what}");
    assert_eq!(web.ubr(), None, "{what}");
    assert_eq!(
        web.os.as_ref().unwrap().product_name.as_deref(),
        Some("Microsoft Windows Server 2022"),
        "{what}"
    );
    assert_eq!(web.agents.as_ref().unwrap()[0].version, "20.0.0.6313");
    assert_eq!(web.sources["agents"], "computers.csv:2", "{what}");
    let vdi = &out.hosts[1];
    assert_eq!(vdi.host, "vdi-03", "{what}");
    assert_eq!(vdi.agents, None, "{what}");
    assert_eq!(vdi.build(), Some(19045), "{what}");
    assert_eq!(out.problems.len(), 1, "{what}: {:?}", out.problems);
    assert!(
        Note::texts(&out.problems)[0].starts_with("computers.csv:6: a computer without host name"),
        "{what}: {:?}",
        out.problems
    );
}

#[test]
fn csv_in_every_encoding() {
    let encodings = [
        ("utf-8", CSV.as_bytes().to_vec()),
        ("utf-8 bom", [&b"\xEF\xBB\xBF"[..], CSV.as_bytes()].concat()),
        ("utf-16le bom", utf16le_with_bom(CSV)),
        ("lf", CSV.replace("\r\n", "\n").into_bytes()),
    ];
    for (what, bytes) in encodings {
        let out = read_console(ConsoleFormat::Csv, &bytes, "computers.csv", &products())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        check_csv(&out, what);
    }
}

#[test]
fn csv_headers_are_matched_loosely() {
    let csv = "host_name,OS,agentversion\nweb01,Microsoft Windows Server 2016 (64 bit) (10.0.14393),10.0.0.3761\n";
    let out = read_console(ConsoleFormat::Csv, csv.as_bytes(), "c.csv", &products()).unwrap();
    assert_eq!(out.hosts[0].host, "web01");
    assert_eq!(out.hosts[0].build(), Some(14393));
    assert_eq!(
        out.hosts[0].agents.as_ref().unwrap()[0].version,
        "10.0.0.3761"
    );
    let csv =
        "ホスト名,プラットフォーム\nweb02,Microsoft Windows Server 2012 R2 (64 bit) (Build 9600)\n";
    let out = read_console(ConsoleFormat::Csv, csv.as_bytes(), "c.csv", &products()).unwrap();
    assert_eq!(out.hosts[0].build(), Some(9600));
    for bad in [
        "",
        "\n\n",
        "Status,Group\nx,y\n",
        "Name,Status\na,b\n",
        "MZ\0\0\0",
    ] {
        assert!(
            read_console(ConsoleFormat::Csv, bad.as_bytes(), "c.csv", &products()).is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn platforms() {
    let os = platform_os("Microsoft Windows Server 2019 (64 bit) (Build 17763)");
    assert_eq!(os.current_build.as_deref(), Some("17763"));
    let os = platform_os("Microsoft Windows Server 2008 R2 (64 bit) Service Pack 1 (Build 7601)");
    assert_eq!(os.current_build.as_deref(), Some("7601"));
    assert_eq!(
        os.product_name.as_deref(),
        Some("Microsoft Windows Server 2008 R2")
    );
    let os = platform_os("Microsoft Windows 11 (64 bit)");
    assert_eq!(os.current_build, None);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_console(ConsoleFormat::Json, &bytes, "fuzz", &products());
        let _ = read_console(ConsoleFormat::Csv, &bytes, "fuzz", &products());
    }

    #[test]
    fn arbitrary_csv_rows_never_panic(rows in proptest::collection::vec("[ -~\\r\\n\"]{0,60}", 0..6)) {
        let text = format!("Name,Platform,Agent Version\n{}", rows.join("\n"));
        let _ = read_console(ConsoleFormat::Csv, text.as_bytes(), "fuzz", &products());
    }
}

#[test]
fn computers_handed_over_one_by_one_are_the_same() {
    let whole = read_console(ConsoleFormat::Csv, CSV.as_bytes(), "c.csv", &products()).unwrap();
    let mut each = Vec::new();
    let rest = read_console_each(
        ConsoleFormat::Csv,
        CSV.as_bytes(),
        "c.csv",
        &products(),
        &mut |h| each.push(h),
    )
    .unwrap();
    assert!(!whole.hosts.is_empty());
    assert!(rest.hosts.is_empty());
    assert_eq!(each, whole.hosts);
    assert_eq!(rest.problems, whole.problems);
    assert_eq!(rest.skipped_non_windows, whole.skipped_non_windows);

    let whole = read_console(ConsoleFormat::Json, API.as_bytes(), "c.json", &products()).unwrap();
    let mut each = Vec::new();
    let rest = read_console_each(
        ConsoleFormat::Json,
        API.as_bytes(),
        "c.json",
        &products(),
        &mut |h| each.push(h),
    )
    .unwrap();
    assert_eq!(each, whole.hosts);
    assert_eq!(rest.problems, whole.problems);
}
