//! Arbitrary bytes as `wevtutil qe … /f:RenderedXml` output: no panic, no
//! endless loop, and counts that add up.
//!
//! Run with `cargo +nightly fuzz run wevtutil_xml` from this folder.

#![no_main]

use acsready_sources::{parse_wevtutil_xml, EventFilter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a filter, so filtering is fuzzed too.
    let (filter, input) = match data.split_first() {
        Some((0, rest)) => (
            EventFilter {
                ids: vec![900, 11708],
                providers: vec!["MsiInstaller".into()],
                messages: vec!["Apex One".into(), "署名".into()],
            },
            rest,
        ),
        _ => (EventFilter::all(), data),
    };
    if let Ok(log) = parse_wevtutil_xml(input, "fuzz.xml", &filter) {
        assert!(log.events.len() as u64 <= log.records_read);
        assert!(log.problems.len() <= acsready_sources::MAX_PROBLEMS);
        if filter.is_empty() {
            assert_eq!(log.events.len() as u64, log.records_read);
        }
    }
});
