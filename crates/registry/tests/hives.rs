//! Real hives from the shared test data (see shared/testdata/MANIFEST.md),
//! read directly and through `.reg` exports made from them by hivexregedit.

use std::path::{Path, PathBuf};
use std::process::Command;

use acsready_registry::{Data, Hive, Recovery, RegFiles, RegistryError, RegistryView};

fn hive_path(name: &str) -> PathBuf {
    acsready_testkit::shared(&format!("testdata/hives/{name}"))
}

fn open(name: &str) -> Hive {
    let path = hive_path(name);
    Hive::open(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const SOFTWARE_PARTIAL: &str = "regipy__ntuser_software_partial";
const SYSTEM: &str = "regipy__SYSTEM_WIN_10_1709";
const NTUSER: &str = "regipy__NTUSER.DAT";
const SAM: &str = "dfwinreg__SAM";

#[test]
fn software_partial_certificates() {
    let hive = open(SOFTWARE_PARTIAL);
    assert_eq!(hive.root_name(), "Software");
    assert!(hive.notes().is_empty(), "{:?}", hive.notes());
    assert!(
        hive.origin()
            .ends_with("regipy__ntuser_software_partial (hive)"),
        "{}",
        hive.origin()
    );

    let certs = "Microsoft\\SystemCertificates";
    assert_eq!(
        hive.subkeys(&format!("{certs}\\ROOT\\Certificates")),
        Some(strings(&["28CA236A328D9C5240AB1712A1392DAA8B4DD7A0"]))
    );
    let blob = hive.value(
        &format!("{certs}\\ROOT\\Certificates\\28CA236A328D9C5240AB1712A1392DAA8B4DD7A0"),
        "Blob",
    );
    match blob {
        // A certificate property list: first property id 4 (MD5 hash), 16 bytes.
        Some(Data::Binary(bytes)) => {
            assert!(bytes.len() > 100, "{}", bytes.len());
            assert_eq!(&bytes[..12], &[4, 0, 0, 0, 1, 0, 0, 0, 16, 0, 0, 0]);
        }
        other => panic!("Blob: {other:?}"),
    }
    assert_eq!(
        hive.subkeys(&format!("{certs}\\CA\\Certificates")),
        Some(strings(&[
            "1392E4C7FF25B9517E931077BBE2664DC87EF70D",
            "28CA236A328D9C5240AB1712A1392DAA8B4DD7A0",
            "33E4E80807204C2B6182A3A14B591ACD25B5F0DB",
            "83DA05A9886F7658BE73ACF0A4930C0F99B92F01",
            "8BFE3107712B3C886B1C96AAEC89984914DC9B6B",
            "EAB040689A0D805B5D6FD654FC168CFF00B78BE3",
            "F5AD0BCC1AD56CD150725B1C866C30AD92EF21B0",
        ]))
    );
    assert_eq!(
        hive.subkeys(&format!("{certs}\\AuthRoot\\Certificates")),
        Some(vec![])
    );
    assert_eq!(
        hive.subkeys(&format!("{certs}\\Disallowed\\Certificates")),
        Some(vec![])
    );
    // The key is spelled "Root" in this hive: names compare case-insensitively.
    assert!(hive
        .subkeys("microsoft\\SYSTEMCERTIFICATES\\root\\")
        .is_some());
    assert_eq!(
        hive.subkeys(&format!("{certs}\\Root\\Certificates\\nope")),
        None
    );
    assert_eq!(hive.values(&format!("{certs}\\nope")), None);

    // Looks like SOFTWARE, but CurrentVersion has none of the build values.
    let cv = "Microsoft\\Windows NT\\CurrentVersion";
    assert_eq!(hive.values(cv), Some(vec![]));
    assert_eq!(hive.value(cv, "CurrentBuild"), None);
    assert_eq!(hive.subkeys("").map(|k| k.len()), Some(29));
}

#[test]
fn top_level_keys_of_every_hive() {
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            SYSTEM,
            "ROOT",
            &[
                "ActivationBroker",
                "ControlSet001",
                "DriverDatabase",
                "HardwareConfig",
                "Input",
                "Keyboard Layout",
                "Maps",
                "MountedDevices",
                "ResourceManager",
                "ResourcePolicyStore",
                "RNG",
                "Select",
                "Setup",
                "Software",
                "State",
                "WaaS",
                "WPA",
            ],
        ),
        (
            NTUSER,
            "CMI-CreateHive{6A1C4018-979D-4291-A7DC-7AED1C75B67C}",
            &[
                "AppEvents",
                "Console",
                "Control Panel",
                "Environment",
                "EUDC",
                "Identities",
                "Keyboard Layout",
                "Network",
                "Printers",
                "Software",
                "System",
            ],
        ),
        (
            SAM,
            "CsiTool-CreateHive-{00000000-0000-0000-0000-000000000000}",
            &["SAM"],
        ),
        (
            SOFTWARE_PARTIAL,
            "Software",
            &[
                "7-Zip",
                "AccessData",
                "Akeo Consulting",
                "AppDataLow",
                "Dassault Systemes",
                "eDrawings",
                "Google",
                "JavaSoft",
                "JetBrains",
                "Jordan Russell",
                "Local AppWizard-Generated Applications",
                "Micro Estimating",
                "Microsoft",
                "nasm",
                "Partition Assistant",
                "Policies",
                "Python",
                "RandomASCII",
                "RegisteredApplications",
                "SolidWorks",
                "srac",
                "SyncEngines",
                "Sysinternals",
                "TekSoft",
                "ThinPrint",
                "VMware, Inc.",
                "WinRAR",
                "WinRAR SFX",
                "Wow6432Node",
            ],
        ),
    ];
    for (name, root, top) in cases {
        let hive = open(name);
        assert_eq!(hive.root_name(), root, "{name}");
        assert_eq!(hive.subkeys(""), Some(strings(top)), "{name}");
        assert_eq!(hive.subkeys("\\"), Some(strings(top)), "{name}");
    }
}

#[test]
fn system_hive_keys_and_values() {
    let hive = open(SYSTEM);
    assert_eq!(hive.value("Select", "Current"), Some(Data::Dword(1)));
    assert_eq!(hive.value("select", "failed"), Some(Data::Dword(0)));
    let services = hive.subkeys("ControlSet001\\Services").unwrap_or_default();
    assert!(services.len() > 400, "{}", services.len());
    assert!(services.iter().any(|s| s == "Tcpip"), "{services:?}");
    assert!(hive.values("ControlSet001\\Services\\Tcpip").is_some());
    // This copy was taken from a running system: its sequence numbers
    // differ and no logs came with it.
    assert!(
        hive.origin().contains("dirty and no .LOG1/.LOG2"),
        "{}",
        hive.origin()
    );
    assert_eq!(hive.recovery(), &Recovery::DirtyWithoutLogs);
    let (primary, secondary) = hive.sequence_numbers();
    assert_ne!(primary, secondary);
    // The recovery state replaces notatin's own "requires recovery" note.
    assert!(
        !hive
            .notes()
            .iter()
            .any(|n| n.contains("sequence numbers do not match")),
        "{:?}",
        hive.notes()
    );
}

#[test]
fn not_a_hive_is_a_clear_error() {
    let path = hive_path("velociraptor__root_store_reg.bin");
    let err = Hive::open(&path).err();
    let message = err.as_ref().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        matches!(err, Some(RegistryError::NotAHive { .. })),
        "{err:?}"
    );
    assert!(
        message.contains(
            "velociraptor__root_store_reg.bin: not a usable registry hive: no \"regf\" signature"
        ),
        "{message}"
    );

    let missing = Hive::open(Path::new("no/such/SYSTEM")).err();
    assert!(
        matches!(missing, Some(RegistryError::Io { .. })),
        "{missing:?}"
    );
}

#[test]
fn hive_from_bytes_reads_the_same() -> std::io::Result<()> {
    let bytes = std::fs::read(hive_path(SAM))?;
    let hive = Hive::from_bytes(bytes, "host7/SAM").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(hive.origin(), "host7/SAM (hive)");
    assert_eq!(
        hive.subkeys("SAM\\Domains"),
        open(SAM).subkeys("SAM\\Domains")
    );
    let err = Hive::from_bytes(b"regf".to_vec(), "host7/bad")
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("host7/bad: not a usable registry hive: truncated: 4 bytes, a hive has at least 4128 (base block and one hive bin)")
    );
    Ok(())
}

#[test]
fn truncated_hive_is_a_clear_error() -> std::io::Result<()> {
    let bytes = std::fs::read(hive_path(SAM))?;
    let dir = tempfile::tempdir()?;
    // The base block says how many bytes of hive bins follow it.
    let bins = u32::from_le_bytes([bytes[40], bytes[41], bytes[42], bytes[43]]) as usize;
    assert_eq!(bins, 28_672);
    for len in [0, 100, 4096, 4200, 8192, 4096 + bins / 2, 4096 + bins - 1] {
        let path = dir.path().join(format!("SAM-{len}"));
        std::fs::write(&path, &bytes[..len])?;
        let message = Hive::open(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("not a usable registry hive"),
            "{len}: {message}"
        );
        if len >= 4 {
            assert!(message.contains("truncated"), "{len}: {message}");
        }
    }
    // Bytes after the last hive bin are harmless.
    let path = dir.path().join("SAM-padded");
    std::fs::write(&path, [bytes.as_slice(), &[0; 4096]].concat())?;
    let padded = Hive::open(&path)
        .map(|h| h.subkeys(""))
        .map_err(|e| e.to_string());
    assert_eq!(padded, Ok(Some(strings(&["SAM"]))));
    Ok(())
}

#[test]
fn damaged_hive_does_not_panic() -> std::io::Result<()> {
    // Overwrite stretches of the hive bins with junk: opening or reading
    // may fail, but must not panic.
    let bytes = std::fs::read(hive_path(SAM))?;
    let dir = tempfile::tempdir()?;
    for (i, start) in (4096..bytes.len()).step_by(7919).enumerate() {
        let mut damaged = bytes.clone();
        for (j, b) in damaged.iter_mut().skip(start).take(512).enumerate() {
            *b = (j as u8).wrapping_mul(37).wrapping_add(i as u8);
        }
        let path = dir.path().join(format!("SAM-{i}"));
        std::fs::write(&path, &damaged)?;
        if let Ok(hive) = Hive::open(&path) {
            walk(&hive, "", &mut 0);
        }
    }
    Ok(())
}

fn walk(view: &dyn RegistryView, path: &str, count: &mut usize) {
    *count += 1;
    let _ = view.values(path);
    for key in view.subkeys(path).unwrap_or_default() {
        walk(view, &format!("{path}\\{key}"), count);
    }
}

#[test]
fn logs_beside_the_hive_are_used_or_reported() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    // A clean hive: logs are not needed, even unreadable ones.
    let sam = dir.path().join("SAM");
    std::fs::copy(hive_path(SAM), &sam)?;
    std::fs::write(dir.path().join("sam.log1"), b"not a log")?;
    let hive = Hive::open(&sam).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        hive.origin()
            .ends_with("SAM (hive, clean, 1 log not needed)"),
        "{}",
        hive.origin()
    );
    assert_eq!(hive.subkeys(""), Some(strings(&["SAM"])));

    // A dirty hive whose logs cannot be used is still read, and says so.
    let system = dir.path().join("SYSTEM");
    std::fs::copy(hive_path(SYSTEM), &system)?;
    std::fs::write(dir.path().join("SYSTEM.LOG1"), b"junk")?;
    std::fs::write(dir.path().join("System.Log2"), [0u8; 4096])?;
    let hive = Hive::open(&system).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        hive.origin().ends_with(
            "SYSTEM (hive, dirty, 2 logs not replayed: its latest changes may be missing)"
        ),
        "{}",
        hive.origin()
    );
    assert_eq!(hive.recovery(), &Recovery::NotReplayed { logs: 2 });
    assert!(hive.recovery().incomplete());
    assert!(
        hive.notes()
            .iter()
            .filter(|n| n.starts_with("Skipping log file"))
            .count()
            == 2,
        "{:?}",
        hive.notes()
    );
    assert_eq!(hive.value("Select", "Current"), Some(Data::Dword(1)));
    Ok(())
}

// ---- parity with .reg exports -------------------------------------------

/// Exports the whole hive with hivexregedit, under `prefix`.
fn export(hive: &Path, prefix: &str, out: &Path) {
    let output = Command::new("hivexregedit")
        .arg("--export")
        .arg("--prefix")
        .arg(prefix)
        .arg(hive)
        .arg("\\")
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) => panic!(
            "cannot run hivexregedit ({e}): install libhivex-bin (on Debian hivexregedit itself \
             is in libwin-hivex-perl: apt-get install -y libhivex-bin libwin-hivex-perl)"
        ),
    };
    assert!(
        output.status.success(),
        "hivexregedit failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::write(out, &output.stdout).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

/// How the export is handed to [`RegFiles`].
#[derive(Debug, Clone, Copy)]
enum Encoding {
    /// As hivexregedit wrote it: UTF-8, except that names stored in the
    /// hive as Latin-1 come out as raw Latin-1 bytes (read as ANSI).
    AsWritten,
    /// Clean UTF-8 with a BOM, LF line ends.
    Utf8,
    /// As Windows writes it: UTF-16LE with BOM, CRLF line ends.
    Utf16,
}

/// The text of hivexregedit's output: each line UTF-8 if it is valid
/// UTF-8, else Latin-1 (perl printed characters below 256 as bytes).
fn export_text(bytes: &[u8]) -> String {
    bytes
        .split(|&b| b == b'\n')
        .map(|line| match std::str::from_utf8(line) {
            Ok(text) => text.to_string(),
            Err(_) => line.iter().map(|&b| char::from(b)).collect(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn reencode(from: &Path, to: &Path, encoding: Encoding) {
    let raw = std::fs::read(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    let bytes = match encoding {
        Encoding::AsWritten => raw,
        Encoding::Utf8 => [b"\xef\xbb\xbf".as_slice(), export_text(&raw).as_bytes()].concat(),
        Encoding::Utf16 => {
            let mut bytes = vec![0xff, 0xfe];
            bytes.extend(
                export_text(&raw)
                    .replace('\n', "\r\n")
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            );
            bytes
        }
    };
    std::fs::write(to, bytes).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
}

/// Compares both views key by key below `path`; returns the keys and
/// values compared.
fn assert_same_tree(hive: &dyn RegistryView, reg: &dyn RegistryView, path: &str) -> (usize, usize) {
    let keys = hive.subkeys(path);
    assert_eq!(keys, reg.subkeys(path), "subkeys of {path:?}");
    let values = hive.values(path);
    assert_eq!(values, reg.values(path), "values of {path:?}");
    let mut counts = (1, values.map_or(0, |v| v.len()));
    for key in keys.unwrap_or_default() {
        let (k, v) = assert_same_tree(hive, reg, &format!("{path}\\{key}"));
        counts.0 += k;
        counts.1 += v;
    }
    counts
}

fn parity(name: &str, prefix: &str, encoding: Encoding) -> (usize, usize) {
    let hive_file = hive_path(name);
    let hive = Hive::open(&hive_file).unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let exported = dir.path().join("export.reg");
    export(&hive_file, prefix, &exported);
    let file = dir.path().join(format!("{encoding:?}.reg"));
    reencode(&exported, &file, encoding);
    let mut files = RegFiles::new();
    files.add_file(&file).unwrap_or_else(|e| panic!("{e}"));
    assert!(files.warnings().is_empty(), "{:?}", files.warnings());
    let view = files.view(prefix);
    assert_same_tree(&hive, &view, "")
}

#[test]
fn software_partial_reg_export_matches_the_hive() {
    for encoding in [Encoding::AsWritten, Encoding::Utf8, Encoding::Utf16] {
        let counts = parity(SOFTWARE_PARTIAL, "HKEY_CURRENT_USER\\Software", encoding);
        assert_eq!(counts, (6396, 19_990), "{encoding:?}");
    }
}

#[test]
fn ntuser_and_sam_reg_exports_match_the_hives() {
    for encoding in [Encoding::Utf8, Encoding::Utf16] {
        assert_eq!(parity(NTUSER, "HKEY_USERS\\S-1-5-21-1", encoding).0, 1812);
        assert_eq!(parity(SAM, "HKEY_LOCAL_MACHINE\\SAM", encoding).0, 76);
    }
}

#[test]
fn system_reg_export_matches_the_hive() {
    assert_eq!(
        parity(SYSTEM, "HKLM\\SYSTEM", Encoding::Utf8),
        (43_211, 90_307)
    );
}

#[test]
fn a_later_reg_file_deletes_from_an_export() {
    let hive_file = hive_path(SOFTWARE_PARTIAL);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let export_file = dir.path().join("software.reg");
    export(&hive_file, "HKEY_CURRENT_USER\\Software", &export_file);
    let mut files = RegFiles::new();
    files
        .add_file(&export_file)
        .unwrap_or_else(|e| panic!("{e}"));
    let fix = "Windows Registry Editor Version 5.00\r\n\r\n\
        [-HKEY_CURRENT_USER\\Software\\Microsoft\\SystemCertificates\\CA]\r\n\r\n\
        [HKEY_CURRENT_USER\\Software\\7-Zip]\r\n\"Path\"=-\r\n";
    files
        .add_text(fix, "fix.reg")
        .unwrap_or_else(|e| panic!("{e}"));
    let view = files.view("HKCU\\Software");
    let hive = open(SOFTWARE_PARTIAL);
    assert!(hive.subkeys("Microsoft\\SystemCertificates\\CA").is_some());
    assert_eq!(view.subkeys("Microsoft\\SystemCertificates\\CA"), None);
    assert!(hive.value("7-Zip", "Path").is_some());
    assert_eq!(view.value("7-Zip", "Path"), None);
    assert_eq!(view.value("7-Zip", "Path64"), hive.value("7-Zip", "Path64"));
    assert_eq!(
        view.subkeys("Microsoft\\SystemCertificates\\Root\\Certificates"),
        Some(strings(&["28CA236A328D9C5240AB1712A1392DAA8B4DD7A0"]))
    );
}
