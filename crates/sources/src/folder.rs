//! All the evidence about one host: the folder the collector writes
//! (`<OUT>\<COMPUTERNAME>\`), or any mix of files given by hand.
//!
//! Each file is recognised by its content, not its name: a registry hive
//! (`regf`), `.reg` exports and `reg query` output (merged into one registry
//! view), an event log (`ElfFile`), `wevtutil` XML, facts JSON, an EasyFix log,
//! `wmic qfe` or `systeminfo` output, and the collector's own `collector.txt`
//! and `absent-keys.txt`. The facts of every file are merged; where two files
//! disagree the first value is kept and the conflict is recorded. A file that
//! cannot be read is a problem of that file only.

use std::path::{Path, PathBuf};

use acsready_facts::HostFacts;
use acsready_registry::{Hive, RegFiles, RegistryView};

use crate::registry_facts::{software_facts, Coverage, KnownProducts};
use crate::{
    parse_easyfix_log, parse_hotfixes, parse_wevtutil_xml, read_evtx, EventFilter, JsonFacts,
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
    pub problems: Vec<String>,
    /// Each file read and what it was read as.
    pub used: Vec<(String, &'static str)>,
    /// The collector's `collector.txt` says the collection is complete.
    pub complete: Option<bool>,
}

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

/// The collector's `collector.txt`: `key=value` lines.
fn manifest(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Keys of `absent-keys.txt`, relative to `HKLM\SOFTWARE`.
fn absent_software_keys(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter_map(|l| {
            let upper = l.to_ascii_uppercase();
            ["HKLM\\SOFTWARE\\", "HKEY_LOCAL_MACHINE\\SOFTWARE\\"]
                .iter()
                .find(|p| upper.starts_with(*p))
                .map(|p| l[p.len()..].to_string())
        })
        .collect()
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
pub(crate) fn is_software(hive: &Hive) -> bool {
    hive.subkeys(r"Microsoft\Windows NT\CurrentVersion")
        .is_some()
        || hive.subkeys(r"Microsoft\SystemCertificates").is_some()
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
        ev.problems.iter_mut().for_each(|p| *p = shown(p));
        ev.used.iter_mut().for_each(|(f, _)| *f = shown(f));
        ev.facts.sources.values_mut().for_each(|s| *s = shown(s));
        for c in &mut ev.facts.conflicts {
            c.values.iter_mut().for_each(|(_, s)| *s = shown(s));
        }
    }
    ev
}

fn read_files(
    host: Option<&str>,
    fallback_name: &str,
    files: &[PathBuf],
    opts: &EvidenceOptions,
) -> HostEvidence {
    let mut ev = HostEvidence::default();
    let mut loaded: Vec<(PathBuf, String, Vec<u8>, Kind)> = Vec::new();
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
                ev.problems.push(format!("{shown}: cannot read: {e}"));
                continue;
            }
        };
        let kind = classify(&name, &head);
        let bytes = if matches!(kind, Kind::Hive | Kind::Evtx | Kind::Ignored) || head.len() < HEAD
        {
            head
        } else {
            match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => {
                    ev.problems.push(format!("{shown}: cannot read: {e}"));
                    continue;
                }
            }
        };
        loaded.push((path.clone(), shown, bytes, kind));
    }

    // The collector's manifest and list of absent keys come first: they say
    // what the other files mean.
    let mut named: Option<String> = host.map(str::to_string);
    let mut absent: Vec<String> = Vec::new();
    for (_, shown, bytes, kind) in &loaded {
        match kind {
            Kind::Manifest => {
                let m = manifest(&text_of(bytes));
                let get = |k: &str| m.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
                ev.complete = Some(get("complete").as_deref() == Some("yes"));
                if ev.complete == Some(false) {
                    ev.problems.push(format!(
                        "{shown}: the collection did not finish (no complete=yes)"
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
            _ => {}
        }
    }

    let mut parts: Vec<(HostFacts, String)> = Vec::new();
    let mut reg = RegFiles::new();
    let mut reg_files = 0usize;
    let mut events: Option<Vec<acsready_facts::EventFact>> = None;
    let mut systeminfo_os: Vec<(acsready_facts::OsFacts, String)> = Vec::new();
    for (path, shown, bytes, kind) in &loaded {
        match kind {
            Kind::Hive => {
                match Hive::open(path) {
                    Ok(hive) => {
                        if is_software(&hive) {
                            let (facts, notes) =
                                software_facts(&hive, "", &Coverage::Whole, opts.products);
                            ev.problems.extend(notes);
                            ev.problems
                                .extend(hive.notes().into_iter().map(|n| format!("{shown}: {n}")));
                            parts.push((facts, hive.origin()));
                            ev.used.push((shown.clone(), "SOFTWARE hive"));
                        } else if let Some(name) = computer_name(&hive) {
                            named.get_or_insert(name);
                            ev.used.push((shown.clone(), "SYSTEM hive (computer name)"));
                        } else {
                            ev.problems.push(format!("{shown}: a registry hive, but neither SOFTWARE nor SYSTEM; not used"));
                        }
                    }
                    Err(e) => ev.problems.push(e.to_string()),
                }
            }
            Kind::RegExport | Kind::RegQuery => {
                let added = if *kind == Kind::RegExport {
                    reg.add_bytes(bytes, shown)
                } else {
                    reg.add_query_output(bytes, shown)
                };
                match added {
                    Ok(()) => {
                        reg_files += 1;
                        ev.used.push((
                            shown.clone(),
                            if *kind == Kind::RegExport {
                                ".reg export"
                            } else {
                                "reg query output"
                            },
                        ));
                    }
                    Err(e) => ev.problems.push(e.to_string()),
                }
            }
            Kind::Evtx => match read_evtx(path, opts.events) {
                Ok(log) => {
                    ev.problems.extend(log.problems);
                    events.get_or_insert_with(Vec::new).extend(log.events);
                    ev.used.push((shown.clone(), "event log (.evtx)"));
                }
                Err(e) => ev.problems.push(e.to_string()),
            },
            Kind::EventsXml => match parse_wevtutil_xml(bytes, shown, opts.events) {
                Ok(log) => {
                    ev.problems.extend(log.problems);
                    events.get_or_insert_with(Vec::new).extend(log.events);
                    ev.used.push((shown.clone(), "wevtutil XML"));
                }
                Err(e) => ev.problems.push(e.to_string()),
            },
            Kind::EasyFix => match parse_easyfix_log(bytes, shown) {
                Ok(log) => {
                    let facts = HostFacts {
                        easyfix: Some(log.result),
                        ..Default::default()
                    };
                    parts.push((facts, shown.clone()));
                    ev.used.push((shown.clone(), "EasyFix log"));
                }
                Err(e) => ev.problems.push(e.to_string()),
            },
            Kind::Hotfixes => match parse_hotfixes(bytes, shown) {
                Ok(h) => {
                    ev.problems.extend(h.problems.iter().cloned());
                    if let Some(os) = h.os_facts() {
                        systeminfo_os.push((os, shown.clone()));
                    }
                    if named.is_none() {
                        named = h.host.clone();
                    }
                    let facts = HostFacts {
                        updates: Some(h.updates.clone()),
                        ..Default::default()
                    };
                    parts.push((facts, shown.clone()));
                    ev.used.push((shown.clone(), "wmic qfe / systeminfo"));
                }
                Err(e) => ev
                    .problems
                    .push(format!("{e} (not recognised as evidence; skipped)")),
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
                            Err(e) => ev.problems.push(e.to_string()),
                        }
                    }
                }
                ev.used.push((shown.clone(), "facts JSON"));
            }
            Kind::Manifest | Kind::AbsentKeys => {}
            Kind::Ignored => {}
        }
    }
    if reg_files > 0 {
        ev.problems
            .extend(reg.warnings().iter().map(ToString::to_string));
        let view = reg.view(r"HKLM\SOFTWARE");
        let (facts, notes) = software_facts(
            &view,
            "",
            &Coverage::Exported { absent: &absent },
            opts.products,
        );
        ev.problems.extend(notes);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(classify("x", b"regf\0\0\0\0"), Kind::Hive);
        assert_eq!(classify("x", b"ElfFile\0rest"), Kind::Evtx);
        assert_eq!(classify("SOFTWARE.LOG1", b"regf"), Kind::Ignored);
        assert_eq!(
            classify(
                "a.reg",
                "\u{feff}Windows Registry Editor Version 5.00\r\n".as_bytes()
            ),
            Kind::RegExport
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("REGEDIT4\r\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(classify("b.reg", &utf16), Kind::RegExport);
        assert_eq!(
            classify(
                "cv.txt",
                b"\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n    A    REG_SZ    b\r\n"
            ),
            Kind::RegQuery
        );
        assert_eq!(
            classify("e.xml", b"<Events><Event/></Events>"),
            Kind::EventsXml
        );
        assert_eq!(classify("h.json", b"{\"host\":\"a\"}"), Kind::FactsJson);
        assert_eq!(
            classify(
                "collector.txt",
                b"computer=WEB01\r\ncollector_version=1\r\n"
            ),
            Kind::Manifest
        );
        assert_eq!(classify("SCPeasyFix.txt", b"whatever"), Kind::EasyFix);
        assert_eq!(
            classify("log.txt", b"... Fixing result is True"),
            Kind::EasyFix
        );
        assert_eq!(
            classify("absent-keys.txt", b"HKLM\\SOFTWARE\\TrendMicro"),
            Kind::AbsentKeys
        );
        assert_eq!(classify("qfe.txt", b"HotFixID=KB5005625"), Kind::Hotfixes);
        assert_eq!(classify("errors.txt", b"x"), Kind::Ignored);
    }

    #[test]
    fn absent_keys_are_made_relative_to_software() {
        let keys = absent_software_keys("HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\TrendMicro\r\nHKCU\\X\r\n");
        assert_eq!(
            keys,
            ["Policies\\Microsoft\\SystemCertificates", "TrendMicro"]
        );
    }
}

/// A collector folder written by test code, file by file as the collector does.
#[cfg(test)]
mod collected_tests {
    use super::*;
    use acsready_testkit::{
        acs_root_der, cert_blob, temp_dir, utf16le_bom as utf16, ACS_ROOT_SHA1 as ROOT,
    };

    fn blob_hex() -> String {
        let b = cert_blob(&acs_root_der());
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn write_folder(dir: &Path) {
        let put = |name: &str, bytes: Vec<u8>| std::fs::write(dir.join(name), bytes).unwrap();
        put("CurrentVersion.txt", b"\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n    ProductName    REG_SZ    Windows Server 2012 R2 Standard\r\n    InstallationType    REG_SZ    Server\r\n    CurrentBuild    REG_SZ    9600\r\n    UBR    REG_DWORD    0x4f5c\r\n\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\r\n".to_vec());
        put("CBS-Packages.reg", utf16("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\Package_for_KB4474419~31bf3856ad364e35~amd64~~6.3.1.0]\r\n\"CurrentState\"=dword:00000070\r\n\r\n"));
        put("Cert-AuthRoot.reg", utf16(&format!("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\AuthRoot\\Certificates\\{ROOT}]\r\n\"Blob\"=hex:{}\r\n\r\n", blob_hex())));
        put("Cert-ROOT.reg", utf16("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\ROOT\\Certificates]\r\n\r\n"));
        put("absent-keys.txt", b"HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\r\nHKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\r\n".to_vec());
        put("Uninstall.reg", utf16("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{A}]\r\n\"DisplayName\"=\"Trend Micro Deep Security Agent\"\r\n\"DisplayVersion\"=\"20.0.0.5137\"\r\n\r\n"));
        put("qfe.txt", utf16("\r\r\n\r\r\nDescription=Security Update\r\r\nHotFixID=KB5022352\r\r\nInstalledOn=1/20/2023\r\r\n\r\r\n"));
        put("Application-events.xml", "<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Trend Micro Apex One'/><EventID>900</EventID><TimeCreated SystemTime='2023-04-01T10:00:00.000Z'/></System><EventData><Data>C:\\x.dll</Data></EventData><RenderingInfo Culture='ja-JP'><Message>ダウンロードされた1つ以上のファイルに有効なデジタル署名が含まれていませんでした C:\\x.dll</Message></RenderingInfo></Event></Events>".as_bytes().to_vec());
        put(
            "SCPeasyFix.txt",
            b"2023-03-29 10:00:00 start\r\n2023-03-29 10:00:05 Fixing result is True\r\n".to_vec(),
        );
        put(
            "errors.txt",
            b"[Cert-Policies.reg] not exported: key not present\r\n".to_vec(),
        );
        put("TrendMicro.reg.partial", b"garbage".to_vec());
        put(
            "collector.txt",
            b"computer=WS12R2-DB01\r\ncollector_version=1\r\ncomplete=yes\r\n".to_vec(),
        );
    }

    fn opts_products() -> KnownProducts {
        KnownProducts {
            display_names: vec![(
                "Trend Micro Deep Security Agent".into(),
                "deep_security_agent".into(),
            )],
            vendor_keys: vec![],
        }
    }

    #[test]
    fn a_collector_folder_gives_merged_facts_with_sources() {
        let dir = temp_dir("folder");
        let host_dir = dir.join("WS12R2-DB01");
        std::fs::create_dir_all(&host_dir).unwrap();
        write_folder(&host_dir);
        let products = opts_products();
        let filter = EventFilter {
            ids: vec![900, 11708],
            ..EventFilter::default()
        };
        let opts = EvidenceOptions {
            products: &products,
            events: &filter,
        };
        let ev = read_host_folder(&host_dir, None, &opts).expect("folder reads");
        let f = &ev.facts;
        assert_eq!(ev.complete, Some(true));
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
        assert_eq!(f.host, "WS12R2-DB01");
        assert_eq!(f.build(), Some(9600));
        assert_eq!(f.ubr(), Some(20316));
        assert_eq!(
            f.updates.as_deref(),
            Some(&["KB4474419".to_string(), "KB5022352".to_string()][..])
        );
        assert!(
            f.sources["updates"].contains("CBS-Packages.reg")
                && f.sources["updates"].contains("qfe.txt"),
            "{:?}",
            f.sources
        );
        let certs = f.certificates.as_ref().unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].der_sha1.as_deref(), Some(ROOT));
        assert_eq!(
            f.root_auto_update_disabled,
            Some(false),
            "the policy key is listed absent"
        );
        assert_eq!(f.agents.as_ref().unwrap()[0].version, "20.0.0.5137");
        assert_eq!(f.events.as_ref().unwrap().len(), 1);
        assert!(f.events.as_ref().unwrap()[0]
            .message
            .as_deref()
            .unwrap()
            .contains("有効なデジタル署名"));
        assert_eq!(f.easyfix, Some(acsready_facts::EasyFix::Fixed));
        assert!(f.conflicts.is_empty(), "{:?}", f.conflicts);
        let kinds: Vec<&str> = ev.used.iter().map(|(_, k)| *k).collect();
        assert!(
            kinds.contains(&"reg query output") && kinds.contains(&"wevtutil XML"),
            "{kinds:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_empty_folder_is_an_error() {
        let dir = temp_dir("empty");
        std::fs::write(dir.join("notes.partial"), b"x").unwrap();
        let products = opts_products();
        let filter = EventFilter::all();
        let opts = EvidenceOptions {
            products: &products,
            events: &filter,
        };
        let err = read_host_folder(&dir, None, &opts).unwrap_err().to_string();
        assert!(err.contains("no evidence file"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
