use proptest::prelude::*;

use super::*;
use crate::text::utf16le_with_bom;

const KBS: [&str; 3] = ["KB5005625", "KB5005112", "KB5005701"];

/// The whole list read, if it is whole.
fn known(out: &Hotfixes) -> Option<Vec<&str>> {
    out.known_updates()
        .map(|u| u.iter().map(String::as_str).collect())
}

fn parse(bytes: &[u8]) -> Hotfixes {
    parse_hotfixes(bytes, "qfe.txt").unwrap_or_else(|e| panic!("{e}"))
}

/// Every encoding a Windows host may write `text` in: UTF-16 LE with BOM
/// (`cmd` / PowerShell redirection), UTF-8 with and without BOM, and
/// wmic's CR CR LF line ends.
fn encodings(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    vec![
        ("utf-16le bom", utf16le_with_bom(&crlf)),
        ("utf-8", crlf.clone().into_bytes()),
        (
            "utf-8 bom",
            [&b"\xEF\xBB\xBF"[..], crlf.as_bytes()].concat(),
        ),
        ("cr cr lf", crlf.replace("\r\n", "\r\r\n").into_bytes()),
        ("lf", text.replace("\r\n", "\n").into_bytes()),
    ]
}

fn check(text: &str, format: HotfixFormat, host: Option<&str>) -> Vec<Hotfixes> {
    encodings(text)
        .into_iter()
        .map(|(what, bytes)| {
            let out = parse(&bytes);
            assert_eq!(out.format, format, "{what}");
            assert_eq!(known(&out), Some(KBS.to_vec()), "{what}");
            assert_eq!(out.host.as_deref(), host, "{what}");
            assert_eq!(out.problems, Vec::<Note>::new(), "{what}");
            out
        })
        .collect()
}

const WMIC_LIST_FULL: &str = "\r
\r
Caption=http://support.microsoft.com/?kbid=5005625\r
CSName=WEB01\r
Description=Update\r
FixComments=\r
HotFixID=KB5005625\r
InstallDate=\r
InstalledBy=NT AUTHORITY\\SYSTEM\r
InstalledOn=9/15/2021\r
Name=\r
ServicePackInEffect=\r
Status=\r
\r
\r
Caption=https://support.microsoft.com/help/5005112\r
CSName=WEB01\r
Description=Security Update\r
FixComments=\r
HotFixID=KB5005112\r
InstallDate=\r
InstalledBy=NT AUTHORITY\\SYSTEM\r
InstalledOn=9/15/2021\r
Name=\r
ServicePackInEffect=\r
Status=\r
\r
\r
Caption=https://support.microsoft.com/help/5005701\r
CSName=WEB01\r
Description=Security Update\r
FixComments=\r
HotFixID=KB5005701\r
InstallDate=\r
InstalledBy=\r
InstalledOn=10/1/2021\r
Name=\r
ServicePackInEffect=\r
Status=\r
\r
\r
";

#[test]
fn wmic_qfe_list_full() {
    let out = check(WMIC_LIST_FULL, HotfixFormat::WmicList, Some("WEB01"));
    assert_eq!(out[0].os_facts(), None);
    assert_eq!((out[0].build, out[0].hotfix_count), (None, None));
}

/// A wmic table: every column as wide as its widest value plus two spaces.
fn wmic_table(header: &[&str], rows: &[&[&str]]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap()
                + 2
        })
        .collect();
    let line = |cells: &[&str]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<String>()
            + "\r\n"
    };
    let mut out = line(header);
    for row in rows {
        out.push_str(&line(row));
    }
    out.push_str("\r\n");
    out
}

#[test]
fn wmic_qfe_get_hotfixid_installedon() {
    let text = wmic_table(
        &["HotFixID", "InstalledOn"],
        &[
            &["KB5005625", "9/15/2021"],
            &["KB5005112", "9/15/2021"],
            &["KB5005701", "10/1/2021"],
        ],
    );
    assert!(text.starts_with("HotFixID   InstalledOn  \r\nKB5005625  9/15/2021    \r\n"));
    check(&text, HotfixFormat::WmicTable, None);
    let only_ids = "HotFixID   \r\nKB5005625  \r\nKB5005112  \r\nKB5005701  \r\n\r\n";
    check(only_ids, HotfixFormat::WmicTable, None);
}

#[test]
fn wmic_qfe_list_table() {
    let text = wmic_table(
        &[
            "Caption",
            "CSName",
            "Description",
            "FixComments",
            "HotFixID",
            "InstallDate",
            "InstalledBy",
            "InstalledOn",
            "Name",
            "ServicePackInEffect",
            "Status",
        ],
        &[
            &[
                "http://support.microsoft.com/?kbid=5005625",
                "WEB01",
                "Update",
                "",
                "KB5005625",
                "",
                "NT AUTHORITY\\SYSTEM",
                "9/15/2021",
                "",
                "",
                "",
            ],
            &[
                "https://support.microsoft.com/help/5005112",
                "WEB01",
                "Security Update",
                "",
                "KB5005112",
                "",
                "NT AUTHORITY\\SYSTEM",
                "9/15/2021",
                "",
                "",
                "",
            ],
            &[
                "https://support.microsoft.com/help/5005701",
                "WEB01",
                "Security Update",
                "",
                "KB5005701",
                "",
                "管理者",
                "10/1/2021",
                "",
                "",
                "",
            ],
        ],
    );
    check(&text, HotfixFormat::WmicTable, Some("WEB01"));
    // Brief: no Caption, no CSName.
    let text = wmic_table(
        &[
            "Description",
            "FixComments",
            "HotFixID",
            "InstallDate",
            "InstalledBy",
            "InstalledOn",
            "Name",
            "ServicePackInEffect",
            "Status",
        ],
        &[
            &[
                "Update",
                "",
                "KB5005625",
                "",
                "NT AUTHORITY\\SYSTEM",
                "9/15/2021",
                "",
                "",
                "",
            ],
            &[
                "Security Update",
                "",
                "KB5005112",
                "",
                "NT AUTHORITY\\SYSTEM",
                "9/15/2021",
                "",
                "",
                "",
            ],
            &[
                "Security Update",
                "",
                "KB5005701",
                "",
                "",
                "10/1/2021",
                "",
                "",
                "",
            ],
        ],
    );
    check(&text, HotfixFormat::WmicTable, None);
}

#[test]
fn wmic_qfe_csv() {
    let text = "\r
Node,Caption,CSName,Description,FixComments,HotFixID,InstallDate,InstalledBy,InstalledOn,Name,ServicePackInEffect,Status\r
WEB01,http://support.microsoft.com/?kbid=5005625,WEB01,Update,,KB5005625,,NT AUTHORITY\\SYSTEM,9/15/2021,,,\r
WEB01,https://support.microsoft.com/help/5005112,WEB01,Security Update,,KB5005112,,NT AUTHORITY\\SYSTEM,9/15/2021,,,\r
WEB01,https://support.microsoft.com/help/5005701,WEB01,Security Update,,KB5005701,,,10/1/2021,,,\r
";
    check(text, HotfixFormat::WmicCsv, Some("WEB01"));
    let get = "\r\nNode,HotFixID,InstalledOn\r\nWEB01,KB5005625,9/15/2021\r\nWEB01,KB5005112,9/15/2021\r\nWEB01,KB5005701,10/1/2021\r\n";
    check(get, HotfixFormat::WmicCsv, Some("WEB01"));
}

const SYSTEMINFO_EN: &str = "
Host Name:                 WEB01
OS Name:                   Microsoft Windows Server 2019 Standard
OS Version:                10.0.17763 N/A Build 17763
OS Manufacturer:           Microsoft Corporation
OS Configuration:          Member Server
OS Build Type:             Multiprocessor Free
Registered Owner:          Windows User
Original Install Date:     3/1/2021, 9:00:00 AM
System Boot Time:          10/2/2021, 1:23:45 AM
BIOS Version:              VMware, Inc. VMW71.00V.16707776.B64.2008070230, 8/7/2020
Windows Directory:         C:\\Windows
Virtual Memory: Max Size:  6,143 MB
Domain:                    corp.example.jp
Hotfix(s):                 3 Hotfix(s) Installed.
                           [01]: KB5005625
                           [02]: KB5005112
                           [03]: KB5005701
Network Card(s):           1 NIC(s) Installed.
                           [01]: vmxnet3 Ethernet Adapter
                                 Connection Name: Ethernet0
                                 DHCP Enabled:    No
                                 IP address(es)
                                 [01]: 192.168.1.10
Hyper-V Requirements:      A hypervisor has been detected. Features required for Hyper-V will not be displayed.
";

const SYSTEMINFO_JA: &str = "
ホスト名:               WEB01
OS 名:                  Microsoft Windows Server 2019 Standard
OS バージョン:          10.0.17763 N/A ビルド 17763
OS 製造元:              Microsoft Corporation
OS 構成:                メンバー サーバー
OS ビルドの種類:        Multiprocessor Free
登録されている所有者:   Windows ユーザー
最初のインストール日付: 2021/03/01, 9:00:00
BIOS バージョン:        VMware, Inc. VMW71.00V.16707776.B64.2008070230, 2020/08/07
Windows ディレクトリ:   C:\\Windows
仮想メモリ: 最大サイズ: 6,143 MB
ドメイン:               corp.example.jp
修正プログラム:         3 個の修正プログラムがインストールされています。
                        [01]: KB5005625
                        [02]: KB5005112
                        [03]: KB5005701
ネットワーク カード:    1 NIC(s) インストールされています。
                        [01]: vmxnet3 Ethernet Adapter
                              接続名:           Ethernet0
                              DHCP が有効:      いいえ
                              IP アドレス
                              [01]: 192.168.1.10
Hyper-V の要件:         ハイパーバイザーが検出されました。Hyper-V で必要な機能は表示されません。
";

fn check_systeminfo(out: &Hotfixes) {
    assert_eq!(
        out.os_name.as_deref(),
        Some("Microsoft Windows Server 2019 Standard")
    );
    assert_eq!(out.build, Some(17763));
    assert_eq!(out.hotfix_count, Some(3));
    assert_eq!(
        out.os_facts(),
        Some(OsFacts {
            product_name: Some("Microsoft Windows Server 2019 Standard".into()),
            current_build: Some("17763".into()),
            ubr: None,
            ..OsFacts::default()
        })
    );
}

#[test]
fn systeminfo_list_english_and_japanese() {
    for out in check(SYSTEMINFO_EN, HotfixFormat::SysteminfoList, Some("WEB01")) {
        check_systeminfo(&out);
        assert_eq!(
            out.os_version.as_deref(),
            Some("10.0.17763 N/A Build 17763")
        );
    }
    for out in check(SYSTEMINFO_JA, HotfixFormat::SysteminfoList, Some("WEB01")) {
        check_systeminfo(&out);
        assert_eq!(
            out.os_version.as_deref(),
            Some("10.0.17763 N/A ビルド 17763")
        );
    }
    // Shift_JIS, as systeminfo > file writes it on a Japanese host.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(SYSTEMINFO_JA);
    let out = parse(&sjis);
    assert_eq!(out.format, HotfixFormat::SysteminfoList);
    assert_eq!(known(&out), Some(KBS.to_vec()));
    check_systeminfo(&out);
}

fn systeminfo_csv(header: &[&str], row: &[&str]) -> String {
    let quote = |cells: &[&str]| {
        cells
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    quote(header) + &quote(row)
}

#[test]
fn systeminfo_csv_english_and_japanese() {
    let en = systeminfo_csv(
        &["Host Name", "OS Name", "OS Version", "OS Manufacturer", "Virtual Memory: Max Size", "Domain", "Hotfix(s)", "Network Card(s)", "Hyper-V Requirements"],
        &["WEB01", "Microsoft Windows Server 2019 Standard", "10.0.17763 N/A Build 17763", "Microsoft Corporation", "6,143 MB", "corp.example.jp",
          "3 Hotfix(s) Installed.,[01]: KB5005625,[02]: KB5005112,[03]: KB5005701",
          "1 NIC(s) Installed.,[01]: vmxnet3 Ethernet Adapter,      Connection Name: Ethernet0,      DHCP Enabled:    No,      IP address(es),      [01]: 192.168.1.10",
          "A hypervisor has been detected. Features required for Hyper-V will not be displayed."],
    );
    for out in check(&en, HotfixFormat::SysteminfoCsv, Some("WEB01")) {
        check_systeminfo(&out);
    }
    let ja = systeminfo_csv(
        &["ホスト名", "OS 名", "OS バージョン", "OS 製造元", "仮想メモリ: 最大サイズ", "ドメイン", "修正プログラム", "ネットワーク カード", "Hyper-V の要件"],
        &["WEB01", "Microsoft Windows Server 2019 Standard", "10.0.17763 N/A ビルド 17763", "Microsoft Corporation", "6,143 MB", "corp.example.jp",
          "3 個の修正プログラムがインストールされています。,[01]: KB5005625,[02]: KB5005112,[03]: KB5005701",
          "1 NIC(s) インストールされています。,[01]: vmxnet3 Ethernet Adapter,      接続名:           Ethernet0,      [01]: 192.168.1.10",
          "ハイパーバイザーが検出されました。Hyper-V で必要な機能は表示されません。"],
    );
    for out in check(&ja, HotfixFormat::SysteminfoCsv, Some("WEB01")) {
        check_systeminfo(&out);
    }
}

#[test]
fn odd_entries_and_counts_are_problems() {
    // Old Windows lists updates without a KB as "File 1"; the count then
    // still matches the listed entries.
    let text = SYSTEMINFO_EN.replace(
        "                           [03]: KB5005701\n",
        "                           [03]: KB5005701\n                           [04]: File 1\n                           [05]: kb5005625\n",
    );
    let out = parse(text.as_bytes());
    assert_eq!(out.updates, Some(KBS.map(String::from).to_vec()));
    assert_eq!(
        out.known_updates(),
        None,
        "5 listed, 3 said: not the whole list"
    );
    assert_eq!(
        out.problems[0],
        Note::at(
            "qfe.txt",
            19,
            "hotfix \"File 1\" is not a KB number; skipped"
        )
    );
    assert!(
        Note::texts(&out.problems)[1]
            .starts_with("qfe.txt:15: systeminfo says 3 hotfixes are installed but lists 5;"),
        "{:?}",
        out.problems
    );
    assert_eq!(out.problems.len(), 2);
    // No updates: "N/A".
    let text = SYSTEMINFO_EN.replace(
        "3 Hotfix(s) Installed.\n                           [01]: KB5005625\n                           [02]: KB5005112\n                           [03]: KB5005701\n",
        "N/A\n",
    );
    let out = parse(text.as_bytes());
    assert_eq!(out.known_updates(), Some(&[][..]), "{out:?}");
    assert!(out.problems.is_empty(), "{out:?}");
    assert_eq!(out.hotfix_count, None);
    // A second host is not mixed in.
    let out =
        parse(format!("{SYSTEMINFO_EN}{}", SYSTEMINFO_JA.replace("WEB01", "WEB02")).as_bytes());
    assert_eq!(
        (out.host.as_deref(), out.known_updates().map(<[_]>::len)),
        (Some("WEB01"), Some(3))
    );
    assert_eq!(
        Note::texts(&out.problems),
        ["qfe.txt:27: a second host (WEB02); only the first is read"]
    );
    // wmic: IDs that are not KB numbers.
    let out = parse(b"HotFixID=Q147222\r\nHotFixID=KB5005625\r\nHotFixID=\r\n");
    assert_eq!(out.known_updates(), Some(&["KB5005625".to_string()][..]));
    assert_eq!(
        Note::texts(&out.problems),
        ["qfe.txt:1: hotfix \"Q147222\" is not a KB number; skipped"]
    );
    let out = parse(b"No Instance(s) Available.\r\n");
    assert_eq!(
        (out.format, out.known_updates()),
        (HotfixFormat::WmicTable, Some(&[][..]))
    );
    // wmic's blank output: it lists nothing, or failed.
    let out = parse(b"\xFF\xFE\r\0\n\0");
    assert_eq!(out.updates, None);
    assert!(
        out.problems[0].to_string().contains("only blank lines"),
        "{out:?}"
    );
}

#[test]
fn other_inputs_are_format_errors() {
    let cases: [(&[u8], &str); 5] = [
        (b"", "found an empty file"),
        (b"   ", "found an empty file"),
        (b"hello world\r\n", "found \"hello world\""),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "found binary data"),
        (
            b"\"Name\",\"Value\"\r\n\"a\",\"b\"\r\n",
            "without a HotFixID column",
        ),
    ];
    for (bytes, says) in cases {
        let error = parse_hotfixes(bytes, "qfe.txt").unwrap_err();
        assert!(matches!(error, SourceError::Format { .. }), "{error}");
        let text = error.to_string();
        assert!(
            text.starts_with("qfe.txt: expected the output of `wmic qfe`"),
            "{text}"
        );
        assert!(text.contains(says), "{text}");
    }
}

#[test]
fn read_hotfixes_reads_a_path() {
    let dir = std::env::temp_dir().join(format!("acsready-hotfixes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("qfe.txt");
    std::fs::write(&path, utf16le_with_bom(WMIC_LIST_FULL)).unwrap();
    let read = read_hotfixes(&path).unwrap();
    assert_eq!(known(&read), Some(KBS.to_vec()));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(read_hotfixes(&path), Err(SourceError::Io { .. })));
}

fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let docs = prop_oneof![
        Just(WMIC_LIST_FULL.as_bytes().to_vec()),
        Just(utf16le_with_bom(WMIC_LIST_FULL)),
        Just(SYSTEMINFO_EN.as_bytes().to_vec()),
        Just(utf16le_with_bom(SYSTEMINFO_JA)),
        Just(b"HotFixID   InstalledOn  \r\nKB5005625  9/15/2021    \r\n".to_vec()),
        Just(b"\r\nNode,HotFixID\r\nA,KB1\r\n".to_vec()),
        Just(
            "\"ホスト名\",\"修正プログラム\"\r\n\"A\",\"1 個,[01]: KB5\"\r\n"
                .as_bytes()
                .to_vec()
        ),
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
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_hotfixes(&bytes, "x");
    }

    #[test]
    fn arbitrary_text_never_panics(
        prefix in prop_oneof![Just(""), Just("HotFixID\n"), Just("Node,HotFixID\n"), Just("\"Hotfix(s)\"\n"), Just("Hotfix(s): "), Just("修正プログラム: ")],
        text in "[\\[\\]:=,\" \\n0-9KBkb\\PC]{0,300}",
    ) {
        let input = format!("{prefix}{text}");
        if let Ok(out) = parse_hotfixes(input.as_bytes(), "x") {
            prop_assert!(out.updates.iter().flatten().all(|kb| acsready_facts::normalize_kb(kb).as_deref() == Ok(kb.as_str())));
        }
        let _ = parse_hotfixes(&utf16le_with_bom(&input), "x");
    }

    #[test]
    fn mutated_samples_never_panic(input in mutated()) {
        let _ = parse_hotfixes(&input, "x");
    }
}
