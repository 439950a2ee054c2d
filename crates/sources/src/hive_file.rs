//! Opening an offline hive, the one way every path does it (`--hive`,
//! `--server-hive`, host folders, server uploads): transaction logs beside
//! the hive are replayed ([`Hive::open`]), the hive is told apart as
//! SOFTWARE or SYSTEM by content, and what could not be recovered becomes a
//! warning that names the file and says what to do.
//!
//! A dirty hive whose logs are missing or unusable is still read — most of
//! it is right — but the warning says its latest changes may be missing, so
//! that no fact read from it passes for certain.

use std::path::Path;

use acsready_registry::{Hive, Recovery, RegistryError, RegistryView};

use crate::Note;

/// What a hive is, by its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HiveKind {
    /// `HKLM\SOFTWARE`: Windows version, updates, certificates, products.
    Software,
    /// `HKLM\SYSTEM`: computer name, services.
    System,
    /// Neither (NTUSER.DAT, SAM, a damaged root…).
    Other,
}

/// An opened hive, what it is, and how it is shown in messages.
#[derive(Debug)]
pub struct OpenedHive {
    pub hive: Hive,
    pub kind: HiveKind,
    shown: String,
}

/// Opens the hive at `path` (replaying its `.LOG1`/`.LOG2`); `shown`
/// names it in messages.
pub fn open_hive(path: &Path, shown: &str) -> Result<OpenedHive, RegistryError> {
    Ok(opened(Hive::open(path)?, shown))
}

/// Opens a hive already in memory with its transaction logs' contents (a
/// hive read out of a disk image), as [`open_hive`] does a file.
pub fn open_hive_bytes(
    bytes: Vec<u8>,
    logs: Vec<Vec<u8>>,
    shown: &str,
) -> Result<OpenedHive, RegistryError> {
    Ok(opened(
        Hive::from_bytes_with_logs(bytes, logs, shown)?,
        shown,
    ))
}

fn opened(hive: Hive, shown: &str) -> OpenedHive {
    let kind = if is_software(&hive) {
        HiveKind::Software
    } else if is_system(&hive) {
        HiveKind::System
    } else {
        HiveKind::Other
    };
    OpenedHive {
        hive,
        kind,
        shown: shown.to_string(),
    }
}

/// The computer name in a SYSTEM hive.
pub(crate) fn computer_name(hive: &Hive) -> Option<String> {
    let current = match hive.value("Select", "Current")? {
        acsready_registry::Data::Dword(n) => n,
        _ => return None,
    };
    let key = format!(r"ControlSet{current:03}\Control\ComputerName\ComputerName");
    hive.value(&key, "ComputerName")?
        .as_str()
        .map(str::to_string)
}

/// Whether a hive is a SOFTWARE hive (has the keys acsready reads).
fn is_software(hive: &Hive) -> bool {
    hive.subkeys(r"Microsoft\Windows NT\CurrentVersion")
        .is_some()
        || hive.subkeys(r"Microsoft\SystemCertificates").is_some()
}

fn is_system(hive: &Hive) -> bool {
    hive.values("Select").is_some()
        && hive
            .subkeys("")
            .is_some_and(|keys| keys.iter().any(|k| k.starts_with("ControlSet")))
}

impl OpenedHive {
    /// The name in messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Everything the reader could not do, each naming the file: first
    /// whether the hive's latest changes are missing (and what to copy),
    /// then the hive reader's notes. Call it after reading the facts, so
    /// that damaged keys met while reading are included.
    pub fn warnings(&self) -> Vec<Note> {
        recovery_warning(&self.shown, &self.hive, self.kind)
            .into_iter()
            .chain(
                self.hive
                    .notes()
                    .into_iter()
                    .map(|n| Note::file(&self.shown, n)),
            )
            .collect()
    }
}

/// The warning for a hive whose unflushed changes could not be replayed,
/// saying what that means and what to do: copy its logs beside it, or save
/// the hive whole from the running host.
pub fn recovery_warning(shown: &str, hive: &Hive, kind: HiveKind) -> Option<Note> {
    let name = Path::new(shown)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.to_string());
    let (primary, secondary) = hive.sequence_numbers();
    let save = match kind {
        HiveKind::Software => Some("SOFTWARE"),
        HiveKind::System => Some("SYSTEM"),
        HiveKind::Other => None,
    };
    let save = save.map_or(String::new(), |key| {
        format!(
            ", or save the hive whole on the running host as an administrator \
             (reg save HKLM\\{key} {key}.hiv: nothing left to replay) and read that"
        )
    });
    let copy = format!(
        "copy {name}.LOG1 and {name}.LOG2, taken at the same time from the same folder of the \
         host (C:\\Windows\\System32\\config), beside it and read it again{save}"
    );
    match hive.recovery() {
        Recovery::Clean { .. } | Recovery::Replayed { .. } => None,
        Recovery::DirtyWithoutLogs => Some(Note::file(
            shown,
            format!(
                "the hive is dirty (sequence numbers {primary} and {secondary}) and no \
                 transaction logs lie beside it: its latest changes may be missing, so what it says \
                 may be out of date; {copy}"
            ),
        )),
        Recovery::NotReplayed { logs } => Some(Note::file(
            shown,
            format!(
                "the hive is dirty (sequence numbers {primary} and {secondary}) and its {logs} \
                 transaction log(s) could not be replayed (damaged, or from another moment): its \
                 latest changes may be missing, so what it says may be out of date; {copy}"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    //! On the real dirty SYSTEM_B hive of the shared data (regipy's tests;
    //! truth: sequence numbers 1622/1621, computer DESKTOP-PM6C56D) with and
    //! without its logs, through every path that reads hives.
    use std::path::{Path, PathBuf};

    use acsready_testkit::{temp_dir, unxz};

    use super::*;
    use crate::folder::{read_evidence, read_host_folder, EvidenceOptions};
    use crate::registry_facts::KnownProducts;
    use crate::server::{read_server, ServerFiles};
    use crate::EventFilter;

    const REAL: &str = "testdata/real/hives/regipy__SYSTEM_B";

    /// SYSTEM_B as `SYSTEM` in `dir`, with its logs when `logs`.
    fn system_b(dir: &Path, logs: bool) -> PathBuf {
        let hive = unxz(&format!("{REAL}.xz"), dir, "SYSTEM");
        if logs {
            unxz(&format!("{REAL}.LOG1.xz"), dir, "SYSTEM.LOG1");
            unxz(&format!("{REAL}.LOG2.xz"), dir, "SYSTEM.LOG2");
        }
        hive
    }

    fn dirty_warnings(warnings: &[Note]) -> Vec<&Note> {
        warnings
            .iter()
            .filter(|w| w.message.contains("dirty") || w.message.contains("requires recovery"))
            .collect()
    }

    #[test]
    fn replayed_hive_has_no_recovery_warning_on_any_path() {
        let dir = temp_dir("hive-file-replayed");
        let host = dir.join("DESKTOP-PM6C56D");
        std::fs::create_dir_all(&host).expect("mkdir");
        let hive = system_b(&host, true);

        let opened = open_hive(&hive, "SYSTEM").expect("opens");
        assert_eq!(opened.kind, HiveKind::System);
        assert!(matches!(opened.hive.recovery(), Recovery::Replayed { .. }));
        assert_eq!(dirty_warnings(&opened.warnings()), Vec::<&Note>::new());

        // A server's SYSTEM hive (`preflight --server-hive`).
        let files = ServerFiles {
            hives: vec![hive.clone()],
            ..ServerFiles::default()
        };
        let read = read_server(
            &files,
            None,
            &crate::rules_fixture::with_rules(KnownProducts::default()),
        );
        assert_eq!(read.host, "DESKTOP-PM6C56D");
        assert_eq!(read.errors, Vec::<Note>::new());
        assert_eq!(dirty_warnings(&read.warnings), Vec::<&Note>::new());
        assert!(read.services.is_some_and(|s| s.origin.contains("replayed")));

        // A host folder (collector output, server uploads): the logs are
        // the hive's, not evidence of their own.
        let products = crate::rules_fixture::with_rules(KnownProducts::default());
        let filter = EventFilter::all();
        let opts = EvidenceOptions {
            products: &products,
            events: &filter,
        };
        let ev = read_host_folder(&host, None, &opts).expect("reads");
        assert_eq!(ev.facts.host, "DESKTOP-PM6C56D");
        assert_eq!(dirty_warnings(&ev.problems), Vec::<&Note>::new());
        assert_eq!(ev.used.len(), 1, "{:?}", ev.used);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn dirty_hive_without_logs_warns_on_every_path_and_says_what_to_copy() {
        let dir = temp_dir("hive-file-dirty");
        let hive = system_b(&dir, false);
        let shown = hive.display().to_string();

        let opened = open_hive(&hive, &shown).expect("opens");
        assert_eq!(opened.hive.recovery(), &Recovery::DirtyWithoutLogs);
        let warnings = opened.warnings();
        let w = &warnings[0];
        assert_eq!(w.file, shown);
        assert!(w.message.starts_with("the hive is dirty"), "{w}");
        assert!(w.message.contains("1622 and 1621"), "{w}");
        assert!(w.message.contains("SYSTEM.LOG1 and SYSTEM.LOG2"), "{w}");
        assert!(
            w.message.contains("reg save HKLM\\SYSTEM SYSTEM.hiv"),
            "{w}"
        );

        // `--hive` (files given by hand): the facts read, and the warning.
        let products = crate::rules_fixture::with_rules(KnownProducts::default());
        let filter = EventFilter::all();
        let opts = EvidenceOptions {
            products: &products,
            events: &filter,
        };
        let ev = read_evidence(None, "SYSTEM", std::slice::from_ref(&hive), &opts);
        assert_eq!(ev.facts.host, "DESKTOP-PM6C56D");
        assert_eq!(dirty_warnings(&ev.problems), [w]);

        // `--server-hive`.
        let files = ServerFiles {
            hives: vec![hive.clone()],
            ..ServerFiles::default()
        };
        let read = read_server(&files, None, &products);
        assert_eq!(dirty_warnings(&read.warnings), [w]);
        let _ = std::fs::remove_dir_all(dir);
    }
}
