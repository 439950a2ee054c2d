use std::io::{self, Read};

use acsready_facts::HostFacts;

use super::*;
use crate::{Origin, Record, SourceError};

mod errors;
mod props;

#[test]
fn type_errors_name_the_field() {
    let unit = |text: &str| Unit {
        line: 7,
        text: text.into(),
    };
    let msg = |text: &str| parse_unit("f.json", &unit(text)).unwrap_err().to_string();
    assert!(msg(r#"{"host":"a","os":5}"#).starts_with("f.json:7:18: os: invalid type"));
    let m = msg(
        r#"{"host":"b","agents":[{"product":"x","version":"1"},{"product":"y","version":true}]}"#,
    );
    assert!(
        m.contains(": agents[1].version: invalid type: boolean"),
        "{m}"
    );
    assert!(msg(r#"{"host":"c","os":{"ubr":-1}}"#).contains("os.ubr: -1 is not a UBR"));
    // Syntax errors have no field.
    assert!(msg(r#"{"host":"d","#).contains(": EOF while parsing"));
}

/// What reading a whole input gave: one outcome per unit (the record,
/// or the error as displayed), and the error that ended the file.
#[derive(Debug, Default)]
struct Outcome {
    units: Vec<Result<Record, String>>,
    fatal: Option<String>,
    batches: Vec<usize>,
}

impl Outcome {
    fn hosts(&self) -> Vec<&str> {
        self.units
            .iter()
            .filter_map(|u| u.as_ref().ok())
            .map(|r| r.facts.host.as_str())
            .collect()
    }

    fn lines(&self) -> Vec<u64> {
        self.units
            .iter()
            .filter_map(|u| u.as_ref().ok())
            .map(|r| r.origin.line)
            .collect()
    }

    fn errors(&self) -> Vec<&str> {
        self.units
            .iter()
            .filter_map(|u| u.as_ref().err())
            .map(String::as_str)
            .collect()
    }

    fn records(self) -> Vec<HostFacts> {
        self.units
            .into_iter()
            .map(|u| u.expect("a record").facts)
            .collect()
    }
}

fn read_with<R: Read>(mut reader: JsonFacts<R>, max: usize) -> Outcome {
    let mut outcome = Outcome::default();
    // Every batch makes progress, so this bound is never reached by a
    // reader that works.
    for _ in 0..100_000 {
        match reader.next_batch(max) {
            Ok(Some(batch)) => {
                assert!(!batch.is_empty() && batch.len() <= max.max(1));
                outcome.batches.push(batch.len());
                for unit in batch {
                    outcome.units.push(
                        unit.and_then(|u| parse_unit("in.json", &u))
                            .map_err(|e| e.to_string()),
                    );
                }
            }
            Ok(None) => {
                assert!(matches!(reader.next_batch(max), Ok(None)), "None is final");
                return outcome;
            }
            Err(e) => {
                outcome.fatal = Some(e.to_string());
                assert!(matches!(reader.next_batch(max), Ok(None)), "Err is final");
                return outcome;
            }
        }
    }
    panic!("the reader does not end");
}

fn read(bytes: &[u8]) -> Outcome {
    read_with(JsonFacts::new(bytes, "in.json"), 1000)
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    units
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

const NDJSON: &str = "{\"host\":\"web01\",\"updates\":[\"kb5006714\"]}\n\
                      \n\
                      {\"host\":\"web02\",\"os\":{\"current_build\":\"17763.2210\"}}\n\
                      {\"host\":\"web03\"}\n";

const PRETTY_ARRAY: &str = r#"[
    {
        "host": "web01",
        "updates": [
            "KB5006714"
        ]
    },
    {
        "host": "web02",
        "os": {
            "current_build": 17763,
            "ubr": 2210
        }
    }
]
"#;

#[test]
fn ndjson_lines_are_records_with_their_lines() {
    let out = read(NDJSON.as_bytes());
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts(), ["web01", "web02", "web03"]);
    assert_eq!(out.lines(), [1, 3, 4]);
    let records = out.records();
    assert_eq!(
        records[0].updates.as_deref(),
        Some(&["KB5006714".to_string()][..])
    );
    assert_eq!(
        (records[1].build(), records[1].ubr()),
        (Some(17763), Some(2210))
    );
}

#[test]
fn ndjson_is_streamed_in_batches() {
    let text: String = (0..10)
        .map(|i| format!("{{\"host\":\"h{i}\"}}\n"))
        .collect();
    let out = read_with(JsonFacts::new(text.as_bytes(), "in.json"), 3);
    assert_eq!(out.batches, [3, 3, 3, 1]);
    assert_eq!(out.hosts().len(), 10);
    assert_eq!(out.lines(), (1..=10).collect::<Vec<u64>>());
    // A batch size of 0 still makes progress.
    let out = read_with(JsonFacts::new(text.as_bytes(), "in.json"), 0);
    assert_eq!(out.batches, [1; 10]);
}

#[test]
fn records_of_a_batch_share_blocks_and_keep_their_own_text() {
    // Lines of every size around the block size (one far larger), blank
    // lines, a bad line and a byte order mark between them: each record
    // is its own line's text, whichever block it landed in.
    let mut text = Vec::new();
    let mut want = Vec::new();
    for i in 0..2000usize {
        let pad = "x".repeat(match i {
            7 => 200_000,
            i => (i * 37) % 700,
        });
        match i % 97 {
            5 => text.extend_from_slice(b"\n   \r\n"),
            11 => text.extend_from_slice(b"\xEF\xBB\xBF"),
            _ => {}
        }
        let line = if i == 300 {
            "{\"host\":".to_string()
        } else {
            format!(
                "{{\"host\":\"h{i}\",\"collected_at\":null,\"os\":{{\"product_name\":\"{pad}\"}}}}"
            )
        };
        text.extend_from_slice(line.as_bytes());
        text.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
        want.push(line);
    }
    let mut reader = JsonFacts::new(text.as_slice(), "in.json");
    let mut got = Vec::new();
    while let Some(batch) = reader.next_batch(333).unwrap() {
        got.extend(batch.into_iter().map(|u| u.unwrap().text.to_string()));
    }
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(g == w, "record {i} differs");
    }
}

#[test]
fn crlf_line_ends_are_accepted() {
    let out = read(NDJSON.replace('\n', "\r\n").as_bytes());
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts(), ["web01", "web02", "web03"]);
    assert_eq!(out.lines(), [1, 3, 4]);
    let out = read(PRETTY_ARRAY.replace('\n', "\r\n").as_bytes());
    assert_eq!(out.hosts(), ["web01", "web02"]);
    assert_eq!(out.lines(), [2, 8]);
}

#[test]
fn one_pretty_object_is_one_record() {
    let text = "\n  {\n  \"host\": \"db01\",\n  \"root_auto_update_disabled\": true\n}\n";
    let out = read(text.as_bytes());
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts(), ["db01"]);
    assert_eq!(out.lines(), [2]);
    assert_eq!(out.records()[0].root_auto_update_disabled, Some(true));
}

#[test]
fn concatenated_objects_are_records() {
    let text =
        "{\n  \"host\": \"a\"\n}\n{\n  \"host\": \"b\"\n}{\"host\":\"c\"} {\"host\":\"d\"}\n";
    let out = read(text.as_bytes());
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts(), ["a", "b", "c", "d"]);
    assert_eq!(out.lines(), [1, 4, 6, 6]);
    // Several objects on the first line are not NDJSON, but still work.
    let out = read(b"{\"host\":\"a\"}{\"host\":\"b\"}\n{\"host\":\"c\"}");
    assert_eq!(out.hosts(), ["a", "b", "c"]);
}

#[test]
fn arrays_pretty_or_compact_are_records() {
    let out = read(PRETTY_ARRAY.as_bytes());
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts(), ["web01", "web02"]);
    assert_eq!(out.lines(), [2, 8]);
    let records = out.records();
    assert_eq!(
        (records[1].build(), records[1].ubr()),
        (Some(17763), Some(2210))
    );

    let out = read(br#"[{"host":"a"},{"host":"b"}]"#);
    assert_eq!(out.hosts(), ["a", "b"]);
    let out = read(b"  []  ");
    assert!(out.units.is_empty() && out.fatal.is_none());
    // Arrays one after another (files joined with `cat`).
    let out = read(b"[{\"host\":\"a\"}]\n[{\"host\":\"b\"}]\n");
    assert_eq!(out.hosts(), ["a", "b"]);
}

#[test]
fn array_is_handed_out_in_batches() {
    let text: Vec<String> = (0..7).map(|i| format!("{{\"host\":\"h{i}\"}}")).collect();
    let text = format!("[{}]", text.join(",\n"));
    let out = read_with(JsonFacts::new(text.as_bytes(), "in.json"), 3);
    assert_eq!(out.batches, [3, 3, 1]);
    assert_eq!(out.lines(), (1..=7).collect::<Vec<u64>>());
}

#[test]
fn utf8_bom_is_skipped() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(NDJSON.as_bytes());
    assert_eq!(read(&bytes).hosts(), ["web01", "web02", "web03"]);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(PRETTY_ARRAY.as_bytes());
    assert_eq!(read(&bytes).hosts(), ["web01", "web02"]);
    // A BOM at the start of a later line: NDJSON files joined with `cat`.
    let out = read(b"{\"host\":\"a\"}\n\xEF\xBB\xBF{\"host\":\"b\"}\n");
    assert_eq!(out.hosts(), ["a", "b"]);
}

#[test]
fn utf16_with_bom_is_decoded() {
    // What Windows PowerShell 5 `ConvertTo-Json | Out-File` writes.
    let text = PRETTY_ARRAY
        .replace('\n', "\r\n")
        .replace("web02", "wéb02-主機-😀");
    let out = read(&utf16(&text, false, true));
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts(), ["web01", "wéb02-主機-😀"]);
    assert_eq!(out.lines(), [2, 8]);
    let out = read(&utf16(NDJSON, true, true));
    assert_eq!(out.hosts(), ["web01", "web02", "web03"]);
    assert_eq!(out.lines(), [1, 3, 4]);
    // Without a BOM, recognised by its zero bytes.
    assert_eq!(read(&utf16(NDJSON, false, false)).hosts().len(), 3);
    assert_eq!(read(&utf16(NDJSON, true, false)).hosts().len(), 3);
}

#[test]
fn utf16_ndjson_is_streamed_across_decoder_chunks() {
    let text: String = (0..3000)
        .map(|i| format!("{{\"host\":\"h{i}-😀\"}}\r\n"))
        .collect();
    let out = read_with(
        JsonFacts::new(&utf16(&text, false, true)[..], "in.json"),
        500,
    );
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts().len(), 3000);
    assert_eq!(out.hosts()[2999], "h2999-😀");
    assert_eq!(out.batches.len(), 6);
}

#[test]
fn broken_utf16_is_a_format_error() {
    let mut bytes = utf16(NDJSON, false, true);
    bytes.push(b'x');
    let out = read(&bytes);
    assert!(
        out.fatal.as_deref().unwrap().contains("not valid UTF-16"),
        "{out:?}"
    );
    let mut bytes = utf16("{\"host\":\"a", false, true);
    bytes.extend_from_slice(&0xD800u16.to_le_bytes());
    bytes.extend_from_slice(&utf16("\"}", false, false));
    let out = read(&bytes);
    assert!(
        out.fatal.as_deref().unwrap().contains("unpaired surrogate"),
        "{out:?}"
    );
    let out = read(b"\xFF\xFE\0\0{\0\0\0");
    assert!(out.fatal.as_deref().unwrap().contains("UTF-32"), "{out:?}");
}
