//! Wine for the tests that run batch files in a real cmd interpreter
//! (the collector, the kit's scripts): the loader, a prefix made once and
//! reused, a wineserver kept running between steps.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Wine's loader: `$ACSREADY_WINE`, `wine64` on PATH, where Debian's
/// wine64 package puts it, or `wine` on PATH.
pub fn find_wine() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ACSREADY_WINE") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = |name: &'static str| std::env::split_paths(&path).map(move |d| d.join(name));
    on_path("wine64")
        .chain([PathBuf::from("/usr/lib/wine/wine64")])
        .chain(on_path("wine"))
        .find(|p| p.is_file())
}

pub struct Wine {
    pub bin: PathBuf,
    pub prefix: PathBuf,
}

/// Keeps the prefix's wineserver running between the steps of the test (a
/// cold start costs a second or more each time) and stops it at the end,
/// also when the test fails.
pub struct Server {
    bin: Option<PathBuf>,
    prefix: PathBuf,
}

impl Server {
    pub fn start(wine: &Wine) -> Server {
        let bin = wine
            .bin
            .parent()
            .map(|d| d.join("wineserver"))
            .filter(|p| p.is_file());
        let server = Server {
            bin,
            prefix: wine.prefix.clone(),
        };
        server.run("-p");
        server
    }

    fn run(&self, arg: &str) {
        if let Some(bin) = &self.bin {
            let _ = Command::new(bin)
                .arg(arg)
                .env("WINEPREFIX", &self.prefix)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.run("-k");
    }
}

impl Wine {
    /// `drive_c` path of a `C:\…` path.
    pub fn host_path(&self, windows: &str) -> PathBuf {
        let rel = windows
            .strip_prefix(r"C:\")
            .expect("a C: path")
            .replace('\\', "/");
        self.prefix.join("drive_c").join(rel)
    }

    /// Runs Wine. Its output goes through files, not pipes: a wineserver
    /// started by this command inherits them and would hold a pipe open.
    /// The files are named after the prefix, beside it: tests running at
    /// once, each with its prefix, never share them.
    pub fn run(&self, args: &[&str], overrides: &str) -> Output {
        let dir = self.prefix.parent().unwrap_or(&self.prefix).to_path_buf();
        let name = self
            .prefix
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "wine".into());
        let (out, err) = (
            dir.join(format!("{name}-stdout.txt")),
            dir.join(format!("{name}-stderr.txt")),
        );
        let file = |p: &Path| std::fs::File::create(p).expect("output file");
        let status = Command::new(&self.bin)
            .args(args)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", format!("mscoree,mshtml=;{overrides}"))
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null())
            .stdout(file(&out))
            .stderr(file(&err))
            .status()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.display()));
        Output {
            status,
            stdout: std::fs::read(&out).unwrap_or_default(),
            stderr: std::fs::read(&err).unwrap_or_default(),
        }
    }
}

/// Wine with a prefix ready for batch files (made by `wineboot` when new), or `None` (after saying so)
/// when Wine is not installed and not required.
pub fn wine(prefix: PathBuf) -> Option<Wine> {
    let Some(bin) = find_wine() else {
        let msg = "Wine is needed to run batch files in a real cmd interpreter \
                   (Debian packages wine64 and wine; scripts/test installs them)";
        if std::env::var("ACSREADY_WINE_TESTS").as_deref() == Ok("require") {
            panic!("{msg}");
        }
        eprintln!("skipped: {msg}");
        return None;
    };
    let wine = Wine { bin, prefix };
    if !wine.prefix.join("system.reg").is_file() {
        let out = wine.run(&["wineboot", "-i"], "");
        // The wineserver writes the registry files when it stops, a few
        // seconds after wineboot.
        for _ in 0..120 {
            if wine.prefix.join("system.reg").is_file() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        assert!(
            wine.prefix.join("system.reg").is_file(),
            "wineboot made no prefix: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Some(wine)
}
