//! A host folder holding only a localized `systeminfo` (as `cmd` writes it,
//! in the OEM code page) is read: its updates and build reach the host's
//! facts. A cut list leaves the updates unknown, never "none".

use std::path::PathBuf;

use acsready_sources::folder::{read_host_folder, EvidenceOptions};
use acsready_sources::registry_facts::KnownProducts;
use acsready_sources::EventFilter;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/systeminfo")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(name: &str, bytes: &[u8]) -> acsready_sources::folder::HostEvidence {
    let dir =
        std::env::temp_dir().join(format!("acsready-folder-si-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("systeminfo.txt"), bytes).expect("write");
    let products = KnownProducts::default();
    let filter = EventFilter::all();
    let opts = EvidenceOptions {
        products: &products,
        events: &filter,
    };
    let ev = read_host_folder(&dir, None, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    ev
}

#[test]
fn localized_systeminfo_is_evidence() {
    let cases: [(&str, &'static encoding_rs::Encoding, u32, &[&str]); 4] = [
        (
            "ja-2012r2.txt",
            encoding_rs::SHIFT_JIS,
            9600,
            &["KB2919355", "KB2919442", "KB5006714"],
        ),
        ("zh-CN-10.txt", encoding_rs::GBK, 17763, &["KB4464455"]),
        (
            "ru-2012r2.txt",
            encoding_rs::IBM866,
            9600,
            &["KB2919355", "KB2919442", "KB2937220"],
        ),
        (
            "ko-10.txt",
            encoding_rs::EUC_KR,
            19045,
            &["KB5031356", "KB5032189"],
        ),
    ];
    for (name, encoding, build, kbs) in cases {
        let text = fixture(name);
        let (bytes, _, _) = encoding.encode(&text);
        let ev = read(name, &bytes);
        assert_eq!(ev.used.len(), 1, "{name}: {:?}", ev.problems);
        assert_eq!(ev.facts.build(), Some(build), "{name}");
        let want: Vec<String> = kbs.iter().map(|k| k.to_string()).collect();
        assert_eq!(ev.facts.updates, Some(want), "{name}");
    }
}

#[test]
fn a_cut_list_leaves_the_updates_unknown() {
    let text = fixture("ja-7-cut.txt");
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let ev = read("ja-7-cut", &bytes);
    assert_eq!(ev.facts.updates, None);
    assert_eq!(ev.facts.build(), Some(7601));
    assert!(
        ev.problems.iter().any(|p| p
            .message
            .contains("says 294 hotfixes are installed but lists 3")),
        "{:?}",
        ev.problems
    );
}
