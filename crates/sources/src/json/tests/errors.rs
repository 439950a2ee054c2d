use super::*;

#[test]
fn bad_ndjson_line_is_reported_and_the_next_lines_still_work() {
    let text = "{\"host\":\"a\"}\n{\"host\":\"b\",,}\n{\"host\":\"c\"}\n{\"host\":\"d\"}\n";
    let out = read(text.as_bytes());
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts(), ["a", "c", "d"]);
    assert_eq!(out.lines(), [1, 3, 4]);
    assert_eq!(out.errors().len(), 1);
    assert!(
        out.errors()[0].starts_with("in.json:2:13: "),
        "{:?}",
        out.errors()
    );
    // A broken first line does not hide the rest.
    let out = read(b"{\"host\":x}\n{\"host\":\"b\"}\n");
    assert_eq!(out.hosts(), ["b"]);
    assert!(
        out.errors()[0].starts_with("in.json:1:9: expected value"),
        "{out:?}"
    );
    // Nor does a truncated first line.
    let out = read(b"{\"host\":\"a\",\"upd\n{\"host\":\"b\"}\n");
    assert_eq!(out.hosts(), ["b"]);
    assert_eq!(out.errors().len(), 1);
    assert!(out.errors()[0].starts_with("in.json:1:"), "{out:?}");
}

#[test]
fn wrong_types_are_reported_at_their_place() {
    let text = "{\"host\":\"a\"}\n{\"host\":\"b\",\"updates\":5}\n{\"updates\":[]}\n[1]\n{\"host\":\"e\"}\n";
    let out = read(text.as_bytes());
    assert_eq!(out.hosts(), ["a", "e"]);
    let errors = out.errors();
    assert_eq!(errors.len(), 3);
    assert!(
        errors[0].starts_with("in.json:2:23: updates: invalid type: integer `5`"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("in.json:3:") && errors[1].contains("missing field `host`"),
        "{errors:?}"
    );
    assert!(
        errors[2].starts_with("in.json:4:2: invalid type"),
        "{errors:?}"
    );
}

#[test]
fn bad_array_element_is_reported_at_its_start_and_others_come_through() {
    let text = r#"[
  {
    "host": "a"
  },
  {
    "host": "b",
    "updates": 5
  },
  {
    "os": {}
  },
  {"host": "d", "agents": [{"product": "x", "version": []}]},
  {
    "host": "e"
  }
]"#;
    let out = read(text.as_bytes());
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts(), ["a", "e"]);
    assert_eq!(out.lines(), [2, 13]);
    let errors = out.errors();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].starts_with("in.json:7:16: updates: invalid type: integer `5`"),
        "{errors:?}"
    );
    assert!(
        errors[0].ends_with("(in the record starting at line 5)"),
        "{errors:?}"
    );
    assert!(errors[1].contains("missing field `host`"), "{errors:?}");
    assert!(
        errors[1].ends_with("(in the record starting at line 9)"),
        "{errors:?}"
    );
    assert!(errors[2].starts_with("in.json:12:"), "{errors:?}");
    assert!(!errors[2].contains("record starting"), "{errors:?}");
}

#[test]
fn normalize_errors_name_the_host() {
    let text = r#"{"host":"web01","updates":["KB1","KB2","x"]}
{"host":" ","updates":["x"]}
{"host":"web03","certificates":[{"sha1":"00","store":"ROOT"}]}
"#;
    let out = read(text.as_bytes());
    assert_eq!(
        out.errors(),
        [
            r#"in.json:1:1: host "web01": updates[2]: "x" is not a KB number (expected e.g. KB5006714)"#,
            "in.json:2:1: `host` is empty",
            r#"in.json:3:1: host "web03": certificates[0].sha1 "00" is not a SHA-1 thumbprint (40 hex digits)"#,
        ]
    );
}

#[test]
fn truncated_files_report_the_break_and_keep_what_came_before() {
    let cut = &PRETTY_ARRAY[..PRETTY_ARRAY.find("\"ubr\"").unwrap()];
    let out = read(cut.as_bytes());
    assert_eq!(out.fatal, None);
    assert_eq!(out.hosts(), ["web01"]);
    assert_eq!(out.errors().len(), 1);
    assert!(out.errors()[0].starts_with("in.json:12:"), "{out:?}");
    assert!(out.errors()[0].contains("truncated"), "{out:?}");

    // Cut between elements: the array is not closed.
    let out = read(b"[\n{\"host\":\"a\"},\n{\"host\":\"b\"}\n");
    assert_eq!(out.hosts(), ["a", "b"]);
    assert_eq!(out.errors().len(), 1);
    assert!(
        out.errors()[0].starts_with("in.json:4:1: unexpected end of file"),
        "{out:?}"
    );

    let out = read(b"{\"host\":\"a\"}\n{\"host\":\"b\"}\n{\"host\":\"c\",\"upd");
    assert_eq!(out.hosts(), ["a", "b"]);
    assert_eq!(out.errors().len(), 1);
    assert!(out.errors()[0].starts_with("in.json:3:"), "{out:?}");
    assert!(out.errors()[0].contains("truncated"), "{out:?}");

    let out = read(b"{\n  \"host\": \"a\",\n  \"updates\": [");
    assert!(out.hosts().is_empty());
    assert!(out.errors()[0].starts_with("in.json:3:"), "{out:?}");
}

#[test]
fn syntax_error_in_an_array_ends_the_file() {
    let out = read(b"[{\"host\":\"a\"},\n {\"host\" \"b\"},\n {\"host\":\"c\"}]");
    assert_eq!(out.hosts(), ["a"]);
    assert_eq!(out.errors(), ["in.json:2:10: expected `:`"]);
    let out = read(b"[{\"host\":\"a\"} {\"host\":\"b\"}]");
    assert_eq!(out.hosts(), ["a"]);
    assert_eq!(
        out.errors(),
        ["in.json:1:15: expected `,` or `]` after an array element"]
    );
    let out = read(b"[{\"host\":\"a\"},]");
    assert_eq!(out.hosts(), ["a"]);
    assert_eq!(out.errors(), ["in.json:1:15: trailing comma before `]`"]);
    let out = read(b"[{\"host\":\"a\"}] 42");
    assert_eq!(out.hosts(), ["a"]);
    assert_eq!(out.errors().len(), 1);
    assert!(out.errors()[0].starts_with("in.json:1:16: expected a JSON object"));
}

#[test]
fn concatenated_objects_resume_after_a_broken_one() {
    let text = "{\n  \"host\": \"a\"\n}\n{\n  \"host\": \"b\",\n  \"updates\": [,]\n}\n{\n  \"host\": \"c\"\n}\n";
    let out = read(text.as_bytes());
    assert_eq!(out.hosts(), ["a", "c"]);
    assert_eq!(out.lines(), [1, 8]);
    assert_eq!(out.errors().len(), 1);
    assert!(
        out.errors()[0].starts_with("in.json:6:15: expected value"),
        "{out:?}"
    );
}

#[test]
fn empty_input_has_no_records_and_no_error() {
    for input in [
        &b""[..],
        b"\n\r\n  \t\n",
        b"\xEF\xBB\xBF",
        b"\xFF\xFE",
        b"\xEF\xBB\xBF\n\n",
    ] {
        let out = read(input);
        assert!(
            out.units.is_empty() && out.fatal.is_none(),
            "{input:?}: {out:?}"
        );
    }
    assert!(read(&utf16("\r\n", false, true)).units.is_empty());
}

#[test]
fn non_json_is_a_format_error() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let cases: [(&[u8], &str); 7] = [
        (png, "found binary data (first byte 0x89)"),
        (b"\x1f\x8b\x08\0\0\0", "gzip"),
        (b"PK\x03\x04\x14\0", "ZIP"),
        (b"  42\n", "found a number"),
        (b"\"web01\"", "found a string"),
        (
            b"host,os\nweb01,2019\n",
            "found text starting with \"host,os\"",
        ),
        (b"\0\0\0\0\x01\x02", "binary data"),
    ];
    for (input, found) in cases {
        let out = read(input);
        assert!(out.units.is_empty(), "{input:?}: {out:?}");
        let fatal = out.fatal.unwrap_or_default();
        assert!(
            fatal.starts_with("in.json: expected a JSON object, an array of objects, or NDJSON")
                && fatal.contains(found),
            "{input:?}: {fatal}"
        );
    }
}

#[test]
fn invalid_utf8_in_a_line_is_a_record_error() {
    let out = read(b"{\"host\":\"a\"}\n{\"host\":\"\xFF\"}\n{\"host\":\"c\"}\n");
    assert_eq!(out.hosts(), ["a", "c"]);
    assert_eq!(out.errors(), ["in.json:2:10: the line is not valid UTF-8"]);
    let out = read(b"[{\"host\":\"a\"},{\"host\":\"\xFF\"}]");
    assert_eq!(out.hosts(), ["a"]);
    assert_eq!(out.errors().len(), 1);
}

#[test]
fn size_limits_are_enforced() {
    let mut reader = JsonFacts::new(PRETTY_ARRAY.as_bytes(), "in.json");
    reader.max_document = 50;
    let out = read_with(reader, 10);
    assert!(out.units.is_empty());
    assert!(out.fatal.unwrap().contains("larger than"));

    let text = "{\"host\":\"a\"}\n{\"host\":\"a-very-long-host-name\"}\n{\"host\":\"c\"}\n";
    let mut reader = JsonFacts::new(text.as_bytes(), "in.json");
    reader.max_line = 20;
    let out = read_with(reader, 10);
    assert_eq!(out.hosts(), ["a", "c"]);
    assert_eq!(out.lines(), [1, 3]);
    assert_eq!(out.errors(), ["in.json:2:1: the line is longer than 0 MiB"]);
}

/// Gives `data`, then fails.
struct Failing(io::Cursor<Vec<u8>>);

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(io::Error::other("disk on fire")),
            n => Ok(n),
        }
    }
}

#[test]
fn io_errors_end_the_file() {
    let failing = |text: &str| Failing(io::Cursor::new(text.as_bytes().to_vec()));
    let out = read_with(JsonFacts::new(failing("  "), "-"), 10);
    assert_eq!(out.fatal.as_deref(), Some("-: disk on fire"));
    let out = read_with(JsonFacts::new(failing(PRETTY_ARRAY), "-"), 10);
    assert!(out.units.is_empty());
    assert_eq!(out.fatal.as_deref(), Some("-: disk on fire"));
}

#[test]
fn ndjson_units_come_before_the_end_of_the_input_is_read() {
    // The reader fails at the end: NDJSON hands out what came before.
    let mut reader = JsonFacts::new(Failing(io::Cursor::new(NDJSON.as_bytes().to_vec())), "-");
    let batch = reader.next_batch(100).unwrap().unwrap();
    assert_eq!(batch.len(), 3);
    assert_eq!(batch[2].as_ref().unwrap().line, 4);
    let error = reader.next_batch(100).unwrap_err();
    assert!(matches!(error, SourceError::Io { .. }), "{error}");
    assert!(reader.next_batch(100).unwrap().is_none());
}

#[test]
fn origin_displays_as_file_and_line() {
    let origin = Origin {
        file: "-".into(),
        line: 12,
    };
    assert_eq!(origin.to_string(), "-:12");
    let unit = Unit {
        line: 12,
        text: "{\"host\":\"a\"}".into(),
    };
    assert_eq!(parse_unit("-", &unit).unwrap().origin, origin);
}
