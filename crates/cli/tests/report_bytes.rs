//! The streamed reports (JSON, JSON Lines, CSV) are written fast — hosts
//! assessed and encoded in parallel, finding bytes kept and copied — and
//! must stay byte for byte what the plain way writes: each host assessed
//! alone and written with `serde_json` (JSON) or the report's own `host`
//! (CSV), in input order. Checked on the example fleet and on a generated
//! fleet of 10,000 hosts (several batches, many chunks).

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::path::Path;

use acsready_assess::{assess, HostAssessment};
use acsready_facts::HostFacts;
use acsready_report::{CsvReport, ProductNames, Style};
use acsready_rules::{Lang, Rules};
use harness::{repo, report_of};

/// The assessments of every line of `file` as `acsready assess FILE`
/// makes them, one at a time.
fn one_by_one(file: &Path, shown: &str, lang: Lang) -> Vec<HostAssessment> {
    let mut rules = Rules::embedded().unwrap();
    // As the command line dates them (a test running over midnight can fail).
    rules.today = Some(jiff::Zoned::now().date().to_string());
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let mut facts: HostFacts = serde_json::from_str(line).unwrap();
            facts.normalize().unwrap();
            let mut a = assess(&facts, &rules, lang);
            a.sources = vec![format!("{shown}:{}", i + 1)];
            a
        })
        .collect()
}

/// The hosts of a JSON report as `serde_json` writes each.
fn json_hosts(hosts: &[HostAssessment]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, a) in hosts.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        out.extend_from_slice(&serde_json::to_vec(a).unwrap());
    }
    out.extend_from_slice(b"\n");
    out
}

fn check(file: &Path, shown: &str) {
    for lang in [Lang::En, Lang::Ja] {
        let hosts = one_by_one(file, shown, lang);
        let l = lang.as_str();

        let json = report_of(&["assess", shown, "--format", "json", "--lang", l]);
        let start = json
            .windows(9)
            .position(|w| w == b"\"hosts\":[")
            .expect("hosts")
            + 9;
        let want = json_hosts(&hosts);
        if !json[start..].starts_with(&want) {
            let got = String::from_utf8_lossy(&json[start..]);
            let want = String::from_utf8_lossy(&want);
            let (g, w) = got
                .split(",\n")
                .zip(want.split(",\n"))
                .find(|(g, w)| g != w)
                .unwrap_or_default();
            panic!("{shown} ({l}): a host of the JSON report differs from serde_json's:\n{g}\n{w}");
        }
        assert!(json[start + want.len()..].starts_with(b"],\"summary\":"));

        let jsonl = report_of(&["assess", shown, "--format", "jsonl", "--lang", l]);
        let mut want = Vec::new();
        for a in &hosts {
            want.extend_from_slice(&serde_json::to_vec(a).unwrap());
            want.push(b'\n');
        }
        assert!(jsonl == want, "{shown} ({l}): JSON Lines differ");

        let rules = Rules::embedded().unwrap();
        let style = Style {
            lang,
            color: false,
            names: ProductNames::of(&rules),
        };
        for per_finding in [false, true] {
            let mut report = match per_finding {
                true => CsvReport::per_finding(Vec::new(), style.clone()),
                false => CsvReport::begin(Vec::new(), style.clone()),
            }
            .unwrap();
            hosts.iter().for_each(|a| report.host(a).unwrap());
            let want = report.finish().unwrap();
            let mut args = vec!["assess", shown, "--format", "csv", "--lang", l];
            if per_finding {
                args.push("--csv-findings");
            }
            assert!(report_of(&args) == want, "{shown} ({l}): CSV differs");
        }
    }
}

#[test]
fn the_example_fleet_is_written_as_each_host_alone_would_be() {
    check(
        &repo().join("examples/fleet.ndjson"),
        "examples/fleet.ndjson",
    );
}

#[test]
fn a_generated_fleet_of_ten_thousand_hosts_is_written_as_each_host_alone_would_be() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.ndjson");
    let out = std::fs::File::create(&file).unwrap();
    acsready_fleetgen::write_fleet(10_000, 7, std::io::BufWriter::new(out)).unwrap();
    check(&file, file.to_str().unwrap());
}
