//! The HTML page of `acsready assess --format html` is gathered in parallel
//! (parts of each batch on several threads, merged in input order) and must
//! stay the page the plain way writes: the hosts of the JSON report of the
//! same input given one by one, in order, to the HTML report. Checked byte
//! for byte on the example fleet and on a generated fleet of 10,000 hosts
//! (several batches and parts), in English and Japanese. (The page's own
//! tests check that its data reads back as those hosts.)

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::path::Path;

use acsready_report::{HtmlReport, Problems, ProductNames, Report, Style};
use acsready_rules::{Lang, Rules};
use harness::{repo, report_of};

/// The page of the hosts of `report`, given one by one.
fn page_of(report: Report, lang: Lang) -> Vec<u8> {
    let rules = Rules::embedded().unwrap();
    let style = Style {
        lang,
        color: false,
        names: ProductNames::of(&rules),
    };
    let mut page = HtmlReport::new(style, report.rules);
    for a in report.hosts {
        page.host(a);
    }
    let problems = Problems {
        errors: report.errors,
        warnings: report.warnings,
    };
    let mut out = Vec::new();
    page.finish(&mut out, &report.summary, &problems).unwrap();
    out
}

fn check(file: &Path) {
    let shown = file.to_str().unwrap();
    for lang in [Lang::En, Lang::Ja] {
        let l = lang.as_str();
        let json = report_of(&["assess", shown, "--format", "json", "--lang", l]);
        let report: Report = serde_json::from_slice(&json).unwrap();
        let hosts = report.hosts.len();
        let want = page_of(report, lang);
        let got = report_of(&["assess", shown, "--format", "html", "--lang", l]);
        assert!(
            got == want,
            "{shown} ({l}, {hosts} hosts): the page differs from the one the hosts make one by one"
        );
    }
}

#[test]
fn the_example_fleets_page_is_the_one_its_hosts_make_one_by_one() {
    check(&repo().join("examples/fleet.ndjson"));
}

#[test]
fn a_generated_fleets_page_is_the_one_its_hosts_make_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.ndjson");
    let out = std::fs::File::create(&file).unwrap();
    acsready_fleetgen::write_fleet(10_000, 7, std::io::BufWriter::new(out)).unwrap();
    check(&file);
}
