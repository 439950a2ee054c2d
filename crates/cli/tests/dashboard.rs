//! The fleet dashboard as an administrator uses it: the real `acsready serve`
//! with the example fleet ingested, opened in headless Chromium through
//! WebDriver. Sign in (a wrong token first), compare the counts with the
//! API, filter, search, open a host, switch to Japanese, go back, sign out.
//! Screenshots are saved as `target/tmp/browser/dashboard-*.png`.

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::path::PathBuf;

use acsready_testkit::browser::Browser;
use serde_json::Value;

const VERDICTS: [&str; 4] = ["ready", "not_ready", "unknown", "unsupported"];
const ACTIONS: [&str; 5] = ["upgrade", "pin", "fix_host", "hold", "none"];

fn shot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("browser")
        .join(format!("dashboard-{name}.png"))
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("a string: {v}"))
}

async fn visible(b: &Browser, id: &str) -> bool {
    b.js(&format!(
        "var e = document.getElementById('{id}'); return !!e && e.offsetParent !== null;"
    ))
    .await
        == Value::Bool(true)
}

/// Waits until the host table shows the answer to `query` (as the page
/// records it in `data-query`) and returns the rows' host names.
async fn table_for(b: &Browser, what: &str, query: &str) -> Vec<String> {
    b.wait_until(what, || async move {
        b.attr("#host-table", "data-query").await.as_deref() == Some(query)
            && b.attr("#host-table", "aria-busy").await.as_deref() == Some("false")
    })
    .await;
    let mut names = Vec::new();
    for e in b
        .texts("#host-table tbody tr[data-host] td:first-child")
        .await
    {
        names.push(e);
    }
    names
}

fn query(verdict: &str, q: &str) -> String {
    format!("verdict={verdict}&release=&action=&q={q}&sort=host&order=asc&offset=0")
}

async fn details_for(b: &Browser, what: &str, host: &str, lang: &str) {
    b.wait_until(what, || async move {
        b.attr("#host-details", "data-host").await.as_deref() == Some(host)
            && b.attr("#host-details", "data-lang").await.as_deref() == Some(lang)
    })
    .await;
}

/// The finding codes and titles, and the agent plan, of the host page must be
/// those of `GET /api/v1/hosts/{host}`, products named as the summary's
/// `products` name them in `lang`.
async fn host_page_matches(b: &Browser, api: &Value, products: &Value, lang: &str) {
    let findings = api["assessment"]["findings"].as_array().expect("findings");
    let codes: Vec<&str> = findings.iter().map(|f| s(&f["code"])).collect();
    let titles: Vec<&str> = findings.iter().map(|f| s(&f["title"])).collect();
    assert!(!codes.is_empty(), "the host has findings");
    assert_eq!(b.texts("#host-findings .finding .code").await, codes);
    assert_eq!(b.texts("#host-findings .finding .title").await, titles);
    let evidence: usize = findings
        .iter()
        .map(|f| f["evidence"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(b.count("#host-findings .evidence li").await, evidence);
    let agents = api["assessment"]["agents"].as_array().expect("agents");
    assert!(!agents.is_empty(), "the host has an agent plan");
    let lines = b.texts("#host-agents .plan-line").await;
    let reasons = b.texts("#host-agents .reason").await;
    assert_eq!(lines.len(), agents.len());
    for (i, a) in agents.iter().enumerate() {
        let line = &lines[i];
        let name = s(&products[s(&a["product"])][lang]);
        assert!(
            line.starts_with(&format!("{name} ")),
            "{line} names the product of {a} {name}"
        );
        for key in ["version", "target"] {
            assert!(line.contains(s(&a[key])), "{line} names the {key} of {a}");
        }
        assert_eq!(reasons[i], s(&a["reason"]), "reason of {a}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_chromium_signs_in_filters_and_opens_a_host() {
    let (_dir, server, _, read) = harness::example_fleet_server();
    let summary = server.get_json("/api/v1/summary", &read);
    assert!(summary["hosts"].as_u64().expect("hosts") > 50);

    let Some(b) = Browser::start(1400, 1000).await else {
        return;
    };
    b.client()
        .goto(&format!("{}/", server.url))
        .await
        .expect("dashboard opens");

    // Not signed in: the sign-in form, and nothing of the fleet.
    b.wait_until("the sign-in form", || visible(&b, "signin"))
        .await;
    assert_eq!(
        b.count("form#login[method=post][action='/login'] input[type=password][name=token]")
            .await,
        1
    );
    assert!(!visible(&b, "dashboard").await);
    assert!(!visible(&b, "login-failed").await);

    // A wrong token: back to the form, with a message.
    b.type_into("#token-input", "acsr_wrong").await;
    b.click("#login button[type=submit]").await;
    b.wait_until("the sign-in failure message", || {
        visible(&b, "login-failed")
    })
    .await;
    assert!(b.text("#login-failed").await.contains("not accepted"));
    b.screenshot(&shot("signin-failed")).await;

    // The read token: the dashboard.
    b.type_into("#token-input", &read).await;
    b.click("#login button[type=submit]").await;
    b.wait_until("the summary", || async {
        visible(&b, "dashboard").await && !b.text("#summary-ready").await.is_empty()
    })
    .await;
    assert!(visible(&b, "logout").await, "a sign-out button");
    for v in VERDICTS {
        assert_eq!(
            b.text(&format!("#summary-{v}")).await,
            summary[v].to_string(),
            "summary-{v}"
        );
    }
    for a in ACTIONS {
        assert_eq!(
            b.text(&format!("#action-{a}")).await,
            summary["agent_actions"][a].to_string(),
            "action-{a}"
        );
    }
    let rules = b.text("#rules-info").await;
    assert!(rules.contains(s(&summary["rules"]["version"])), "{rules}");
    let releases = summary["by_release"].as_array().expect("by_release");
    assert_eq!(
        b.count("#release-bars tr").await,
        releases.len().min(12),
        "one bar per release"
    );
    let all = table_for(&b, "the first page", &query("", "")).await;
    assert_eq!(all.len(), 50, "one page of 50 hosts");
    let total = summary["hosts"].to_string();
    assert_eq!(b.text("#page-info").await, format!("1\u{2013}50 / {total}"));
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "sorted by host name");
    b.screenshot(&shot("overview")).await;

    // The CSV link downloads every host with the session's cookie alone.
    let csv = b
        .js(
            "return fetch(document.getElementById('csv-link').href, {credentials: 'same-origin'})\
             .then(function (r) { return r.arrayBuffer().then(function (buf) {\
               var bytes = new Uint8Array(buf);\
               return [r.status, Array.from(bytes.slice(0, 3)),\
                       new TextDecoder('utf-8', {ignoreBOM: true}).decode(bytes)]; }); });",
        )
        .await;
    assert_eq!(csv[0], 200, "{csv}");
    assert_eq!(
        csv[1],
        serde_json::json!([0xEF, 0xBB, 0xBF]),
        "BOM for Excel"
    );
    let body = csv[2].as_str().expect("CSV text");
    assert_eq!(
        body.trim_end().lines().count() as u64,
        summary["hosts"].as_u64().expect("hosts") + 1,
        "a header and one row per host"
    );

    // The next page, and back.
    b.click("#page-next").await;
    let second = table_for(
        &b,
        "the second page",
        &query("", "").replace("offset=0", "offset=50"),
    )
    .await;
    assert_eq!(
        second.len(),
        summary["hosts"].as_u64().expect("hosts") as usize - 50
    );
    b.click("#page-prev").await;
    table_for(&b, "the first page again", &query("", "")).await;

    // Filter by verdict: the rows are the API's answer to the same filter.
    b.click("#verdict-filter option[value=not_ready]").await;
    let shown = table_for(&b, "not ready hosts", &query("not_ready", "")).await;
    let api = server.get_json("/api/v1/hosts?verdict=not_ready&limit=50", &read);
    let expected: Vec<&str> = api["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .map(|h| s(&h["host"]))
        .collect();
    assert_eq!(api["total"].as_u64(), Some(shown.len() as u64));
    assert_eq!(shown, expected);
    assert_eq!(api["total"], summary["not_ready"]);

    // The filter is in the URL: a reload shows the same view.
    let search = b.js("return location.search;").await;
    assert_eq!(search, Value::String("?verdict=not_ready".into()));
    b.client().refresh().await.expect("reload");
    let again = table_for(
        &b,
        "not ready hosts after a reload",
        &query("not_ready", ""),
    )
    .await;
    assert_eq!(again, shown);
    let selected = b
        .js("return document.getElementById('verdict-filter').value;")
        .await;
    assert_eq!(selected, Value::String("not_ready".into()));

    // A release's bar filters the table to that release.
    let release = b
        .attr("#release-bars tr[data-release]", "data-release")
        .await
        .expect("a bar of a release of the rules");
    b.click("#release-bars tr[data-release] .bar-pick").await;
    let of_release = table_for(
        &b,
        "the hosts of the release",
        &format!("verdict=not_ready&release={release}&action=&q=&sort=host&order=asc&offset=0"),
    )
    .await;
    let api = server.get_json(
        &format!("/api/v1/hosts?verdict=not_ready&release={release}&limit=50"),
        &read,
    );
    assert_eq!(api["total"].as_u64(), Some(of_release.len() as u64));
    let picked = b
        .js("return document.getElementById('release-filter').value;")
        .await;
    assert_eq!(picked, Value::String(release.clone()));
    b.click("#release-filter option[value='']").await;
    table_for(&b, "every release again", &query("not_ready", "")).await;

    // Search a host (with an agent plan) by part of its name.
    let host = api["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .find(|h| h["agents"].as_array().is_some_and(|a| !a.is_empty()))
        .map(|h| s(&h["host"]).to_string())
        .expect("a not ready host with agents");
    let part: String = host.split('.').next().expect("name").to_string();
    b.type_into("#host-filter", &part).await;
    let found = table_for(&b, "the search result", &query("not_ready", &part)).await;
    let api = server.get_json(
        &format!("/api/v1/hosts?verdict=not_ready&q={part}&limit=50"),
        &read,
    );
    assert_eq!(api["total"].as_u64(), Some(found.len() as u64));
    assert!(found.contains(&host), "{host} in {found:?}");

    // Open the host: its page equals the API's.
    b.click(&format!("#host-table tr[data-host='{host}']"))
        .await;
    details_for(&b, "the host page", &host, "en").await;
    let hash = b.js("return location.hash;").await;
    assert_eq!(hash, Value::String(format!("#host={host}")));
    let en = server.get_json(&format!("/api/v1/hosts/{host}?lang=en"), &read);
    host_page_matches(&b, &en, &summary["products"], "en").await;
    assert!(b
        .text("#host-details h2")
        .await
        .ends_with(&format!(": {host}")));
    assert_eq!(
        b.count("#host-history tbody tr").await,
        en["history"].as_array().expect("history").len()
    );
    b.screenshot(&shot("host-en")).await;

    // Japanese: the labels and the finding texts change.
    b.click("#lang-ja").await;
    details_for(&b, "the host page in Japanese", &host, "ja").await;
    assert_eq!(b.text("#summary h2").await, "判定別の台数");
    assert_eq!(b.text("#lang-ja").await, "日本語");
    let ja = server.get_json(&format!("/api/v1/hosts/{host}?lang=ja"), &read);
    assert_ne!(
        ja["assessment"]["findings"][0]["title"], en["assessment"]["findings"][0]["title"],
        "the API has Japanese titles"
    );
    host_page_matches(&b, &ja, &summary["products"], "ja").await;
    b.screenshot(&shot("host-ja")).await;

    // The back button leaves the host page; the hash opens it again.
    b.js("history.back(); return null;").await;
    b.wait_until("the host page closed", || async {
        b.attr("#host-details", "data-host").await.is_none()
    })
    .await;
    // The keyboard: Tab reaches the rows, Enter opens one.
    b.js(&format!(
        "document.querySelector('#host-table tr[data-host=\"{host}\"]').focus(); return null;"
    ))
    .await;
    let row = b.client().active_element().await.expect("the focused row");
    assert_eq!(
        row.attr("data-host").await.expect("attribute"),
        Some(host.clone())
    );
    row.send_keys("\u{E007}").await.expect("Enter");
    details_for(&b, "the host page opened with Enter", &host, "ja").await;
    // A link to the host page opens it.
    b.js("history.back(); return null;").await;
    b.wait_until("the host page closed again", || async {
        b.attr("#host-details", "data-host").await.is_none()
    })
    .await;
    b.client()
        .goto(&format!("{}/#host={host}", server.url))
        .await
        .expect("link opens");
    details_for(&b, "the host page from its link", &host, "ja").await;

    // Signing out shows the form again (in the language chosen).
    b.click("#logout button").await;
    b.wait_until("the sign-in form after signing out", || {
        visible(&b, "signin")
    })
    .await;
    assert_eq!(
        b.text("#signin h2").await,
        "フリート ダッシュボードにサインイン"
    );
    assert!(!visible(&b, "dashboard").await);
    b.screenshot(&shot("signed-out")).await;
    b.close().await;
    drop(server);
}
