//! The kit's batch files run by a real cmd interpreter: Wine's `cmd.exe`,
//! with the registry of a 64-bit host whose Apex One agent takes program
//! upgrades and whose automatic root update is off. Each script changes
//! what it says, a second run changes nothing, the undo restores the value,
//! and everything is logged. Wine has no certutil: `add-root.cmd` says so
//! and changes nothing. Skipped without Wine unless
//! `ACSREADY_WINE_TESTS=require` (its own prefix under `target/tmp`).

use std::path::{Path, PathBuf};

use acsready_testkit::wine::{Server, Wine};
use acsready_testkit::Software;

const KIT: &str = r"C:\acsready kit\fleet kit";
const MISC: &str = r"HKLM\SOFTWARE\Wow6432Node\TrendMicro\PC-cillinNTCorp\CurrentVersion\Misc.";
const POLICY: &str = r"HKLM\SOFTWARE\Policies\Microsoft\SystemCertificates\AuthRoot";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for e in std::fs::read_dir(from).expect("kit") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Runs a kit script; its exit code and what it printed. Every way out of
/// a script prints a line: a failure with no output at all is Wine's own
/// (seen once on a loaded machine), and is tried once more.
fn run_in(wine: &Wine, folder: &str, script: &str) -> (Option<i32>, String) {
    let once = || {
        let o = wine.run(
            &["cmd", "/c", "call", &format!(r"{folder}\{script}")],
            "reg.exe=b",
        );
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.code(), text)
    };
    match once() {
        (code, text) if code != Some(0) && text.trim().is_empty() => {
            eprintln!("{script}: Wine exited with {code:?} and no output; once more");
            once()
        }
        ran => ran,
    }
}

fn run(wine: &Wine, script: &str) -> (Option<i32>, String) {
    run_in(wine, KIT, script)
}

/// The data of a DWORD value as `reg query` prints it ("0x1"), if any.
fn value(wine: &Wine, key: &str, name: &str) -> Option<String> {
    let o = wine.run(&["reg", "query", key, "/v", name], "reg.exe=b");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.lines().map(str::split_whitespace).find_map(|mut w| {
        (w.next() == Some(name))
            .then(|| w.nth(1).map(str::to_string))
            .flatten()
    })
}

#[test]
fn the_kits_scripts_run_in_wine_cmd_change_what_they_say_and_log_it() {
    let prefix = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wine-prefix-kit");
    let Some(wine) = acsready_testkit::wine::wine(prefix) else {
        return;
    };
    let _server = Server::start(&wine);

    let kit = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fleet-kit");
    let _ = std::fs::remove_dir_all(&kit);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert_cmd::Command::cargo_bin("acsready")
        .expect("binary")
        .args(["--lang", "en", "fix-kit"])
        .arg(repo.join("examples/fleet.ndjson"))
        .arg("--out")
        .arg(&kit)
        .assert()
        .success();
    let there = wine.host_path(KIT);
    let _ = std::fs::remove_dir_all(&there);
    copy_dir(&kit, &there);

    // The host: Apex One in the 32-bit view of 64-bit Windows, delivery on,
    // automatic root update off.
    let reg = Software {
        product_name: "Windows Server 2019 Standard",
        installation_type: "Server",
        build: 17763,
        ubr: Some(2183),
        packages: vec![],
        root_in: vec![],
        disable_root_auto_update: Some(1),
        uninstall: vec![],
        no_program_upgrade: Some(0),
    }
    .reg();
    std::fs::write(there.join("host.reg"), reg.text()).expect("fixture");
    let o = wine.run(&["reg", "import", &format!(r"{KIT}\host.reg")], "reg.exe=b");
    assert!(
        o.status.success(),
        "reg import: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let logs = wine.prefix.join("drive_c/windows/temp");
    for log in [
        "acsready-kit-program-upgrade.log",
        "acsready-kit-root-auto-update.log",
        "acsready-kit-root.log",
        "acsready-kit-update.log",
    ] {
        let _ = std::fs::remove_file(logs.join(log));
    }

    for (script, key, name, want) in [
        (
            r"pin-apex-one\stop-program-upgrade.cmd",
            MISC,
            "NoProgramUpgrade",
            "0x1",
        ),
        (
            r"pin-apex-one\restore-program-upgrade.cmd",
            MISC,
            "NoProgramUpgrade",
            "0x0",
        ),
        (
            r"root-auto-update\enable-root-auto-update.cmd",
            POLICY,
            "DisableRootAutoUpdate",
            "0x0",
        ),
        (
            r"root-auto-update\undo-root-auto-update.cmd",
            POLICY,
            "DisableRootAutoUpdate",
            "0x1",
        ),
    ] {
        let (code, text) = run(&wine, script);
        assert_eq!(code, Some(0), "{script}: {text}");
        assert!(text.contains("changed:"), "{script}: {text}");
        assert_eq!(value(&wine, key, name).as_deref(), Some(want), "{script}");
        // Idempotent: the second run changes nothing.
        let (code, text) = run(&wine, script);
        assert_eq!(code, Some(0), "{script}: {text}");
        assert!(text.contains("nothing to do"), "{script} again: {text}");
    }
    let log = std::fs::read_to_string(logs.join("acsready-kit-program-upgrade.log")).expect("log");
    assert!(
        log.contains("stop-program-upgrade.cmd: start")
            && log.contains("changed:")
            && log.contains("nothing to do"),
        "{log}"
    );
    // Nothing but the agent's key was written: no 32-bit-view key appeared.
    let o = wine.run(&["reg", "query", r"HKLM\SOFTWARE\TrendMicro"], "reg.exe=b");
    assert!(
        !o.status.success(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // Tools Wine lacks or files not downloaded: a clear message, nothing changed.
    let (code, text) = run(&wine, r"root-missing\add-root.cmd");
    if wine
        .prefix
        .join("drive_c/windows/system32/certutil.exe")
        .is_file()
    {
        assert!(code == Some(0) || code == Some(1), "{text}");
    } else {
        assert_eq!(code, Some(2), "{text}");
        assert!(
            text.contains("certutil.exe is not on this Windows"),
            "{text}"
        );
    }
    // Wine 8's `cmd /c call` does not always pass `exit /b 2` on (a
    // three-line script ending so returned 1 there): not 0 is what is checked.
    let (code, text) = run(&wine, r"kb-win81-ws2012r2\install-update.cmd");
    assert_ne!(code, Some(0), "{text}");
    assert!(
        text.contains("no update file") || text.contains("wusa.exe is not on this Windows"),
        "{text}"
    );
}

/// Whether the host's entry `key` holds the genuine root (its DER, whole,
/// in the `Blob` as `reg query` prints it).
fn holds_root(wine: &Wine, key: &str) -> bool {
    let o = wine.run(&["reg", "query", key, "/v", "Blob"], "reg.exe=b");
    let text = String::from_utf8_lossy(&o.stdout).to_ascii_uppercase();
    let der: String = acsready_testkit::acs_root_der()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    o.status.success() && text.contains(&der)
}

fn exists(wine: &Wine, key: &str) -> bool {
    wine.run(&["reg", "query", key], "reg.exe=b")
        .status
        .success()
}

#[test]
fn the_store_entry_scripts_run_in_wine_cmd_and_a_second_run_changes_nothing() {
    let prefix = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wine-prefix-kit-entries");
    let Some(wine) = acsready_testkit::wine::wine(prefix) else {
        return;
    };
    let _server = Server::start(&wine);
    const ENTRIES: &str = r"C:\acsready kit\entries";
    let sha1 = acsready_testkit::ACS_ROOT_SHA1;
    let root = format!(r"HKLM\SOFTWARE\Microsoft\SystemCertificates\ROOT\Certificates\{sha1}");
    let distrust =
        format!(r"HKLM\SOFTWARE\Microsoft\SystemCertificates\Disallowed\Certificates\{sha1}");

    // A host whose ROOT entry holds another certificate (ACS009) and whose
    // Disallowed store holds the root (ACS006), as facts and as registry.
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kit-entries");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("folder");
    let facts = format!(
        r#"{{"host":"ws19-cert-01","os":{{"current_build":"17763.5458","installation_type":"Server"}},"root_auto_update_disabled":false,"certificates":[{{"sha1":"{sha1}","store":"ROOT","der_sha1":"0000000000000000000000000000000000000001"}},{{"sha1":"{sha1}","store":"Disallowed"}}]}}"#
    );
    std::fs::write(work.join("host.json"), facts).expect("facts");
    let kit = work.join("kit");
    assert_cmd::Command::cargo_bin("acsready")
        .expect("binary")
        .args(["--lang", "en", "fix-kit"])
        .arg(work.join("host.json"))
        .arg("--out")
        .arg(&kit)
        .assert()
        .success();
    let there = wine.host_path(ENTRIES);
    let _ = std::fs::remove_dir_all(&there);
    copy_dir(&kit, &there);
    let mut other = acsready_testkit::acs_root_der();
    if let Some(last) = other.last_mut() {
        *last ^= 0xFF;
    }
    let host = acsready_testkit::RegText::new()
        .key(&format!(r"HKEY_LOCAL_MACHINE\SOFTWARE{}", &root[13..]))
        .binary("Blob", &acsready_testkit::cert_blob(&other))
        .key(&format!(r"HKEY_LOCAL_MACHINE\SOFTWARE{}", &distrust[13..]))
        .binary(
            "Blob",
            &acsready_testkit::cert_blob(&acsready_testkit::acs_root_der()),
        );
    std::fs::write(there.join("host.reg"), host.text()).expect("fixture");
    let o = wine.run(
        &["reg", "import", &format!(r"{ENTRIES}\host.reg")],
        "reg.exe=b",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(exists(&wine, &root) && !holds_root(&wine, &root));
    assert!(exists(&wine, &distrust));

    let run = |script: &str| run_in(&wine, ENTRIES, script);
    let twice = |script: &str| {
        let (code, text) = run(script);
        assert_eq!(code, Some(0), "{script}: {text}");
        assert!(text.contains("changed:"), "{script}: {text}");
        let (code, text) = run(script);
        assert_eq!(code, Some(0), "{script} again: {text}");
        assert!(text.contains("nothing to do"), "{script} again: {text}");
    };

    // The damaged ROOT entry is replaced by the genuine root; a second run
    // finds the genuine root (by its DER in the Blob) and keeps it.
    twice(r"root-entry-damaged\repair-entry.cmd");
    assert!(holds_root(&wine, &root), "the genuine root in ROOT");
    // The Disallowed entry goes, and its undo brings it back.
    twice(r"root-distrusted\remove-distrust.cmd");
    assert!(!exists(&wine, &distrust));
    twice(r"root-distrusted\restore-distrust.cmd");
    assert!(exists(&wine, &distrust));
    let log = std::fs::read_to_string(
        wine.prefix
            .join("drive_c/windows/temp/acsready-kit-root-entry.log"),
    )
    .expect("log");
    assert!(
        log.contains("repair-entry.cmd: start") && log.contains("deleting"),
        "{log}"
    );
}
