//! The collector run by a real cmd interpreter: Wine's `cmd.exe`, with the
//! registry of a Windows 10 1809 host imported by Wine's `reg import`, then
//! the folder it writes assessed by `acsready assess --collected`.
//!
//! Wine only stubs `wmic`, `systeminfo` and `wevtutil`. Each is replaced in
//! the prefix by a small launcher (`acsready_testkit::launcher`) that hands
//! the call to `collector-wine/dispatch.cmd`, which prints what the real
//! programs printed on a real Windows 10 1809 host (`systeminfo.txt`,
//! `qfe.txt`: see `collector-wine/README.md`). With `reg.exe` routed there
//! too, chosen keys answer "access denied" as reg.exe does.
//!
//! The prefix is made once (about 20 s) under `target/tmp/wine-prefix` and
//! reused. Without Wine the test is skipped with a message, unless
//! `ACSREADY_WINE_TESTS=require` (set by `scripts/test`) makes it fail.

use std::path::{Path, PathBuf};
use std::process::Output;

use acsready_testkit::wine::{Server, Wine};
use acsready_testkit::{launcher::launcher_exe, Software};
use serde_json::Value;

const STANDIN: &str = r"C:\acsready-standin";
const COLLECTOR: &str = r"C:\acsready test\collect dir\acsready-collect.cmd";
const OUT: &str = r"C:\acsready test\out dir";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/collector-wine")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The collector's Wine: the test's prefix, with `collect`.
fn wine() -> Option<Wine> {
    acsready_testkit::wine::wine(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wine-prefix"))
}

trait Collect {
    fn collect(&self, args: &[&str], overrides: &str) -> Output;
}

impl Collect for Wine {
    /// The collector, run as `cmd /c call "<collector>" <args>`.
    fn collect(&self, args: &[&str], overrides: &str) -> Output {
        let mut all = vec!["cmd", "/c", "call", COLLECTOR];
        all.extend_from_slice(args);
        self.run(&all, overrides)
    }
}

/// Puts the stand-ins in place (every run: cheap, and a cached prefix may
/// hold those of an older version).
fn install_standins(wine: &Wine) {
    let dir = wine.host_path(STANDIN);
    std::fs::create_dir_all(dir.join("orig")).expect("stand-in folder");
    for name in ["dispatch.cmd", "systeminfo.txt", "Application-events.xml"] {
        std::fs::copy(fixtures().join(name), dir.join(name)).expect("stand-in file");
    }
    // wmic writes UTF-16 and Windows' `type` prints such a file as OEM
    // text; Wine's `type` stops at the first NUL, so the stand-in types the
    // capture already decoded.
    let qfe = std::fs::read(fixtures().join("qfe.txt")).expect("qfe capture");
    let units: Vec<u16> = qfe[2..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).expect("UTF-16 capture");
    assert!(text.is_ascii(), "the capture is ASCII text");
    std::fs::write(dir.join("qfe.txt"), text).expect("qfe stand-in");

    let launcher = launcher_exe(&format!(
        r"C:\windows\system32\cmd.exe /d /c {STANDIN}\dispatch.cmd"
    ));
    let sys32 = wine.prefix.join("drive_c/windows/system32");
    for tool in ["reg.exe", "wbem/wmic.exe", "systeminfo.exe", "wevtutil.exe"] {
        let path = sys32.join(tool);
        let current = std::fs::read(&path).unwrap_or_default();
        if tool == "reg.exe" && current != launcher {
            // Wine's reg.exe, kept under another name: it still loads as
            // the builtin when reg.exe itself is the launcher.
            std::fs::write(dir.join("orig/realreg.exe"), &current).expect("keep reg.exe");
        }
        std::fs::write(&path, &launcher).expect("launcher in system32");
    }
    let _ = std::fs::remove_file(dir.join("denied.txt"));
    let _ = std::fs::remove_file(dir.join("systeminfo-empty"));

    let collector = wine.host_path(COLLECTOR);
    std::fs::create_dir_all(collector.parent().expect("folder")).expect("collector folder");
    std::fs::copy(repo().join("collector/acsready-collect.cmd"), &collector)
        .expect("collector copied");

    // The registry of the host: a Windows 10 1809 client with Apex One.
    let reg = Software {
        product_name: "Windows 10 Pro",
        installation_type: "Client",
        build: 17763,
        ubr: Some(316),
        packages: vec![("KB4487038", 0x70), ("KB4486553", 0x70)],
        root_in: vec![],
        disable_root_auto_update: None,
        uninstall: vec![("Trend Micro Apex One Security Agent", "14.0.11564")],
        no_program_upgrade: Some(0),
    }
    .reg();
    std::fs::write(dir.join("host.reg"), reg.text()).expect("registry fixture");
    let out = wine.run(&["reg", "import", &format!(r"{STANDIN}\host.reg")], "");
    assert!(
        out.status.success(),
        "reg import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The one host folder the collector wrote.
fn host_folder(wine: &Wine) -> PathBuf {
    let out = wine.host_path(OUT);
    let dirs: Vec<PathBuf> = std::fs::read_dir(&out)
        .expect("output folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(dirs.len(), 1, "one host folder: {dirs:?}");
    dirs[0].clone()
}

fn manifest(folder: &Path) -> String {
    std::fs::read_to_string(folder.join("collector.txt")).expect("collector.txt")
}

fn assess(share: &Path) -> (Value, String) {
    let out = assert_cmd::Command::cargo_bin("acsready")
        .expect("binary")
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .args(["assess", "--format", "json", "--collected"])
        .arg(share)
        .output()
        .expect("acsready runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn codes(host: &Value) -> Vec<String> {
    host["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Builtins for the stubbed programs are turned off so the launchers run;
/// reg.exe stays Wine's own unless `reg_too`.
fn overrides(reg_too: bool) -> String {
    let reg = if reg_too { "reg.exe=n" } else { "reg.exe=b" };
    format!("wmic.exe,systeminfo.exe,wevtutil.exe=n;{reg}")
}

#[test]
fn the_collector_runs_in_wine_cmd_and_acsready_reads_its_folder() {
    let Some(wine) = wine() else { return };
    let _server = Server::start(&wine);
    install_standins(&wine);
    let out_dir = wine.host_path(OUT);
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).expect("output folder");

    // Usage: help is not a folder, an unknown option is bad usage.
    for help in ["/?", "/help"] {
        let o = wine.collect(&[help], &overrides(false));
        assert_eq!(o.status.code(), Some(0), "{help}: {}", text(&o));
        assert!(text(&o).contains("Usage: acsready-collect.cmd"), "{help}");
    }
    for bad in ["-x", "/out"] {
        let o = wine.collect(&[bad], &overrides(false));
        assert_eq!(o.status.code(), Some(1), "{bad}: {}", text(&o));
        assert!(
            text(&o).contains("bad usage") && text(&o).contains(bad),
            "{}",
            text(&o)
        );
    }
    assert!(
        !wine
            .host_path(r"C:\acsready test\collect dir\help")
            .exists()
            && !wine.host_path(r"C:\help").exists(),
        "no folder named after an option"
    );

    // A whole collection, into a folder whose path has spaces.
    let o = wine.collect(&[OUT], &overrides(false));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let folder = host_folder(&wine);
    let m = manifest(&folder);
    for step in [
        "step.CurrentVersion.txt=ok",
        "step.CBS-Packages.reg=ok",
        "step.Uninstall.reg=ok",
        "step.TrendMicro-Wow6432Node.reg=ok",
        "step.TrendMicro.reg=missing",
        // Neither it nor its parent exists: the grandparent says so.
        "step.Cert-Policies.reg=missing",
        "step.qfe.txt=ok",
        "step.systeminfo.txt=ok",
        "step.Application-events.xml=ok",
        "qfe_format=table",
        "collected_at=2019-03-07T10:15:00+01:00",
        "complete=yes",
    ] {
        assert!(m.lines().any(|l| l == step), "{step} in:\n{m}");
    }
    let absent = std::fs::read_to_string(folder.join("absent-keys.txt")).expect("absent keys");
    assert!(absent.contains(r"HKLM\SOFTWARE\TrendMicro"), "{absent}");
    assert!(!folder.join("unreadable-keys.txt").exists());

    let (report, warnings) = assess(&out_dir);
    let host = &report["hosts"][0];
    assert_eq!(host["os"]["build"], 17763, "{host}");
    assert_eq!(host["os"]["ubr"], 316, "{host}");
    assert_eq!(
        host["agents"][0]["product"], "apex_one_agent",
        "{host}\n{warnings}"
    );
    // Build 17763.316 (March 2019) lacks the ACS update of September 2021.
    assert_eq!(host["verdict"], "not_ready", "{host}");
    assert!(codes(host).contains(&"ACS001".to_string()), "{host}");
    assert_eq!(host["agents"][0]["action"], "pin", "{host}");
    let (facts, _) = host_facts(&out_dir);
    let updates: Vec<&str> = facts["updates"]
        .as_array()
        .expect("updates known")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for kb in [
        "KB4470788",
        "KB4480056",
        "KB4482887",
        "KB4486553",
        "KB4487038",
    ] {
        assert!(updates.contains(&kb), "{kb} in {updates:?}");
    }
    assert_eq!(facts["events"], serde_json::json!([]), "{facts}");
    assert_eq!(
        facts["root_auto_update_disabled"], false,
        "no policy key: {facts}"
    );
    assert!(!warnings.contains("unreadable"), "{warnings}");

    // The same host collected without the rights to read two keys, and a
    // systeminfo that prints nothing.
    let standin = wine.host_path(STANDIN);
    std::fs::write(
        standin.join("denied.txt"),
        "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\r\n\
         HKLM\\SOFTWARE\\Wow6432Node\\TrendMicro\r\n\
         HKLM\\SOFTWARE\\Policies\r\n",
    )
    .expect("denied keys");
    std::fs::write(standin.join("systeminfo-empty"), "").expect("flag");
    let o = wine.collect(&[OUT], &overrides(true));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let folder = host_folder(&wine);
    let m = manifest(&folder);
    for step in [
        "step.Uninstall.reg=unreadable",
        "step.TrendMicro-Wow6432Node.reg=unreadable",
        "step.TrendMicro.reg=missing",
        // Its parent does not exist, and the grandparent cannot be read:
        // unknown, not absent.
        "step.Cert-Policies.reg=unreadable",
        "step.CBS-Packages.reg=ok",
        "step.systeminfo.txt=empty",
    ] {
        assert!(m.lines().any(|l| l == step), "{step} in:\n{m}");
    }
    let unreadable =
        std::fs::read_to_string(folder.join("unreadable-keys.txt")).expect("unreadable keys");
    let absent = std::fs::read_to_string(folder.join("absent-keys.txt")).expect("absent keys");
    for key in [
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
        r"HKLM\SOFTWARE\Wow6432Node\TrendMicro",
    ] {
        assert!(unreadable.lines().any(|l| l == key), "{key}: {unreadable}");
        assert!(!absent.lines().any(|l| l == key), "{key} not absent");
    }
    assert!(absent.contains(r"HKLM\SOFTWARE\TrendMicro"), "{absent}");

    let (report, warnings) = assess(&out_dir);
    let host = &report["hosts"][0];
    assert_eq!(host["os"]["build"], 17763, "{host}");
    assert_eq!(
        host["agents"],
        serde_json::json!([]),
        "no agent plan: {host}"
    );
    assert_eq!(
        host["verdict"], "not_ready",
        "still from the OS build: {host}"
    );
    assert!(
        !codes(host).contains(&"ACS023".to_string()),
        "nothing said of an agent that could not be read: {host}"
    );
    let (facts, _) = host_facts(&out_dir);
    assert_eq!(facts["agents"], Value::Null, "agents unknown: {facts}");
    assert_eq!(
        facts["root_auto_update_disabled"],
        Value::Null,
        "policy unknown: {facts}"
    );
    assert!(
        warnings.contains("unreadable-keys.txt")
            && warnings.contains(r"HKLM\SOFTWARE\Wow6432Node\TrendMicro")
            && warnings.contains("Administrator"),
        "{warnings}"
    );
    assert!(
        warnings.contains("systeminfo.txt") && warnings.contains("empty"),
        "{warnings}"
    );
}

fn host_facts(share: &Path) -> (Value, String) {
    let out = assert_cmd::Command::cargo_bin("acsready")
        .expect("binary")
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .args(["facts", "--collected"])
        .arg(share)
        .output()
        .expect("acsready runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    let v = serde_json::from_str(first)
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    (v, String::from_utf8_lossy(&out.stderr).into_owned())
}
