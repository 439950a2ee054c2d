//! The page gathered in parts and with texts rendered from codes and
//! parameters (as `assess` gathers it) is the page its hosts make one by
//! one; names and sources, stored split, read back as they were.

use acsready_assess::Detail;

use super::tests::{decoded, details, fleet, host, identity, render};
use super::*;

/// The example fleet assessed in `lang` with `detail` (several sources for
/// some hosts).
fn example_hosts(lang: Lang, detail: Detail) -> Vec<HostAssessment> {
    let rules = acsready_rules::Rules::embedded().unwrap();
    let text = include_str!("../../../../examples/fleet.ndjson");
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            let mut facts: acsready_facts::HostFacts = serde_json::from_str(line).unwrap();
            facts.normalize().unwrap();
            let mut a = acsready_assess::assess_with(&facts, &rules, lang, detail);
            a.sources = vec![format!("fleet.ndjson:{}", n + 1)];
            if n % 3 == 1 {
                a.sources.push("C:\\evidence\\<host>\\SOFTWARE".into());
            }
            a
        })
        .collect()
}

/// Hosts of every kind the page keeps: the example fleet as assessed (with
/// several sources for some), the test fleet, agents, a module prediction.
fn varied_hosts(lang: Lang) -> Vec<HostAssessment> {
    let mut hosts = example_hosts(lang, Detail::Full);
    hosts.extend(fleet());
    hosts.push(crate::tests::host_with_two_agents());
    let mut with_module = host("mod01", "Windows Server 2022", Verdict::Ready);
    with_module.modules.push(acsready_assess::ModulePrediction {
        path: "C:\\m\\agent.msi".into(),
        outcome: acsready_assess::Outcome::Blocked,
        reason: "理由".into(),
        reason_text: None,
    });
    hosts.push(with_module);
    hosts
}

/// What the page keeps of hosts: all but the findings' parameters and the
/// plans' reason codes (the page shows texts in its one language) and the
/// modules' reason texts.
fn kept(hosts: &[HostAssessment]) -> Vec<HostAssessment> {
    let mut hosts = hosts.to_vec();
    for h in &mut hosts {
        h.findings.iter_mut().for_each(|f| f.params.clear());
        h.agents.iter_mut().for_each(|p| p.reason_code.clear());
        h.modules.iter_mut().for_each(|m| m.reason_text = None);
    }
    hosts
}

/// Hosts gathered in parts (as `assess` does, on several threads) and merged
/// in order make the page adding them one by one makes, byte for byte.
#[test]
fn parts_merged_in_order_make_the_same_page() {
    for lang in [Lang::En, Lang::Ja] {
        let hosts: Vec<HostAssessment> = varied_hosts(lang)
            .into_iter()
            .cycle()
            .take(120)
            .enumerate()
            .map(|(i, mut h)| {
                h.host = format!("{}-{}", h.host, i % 50);
                h
            })
            .collect();
        let whole = render(hosts.clone(), lang, &Problems::default());
        assert!(
            decoded(&whole).hosts == kept(&hosts),
            "{lang}: the page lost a host"
        );
        for size in [1, 2, 7, 64, 120] {
            let mut summary = Summary::default();
            let mut r = HtmlReport::new(crate::tests::style(lang), identity());
            let empty = r.part();
            r.merge(&empty);
            for (i, chunk) in hosts.chunks(size).enumerate() {
                let mut part = r.part();
                for h in chunk {
                    summary.add(h);
                    part.host(h);
                }
                r.merge(&part);
                // An empty part between two changes nothing.
                if i % 3 == 1 {
                    r.merge(&empty.fresh());
                }
            }
            let mut out = Vec::new();
            r.finish(&mut out, &summary, &Problems::default()).unwrap();
            assert!(
                out == whole.as_bytes(),
                "{lang}: parts of {size} make another page"
            );
        }
    }
}

/// Hosts assessed without texts, their texts rendered by the page from
/// codes and parameters (as `assess` gathers them), make the page the hosts
/// assessed with every text make.
#[test]
fn texts_rendered_by_the_page_are_the_assessments_texts() {
    let rules = acsready_rules::Rules::embedded().unwrap();
    for lang in [Lang::En, Lang::Ja] {
        let full = example_hosts(lang, Detail::Full);
        let whole = render(full.clone(), lang, &Problems::default());
        let mut texts = TextCache::new(&rules, lang);
        let mut summary = Summary::default();
        let mut r = HtmlReport::new(crate::tests::style(lang), identity());
        for chunk in example_hosts(lang, Detail::Params).chunks(4) {
            let mut part = r.part();
            for h in chunk {
                assert!(h.findings.iter().all(|f| f.title.is_empty()));
                summary.add(h);
                part.host_rendering(h, &mut texts);
            }
            r.merge(&part);
        }
        let mut out = Vec::new();
        r.finish(&mut out, &summary, &Problems::default()).unwrap();
        assert!(out == whole.as_bytes(), "{lang}: rendered texts differ");
        assert!(decoded(&whole).hosts == kept(&full));
    }
}

/// Names are split at their first `.` and sources before a line number;
/// every odd name and source reads back as it was.
#[test]
fn names_and_sources_read_back_as_they_were() {
    let shapes: [(&str, &[&str]); 10] = [
        ("web01.corp.example.jp", &["b.ndjson:12"]),
        ("web02.corp.example.jp", &["b.ndjson:13", "extra.reg"]),
        ("db", &["a.ndjson:2"]),
        (".hidden", &[]),
        ("", &["a.ndjson:007"]),
        ("trailing.", &["x:y:0"]),
        ("日本.例", &["C:\\evidence\\host:4294967295"]),
        ("big", &["c.ndjson:4294967296"]),
        ("neg", &["b.ndjson:1", "b.ndjson:1"]),
        ("colon:", &["d:", ":5"]),
    ];
    let hosts: Vec<HostAssessment> = shapes
        .iter()
        .map(|(name, sources)| {
            let mut h = host(name, "Windows Server 2019", Verdict::Ready);
            h.sources = sources.iter().map(|s| s.to_string()).collect();
            h
        })
        .collect();
    let html = render(hosts.clone(), Lang::En, &Problems::default());
    assert_eq!(decoded(&html).hosts, hosts);
    // An NDJSON file's lines are written as differences: mostly 1.
    let lines = (1..=50).map(|i| {
        let mut h = host(&format!("h{i}.corp"), "Windows Server 2019", Verdict::Ready);
        h.sources = vec![format!("fleet.ndjson:{i}")];
        h
    });
    let html = render(lines.collect(), Lang::En, &Problems::default());
    assert!(details(&html).contains(&format!("\"line\":[1{}]", ",1".repeat(49))));
}
