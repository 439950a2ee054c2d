//! The dashboard and the HTML report side by side, as people read them: at
//! 1280 and 1920 pixels wide, in English and Japanese, on the example fleet.
//! The two views (and the terminal table's rule) agree: the same finding
//! codes in a host's row (each once, no info-level ones), the same agent
//! plans with versions, the same bars by OS release. And they fit: no release
//! name cut off, no verdict broken over two lines (未対 / 応). Screenshots are
//! saved as `target/tmp/browser/layout-{dashboard,report}-{lang}-{width}.png`.

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::collections::BTreeMap;
use std::path::PathBuf;

use acsready_testkit::browser::Browser;
use harness::{repo, report_of};
use serde_json::Value;

const WIDTHS: [u32; 2] = [1280, 1920];
const LANGS: [&str; 2] = ["en", "ja"];

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// What a host's row must list: the codes above info, each once, in order.
fn row_codes(report: &Value) -> BTreeMap<String, String> {
    let mut rows = BTreeMap::new();
    for h in report["hosts"].as_array().expect("hosts") {
        let mut codes: Vec<&str> = Vec::new();
        for f in h["findings"].as_array().expect("findings") {
            let code = f["code"].as_str().expect("code");
            if f["severity"] != "info" && !codes.contains(&code) {
                codes.push(code);
            }
        }
        rows.insert(
            h["host"].as_str().expect("host").to_string(),
            codes.join(" "),
        );
    }
    rows
}

/// The page's rows as `{host: [codes, plan, verdict]}`.
const ROWS: &str = "var rows = {}; document.querySelectorAll('#host-table tbody tr[data-host]')\
    .forEach(function (tr) { var c = tr.cells; rows[tr.getAttribute('data-host')] = \
    [c[4].textContent, c[5].textContent, c[3].textContent]; }); return rows;";

/// The bars by OS release as `[[label, hosts], …]`.
fn bars(chart: &str) -> String {
    format!(
        "return Array.from(document.querySelectorAll('{chart} tr')).map(function (tr) {{\
         return [tr.querySelector('td.lbl').textContent, tr.querySelector('td.num').textContent]; }});"
    )
}

/// Layout faults: labels of the bars whose text does not fit (cut off or
/// overflowing), and verdicts (in the table and on the host's page) or the
/// host page's close button taking more than one line.
fn faults(chart: &str) -> String {
    format!(
        "var bad = [];\
         document.querySelectorAll('{chart} td.lbl, {chart} td.lbl .bar-pick').forEach(function (e) {{\
           if (e.scrollWidth > e.clientWidth + 1) {{ bad.push('label cut: ' + e.textContent); }} }});\
         document.querySelectorAll('#host-table tbody td.verdict, #host-details .verdict, #host-close').forEach(function (td) {{\
           var r = document.createRange(); r.selectNodeContents(td);\
           var tops = {{}}; Array.from(r.getClientRects()).forEach(function (x) {{ tops[Math.round(x.top)] = 1; }});\
           if (Object.keys(tops).length !== 1) {{ bad.push('two lines: ' + td.textContent); }} }});\
         return bad;"
    )
}

async fn check_page(b: &Browser, chart: &str, what: &str) -> (Value, Value) {
    let problems = b.js(&faults(chart)).await;
    assert_eq!(problems, serde_json::json!([]), "{what}");
    let rows = b.js(ROWS).await;
    let bars = b.js(&bars(chart)).await;
    assert!(
        bars.as_array().is_some_and(|a| !a.is_empty()),
        "{what}: bars"
    );
    (rows, bars)
}

/// The top of the page (the charts), then the host table.
async fn shots(b: &Browser, out: &std::path::Path, page: &str, lang: &str, width: u32) {
    b.screenshot(&out.join(format!("layout-{page}-{lang}-{width}.png")))
        .await;
    b.js("document.getElementById('host-table').scrollIntoView(); return null;")
        .await;
    b.screenshot(&out.join(format!("layout-{page}-{lang}-{width}-table.png")))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_and_report_agree_and_fit_in_both_languages_and_widths() {
    let (_dir, server, _, read) = harness::example_fleet_server();
    let fleet = repo().join("examples/fleet.ndjson").display().to_string();
    let report: Value =
        serde_json::from_slice(&report_of(&["assess", &fleet, "--format", "json"])).expect("JSON");
    let expected = row_codes(&report);
    assert!(
        expected.values().any(String::is_empty),
        "some rows list no code"
    );
    let out = out_dir();
    let html: BTreeMap<&str, PathBuf> = LANGS
        .iter()
        .map(|lang| {
            let path = out.join(format!("layout-{lang}.html"));
            let page = report_of(&["--lang", lang, "assess", &fleet, "--format", "html"]);
            std::fs::write(&path, page).expect("HTML written");
            (*lang, path)
        })
        .collect();

    let Some(b) = Browser::start(WIDTHS[0], 1000).await else {
        return;
    };
    b.client()
        .goto(&format!("{}/", server.url))
        .await
        .expect("dashboard opens");
    b.wait_until("the sign-in form", || async {
        b.count("#token-input").await == 1
    })
    .await;
    b.type_into("#token-input", &read).await;
    b.click("#login button[type=submit]").await;
    b.wait_until("the dashboard", || async {
        b.attr("#host-table", "data-ready").await.is_some()
    })
    .await;

    for lang in LANGS {
        for width in WIDTHS {
            b.client()
                .set_window_size(width, 1000)
                .await
                .expect("window size");
            let inner = b.js("return window.innerWidth;").await;
            assert_eq!(inner, Value::from(width), "the page is {width} wide");
            let what = format!("dashboard, {lang}, {width} px");
            // The language is the one the page remembers (set on its origin).
            b.client()
                .goto(&format!("{}/", server.url))
                .await
                .expect("dashboard opens");
            b.js(&format!(
                "localStorage.setItem('acsready.lang', '{lang}'); return null;"
            ))
            .await;
            b.client().refresh().await.expect("reload");
            b.wait_until(&what, || async {
                b.attr("#host-table", "data-ready").await.is_some()
                    && b.attr("html", "lang").await.as_deref() == Some(lang)
            })
            .await;
            // A host's page open beside the table.
            b.js("location.hash = '#host=' + encodeURIComponent(\
                  document.querySelector('#host-table tbody tr[data-host]').getAttribute('data-host')); return null;")
                .await;
            b.wait_until(&what, || async {
                b.attr("#host-details", "data-lang").await.as_deref() == Some(lang)
            })
            .await;
            let (dash_rows, dash_bars) = check_page(&b, "#release-bars", &what).await;
            shots(&b, &out, "dashboard", lang, width).await;

            let what = format!("HTML report, {lang}, {width} px");
            b.open_file(&html[lang]).await;
            b.wait_until(&what, || async {
                b.attr("#host-table", "data-ready").await.is_some()
            })
            .await;
            let (page_rows, page_bars) = check_page(&b, "#chart-os", &what).await;
            shots(&b, &out, "report", lang, width).await;

            // One grouping of releases, one way of naming them.
            assert_eq!(dash_bars, page_bars, "{lang} {width}: bars by OS release");
            let page_rows = page_rows.as_object().expect("rows");
            assert_eq!(page_rows.len(), expected.len(), "every host on one page");
            let dash_rows = dash_rows.as_object().expect("rows");
            assert!(dash_rows.len() >= 50, "a page of the dashboard");
            for (host, codes) in &expected {
                assert_eq!(page_rows[host][0], codes.as_str(), "report row of {host}");
            }
            assert!(
                dash_rows
                    .values()
                    .filter_map(|r| r[1].as_str()?.split(" \u{2192} ").next())
                    .any(|product_version| product_version.ends_with(|c: char| c.is_ascii_digit())),
                "plans name the version: {dash_rows:?}"
            );
            for (host, row) in dash_rows {
                // The same codes and plans in both, as the terminal table's.
                assert_eq!(row[0], expected[host].as_str(), "dashboard row of {host}");
                assert_eq!(row[1], page_rows[host][1], "plan of {host}");
                assert_eq!(row[2], page_rows[host][2], "verdict of {host}");
            }
        }
    }
    // A ready host lists no info-level code, and a plan names its versions.
    let ready = report["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .find(|h| {
            h["verdict"] == "ready"
                && h["findings"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|f| f["severity"] == "info"))
        })
        .expect("a ready host with an info-level finding");
    assert_eq!(expected[ready["host"].as_str().expect("host")], "");
    b.close().await;
    drop(server);
}
