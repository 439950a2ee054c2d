//! Texts rendered at the edge: an assessment in one language, rendered in
//! another from its codes and parameters, reads as if made in that language.

use acsready_rules::Lang;
use serde_json::{json, Value};

use crate::render::render_host;
use crate::tests::{facts, host, rules};
use crate::{assess, assess_with, Detail, HostAssessment};

/// Every host of the example fleet, plus agents on ready, unready and
/// unknown hosts (each plan kind and its steps).
fn hosts() -> Vec<Value> {
    let mut all: Vec<Value> = include_str!("../../../examples/fleet.ndjson")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("example record"))
        .collect();
    // Agents of every plan kind (testdata/agents-every-plan.json).
    let agents: serde_json::Value =
        serde_json::from_str(include_str!("../../../testdata/agents-every-plan.json"))
            .expect("agents");
    for (build, extra) in [
        (
            "17763.2183",
            json!({"delivery": {"no_program_upgrade": true}}),
        ),
        ("17763.2300", json!({})),
        ("17763.2183", json!({})),
    ] {
        let mut h = host(build, "Server", extra);
        h["agents"] = agents.clone();
        all.push(h);
    }
    let mut unknown = host("17763.2300", "Server", json!({}));
    if let Some(o) = unknown.as_object_mut() {
        o.remove("certificates");
        o.remove("root_auto_update_disabled");
    }
    unknown["agents"] = agents;
    all.push(unknown);
    all
}

fn through_json(a: &HostAssessment) -> HostAssessment {
    let text = serde_json::to_string(a).expect("serialise");
    serde_json::from_str(&text).expect("read back")
}

#[test]
fn an_assessment_renders_in_the_other_language_as_if_made_in_it() {
    for (from, to) in [(Lang::En, Lang::Ja), (Lang::Ja, Lang::En)] {
        for record in hosts() {
            let f = facts(record);
            let mut a = through_json(&assess(&f, rules(), from));
            render_host(&mut a, rules(), to);
            assert_eq!(a, assess(&f, rules(), to), "{} {from} → {to}", f.host);
        }
    }
}

#[test]
fn an_assessment_without_texts_renders_at_the_edge_as_if_made_in_the_language() {
    for lang in [Lang::En, Lang::Ja] {
        for record in hosts() {
            let f = facts(record);
            let mut a = assess_with(&f, rules(), Lang::En, Detail::Params);
            assert!(a.findings.iter().all(|f| f.title.is_empty()));
            render_host(&mut a, rules(), lang);
            assert_eq!(a, assess(&f, rules(), lang), "{} {lang}", f.host);
        }
    }
}

#[test]
fn a_report_without_parameters_keeps_its_texts() {
    let f = facts(hosts().remove(0));
    let mut a = assess(&f, rules(), Lang::En);
    for finding in &mut a.findings {
        finding.params.clear();
    }
    for plan in &mut a.agents {
        plan.reason_code.clear();
    }
    let old: HostAssessment = serde_json::from_value(json!(a)).expect("old report");
    let mut again = old.clone();
    render_host(&mut again, rules(), Lang::Ja);
    for (f, before) in again.findings.iter().zip(&old.findings) {
        // Codes whose texts have no placeholders render; the others stay.
        if f.title != before.title {
            assert!(!f.title.contains('{'), "{}", f.title);
        }
    }
    assert_eq!(again.agents, old.agents);
}
