//! What a reader cannot read is unknown, never "none": real `systeminfo`
//! outputs that list updates (`../shared/testdata/real/systeminfo/`, with
//! their truth) and the language fixtures, damaged in their hotfix section
//! or version line, never read as "no update installed", nor as another
//! build.

use std::path::Path;
use std::sync::LazyLock;

use acsready_sources::parse_hotfixes;
use proptest::prelude::*;
use regex::Regex;

struct Doc {
    name: String,
    lines: Vec<String>,
    build: u32,
    /// The hotfix field's line, and the line after its entries.
    section: (usize, usize),
    version: usize,
}

static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s+\[0*1\]\s*:\s*(KB|Q\d|\d|\{|File)").expect("valid regex")
});
static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\S.*:\s+\d+\.\d+\.(\d+)\s").expect("valid regex"));

fn doc(name: String, text: &str) -> Option<Doc> {
    let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let first = lines.iter().position(|l| ITEM.is_match(l))?;
    let label = first.checked_sub(1)?;
    let end = (first..lines.len())
        .find(|&i| !lines[i].starts_with(char::is_whitespace))
        .unwrap_or(lines.len());
    let version = lines.iter().position(|l| VERSION.is_match(l))?;
    let build = VERSION.captures(&lines[version])?[1].parse().ok()?;
    Some(Doc {
        name,
        lines,
        build,
        section: (label, end),
        version,
    })
}

/// The files of a folder, by name.
fn sorted(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    paths
}

static DOCS: LazyLock<Vec<Doc>> = LazyLock::new(|| {
    let truth: serde_json::Value = serde_json::from_slice(
        &std::fs::read(acsready_testkit::shared("testdata/real/truth.json")).expect("truth"),
    )
    .expect("JSON");
    let mut docs = Vec::new();
    for path in sorted(&acsready_testkit::shared("testdata/real/systeminfo")) {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let want = &truth["systeminfo"][&name];
        let listed = want["kbs"].as_array().is_some_and(|k| !k.is_empty());
        if !name.contains("systeminfo") || !listed {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read");
        let text = if bytes.starts_with(b"\xFF\xFE") {
            encoding_rs::UTF_16LE.decode(&bytes).0.into_owned()
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let doc = doc(name.clone(), &text).unwrap_or_else(|| panic!("{name}: no section"));
        if let Some(build) = want["build"].as_u64() {
            assert_eq!(u64::from(doc.build), build, "{name}");
        }
        docs.push(doc);
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/systeminfo");
    for path in sorted(&fixtures) {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".txt") && !name.contains("none") && !name.contains("table") {
            let text = std::fs::read_to_string(&path).expect("read");
            docs.push(doc(name.clone(), &text).unwrap_or_else(|| panic!("{name}: no section")));
        }
    }
    assert!(docs.len() >= 40, "{} documents", docs.len());
    docs
});

/// One damage: what it does to the lines of a document.
#[derive(Debug, Clone)]
enum Damage {
    DeleteLabel,
    DeleteSection,
    DeleteEntries(usize, usize),
    CutInSection(usize, usize),
    ReplaceInSection(usize, usize, char),
    DeleteVersion,
    ReplaceInVersion(usize, char),
}

fn damage() -> impl Strategy<Value = Damage> {
    let c = prop_oneof![
        Just(' '),
        Just(':'),
        Just('['),
        Just(']'),
        Just('0'),
        Just('7'),
        Just('x'),
        Just('\u{3000}'),
        any::<char>().prop_filter("no line break", |c| *c != '\n' && *c != '\r'),
    ];
    prop_oneof![
        Just(Damage::DeleteLabel),
        Just(Damage::DeleteSection),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Damage::DeleteEntries(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Damage::CutInSection(a, b)),
        (any::<usize>(), any::<usize>(), c.clone())
            .prop_map(|(a, b, c)| Damage::ReplaceInSection(a, b, c)),
        Just(Damage::DeleteVersion),
        (any::<usize>(), c).prop_map(|(a, c)| Damage::ReplaceInVersion(a, c)),
    ]
}

fn replace_char(line: &str, at: usize, with: char) -> String {
    let n = line.chars().count().max(1);
    line.chars()
        .enumerate()
        .map(|(i, c)| if i == at % n { with } else { c })
        .collect()
}

fn apply(doc: &Doc, damage: &Damage) -> String {
    let mut lines = doc.lines.clone();
    let (label, end) = doc.section;
    match *damage {
        Damage::DeleteLabel => {
            lines.remove(label);
        }
        Damage::DeleteSection => {
            lines.drain(label..end);
        }
        Damage::DeleteEntries(a, b) => {
            let entries = end - label - 1;
            let from = label + 1 + a % entries;
            let to = from + 1 + b % (end - from);
            lines.drain(from..to.min(end));
        }
        Damage::CutInSection(a, b) => {
            let at = label + a % (end - label);
            let kept = lines[at].chars().count();
            lines[at] = lines[at].chars().take(b % (kept + 1)).collect();
            lines.truncate(at + 1);
            return lines.join("\n");
        }
        Damage::ReplaceInSection(a, b, c) => {
            let at = label + a % (end - label);
            lines[at] = replace_char(&lines[at], b, c);
        }
        Damage::DeleteVersion => {
            lines.remove(doc.version);
        }
        Damage::ReplaceInVersion(a, c) => {
            lines[doc.version] = replace_char(&lines[doc.version], a, c);
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn damage_never_reads_as_none_nor_as_another_build(
        index in 0usize..1000,
        damage in damage(),
    ) {
        let doc = &DOCS[index % DOCS.len()];
        let text = apply(doc, &damage);
        let Ok(h) = parse_hotfixes(text.as_bytes(), &doc.name) else {
            return Ok(());
        };
        prop_assert_ne!(
            h.known_updates(),
            Some(&[][..]),
            "{} {:?}: read as no update; {:?}",
            doc.name,
            damage,
            h.problems
        );
        prop_assert!(
            h.build.is_none() || h.build == Some(doc.build),
            "{} {:?}: build {:?}",
            doc.name,
            damage,
            h.build
        );
        if matches!(damage, Damage::DeleteVersion) {
            prop_assert_eq!(h.build, None);
            prop_assert!(
                h.problems.iter().any(|p| p.file == doc.name && p.message.contains("build is unknown")),
                "{:?}",
                h.problems
            );
        }
        if !matches!(damage, Damage::DeleteVersion | Damage::ReplaceInVersion(..)) {
            prop_assert_eq!(h.build, Some(doc.build), "{} {:?}", doc.name, damage);
        }
    }
}

/// The section deleted from every document: unknown, with a problem naming
/// the file.
#[test]
fn a_missing_section_is_unknown() {
    for doc in DOCS.iter() {
        let h = parse_hotfixes(apply(doc, &Damage::DeleteSection).as_bytes(), &doc.name)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.updates, None, "{}", doc.name);
        assert!(
            h.problems
                .iter()
                .any(|p| p.file == doc.name && p.message.starts_with("no hotfix section")),
            "{}: {:?}",
            doc.name,
            h.problems
        );
    }
}
