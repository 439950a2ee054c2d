//! Arbitrary bytes through the facts JSON reader and parser: no panic, no
//! endless loop, and every batch within its bound.
//!
//! Run with `cargo +nightly fuzz run facts_json` from this folder.

#![no_main]

use acsready_sources::{parse_unit, JsonFacts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the batch size, so batching is fuzzed too.
    let (max, input) = match data.split_first() {
        Some((first, rest)) => (usize::from(*first % 8), rest),
        None => (1, data),
    };
    let mut reader = JsonFacts::new(input, "fuzz.json");
    // Each batch hands out at least one unit, so there are never more
    // batches than input bytes (plus the final `None`).
    for _ in 0..=input.len() + 1 {
        match reader.next_batch(max) {
            Ok(Some(batch)) => {
                assert!(!batch.is_empty() && batch.len() <= max.max(1));
                for unit in batch.into_iter().flatten() {
                    if let Ok(record) = parse_unit("fuzz.json", &unit) {
                        assert!(!record.facts.host.is_empty());
                        assert_eq!(record.origin.line, unit.line);
                    }
                }
            }
            Ok(None) | Err(_) => {
                assert!(matches!(reader.next_batch(max), Ok(None)));
                return;
            }
        }
    }
    panic!("the reader did not end");
});
