//! Facts sent as one request body (one object, an array or NDJSON), read
//! by the facts JSON reader of acsready-sources, so errors name the line and
//! the field.

use std::io::Cursor;

use acsready_facts::HostFacts;
use acsready_sources::{parse_unit, JsonFacts, SourceError};
use serde::Serialize;

/// Units parsed per batch of the reader.
const BATCH: usize = 1024;
/// The name of the body in messages.
const BODY: &str = "body";

/// A record of the body that was not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// 1-based line of the body where the record starts (0: the body as a whole).
    pub line: u64,
    pub error: String,
}

/// What a facts body holds.
#[derive(Debug, Default)]
pub struct Parsed {
    pub facts: Vec<HostFacts>,
    pub rejected: Vec<Rejected>,
}

/// Reads every host facts record of a body; bad records are listed with
/// their line and the good ones kept.
pub fn parse_facts(body: &[u8]) -> Parsed {
    parse_facts_checked(body, |_| Ok(()))
}

/// [`parse_facts`], each record also put to `check`: one it refuses is
/// rejected at its line with the message `check` gives.
pub fn parse_facts_checked(
    body: &[u8],
    check: impl Fn(&HostFacts) -> Result<(), String>,
) -> Parsed {
    let mut reader = JsonFacts::new(Cursor::new(body), BODY);
    let mut parsed = Parsed::default();
    loop {
        match reader.next_batch(BATCH) {
            Ok(Some(units)) => {
                for unit in units {
                    match unit.and_then(|u| parse_unit(BODY, &u)) {
                        Ok(record) => match check(&record.facts) {
                            Ok(()) => parsed.facts.push(record.facts),
                            Err(error) => parsed.rejected.push(Rejected {
                                line: record.origin.line,
                                error,
                            }),
                        },
                        Err(e) => parsed.rejected.push(rejection(e)),
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                parsed.rejected.push(rejection(e));
                break;
            }
        }
    }
    parsed
}

fn rejection(e: SourceError) -> Rejected {
    match e {
        SourceError::Record {
            line,
            column,
            message,
            ..
        } => Rejected {
            line,
            error: if column > 1 {
                format!("column {column}: {message}")
            } else {
                message
            },
        },
        SourceError::Format { message, .. } => Rejected {
            line: 0,
            error: message,
        },
        SourceError::Io { source, .. } => Rejected {
            line: 0,
            error: source.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_lines_are_kept_and_bad_ones_named_by_line_and_field() {
        let body = b"{\"host\":\"a\"}\n{\"host\":\"b\",\"os\":{\"ubr\":\"x\"}}\nnot json\n{\"host\":\"c\"}\n";
        let p = parse_facts(body);
        let hosts: Vec<&str> = p.facts.iter().map(|f| f.host.as_str()).collect();
        assert_eq!(hosts, ["a", "c"]);
        assert_eq!(p.rejected.len(), 2, "{:?}", p.rejected);
        assert_eq!(p.rejected[0].line, 2);
        assert!(
            p.rejected[0].error.contains("os.ubr"),
            "{}",
            p.rejected[0].error
        );
        assert_eq!(p.rejected[1].line, 3);
    }

    #[test]
    fn one_object_and_arrays_are_read_too() {
        assert_eq!(parse_facts(b"{\n \"host\": \"a\"\n}\n").facts.len(), 1);
        let p = parse_facts(b"[{\"host\":\"a\"},{\"host\":\"\"}]");
        assert_eq!(p.facts.len(), 1);
        assert_eq!(p.rejected.len(), 1);
        let p = parse_facts(b"\x00\x01binary");
        assert!(p.facts.is_empty());
        assert_eq!(p.rejected.len(), 1);
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every non-blank NDJSON line is either stored or rejected with its
        /// own line number, whatever the lines hold.
        #[test]
        fn every_line_is_accounted_for(
            lines in prop::collection::vec(
                prop_oneof![
                    "[a-z]{1,8}".prop_map(|h| format!("{{\"host\":\"{h}\"}}")),
                    "[ -~]{0,20}",
                ],
                1..20,
            ),
        ) {
            // Keep the body NDJSON: the first line is always a complete object.
            let mut body = String::from("{\"host\":\"first\"}\n");
            body.push_str(&lines.join("\n"));
            let p = parse_facts(body.as_bytes());
            let content = body.lines().filter(|l| !l.trim().is_empty()).count();
            prop_assert_eq!(p.facts.len() + p.rejected.len(), content, "{:?}", p.rejected);
            for r in &p.rejected {
                let line = body.lines().nth(r.line as usize - 1).unwrap_or("");
                prop_assert!(!line.trim().is_empty());
            }
        }
    }
}
