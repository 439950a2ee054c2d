use super::*;
use crate::Report;

pub(super) fn host(name: &str, os: &str, verdict: Verdict) -> HostAssessment {
    let mut h = crate::tests::host(name, verdict);
    h.os.name = os.into();
    h
}

pub(super) fn identity() -> RulesIdentity {
    RulesIdentity {
        version: "2026.11.1".into(),
        as_of: "2026-11-21".into(),
        schema_version: 1,
        origin: "test".into(),
    }
}

pub(super) fn render(hosts: Vec<HostAssessment>, lang: Lang, problems: &Problems) -> String {
    let mut s = Summary::default();
    let mut r = HtmlReport::new(crate::tests::style(lang), identity());
    for h in hosts {
        s.add(&h);
        r.host(h);
    }
    let mut out = Vec::new();
    r.finish(&mut out, &s, problems).unwrap();
    String::from_utf8(out).unwrap()
}

/// The text of the element with this id (up to the next `<`).
fn text_of<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap();
    &rest[start..start + end]
}

/// The JSON of the script element `id`.
fn script<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = html.find(&open).expect("data script") + open.len();
    let end = html[start..].find("</script>").unwrap();
    &html[start..start + end]
}

/// The data the table reads.
fn embedded(html: &str) -> &str {
    script(html, "acsready-data")
}

/// The data a host's details read.
pub(super) fn details(html: &str) -> &str {
    script(html, "acsready-details")
}

/// The embedded data as a report again: every index resolved, the hosts'
/// columns made host objects again.
pub(super) fn decoded(html: &str) -> Report {
    use serde_json::{json, Value};
    let mut v: Value = serde_json::from_str(embedded(html)).unwrap();
    let d: Value = serde_json::from_str(details(html)).unwrap();
    let strings: Vec<String> = serde_json::from_value(v["strings"].take()).unwrap();
    let at = |x: &Value| x.as_u64().unwrap() as usize;
    let text = |x: &Value| Value::String(strings[at(x)].clone());
    let texts = |x: &Value| Value::Array(x.as_array().unwrap().iter().map(text).collect());
    let finding = |i: &Value| {
        let f = &d["findings"][at(i)];
        let evidence: Vec<Value> = f[3]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let mut o = json!({"fact": text(&e[0]), "value": text(&e[1])});
                if let Some(src) = e.get(2) {
                    o["source"] = text(src);
                }
                o
            })
            .collect();
        json!({"code": text(&f[0]), "severity": text(&f[1]), "title": text(&f[2]),
               "evidence": evidence, "remediation": texts(&f[4])})
    };
    let agent = |i: &Value| {
        let p = &d["agents"][at(i)];
        json!({"product": text(&p[0]), "version": text(&p[1]), "action": text(&p[2]),
               "target": text(&p[3]), "reason": text(&p[5])})
    };
    let module = |i: &Value| {
        let m = &d["modules"][at(i)];
        json!({"path": text(&m[0]), "outcome": text(&m[1]), "reason": text(&m[2])})
    };
    let members = |sets: &str, i: &Value| d[sets][at(i)].as_array().unwrap().clone();
    let (h, dh) = (&v["hosts"], &d["hosts"]);
    let mut line = 0i64;
    let hosts: Vec<Value> = (0..h["host"].as_array().unwrap().len())
        .map(|i| {
            let name = format!(
                "{}{}",
                h["host"][i].as_str().unwrap(),
                strings[at(&h["domain"][i])]
            );
            let mut os =
                json!({"name": text(&h["os"][i]), "build": h["build"][i], "ubr": h["ubr"][i]});
            if !dh["release"][i].is_null() {
                os["release"] = text(&dh["release"][i]);
            }
            let mut sources = vec![];
            if !dh["source"][i].is_null() {
                let mut first = strings[at(&dh["source"][i])].clone();
                if let Some(delta) = dh["line"][i].as_i64() {
                    line += delta;
                    first = format!("{first}:{line}");
                }
                sources.push(Value::String(first));
                if let Some(more) = dh["more_sources"].get(i.to_string()) {
                    sources.extend(more.as_array().unwrap().iter().map(text));
                }
            }
            let modules: Vec<Value> = match dh.get("modules") {
                Some(m) => members("module_sets", &m[i]).iter().map(module).collect(),
                None => vec![],
            };
            let findings = members("finding_sets", &h["findings"][i]);
            let agents = members("agent_sets", &h["agents"][i]);
            json!({
                "host": name,
                "os": os,
                "verdict": Verdict::ALL[at(&h["verdict"][i])].as_str(),
                "findings": findings.iter().map(finding).collect::<Vec<_>>(),
                "agents": agents.iter().map(agent).collect::<Vec<_>>(),
                "sources": sources,
                "modules": modules,
            })
        })
        .collect();
    let report = json!({
        "schema": v["schema"], "generator": v["generator"], "rules": v["rules"],
        "lang": v["lang"], "summary": v["summary"], "errors": v["errors"],
        "warnings": v["warnings"], "hosts": hosts,
    });
    serde_json::from_value(report).unwrap()
}

/// The texts of a host's row: its codes and its plans (by the sets' texts).
fn row_texts(v: &serde_json::Value, host: usize) -> (String, String) {
    let text = |texts: &str, column: &str| {
        let set = v["hosts"][column][host].as_u64().unwrap() as usize;
        let i = v[texts][set].as_u64().unwrap() as usize;
        v["strings"][i].as_str().unwrap().to_string()
    };
    (text("set_codes", "findings"), text("set_plans", "agents"))
}

pub(super) fn fleet() -> Vec<HostAssessment> {
    vec![
        host("web01", "Windows Server 2019", Verdict::NotReady),
        host("web02", "Windows Server 2019", Verdict::Ready),
        host("db01", "Windows Server 2022", Verdict::Ready),
        host("old01", "Windows Server 2008 R2", Verdict::Unsupported),
        host("x</script><script>alert(1)</script>", "", Verdict::Unknown),
    ]
}

#[test]
fn one_document_with_the_counts_and_elements() {
    let html = render(fleet(), Lang::En, &Problems::default());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<html").count(), 1);
    assert_eq!(html.matches("</html>").count(), 1);
    assert_eq!(text_of(&html, "summary-ready"), "2");
    assert_eq!(text_of(&html, "summary-not_ready"), "1");
    assert_eq!(text_of(&html, "summary-unknown"), "1");
    assert_eq!(text_of(&html, "summary-unsupported"), "1");
    assert_eq!(text_of(&html, "action-pin"), "5");
    for id in [
        "id=\"host-filter\"",
        "<table id=\"host-table\"",
        "id=\"host-details\"",
        "id=\"filter-not_ready\"",
        "<svg",
        "id=\"chart-os\"",
        "id=\"chart-actions\"",
    ] {
        assert!(html.contains(id), "{id}");
    }
    assert!(html.contains("Windows Server 2019</td>"));
    assert!(html.contains("Rules 2026.11.1 (as of 2026-11-21)"));
    // Self-contained: nothing is fetched.
    for bad in [
        "src=\"http",
        "href=\"http",
        "<link",
        "<script src",
        "@import",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }
}

#[test]
fn embedded_json_reads_back_with_every_host() {
    let hosts = fleet();
    let problems = Problems {
        errors: vec![crate::InputProblem {
            host: None,
            source: "bad.ndjson:2".into(),
            message: "<b>not json</b>".into(),
        }],
        warnings: vec![],
    };
    let html = render(hosts.clone(), Lang::En, &problems);
    let r = decoded(&html);
    assert_eq!(r.hosts, hosts);
    assert_eq!(r.summary.hosts, 5);
    assert_eq!(r.errors, problems.errors);
    assert_eq!(r.rules, identity());
    let v: serde_json::Value = serde_json::from_str(embedded(&html)).unwrap();
    assert_eq!(v["labels"]["verdicts"]["not_ready"], "not ready");
    // The error is shown escaped.
    assert!(html.contains("&lt;b&gt;not json&lt;/b&gt;"));
}

#[test]
fn texts_repeated_across_hosts_are_written_once() {
    let hosts: Vec<HostAssessment> = (0..500)
        .map(|i| host(&format!("h{i}"), "Windows Server 2019", Verdict::NotReady))
        .collect();
    let title = hosts[0].findings[0].title.clone();
    let step = hosts[0].findings[0].remediation[0].clone();
    let reason = hosts[0].agents[0].reason.clone();
    let html = render(hosts.clone(), Lang::En, &Problems::default());
    for text in [&title, &step, &reason] {
        let json = serde_json::to_string(text).unwrap();
        assert_eq!(html.matches(json.as_str()).count(), 1, "{json}");
    }
    assert_eq!(decoded(&html).hosts, hosts);
}

#[test]
fn script_in_a_host_name_is_harmless() {
    let html = render(fleet(), Lang::En, &Problems::default());
    // Only the three real script elements close: the data, the script and
    // the details' data.
    assert_eq!(html.matches("</script>").count(), 3);
    assert_eq!(html.matches("<script").count(), 3);
    assert!(!html.contains("alert(1)</"));
    assert!(html.contains("x\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"));
    let r = decoded(&html);
    assert_eq!(r.hosts[4].host, "x</script><script>alert(1)</script>");
}

#[test]
fn japanese_labels() {
    let html = render(fleet(), Lang::Ja, &Problems::default());
    assert!(html.contains("<html lang=\"ja\">"));
    for s in [
        "対応済み",
        "未対応",
        "サポート外",
        "ホスト",
        "判定",
        "固定",
        "2026-11-21 時点",
    ] {
        assert!(html.contains(s), "{s}");
    }
    let v: serde_json::Value = serde_json::from_str(embedded(&html)).unwrap();
    assert_eq!(v["labels"]["verdicts"]["ready"], "対応済み");
    assert_eq!(v["labels"]["actions"]["pin"], "固定");
    assert_eq!(v["labels"]["severities"]["high"], "高");
    assert_eq!(v["lang"], "ja");
}

#[test]
fn empty_fleet_is_a_valid_page() {
    let html = render(vec![], Lang::En, &Problems::default());
    assert_eq!(text_of(&html, "summary-ready"), "0");
    let r = decoded(&html);
    assert!(r.hosts.is_empty());
}

#[test]
fn many_os_releases_are_grouped() {
    let hosts = (0..40)
        .map(|i| {
            let mut h = host(&format!("h{i}"), &format!("OS {i}"), Verdict::Ready);
            h.os.release = Some(format!("r{i:02}"));
            h
        })
        .collect();
    let html = render(hosts, Lang::En, &Problems::default());
    let chart = os_chart(&html);
    assert_eq!(chart.matches("<tr>").count(), crate::RELEASE_BARS);
    assert!(chart.contains(">other</td>"));
}

fn os_chart(html: &str) -> &str {
    let chart = &html[html.find("id=\"chart-os\"").unwrap()..];
    &chart[..chart.find("</section>").unwrap()]
}

/// Server and client hosts of one release are one bar, named by the rules,
/// as on the dashboard.
#[test]
fn os_bars_group_by_the_rules_release() {
    let mut hosts: Vec<_> = (0..5)
        .map(|i| host(&format!("s{i}"), "Windows Server 2019", Verdict::Ready))
        .collect();
    hosts.extend((0..3).map(|i| {
        host(
            &format!("c{i}"),
            "Windows 10 1809 / LTSC 2019",
            Verdict::NotReady,
        )
    }));
    let html = render(hosts, Lang::En, &Problems::default());
    let chart = os_chart(&html);
    assert_eq!(chart.matches("<tr>").count(), 1, "{chart}");
    assert!(chart.contains("Windows Server 2019"), "{chart}");
    assert!(chart.contains("<td class=\"num\">8</td>"), "{chart}");
}

/// A row lists each code once and no info-level ones, as the terminal table;
/// the plan reads as the table's.
#[test]
fn rows_list_codes_and_plans_as_the_table() {
    let mut h = host("a", "Windows Server 2019", Verdict::Ready);
    let mut info = h.findings[0].clone();
    info.code = "ACS100".into();
    info.severity = acsready_rules::Severity::Info;
    h.findings.push(h.findings[0].clone());
    h.findings.push(info);
    let html = render(vec![h], Lang::En, &Problems::default());
    let v: serde_json::Value = serde_json::from_str(embedded(&html)).unwrap();
    let (codes, plans) = row_texts(&v, 0);
    assert_eq!(codes, "ACS001");
    assert_eq!(plans, "Deep Security Agent 20.0.0.5137 → pin 20.0.0.6313");
}

#[test]
fn a_hundred_thousand_hosts_stay_small() {
    const N: usize = 100_000;
    let oses = [
        "Windows Server 2019",
        "Windows Server 2022",
        "Windows 10 22H2",
    ];
    let mut s = Summary::default();
    let mut r = HtmlReport::new(crate::tests::style(Lang::En), identity());
    for i in 0..N {
        let h = host(
            &format!("host-{i:06}.corp.example.jp"),
            oses[i % 3],
            Verdict::ALL[i % 4],
        );
        s.add(&h);
        r.host(h);
    }
    let mut out = Vec::new();
    r.finish(&mut out, &s, &Problems::default()).unwrap();
    let html = String::from_utf8(out).unwrap();
    assert!(html.len() < N * 2048, "{} bytes per host", html.len() / N);
    assert_eq!(text_of(&html, "summary-ready"), "25000");
    let r = decoded(&html);
    assert_eq!(r.hosts.len(), N);
    assert_eq!(
        r.hosts[N - 1].host,
        format!("host-{:06}.corp.example.jp", N - 1)
    );
    // Rows are drawn by the script, page by page, never in the document.
    assert!(!html.contains("data-host=\"host-"));
}

#[test]
fn agents_are_named_in_the_reports_language() {
    for lang in [Lang::En, Lang::Ja] {
        let html = render(
            vec![crate::tests::host_with_two_agents()],
            lang,
            &Problems::default(),
        );
        let data: serde_json::Value = serde_json::from_str(embedded(&html)).unwrap();
        let names = crate::tests::style(lang).names;
        for id in ["deep_security_agent", "apex_one_agent"] {
            assert_eq!(data["products"][id], names.get(id, lang), "{lang:?} {id}");
        }
        // The ids stay in the data (the JSON report's contract) …
        let host = &decoded(&html).hosts[0];
        assert_eq!(host.agents[1].product, "apex_one_agent");
        // … and the plans the page shows name the products.
        let (_, plans) = row_texts(&data, 0);
        assert_eq!(plans, crate::tests::named_agents(lang));
    }
    let ja = render(
        vec![crate::tests::host_with_two_agents()],
        Lang::Ja,
        &Problems::default(),
    );
    let data: serde_json::Value = serde_json::from_str(embedded(&ja)).unwrap();
    assert_eq!(
        data["products"]["apex_one_agent"],
        "Apex One セキュリティエージェント"
    );
}

/// Every label the page's script reads (`L.key`, `L.verdicts[…]`) is in the
/// data the page carries, in both languages: a missing key fails here.
#[test]
fn every_label_the_script_reads_is_in_the_page_data() {
    let script = include_str!("report.js");
    let mut keys: Vec<&str> = script
        .split("L.")
        .skip(1)
        .filter_map(|rest| {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (end > 0).then(|| &rest[..end])
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert!(keys.contains(&"filtered_from"), "{keys:?}");
    for lang in [Lang::En, Lang::Ja] {
        let labels = super::labels(lang);
        for key in &keys {
            let value = &labels[*key];
            assert!(
                value.is_object() || value.as_str().is_some_and(|s| !s.is_empty()),
                "the script reads L.{key}, which the page does not carry in {lang}"
            );
        }
    }
}
