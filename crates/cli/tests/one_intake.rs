//! One intake for every command: `facts`, `assess` and `preflight apex-one`
//! read the same mixed inputs (facts JSON, osquery results, a console CSV,
//! a collector host folder given as a folder or under `--collected`) into
//! the same hosts with the same facts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use acsready_testkit::{utf16le_bom, Software};
use assert_cmd::Command;
use serde_json::Value;

const ROOT: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .env_remove("NO_COLOR");
    c
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn host04() -> Software {
    Software {
        product_name: "Windows Server 2016 Standard",
        installation_type: "Server",
        build: 14393,
        ubr: Some(4169),
        packages: vec![("KB4474419", 0x70)],
        root_in: vec!["AuthRoot"],
        disable_root_auto_update: None,
        uninstall: vec![("Trend Micro Apex One Security Agent", "14.0.12526")],
        no_program_upgrade: None,
    }
}

/// The mixed inputs: facts JSON, osquery results, a console CSV, and a
/// collector share holding one host folder.
struct Inputs {
    _dir: tempfile::TempDir,
    facts: PathBuf,
    osquery: PathBuf,
    csv: PathBuf,
    share: PathBuf,
    host_folder: PathBuf,
}

fn inputs() -> Inputs {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().to_path_buf();
    let facts = write(
        &dir,
        "facts.ndjson",
        format!(
            "{}\n{}\n",
            r#"{"host":"solo01","os":{"current_build":"20348.2113","installation_type":"Server"}}"#,
            r#"{"host":"APP01","os":{"current_build":"17763.5122","installation_type":"Server"}}"#,
        )
        .as_bytes(),
    );
    let osquery = write(
        &dir,
        "osquery.log",
        format!(
            "{}\n{}\n",
            r#"{"name":"pack_acsready_acsready_os_version","hostIdentifier":"WEB01","action":"snapshot","snapshot":[{"name":"Microsoft Windows Server 2019 Standard","version":"10.0.17763","major":"10","minor":"0","patch":"","build":"17763.2183"}]}"#,
            format_args!(
                r#"{{"name":"pack_acsready_acsready_certificates","hostIdentifier":"WEB01","action":"snapshot","snapshot":[{{"sha1":"{}","store":"Trusted Root Certification Authorities","store_location":"LocalMachine","subject":"x"}}]}}"#,
                ROOT.to_lowercase()
            )
        )
        .as_bytes(),
    );
    let csv = write(
        &dir,
        "computers.csv",
        b"Name,Platform,Agent Version\r\nweb01.corp.example,Microsoft Windows Server 2019 (64 bit) (Build 17763),14.0.12526\r\napp01.corp.example,Microsoft Windows Server 2019 (64 bit) (Build 17763),14.0.12526\r\n",
    );
    let share = dir.join("share");
    let host_folder = share.join("HOST04");
    write(
        &host_folder,
        "SOFTWARE.reg",
        &utf16le_bom(&host04().reg().text()),
    );
    write(
        &host_folder,
        "collector.txt",
        b"computer=HOST04\r\ncollector_version=1\r\ncomplete=yes\r\n",
    );
    Inputs {
        _dir: temp,
        facts,
        osquery,
        csv,
        share,
        host_folder,
    }
}

/// Host → (build, UBR) of a run.
type Hosts = BTreeMap<String, (Option<u64>, Option<u64>)>;

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn run(cmd: &mut Command) -> (Vec<u8>, i32, String) {
    let out = cmd.output().expect("run acsready");
    (
        out.stdout,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn facts_hosts(args: &[&std::ffi::OsStr]) -> Hosts {
    let (out, code, err) = run(acsready().arg("facts").args(args));
    assert_eq!(code, 0, "{err}");
    json_lines(&out)
        .iter()
        .map(|h| {
            let build = h["os"]["current_build"]
                .as_str()
                .and_then(|b| b.split('.').next())
                .and_then(|b| b.parse().ok());
            let ubr = h["os"]["ubr"].as_u64().or_else(|| {
                h["os"]["current_build"]
                    .as_str()
                    .and_then(|b| b.split_once('.'))
                    .and_then(|(_, u)| u.parse().ok())
            });
            (h["host"].as_str().unwrap().to_string(), (build, ubr))
        })
        .collect()
}

fn os_of(v: &Value) -> (Option<u64>, Option<u64>) {
    (v["os"]["build"].as_u64(), v["os"]["ubr"].as_u64())
}

fn assess_hosts(args: &[&std::ffi::OsStr]) -> Hosts {
    let (out, code, err) = run(acsready().args(["assess", "--format", "json"]).args(args));
    assert_ne!(code, 2, "{err}");
    let r: Value = serde_json::from_slice(&out).unwrap();
    r["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["host"].as_str().unwrap().to_string(), os_of(h)))
        .collect()
}

fn preflight_hosts(args: &[&std::ffi::OsStr]) -> Hosts {
    let (out, code, err) = run(acsready()
        .args(["preflight", "apex-one", "--format", "json"])
        .args(args));
    assert_ne!(code, 2, "{err}");
    let r: Value = serde_json::from_slice(&out).unwrap();
    let mut hosts: Hosts = r["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["host"].as_str().unwrap().to_string(), os_of(a)))
        .collect();
    for skipped in r["skipped"].as_array().unwrap() {
        hosts.insert(skipped.as_str().unwrap().to_string(), (None, None));
    }
    hosts
}

#[test]
fn facts_assess_and_preflight_read_the_same_hosts() {
    let i = inputs();
    let as_folder = [
        i.facts.as_os_str(),
        i.osquery.as_os_str(),
        i.csv.as_os_str(),
        i.host_folder.as_os_str(),
    ];
    let collected = [
        i.facts.as_os_str(),
        i.osquery.as_os_str(),
        i.csv.as_os_str(),
        "--collected".as_ref(),
        i.share.as_os_str(),
    ];
    let facts = facts_hosts(&as_folder);
    let names: Vec<&str> = facts.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "HOST04",
            "app01.corp.example",
            "solo01",
            "web01.corp.example"
        ],
        "{facts:?}"
    );
    assert_eq!(facts["web01.corp.example"], (Some(17763), Some(2183)));
    assert_eq!(facts["app01.corp.example"], (Some(17763), Some(5122)));
    assert_eq!(facts["HOST04"], (Some(14393), Some(4169)));
    assert_eq!(facts_hosts(&collected), facts);
    for args in [&as_folder[..], &collected[..]] {
        assert_eq!(assess_hosts(args), facts, "assess {args:?}");
        let preflight = preflight_hosts(args);
        assert_eq!(
            preflight.keys().collect::<Vec<_>>(),
            facts.keys().collect::<Vec<_>>(),
            "preflight {args:?}"
        );
        for (host, os) in &preflight {
            if os.0.is_some() {
                assert_eq!(os, &facts[host], "preflight {host}");
            }
        }
    }
}

#[test]
fn facts_merges_facts_json_with_osquery_results() {
    let i = inputs();
    let (out, code, err) = run(acsready().arg("facts").arg(&i.facts).arg(&i.osquery));
    assert_eq!(code, 0, "{err}");
    let hosts = json_lines(&out);
    assert_eq!(hosts.len(), 3, "{hosts:?}");
    let web = hosts.iter().find(|h| h["host"] == "WEB01").unwrap();
    assert!(web["sources"].to_string().contains("osquery.log"), "{web}");
}

#[test]
fn a_host_folder_without_collector_txt_is_read_as_a_host() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let folder = dir.join("copied").join("HOST04");
    write(
        &folder,
        "SOFTWARE.reg",
        &utf16le_bom(&host04().reg().text()),
    );
    let (out, code, err) = run(acsready().arg("facts").arg(&folder));
    assert_eq!(code, 0, "{err}");
    let hosts = json_lines(&out);
    assert_eq!(hosts.len(), 1, "{hosts:?}");
    assert_eq!(
        hosts[0]["os"]["current_build"].as_str().map(|b| &b[..5]),
        Some("14393")
    );
    let (out, code, err) = run(acsready()
        .args(["assess", "--format", "json"])
        .arg(dir.join("copied")));
    assert_ne!(code, 2, "{err}");
    let r: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["hosts"].as_array().unwrap().len(), 1, "{r}");
}

/// `facts` takes `--input-kind` as `assess` and `preflight` do: a facts file
/// read as a console export gives no host, and says so.
#[test]
fn facts_reads_an_input_as_the_kind_it_is_told() {
    let i = inputs();
    let read = acsready().arg("facts").arg(&i.facts).output().unwrap();
    assert_eq!(
        read.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let forced = acsready()
        .args(["facts", "--input-kind", "console-csv"])
        .arg(&i.facts)
        .output()
        .unwrap();
    assert_eq!(
        forced.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&forced.stdout)
    );
    assert!(String::from_utf8_lossy(&forced.stderr).contains("facts.ndjson"));
}
