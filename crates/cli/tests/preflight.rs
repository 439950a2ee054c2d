//! `acsready preflight apex-one`: agents as for `assess`, the server's
//! SOFTWARE and SYSTEM hives (written with hivex into copies of real hives)
//! or .reg exports, its install folder or a `dir` listing, the SQL Server
//! password on standard input or in a file.

use std::path::{Path, PathBuf};

use acsready_testkit::{shared, temp_dir, utf16le_bom, RegText, Software};
use assert_cmd::Command;
use serde_json::Value;

const SYSTEM: &str = "HKEY_LOCAL_MACHINE\\SYSTEM";
const SOFTWARE: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE";

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .env_remove("NO_COLOR");
    c
}

/// Runs a JSON preflight: the report, the exit code and standard error.
fn run(cmd: &mut Command) -> (Value, i32, String) {
    let out = cmd.output().expect("run acsready");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap_or(-1), stderr)
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(v)))
}

/// A ready Windows Server 2019 running the Corp. XG (or Apex One) server.
fn server_software(version: &'static str) -> Software {
    Software {
        product_name: "Windows Server 2019 Standard",
        installation_type: "Server",
        build: 17763,
        ubr: Some(2210),
        packages: vec![],
        root_in: vec!["AuthRoot"],
        disable_root_auto_update: Some(0),
        uninstall: vec![("Trend Micro OfficeScan Server", version)],
        no_program_upgrade: None,
    }
}

fn software_hive(dir: &Path, version: &'static str) -> PathBuf {
    server_software(version).reg().into_hive(
        &shared("testdata/hives/regipy__ntuser_software_partial"),
        SOFTWARE,
        &dir.join("SOFTWARE"),
    )
}

/// The services of an upgraded server (ControlSet002, made current).
fn system_reg(with_ivp: bool) -> RegText {
    let services = format!("{SYSTEM}\\ControlSet002\\Services");
    let mut r = RegText::new()
        .key(&format!("{SYSTEM}\\Select"))
        .dword("Current", 2)
        .key(&format!("{SYSTEM}\\ControlSet002"))
        .key(&services)
        .key(&format!("{services}\\TMiACAgentSvc"))
        .sz("DisplayName", "Trend Micro Application Control Service")
        .dword("Start", 2)
        .key(&format!("{services}\\tmlisten"))
        .sz("DisplayName", "Apex One NT Listener")
        .dword("Start", 2)
        .key(&format!(
            "{SYSTEM}\\ControlSet002\\Control\\ComputerName\\ComputerName"
        ))
        .sz("ComputerName", "OSCE01");
    if with_ivp {
        r = r
            .key(&format!("{services}\\TMiVPAgentSvc"))
            .sz(
                "DisplayName",
                "Trend Micro Vulnerability Protection Service",
            )
            .dword("Start", 2);
    }
    r
}

fn system_hive(dir: &Path, with_ivp: bool) -> PathBuf {
    system_reg(with_ivp).into_hive(
        &shared("testdata/hives/regipy__SYSTEM_WIN_10_1709"),
        SYSTEM,
        &dir.join("SYSTEM"),
    )
}

/// `dir /s` of the install folder as a Japanese Windows writes it (CP932).
fn dir_listing(dir: &Path, with_backup: bool, with_iac: bool) -> PathBuf {
    let root = r"C:\Program Files (x86)\Trend Micro\OfficeScan";
    let mut lines = vec![
        " ドライブ C のボリューム ラベルがありません。".to_string(),
        String::new(),
        format!(" {root} のディレクトリ"),
        String::new(),
        "2024/04/01  09:00    <DIR>          .".into(),
        "2024/04/01  09:00    <DIR>          ..".into(),
        "2024/04/01  09:00    <DIR>          AuthCertBackup".into(),
        "2024/04/01  09:00    <DIR>          Apex One".into(),
        format!(" {root}\\Apex One\\iServiceSrv のディレクトリ"),
        "2024/04/01  09:00    <DIR>          iVP".into(),
    ];
    if with_iac {
        lines.push("2024/04/01  09:00    <DIR>          iAC".into());
    }
    if with_backup {
        lines.push(format!(" {root}\\AuthCertBackup のディレクトリ"));
        lines.push("2024/04/01  09:00             1,234 OfficeScanAuth.dat".into());
    }
    let text = lines.join("\r\n");
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let path = dir.join("dir.txt");
    std::fs::write(&path, &bytes).unwrap();
    path
}

/// Agents: one facts file with a ready agent, an XP agent and a Windows 8 agent.
fn agents(dir: &Path, unsupported: bool) -> PathBuf {
    let root = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";
    let mut lines = vec![format!(
        r#"{{"host":"pc-01","os":{{"current_build":"19045.2006","installation_type":"Client"}},"certificates":[{{"sha1":"{root}","store":"AuthRoot"}}],"root_auto_update_disabled":false,"agents":[{{"product":"apex_one_agent","version":"12.0.0.5500"}}],"delivery":{{"no_program_upgrade":true}}}}"#
    )];
    if unsupported {
        lines.push(r#"{"host":"pc-xp","os":{"current_build":"2600","installation_type":"Client"},"agents":[{"product":"apex_one_agent","version":"12.0.0.5500"}]}"#.into());
        lines.push(
            r#"{"host":"pc-w8","os":{"current_build":"9200","installation_type":"Client"}}"#.into(),
        );
    }
    let path = dir.join("agents.ndjson");
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

#[test]
fn before_the_upgrade_unsupported_agents_and_the_password_block() {
    let dir = temp_dir("pf-before");
    let sw = software_hive(&dir, "12.0.0.5500");
    let listing = dir_listing(&dir, false, true);
    let (v, code, stderr) = run(acsready()
        .args([
            "preflight",
            "apex-one",
            "--format",
            "json",
            "--sql-password-stdin",
        ])
        .arg(agents(&dir, true))
        .arg("--server-hive")
        .arg(&sw)
        .arg("--server-dir")
        .arg(&listing)
        .write_stdin("Sup3r&Secret(7)\r\n"));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(v["schema"], "acsready.preflight/1");
    assert_eq!(v["phase"], "before");
    assert_eq!(v["summary"]["blocked"], true);
    let unsupported = finding(&v, "ACS200");
    assert_eq!(unsupported["blocking"], true);
    assert_eq!(unsupported["hosts"], serde_json::json!(["pc-w8", "pc-xp"]));
    let pw = finding(&v, "ACS202");
    assert_eq!(pw["evidence"][0]["value"], "shell bracket");
    let everything = format!("{v}{stderr}");
    assert!(!everything.contains("Sup3r"), "the password leaked");
    // The server is read from its hive: version, ready for ACS.
    assert_eq!(v["server"]["version"], "12.0.0.5500");
    assert_eq!(v["server"]["verdict"], "ready");
    // No backup in the listing: export it now (build 5500 < 5684).
    let backup = finding(&v, "ACS210");
    assert!(
        backup["remediation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("export the certificate now")),
        "{backup}"
    );
    for code in ["ACS212", "ACS218", "ACS219", "ACS221"] {
        finding(&v, code);
    }
    assert!(v["errors"].as_array().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_clean_fleet_passes_with_the_password_in_a_file() {
    let dir = temp_dir("pf-clean");
    let sw = software_hive(&dir, "12.0.0.5500");
    let listing = dir_listing(&dir, true, true);
    let pw = dir.join("pw.txt");
    std::fs::write(&pw, utf16le_bom("Passw0rd\r\n")).unwrap();
    let (v, code, stderr) = run(acsready()
        .args(["preflight", "apex-one", "-f", "json", "--staged-rollout"])
        .arg(agents(&dir, false))
        .arg("--server-hive")
        .arg(&sw)
        .arg("--server-dir")
        .arg(&listing)
        .arg("--sql-password-file")
        .arg(&pw));
    assert_eq!(code, 0, "{stderr}\n{v}");
    assert_eq!(v["summary"]["blocked"], false);
    for code in ["ACS203", "ACS205", "ACS211", "ACS222"] {
        finding(&v, code);
    }
    assert!(!codes(&v).contains(&"ACS206".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn after_the_upgrade_services_and_folders_from_a_system_hive() {
    let dir = temp_dir("pf-after");
    let sys = system_hive(&dir, false);
    let sw = software_hive(&dir, "14.0.0.8400");
    let listing = dir_listing(&dir, true, false);
    let (v, code, stderr) = run(acsready()
        .args(["preflight", "apex-one", "--phase", "after", "-f", "json"])
        .arg(agents(&dir, false))
        .args(["--server-hive"])
        .arg(&sys)
        .arg("--server-hive")
        .arg(&sw)
        .arg("--server-dir")
        .arg(&listing));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(v["server"]["host"], "OSCE01");
    let missing = finding(&v, "ACS213");
    assert!(missing["title"]
        .as_str()
        .unwrap()
        .contains("Trend Micro Vulnerability Protection Service"));
    assert!(finding(&v, "ACS215")["title"]
        .as_str()
        .unwrap()
        .contains(r"iServiceSrv\iAC"));
    let renamed = finding(&v, "ACS217");
    assert_eq!(renamed["hosts"], serde_json::json!(["pc-01"]));
    assert!(renamed["evidence"][0]["value"]
        .as_str()
        .unwrap()
        .contains("renamed from OfficeScan NT Listener"));
    // Before-only checks are not made after.
    for code in ["ACS200", "ACS210", "ACS212", "ACS220"] {
        assert!(
            !codes(&v).contains(&code.to_string()),
            "{code}: {:?}",
            codes(&v)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_system_reg_export_and_a_folder_copy_give_the_same_checks() {
    let dir = temp_dir("pf-reg");
    let reg = dir.join("system.reg");
    std::fs::write(&reg, utf16le_bom(&system_reg(true).text())).unwrap();
    let install = dir.join("OfficeScan");
    for sub in ["Apex One/iServiceSrv/iVP", "Apex One/iServiceSrv/iAC"] {
        std::fs::create_dir_all(install.join(sub)).unwrap();
    }
    let (v, code, stderr) = run(acsready()
        .args(["preflight", "apex-one", "--phase", "after", "-f", "json"])
        .arg(agents(&dir, false))
        .arg("--server-reg")
        .arg(&reg)
        .arg("--server-dir")
        .arg(&install)
        .args(["--server-version", "14.0.0.8400"]));
    assert_eq!(code, 0, "{stderr}");
    for code in ["ACS214", "ACS216", "ACS204"] {
        finding(&v, code);
    }
    // Without the SOFTWARE registry the server's ACS readiness is not checked.
    assert!(finding(&v, "ACS220")["title"]
        .as_str()
        .unwrap()
        .contains("SOFTWARE"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_reported_and_the_rest_still_checked() {
    let dir = temp_dir("pf-bad");
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"host\": 3").unwrap();
    let junk = dir.join("junk.hiv");
    std::fs::write(&junk, b"regf but not really a hive").unwrap();
    let ntuser = shared("testdata/hives/regipy__NTUSER.DAT");
    let (v, code, stderr) = run(acsready()
        .args(["preflight", "apex-one", "-f", "json"])
        .arg(&broken)
        .arg(agents(&dir, true))
        .arg("--server-hive")
        .arg(&junk)
        .arg("--server-hive")
        .arg(&ntuser)
        .args(["--server-dir", "/nonexistent/dir.txt"]));
    assert_eq!(code, 2, "{stderr}");
    let errors = v["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["source"].as_str().unwrap().contains("broken.json")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.to_string().contains("junk.hiv")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.to_string().contains("/nonexistent/dir.txt")),
        "{errors:?}"
    );
    // The good agents were still checked.
    assert_eq!(
        finding(&v, "ACS200")["hosts"],
        serde_json::json!(["pc-w8", "pc-xp"])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_usage_exits_2() {
    let out = acsready()
        .args(["preflight", "apex-one", "-", "--sql-password-stdin"])
        .write_stdin("x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("both read standard input"));
    let out = acsready().args(["preflight", "apex-one"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = acsready()
        .args(["preflight", "apex-one", "--phase", "during", "x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let dir = temp_dir("pf-empty-pw");
    let (v, code, _) = run(acsready()
        .args([
            "preflight",
            "apex-one",
            "-f",
            "json",
            "--sql-password-stdin",
        ])
        .arg(agents(&dir, false))
        .write_stdin("\n"));
    assert_eq!(code, 2);
    assert!(v["errors"].to_string().contains("the password is empty"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn table_and_csv_in_japanese() {
    let dir = temp_dir("pf-ja");
    let agents = agents(&dir, true);
    let out = acsready()
        .args(["--lang", "ja", "preflight", "apex-one"])
        .arg(&agents)
        .args(["--server-version", "12.0.0.5500"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[阻害] ACS200"), "{text}");
    assert!(
        text.contains("バージョンアップを阻害する要因があります"),
        "{text}"
    );
    let out = acsready()
        .args(["--lang", "ja", "preflight", "apex-one", "-f", "csv"])
        .arg(&agents)
        .output()
        .unwrap();
    let csv_text = String::from_utf8(out.stdout).unwrap();
    let body = csv_text.strip_prefix('\u{feff}').expect("BOM");
    let mut rows = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(&rows.headers().unwrap()[0], "code");
    let first = rows.records().next().unwrap().unwrap();
    assert_eq!(&first[0], "ACS200");
    assert_eq!(&first[2], "yes");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn html_page_matches_the_json_report() {
    let dir = temp_dir("pf-html");
    let agents = agents(&dir, true);
    let (json, code, _) = run(acsready()
        .args(["preflight", "apex-one", "-f", "json"])
        .arg(&agents)
        .args(["--server-version", "12.0.0.5500"]));
    assert_eq!(code, 1);
    let out = acsready()
        .args(["preflight", "apex-one", "-f", "html"])
        .arg(&agents)
        .args(["--server-version", "12.0.0.5500"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "blocked in every format");
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("data-blocked=\"yes\""));
    let count = |id: &str| {
        let at = html
            .find(&format!("id=\"{id}\">"))
            .unwrap_or_else(|| panic!("#{id}"));
        let rest = &html[at + id.len() + 6..];
        rest[..rest.find('<').unwrap()].to_string()
    };
    assert_eq!(
        count("count-blocking"),
        json["summary"]["blocking"].to_string()
    );
    assert_eq!(
        count("count-findings"),
        json["summary"]["findings"].to_string()
    );
    assert_eq!(count("count-agents"), json["summary"]["agents"].to_string());
    for f in json["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap();
        assert!(html.contains(&format!("id=\"finding-{code}\"")), "{code}");
    }
    assert!(html.contains("data-host=\"pc-xp\""));
    // Self-contained and script-free.
    for bad in ["<script", "src=\"http", "href=\"http", "<link"] {
        assert!(!html.contains(bad), "{bad}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_preflight_code_is_explained() {
    for code in ["ACS200", "ACS202", "ACS210", "ACS217", "ACS222"] {
        let out = acsready()
            .args(["--lang", "ja", "explain", code])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{code}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with(code), "{text}");
        assert!(text.contains("seed") || text.contains("acsready"), "{text}");
    }
    let out = acsready().args(["rules"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "Preflight: Virus Buster Corp. XG → Apex One (blocking: ACS200 ACS202 ACS207)"
        ),
        "{text}"
    );
    assert!(text.contains("KB3033929 + KB4490628"), "{text}");
}
