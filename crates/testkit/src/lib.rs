//! Test data produced by code, shared by the tests of several crates:
//! `.reg` exports as `reg export` writes them, SOFTWARE hives written by
//! hivex (`hivexregedit --merge` into a copy of a real hive), the `Blob` a
//! certificate store holds, and paths to the shared real artifacts.
//!
//! Nothing here is pasted bytes: the only inputs are the real files in
//! `../shared` and what the tests describe.

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod browser;
pub mod disk;
pub mod launcher;
pub mod vhd_child;
pub mod vhdx_child;
pub mod vhdx_log;
pub mod wine;

/// SHA-1 of "Microsoft Identity Verification Root Certificate Authority 2020".
pub const ACS_ROOT_SHA1: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

/// The shared test data folder: `$ACSREADY_SHARED` if set, else `shared`
/// beside the repository folder, else `/work/shared`.
pub fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ACSREADY_SHARED") {
        return PathBuf::from(dir);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if beside.is_dir() {
        return beside;
    }
    PathBuf::from("/work/shared")
}

/// A file under the shared test data folder ([`shared_dir`]).
pub fn shared(rel: &str) -> PathBuf {
    let p = shared_dir().join(rel);
    assert!(
        p.exists(),
        "test data {} is missing: the shared folder is expected beside the repository \
         (or set ACSREADY_SHARED to it)",
        p.display()
    );
    p
}

/// Decompresses the xz-compressed shared file `rel` (see [`shared`]) into
/// `dir` as `name` (real hives are published as `SYSTEM.xz`,
/// `SYSTEM.LOG1.xz`…; readers expect them under their own names, side by
/// side).
pub fn unxz(rel: &str, dir: &Path, name: &str) -> PathBuf {
    let src = shared(rel);
    let compressed = std::fs::read(&src).expect("read the compressed test data");
    let mut out = Vec::new();
    lzma_rs::xz_decompress(&mut compressed.as_slice(), &mut out)
        .unwrap_or_else(|e| panic!("{}: not xz: {e}", src.display()));
    let dest = dir.join(name);
    std::fs::write(&dest, out).expect("write the decompressed test data");
    dest
}

/// A file the test-data scripts made under `target/testdata-cache`
/// (`testdata/fetch.sh`, `testdata/make-acs-like.sh`; `scripts/test` runs
/// both). Fails, naming the script, when it is missing.
pub fn cache(rel: &str, script: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/testdata-cache")
        .join(rel);
    assert!(
        p.exists(),
        "{} is missing: run {script} (scripts/test does)",
        p.display()
    );
    p
}

/// The DER of the ACS root certificate.
pub fn acs_root_der() -> Vec<u8> {
    std::fs::read(shared("facts/MicrosoftIdentityVerificationRootCA2020.cer"))
        .expect("read the ACS root")
}

/// A certificate store `Blob` ([MS-GPEF] 2.2.1.1.1): a friendly-name
/// property, then the certificate as property 0x20.
pub fn cert_blob(der: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    let name: Vec<u8> = "Test\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
    for (id, value) in [(0x0bu32, name.as_slice()), (0x20, der)] {
        b.extend(id.to_le_bytes());
        b.extend(1u32.to_le_bytes());
        b.extend((value.len() as u32).to_le_bytes());
        b.extend(value);
    }
    b
}

/// Text in UTF-16LE with a byte order mark, as `reg export` writes it.
pub fn utf16le_bom(text: &str) -> Vec<u8> {
    [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect()
}

/// Builds `.reg` export text (Windows Registry Editor Version 5.00, CRLF).
#[derive(Debug, Default, Clone)]
pub struct RegText {
    lines: Vec<String>,
    keys: Vec<String>,
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

impl RegText {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a key (a full path such as `HKEY_LOCAL_MACHINE\SOFTWARE\…`).
    pub fn key(mut self, path: &str) -> Self {
        self.lines.push(String::new());
        self.lines.push(format!("[{path}]"));
        self.keys.push(path.to_string());
        self
    }

    pub fn sz(mut self, name: &str, value: &str) -> Self {
        self.lines
            .push(format!("\"{}\"=\"{}\"", quote(name), quote(value)));
        self
    }

    pub fn dword(mut self, name: &str, value: u32) -> Self {
        self.lines
            .push(format!("\"{}\"=dword:{value:08x}", quote(name)));
        self
    }

    pub fn binary(mut self, name: &str, bytes: &[u8]) -> Self {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.lines
            .push(format!("\"{}\"=hex:{}", quote(name), hex.join(",")));
        self
    }

    /// The export text.
    pub fn text(&self) -> String {
        let mut t = String::from("Windows Registry Editor Version 5.00\r\n");
        for l in &self.lines {
            t.push_str(l);
            t.push_str("\r\n");
        }
        t.push_str("\r\n");
        t
    }

    /// Writes these keys into a copy of the real hive `base`; see [`merge_into_hive`].
    pub fn into_hive(&self, base: &Path, prefix: &str, out: &Path) -> PathBuf {
        merge_into_hive(&self.text(), base, prefix, out)
    }
}

/// Writes the keys of `.reg` text into a copy of the real hive `base` with
/// `hivexregedit --merge`, the hive mounted at `prefix`
/// (`HKEY_LOCAL_MACHINE\SOFTWARE`); returns the new hive's path. hivex
/// creates a key only under an existing parent, so the ancestors of every
/// key are merged first.
pub fn merge_into_hive(text: &str, base: &Path, prefix: &str, out: &Path) -> PathBuf {
    std::fs::copy(base, out).expect("copy the base hive");
    let depth = prefix.split('\\').count();
    let mut ancestors: Vec<String> = Vec::new();
    // Keys to delete (`[-…]`) need no ancestors.
    for key in text
        .lines()
        .filter(|l| l.starts_with('[') && !l.starts_with("[-"))
    {
        let parts: Vec<&str> = key.trim_matches(['[', ']']).split('\\').collect();
        for n in depth + 1..parts.len() {
            let a = parts[..n].join("\\");
            if !ancestors.contains(&a) {
                ancestors.push(a);
            }
        }
    }
    let mut parents = RegText::new();
    for a in &ancestors {
        parents = parents.key(a);
    }
    for (i, text) in [parents.text(), text.to_string()].iter().enumerate() {
        let reg = out.with_extension(format!("merge{i}.reg"));
        std::fs::write(&reg, text).expect("write .reg");
        let result = hivexregedit(&["--merge", "--prefix", prefix, path_str(out), path_str(&reg)]);
        let _ = std::fs::remove_file(&reg);
        assert!(
            result.status.success(),
            "hivexregedit --merge: {}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
    out.to_path_buf()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// Runs hivexregedit (Debian: libhivex-bin and libwin-hivex-perl; scripts/test installs them).
pub fn hivexregedit(args: &[&str]) -> std::process::Output {
    Command::new("hivexregedit")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "hivexregedit: {e} (install libhivex-bin and libwin-hivex-perl; scripts/test does)"
            )
        })
}

/// `hivexregedit --export` of a whole hive mounted at `prefix`: the bytes of a `.reg` file.
pub fn export_hive(hive: &Path, prefix: &str) -> Vec<u8> {
    let out = hivexregedit(&["--export", "--prefix", prefix, path_str(hive), "\\"]);
    assert!(
        out.status.success(),
        "hivexregedit --export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Damages a document the way fuzz-like tests want: each edit `(at, byte,
/// kind)` inserts (`kind` 0), removes (1), overwrites (2) a byte at
/// `at % (len + 1)`, or truncates there when `at` is past the end.
pub fn apply_edits(mut doc: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, byte, kind) in edits {
        let at = at % (doc.len() + 1);
        match kind {
            0 => doc.insert(at, byte),
            1 if at < doc.len() => {
                doc.remove(at);
            }
            _ if at < doc.len() => doc[at] = byte,
            _ => doc.truncate(at),
        }
    }
    doc
}

/// A fresh, empty folder under the system temp folder, unique per test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("acsready-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temp folder");
    dir
}

/// A large SOFTWARE registry for benchmarks: `packages` CBS packages, `certs`
/// AuthRoot certificates (the ACS root among them), `apps` Uninstall entries.
pub fn bulk_software(packages: usize, certs: usize, apps: usize) -> RegText {
    const SW: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE";
    let mut r = RegText::new()
        .key(&format!("{SW}\\Microsoft\\Windows NT\\CurrentVersion"))
        .sz("ProductName", "Windows Server 2019 Standard")
        .sz("EditionID", "ServerStandard")
        .sz("InstallationType", "Server")
        .sz("CurrentBuild", "17763")
        .sz("CurrentBuildNumber", "17763")
        .dword("UBR", 5458)
        .sz("ReleaseId", "1809");
    let cbs =
        format!("{SW}\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages");
    r = r.key(&cbs);
    for i in 0..packages {
        let state = [0x70, 0x50, 0x70, 0x80, 0x40][i % 5];
        r = r
            .key(&format!(
                "{cbs}\\Package_for_KB{}~31bf3856ad364e35~amd64~~10.0.1.{i}",
                4_000_000 + i
            ))
            .dword("CurrentState", state)
            .sz("InstallLocation", "\\\\?\\C:\\Windows\\servicing\\Packages");
    }
    let der = acs_root_der();
    let blob = cert_blob(&der);
    let store = format!("{SW}\\Microsoft\\SystemCertificates\\AuthRoot\\Certificates");
    r = r.key(&store);
    for i in 0..certs {
        let name = if i == 0 {
            ACS_ROOT_SHA1.to_string()
        } else {
            format!("{:040X}", i)
        };
        r = r.key(&format!("{store}\\{name}")).binary("Blob", &blob);
    }
    let uninstall = format!("{SW}\\Microsoft\\Windows\\CurrentVersion\\Uninstall");
    r = r.key(&uninstall);
    for i in 0..apps {
        let (name, version) = if i == 0 {
            (
                "Trend Micro Deep Security Agent".to_string(),
                "20.0.0.8438".to_string(),
            )
        } else {
            (format!("Application {i}"), format!("1.0.{i}"))
        };
        r = r
            .key(&format!("{uninstall}\\{{00000000-0000-0000-0000-{i:012}}}"))
            .sz("DisplayName", &name)
            .sz("DisplayVersion", &version)
            .sz("Publisher", "Example");
    }
    r
}

/// The SOFTWARE keys of a Windows host, for tests that need a realistic one.
pub struct Software {
    pub product_name: &'static str,
    pub installation_type: &'static str,
    pub build: u32,
    pub ubr: Option<u32>,
    /// (KB, CBS CurrentState)
    pub packages: Vec<(&'static str, u32)>,
    /// Stores holding the ACS root ("ROOT", "AuthRoot").
    pub root_in: Vec<&'static str>,
    pub disable_root_auto_update: Option<u32>,
    /// (DisplayName, DisplayVersion)
    pub uninstall: Vec<(&'static str, &'static str)>,
    pub no_program_upgrade: Option<u32>,
}

impl Software {
    pub fn reg(&self) -> RegText {
        const SW: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE";
        let mut r = RegText::new()
            .key(&format!("{SW}\\Microsoft\\Windows NT\\CurrentVersion"))
            .sz("ProductName", self.product_name)
            .sz("InstallationType", self.installation_type)
            .sz("CurrentBuild", &self.build.to_string())
            .sz("CurrentBuildNumber", &self.build.to_string());
        if let Some(ubr) = self.ubr {
            r = r.dword("UBR", ubr);
        }
        r = r.key(&format!(
            "{SW}\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages"
        ));
        for (kb, state) in &self.packages {
            r = r
                .key(&format!(
                    "{SW}\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\Package_for_{kb}~31bf3856ad364e35~amd64~~6.3.1.0"
                ))
                .dword("CurrentState", *state);
        }
        for store in ["ROOT", "AuthRoot"] {
            r = r.key(&format!(
                "{SW}\\Microsoft\\SystemCertificates\\{store}\\Certificates"
            ));
            if self.root_in.contains(&store) {
                r = r
                    .key(&format!("{SW}\\Microsoft\\SystemCertificates\\{store}\\Certificates\\{ACS_ROOT_SHA1}"))
                    .binary("Blob", &cert_blob(&acs_root_der()));
            }
        }
        if let Some(v) = self.disable_root_auto_update {
            r = r
                .key(&format!(
                    "{SW}\\Policies\\Microsoft\\SystemCertificates\\AuthRoot"
                ))
                .dword("DisableRootAutoUpdate", v);
        }
        r = r.key(&format!(
            "{SW}\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
        ));
        for (i, (name, version)) in self.uninstall.iter().enumerate() {
            r = r
                .key(&format!("{SW}\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{{00000000-0000-0000-0000-00000000000{i}}}"))
                .sz("DisplayName", name)
                .sz("DisplayVersion", version);
        }
        if let Some(v) = self.no_program_upgrade {
            r = r
                .key(&format!(
                    "{SW}\\Wow6432Node\\TrendMicro\\PC-cillinNTCorp\\CurrentVersion\\Misc."
                ))
                .dword("NoProgramUpgrade", v);
        }
        r
    }
}
