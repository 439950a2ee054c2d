//! `POST /api/v1/collected` against hostile zips, on the real server: zip
//! bombs (one huge file, many files, a file lying about its size) are
//! refused early with 413 naming the limit, without the server growing;
//! upload folders left by a killed server are removed at start; files at
//! the zip's top are named by their evidence or refused; no answer shows
//! where the server unpacks.

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::io::{Cursor, Write};
use std::path::Path;
use std::time::Instant;

use harness::{json, token, Server};
use zip::write::SimpleFileOptions;

const ZIP: &str = "application/zip";
const MIB: u64 = 1 << 20;

/// A zip of files of zeros, `(name, MiB)`, deflated. The deflate stream is
/// written once for 2 MiB with a sync flush after each MiB; the second MiB's
/// blocks (byte-aligned, referring only to zeros) are then repeated, so 1 GiB
/// takes a moment and about 1 MB. The CRC is left 0: the server must refuse
/// long before the end, where it would be checked.
fn zeros_zip(files: &[(&str, u64)]) -> Vec<u8> {
    let chunk = vec![0u8; MIB as usize];
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&chunk).expect("deflate");
    enc.flush().expect("sync flush");
    let first = std::mem::take(enc.get_mut());
    enc.write_all(&chunk).expect("deflate");
    enc.flush().expect("sync flush");
    let repeated = std::mem::take(enc.get_mut());
    let last = enc.finish().expect("final block");
    let mut out = Vec::new();
    let mut central = Vec::new();
    let u16le = |v: u16| v.to_le_bytes();
    let u32le = |v: u64| u32::try_from(v).expect("under 4 GiB").to_le_bytes();
    for (name, mib) in files {
        let packed = first.len() as u64 + repeated.len() as u64 * (mib - 1) + last.len() as u64;
        let offset = out.len() as u64;
        // Version 2.0, no flags, deflate, 1980-01-01, CRC 0, sizes, name.
        let common = [
            &u16le(20)[..],
            &u16le(0),
            &u16le(8),
            &u16le(0),
            &u16le(0x21),
            &u32le(0),
            &u32le(packed),
            &u32le(mib * MIB),
            &u16le(name.len() as u16),
            &u16le(0),
        ]
        .concat();
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&first);
        for _ in 1..*mib {
            out.extend_from_slice(&repeated);
        }
        out.extend_from_slice(&last);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&u16le(20));
        central.extend_from_slice(&common);
        // No comment, disk 0, no attributes, where the local header is.
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&u32le(offset));
        central.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u64;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&u16le(files.len() as u16));
    out.extend_from_slice(&u16le(files.len() as u16));
    out.extend_from_slice(&u32le(central.len() as u64));
    out.extend_from_slice(&u32le(at));
    out.extend_from_slice(&u16le(0));
    out
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in files {
        w.start_file(*name, SimpleFileOptions::default())
            .expect("start a file");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish the zip").into_inner()
}

/// The zip's one file declaring `size` bytes in its local and central
/// headers, whatever it holds.
fn declare_size(zip: &mut [u8], size: u32) {
    let central = zip
        .windows(4)
        .rposition(|w| w == b"PK\x01\x02")
        .expect("central header");
    assert_eq!(&zip[..4], b"PK\x03\x04");
    zip[22..26].copy_from_slice(&size.to_le_bytes());
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
}

struct Setup {
    dir: tempfile::TempDir,
    ingest: String,
    read: String,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("fleet.db");
        let ingest = token(&db, "ingest");
        let read = token(&db, "read");
        Setup { dir, ingest, read }
    }

    fn db(&self) -> std::path::PathBuf {
        self.dir.path().join("fleet.db")
    }

    fn uploads(&self) -> std::path::PathBuf {
        self.dir.path().join("fleet.db-uploads")
    }
}

/// Posts a zip; answers the status and the JSON body.
fn upload(server: &Server, token: &str, query: &str, zip: &[u8]) -> (u16, serde_json::Value) {
    let (status, body) = server.post(&format!("/api/v1/collected{query}"), Some(token), ZIP, zip);
    (status, json(&body))
}

/// Asserts a refusal naming `limit`, and no path of the server's.
fn assert_refused(answer: &(u16, serde_json::Value), status: u16, limit: &str, dir: &Path) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(body["limit"], limit, "{body}");
    assert_no_server_path(body, dir);
}

/// Asserts a refusal whose error starts with `start`, and no path of the server's.
fn assert_error(answer: &(u16, serde_json::Value), status: u16, start: &str, dir: &Path) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(error.starts_with(start), "{error}");
    assert_no_server_path(body, dir);
}

fn assert_no_server_path(body: &serde_json::Value, dir: &Path) {
    let text = body.to_string();
    for leak in [
        dir.display().to_string(),
        std::env::temp_dir().display().to_string(),
        acsready_intake::upload::PREFIX.to_string(),
    ] {
        assert!(!text.contains(&leak), "{leak} in {text}");
    }
}

/// An upload announcing `length` bytes and sending two: the connection
/// stays open, the server waiting for the rest.
fn unfinished_upload(server: &Server, token: &str, length: u64) -> std::net::TcpStream {
    let addr = server.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "POST /api/v1/collected HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/zip\r\nContent-Length: {length}\r\n\r\nPK"
    )
    .expect("send the head");
    stream
}

/// The most memory the server process has held (VmHWM), in bytes.
#[cfg(target_os = "linux")]
fn peak_rss(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .expect("/proc/PID/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kib * 1024
}

#[test]
fn a_zip_bomb_is_refused_quickly_without_the_server_growing() {
    let s = Setup::new();
    let server = Server::start(s.db(), &[]);
    let made = Instant::now();
    let bomb = zeros_zip(&[("web01/SOFTWARE", 1024)]);
    eprintln!("1 GiB bomb: {} bytes in {:?}", bomb.len(), made.elapsed());
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    // One file declaring 1 GiB: over the per-file limit, refused from its header.
    let answer = upload(&server, &s.ingest, "", &bomb);
    assert_refused(&answer, 413, "max_file", s.dir.path());
    let error = answer.1["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("upload.zip:web01/SOFTWARE: "), "{error}");
    // The same bomb declaring 1000 bytes: refused once 1000 bytes are out.
    let mut liar = bomb.clone();
    declare_size(&mut liar, 1000);
    let (status, body) = upload(&server, &s.ingest, "", &liar);
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("declare"),
        "{body}"
    );
    assert_no_server_path(&body, s.dir.path());
    // 64 MiB of zeros: within the per-file limit, but 1000 times its size.
    let dense = zeros_zip(&[("web01/SOFTWARE", 64)]);
    let answer = upload(&server, &s.ingest, "", &dense);
    assert_refused(&answer, 413, "max_ratio", s.dir.path());
    #[cfg(target_os = "linux")]
    {
        let peak = peak_rss(&server);
        eprintln!("server peak RSS: {} MiB", peak / MIB);
        assert!(peak < 200 * MIB, "the server held {} MiB", peak / MIB);
    }
    // Nothing was stored, nothing is left unpacked.
    assert_eq!(server.get_json("/api/v1/summary", &s.read)["hosts"], 0);
    let left: Vec<_> = std::fs::read_dir(s.uploads())
        .expect("uploads folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(acsready_intake::upload::PREFIX))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn many_file_bombs_are_refused_by_their_headers() {
    let s = Setup::new();
    // A ratio limit out of the way: the total must hold on its own.
    let server = Server::start(s.db(), &["--max-zip-ratio", "100000"]);
    let names: Vec<String> = (0..20).map(|i| format!("web01/part{i:02}")).collect();
    let files: Vec<(&str, u64)> = names.iter().map(|n| (n.as_str(), 20)).collect();
    let bomb = zeros_zip(&files);
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    let answer = upload(&server, &s.ingest, "", &bomb);
    assert_refused(&answer, 413, "max_unpacked", s.dir.path());
    // More files than a host folder holds.
    let names: Vec<String> = (0..1001).map(|i| format!("web01/f{i}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let answer = upload(&server, &s.ingest, "", &zip_of(&files));
    assert_refused(&answer, 413, "max_entries", s.dir.path());
    // Every file lying about its size: the first stops at its declared size.
    let mut liar = zeros_zip(&[("web01/SOFTWARE", 64)]);
    declare_size(&mut liar, 0);
    let (status, body) = upload(&server, &s.ingest, "", &liar);
    assert_eq!(status, 422, "{body}");
    assert_no_server_path(&body, s.dir.path());
    assert_eq!(server.get_json("/api/v1/summary", &s.read)["hosts"], 0);
}

#[test]
fn upload_folders_left_by_a_killed_server_are_removed_at_start_and_nothing_else() {
    let s = Setup::new();
    let uploads = s.uploads();
    let stale = uploads.join("acsready-upload-Ab12Cd");
    std::fs::create_dir_all(stale.join("unpacked/web01")).expect("stale folder");
    std::fs::write(stale.join("upload.zip"), b"PK").expect("stale zip");
    std::fs::write(stale.join("unpacked/web01/SOFTWARE"), b"regf").expect("stale file");
    let other = uploads.join("kept-by-the-admin");
    std::fs::create_dir(&other).expect("other folder");
    let file = uploads.join("acsready-upload-notes.txt");
    std::fs::write(&file, b"a file, not an upload folder").expect("file");
    let beside = s.dir.path().join("acsready-upload-beside");
    std::fs::create_dir(&beside).expect("folder beside");
    let server = Server::start(s.db(), &[]);
    assert!(!stale.exists(), "the stale upload folder is still there");
    assert!(other.is_dir() && file.is_file() && beside.is_dir());
    // A server killed in the middle of an upload leaves its folder…
    let pending = unfinished_upload(&server, &s.ingest, 1_000_000);
    let ours = |name: &str| name.starts_with(acsready_intake::upload::PREFIX);
    let folders = || -> Vec<String> {
        std::fs::read_dir(&uploads)
            .expect("uploads folder")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| ours(n))
            .collect()
    };
    server.eventually("an upload folder", || !folders().is_empty());
    server.kill();
    drop(pending);
    let left = folders();
    assert_eq!(left.len(), 1, "{left:?}");
    // …which the next start removes.
    let _server = Server::start(s.db(), &[]);
    assert!(folders().is_empty(), "{:?}", folders());
    assert!(other.is_dir() && file.is_file() && beside.is_dir());
}

const REG: &[u8] = b"Windows Registry Editor Version 5.00\r\n\r\n\
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n\
\"CurrentBuild\"=\"17763\"\r\n\"UBR\"=dword:00000887\r\n";

#[test]
fn files_at_the_top_of_a_zip_are_named_by_their_evidence_or_refused() {
    let s = Setup::new();
    let server = Server::start(s.db(), &[]);
    let named = zip_of(&[
        ("software.reg", REG),
        ("facts.json", br#"{"host":"web07"}"#),
    ]);
    let (status, body) = upload(&server, &s.ingest, "", &named);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["host"], "web07");
    let unnamed = zip_of(&[("software.reg", REG)]);
    let answer = upload(&server, &s.ingest, "", &unnamed);
    assert_error(
        &answer,
        422,
        "upload.zip: nothing names the host",
        s.dir.path(),
    );
    assert!(answer.1.to_string().contains("?host="), "{}", answer.1);
    let (status, body) = upload(&server, &s.ingest, "?host=web08", &unnamed);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["host"], "web08");
    let hosts = server.get_json("/api/v1/hosts", &s.read).to_string();
    assert!(
        hosts.contains("web07") && hosts.contains("web08"),
        "{hosts}"
    );
    for never in ["\"upload\"", "\"unpacked\"", "acsready-upload-"] {
        assert!(!hosts.contains(never), "{never} in {hosts}");
    }
}

#[test]
fn answers_name_files_in_the_upload_never_where_the_server_unpacks() {
    let s = Setup::new();
    let server = Server::start(s.db(), &[]);
    let junk = zip_of(&[("web01/notes.bin", b"\x01\x02 not evidence")]);
    let answer = upload(&server, &s.ingest, "", &junk);
    assert_error(&answer, 422, "upload.zip:web01: no evidence", s.dir.path());
    let climbing = zip_of(&[("../../evil.reg", REG)]);
    let answer = upload(&server, &s.ingest, "", &climbing);
    assert_error(&answer, 422, "upload.zip:../../evil.reg: ", s.dir.path());
    let with_empty = zip_of(&[("web01/empty.txt", b""), ("web01/software.reg", REG)]);
    let (status, body) = upload(&server, &s.ingest, "", &with_empty);
    assert_eq!(status, 200, "{body}");
    let warnings = body["warnings"].to_string();
    assert!(
        warnings.contains("upload.zip:web01/empty.txt"),
        "{warnings}"
    );
    assert_no_server_path(&body, s.dir.path());
    let host = server.get_json("/api/v1/hosts/web01", &s.read);
    assert_no_server_path(&host, s.dir.path());
    assert!(
        host.to_string().contains("upload.zip:web01/software.reg"),
        "{host}"
    );
}

/// Uploads beyond the budget are answered 503 with Retry-After while
/// another holds it, and go through once it is released.
#[test]
fn uploads_beyond_the_budget_wait_their_turn() {
    let s = Setup::new();
    let server = Server::start(
        s.db(),
        &[
            "--max-upload",
            "1048576",
            "--max-unpacked",
            "1048576",
            "--upload-budget",
            "2097152",
        ],
    );
    // An upload announcing 1 MiB and sending two bytes holds 1 MiB.
    let pending = unfinished_upload(&server, &s.ingest, MIB);
    // One declaring 1 MiB unpacked does not fit beside it.
    let zip = zeros_zip(&[("web01/SOFTWARE", 1)]);
    let send = || {
        let res = server
            .agent
            .post(format!("{}/api/v1/collected", server.url))
            .header("Authorization", &format!("Bearer {}", s.ingest))
            .content_type(ZIP)
            .send(&zip[..])
            .expect("answer");
        let retry = res
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap_or_default().to_string());
        (res.status().as_u16(), retry)
    };
    server.eventually("a 503 while the budget is held", || {
        let (status, retry) = send();
        assert!(status == 503 || status == 422, "{status}");
        status == 503 && retry.as_deref() == Some("10")
    });
    drop(pending);
    // Released: the upload is read (and refused for its zero CRC, not the budget).
    server.eventually("the budget released", || send().0 == 422);
}
