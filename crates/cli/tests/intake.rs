//! Reading the inputs as they arrive: empty ones, bad records that name
//! their host, compressed evidence, and text in any language.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const ROOT: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

fn acsready() -> Command {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env_remove("NO_COLOR")
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG");
    c
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("stdout is one JSON document")
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

fn ready_host(name: &str) -> String {
    format!(
        r#"{{"host":"{name}","os":{{"current_build":"20348.2700","installation_type":"Server"}},"certificates":[{{"sha1":"{ROOT}","store":"AuthRoot"}}]}}"#
    )
}

/// A Japanese facts record whose product name puts a three-byte character
/// across byte `at` of the file.
fn japanese_record_across(at: usize) -> String {
    let head = r#"{"host":"ja01","os":{"current_build":"20348.2700","installation_type":"Server","product_name":""#;
    let tail = format!(r#""}},"certificates":[{{"sha1":"{ROOT}","store":"AuthRoot"}}]}}"#);
    let mut name = "x".repeat(at - 1 - head.len());
    name.push_str(&"日本語".repeat(10));
    let text = format!("{head}{name}{tail}");
    assert!(
        !text.is_char_boundary(at),
        "byte {at} is inside a character"
    );
    text
}

#[test]
fn japanese_text_across_the_detection_window_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "ja.json", japanese_record_across(4096));
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&f)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out.stdout);
    assert_eq!(v["hosts"][0]["host"], "ja01");
    // And as one of several inputs (the kind of each is detected).
    let other = write(dir.path(), "other.json", ready_host("web01"));
    acsready()
        .args(["facts", "--format", "json"])
        .arg(&f)
        .arg(&other)
        .assert()
        .code(0);
}

#[test]
fn an_empty_folder_or_empty_standard_input_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("share");
    std::fs::create_dir(&empty).expect("mkdir");
    write(&empty, "notes.txt", "not a facts file");
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&empty)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("no hosts read from {}", empty.display())),
        "{stderr}"
    );
    let v = json_of(&out.stdout);
    assert_eq!(v["summary"]["hosts"], 0);
    assert!(v["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("no hosts read from")));

    let out = acsready()
        .args(["assess", "-"])
        .write_stdin("")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no hosts read from standard input"),
        "{stderr}"
    );

    acsready()
        .args(["assess", "--summary"])
        .arg(&empty)
        .assert()
        .code(2);
    let out = acsready().arg("facts").arg(&empty).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no hosts read from"));
    let out = acsready()
        .args(["preflight", "apex-one"])
        .arg(&empty)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no hosts read from"));
}

#[test]
fn a_saved_report_without_hosts_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&empty)
        .output()
        .expect("run");
    let saved = write(dir.path(), "report.json", &out.stdout);
    acsready()
        .args(["report", "--from"])
        .arg(&saved)
        .assert()
        .code(2);
}

fn bad_and_good_records(dir: &Path) -> PathBuf {
    let text = [
        ready_host("web01"),
        r#"{"host":"web02","os":{"ubr":"x"}}"#.to_string(),
        r#"{"host":"web03","os":"#.to_string(),
    ]
    .join("\n");
    write(dir, "fleet.ndjson", text)
}

#[test]
fn a_bad_record_names_its_host_and_is_counted_as_not_assessed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fleet = bad_and_good_records(dir.path());
    let out = acsready()
        .args(["assess", "--format", "json"])
        .arg(&fleet)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "a bad record keeps exit 2");
    let v = json_of(&out.stdout);
    assert_eq!(v["summary"]["hosts"], 1);
    assert_eq!(v["summary"]["not_assessed"], 2);
    assert_eq!(v["errors"][0]["host"], "web02");
    assert_eq!(
        v["errors"][0]["source"],
        format!("{}:2:32", fleet.display())
    );
    assert_eq!(v["errors"][1]["host"], "web03");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(host web02): os.ubr"), "{stderr}");

    for (lang, line) in [
        ("en", "Not assessed: 2 (records, host folders or inputs"),
        ("ja", "判定できなかった入力: 2 件"),
    ] {
        let out = acsready()
            .args(["--lang", lang, "assess"])
            .arg(&fleet)
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(line), "{lang}: {text}");
    }
    let out = acsready()
        .args(["assess", "--summary", "--format", "csv"])
        .arg(&fleet)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("unsupported,not_assessed\r\n1,1,0,0,0,2"),
        "{text}"
    );
    let out = acsready()
        .args(["assess", "--format", "html"])
        .arg(&fleet)
        .output()
        .expect("run");
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(html.contains("id=\"summary-not_assessed\">2<"));
    let out = acsready()
        .args(["facts", "--format", "json"])
        .arg(&fleet)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(host web03)"));
}

#[test]
fn evidence_that_cannot_be_read_names_its_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(dir.path(), "good.json", ready_host("web01"));
    let out = acsready()
        .args(["assess", "--format", "json", "--host", "WEB07", "--hive"])
        .arg(dir.path().join("SOFTWARE"))
        .arg(&good)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let v = json_of(&out.stdout);
    assert_eq!(v["summary"]["hosts"], 1);
    assert_eq!(v["summary"]["not_assessed"], 1);
    assert_eq!(v["errors"][0]["host"], "WEB07", "{v}");
}

mod compressed {
    use std::io::Write;

    use super::*;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).expect("gzip");
        e.finish().expect("gzip")
    }

    fn xz(bytes: &[u8]) -> Vec<u8> {
        let mut w = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1))
            .expect("xz");
        w.write_all(bytes).expect("xz");
        w.finish().expect("xz")
    }

    fn zip_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in members {
            w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .expect("zip");
            w.write_all(bytes).expect("zip");
        }
        w.finish().expect("zip").into_inner()
    }

    fn sevenz_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut w = sevenz_rust2::ArchiveWriter::new(std::io::Cursor::new(Vec::new())).expect("7z");
        for (name, bytes) in members {
            w.push_archive_entry(
                sevenz_rust2::ArchiveEntry::new_file(name),
                Some(bytes.as_slice()),
            )
            .expect("7z");
        }
        w.finish().expect("7z").into_inner()
    }

    fn hives() -> PathBuf {
        acsready_testkit::shared("testdata/real/hives")
    }

    #[test]
    fn a_compressed_dirty_hive_is_read_with_its_compressed_logs() {
        let hive = hives().join("regipy__SYSTEM_B.xz");
        let out = acsready()
            .args(["assess", "--format", "json", "--hive"])
            .arg(&hive)
            .output()
            .expect("run");
        let v = json_of(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(v["hosts"][0]["host"], "DESKTOP-PM6C56D", "{stderr}");
        assert_eq!(v["hosts"][0]["sources"][0], hive.display().to_string());
        assert!(!stderr.contains("binary data"), "{stderr}");
        assert!(!stderr.contains("no .LOG1/.LOG2 beside it"), "{stderr}");
        assert!(
            !stderr.contains("/tmp") && !stderr.contains("acsready-"),
            "{stderr}"
        );

        let corrupted = hives().join("regipy__corrupted_system_hive.xz");
        let out = acsready()
            .args(["assess", "--format", "json", "--hive"])
            .arg(&corrupted)
            .output()
            .expect("run");
        assert_eq!(json_of(&out.stdout)["hosts"][0]["host"], "GINEVRA");
    }

    #[test]
    fn an_archive_of_a_host_folder_is_read_as_the_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut members = vec![(
            "WEB01/collector.txt".to_string(),
            b"collector_version=1\r\ncomputer=WEB01\r\ncomplete=yes\r\n".to_vec(),
        )];
        for log in ["", ".LOG1", ".LOG2"] {
            let name = format!("regipy__SYSTEM_B{log}.xz");
            let bytes = std::fs::read(hives().join(&name)).expect("hive");
            members.push((format!("WEB01/{name}"), bytes));
        }
        members.push((
            "WEB01/facts.json.gz".into(),
            gz(ready_host("WEB01").as_bytes()),
        ));
        let zip = write(dir.path(), "WEB01.zip", zip_of(&members));
        let out = acsready()
            .args(["assess", "--format", "json"])
            .arg(&zip)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let v = json_of(&out.stdout);
        assert_eq!(v["hosts"][0]["host"], "WEB01");
        assert_eq!(v["hosts"][0]["verdict"], "ready");
        assert_eq!(
            v["hosts"][0]["sources"][0],
            zip.join("WEB01").display().to_string()
        );
        assert!(!stderr.contains("requires recovery"), "{stderr}");

        // A share of host folders in a 7z, given to --collected.
        let share: Vec<(String, Vec<u8>)> = ["WEB02", "DB03"]
            .iter()
            .flat_map(|h| {
                [
                    (
                        format!("share/{h}/collector.txt"),
                        format!("collector_version=1\r\ncomputer={h}\r\ncomplete=yes\r\n")
                            .into_bytes(),
                    ),
                    (format!("share/{h}/facts.json"), ready_host(h).into_bytes()),
                ]
            })
            .collect();
        let sevenz = write(dir.path(), "share.7z", sevenz_of(&share));
        let out = acsready()
            .args(["assess", "--format", "json", "--collected"])
            .arg(&sevenz)
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json_of(&out.stdout);
        assert_eq!(v["summary"]["hosts"], 2);
        assert_eq!(v["hosts"][0]["host"], "DB03");
    }

    #[test]
    fn compressed_facts_files_and_standard_input_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let gz_file = write(
            dir.path(),
            "fleet.ndjson.gz",
            gz(ready_host("web01").as_bytes()),
        );
        let xz_file = write(
            dir.path(),
            "more.json.xz",
            xz(ready_host("web02").as_bytes()),
        );
        let out = acsready()
            .args(["assess", "--format", "json"])
            .arg(&gz_file)
            .arg(&xz_file)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0));
        let v = json_of(&out.stdout);
        assert_eq!(
            v["hosts"][0]["sources"][0],
            format!("{}:1", gz_file.display())
        );
        assert_eq!(v["hosts"][1]["host"], "web02");
        let out = acsready()
            .args(["assess", "--format", "json", "-"])
            .write_stdin(xz(ready_host("web03").as_bytes()))
            .output()
            .expect("run");
        assert_eq!(json_of(&out.stdout)["hosts"][0]["host"], "web03");
        // In a folder, compressed facts files are facts files too.
        let out = acsready()
            .args(["assess", "--format", "json"])
            .arg(dir.path())
            .output()
            .expect("run");
        assert_eq!(json_of(&out.stdout)["summary"]["hosts"], 2);
        // Zipped facts files: a folder of facts files.
        let zip = write(
            dir.path(),
            "facts.zip",
            zip_of(&[("a/one.json".into(), ready_host("web04").into_bytes())]),
        );
        let out = acsready()
            .args(["assess", "--format", "json"])
            .arg(&zip)
            .output()
            .expect("run");
        let v = json_of(&out.stdout);
        assert_eq!(v["hosts"][0]["host"], "web04");
        assert_eq!(
            v["hosts"][0]["sources"][0],
            format!("{}:1", zip.join("a").join("one.json").display())
        );
    }

    #[test]
    fn what_cannot_be_unpacked_is_an_error_naming_the_file_and_format() {
        let dir = tempfile::tempdir().expect("tempdir");
        let rar = write(dir.path(), "WEB01.rar", b"Rar!\x1a\x07\x01\x00rest");
        let out = acsready().arg("assess").arg(&rar).output().expect("run");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("a RAR file, which acsready does not unpack"),
            "{stderr}"
        );
        let mut cut = xz(ready_host("web01").as_bytes());
        cut.truncate(cut.len() - 20);
        let cut = write(dir.path(), "SOFTWARE.xz", &cut);
        let out = acsready()
            .args(["assess", "--hive"])
            .arg(&cut)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("cannot read this xz file"), "{stderr}");
        // Binary data that is no known format: the path once.
        let blob = write(
            dir.path(),
            "blob.bin",
            [0u8, 1, 2, 3, 0xFF, 0xFE, 7, 8].repeat(64),
        );
        let out = acsready()
            .args(["assess", "--hive"])
            .arg(&blob)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let name = blob.display().to_string();
        assert_eq!(
            stderr.lines().next().map(|l| l.matches(&name).count()),
            Some(1),
            "{stderr}"
        );
    }
}
