//! How the fleet dashboard behaves in headless Chromium against a server
//! holding a large fleet: signing in until the summary and the first page
//! are shown, a verdict filter, a search, a sort, opening a host, the
//! JavaScript heap. Run by `bench/dashboard_bench.sh`:
//!
//!     cargo run --release -p acsready --example dashboard_bench -- URL READ_TOKEN SEARCH

use std::time::{Duration, Instant};

use acsready_testkit::browser::Browser;

const LIMIT: Duration = Duration::from_secs(120);

async fn shown(b: &Browser, query: &str) {
    b.wait_for(query, LIMIT, || async {
        b.attr("#host-table", "data-query").await.as_deref() == Some(query)
            && b.attr("#host-table", "aria-busy").await.as_deref() == Some("false")
    })
    .await;
}

fn query(verdict: &str, q: &str, sort: &str, order: &str) -> String {
    format!("verdict={verdict}&release=&action=&q={q}&sort={sort}&order={order}&offset=0")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, token, search] = args.as_slice() else {
        eprintln!("usage: dashboard_bench URL READ_TOKEN SEARCH");
        std::process::exit(2);
    };
    let Some(b) = Browser::start(1400, 1000).await else {
        std::process::exit(2);
    };
    b.client()
        .goto(&format!("{url}/"))
        .await
        .expect("dashboard");
    b.wait_for("the sign-in form", LIMIT, || async {
        b.js("return !document.getElementById('signin').hidden;")
            .await
            .as_bool()
            == Some(true)
    })
    .await;
    b.type_into("#token-input", token).await;
    let started = Instant::now();
    b.click("#login button[type=submit]").await;
    b.wait_for("the first view", LIMIT, || async {
        b.attr("#host-table", "data-ready").await.is_some()
    })
    .await;
    let signin = started.elapsed();
    let ready_ms = b
        .attr("#host-table", "data-ready")
        .await
        .unwrap_or_default();
    let total = b.text("#page-info").await;

    let t = Instant::now();
    b.click("#verdict-filter option[value=not_ready]").await;
    shown(&b, &query("not_ready", "", "host", "asc")).await;
    let filter = t.elapsed();

    let t = Instant::now();
    b.click("#host-table th[data-sort=assessed_at] button")
        .await;
    shown(&b, &query("not_ready", "", "assessed_at", "asc")).await;
    let sort = t.elapsed();

    let t = Instant::now();
    b.type_into("#host-filter", search).await;
    shown(&b, &query("not_ready", search, "assessed_at", "asc")).await;
    let text = t.elapsed();

    let host = b
        .attr("#host-table tbody tr[data-host]", "data-host")
        .await
        .expect("a host row");
    let t = Instant::now();
    b.click("#host-table tbody tr[data-host]").await;
    b.wait_for("the host page", LIMIT, || async {
        b.attr("#host-details", "data-host").await.as_deref() == Some(host.as_str())
    })
    .await;
    let open = t.elapsed();
    let heap = b
        .js("return performance.memory ? performance.memory.usedJSHeapSize : null;")
        .await;
    println!(
        "hosts {total}\tsign-in to first view {:.0} ms (page ready at {ready_ms} ms)\t\
         verdict filter {:.0} ms\tsort {:.0} ms\tsearch {:.0} ms (incl. typing and the 250 ms debounce)\t\
         open host {:.0} ms\tJS heap {:.1} MB",
        signin.as_secs_f64() * 1e3,
        filter.as_secs_f64() * 1e3,
        sort.as_secs_f64() * 1e3,
        text.as_secs_f64() * 1e3,
        open.as_secs_f64() * 1e3,
        heap.as_f64().map(|h| h / 1e6).unwrap_or(f64::NAN),
    );
    b.close().await;
}
