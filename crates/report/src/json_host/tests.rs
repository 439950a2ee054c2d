use acsready_assess::{assess, assess_with, Detail, Evidence, ModulePrediction, Outcome, Verdict};
use acsready_facts::HostFacts;
use acsready_rules::{Lang, Rules};

use super::*;

/// Every host of the example fleet, assessed in both languages, with
/// sources and evidence sources that need escaping.
fn example_hosts() -> Vec<HostAssessment> {
    let rules = Rules::embedded().unwrap();
    let text = include_str!("../../../../examples/fleet.ndjson");
    let mut hosts = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut facts: HostFacts = serde_json::from_str(line).unwrap();
        facts.normalize().unwrap();
        for lang in [Lang::En, Lang::Ja] {
            let mut a = assess(&facts, &rules, lang);
            a.sources = vec![
                format!("C:\\share\\fleet \"{n}\".ndjson:{n}"),
                "\u{1}\t".into(),
            ];
            hosts.push(a);
        }
    }
    hosts
}

fn serde_bytes(a: &HostAssessment) -> Vec<u8> {
    serde_json::to_vec(a).unwrap()
}

fn ours(enc: &mut JsonHost, a: &HostAssessment) -> Vec<u8> {
    let mut out = Vec::new();
    enc.write(a, &mut out).unwrap();
    out
}

#[test]
fn a_host_is_written_as_serde_writes_it() {
    let mut hosts = example_hosts();
    // As in reports written before plans named their finding.
    let mut old = hosts[1].clone();
    old.agents.iter_mut().for_each(|p| p.reason_code.clear());
    hosts.push(old);
    assert!(hosts.iter().any(|a| a.verdict == Verdict::NotReady));
    assert!(hosts.iter().any(|a| a.os.release.is_none()));
    assert!(hosts.iter().any(|a| a.os.build.is_none()));
    assert!(hosts
        .iter()
        .flat_map(|a| &a.findings)
        .any(|f| f.params.is_empty()));
    assert!(hosts
        .iter()
        .flat_map(|a| &a.agents)
        .any(|p| p.reason_code.is_empty()));
    let mut enc = JsonHost::default();
    // Twice: once filling the cache, once from it.
    for _ in 0..2 {
        for a in &hosts {
            assert_eq!(
                String::from_utf8(ours(&mut enc, a)).unwrap(),
                String::from_utf8(serde_bytes(a)).unwrap()
            );
        }
    }
}

#[test]
fn odd_texts_and_modules_are_written_as_serde_writes_them() {
    let mut a = example_hosts().swap_remove(3);
    a.host = "web\"01\\\u{7f}\u{1f}ホスト".into();
    a.os.name = "\n".into();
    a.os.build = None;
    if let Some(f) = a.findings.first_mut() {
        f.evidence.push(Evidence {
            fact: "x\u{0}".into(),
            value: "値 \"q\"".into(),
            source: Some("a\\b".into()),
        });
    }
    a.modules.push(ModulePrediction {
        path: "C:\\m\\agent.msi".into(),
        outcome: Outcome::Blocked,
        reason: "理由".into(),
        reason_text: None,
    });
    let mut enc = JsonHost::default();
    assert_eq!(ours(&mut enc, &a), serde_bytes(&a));
}

#[test]
fn a_finding_with_other_texts_under_the_same_code_and_params_is_not_taken_from_the_cache() {
    let rules = Rules::embedded().unwrap();
    let text = include_str!("../../../../examples/fleet.ndjson");
    let mut facts: HostFacts = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    facts.normalize().unwrap();
    let en = assess(&facts, &rules, Lang::En);
    let mut changed = en.clone();
    for f in &mut changed.findings {
        f.title.push_str(" (edited)");
        f.remediation.push("\"another\" step".into());
        f.severity = Severity::Critical;
    }
    let codes_only = acsready_assess::assess_with(&facts, &rules, Lang::En, Detail::Codes);
    let mut enc = JsonHost::default();
    for a in [&en, &changed, &en, &codes_only, &changed] {
        assert_eq!(ours(&mut enc, a), serde_bytes(a));
    }
}

#[test]
fn the_cache_stays_bounded() {
    let base = example_hosts().swap_remove(1);
    let mut enc = JsonHost::default();
    for n in 0..(CAPACITY + 50) {
        let mut a = base.clone();
        for f in &mut a.findings {
            f.params
                .insert("n".into(), acsready_assess::Param::from(n.to_string()));
        }
        assert_eq!(ours(&mut enc, &a), serde_bytes(&a));
        assert!(enc.written.len <= CAPACITY);
    }
}

#[test]
fn a_byte_to_escape_is_found_wherever_it_is() {
    for len in 0..100 {
        let plain = "a".repeat(len);
        assert!(!needs_escape(plain.as_bytes()), "{len}");
        for at in 0..len {
            for special in [b'"', b'\\', b'\n', 0x00, 0x1f] {
                let mut bytes = plain.clone().into_bytes();
                bytes[at] = special;
                assert!(needs_escape(&bytes), "{len} {at} {special}");
            }
        }
    }
    assert!(!needs_escape("日本語のテキスト、0x7F: \u{7f}".as_bytes()));
}

/// The example fleet and agents of every plan kind on ready, unready and
/// unknown hosts (as the facts of a fleet give them).
pub(crate) fn facts_with_agents() -> Vec<HostFacts> {
    let text = include_str!("../../../../examples/fleet.ndjson");
    let mut all: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Agents of every plan kind (testdata/agents-every-plan.json).
    let agents: serde_json::Value =
        serde_json::from_str(include_str!("../../../../testdata/agents-every-plan.json")).unwrap();
    for mut host in all.clone() {
        host["agents"] = agents.clone();
        host["host"] = format!("{}-agents", host["host"].as_str().unwrap_or("")).into();
        all.push(host);
    }
    all.into_iter()
        .map(|v| {
            let mut facts: HostFacts = serde_json::from_value(v).unwrap();
            facts.normalize().unwrap();
            facts
        })
        .collect()
}

#[test]
fn a_host_without_texts_is_written_as_the_host_with_them() {
    let rules = Rules::embedded().unwrap();
    let facts = facts_with_agents();
    assert!(facts
        .iter()
        .any(|f| f.agents.as_ref().is_some_and(|a| a.len() > 3)));
    for lang in [Lang::En, Lang::Ja] {
        let mut texts = TextCache::new(&rules, lang);
        let mut enc = JsonHost::default();
        // Twice: once rendering, once from the bytes kept.
        for _ in 0..2 {
            for f in &facts {
                let bare = assess_with(f, &rules, lang, Detail::Params);
                assert!(bare.findings.iter().all(|f| f.title.is_empty()));
                let mut out = Vec::new();
                enc.write_rendering(&bare, &mut texts, &mut out).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    String::from_utf8(serde_bytes(&assess(f, &rules, lang))).unwrap(),
                    "{} ({lang})",
                    f.host
                );
            }
        }
        // A host with its texts is written with them.
        let whole = assess(&facts[0], &rules, lang);
        let mut out = Vec::new();
        enc.write_rendering(&whole, &mut texts, &mut out).unwrap();
        assert_eq!(out, serde_bytes(&whole));
    }
}
