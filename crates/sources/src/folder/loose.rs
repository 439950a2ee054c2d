//! Evidence files given one by one, outside a host folder: which inputs are
//! Windows evidence of one host rather than fleet inputs (facts JSON,
//! osquery results, console exports), told from their content.

use std::io::Read;
use std::path::Path;

use super::{classify, Kind, HEAD};
use crate::compressed::{self, Limits};
use crate::HotfixFormat;

/// What a file given as an input is, for [`loose_file`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LooseFile {
    /// Evidence of one host, and what it was recognised as.
    Evidence(&'static str),
    /// A hive's transaction log (`SYSTEM.LOG1`): read with its hive.
    TransactionLog,
}

/// Whether the file at `path` is Windows evidence of one host: a registry
/// hive, an event log (`.evtx`), a `.reg` export, `reg query` output,
/// `wevtutil` XML, `systeminfo` or `wmic qfe` output, the EasyFix log; a
/// `.gz`/`.xz` file by what it holds. `None` for anything else (and for a
/// file that cannot be read: the fleet readers report it).
pub fn loose_file(path: &Path) -> Option<LooseFile> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let head = read_head(std::fs::File::open(path).ok()?);
    let (name, head) = match compressed::packing(&head) {
        Some(p) if p.is_archive() => return None,
        Some(p) => {
            let file = std::fs::File::open(path).ok()?;
            let inner = read_head(compressed::single_reader(file, p, Limits::default()));
            (inner_name(&name), inner)
        }
        None => (name, head),
    };
    Some(match classify(&name, &head) {
        Kind::Hive => LooseFile::Evidence("registry hive"),
        Kind::Evtx => LooseFile::Evidence("event log (.evtx)"),
        Kind::RegExport => LooseFile::Evidence(".reg export"),
        Kind::RegQuery => LooseFile::Evidence("reg query output"),
        Kind::EventsXml => LooseFile::Evidence("wevtutil XML"),
        Kind::EasyFix => LooseFile::Evidence("EasyFix log"),
        Kind::Ignored if is_transaction_log(&name) => LooseFile::TransactionLog,
        Kind::Hotfixes if is_hotfix_output(&head, &name) => {
            LooseFile::Evidence("wmic qfe / systeminfo")
        }
        _ => return None,
    })
}

/// The first [`HEAD`] bytes a reader gives; fewer when it fails (a cut
/// compressed file still shows what it is).
fn read_head(reader: impl Read) -> Vec<u8> {
    let mut head = Vec::new();
    let mut reader = reader.take(HEAD as u64);
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    head
}

/// `SYSTEM.xz` → `SYSTEM`.
fn inner_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    [".xz", ".gz"]
        .iter()
        .find(|s| lower.ends_with(*s))
        .map_or_else(
            || name.to_string(),
            |s| name[..name.len() - s.len()].to_string(),
        )
}

fn is_transaction_log(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".log1") || lower.ends_with(".log2")
}

/// `systeminfo` or `wmic qfe` output: the reader found an update list or a
/// build in it. Other text that is not CSV is given to the hotfix reader
/// too, whose error says what it expected (and what it found: a list of
/// *missing* updates, say); CSV that is neither is a console export.
fn is_hotfix_output(head: &[u8], name: &str) -> bool {
    match crate::parse_hotfixes(head, name) {
        Ok(h) => {
            h.updates.is_some()
                || h.build.is_some()
                || matches!(h.format, HotfixFormat::WmicList | HotfixFormat::WmicTable)
        }
        Err(_) => {
            let (text, _) = crate::text::decode(head);
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            !first.contains(',') && !crate::text::looks_binary(&text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    #[test]
    fn evidence_is_told_from_fleet_inputs() {
        let dir = acsready_testkit::temp_dir("loose");
        let systeminfo = "Host Name:                 WEB01\r\nOS Name:                   Microsoft Windows Server 2019 Standard\r\nOS Version:                10.0.17763 N/A Build 17763\r\nHotfix(s):                 1 Hotfix(s) Installed.\r\n                           [01]: KB5005625\r\nNetwork Card(s):           N/A\r\n";
        let cases: Vec<(&str, Vec<u8>, Option<LooseFile>)> = vec![
            (
                "si.txt",
                systeminfo.as_bytes().to_vec(),
                Some(LooseFile::Evidence("wmic qfe / systeminfo")),
            ),
            ("SOFTWARE", b"regf\0\0\0\0".to_vec(), Some(LooseFile::Evidence("registry hive"))),
            ("SOFTWARE.LOG1", b"DIRT".to_vec(), Some(LooseFile::TransactionLog)),
            ("a.evtx", b"ElfFile\0".to_vec(), Some(LooseFile::Evidence("event log (.evtx)"))),
            ("h.json", br#"{"host":"a"}"#.to_vec(), None),
            (
                "computers.csv",
                b"Name,Platform,Agent Version\r\nweb01,Microsoft Windows Server 2019 (64 bit),20.0.0-5137\r\n"
                    .to_vec(),
                None,
            ),
            (
                "missing.txt",
                b"KB4489893: 2019-03 Preview of Monthly Rollup\r\n".to_vec(),
                Some(LooseFile::Evidence("wmic qfe / systeminfo")),
            ),
            ("blob.bin", b"\x00\x01\x02\x03\xff\xfe\x00\x00".to_vec(), None),
        ];
        for (name, bytes, want) in cases {
            let path = write(&dir, name, &bytes);
            assert_eq!(loose_file(&path), want, "{name}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
