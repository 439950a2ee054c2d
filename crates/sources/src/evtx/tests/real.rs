//! The real logs of `shared/testdata/real/evtx` (dirty headers with a stale
//! chunk count) against `shared/testdata/real/truth.json`, made by
//! python-evtx iterating every chunk of each file.

use super::*;

fn real_truth() -> serde_json::Value {
    let path = acsready_testkit::shared("testdata/real/truth.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("truth.json is JSON")
}

#[test]
fn every_real_log_agrees_with_a_full_chunk_scan() {
    let truth = real_truth();
    let logs = truth["evtx"].as_object().expect("an evtx section");
    assert!(!logs.is_empty());
    for (name, t) in logs {
        let path = acsready_testkit::shared(&format!("testdata/real/evtx/{name}"));
        let log = read_evtx(&path, &EventFilter::all()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let records = t["records"].as_u64().expect("records");
        assert_eq!(log.records_read, records, "{name}: {:?}", log.problems);
        assert_eq!(log.events.len() as u64, records, "{name}");
        let ids: Vec<String> = log.events.iter().map(|e| e.id.to_string()).collect();
        assert_eq!(
            histogram(ids.iter().map(String::as_str)),
            truth_histogram(&t["event_id_counts"]),
            "{name}: event IDs"
        );
        assert_eq!(t["record_errors"].as_u64(), Some(0));
        // The header counts fewer records than the chunks hold: said once.
        let past = records - t["header_records"].as_u64().expect("header_records");
        assert!(past > 0);
        assert_eq!(log.problems.len(), 1, "{name}: {:?}", log.problems);
        let problem = &log.problems[0];
        assert!(
            problem
                .to_string()
                .starts_with(&format!("{}: the file header is stale", path.display()))
                && problem
                    .to_string()
                    .ends_with(&format!(" hold {past} records; they are read")),
            "{problem}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The rule of docs/host-facts.md: a log cut anywhere or with a block
    /// zeroed never reads as "no events" without saying what was lost.
    #[test]
    fn a_cut_or_zeroed_log_never_silently_has_no_events(
        cut in 8usize..69632,
        zero in proptest::option::of((0usize..69632, 1usize..8192)),
    ) {
        let name = "python-evtx__issue_38.evtx";
        let mut bytes = evtx_bytes(name);
        bytes.truncate(cut);
        if let Some((at, len)) = zero {
            let end = (at + len).min(bytes.len());
            if at < end {
                bytes[at..end].fill(0);
            }
        }
        if let Ok(log) = read_evtx_bytes(bytes, name, &EventFilter::all()) {
            proptest::prop_assert!(
                !log.events.is_empty() || !log.problems.is_empty(),
                "{log:?}"
            );
        }
    }
}

#[test]
fn a_log_cut_at_a_chunk_boundary_says_so() {
    let name = "python-evtx__issue_38.evtx";
    let mut bytes = evtx_bytes(name);
    bytes.truncate(4096);
    let log = read_evtx_bytes(bytes, name, &EventFilter::all()).unwrap();
    assert!(log.events.is_empty());
    assert_eq!(
        Note::texts(&log.problems),
        [format!(
            "{name}: the file holds 0 chunks but its header counts 1 (it was cut short); the \
             records of the missing chunks are lost"
        )]
    );
}
