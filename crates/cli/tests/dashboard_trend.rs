//! The dashboard's trend chart in headless Chromium: a fleet ingested on two
//! days (the server's clock set to them), the chart and its table against
//! `GET /api/v1/trend`, another window of days, Japanese labels. The
//! screenshot is saved as `target/tmp/browser/dashboard-trend*.png`.

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::path::PathBuf;

use acsready_testkit::browser::Browser;
use harness::{ready_by_day, repo, setup, Server};
use serde_json::Value;

const NDJSON: &str = "application/x-ndjson";
const VERDICTS: [&str; 4] = ["ready", "not_ready", "unknown", "unsupported"];

fn shot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("browser")
        .join(format!("dashboard-{name}.png"))
}

/// The days of the page's chart: (day, ready) of each column.
async fn columns(b: &Browser) -> Vec<(String, u64)> {
    let v = b
        .js(
            "return Array.from(document.querySelectorAll('#trend-chart g.day')).map(function (g) {\
               return [g.getAttribute('data-day'), Number(g.getAttribute('data-ready'))]; });",
        )
        .await;
    v.as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c[0].as_str().expect("day").to_string(),
                c[1].as_u64().expect("ready"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_draws_the_ready_hosts_per_day() {
    let s = setup();
    let fleet = std::fs::read_to_string(repo().join("examples/fleet.ndjson")).expect("fleet");
    let lines: Vec<&str> = fleet.lines().filter(|l| !l.trim().is_empty()).collect();
    let (early, late) = lines.split_at(lines.len() / 2);
    // Half the fleet on 2026-11-02, the rest on 2026-11-05.
    let day1 = Server::start_at(&s.db, &[], Some("2026-11-02T09:00:00Z"));
    let (status, text) = day1.post(
        "/api/v1/facts",
        Some(&s.ingest),
        NDJSON,
        early.join("\n").as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    drop(day1);
    let server = Server::start_at(&s.db, &[], Some("2026-11-05T09:00:00Z"));
    let (status, text) = server.post(
        "/api/v1/facts",
        Some(&s.ingest),
        NDJSON,
        late.join("\n").as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    let trend = server.get_json("/api/v1/trend?days=90", &s.read);
    let want: Vec<(String, u64)> = ready_by_day(&trend)
        .into_iter()
        .map(|(day, ready, _)| (day, ready))
        .collect();
    assert_eq!(want.len(), 4, "2026-11-02 to 2026-11-05: {trend}");
    assert!(
        want[0].1 < want[3].1,
        "the second half adds ready hosts: {want:?}"
    );

    let Some(b) = Browser::start(1400, 1100).await else {
        return;
    };
    b.client()
        .goto(&format!("{}/", server.url))
        .await
        .expect("dashboard opens");
    b.wait_until("the sign-in form", || async {
        b.js("return !document.getElementById('signin').hidden;")
            .await
            == Value::Bool(true)
    })
    .await;
    b.click("#lang-en").await;
    b.type_into("#token-input", &s.read).await;
    b.click("#login button[type=submit]").await;
    b.wait_until("the trend", || async {
        b.attr("#trend", "data-days").await.as_deref() == Some("4")
            && b.attr("#trend", "data-window").await.as_deref() == Some("90")
    })
    .await;

    // One column per day, each as high (ready) as the API says.
    assert_eq!(columns(&b).await, want);
    let last = &trend["days"][3];
    let now = b.text("#trend-now").await;
    assert!(
        now.starts_with(&format!(
            "{} of {} hosts ready on 2026-11-05",
            last["ready"], last["hosts"]
        )),
        "{now}"
    );
    assert!(now.contains("since 2026-11-02"), "{now}");
    assert!(b.text("#trend-since").await.contains("2026-11-02"));
    // Each column names its counts (a title), the chart its summary.
    let tip = b
        .js("return document.querySelector('#trend-chart g.day:last-of-type title').textContent;")
        .await;
    let tip = tip.as_str().expect("title");
    assert!(tip.starts_with("2026-11-05: ready "), "{tip}");
    let label = b
        .js("var s = document.getElementById('trend-chart'); return document.getElementById(s.getAttribute('aria-labelledby')).textContent;")
        .await;
    assert!(label.as_str().is_some_and(|l| l.contains(&now)), "{label}");
    // The table: every day, newest first, every verdict.
    b.click("#trend-numbers summary").await;
    assert_eq!(b.count("#trend-table tbody tr").await, 4);
    let first_row = b.texts("#trend-table tbody tr:first-child td").await;
    let mut expected = vec!["2026-11-05".to_string()];
    expected.extend(VERDICTS.map(|v| last[v].to_string()));
    expected.push(last["hosts"].to_string());
    assert_eq!(first_row, expected);
    b.screenshot(&shot("trend")).await;

    // Another window: the page asks for it.
    b.click("#trend-days option[value='30']").await;
    b.wait_until("the 30-day trend", || async {
        b.attr("#trend", "data-window").await.as_deref() == Some("30")
    })
    .await;
    assert_eq!(columns(&b).await, want, "all four days are within 30");

    // Japanese labels.
    b.click("#lang-ja").await;
    b.wait_until("the Japanese title", || async {
        b.text("#trend h2").await == "日ごとの対応済み台数"
    })
    .await;
    let now = b.text("#trend-now").await;
    assert!(
        now.starts_with(&format!(
            "2026-11-05 時点で {} 台中 {} 台が対応済み",
            last["hosts"], last["ready"]
        )),
        "{now}"
    );
    assert_eq!(b.text("#trend-numbers summary").await, "日ごとの数値");
    b.screenshot(&shot("trend-ja")).await;
    b.close().await;
}
