//! All the evidence about one host: the folder the collector writes
//! (`<OUT>\<COMPUTERNAME>\`), or any mix of files given by hand.
//!
//! Each file is recognised by its content, not its name: a registry hive
//! (`regf`), `.reg` exports and `reg query` output (merged into one registry
//! view), an event log (`ElfFile`), `wevtutil` XML, facts JSON, an EasyFix log,
//! `wmic qfe` or `systeminfo` output, and the collector's own `collector.txt`
//! and its lists of registry keys (`absent-keys.txt`: the key does not exist,
//! so what it would say is known to be nothing; `unreadable-keys.txt`: the
//! key exists but could not be read, so what it would say is unknown). The
//! facts of every file are merged; where two files disagree the first value
//! is kept and the conflict is recorded. A file that cannot be read, or is
//! empty, is a problem of that file only.

use std::path::{Path, PathBuf};

use acsready_facts::HostFacts;
use acsready_registry::{RegFiles, RegistryView};

use crate::hive_file::{computer_name, open_hive, HiveKind};
use crate::registry_facts::{software_facts, Coverage, KnownProducts};
use crate::{
    parse_easyfix_log, parse_hotfixes, parse_wevtutil_xml, read_evtx, EventFilter, JsonFacts, Note,
    SourceError,
};

/// What the readers need from the rules.
pub struct EvidenceOptions<'a> {
    /// How products show in the registry.
    pub products: &'a KnownProducts,
    /// Which events to keep.
    pub events: &'a EventFilter,
}

/// The merged facts of one host and how they were read.
#[derive(Debug, Default)]
pub struct HostEvidence {
    pub facts: HostFacts,
    /// Problems that did not stop the reading, each naming its file.
    pub problems: Vec<Note>,
    /// Each file read and what it was read as.
    pub used: Vec<(String, &'static str)>,
    /// The collector's `collector.txt` says the collection is complete.
    pub complete: Option<bool>,
}

/// What [`HostEvidence::used`] says of a SOFTWARE hive.
pub const SOFTWARE_HIVE: &str = "SOFTWARE hive";
/// What [`HostEvidence::used`] says of a SYSTEM hive (read for the
/// computer name only).
pub const SYSTEM_HIVE: &str = "SYSTEM hive (computer name)";

/// The kinds of evidence files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Hive,
    Evtx,
    RegExport,
    RegQuery,
    EventsXml,
    FactsJson,
    EasyFix,
    Hotfixes,
    Manifest,
    AbsentKeys,
    UnreadableKeys,
    Ignored,
}

/// Files never read as evidence: logs that belong to a hive, failed exports,
/// the collector's error log.
fn ignored_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".log1")
        || lower.ends_with(".log2")
        || lower.ends_with(".log")
        || lower.ends_with(".partial")
        || lower == "errors.txt"
}

/// Text of a file in UTF-8 or UTF-16 (with BOM); lossy.
fn text_of(bytes: &[u8]) -> String {
    crate::text::decode(bytes).0.into_owned()
}

fn classify(name: &str, bytes: &[u8]) -> Kind {
    if ignored_name(name) {
        return Kind::Ignored;
    }
    if bytes.starts_with(b"regf") {
        return Kind::Hive;
    }
    if bytes.starts_with(b"ElfFile\0") {
        return Kind::Evtx;
    }
    let lower = name.to_ascii_lowercase();
    if lower == "absent-keys.txt" {
        return Kind::AbsentKeys;
    }
    if lower == "unreadable-keys.txt" {
        return Kind::UnreadableKeys;
    }
    let text = text_of(&bytes[..bytes.len().min(64 * 1024)]);
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("Windows Registry Editor") || head.starts_with("REGEDIT4") {
        Kind::RegExport
    } else if RegFiles::is_query_output(bytes) {
        Kind::RegQuery
    } else if head.starts_with("<?xml") || head.starts_with("<Events") || head.starts_with("<Event")
    {
        Kind::EventsXml
    } else if head.starts_with('{') || head.starts_with('[') {
        Kind::FactsJson
    } else if head.lines().any(|l| l.starts_with("collector_version=")) || lower == "collector.txt"
    {
        Kind::Manifest
    } else if lower.contains("easyfix")
        || text.contains("Fixing result")
        || text.contains("No missing system certificate")
    {
        Kind::EasyFix
    } else {
        Kind::Hotfixes
    }
}

/// How much of a file is read to tell what it is.
const HEAD: usize = 64 * 1024;

fn read_head(path: &Path, max: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(max.min(8192));
    std::fs::File::open(path)?
        .take(max as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// Reads every file of one host's folder (not its subfolders).
pub fn read_host_folder(
    dir: &Path,
    host: Option<&str>,
    opts: &EvidenceOptions,
) -> Result<HostEvidence, SourceError> {
    let entries = std::fs::read_dir(dir).map_err(|source| SourceError::Io {
        file: dir.display().to_string(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let folder_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    let evidence = read_evidence(host, &folder_name, &files, opts);
    if evidence.used.is_empty() {
        return Err(SourceError::Format {
            file: dir.display().to_string(),
            message: "no evidence file in this folder (hive, .reg, .evtx, .xml, facts JSON, wmic/systeminfo text, EasyFix log)".into(),
        });
    }
    Ok(evidence)
}

/// Reads the given files as evidence about one host. The host is named by
/// `host`, else by the collection (`collector.txt`, a SYSTEM hive, a facts
/// record), else by `fallback_name`. Compressed files are read as what they
/// hold (`SYSTEM.xz` as `SYSTEM`, see [`crate::compressed`]), named as given.
pub fn read_evidence(
    host: Option<&str>,
    fallback_name: &str,
    files: &[PathBuf],
    opts: &EvidenceOptions,
) -> HostEvidence {
    let mut problems = Vec::new();
    let limits = crate::compressed::Limits::default();
    let (paths, unpacked) = crate::compressed::unpack_evidence(files, limits, &mut problems);
    let mut ev = read_files(host, fallback_name, &paths, opts);
    ev.problems.splice(0..0, problems);
    if !unpacked.is_empty() {
        let shown = |t: &str| crate::compressed::shown_in(&unpacked, t);
        for p in &mut ev.problems {
            p.file = shown(&p.file);
            p.message = shown(&p.message);
        }
        ev.used.iter_mut().for_each(|(f, _)| *f = shown(f));
        ev.facts.sources.values_mut().for_each(|s| *s = shown(s));
        for c in &mut ev.facts.conflicts {
            c.values.iter_mut().for_each(|(_, s)| *s = shown(s));
        }
    }
    ev
}

/// A file already in memory (read out of a disk image), with the contents
/// of its transaction logs when it is a hive.
#[derive(Debug, Clone, Default)]
pub struct MemoryFile {
    /// Its file name (`SOFTWARE`, `Application.evtx`): what it is is told
    /// by content, some files by their name.
    pub name: String,
    /// How it is named in messages and sources.
    pub shown: String,
    pub bytes: Vec<u8>,
    /// A hive's `.LOG1` and `.LOG2`, in that order.
    pub logs: Vec<Vec<u8>>,
}

/// Reads files already in memory as evidence about one host, as
/// [`read_evidence`] reads files on disk (hives with their logs replayed).
pub fn read_memory_evidence(
    host: Option<&str>,
    fallback_name: &str,
    files: Vec<MemoryFile>,
    opts: &EvidenceOptions,
) -> HostEvidence {
    let mut ev = HostEvidence::default();
    let mut loaded = Vec::new();
    for f in files {
        if is_blank(&f.bytes[..f.bytes.len().min(HEAD)]) {
            ev.problems.push(Note::file(
                f.shown,
                format!(
                    "the file is empty ({}); skipped",
                    empty_file_meaning(&f.name)
                ),
            ));
            continue;
        }
        let kind = classify(&f.name, &f.bytes[..f.bytes.len().min(HEAD)]);
        loaded.push((Body::Memory(f.logs), f.shown, f.bytes, kind));
    }
    read_loaded(host, fallback_name, ev, loaded, opts)
}

/// Where the bytes of an evidence file are: hives and event logs are read
/// from their path (a hive's logs sit beside it), or were read into memory.
enum Body {
    Path(PathBuf),
    Memory(Vec<Vec<u8>>),
}

fn read_files(
    host: Option<&str>,
    fallback_name: &str,
    files: &[PathBuf],
    opts: &EvidenceOptions,
) -> HostEvidence {
    let mut ev = HostEvidence::default();
    let mut loaded: Vec<(Body, String, Vec<u8>, Kind)> = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = path.display().to_string();
        // Hives and event logs are read from their path (a hive's logs sit
        // beside it; event logs can be large): only their head is loaded.
        let head = match read_head(path, HEAD) {
            Ok(h) => h,
            Err(e) => {
                ev.problems
                    .push(Note::file(shown, format!("cannot read: {e}")));
                continue;
            }
        };
        if !ignored_name(&name) && is_blank(&head) {
            ev.problems.push(Note::file(
                shown,
                format!("the file is empty ({}); skipped", empty_file_meaning(&name)),
            ));
            continue;
        }
        let kind = classify(&name, &head);
        let bytes = if matches!(kind, Kind::Hive | Kind::Evtx | Kind::Ignored) || head.len() < HEAD
        {
            head
        } else {
            match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => {
                    ev.problems
                        .push(Note::file(shown, format!("cannot read: {e}")));
                    continue;
                }
            }
        };
        loaded.push((Body::Path(path.clone()), shown, bytes, kind));
    }
    read_loaded(host, fallback_name, ev, loaded, opts)
}

fn read_loaded(
    host: Option<&str>,
    fallback_name: &str,
    mut ev: HostEvidence,
    loaded: Vec<(Body, String, Vec<u8>, Kind)>,
    opts: &EvidenceOptions,
) -> HostEvidence {
    // The collector's manifest and list of absent keys come first: they say
    // what the other files mean.
    let mut named: Option<String> = host.map(str::to_string);
    let mut absent: Vec<String> = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    for (_, shown, bytes, kind) in &loaded {
        match kind {
            Kind::Manifest => {
                let m = manifest(&text_of(bytes));
                let get = |k: &str| m.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
                ev.complete = Some(get("complete").as_deref() == Some("yes"));
                if ev.complete == Some(false) {
                    ev.problems.push(Note::file(
                        shown,
                        "the collection did not finish (no complete=yes)",
                    ));
                }
                if named.is_none() {
                    named = get("computer").filter(|c| !c.is_empty());
                }
                ev.used.push((shown.clone(), "collector manifest"));
            }
            Kind::AbsentKeys => {
                absent.extend(absent_software_keys(&text_of(bytes)));
                ev.used.push((shown.clone(), "absent registry keys"));
            }
            Kind::UnreadableKeys => {
                let text = text_of(bytes);
                for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    ev.problems.push(Note::file(
                        shown,
                        format!(
                            "{line} exists but the collector could not read it \
                             (access denied?): what it says is unknown; run the collector as \
                             Administrator (or as SYSTEM from a startup script) and collect again"
                        ),
                    ));
                }
                unreadable.extend(absent_software_keys(&text));
                ev.used.push((shown.clone(), "unreadable registry keys"));
            }
            _ => {}
        }
    }

    let mut parts: Vec<(HostFacts, String)> = Vec::new();
    let mut reg = RegFiles::new();
    let mut reg_files = 0usize;
    let mut events: Option<Vec<acsready_facts::EventFact>> = None;
    let mut systeminfo_os: Vec<(acsready_facts::OsFacts, String)> = Vec::new();
    for (body, shown, bytes, kind) in loaded {
        let shown = &shown;
        match kind {
            Kind::Hive => match open_body(body, bytes, shown) {
                Ok(opened) => {
                    let hive = &opened.hive;
                    match opened.kind {
                        HiveKind::Software => {
                            let (facts, notes) =
                                software_facts(hive, "", &Coverage::Whole, opts.products);
                            ev.problems.extend(notes);
                            parts.push((facts, hive.origin()));
                            ev.used.push((shown.clone(), SOFTWARE_HIVE));
                        }
                        HiveKind::System => match computer_name(hive) {
                            Some(name) => {
                                named.get_or_insert(name);
                                ev.used.push((shown.clone(), SYSTEM_HIVE));
                            }
                            None => ev.problems.push(Note::file(
                                shown,
                                "a SYSTEM hive without a readable computer name \
                                 (Select\\Current, ControlSetNNN\\Control\\ComputerName); not used",
                            )),
                        },
                        HiveKind::Other => ev.problems.push(Note::file(
                            shown,
                            format!(
                                "a registry hive, but neither SOFTWARE nor SYSTEM (root key \
                                 {:?}); not used",
                                hive.root_name()
                            ),
                        )),
                    }
                    ev.problems.extend(opened.warnings());
                }
                Err(e) => ev.problems.push(Note::from(&e)),
            },
            Kind::RegExport | Kind::RegQuery => {
                let added = if kind == Kind::RegExport {
                    reg.add_bytes(&bytes, shown)
                } else {
                    reg.add_query_output(&bytes, shown)
                };
                match added {
                    Ok(()) => {
                        reg_files += 1;
                        ev.used.push((
                            shown.clone(),
                            if kind == Kind::RegExport {
                                ".reg export"
                            } else {
                                "reg query output"
                            },
                        ));
                    }
                    Err(e) => ev.problems.push(Note::from(&e)),
                }
            }
            Kind::Evtx => match read_body_evtx(body, bytes, shown, opts.events) {
                Ok(log) => {
                    ev.problems.extend(log.problems);
                    events.get_or_insert_with(Vec::new).extend(log.events);
                    ev.used.push((shown.clone(), "event log (.evtx)"));
                }
                Err(e) => ev.problems.push(Note::from(&e)),
            },
            Kind::EventsXml => match parse_wevtutil_xml(&bytes, shown, opts.events) {
                Ok(log) => {
                    ev.problems.extend(log.problems);
                    events.get_or_insert_with(Vec::new).extend(log.events);
                    ev.used.push((shown.clone(), "wevtutil XML"));
                }
                Err(e) => ev.problems.push(Note::from(&e)),
            },
            Kind::EasyFix => match parse_easyfix_log(&bytes, shown) {
                Ok(log) => {
                    let facts = HostFacts {
                        easyfix: Some(log.result),
                        ..Default::default()
                    };
                    parts.push((facts, shown.clone()));
                    ev.used.push((shown.clone(), "EasyFix log"));
                }
                Err(e) => ev.problems.push(Note::from(&e)),
            },
            Kind::Hotfixes => match parse_hotfixes(&bytes, shown) {
                Ok(h) => {
                    ev.problems.extend(h.problems.iter().cloned());
                    if let Some(os) = h.os_facts() {
                        systeminfo_os.push((os, shown.clone()));
                    }
                    if named.is_none() {
                        named = h.host.clone();
                    }
                    let facts = HostFacts {
                        updates: h.known_updates().map(<[String]>::to_vec),
                        ..Default::default()
                    };
                    parts.push((facts, shown.clone()));
                    ev.used.push((shown.clone(), "wmic qfe / systeminfo"));
                }
                Err(e) => ev
                    .problems
                    .push(Note::from(&e).and(" (not recognised as evidence; skipped)")),
            },
            Kind::FactsJson => {
                let mut reader = JsonFacts::new(&bytes[..], shown);
                while let Ok(Some(batch)) = reader.next_batch(1024) {
                    for unit in batch {
                        match unit.and_then(|u| crate::parse_unit(shown, &u)) {
                            Ok(mut record) => {
                                if named.is_none() {
                                    named = Some(record.facts.host.clone());
                                }
                                let origin = record.origin.to_string();
                                record.facts.attribute_all(&origin);
                                parts.push((record.facts, origin));
                            }
                            Err(e) => ev.problems.push(Note::from(&e)),
                        }
                    }
                }
                ev.used.push((shown.clone(), "facts JSON"));
            }
            Kind::Manifest | Kind::AbsentKeys | Kind::UnreadableKeys => {}
            Kind::Ignored => {}
        }
    }
    if reg_files > 0 {
        ev.problems.extend(reg.warnings().iter().map(Note::from));
        let view = reg.view(r"HKLM\SOFTWARE");
        let (mut facts, notes) = software_facts(
            &view,
            "",
            &Coverage::Exported { absent: &absent },
            opts.products,
        );
        ev.problems.extend(notes);
        for fact in forget_unreadable(&mut facts, &unreadable, opts.products) {
            ev.problems.push(Note::file(
                view.origin(),
                format!(
                    "{fact} unknown: a registry key it is read from could not be read \
                     (see unreadable-keys.txt)"
                ),
            ));
        }
        // The registry is the most direct evidence: it goes first.
        parts.insert(0, (facts, view.origin()));
    }
    if let Some(mut events) = events {
        events.dedup();
        let sourced = ev
            .used
            .iter()
            .filter(|(_, k)| k.starts_with("event log") || *k == "wevtutil XML")
            .map(|(f, _)| f.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let facts = HostFacts {
            events: Some(events),
            ..Default::default()
        };
        parts.push((facts, sourced));
    }

    ev.facts.host = named.unwrap_or_else(|| fallback_name.to_string());
    for (mut facts, origin) in parts {
        facts.attribute_all(&origin);
        ev.facts.merge(facts, &origin);
    }
    // systeminfo names the OS in its own words ("Microsoft Windows Server 2019
    // Standard"): it only fills what the registry did not say.
    for (mut os, origin) in systeminfo_os {
        if let Some(known) = &ev.facts.os {
            if known.product_name.is_some() {
                os.product_name = None;
            }
        }
        let mut facts = HostFacts {
            os: Some(os),
            ..Default::default()
        };
        facts.attribute_all(&origin);
        ev.facts.merge(facts, &origin);
    }
    ev
}

/// Opens a hive from its path or from memory.
fn open_body(
    body: Body,
    bytes: Vec<u8>,
    shown: &str,
) -> Result<crate::hive_file::OpenedHive, acsready_registry::RegistryError> {
    match body {
        Body::Path(path) => open_hive(&path, shown),
        Body::Memory(logs) => crate::hive_file::open_hive_bytes(bytes, logs, shown),
    }
}

/// Reads an event log from its path or from memory.
fn read_body_evtx(
    body: Body,
    bytes: Vec<u8>,
    shown: &str,
    events: &EventFilter,
) -> Result<crate::EventLog, SourceError> {
    match body {
        Body::Path(path) => read_evtx(&path, events),
        Body::Memory(_) => crate::read_evtx_bytes(bytes, shown, events),
    }
}

mod collector_files;
mod loose;

use collector_files::{
    absent_software_keys, empty_file_meaning, forget_unreadable, is_blank, manifest,
};

pub use loose::{loose_file, LooseFile};

#[cfg(test)]
mod tests;
