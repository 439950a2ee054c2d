//! `--image`: powered-off machines assessed from their virtual disks.
//! The disks are made here: an NTFS volume (mkntfs, ntfscp) holding a
//! SOFTWARE hive written by hivex, the real dirty SYSTEM hive of the
//! shared data with its .LOG1/.LOG2, and a real Application.evtx; inside
//! MBR and GPT tables, converted with qemu-img; a differencing VHDX whose
//! child changes the UBR; a VHDX whose unapplied log holds the update.
//! Every image gives the facts and verdict of the
//! hives it holds read directly; damaged images give errors naming them,
//! and the other images are still assessed.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use acsready_testkit::disk::{convert, ntfs_volume, raw_disk, skip_image_tests, Table};
use acsready_testkit::vhdx_child::vhdx_child;
use acsready_testkit::vhdx_log::{clear_log_guid, vhdx_with_log, LogPlan};
use acsready_testkit::{shared, temp_dir, unxz, Software};
use assert_cmd::Command;
use serde_json::Value;

const PREFIX: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE";
const CONFIG: &str = r"Windows\System32\config";
const EVTX: &str =
    "testdata/real/evtx/dfirmuseum__APTSimulatorVM_EventLogs_Server2022__Application.evtx";

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .env_remove("NO_COLOR");
    c
}

/// Windows Server 2019 with the ACS root; ready from UBR 2210 on.
fn server_2019(ubr: u32) -> Software {
    Software {
        product_name: "Windows Server 2019 Standard",
        installation_type: "Server",
        build: 17763,
        ubr: Some(ubr),
        packages: vec![],
        root_in: vec!["AuthRoot"],
        disable_root_auto_update: Some(0),
        uninstall: vec![("Trend Micro Deep Security Agent", "20.0.0.6313")],
        no_program_upgrade: None,
    }
}

/// One machine's files: the hives (SYSTEM with its logs) and the log,
/// in a folder of their own (as `--hive` reads them).
struct Machine {
    software: PathBuf,
    system: PathBuf,
    evtx: PathBuf,
    raw: PathBuf,
}

struct Fixture {
    dir: PathBuf,
    /// UBR 2183: not ready.
    old: Machine,
    /// UBR 2210: ready.
    new: Machine,
}

fn machine(dir: &Path, ubr: u32) -> Machine {
    let d = dir.join(format!("ubr{ubr}"));
    std::fs::create_dir_all(&d).unwrap();
    let software = server_2019(ubr).reg().into_hive(
        &shared("testdata/hives/regipy__ntuser_software_partial"),
        PREFIX,
        &d.join("SOFTWARE"),
    );
    let system = unxz("testdata/real/hives/regipy__SYSTEM_B.xz", &d, "SYSTEM");
    let log1 = unxz(
        "testdata/real/hives/regipy__SYSTEM_B.LOG1.xz",
        &d,
        "SYSTEM.LOG1",
    );
    let log2 = unxz(
        "testdata/real/hives/regipy__SYSTEM_B.LOG2.xz",
        &d,
        "SYSTEM.LOG2",
    );
    let evtx = d.join("Application.evtx");
    std::fs::copy(shared(EVTX), &evtx).unwrap();
    let files = [
        (format!(r"{CONFIG}\SOFTWARE"), software.clone()),
        (format!(r"{CONFIG}\SYSTEM"), system.clone()),
        (format!(r"{CONFIG}\SYSTEM.LOG1"), log1),
        (format!(r"{CONFIG}\SYSTEM.LOG2"), log2),
        (
            r"Windows\System32\winevt\Logs\Application.evtx".to_string(),
            evtx.clone(),
        ),
    ];
    let refs: Vec<(&str, &Path)> = files
        .iter()
        .map(|(p, f)| (p.as_str(), f.as_path()))
        .collect();
    let volume = ntfs_volume(&dir.join(format!("volume{ubr}.img")), 48 << 20, &refs);
    let raw = raw_disk(&volume, Table::Mbr, &dir.join(format!("disk{ubr}.raw")));
    Machine {
        software,
        system,
        evtx,
        raw,
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = temp_dir("cli-images");
        let old = machine(&dir, 2183);
        let new = machine(&dir, 2210);
        Fixture { dir, old, new }
    })
}

/// The NDJSON of `facts`, each host without its sources (they name the
/// files read, which differ by design), and the exit code.
fn facts(args: &[&std::ffi::OsStr]) -> (Vec<Value>, i32, String) {
    let out = acsready().arg("facts").args(args).output().expect("run");
    let hosts = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).expect("NDJSON");
            v.as_object_mut().unwrap().remove("sources");
            v
        })
        .collect();
    (
        hosts,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A host as `assess --format json` reports it: name, verdict, finding
/// codes, sources.
type Assessed = (String, String, Vec<String>, Vec<String>);

/// `assess --format json`: each host, the errors, and the exit code.
fn assess(args: &[&std::ffi::OsStr]) -> (Vec<Assessed>, Vec<String>, i32) {
    let out = acsready()
        .args(["assess", "--format", "json"])
        .args(args)
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let hosts = v["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let strings = |a: &Value, key: Option<&str>| -> Vec<String> {
                a.as_array()
                    .map(|a| {
                        a.iter()
                            .map(|x| {
                                key.map_or(x, |k| &x[k])
                                    .as_str()
                                    .unwrap_or_default()
                                    .to_string()
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            (
                h["host"].as_str().unwrap().to_string(),
                h["verdict"].as_str().unwrap().to_string(),
                strings(&h["findings"], Some("code")),
                strings(&h["sources"], None),
            )
        })
        .collect();
    let errors = v["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e.to_string()).collect())
        .unwrap_or_default();
    (hosts, errors, out.status.code().unwrap_or(-1))
}

fn os(s: &Path) -> &std::ffi::OsStr {
    s.as_os_str()
}

fn from_hives(m: &Machine) -> Vec<Value> {
    let (hosts, code, err) = facts(&[
        "--hive".as_ref(),
        os(&m.software),
        "--hive".as_ref(),
        os(&m.system),
        "--evtx".as_ref(),
        os(&m.evtx),
    ]);
    assert_eq!(code, 0, "{err}");
    hosts
}

#[test]
fn every_format_gives_the_facts_and_verdict_of_its_hives() {
    if skip_image_tests() {
        return;
    }
    let f = fixture();
    let want = from_hives(&f.old);
    assert_eq!(want.len(), 1);
    assert_eq!(want[0]["host"], "DESKTOP-PM6C56D");
    assert_eq!(want[0]["os"]["ubr"], 2183);
    assert!(want[0]["events"].as_array().is_some(), "{}", want[0]);

    let gpt = raw_disk(
        &f.dir.join("volume2183.img"),
        Table::Gpt,
        &f.dir.join("gpt.raw"),
    );
    let mut images = vec![f.old.raw.clone(), gpt.clone()];
    for (format, opts, name) in [
        ("vhdx", "subformat=dynamic", "dynamic.vhdx"),
        ("vhdx", "subformat=fixed", "fixed.vhdx"),
        ("vpc", "subformat=dynamic", "dynamic.vhd"),
        ("vpc", "subformat=fixed", "fixed.vhd"),
        ("vmdk", "subformat=monolithicSparse", "sparse.vmdk"),
        ("vmdk", "subformat=streamOptimized", "stream.vmdk"),
        ("qcow2", "compat=1.1", "disk.qcow2"),
    ] {
        images.push(convert(
            &f.old.raw,
            format,
            &["-o", opts],
            &f.dir.join(name),
        ));
    }
    for image in &images {
        let (got, code, err) = facts(&["--image".as_ref(), os(image)]);
        assert_eq!(code, 0, "{}: {err}", image.display());
        assert_eq!(got, want, "{}", image.display());
        // The dirty SYSTEM hive was replayed from the logs in the image.
        assert!(
            !err.contains("the hive is dirty"),
            "{}: {err}",
            image.display()
        );
    }
    // Assessed: the verdict of the hives, the sources naming the image.
    let (direct, _, _) = assess(&[
        "--hive".as_ref(),
        os(&f.old.software),
        "--hive".as_ref(),
        os(&f.old.system),
    ]);
    let (from_image, errors, code) = assess(&["--image".as_ref(), os(&images[2])]);
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(code, 1);
    assert_eq!(from_image[0].1, "not_ready");
    assert_eq!(
        (&from_image[0].0, &from_image[0].1, &from_image[0].2),
        (&direct[0].0, &direct[0].1, &direct[0].2)
    );
    assert_eq!(from_image[0].3, [images[2].display().to_string()]);
    // Each fact names the file in the image it was read from.
    let out = acsready()
        .args(["facts", "--image"])
        .arg(&images[2])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown = format!(r"{}:\Windows\System32\config\SOFTWARE", images[2].display());
    assert!(
        v["sources"]["os.ubr"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&shown),
        "{}",
        v["sources"]
    );
}

/// A differencing VHDX whose child holds the update (UBR 2210): the child
/// is ready where its parent is not, each with the facts of its hives.
#[test]
fn a_differencing_vhdx_reads_its_own_ubr_over_its_parent() {
    if skip_image_tests() {
        return;
    }
    let f = fixture();
    let dir = f.dir.join("hyper-v");
    std::fs::create_dir_all(&dir).unwrap();
    let parent = convert(&f.old.raw, "vhdx", &[], &dir.join("ws2019.vhdx"));
    let child = vhdx_child(
        "ws2019.vhdx",
        &f.old.raw,
        &f.new.raw,
        &dir.join("ws2019_checkpoint.avhdx"),
    );
    let (got, code, err) = facts(&["--image".as_ref(), os(&child)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(got, from_hives(&f.new));
    assert_eq!(got[0]["os"]["ubr"], 2210);
    let (parent_hosts, _, _) = assess(&["--image".as_ref(), os(&parent)]);
    let (child_hosts, _, _) = assess(&["--image".as_ref(), os(&child)]);
    assert_eq!(parent_hosts[0].1, "not_ready");
    assert_eq!(child_hosts[0].1, "ready");
    // The folder (a Hyper-V machine's disks) is the machine once, read
    // from its newest layer: the parent is the child's, not a host.
    let (hosts, errors, code) = assess(&["--image".as_ref(), os(&dir)]);
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(code, 0);
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].1, "ready");
    assert!(
        hosts[0]
            .3
            .iter()
            .any(|s| s.contains("ws2019_checkpoint.avhdx")),
        "{:?}",
        hosts[0].3
    );
}

/// A VHDX left by a machine stopped mid-update: the blocks of the update
/// (UBR 2210) are in the file, the BAT entries pointing to them only in
/// its log. Replayed in memory, it gives the facts of the updated hives
/// and the file is not written; read without its log, the old ones.
#[test]
fn a_vhdx_with_an_unapplied_log_gives_the_facts_after_the_update() {
    if skip_image_tests() {
        return;
    }
    let f = fixture();
    let dir = f.dir.join("log");
    std::fs::create_dir_all(&dir).unwrap();
    let before_update = convert(&f.old.raw, "vhdx", &[], &dir.join("qemu.vhdx"));
    let plan = LogPlan::default();
    let logged = vhdx_with_log(
        &before_update,
        &f.old.raw,
        &f.new.raw,
        &plan,
        &dir.join("web01.vhdx"),
    );
    let bytes = std::fs::read(&logged.path).unwrap();
    let (got, code, err) = facts(&["--image".as_ref(), os(&logged.path)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(got, from_hives(&f.new));
    assert_eq!(got[0]["os"]["ubr"], 2210);
    let (hosts, errors, _) = assess(&["--image".as_ref(), os(&logged.path)]);
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(hosts[0].1, "ready");
    assert!(
        std::fs::read(&logged.path).unwrap() == bytes,
        "the image was written"
    );
    let unreplayed = clear_log_guid(&logged.path, &dir.join("unreplayed.vhdx"));
    let (got, code, err) = facts(&["--image".as_ref(), os(&unreplayed)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(got[0]["os"]["ubr"], 2183);
}

/// Damaged, encrypted and foreign images: each an error naming the image
/// and what is wrong; the good image beside them is still assessed.
#[test]
fn bad_images_are_errors_and_never_stop_the_others() {
    if skip_image_tests() {
        return;
    }
    let f = fixture();
    let dir = f.dir.join("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let good = convert(&f.new.raw, "vhdx", &[], &dir.join("good.vhdx"));
    let raw = std::fs::read(&f.new.raw).unwrap();
    let part = 1 << 20;

    let truncated = dir.join("truncated.vhdx");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();

    // A log whose only entry fails its checksum.
    let one = LogPlan {
        entries: 1,
        stale: false,
        ..LogPlan::default()
    };
    let bad_log = vhdx_with_log(&good, &f.new.raw, &f.old.raw, &one, &dir.join("log.vhdx"))
        .damaged(0, 100, &dir.join("bad-log.vhdx"));

    let unknown = dir.join("notes.img");
    std::fs::write(&unknown, vec![b'x'; 4096]).unwrap();

    // A BitLocker volume: the boot sector says -FVE-FS-.
    let mut locked = raw.clone();
    locked[part + 3..part + 11].copy_from_slice(b"-FVE-FS-");
    let bitlocker = dir.join("bitlocker.raw");
    std::fs::write(&bitlocker, &locked).unwrap();

    // An NTFS volume without Windows on it.
    let empty = ntfs_volume(&dir.join("data.img"), 8 << 20, &[]);
    let no_windows = raw_disk(&empty, Table::Gpt, &dir.join("data.raw"));

    // The MFT record of the root folder with a torn sector: its fixup
    // fails. The MFT starts at the cluster the boot sector names.
    let boot = &raw[part..part + 512];
    let cluster = u16::from_le_bytes([boot[11], boot[12]]) as usize * boot[13] as usize;
    let mft = u64::from_le_bytes(boot[48..56].try_into().unwrap()) as usize * cluster;
    let root = part + mft + 5 * 1024;
    let mut torn = raw.clone();
    assert_eq!(&torn[root..root + 4], b"FILE");
    torn[root + 510] ^= 0xFF;
    let fixups = dir.join("fixups.raw");
    std::fs::write(&fixups, &torn).unwrap();

    let mut args: Vec<&std::ffi::OsStr> = Vec::new();
    for image in [
        &truncated,
        &bad_log,
        &unknown,
        &good,
        &bitlocker,
        &no_windows,
        &fixups,
    ] {
        args.push("--image".as_ref());
        args.push(os(image));
    }
    let (hosts, errors, code) = assess(&args);
    assert_eq!(code, 2);
    assert_eq!(hosts.len(), 1, "{hosts:?}");
    assert_eq!(hosts[0].1, "ready");
    let errors = errors.join("\n");
    for (image, says) in [
        (&truncated, "truncated VHDX image"),
        (&bad_log, "holds no valid sequence of entries"),
        (&unknown, "not a disk image acsready reads"),
        (
            &bitlocker,
            "BitLocker-encrypted volume: it cannot be read without its recovery key",
        ),
        (&no_windows, "no Windows volume found"),
        (&fixups, "fails its fixups"),
    ] {
        let line = errors
            .lines()
            .find(|l| l.contains(&*image.display().to_string()))
            .unwrap_or_else(|| panic!("no error for {}: {errors}", image.display()));
        assert!(line.contains(says), "{line}");
    }
}

/// `preflight --server-image`: the management server's hives and install
/// folder read out of its disk give the checks of the same hives and a
/// copy of the folder.
#[test]
fn a_server_image_gives_the_checks_of_its_hives_and_folder() {
    if skip_image_tests() {
        return;
    }
    let dir = temp_dir("cli-images-server");
    let software = Software {
        uninstall: vec![("Trend Micro OfficeScan Server", "14.0.0.8400")],
        ..server_2019(2210)
    }
    .reg()
    .into_hive(
        &shared("testdata/hives/regipy__ntuser_software_partial"),
        PREFIX,
        &dir.join("SOFTWARE"),
    );
    const SYS: &str = "HKEY_LOCAL_MACHINE\\SYSTEM";
    let services = format!("{SYS}\\ControlSet002\\Services");
    let system = acsready_testkit::RegText::new()
        .key(&format!("{SYS}\\Select"))
        .dword("Current", 2)
        .key(&format!("{SYS}\\ControlSet002"))
        .key(&services)
        .key(&format!("{services}\\tmlisten"))
        .sz("DisplayName", "Apex One NT Listener")
        .dword("Start", 2)
        .key(&format!(
            "{SYS}\\ControlSet002\\Control\\ComputerName\\ComputerName"
        ))
        .sz("ComputerName", "OSCE01")
        .into_hive(
            &shared("testdata/hives/regipy__SYSTEM_WIN_10_1709"),
            SYS,
            &dir.join("SYSTEM"),
        );
    // The install folder: iVP but no iAC, and the certificate backup.
    let copy = dir.join("OfficeScan");
    let root = r"Program Files (x86)\Trend Micro\OfficeScan";
    let mut files = vec![
        (format!(r"{CONFIG}\SOFTWARE"), software.clone()),
        (format!(r"{CONFIG}\SYSTEM"), system.clone()),
    ];
    for rel in [
        r"Apex One\iServiceSrv\iVP\ivp.ini",
        r"AuthCertBackup\OfficeScanAuth.dat",
    ] {
        let local = copy.join(rel.replace('\\', "/"));
        std::fs::create_dir_all(local.parent().unwrap()).unwrap();
        std::fs::write(&local, b"x").unwrap();
        files.push((format!(r"{root}\{rel}"), local));
    }
    let refs: Vec<(&str, &Path)> = files
        .iter()
        .map(|(p, f)| (p.as_str(), f.as_path()))
        .collect();
    let volume = ntfs_volume(&dir.join("server.img"), 48 << 20, &refs);
    let image = convert(
        &raw_disk(&volume, Table::Gpt, &dir.join("server.raw")),
        "vhdx",
        &[],
        &dir.join("osce01.vhdx"),
    );
    let preflight = |args: &[&std::ffi::OsStr]| -> (Value, i32, String) {
        let out = acsready()
            .args(["preflight", "apex-one", "--phase", "after", "-f", "json"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        (v, out.status.code().unwrap_or(-1), stderr)
    };
    let codes = |v: &Value| -> Vec<String> {
        let mut c: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        c.sort();
        c
    };
    let (direct, direct_code, err) = preflight(&[
        "--server-hive".as_ref(),
        os(&software),
        "--server-hive".as_ref(),
        os(&system),
        "--server-dir".as_ref(),
        os(&copy),
    ]);
    assert_eq!(direct_code, 0, "{err}");
    let (from_image, code, err) = preflight(&["--server-image".as_ref(), os(&image)]);
    assert_eq!(code, direct_code, "{err}");
    assert_eq!(from_image["server"]["host"], "OSCE01");
    assert_eq!(codes(&from_image), codes(&direct));
    // iAC is missing from the folder in the image (and only iAC).
    let missing: Vec<&Value> = from_image["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "ACS215")
        .collect();
    assert_eq!(missing.len(), 1, "{}", from_image["findings"]);
    assert!(missing[0]["title"]
        .as_str()
        .unwrap()
        .contains(r"iServiceSrv\iAC"));
    let _ = std::fs::remove_dir_all(&dir);
}
