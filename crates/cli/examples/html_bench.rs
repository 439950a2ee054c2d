//! How the HTML report behaves in headless Chromium with a large fleet:
//! time until the page is usable, a sort, a verdict filter and a text filter,
//! and the JavaScript heap. Run by `bench/html_bench.py`:
//!
//!     cargo run --release -p acsready --example html_bench -- REPORT.html…

use std::path::PathBuf;
use std::time::{Duration, Instant};

use acsready_testkit::browser::Browser;

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
        let ready_ms = b.attr(table, "data-ready").await.unwrap_or_default();
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
        let before = b.text("#page-info").await;
        let typed = Instant::now();
        b.type_into("#host-filter", "ws2019").await;
        b.wait_for("the text filter", Duration::from_secs(60), || async {
            b.text("#page-info").await != before
        })
        .await;
        let text_ms = typed.elapsed().as_millis();
        let heap = b
            .js("return performance.memory ? performance.memory.usedJSHeapSize : null;")
            .await;
        let heap_mb = heap.as_f64().map(|h| h / 1e6).unwrap_or(f64::NAN);
        println!(
            "{}\t{:.1} MB\tload {:.2} s (page ready at {} ms)\tsort {:.0} ms\tverdict filter {:.0} ms\ttext filter {} ms (incl. typing debounce)\tJS heap {:.0} MB",
            page.display(),
            size as f64 / 1e6,
            wall.as_secs_f64(),
            ready_ms,
            sort_ms.as_f64().unwrap_or(f64::NAN),
            filter_ms.as_f64().unwrap_or(f64::NAN),
            text_ms,
            heap_mb
        );
    }
    b.close().await;
}
