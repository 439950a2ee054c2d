//! The evidence of a management server: its SOFTWARE and SYSTEM
//! registries (offline hives or `.reg` exports, in any mix) and its install
//! folder (a copy, or a `dir` listing).
//!
//! Each file named by the user must be usable: a file that cannot be read,
//! or is neither a SOFTWARE nor a SYSTEM registry, is an error of that file;
//! the other files are still read.

use std::path::PathBuf;

use acsready_facts::{FileListing, HostFacts, ServiceFact};
use acsready_registry::{RegFiles, RegistryView};

use crate::folder::MemoryFile;
use crate::hive_file::{computer_name, open_hive, open_hive_bytes, HiveKind};
use crate::listing::read_install_folder;
use crate::registry_facts::{software_facts, Coverage, KnownProducts};
use crate::services::system_services;
use crate::Note;

/// The files of a server's evidence.
#[derive(Debug, Clone, Default)]
pub struct ServerFiles {
    /// Offline hives (SOFTWARE, SYSTEM), told apart by content.
    pub hives: Vec<PathBuf>,
    /// `.reg` exports of `HKLM\SOFTWARE…` and `HKLM\SYSTEM…`.
    pub regs: Vec<PathBuf>,
    /// The install folder, or listings of it.
    pub dirs: Vec<PathBuf>,
    /// Hives already in memory, with their logs (read out of a disk image).
    pub memory_hives: Vec<MemoryFile>,
    /// Listings of the install folder already made (from a disk image).
    pub listings: Vec<FileListing>,
}

impl ServerFiles {
    pub fn is_empty(&self) -> bool {
        self.hives.is_empty()
            && self.regs.is_empty()
            && self.dirs.is_empty()
            && self.memory_hives.is_empty()
            && self.listings.is_empty()
    }
}

/// Services, and where they were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerServices {
    pub origin: String,
    pub services: Vec<ServiceFact>,
}

/// What was read about the server.
#[derive(Debug, Default)]
pub struct ServerRead {
    /// The server's name: as given, else the SYSTEM hive's computer name,
    /// else "server".
    pub host: String,
    /// From the SOFTWARE registry; `None` when none was given.
    pub facts: Option<HostFacts>,
    /// From the SYSTEM registry; `None` when none was given.
    pub services: Option<ServerServices>,
    /// The install folder; `None` when none was given.
    pub listing: Option<FileListing>,
    /// Files that could not be used, each message naming its file.
    pub errors: Vec<Note>,
    /// Problems that did not stop the reading.
    pub warnings: Vec<Note>,
}

/// Reads the server's evidence; `host` names it (else the SYSTEM hive's
/// computer name, else "server").
pub fn read_server(
    files: &ServerFiles,
    host: Option<&str>,
    products: &KnownProducts,
) -> ServerRead {
    let mut read = ServerRead::default();
    let mut name = host.map(str::to_string);
    let mut software: Vec<(HostFacts, String)> = Vec::new();
    let on_disk = files.hives.iter().map(|path| {
        let shown = path.display().to_string();
        (open_hive(path, &shown), shown)
    });
    let in_memory = files.memory_hives.iter().map(|f| {
        let opened = open_hive_bytes(f.bytes.clone(), f.logs.clone(), &f.shown);
        (opened, f.shown.clone())
    });
    for (opened, shown) in on_disk.chain(in_memory) {
        let opened = match opened {
            Ok(h) => h,
            Err(e) => {
                read.errors.push(Note::from(&e));
                continue;
            }
        };
        let hive = &opened.hive;
        match opened.kind {
            HiveKind::Software => {
                let (facts, notes) = software_facts(hive, "", &Coverage::Whole, products);
                read.warnings.extend(notes);
                software.push((facts, hive.origin()));
            }
            HiveKind::System | HiveKind::Other => match system_services(hive) {
                Ok((key, services)) => {
                    if name.is_none() {
                        name = computer_name(hive);
                    }
                    if read.services.is_none() {
                        read.services = Some(ServerServices {
                            origin: format!("{} [{key}]", hive.origin()),
                            services,
                        });
                    }
                }
                Err(e) => read.errors.push(Note::file(
                    shown,
                    format!("a registry hive, but neither SOFTWARE nor SYSTEM ({e})"),
                )),
            },
        }
        read.warnings.extend(opened.warnings());
    }
    if !files.regs.is_empty() {
        let mut reg = RegFiles::new();
        for path in &files.regs {
            if let Err(e) = reg.add_file(path) {
                read.errors.push(Note::from(&e));
            }
        }
        read.warnings.extend(reg.warnings().iter().map(Note::from));
        let sw = reg.view(r"HKLM\SOFTWARE");
        let has_software = sw.subkeys("").is_some();
        if has_software {
            let (facts, notes) =
                software_facts(&sw, "", &Coverage::Exported { absent: &[] }, products);
            read.warnings.extend(notes);
            software.push((facts, sw.origin()));
        }
        let sys = reg.view(r"HKLM\SYSTEM");
        let has_system = sys.subkeys("").is_some();
        if has_system {
            match system_services(&sys) {
                Ok((key, services)) => {
                    if read.services.is_none() {
                        read.services = Some(ServerServices {
                            origin: format!("{} [{key}]", sys.origin()),
                            services,
                        });
                    }
                }
                Err(e) => read.errors.push(Note::file(sys.origin(), e.to_string())),
            }
        }
        if !has_software && !has_system && !reg.files().is_empty() {
            read.errors.push(Note::file(
                reg.files().join(", "),
                "no HKEY_LOCAL_MACHINE\\SOFTWARE or \\SYSTEM key in these exports",
            ));
        }
    }
    if !software.is_empty() {
        let mut facts = HostFacts::default();
        for (part, origin) in software {
            facts.merge(part, &origin);
        }
        read.facts = Some(facts);
    }
    let listings = files.dirs.iter().map(|dir| read_install_folder(dir));
    let given = files.listings.iter().cloned().map(Ok);
    for listing in listings.chain(given) {
        match listing {
            Ok(listing) => match &mut read.listing {
                Some(all) => {
                    all.origin = format!("{}, {}", all.origin, listing.origin);
                    all.paths.extend(listing.paths);
                }
                None => read.listing = Some(listing),
            },
            Err(e) => read.errors.push(Note::from(&e)),
        }
    }
    read.host = name.unwrap_or_else(|| "server".to_string());
    if let Some(f) = &mut read.facts {
        f.host = read.host.clone();
    }
    read
}
