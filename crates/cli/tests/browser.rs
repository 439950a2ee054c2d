//! The HTML report as an administrator sees it: opened in headless Chromium
//! through WebDriver, its counts must equal the JSON report's summary, and
//! sorting, filtering, paging and the host details must work. Screenshots
//! are saved under `target/tmp/browser/`.

use std::path::{Path, PathBuf};

use acsready_testkit::browser::Browser;
use assert_cmd::Command;
use serde_json::Value;

const VERDICTS: [&str; 4] = ["ready", "not_ready", "unknown", "unsupported"];
const ACTIONS: [&str; 5] = ["upgrade", "pin", "fix_host", "hold", "none"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).expect("output folder");
    dir
}

/// Runs acsready and returns its standard output (exit code 0 or 1: some
/// example hosts are not ready).
fn acsready(args: &[&str], stdin: Option<Vec<u8>>) -> Vec<u8> {
    let mut c = Command::cargo_bin("acsready").expect("binary");
    c.env("LANG", "C").env_remove("ACSREADY_LANG").args(args);
    if let Some(input) = stdin {
        c.write_stdin(input);
    }
    let out = c.output().expect("acsready runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "acsready {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn fleet() -> String {
    repo().join("examples/fleet.ndjson").display().to_string()
}

fn num(v: &Value) -> usize {
    v.as_u64().expect("a count") as usize
}

fn build_key(cell: &str) -> (i64, i64) {
    let mut parts = cell.split('.');
    let build = parts.next().and_then(|b| b.parse().ok()).unwrap_or(-1);
    let ubr = parts.next().and_then(|u| u.parse().ok()).unwrap_or(0);
    (build, ubr)
}

async fn rows(b: &Browser) -> usize {
    b.count("#host-table tbody tr").await
}

async fn wait_rows(b: &Browser, what: &str, n: usize) {
    b.wait_until(what, || async move { rows(b).await == n })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_report_in_chromium_matches_the_json_report() {
    let dir = out_dir();
    let report: Value =
        serde_json::from_slice(&acsready(&["assess", &fleet(), "--format", "json"], None))
            .expect("JSON report");
    let html = dir.join("fleet-en.html");
    std::fs::write(
        &html,
        acsready(&["assess", &fleet(), "--format", "html"], None),
    )
    .expect("HTML written");
    let summary = &report["summary"];
    let hosts = report["hosts"].as_array().expect("hosts");
    let total = num(&summary["hosts"]);
    assert_eq!(total, hosts.len());
    assert!(total > 50, "the example fleet is the test's subject");

    let Some(b) = Browser::start(1400, 1100).await else {
        return;
    };
    b.open_file(&html).await;
    wait_rows(&b, "the host table", total).await;

    // The counts on the page are the JSON summary.
    for v in VERDICTS {
        let shown = b.text(&format!("#summary-{v}")).await;
        assert_eq!(shown, summary[v].to_string(), "summary-{v}");
    }
    for a in ACTIONS {
        let shown = b.text(&format!("#action-{a}")).await;
        assert_eq!(shown, summary["agent_actions"][a].to_string(), "action-{a}");
    }

    // Sort by host name, both ways.
    let mut names: Vec<String> = hosts
        .iter()
        .map(|h| h["host"].as_str().expect("host").to_string())
        .collect();
    names.sort();
    b.click("th[data-col=host]").await;
    let shown = b.texts("#host-table tbody tr td:first-child").await;
    assert_eq!(shown, names, "ascending by host");
    assert_eq!(
        b.attr("th[data-col=host]", "aria-sort").await.as_deref(),
        Some("ascending")
    );
    b.click("th[data-col=host]").await;
    names.reverse();
    assert_eq!(
        b.texts("#host-table tbody tr td:first-child").await,
        names,
        "descending by host"
    );

    // Sort by build: numeric, not textual (9600 before 10240).
    b.click("th[data-col=build]").await;
    let builds: Vec<(i64, i64)> = b
        .texts("#host-table tbody tr td:nth-child(3)")
        .await
        .iter()
        .map(|c| build_key(c))
        .collect();
    assert_eq!(builds.len(), total);
    assert!(
        builds.windows(2).all(|w| w[0] <= w[1]),
        "ascending by build: {builds:?}"
    );

    // Filter by verdict: only the hosts that are not ready.
    for v in ["ready", "unknown", "unsupported"] {
        b.click(&format!("#filter-{v}")).await;
    }
    let not_ready = num(&summary["not_ready"]);
    wait_rows(&b, "only not-ready hosts", not_ready).await;
    let classes = b.texts("#host-table tbody tr td.verdict.not_ready").await;
    assert_eq!(classes.len(), not_ready, "every row shown is not ready");
    for v in ["ready", "unknown", "unsupported"] {
        b.click(&format!("#filter-{v}")).await;
    }
    wait_rows(&b, "all hosts again", total).await;

    // Filter by text: a host with findings and an agent plan.
    let host = hosts
        .iter()
        .find(|h| {
            h["verdict"] == "not_ready"
                && !h["agents"].as_array().expect("agents").is_empty()
                && !h["findings"].as_array().expect("findings").is_empty()
        })
        .expect("a not-ready host with agents in the example fleet");
    let name = host["host"].as_str().expect("host");
    let expected = hosts
        .iter()
        .filter(|h| {
            h["host"]
                .as_str()
                .is_some_and(|n| n.to_lowercase().contains(&name.to_lowercase()))
        })
        .count();
    b.type_into("#host-filter", name).await;
    wait_rows(&b, "the host filtered by name", expected).await;
    assert!(b
        .texts("#host-table tbody tr td:first-child")
        .await
        .iter()
        .any(|n| n == name));

    // Open it: the details show its findings and its agent plan.
    b.click(&format!("#host-table tbody tr[data-host=\"{name}\"]"))
        .await;
    b.wait_until("the host details", || async {
        b.text("#host-details h2").await.contains(name)
    })
    .await;
    let details = b.text("#host-details").await;
    for f in host["findings"].as_array().expect("findings") {
        let code = f["code"].as_str().expect("code");
        let title = f["title"].as_str().expect("title");
        assert!(details.contains(code), "{code} in the details");
        assert!(details.contains(title), "{title} in the details");
        for step in f["remediation"].as_array().expect("remediation") {
            let step = step.as_str().expect("step");
            let first_line = step.lines().next().unwrap_or(step);
            assert!(details.contains(first_line), "remediation {first_line:?}");
        }
    }
    // Its sources ("fleet.ndjson:12": the page keeps the file once and the
    // line apart).
    for source in host["sources"].as_array().expect("sources") {
        let source = source.as_str().expect("source");
        assert!(details.contains(source), "source {source} in the details");
    }
    let rules = acsready_rules::Rules::embedded().expect("rules");
    let names = acsready_report::ProductNames::of(&rules);
    for plan in host["agents"].as_array().expect("agents") {
        let version = plan["version"].as_str().expect("version");
        assert!(details.contains(version), "agent {version} in the details");
        let id = plan["product"].as_str().expect("product");
        let name = names.get(id, acsready_rules::Lang::En);
        assert!(
            details.contains(&format!("{name} {version}")),
            "agent {id} named {name} in the details"
        );
    }
    assert_eq!(
        b.attr(
            &format!("#host-table tbody tr[data-host=\"{name}\"]"),
            "class"
        )
        .await
        .as_deref(),
        Some("selected")
    );
    b.screenshot(&dir.join("report-en.png")).await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_report_pages_a_large_fleet_and_speaks_japanese() {
    let dir = out_dir();
    // Five copies of the example fleet under new names: two pages.
    let text = std::fs::read_to_string(repo().join("examples/fleet.ndjson")).expect("fleet");
    let mut big = String::new();
    for copy in 0..5 {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: Value = serde_json::from_str(line).expect("example host");
            let name = format!("c{copy}-{}", v["host"].as_str().expect("host"));
            v["host"] = Value::String(name);
            big.push_str(&v.to_string());
            big.push('\n');
        }
    }
    let report: Value = serde_json::from_slice(&acsready(
        &["assess", "-", "--format", "json"],
        Some(big.clone().into_bytes()),
    ))
    .expect("JSON report");
    let html = dir.join("fleet-ja.html");
    std::fs::write(
        &html,
        acsready(
            &["--lang", "ja", "assess", "-", "--format", "html"],
            Some(big.into_bytes()),
        ),
    )
    .expect("HTML written");
    let total = num(&report["summary"]["hosts"]);
    let per_copy = text.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(total, 5 * per_copy);

    let Some(b) = Browser::start(1400, 1100).await else {
        return;
    };
    b.open_file(&html).await;
    wait_rows(&b, "the first page", 200).await;
    assert_eq!(b.attr("html", "lang").await.as_deref(), Some("ja"));
    for v in VERDICTS {
        assert_eq!(
            b.text(&format!("#summary-{v}")).await,
            report["summary"][v].to_string(),
            "summary-{v}"
        );
    }
    assert!(b.text("#page-info").await.contains(&format!("/ {total}")));
    b.click("#page-next").await;
    wait_rows(&b, "the second page", total - 200).await;
    assert_eq!(
        b.attr("#page-next", "disabled").await.as_deref(),
        Some("true")
    );
    b.click("#page-prev").await;
    wait_rows(&b, "the first page again", 200).await;
    b.screenshot(&dir.join("report-ja.png")).await;
    b.close().await;
}
