//! The acsready command line, run as a user would: formats, exit codes,
//! bad input, rules overrides, and the example fleet against its documented
//! expectations.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const ROOT: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env_remove("NO_COLOR")
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG");
    c
}

fn fleet() -> PathBuf {
    repo().join("examples/fleet.ndjson")
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("stdout is one JSON document")
}

fn ready_host(name: &str) -> String {
    format!(
        r#"{{"host":"{name}","os":{{"current_build":"20348.2700","installation_type":"Server"}},"certificates":[{{"sha1":"{ROOT}","store":"AuthRoot"}}]}}"#
    )
}

fn unready_host(name: &str) -> String {
    format!(
        r#"{{"host":"{name}","os":{{"current_build":"17763.2183","installation_type":"Server"}},"certificates":[{{"sha1":"{ROOT}","store":"ROOT"}}]}}"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// product, action, target (when the README gives one)
type ExpectedPlan = (String, String, Option<String>);

/// The expected verdict and agent actions of every example host, as
/// examples/README.md states them.
fn expectations() -> Vec<(String, String, Vec<ExpectedPlan>)> {
    let readme = std::fs::read_to_string(repo().join("examples/README.md")).expect("README");
    let product = |abbr: &str| match abbr {
        "DSA" => "deep_security_agent",
        "DSN" => "deep_security_notifier",
        "DSM" => "deep_security_manager",
        "AO" => "apex_one_agent",
        "AOS" => "apex_one_server",
        "SaaS" => "apex_one_saas_agent",
        "V1SEP" => "vision_one_sep_agent",
        other => panic!("unknown abbreviation {other}"),
    };
    readme
        .lines()
        .filter(|l| {
            l.starts_with("| ")
                && l.split('|')
                    .nth(1)
                    .is_some_and(|c| c.trim().parse::<u32>().is_ok())
        })
        .map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            let host = cols[2].trim_matches('`').to_string();
            let verdict = cols[4].to_string();
            let agents = if cols[5].starts_with('—') {
                vec![]
            } else {
                cols[5]
                    .split("; ")
                    .map(|a| {
                        let (abbr, rest) = a.split_once(": ").expect("ABBR: action");
                        let (action, target) = match rest.split_once(" (") {
                            Some((action, t)) => {
                                let t = t.trim_end_matches(')').trim_start_matches("installed ");
                                (action.to_string(), Some(t.to_string()))
                            }
                            None => (rest.to_string(), None),
                        };
                        (product(abbr).to_string(), action, target)
                    })
                    .collect()
            };
            (host, verdict, agents)
        })
        .collect()
}

#[test]
fn example_fleet_matches_its_documented_expectations() {
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(fleet())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json_of(&out);
    let hosts = report["hosts"].as_array().expect("hosts");
    let expected = expectations();
    assert!(
        expected.len() >= 40,
        "the README lists {} hosts",
        expected.len()
    );
    assert_eq!(hosts.len(), expected.len());
    for (host, verdict, agents) in expected {
        let h = hosts
            .iter()
            .find(|h| h["host"] == host.as_str())
            .unwrap_or_else(|| panic!("{host} not in the report"));
        assert_eq!(h["verdict"], verdict.as_str(), "{host}");
        let plans = h["agents"].as_array().expect("agents");
        assert_eq!(plans.len(), agents.len(), "{host}");
        for (plan, (product, action, target)) in plans.iter().zip(&agents) {
            assert_eq!(plan["product"], product.as_str(), "{host}");
            assert_eq!(plan["action"], action.as_str(), "{host} {product}");
            if let Some(t) = target {
                assert_eq!(plan["target"], t.as_str(), "{host} {product}");
            }
        }
    }
}

#[test]
fn example_fleet_covers_every_verdict_and_action() {
    let out = acsready()
        .args(["assess", "--summary", "--format", "json"])
        .arg(fleet())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let s = &json_of(&out)["summary"];
    for key in ["ready", "not_ready", "unknown", "unsupported"] {
        assert!(
            s[key].as_u64().unwrap() > 0,
            "no {key} host in the examples"
        );
    }
    for key in ["upgrade", "pin", "fix_host", "hold", "none"] {
        assert!(
            s["agent_actions"][key].as_u64().unwrap() > 0,
            "no {key} action in the examples"
        );
    }
}

/// Walks a value and fails on `null` where the contract has an array.
fn assert_arrays(v: &Value, path: &str) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = format!("{path}.{k}");
                let listed = [
                    "hosts",
                    "findings",
                    "agents",
                    "evidence",
                    "remediation",
                    "errors",
                    "sources",
                ];
                if path != "$.summary" && listed.contains(&k.as_str()) {
                    assert!(child.is_array(), "{p} is not an array: {child}");
                }
                assert_arrays(child, &p);
            }
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, c)| assert_arrays(c, &format!("{path}[{i}]"))),
        _ => {}
    }
}

#[test]
fn json_report_follows_the_contract() {
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(fleet())
        .output()
        .expect("run");
    let r = json_of(&out.stdout);
    assert_eq!(r["schema"], "acsready.report/1");
    assert!(r["rules"]["version"].is_string() && r["rules"]["as_of"].is_string());
    for h in r["hosts"].as_array().unwrap() {
        assert!(h["host"].is_string());
        assert!(h["os"]["name"].is_string());
        assert!(h["os"].get("build").is_some() && h["os"].get("ubr").is_some());
        assert!(["ready", "not_ready", "unknown", "unsupported"]
            .contains(&h["verdict"].as_str().unwrap()));
        for f in h["findings"].as_array().unwrap() {
            assert!(f["code"].as_str().unwrap().starts_with("ACS"));
            for k in ["severity", "title"] {
                assert!(f[k].is_string(), "{k}");
            }
            assert!(f["evidence"].is_array() && f["remediation"].is_array());
        }
        for a in h["agents"].as_array().unwrap() {
            for k in ["product", "version", "action", "target"] {
                assert!(a[k].is_string(), "{k}");
            }
        }
    }
    let s = &r["summary"];
    let total: u64 = ["ready", "not_ready", "unknown", "unsupported"]
        .iter()
        .map(|k| s[k].as_u64().unwrap())
        .sum();
    assert_eq!(s["hosts"].as_u64().unwrap(), total);
    assert_eq!(total as usize, r["hosts"].as_array().unwrap().len());
    assert_arrays(&r, "$");
}

#[test]
fn exit_code_zero_when_every_host_is_ready() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "ok.ndjson",
        &format!("{}\n{}\n", ready_host("a"), ready_host("b")),
    );
    acsready()
        .args(["assess"])
        .arg(&f)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ready 2"));
}

#[test]
fn exit_code_one_when_a_host_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "mixed.json",
        &format!("[{},\n{}]", ready_host("a"), unready_host("b")),
    );
    acsready()
        .args(["assess", "--format", "csv"])
        .arg(&f)
        .assert()
        .code(1);
}

#[test]
fn bad_json_names_file_and_line_and_the_other_inputs_are_still_assessed() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.ndjson",
        &format!(
            "{}\n{{\"host\": \"broken\", \"os\": \n{}\n",
            ready_host("first"),
            unready_host("third")
        ),
    );
    let good = write(
        dir.path(),
        "good.ndjson",
        &format!("{}\n", ready_host("other-file")),
    );
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&bad)
        .arg(dir.path().join("missing.ndjson"))
        .arg(&good)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.ndjson:2"))
        .stderr(predicate::str::contains("missing.ndjson"))
        .get_output()
        .stdout
        .clone();
    let r = json_of(&out);
    let names: Vec<&str> = r["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["first", "third", "other-file"]);
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert!(errors[0]["source"]
        .as_str()
        .unwrap()
        .contains("bad.ndjson:2"));
}

#[test]
fn invalid_values_are_input_errors_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "v.ndjson",
        "{\"host\":\"a\",\"updates\":[\"KB5006714\",\"Security Update\"]}\n",
    );
    acsready()
        .args(["assess"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("v.ndjson:1").and(predicate::str::contains("updates[1]")));
}

#[test]
fn csv_has_bom_stable_columns_and_one_row_per_host() {
    let out = acsready()
        .args(["assess", "--format", "csv"])
        .arg(fleet())
        .output()
        .unwrap();
    assert!(out.stdout.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &headers[..5],
        ["host", "verdict", "os_name", "os_build", "os_ubr"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), expectations().len());
    assert!(rows.iter().all(|r| r.len() == headers.len()));
    assert!(text.contains("\r\n"), "CRLF line ends for Excel");
}

#[test]
fn table_shows_remediation_and_summary_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "u.ndjson", &unready_host("web01"));
    acsready()
        .args(["assess", "--lang", "en"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("KB5005625"))
        .stdout(predicate::str::contains("Summary: 1 host — "))
        .stdout(predicate::str::contains("\x1b[").not());
    acsready()
        .args(["assess", "--lang", "ja"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("未対応"))
        .stdout(predicate::str::contains("集計"));
    // Japanese from the locale.
    acsready()
        .env("LANG", "ja_JP.UTF-8")
        .args(["assess"])
        .arg(&f)
        .assert()
        .stdout(predicate::str::contains("集計"));
}

#[test]
fn standard_input_and_folders_are_inputs() {
    acsready()
        .args(["assess", "-", "--summary"])
        .write_stdin(format!("{}\n", ready_host("x")))
        .assert()
        .code(0);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("site-a")).unwrap();
    write(&dir.path().join("site-a"), "a.json", &ready_host("a"));
    write(dir.path(), "b.ndjson", &unready_host("b"));
    write(dir.path(), "notes.txt", "not facts");
    acsready()
        .args(["assess", "--summary"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("2 hosts"));
}

#[test]
fn explain_prints_a_code_and_refuses_unknown_ones() {
    acsready()
        .args(["explain", "acs004"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ACS004 [critical]"))
        .stdout(predicate::str::contains("EasyFixSysCerts.exe A1"));
    acsready()
        .args(["explain", "ACS999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ACS999"));
    acsready()
        .args(["explain"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ACS101"));
}

#[test]
fn rules_command_shows_identity_and_content() {
    acsready()
        .args(["rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("acsready rules 20"))
        .stdout(predicate::str::contains("17763"))
        .stdout(predicate::str::contains(ROOT))
        .stdout(predicate::str::contains("20.0.0.6313"));
    let out = acsready()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let r = json_of(&out.stdout);
    assert_eq!(r["schema_version"], 1);
    assert!(r["windows"].as_array().unwrap().len() > 20);
}

#[test]
fn a_rules_override_changes_the_verdict_and_a_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = std::fs::read_to_string(repo().join("rules/acsready-rules.toml")).unwrap();
    let edited = embedded.replace("ubr = 2210,", "ubr = 2100,");
    assert_ne!(edited, embedded);
    let rules = write(dir.path(), "rules.toml", &edited);
    let host = write(dir.path(), "h.ndjson", &unready_host("web01"));
    acsready().args(["assess"]).arg(&host).assert().code(1);
    acsready()
        .arg("--rules")
        .arg(&rules)
        .args(["assess"])
        .arg(&host)
        .assert()
        .code(0);
    let broken = write(
        dir.path(),
        "broken.toml",
        "schema_version = 1\n[[windows]\n",
    );
    acsready()
        .arg("--rules")
        .arg(&broken)
        .args(["assess"])
        .arg(&host)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.toml"));
}

#[test]
fn bad_usage_exits_two_and_help_teaches() {
    acsready()
        .args(["assess", "--format", "xml"])
        .assert()
        .code(2);
    acsready()
        .args(["--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes"))
        .stdout(predicate::str::contains("acsready explain"));
}

#[test]
fn utf16_facts_from_windows_powershell_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{}\r\n", ready_host("ps5"));
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let f = dir.path().join("ps.json");
    std::fs::write(&f, bytes).unwrap();
    acsready()
        .args(["assess", "--summary"])
        .arg(&f)
        .assert()
        .code(0);
}

#[test]
fn jsonl_streams_one_host_per_line() {
    let out = acsready()
        .args(["assess", "--format", "jsonl"])
        .arg(fleet())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one host"))
        .collect();
    assert_eq!(lines.len(), expectations().len());
    assert!(lines
        .iter()
        .all(|h| h["host"].is_string() && h["verdict"].is_string()));
}

#[test]
fn a_saved_json_report_renders_again_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let json = acsready()
        .args(["assess", "--format", "json"])
        .arg(fleet())
        .output()
        .unwrap()
        .stdout;
    let saved = write(
        dir.path(),
        "report.json",
        &String::from_utf8(json.clone()).unwrap(),
    );
    let direct_csv = acsready()
        .args(["assess", "--format", "csv"])
        .arg(fleet())
        .output()
        .unwrap()
        .stdout;
    let again_csv = acsready()
        .args(["report", "--format", "csv", "--from"])
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(again_csv.status.code(), Some(1));
    assert_eq!(again_csv.stdout, direct_csv);
    let again_json = acsready()
        .args(["report", "--format", "json", "--from"])
        .arg(&saved)
        .output()
        .unwrap()
        .stdout;
    assert_eq!(json_of(&again_json)["hosts"], json_of(&json)["hosts"]);
    acsready()
        .args(["report", "--from"])
        .arg(&saved)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Summary: 78 hosts"));
    let bad = write(dir.path(), "bad.json", "{\"schema\": 1}");
    acsready()
        .args(["report", "--from"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json:1:"));
}

/// `report --from --lang ja` of an English report renders every text in
/// Japanese from the codes and parameters, as `assess --lang ja` writes it;
/// a report written before findings carried parameters keeps its texts.
#[test]
fn an_english_report_rendered_again_in_japanese_is_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let english = acsready()
        .args(["--lang", "en", "assess", "--format", "json"])
        .arg(fleet())
        .output()
        .unwrap()
        .stdout;
    let saved = write(dir.path(), "en.json", &String::from_utf8_lossy(&english));
    let japanese = acsready()
        .args(["--lang", "ja", "assess", "--format", "json"])
        .arg(fleet())
        .output()
        .unwrap()
        .stdout;
    let again = acsready()
        .args(["--lang", "ja", "report", "--format", "json", "--from"])
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    let again = json_of(&again.stdout);
    assert_eq!(again["lang"], "ja");
    assert_eq!(again["hosts"], json_of(&japanese)["hosts"]);
    let table = acsready()
        .args(["--lang", "ja", "report", "--from"])
        .arg(&saved)
        .output()
        .unwrap()
        .stdout;
    let table = String::from_utf8_lossy(&table);
    assert!(table.contains("固定"), "{table}");
    assert!(!table.contains("until the host is ready"), "{table}");

    // Written before `params`: the texts stay as they were.
    let mut old = json_of(&english);
    for host in old["hosts"].as_array_mut().unwrap() {
        for f in host["findings"].as_array_mut().unwrap() {
            f.as_object_mut().unwrap().remove("params");
        }
        for p in host["agents"].as_array_mut().unwrap() {
            let p = p.as_object_mut().unwrap();
            p.remove("reason_code");
        }
    }
    let old_file = write(dir.path(), "old.json", &old.to_string());
    let again = acsready()
        .args(["--lang", "ja", "report", "--format", "json", "--from"])
        .arg(&old_file)
        .output()
        .unwrap()
        .stdout;
    let again = json_of(&again);
    let reasons = |v: &Value| -> Vec<Value> {
        v["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|h| h["agents"].as_array().unwrap().clone())
            .map(|p| p["reason"].clone())
            .collect()
    };
    assert_eq!(reasons(&again), reasons(&old));
    let acs001 = |v: &Value| -> Vec<Value> {
        v["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|h| h["findings"].as_array().unwrap().clone())
            .filter(|f| f["code"] == "ACS001")
            .map(|f| f["title"].clone())
            .collect()
    };
    assert!(!acs001(&old).is_empty());
    assert_eq!(acs001(&again), acs001(&old));
}

#[test]
fn osquery_results_and_a_console_export_merge_by_host_name() {
    let dir = tempfile::tempdir().unwrap();
    let osq = write(
        dir.path(),
        "osquery.log",
        &format!(
            "{}\n{}\n",
            r#"{"name":"pack_acsready_acsready_os_version","hostIdentifier":"WEB01","action":"snapshot","snapshot":[{"name":"Microsoft Windows Server 2019 Standard","version":"10.0.17763","major":"10","minor":"0","patch":"","build":"17763.2183"}]}"#,
            format_args!(
                r#"{{"name":"pack_acsready_acsready_certificates","hostIdentifier":"WEB01","action":"snapshot","snapshot":[{{"sha1":"{}","store":"Trusted Root Certification Authorities","store_location":"LocalMachine","subject":"x"}}]}}"#,
                ROOT.to_lowercase()
            )
        ),
    );
    let csv = write(
        dir.path(),
        "computers.csv",
        "Name,Platform,Agent Version\r\nweb01.corp.example,Microsoft Windows Server 2019 (64 bit) (Build 17763),20.0.0.5137\r\ndb02,Microsoft Windows Server 2016 (64 bit) (Build 14393),12.0.0.2626\r\nlnx01,Amazon Linux 2 (64 bit) (4.14),20.0.0.8438\r\n",
    );
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&osq)
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r = json_of(&out.stdout);
    let hosts = r["hosts"].as_array().unwrap();
    assert_eq!(
        hosts.len(),
        2,
        "WEB01 and web01.corp.example are one host; Linux is skipped"
    );
    let web = &hosts[0];
    assert_eq!(web["host"], "web01.corp.example");
    assert_eq!(web["verdict"], "not_ready");
    assert_eq!(web["agents"][0]["action"], "pin");
    assert!(web["sources"].as_array().unwrap().len() >= 2);
    // The console gives no UBR: unknown, naming the missing fact.
    assert_eq!(hosts[1]["verdict"], "unknown");
    assert!(hosts[1]["findings"].to_string().contains("os.ubr"));
    assert!(r["warnings"].to_string().contains("not Windows"));
}

#[test]
fn facts_files_stream_and_merge_with_a_console_export() {
    let dir = tempfile::tempdir().unwrap();
    // The console knows the agent; facts know the OS. app01 is in both facts
    // files (merged, the first file's UBR kept); db09 only in the console.
    let csv = write(
        dir.path(),
        "computers.csv",
        "Name,Platform,Agent Version\r\nweb01,Microsoft Windows Server 2019 (64 bit) (Build 17763),20.0.0.5137\r\napp01,Microsoft Windows Server 2022 (64 bit) (Build 20348),20.0.0.5137\r\ndb09,Microsoft Windows Server 2016 (64 bit) (Build 14393),12.0.0.2626\r\n",
    );
    let a = write(
        dir.path(),
        "a.ndjson",
        &format!(
            "{}\n{}\n{{\"host\":\"app01\",\"os\":{{\"current_build\":\"20348.100\",\"installation_type\":\"Server\"}}}}\n",
            ready_host("web01.corp.example"),
            ready_host("solo01")
        ),
    );
    let b = write(dir.path(), "b.ndjson", &ready_host("APP01"));
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&a)
        .arg(&csv)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json_of(&out.stdout);
    let hosts: Vec<&Value> = r["hosts"].as_array().unwrap().iter().collect();
    let names: Vec<&str> = hosts.iter().map(|h| h["host"].as_str().unwrap()).collect();
    // Streamed first, then the hosts held for merging, in the order first seen.
    assert_eq!(names, ["web01.corp.example", "solo01", "app01", "db09"]);
    assert_eq!(hosts[0]["verdict"], "ready");
    assert_eq!(hosts[0]["agents"][0]["product"], "deep_security_agent");
    assert_eq!(hosts[0]["agents"][0]["action"], "upgrade");
    assert!(hosts[1]["agents"].as_array().unwrap().is_empty());
    // app01: a.ndjson (20348.100) comes before b.ndjson (20348.2700).
    assert_eq!(hosts[2]["os"]["ubr"], 100);
    assert_eq!(hosts[2]["verdict"], "not_ready");
    assert_eq!(hosts[2]["agents"][0]["action"], "pin");
    assert_eq!(hosts[3]["verdict"], "unknown");
    assert_eq!(r["summary"]["hosts"], 4);
}

#[test]
fn collector_folders_are_recognised_and_merged_once() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    for (name, build) in [("PC1", "19045.5000"), ("PC2", "17763.2183")] {
        let host = share.join(name);
        std::fs::create_dir_all(&host).unwrap();
        write(
            &host,
            "facts.json",
            &format!(
                r#"{{"host":"{}","os":{{"current_build":"{build}","installation_type":"Client"}}}}"#,
                name.to_lowercase()
            ),
        );
        write(
            &host,
            "collector.txt",
            "collector_version=1\r\ncomplete=yes\r\n",
        );
    }
    let facts = write(
        dir.path(),
        "certs.ndjson",
        &format!(
            r#"{{"host":"PC1.corp.example","certificates":[{{"sha1":"{ROOT}","store":"AuthRoot"}}]}}"#
        ),
    );
    // The share as a positional input, mixed with a facts file: pc1 once,
    // its facts merged from both.
    for args in [
        vec![share.clone(), facts.clone()],
        vec![facts.clone(), share.join("PC1"), share.join("PC2")],
    ] {
        let out = acsready()
            .args(["assess", "--format", "json"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = json_of(&out.stdout);
        let mut names: Vec<&str> = r["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["host"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["PC1.corp.example", "pc2"], "{args:?}");
        let pc1 = r["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["host"] == "PC1.corp.example")
            .unwrap();
        assert_eq!(
            pc1["verdict"], "ready",
            "OS from the folder, root from the facts file"
        );
    }
}

#[test]
fn csv_findings_gives_one_row_per_finding() {
    let out = acsready()
        .args(["assess", "--format", "csv", "--csv-findings"])
        .arg(fleet())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&reader.headers().unwrap()[3], "code");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let json = json_of(
        &acsready()
            .args(["assess", "--format", "json"])
            .arg(fleet())
            .output()
            .unwrap()
            .stdout,
    );
    let findings: usize = json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["findings"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows.len(), findings);
    assert!(rows.iter().all(|r| r[3].starts_with("ACS")));
}

#[test]
fn html_is_one_self_contained_page_with_the_counts() {
    let out = acsready()
        .args(["assess", "--format", "html"])
        .arg(fleet())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let html = String::from_utf8(out.stdout).unwrap();
    let json = json_of(
        &acsready()
            .args(["assess", "--summary", "--format", "json"])
            .arg(fleet())
            .output()
            .unwrap()
            .stdout,
    );
    for verdict in ["ready", "not_ready", "unknown", "unsupported"] {
        let marker = format!("id=\"summary-{verdict}\">{}<", json["summary"][verdict]);
        assert!(html.contains(&marker), "{marker}");
    }
    assert!(html.contains("id=\"host-table\"") && html.contains("id=\"acsready-data\""));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external assets"
    );
    // The same page from a saved report.
    let dir = tempfile::tempdir().unwrap();
    let saved = write(
        dir.path(),
        "r.json",
        &String::from_utf8(
            acsready()
                .args(["assess", "--format", "json"])
                .arg(fleet())
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap(),
    );
    let again = acsready()
        .args(["report", "--format", "html", "--from"])
        .arg(&saved)
        .output()
        .unwrap();
    assert!(String::from_utf8(again.stdout)
        .unwrap()
        .contains("id=\"summary-ready\""));
}
