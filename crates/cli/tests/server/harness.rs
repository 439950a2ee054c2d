//! Starts the real `acsready serve` on a free loopback port with a temporary
//! database, and talks to it over HTTP. With `ACSREADY_TEST_PG` set (a
//! PostgreSQL URL with the right to create databases, its password in
//! `PGPASSWORD`: `scripts/pg-cluster` starts such a server), every test's
//! database is a new PostgreSQL database instead of an SQLite file.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_acsready"))
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `acsready ARGS` run in the repository in the default locale.
#[allow(dead_code)] // not every test file that includes this one uses it
pub fn run_in_repo(args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .current_dir(repo())
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .args(args)
        .output()
        .expect("acsready runs")
}

/// What `acsready ARGS` writes, run in the repository in the default
/// locale; it must exit 0 or 1 (hosts ready or not).
#[allow(dead_code)] // not every test file that includes this one uses it
pub fn report_of(args: &[&str]) -> Vec<u8> {
    let out = run_in_repo(args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "acsready {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The PostgreSQL server the tests run against, if any.
pub fn test_pg() -> Option<String> {
    std::env::var("ACSREADY_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A new, empty database: a PostgreSQL database on [`test_pg`] (its URL),
/// else `dir/fleet.db`.
pub fn new_db(dir: &Path) -> PathBuf {
    let Some(admin) = test_pg() else {
        return dir.join("fleet.db");
    };
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!(
        "acsready_t{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let out = Command::new("psql")
        .arg(&admin)
        .args(["-qc", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "CREATE DATABASE: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    PathBuf::from(format!("{base}/{name}"))
}

/// `acsready token create`: the token printed on stdout.
pub fn token(db: impl AsRef<OsStr>, scope: &str) -> String {
    let out = Command::new(bin())
        .args([
            "token", "create", "--scope", scope, "--name", "test", "--db",
        ])
        .arg(db)
        .output()
        .expect("run token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string();
    assert!(
        token.starts_with("acsr_") && !token.contains('\n'),
        "{token}"
    );
    token
}

/// A temporary database with one token of each scope.
#[allow(dead_code)] // not every test file that includes this one uses it
pub struct Setup {
    pub _dir: tempfile::TempDir,
    pub db: PathBuf,
    pub ingest: String,
    pub read: String,
}

#[allow(dead_code)]
pub fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let ingest = token(&db, "ingest");
    let read = token(&db, "read");
    Setup {
        _dir: dir,
        db,
        ingest,
        read,
    }
}

pub struct Server {
    pub child: Child,
    pub url: String,
    /// Everything the server wrote to standard error.
    pub log: Arc<Mutex<String>>,
    pub agent: ureq::Agent,
    /// The upload folder of a server on PostgreSQL.
    _uploads: Option<tempfile::TempDir>,
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

impl Server {
    /// Starts the server on `db` with extra arguments, and waits for its
    /// "listening on" line.
    pub fn start(db: impl AsRef<OsStr>, extra: &[&str]) -> Server {
        Server::start_at(db, extra, None)
    }

    /// [`Server::start`] with its clock started at `clock` (RFC 3339,
    /// `ACSREADY_CLOCK_START`): a server on another day.
    pub fn start_at(db: impl AsRef<OsStr>, extra: &[&str], clock: Option<&str>) -> Server {
        let db = db.as_ref();
        let mut command = Command::new(bin());
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(extra);
        // Replicas of a test each have their own upload folder, never the
        // user's.
        let uploads = db
            .to_str()
            .is_some_and(|d| d.starts_with("postgres://"))
            .then(|| {
                let dir = tempfile::tempdir().expect("upload folder");
                command.arg("--uploads").arg(dir.path());
                dir
            });
        match clock {
            Some(at) => command.env("ACSREADY_CLOCK_START", at),
            None => command.env_remove("ACSREADY_CLOCK_START"),
        };
        let mut child = command
            .env("ACSREADY_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(addr.to_string());
                    }
                }
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start: {}", log.lock().unwrap());
            }
        };
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Server {
            child,
            url,
            log,
            agent: agent(),
            _uploads: uploads,
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut req = self.agent.get(format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        answer(req.call())
    }

    pub fn get_json(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.get(path, Some(token));
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).expect("JSON")
    }

    pub fn post(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> (u16, String) {
        post(&self.agent, &self.url, path, token, content_type, body)
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Stops the server with SIGKILL (no shutdown at all).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits, bounded, until `check` holds.
    pub fn eventually(&self, what: &str, mut check: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !check() {
            assert!(Instant::now() < deadline, "never happened: {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn post(
    agent: &ureq::Agent,
    url: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> (u16, String) {
    let mut req = agent
        .post(format!("{url}{path}"))
        .content_type(content_type);
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    answer(req.send(body))
}

fn answer(res: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, String) {
    match res {
        Ok(mut r) => {
            let status = r.status().as_u16();
            (status, r.body_mut().read_to_string().unwrap_or_default())
        }
        Err(e) => (0, e.to_string()),
    }
}

/// A host's facts as one NDJSON line.
pub fn facts(host: &str, ubr: u32, collected_at: Option<&str>) -> String {
    let at = collected_at
        .map(|a| format!(r#","collected_at":"{a}""#))
        .unwrap_or_default();
    format!(
        r#"{{"host":"{host}"{at},"os":{{"current_build":"17763.{ubr}","installation_type":"Server"}},"certificates":[{{"sha1":"F40042E2E5F7E8EF8189FED15519AECE42C3BFA2","store":"AuthRoot"}}]}}"#
    )
}

/// (day, ready, hosts) of each day of a `GET /api/v1/trend` answer.
#[allow(dead_code)] // not every test file that includes this one uses it
pub fn ready_by_day(trend: &Value) -> Vec<(String, u64, u64)> {
    trend["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| {
            (
                d["day"].as_str().expect("day").to_string(),
                d["ready"].as_u64().expect("ready"),
                d["hosts"].as_u64().expect("hosts"),
            )
        })
        .collect()
}

pub fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// A server on a new database in a temporary folder (kept while the first
/// value lives), with an ingest and a read token.
#[allow(dead_code)] // not every test file that includes this one uses it
pub fn empty_server() -> (tempfile::TempDir, Server, String, String) {
    empty_server_with(&[])
}

/// [`empty_server`] started with extra arguments.
#[allow(dead_code)]
pub fn empty_server_with(extra: &[&str]) -> (tempfile::TempDir, Server, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = new_db(dir.path());
    let ingest = token(&db, "ingest");
    let read = token(&db, "read");
    let server = Server::start(&db, extra);
    (dir, server, ingest, read)
}

/// [`empty_server`] holding the example fleet (`examples/fleet.ndjson`).
#[allow(dead_code)]
pub fn example_fleet_server() -> (tempfile::TempDir, Server, String, String) {
    let (dir, server, ingest, read) = empty_server();
    let fleet = std::fs::read(repo().join("examples/fleet.ndjson")).expect("example fleet");
    let (status, body) = server.post(
        "/api/v1/facts",
        Some(&ingest),
        "application/x-ndjson",
        &fleet,
    );
    assert_eq!(status, 200, "{body}");
    (dir, server, ingest, read)
}

/// A new PostgreSQL database on [`test_pg`] with an ingest and a read
/// token, or `None` when there is none (the test says it is skipped; with
/// `ACSREADY_PG_TESTS=require`, as `scripts/test` sets, it fails instead).
#[allow(dead_code)]
pub fn pg_database() -> Option<(tempfile::TempDir, PathBuf, String, String)> {
    if test_pg().is_none() {
        assert_ne!(
            std::env::var("ACSREADY_PG_TESTS").as_deref(),
            Ok("require"),
            "ACSREADY_PG_TESTS=require but ACSREADY_TEST_PG is not set (scripts/pg-cluster)"
        );
        eprintln!("skipped: ACSREADY_TEST_PG is not set (scripts/pg-cluster starts a server)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let ingest = token(&db, "ingest");
    let read = token(&db, "read");
    Some((dir, db, ingest, read))
}

/// Runs SQL on a test PostgreSQL database; answers its one value, if any.
#[allow(dead_code)]
pub fn sql(db: &Path, query: &str) -> String {
    let out = Command::new("psql")
        .arg(db)
        .args(["-v", "ON_ERROR_STOP=1", "-tAc", query])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
