use acsready_facts::EventFact;
use proptest::prelude::*;

use super::*;
use crate::evtx::tests::{evtx_bytes, testdata};
use crate::text::utf16le_with_bom;

/// What `wevtutil qe Application /q:"*[System[(EventID=900 or
/// EventID=11708)]]" /f:RenderedXml /e:Events` writes on a Japanese host
/// (plus an unrelated event), CRLF. wevtutil quotes attributes with `'`.
const RENDERED: &str = "<Events>\r
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Trend Micro Apex One'/><EventID Qualifiers='0'>900</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='2023-03-15T01:02:03.4567890Z'/><EventRecordID>12345</EventRecordID><Correlation/><Execution ProcessID='0' ThreadID='0'/><Channel>Application</Channel><Computer>pc-20h2-01</Computer><Security/></System><EventData><Data>C:\\Program Files (x86)\\Trend Micro\\Security Agent\\Temp\\TmListen.exe</Data></EventData><RenderingInfo Culture='ja-JP'><Message>ダウンロードされた1つ以上のファイルに有効なデジタル署名が含まれていませんでした C:\\Program Files (x86)\\Trend Micro\\Security Agent\\Temp\\TmListen.exe</Message><Level>エラー</Level><Task></Task><Opcode>情報</Opcode><Channel>Application</Channel><Provider></Provider><Keywords><Keyword>クラシック</Keyword></Keywords></RenderingInfo></Event>\r
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='MsiInstaller'/><EventID Qualifiers='0'>11708</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='2023-03-16T10:20:30.0000000Z'/><EventRecordID>12399</EventRecordID><Correlation/><Execution ProcessID='4321' ThreadID='0'/><Channel>Application</Channel><Computer>pc-20h2-01</Computer><Security UserID='S-1-5-18'/></System><EventData><Data>Product: Trend Micro Apex One Security Agent -- Installation failed.</Data><Data>(NULL)</Data><Data>(NULL)</Data><Data>(NULL)</Data><Data>(NULL)</Data><Data>(NULL)</Data><Data></Data><Binary>7B33363531&#x0A;</Binary></EventData><RenderingInfo Culture='ja-JP'><Message>製品 Trend Micro Apex Oneセキュリティエージェント -- インストール操作に失敗しました。</Message><Level>エラー</Level><Task></Task><Opcode></Opcode><Channel></Channel><Provider></Provider><Keywords><Keyword>クラシック</Keyword></Keywords></RenderingInfo></Event>\r
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Application Error'/><EventID Qualifiers='0'>1000</EventID><TimeCreated SystemTime='2023-03-17T00:00:00.0000000Z'/></System><EventData><Data>notepad.exe</Data><Data>10.0.19041.1</Data></EventData><RenderingInfo Culture='ja-JP'><Message>障害が発生しているアプリケーション名: notepad.exe、バージョン: 10.0.19041.1\r
障害が発生しているモジュール名: ntdll.dll</Message></RenderingInfo></Event>\r
</Events>\r
";

const MESSAGE_900: &str = "ダウンロードされた1つ以上のファイルに有効なデジタル署名が含まれていませんでした C:\\Program Files (x86)\\Trend Micro\\Security Agent\\Temp\\TmListen.exe";
const MESSAGE_11708: &str =
    "製品 Trend Micro Apex Oneセキュリティエージェント -- インストール操作に失敗しました。";

fn parse(bytes: &[u8], filter: &EventFilter) -> EventLog {
    parse_wevtutil_xml(bytes, "events.xml", filter).unwrap_or_else(|e| panic!("{e}"))
}

fn fact(id: u32, provider: &str, time: &str, message: &str) -> EventFact {
    EventFact {
        id,
        provider: Some(provider.into()),
        time: Some(time.into()),
        message: Some(message.into()),
    }
}

fn expected_rendered() -> Vec<EventFact> {
    vec![
        fact(900, "Trend Micro Apex One", "2023-03-15T01:02:03.4567890Z", MESSAGE_900),
        fact(11708, "MsiInstaller", "2023-03-16T10:20:30.0000000Z", MESSAGE_11708),
        fact(
            1000,
            "Application Error",
            "2023-03-17T00:00:00.0000000Z",
            "障害が発生しているアプリケーション名: notepad.exe、バージョン: 10.0.19041.1 障害が発生しているモジュール名: ntdll.dll",
        ),
    ]
}

#[test]
fn rendered_xml_gives_the_rendered_message() {
    for (what, bytes) in [
        ("utf-8", RENDERED.as_bytes().to_vec()),
        (
            "utf-8 bom",
            [&b"\xEF\xBB\xBF"[..], RENDERED.as_bytes()].concat(),
        ),
        ("utf-16le bom", utf16le_with_bom(RENDERED)),
        ("lf", RENDERED.replace("\r\n", "\n").into_bytes()),
    ] {
        let log = parse(&bytes, &EventFilter::all());
        assert_eq!(log.events, expected_rendered(), "{what}");
        assert_eq!(log.records_read, 3, "{what}");
        assert!(log.problems.is_empty(), "{what}: {:?}", log.problems);
    }
}

#[test]
fn the_filter_of_the_rules_picks_the_acs_events() {
    let filter = EventFilter {
        ids: vec![900, 11708],
        ..EventFilter::default()
    };
    let log = parse(RENDERED.as_bytes(), &filter);
    assert_eq!(log.records_read, 3);
    assert_eq!(log.events, expected_rendered()[..2]);
    // What the rules match (ACS030, ACS031) is in the messages.
    assert!(log.events[0]
        .message
        .as_deref()
        .unwrap()
        .contains("有効なデジタル署名が含まれていませんでした"));
    assert!(log.events[1]
        .message
        .as_deref()
        .unwrap()
        .contains("Apex One"));

    // Text filters see the data strings too (the English Data of the MSI event).
    let filter = EventFilter {
        messages: vec!["INSTALLATION FAILED".into()],
        ..EventFilter::default()
    };
    assert_eq!(
        parse(RENDERED.as_bytes(), &filter).events,
        expected_rendered()[1..2]
    );
    let filter = EventFilter {
        providers: vec!["trend micro".into()],
        ..EventFilter::default()
    };
    assert_eq!(
        parse(RENDERED.as_bytes(), &filter).events,
        expected_rendered()[..1]
    );
}

/// `/f:xml` without `/e:`: events one after the other, no root, no
/// RenderingInfo: the data strings are the message.
#[test]
fn plain_xml_without_a_root_gives_the_data_strings() {
    let plain = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='MsiInstaller'/><EventID Qualifiers='0'>11708</EventID><TimeCreated SystemTime='2023-03-16T10:20:30.0000000Z'/></System><EventData><Data>Product: Trend Micro Apex One Security Agent -- Installation failed.</Data><Data>(NULL)</Data><Binary>7B33</Binary></EventData></Event><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Eventlog' Guid='{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}'/><EventID>104</EventID><TimeCreated SystemTime='2019-03-19T23:34:25.8943413Z'/></System><UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'><SubjectUserName>user01</SubjectUserName><SubjectDomainName>EXAMPLE</SubjectDomainName><Channel>System</Channel><BackupPath></BackupPath></LogFileCleared></UserData></Event>";
    for bytes in [plain.as_bytes().to_vec(), utf16le_with_bom(plain)] {
        let log = parse(&bytes, &EventFilter::all());
        assert!(log.problems.is_empty(), "{:?}", log.problems);
        assert_eq!(
            log.events,
            [
                fact(
                    11708,
                    "MsiInstaller",
                    "2023-03-16T10:20:30.0000000Z",
                    "Product: Trend Micro Apex One Security Agent -- Installation failed. (NULL)"
                ),
                fact(
                    104,
                    "Microsoft-Windows-Eventlog",
                    "2019-03-19T23:34:25.8943413Z",
                    "user01 EXAMPLE System"
                ),
            ]
        );
    }
}

#[test]
fn broken_events_are_reported_with_their_line_and_skipped() {
    let text = "<Events>
<Event><System><Provider Name='A'/><EventID>1</EventID></System></Event>
<Event><System><Provider Name='B'/>
<EventID>2</EventID></Sytem></Event>
<Event><System><Provider Name='C'/></System><EventData><Data>no id</Data></EventData></Event>
<Event><System><Provider Name='D'/><EventID>x</EventID></System></Event>
<Event><System><Provider Name='E'/><EventID>5</EventID></System>
<Event><System><Provider Name='F' EventSourceName='G'/><EventID>6</EventID></System></Event>
<Event/>
</Events>
";
    let log = parse(text.as_bytes(), &EventFilter::all());
    let ids: Vec<(u32, Option<&str>)> = log
        .events
        .iter()
        .map(|e| (e.id, e.provider.as_deref()))
        .collect();
    assert_eq!(ids, [(1, Some("A")), (6, Some("F"))]);
    assert_eq!(log.records_read, 2);
    assert_eq!(
        Note::texts(&log.problems),
        [
            "events.xml:4: ill-formed document: expected `</System>`, but `</Sytem>` was found (in the event starting at line 3); skipped",
            "events.xml:5: the event has no valid System/EventID; skipped",
            "events.xml:6: the event has no valid System/EventID; skipped",
            "events.xml:7: the <Event> element is not closed (in the event starting at line 7); skipped",
            "events.xml:9: the event has no valid System/EventID; skipped",
        ]
    );
}

#[test]
fn entities_cdata_and_prefixes() {
    let text = "<?xml version='1.0' encoding='UTF-16'?>\n<e:Event xmlns:e='http://schemas.microsoft.com/win/2004/08/events/event'><e:System><e:Provider Name='A &amp; B'/><e:EventID> 7 </e:EventID></e:System><e:EventData><e:Data>x &lt; y &#x3042;&#12354; &nbsp;</e:Data><e:Data><![CDATA[<raw> & ]]></e:Data></e:EventData></e:Event>";
    let log = parse(text.as_bytes(), &EventFilter::all());
    assert!(log.problems.is_empty(), "{:?}", log.problems);
    assert_eq!(
        log.events,
        [EventFact {
            id: 7,
            provider: Some("A & B".into()),
            time: None,
            message: Some("x < y ああ &nbsp; <raw> &".into()),
        }]
    );
}

#[test]
fn empty_documents_and_other_text() {
    for empty in ["<?xml version='1.0'?>\n<Events>\n</Events>\n", "<Events/>"] {
        let log = parse(empty.as_bytes(), &EventFilter::all());
        assert_eq!(log, EventLog::default(), "{empty:?}");
    }
    let cases: [(&[u8], &str); 7] = [
        // Nothing written, or the root cut: the events are unknown.
        (b"", "the file is empty"),
        (b"\r\n", "the file is empty"),
        (b"<Events>\r\n", "found \"<Events>"),
        (b"hello", "found \"hello\""),
        (
            b"Event[0]:\r\n  Log Name: Application\r\n  Event ID: 900\r\n",
            "this looks like `wevtutil qe … /f:text`",
        ),
        (b"<Log><Entry/></Log>", "found \"<Log><Entry/></Log>\""),
        (b"ElfFile\0\x01\x02", "this is an .evtx event log"),
    ];
    for (bytes, says) in cases {
        let error = parse_wevtutil_xml(bytes, "events.xml", &EventFilter::all()).unwrap_err();
        assert!(matches!(error, SourceError::Format { .. }), "{error}");
        assert!(error.to_string().contains(says), "{error}");
    }
}

#[test]
fn read_wevtutil_xml_reads_a_path() {
    let dir = std::env::temp_dir().join(format!("acsready-wevtutil-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("events.xml");
    std::fs::write(&path, utf16le_with_bom(RENDERED)).unwrap();
    let log = read_wevtutil_xml(&path, &EventFilter::all()).unwrap();
    assert_eq!(log.events, expected_rendered());
    std::fs::remove_dir_all(&dir).unwrap();
    let error = read_wevtutil_xml(&path, &EventFilter::all()).unwrap_err();
    assert!(matches!(error, SourceError::Io { .. }), "{error}");
}

/// The records of every sample `.evtx`, rendered to XML by the `evtx` crate,
/// give the same facts through this parser as `read_evtx` gives from the
/// binary file.
#[test]
fn xml_of_evtx_records_gives_the_same_facts_as_read_evtx() {
    let dir = testdata("evtx");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".evtx"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 8, "{names:?}");
    let mut compared = 0;
    for name in &names {
        let from_evtx =
            crate::read_evtx_bytes(evtx_bytes(name), name, &EventFilter::all()).unwrap();
        let mut parser = ::evtx::EvtxParser::from_buffer(evtx_bytes(name))
            .unwrap()
            .with_configuration(::evtx::ParserSettings::new().indent(true));
        let records: Vec<String> = parser
            .records()
            .map(|r| r.unwrap_or_else(|e| panic!("{name}: {e}")).data)
            .collect();
        assert_eq!(records.len() as u64, from_evtx.records_read, "{name}");
        // As evtx_dump writes them (a declaration before each record), and
        // as `wevtutil /e:Events` would (one root, no declarations).
        let concatenated = records.join("\n");
        let wrapped = format!(
            "<Events>{}</Events>",
            records
                .iter()
                .map(|r| r.trim_start_matches("<?xml version=\"1.0\" encoding=\"utf-8\"?>"))
                .collect::<String>()
        );
        for (what, bytes) in [
            ("concatenated", concatenated.into_bytes()),
            (
                "utf-16 <Events>",
                utf16le_with_bom(&wrapped.replace('\n', "\r\n")),
            ),
        ] {
            let from_xml = parse_wevtutil_xml(&bytes, name, &EventFilter::all()).unwrap();
            assert_eq!(from_xml.problems, Vec::<Note>::new(), "{name} {what}");
            assert_eq!(
                from_xml.records_read, from_evtx.records_read,
                "{name} {what}"
            );
            for (i, (x, e)) in from_xml.events.iter().zip(&from_evtx.events).enumerate() {
                assert_eq!(x, e, "{name} {what}: record #{i}");
            }
            assert_eq!(from_xml.events.len(), from_evtx.events.len());
        }
        compared += from_evtx.events.len();
    }
    // 17 + 1 + 17 + 2216 + 1 + 1601 + 1 + 1160
    assert_eq!(compared, 5014);
}

/// Sample XML mutated a little: a good start for breaking things.
fn mutated_xml() -> impl Strategy<Value = Vec<u8>> {
    let docs = prop_oneof![
        Just(RENDERED.as_bytes().to_vec()),
        Just(utf16le_with_bom(RENDERED)),
        Just(b"<Event><System><EventID>1</EventID></System><UserData><a x='1'>t&amp;</a></UserData></Event><Event/>".to_vec()),
    ];
    (
        docs,
        proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..8),
    )
        .prop_map(|(doc, edits)| acsready_testkit::apply_edits(doc, &edits))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_input_never_panics(
        prefix in prop_oneof![Just(""), Just("<Event>"), Just("<Events><Event><System><EventID>"), Just("\u{FEFF}<Event xmlns='x'>")],
        text in "[<>/='\"&;#a-zA-Z0-9 \\n\\PC]{0,300}",
    ) {
        let input = format!("{prefix}{text}");
        if let Ok(log) = parse_wevtutil_xml(input.as_bytes(), "x.xml", &EventFilter::all()) {
            let starts = event_starts(&input).len() as u64;
            prop_assert!(log.records_read <= starts);
            prop_assert!(log.events.len() as u64 <= log.records_read);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_wevtutil_xml(&bytes, "x.xml", &EventFilter::all());
    }

    #[test]
    fn mutated_xml_never_panics(input in mutated_xml()) {
        let _ = parse_wevtutil_xml(&input, "x.xml", &EventFilter::all());
    }
}

#[test]
fn many_broken_events_are_capped_and_counted() {
    let text =
        "<Event/>\n".repeat(20_000) + "<Event><System><EventID>1</EventID></System></Event>\n";
    let log = parse(text.as_bytes(), &EventFilter::all());
    assert_eq!(log.records_read, 1);
    assert_eq!(log.problems.len(), crate::MAX_PROBLEMS);
    assert_eq!(
        log.problems[crate::MAX_PROBLEMS - 2],
        Note::at(
            "events.xml",
            crate::MAX_PROBLEMS as u64 - 1,
            "the event has no valid System/EventID; skipped",
        )
    );
    assert_eq!(
        log.problems[crate::MAX_PROBLEMS - 1],
        Note::general(format!(
            "… and {} more problems like these",
            20_000 - (crate::MAX_PROBLEMS - 1)
        ))
    );
}

proptest! {
    /// The rule of docs/host-facts.md: a log cut anywhere, or with bytes
    /// damaged, never reads as "no events" without saying what was lost:
    /// it is an error, or it keeps events, or it lists a problem.
    #[test]
    fn a_cut_or_damaged_log_never_silently_has_no_events(
        at in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..4), 0..4),
    ) {
        let whole = RENDERED.as_bytes();
        let cut = whole[..at.index(whole.len())].to_vec();
        let damaged = acsready_testkit::apply_edits(cut, &edits);
        if let Ok(log) = parse_wevtutil_xml(&damaged, "x.xml", &EventFilter::all()) {
            prop_assert!(
                !log.events.is_empty() || !log.problems.is_empty(),
                "{log:?}"
            );
        }
    }
}

#[test]
fn a_log_cut_between_events_says_so() {
    let cut = &RENDERED[..RENDERED.find("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Application Error'").unwrap()];
    let log = parse(cut.as_bytes(), &EventFilter::all());
    assert_eq!(log.events.len(), 2);
    assert_eq!(
        Note::texts(&log.problems),
        ["events.xml:3: the file ends before </Events> (it was cut short): events after the one \
          starting at this line are lost"]
    );
}
