//! Tests on the real `.evtx` files of `shared/testdata/evtx`, against the
//! ground truth python-evtx 0.8.1 produced (`shared/testdata/truth.json`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;

/// Path of a shared test file; fails with a clear message when it is missing.
pub(crate) fn testdata(name: &str) -> PathBuf {
    acsready_testkit::shared(&format!("testdata/{name}"))
}

pub(crate) fn evtx_bytes(name: &str) -> Vec<u8> {
    let path = testdata(&format!("evtx/{name}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn truth() -> serde_json::Value {
    let path = testdata("truth.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("truth.json is JSON")
}

/// Every record of a file with its record number.
struct Read {
    log: EventLog,
    records: Vec<(u64, EventFact)>,
}

fn read_all(name: &str) -> Read {
    let mut records = Vec::new();
    let log = read_evtx_bytes_with(evtx_bytes(name), name, &EventFilter::all(), &mut |n, f| {
        records.push((n, f.clone()))
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(log.events.len(), records.len());
    assert_eq!(log.records_read, records.len() as u64);
    Read { log, records }
}

fn histogram<'a>(keys: impl Iterator<Item = &'a str>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for key in keys {
        *out.entry(key.to_string()).or_default() += 1;
    }
    out
}

fn truth_histogram(value: &serde_json::Value) -> BTreeMap<String, u64> {
    value
        .as_object()
        .expect("a histogram")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("a count")))
        .collect()
}

/// Checks the records python-evtx read (record numbers `first..=last`)
/// against truth.json: count, first and last numbers, event IDs, providers.
fn assert_matches_truth(name: &str, records: &[&(u64, EventFact)]) {
    let truth = truth();
    let t = &truth["evtx"][name];
    assert!(t.is_object(), "{name} is not in truth.json");
    assert_eq!(
        records.len() as u64,
        t["record_count"].as_u64().unwrap(),
        "{name}"
    );
    assert_eq!(
        records.first().map(|r| r.0),
        t["first_record_id"].as_u64(),
        "{name}"
    );
    assert_eq!(
        records.last().map(|r| r.0),
        t["last_record_id"].as_u64(),
        "{name}"
    );
    let ids: Vec<String> = records.iter().map(|r| r.1.id.to_string()).collect();
    assert_eq!(
        histogram(ids.iter().map(String::as_str)),
        truth_histogram(&t["event_id_counts"]),
        "{name}: event IDs"
    );
    assert_eq!(
        histogram(
            records
                .iter()
                .map(|r| r.1.provider.as_deref().unwrap_or("?"))
        ),
        truth_histogram(&t["provider_counts"]),
        "{name}: providers"
    );
}

#[test]
fn files_that_python_evtx_reads_whole_match_truth_json() {
    for name in [
        "evtx-rs__Application_no_crc32.evtx",
        "hayabusa-sample__DeepBlueCLI__many-events-application.evtx",
        "python-evtx__issue_38.evtx",
        "python-evtx__system.evtx",
        "velociraptor__DE_104_system_log_cleared.evtx",
    ] {
        let read = read_all(name);
        assert_eq!(read.log.problems, Vec::<Note>::new(), "{name}");
        let all: Vec<_> = read.records.iter().collect();
        assert_matches_truth(name, &all);
        // Record numbers are the record headers', in order.
        assert!(read.records.windows(2).all(|w| w[0].0 < w[1].0), "{name}");
    }
}

#[test]
fn a_dirty_header_does_not_hide_the_chunks_after_its_count() {
    // The header says 4 chunks (dirty); python-evtx stops there (457 records),
    // but chunks 4-9 and 12 hold valid later records (458-1155, 1418-1422).
    let name = "evtx-rs__2-vss_7-System.evtx";
    let read = read_all(name);
    assert_eq!(
        Note::texts(&read.log.problems),
        [format!(
            "{name}: the file header is stale (it is marked dirty: the log was not closed \
             cleanly): it counts 4 chunks, but 7 more chunks hold 703 records; they are read"
        )]
    );
    let in_header: Vec<_> = read.records.iter().filter(|r| r.0 <= 457).collect();
    assert_matches_truth(name, &in_header);
    assert_eq!(read.log.records_read, 1160);
    let after: Vec<u64> = read
        .records
        .iter()
        .map(|r| r.0)
        .filter(|&n| n > 457)
        .collect();
    let expected: Vec<u64> = (458..=1155).chain(1418..=1422).collect();
    assert_eq!(after, expected);
}

#[test]
fn records_python_evtx_cannot_render_are_read() {
    // python-evtx renders 16 records and fails on record 17 (its template
    // value holds no element); evtx 0.15 renders it. The chunk's CRC32 does
    // not match (the log is dirty): reported, read anyway.
    let name = "evtx-rs__Microsoft-Windows-LanguagePackSetup%4Operational.evtx";
    let read = read_all(name);
    let first_16: Vec<_> = read.records.iter().filter(|r| r.0 <= 16).collect();
    assert_matches_truth(name, &first_16);
    assert_eq!(read.records.len(), 17);
    let (n, last) = &read.records[16];
    assert_eq!((*n, last.id), (17, 4000));
    assert_eq!(last.time.as_deref(), Some("2018-08-03T06:44:06.4185334Z"));
    assert_eq!(read.log.problems.len(), 1, "{:?}", read.log.problems);
    let problem = &read.log.problems[0];
    assert!(
        problem.to_string().starts_with(&format!(
            "{name}: chunk 0 (records 1-20): CRC32 does not match"
        )),
        "{problem}"
    );

    // A forwarded (WEC) record: python-evtx fails on it (0 records, 1 error);
    // its EventID is text ("1") with text Qualifiers.
    let name = "evtx-rs__MSExchange_Management_wec.evtx";
    let read = read_all(name);
    assert!(read.log.problems.is_empty());
    assert_eq!(read.records.len(), 1);
    let (n, fact) = &read.records[0];
    assert_eq!((*n, fact.id), (1, 1));
    assert_eq!(fact.provider.as_deref(), Some("MSExchange CmdletLogs"));
    assert_eq!(fact.time.as_deref(), Some("2021-11-19T16:52:33.833733500Z"));
    let message = fact.message.as_deref().unwrap();
    assert!(
        message.starts_with("Set-Mailbox -Identity \"Administrateur\""),
        "{message}"
    );
    assert!(
        message.ends_with("ServicePlan:;IsAdmin:True; fr-FR"),
        "{message}"
    );
}

fn record(read: &Read, number: u64) -> &EventFact {
    &read
        .records
        .iter()
        .find(|r| r.0 == number)
        .unwrap_or_else(|| panic!("no record {number}"))
        .1
}

fn fact(id: u32, provider: &str, time: &str, message: Option<&str>) -> EventFact {
    EventFact {
        id,
        provider: Some(provider.into()),
        time: Some(time.into()),
        message: message.map(Into::into),
    }
}

#[test]
fn records_map_to_event_facts() {
    let read = read_all("evtx-rs__Application_no_crc32.evtx");
    // EventID with Qualifiers, no event data.
    assert_eq!(
        record(&read, 426),
        &fact(1, "SecurityCenter", "2021-03-31T23:51:45.0187674Z", None)
    );
    // Nameless Data elements.
    assert_eq!(
        record(&read, 427).message.as_deref(),
        Some("Windows Defender SECURITY_PRODUCT_STATE_ON")
    );
    // Provider Name wins over EventSourceName; Binary is not text.
    assert_eq!(
        record(&read, 428),
        &fact(
            6000,
            "Microsoft-Windows-Winlogon",
            "2021-03-31T23:52:03.2843934Z",
            Some("WSearch")
        )
    );
    // The Application log's event 900 here is not Trend Micro's.
    let e900: Vec<_> = read.records.iter().filter(|r| r.1.id == 900).collect();
    assert_eq!(e900.len(), 1);
    assert_eq!(
        e900[0].1.provider.as_deref(),
        Some("Microsoft-Windows-Security-SPP")
    );

    let read = read_all("hayabusa-sample__DeepBlueCLI__many-events-application.evtx");
    // Named Data elements: their values, in order.
    assert_eq!(
        record(&read, 1),
        &fact(
            4625,
            "Microsoft-Windows-EventSystem",
            "2013-10-23T16:16:29.0000000Z",
            Some("86400 SuppressDuplicateDuration Software\\Microsoft\\EventSystem\\EventLog")
        )
    );

    let read = read_all("python-evtx__system.evtx");
    // UserData, flattened.
    assert_eq!(
        record(&read, 12049),
        &fact(
            105,
            "Microsoft-Windows-Eventlog",
            "2012-03-14T04:17:43.3545627Z",
            Some("System C:\\Windows\\System32\\Winevt\\Logs\\Archive-System-2012-03-14-04-17-39-932.evtx")
        )
    );

    let read = read_all("python-evtx__issue_38.evtx");
    // Record number 1 (its header), although System/EventRecordID is 17845;
    // whitespace runs inside a value are squeezed.
    let message = record(&read, 1).message.as_deref().unwrap();
    assert!(
        message.ends_with("0x19d3af SeSecurityPrivilege SeTakeOwnershipPrivilege SeLoadDriverPrivilege SeBackupPrivilege SeRestorePrivilege SeDebugPrivilege SeSystemEnvironmentPrivilege SeImpersonatePrivilege"),
        "{message}"
    );
}

#[test]
fn the_filter_selects_by_id_or_provider_or_text() {
    let name = "hayabusa-sample__DeepBlueCLI__many-events-application.evtx";
    let all = read_all(name);
    let read = |filter: EventFilter| read_evtx_bytes(evtx_bytes(name), name, &filter).unwrap();

    let log = read(EventFilter {
        ids: vec![900, 11708],
        ..EventFilter::default()
    });
    assert_eq!(log.records_read, 2216);
    assert_eq!(log.events.len(), 49 + 2);
    // Both are from other products here (truth.json notes).
    let providers = histogram(
        log.events
            .iter()
            .map(|e| e.provider.as_deref().unwrap_or("")),
    );
    assert_eq!(
        providers,
        BTreeMap::from([
            ("Microsoft-Windows-Security-SPP".to_string(), 49),
            ("MsiInstaller".to_string(), 2)
        ])
    );
    let msi = log.events.iter().find(|e| e.id == 11708).unwrap();
    assert!(
        msi.message
            .as_deref()
            .unwrap()
            .contains("Product: EMET 5.51 -- Installation failed."),
        "{msi:?}"
    );

    let log = read(EventFilter {
        ids: vec![900],
        providers: vec!["msiINSTALLER".into()],
        ..EventFilter::default()
    });
    assert_eq!(log.events.len(), 49 + 317);

    let log = read(EventFilter {
        messages: vec!["installation FAILED".into()],
        ..EventFilter::default()
    });
    let expected: Vec<EventFact> = all
        .records
        .iter()
        .map(|r| r.1.clone())
        .filter(|e| {
            e.message
                .as_deref()
                .is_some_and(|m| m.to_lowercase().contains("installation failed"))
        })
        .collect();
    assert!(expected.len() >= 2);
    assert_eq!(log.events, expected);
}

#[test]
fn read_evtx_reads_a_path() {
    let path = testdata("evtx/evtx-rs__Application_no_crc32.evtx");
    let log = read_evtx(&path, &EventFilter::all()).unwrap();
    assert_eq!(log.records_read, 17);
    assert_eq!(log.events.len(), 17);
    let error = read_evtx(&path.with_extension("missing"), &EventFilter::all()).unwrap_err();
    assert!(matches!(error, SourceError::Io { .. }), "{error}");
}

#[test]
fn files_that_are_not_event_logs_are_format_errors() {
    let cases: [(&[u8], &str); 5] = [
        (b"", "the file is empty"),
        (b"<Events><Event/></Events>", "looks like XML"),
        (b"\xFF\xFE<\0E\0v\0", "looks like XML"),
        (
            b"MZ\x90\0\x03\0\0\0",
            "it starts with 4D 5A 90 00 03 00 00 00",
        ),
        (b"ElfFile", "it starts with 45 6C 66 46 69 6C 65"),
    ];
    for (bytes, says) in cases {
        let error = read_evtx_bytes(bytes.to_vec(), "x.evtx", &EventFilter::all()).unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, SourceError::Format { .. }), "{text}");
        assert!(text.starts_with("x.evtx: not an EVTX event log"), "{text}");
        assert!(text.contains(says), "{text}");
    }
    // The signature but no whole file header.
    let error =
        read_evtx_bytes(b"ElfFile\0\0\0".to_vec(), "x.evtx", &EventFilter::all()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("x.evtx: not a readable EVTX event log"),
        "{error}"
    );
}

const FILE_HEADER: usize = 4096;
const CHUNK: usize = 65536;

/// Offset in the file of the `k`-th record of chunk `n`.
fn record_offset(bytes: &[u8], n: usize, k: usize) -> usize {
    let mut at = FILE_HEADER + n * CHUNK + 512;
    for _ in 0..k {
        assert_eq!(&bytes[at..at + 4], b"\x2a\x2a\0\0", "record magic");
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        at += size;
    }
    at
}

#[test]
fn damaged_chunks_and_records_are_reported_and_skipped() {
    let name = "hayabusa-sample__DeepBlueCLI__many-events-application.evtx";
    let good = evtx_bytes(name);

    // Chunk 3 (records 346-474) without its signature.
    let mut bytes = good.clone();
    bytes[FILE_HEADER + 3 * CHUNK..][..8].copy_from_slice(b"XXXXXXXX");
    let log = read_evtx_bytes(bytes, name, &EventFilter::all()).unwrap();
    assert_eq!(log.records_read, 2216 - 129);
    assert_eq!(log.problems.len(), 1, "{:?}", log.problems);
    assert!(
        Note::texts(&log.problems)[0]
            .starts_with(&format!("{name}: Failed to parse chunk number 3")),
        "{:?}",
        log.problems
    );
    assert!(log.problems[0]
        .to_string()
        .ends_with("its records are skipped"));

    // The header of record 10 of chunk 5 zeroed: evtx resyncs on the next one.
    let mut bytes = good.clone();
    let at = record_offset(&bytes, 5, 10);
    bytes[at..at + 24].fill(0);
    let log = read_evtx_bytes(bytes, name, &EventFilter::all()).unwrap();
    assert_eq!(log.records_read, 2216 - 1, "{:?}", log.problems);
    assert!(
        Note::texts(&log.problems)
            .iter()
            .any(|p| p.starts_with(&format!(
                "{name}: chunk 5 (after record 591): Failed to read the record at offset"
            ))),
        "{:?}",
        log.problems
    );

    // The body of record 20 of chunk 7 overwritten: the record does not
    // render and is named by its number (801 + 20).
    let mut bytes = good.clone();
    let at = record_offset(&bytes, 7, 20);
    bytes[at + 24..at + 64].fill(0xFF);
    let log = read_evtx_bytes(bytes, name, &EventFilter::all()).unwrap();
    assert!(log.records_read >= 2216 - 2, "{:?}", log.problems);
    assert!(
        log.problems.iter().any(|p| p
            .to_string()
            .starts_with(&format!("{name}: record 821 (chunk 7): "))
            && p.to_string().ends_with("; skipped")),
        "{:?}",
        log.problems
    );

    // Garbage over a whole chunk after its header.
    let mut bytes = good;
    for (i, b) in bytes[FILE_HEADER + 9 * CHUNK + 512..FILE_HEADER + 10 * CHUNK]
        .iter_mut()
        .enumerate()
    {
        *b = (i * 7 + 13) as u8;
    }
    let log = read_evtx_bytes(bytes, name, &EventFilter::all()).unwrap();
    assert!(log.records_read >= 2216 - 100, "{}", log.records_read);
    assert!(!log.problems.is_empty());
    assert!(
        Note::texts(&log.problems)
            .iter()
            .all(|p| p.starts_with(name)),
        "{:?}",
        log.problems
    );
}

#[test]
fn a_file_cut_short_is_reported() {
    let name = "hayabusa-sample__DeepBlueCLI__many-events-application.evtx";
    let mut bytes = evtx_bytes(name);
    bytes.truncate(FILE_HEADER + 20 * CHUNK + 1000);
    let log = read_evtx_bytes(bytes, name, &EventFilter::all()).unwrap();
    assert_eq!(log.records_read, 2216 - 11);
    assert_eq!(
        Note::texts(&log.problems),
        [format!(
            "{name}: the file ends 1000 bytes into chunk 20 (it was cut short); the records of \
             that chunk are lost"
        )]
    );
}

mod real;
