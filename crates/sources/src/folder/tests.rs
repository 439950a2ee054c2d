mod classify_tests {
    use super::super::*;

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(classify("x", b"regf\0\0\0\0"), Kind::Hive);
        assert_eq!(classify("x", b"ElfFile\0rest"), Kind::Evtx);
        assert_eq!(classify("SOFTWARE.LOG1", b"regf"), Kind::Ignored);
        assert_eq!(
            classify(
                "a.reg",
                "\u{feff}Windows Registry Editor Version 5.00\r\n".as_bytes()
            ),
            Kind::RegExport
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("REGEDIT4\r\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(classify("b.reg", &utf16), Kind::RegExport);
        assert_eq!(
            classify(
                "cv.txt",
                b"\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n    A    REG_SZ    b\r\n"
            ),
            Kind::RegQuery
        );
        assert_eq!(
            classify("e.xml", b"<Events><Event/></Events>"),
            Kind::EventsXml
        );
        assert_eq!(classify("h.json", b"{\"host\":\"a\"}"), Kind::FactsJson);
        assert_eq!(
            classify(
                "collector.txt",
                b"computer=WEB01\r\ncollector_version=1\r\n"
            ),
            Kind::Manifest
        );
        assert_eq!(classify("SCPeasyFix.txt", b"whatever"), Kind::EasyFix);
        assert_eq!(
            classify("log.txt", b"... Fixing result is True"),
            Kind::EasyFix
        );
        assert_eq!(
            classify("absent-keys.txt", b"HKLM\\SOFTWARE\\TrendMicro"),
            Kind::AbsentKeys
        );
        assert_eq!(classify("qfe.txt", b"HotFixID=KB5005625"), Kind::Hotfixes);
        assert_eq!(classify("errors.txt", b"x"), Kind::Ignored);
    }

    #[test]
    fn absent_keys_are_made_relative_to_software() {
        let keys = absent_software_keys("HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\TrendMicro\r\nHKCU\\X\r\n");
        assert_eq!(
            keys,
            ["Policies\\Microsoft\\SystemCertificates", "TrendMicro"]
        );
    }
}

/// A collector folder written by test code, file by file as the collector does.
mod collected_tests {
    use super::super::*;
    use acsready_testkit::{
        acs_root_der, cert_blob, temp_dir, utf16le_bom as utf16, ACS_ROOT_SHA1 as ROOT,
    };

    fn blob_hex() -> String {
        let b = cert_blob(&acs_root_der());
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn write_folder(dir: &Path) {
        let put = |name: &str, bytes: Vec<u8>| std::fs::write(dir.join(name), bytes).unwrap();
        put("CurrentVersion.txt", b"\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n    ProductName    REG_SZ    Windows Server 2012 R2 Standard\r\n    InstallationType    REG_SZ    Server\r\n    CurrentBuild    REG_SZ    9600\r\n    UBR    REG_DWORD    0x4f5c\r\n\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\r\n".to_vec());
        put("CBS-Packages.reg", utf16("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\Package_for_KB4474419~31bf3856ad364e35~amd64~~6.3.1.0]\r\n\"CurrentState\"=dword:00000070\r\n\r\n"));
        put("Cert-AuthRoot.reg", utf16(&format!("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\AuthRoot\\Certificates\\{ROOT}]\r\n\"Blob\"=hex:{}\r\n\r\n", blob_hex())));
        put("Cert-ROOT.reg", utf16("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\ROOT\\Certificates]\r\n\r\n"));
        put("absent-keys.txt", b"HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\r\nHKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\r\n".to_vec());
        put("Uninstall.reg", utf16("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{A}]\r\n\"DisplayName\"=\"Trend Micro Deep Security Agent\"\r\n\"DisplayVersion\"=\"20.0.0.5137\"\r\n\r\n"));
        put("qfe.txt", utf16("\r\r\n\r\r\nDescription=Security Update\r\r\nHotFixID=KB5022352\r\r\nInstalledOn=1/20/2023\r\r\n\r\r\n"));
        put("Application-events.xml", "<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Trend Micro Apex One'/><EventID>900</EventID><TimeCreated SystemTime='2023-04-01T10:00:00.000Z'/></System><EventData><Data>C:\\x.dll</Data></EventData><RenderingInfo Culture='ja-JP'><Message>ダウンロードされた1つ以上のファイルに有効なデジタル署名が含まれていませんでした C:\\x.dll</Message></RenderingInfo></Event></Events>".as_bytes().to_vec());
        put(
            "SCPeasyFix.txt",
            b"2023-03-29 10:00:00 start\r\n2023-03-29 10:00:05 Fixing result is True\r\n".to_vec(),
        );
        put(
            "errors.txt",
            b"[Cert-Policies.reg] not exported: key not present\r\n".to_vec(),
        );
        put("TrendMicro.reg.partial", b"garbage".to_vec());
        put(
            "collector.txt",
            b"computer=WS12R2-DB01\r\ncollector_version=1\r\ncomplete=yes\r\n".to_vec(),
        );
    }

    fn opts_products() -> KnownProducts {
        crate::rules_fixture::with_rules(KnownProducts {
            display_names: vec![(
                "Trend Micro Deep Security Agent".into(),
                "deep_security_agent".into(),
            )],
            ..KnownProducts::default()
        })
    }

    #[test]
    fn a_collector_folder_gives_merged_facts_with_sources() {
        let dir = temp_dir("folder");
        let host_dir = dir.join("WS12R2-DB01");
        std::fs::create_dir_all(&host_dir).unwrap();
        write_folder(&host_dir);
        let products = opts_products();
        let filter = EventFilter {
            ids: vec![900, 11708],
            ..EventFilter::default()
        };
        let opts = EvidenceOptions {
            products: &products,
            events: &filter,
        };
        let ev = read_host_folder(&host_dir, None, &opts).expect("folder reads");
        let f = &ev.facts;
        assert_eq!(ev.complete, Some(true));
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
        assert_eq!(f.host, "WS12R2-DB01");
        assert_eq!(f.build(), Some(9600));
        assert_eq!(f.ubr(), Some(20316));
        assert_eq!(
            f.updates.as_deref(),
            Some(&["KB4474419".to_string(), "KB5022352".to_string()][..])
        );
        assert!(
            f.sources["updates"].contains("CBS-Packages.reg")
                && f.sources["updates"].contains("qfe.txt"),
            "{:?}",
            f.sources
        );
        let certs = f.certificates.as_ref().unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].der_sha1.as_deref(), Some(ROOT));
        assert_eq!(
            f.root_auto_update_disabled,
            Some(false),
            "the policy key is listed absent"
        );
        assert_eq!(f.agents.as_ref().unwrap()[0].version, "20.0.0.5137");
        assert_eq!(f.events.as_ref().unwrap().len(), 1);
        assert!(f.events.as_ref().unwrap()[0]
            .message
            .as_deref()
            .unwrap()
            .contains("有効なデジタル署名"));
        assert_eq!(f.easyfix, Some(acsready_facts::EasyFix::Fixed));
        assert!(f.conflicts.is_empty(), "{:?}", f.conflicts);
        let kinds: Vec<&str> = ev.used.iter().map(|(_, k)| *k).collect();
        assert!(
            kinds.contains(&"reg query output") && kinds.contains(&"wevtutil XML"),
            "{kinds:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_empty_folder_is_an_error() {
        let dir = temp_dir("empty");
        std::fs::write(dir.join("notes.partial"), b"x").unwrap();
        let products = opts_products();
        let filter = EventFilter::all();
        let opts = EvidenceOptions {
            products: &products,
            events: &filter,
        };
        let err = read_host_folder(&dir, None, &opts).unwrap_err().to_string();
        assert!(err.contains("no evidence file"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn read_variant(name: &str, edit: impl Fn(&Path)) -> HostEvidence {
        let dir = temp_dir(name);
        let host_dir = dir.join("WS12R2-DB01");
        std::fs::create_dir_all(&host_dir).unwrap();
        write_folder(&host_dir);
        edit(&host_dir);
        let products = opts_products();
        let filter = EventFilter {
            ids: vec![900, 11708],
            ..EventFilter::default()
        };
        let opts = EvidenceOptions {
            products: &products,
            events: &filter,
        };
        let ev = read_host_folder(&host_dir, None, &opts).expect("folder reads");
        let _ = std::fs::remove_dir_all(&dir);
        ev
    }

    /// A key the collector could not read leaves what it feeds unknown,
    /// even when another export of the same fact was read; a key listed
    /// absent does not.
    #[test]
    fn unreadable_keys_make_their_facts_unknown_with_a_warning() {
        let ev = read_variant("unreadable", |dir| {
            std::fs::write(
                dir.join("absent-keys.txt"),
                b"HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\r\n",
            )
            .unwrap();
            std::fs::write(
                dir.join("unreadable-keys.txt"),
                b"HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\r\n",
            )
            .unwrap();
        });
        let f = &ev.facts;
        assert_eq!(f.agents, None, "agents unknown, not the one agent read");
        assert!(
            f.certificates.is_some(),
            "certificates are not under that key"
        );
        assert_eq!(f.root_auto_update_disabled, Some(false));
        assert_eq!(f.build(), Some(9600));
        let warning = ev
            .problems
            .iter()
            .find(|p| p.file.ends_with("unreadable-keys.txt") && p.message.contains("Wow6432Node"))
            .unwrap_or_else(|| panic!("a warning names the file and key: {:?}", ev.problems));
        assert!(warning.message.contains("Administrator"), "{warning}");
        assert!(
            ev.problems
                .iter()
                .any(|p| p.message.contains("agents unknown")),
            "{:?}",
            ev.problems
        );

        let ev = read_variant("unreadable-root", |dir| {
            std::fs::write(
                dir.join("unreadable-keys.txt"),
                b"HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\ROOT\r\n",
            )
            .unwrap();
        });
        assert_eq!(ev.facts.certificates, None, "{:?}", ev.problems);
        assert!(ev.facts.agents.is_some());
        assert_eq!(ev.facts.root_auto_update_disabled, Some(false));
    }

    /// An empty events XML is named for what it is, and the events stay
    /// unknown; it is not taken for an empty `wmic qfe` output.
    #[test]
    fn an_empty_events_file_says_what_it_is() {
        let ev = read_variant("empty-events", |dir| {
            std::fs::write(dir.join("Application-events.xml"), b"").unwrap();
            std::fs::write(dir.join("System-events.xml"), b"\xff\xfe").unwrap();
        });
        assert_eq!(ev.facts.events, None, "events unknown");
        for file in ["Application-events.xml", "System-events.xml"] {
            let p = ev
                .problems
                .iter()
                .find(|p| p.file.contains(file))
                .unwrap_or_else(|| panic!("{file} named: {:?}", ev.problems));
            assert!(
                p.message.contains("empty")
                    && p.message.contains("wevtutil")
                    && p.message.contains("events are unknown"),
                "{p}"
            );
        }
        assert!(
            !Note::texts(&ev.problems).iter().any(|p| p.contains("wmic")),
            "{:?}",
            ev.problems
        );
        assert!(ev.facts.updates.is_some(), "the other files still read");
    }
}
