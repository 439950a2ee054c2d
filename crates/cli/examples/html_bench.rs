//! How the HTML report behaves in headless Chromium with a large fleet: when
//! the page is usable (its first rows and the counts drawn, the filters
//! working), a sort, a verdict filter, a text filter and the JavaScript heap.
//! Prints one JSON object per page. Run by `bench/html_bench.py`:
//!
//!     cargo run --release -p acsready --example html_bench -- REPORT.html…
//!
//! The times in the page are milliseconds since the navigation started
//! (`performance.now()`): `rows_ms` when the script has put the first rows in
//! the table (the table's `data-ready`), `first_row_painted_ms` when the
//! first row was painted (the browser's own Element Timing of the first
//! cell: the page is usable from then on), `load_ms` when the load event
//! ended, `painted_ms` the next frame after it (an upper bound, as it is
//! asked for over WebDriver after the load).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use acsready_testkit::browser::Browser;
use serde_json::json;

/// Resolves (the last argument of an async WebDriver script) with the time
/// of the next frame.
const NEXT_FRAME: &str = "var done = arguments[arguments.length - 1]; \
     requestAnimationFrame(function () { done(performance.now()); });";

/// Resolves with when the first row was painted (its Element Timing), or
/// `null` when the browser reports none within two seconds.
const FIRST_ROW_PAINTED: &str = "var done = arguments[arguments.length - 1]; \
     var t = setTimeout(function () { done(null); }, 2000); \
     new PerformanceObserver(function (list) { \
       var e = list.getEntries().filter(function (x) { return x.identifier === 'first-row'; })[0]; \
       if (e) { clearTimeout(t); done(e.renderTime || e.loadTime); } \
     }).observe({type: 'element', buffered: true});";

/// Types into the text filter as a person would (an `input` event) and
/// resolves with the milliseconds until the page info changed, typing pause
/// included.
const TEXT_FILTER: &str = "var done = arguments[arguments.length - 1]; \
     var info = document.getElementById('page-info'), f = document.getElementById('host-filter'); \
     var t = performance.now(); \
     new MutationObserver(function (m, o) { o.disconnect(); done(performance.now() - t); }) \
       .observe(info, {childList: true, characterData: true, subtree: true}); \
     f.value = 'ws2019'; f.dispatchEvent(new Event('input'));";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let pages: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if pages.is_empty() {
        eprintln!("usage: html_bench REPORT.html…");
        std::process::exit(2);
    }
    let Some(b) = Browser::start(1400, 1000).await else {
        std::process::exit(2);
    };
    for page in pages {
        let size = std::fs::metadata(&page).map(|m| m.len()).unwrap_or(0);
        let started = Instant::now();
        b.open_file(&page).await;
        let table = "#host-table";
        b.wait_for("the page", Duration::from_secs(600), || async {
            b.attr(table, "data-ready").await.is_some()
        })
        .await;
        let wall = started.elapsed();
        let painted = b
            .client()
            .execute_async(NEXT_FRAME, Vec::new())
            .await
            .expect("a frame");
        let first_row_painted = b
            .client()
            .execute_async(FIRST_ROW_PAINTED, Vec::new())
            .await
            .expect("the first row's paint");
        let rows_ms: f64 = b
            .attr(table, "data-ready")
            .await
            .and_then(|r| r.parse().ok())
            .unwrap_or(f64::NAN);
        let load_ms = b
            .js("var e = performance.getEntriesByType('navigation')[0]; return e ? e.loadEventEnd : null;")
            .await;
        let rows = b.count("#host-table tbody tr").await;
        let summary = b.text("#summary-ready").await;
        let sort_ms = b
            .js(
                "var t = performance.now(); document.querySelector('th[data-col=host]').click(); \
                 return performance.now() - t;",
            )
            .await;
        let filter_ms = b
            .js(
                "var t = performance.now(); document.getElementById('filter-ready').click(); \
                 var d = performance.now() - t; document.getElementById('filter-ready').click(); \
                 return d;",
            )
            .await;
        let text_ms = b
            .client()
            .execute_async(TEXT_FILTER, Vec::new())
            .await
            .expect("the text filter");
        // What reading the embedded data alone costs (the page did it once).
        let parse_ms = b
            .js("var t = performance.now(); \
                 JSON.parse(document.getElementById('acsready-data').textContent); \
                 return performance.now() - t;")
            .await;
        let heap = b
            .js("return performance.memory ? performance.memory.usedJSHeapSize : null;")
            .await;
        let line = json!({
            "page": page.display().to_string(),
            "bytes": size,
            "rows": rows,
            "summary_ready": summary,
            "open_wall_s": wall.as_secs_f64(),
            "rows_ms": rows_ms,
            "first_row_painted_ms": first_row_painted,
            "load_ms": load_ms,
            "painted_ms": painted,
            "sort_ms": sort_ms,
            "verdict_filter_ms": filter_ms,
            "text_filter_ms": text_ms,
            "data_parse_ms": parse_ms,
            "heap_bytes": heap,
        });
        println!("{line}");
        assert!(rows > 0, "no rows drawn in {}: {line}", page.display());
    }
    b.close().await;
}
