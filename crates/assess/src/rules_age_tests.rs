//! The age of the rules against the facts (ACS016).

use serde_json::json;

use crate::tests::{codes, facts, host, rules};
use crate::Verdict;

/// ACS016: the rules' rollup list is far older than the facts, and the host
/// has updates the list does not know.
#[test]
fn an_old_rollup_list_is_named_when_the_host_has_newer_updates() {
    let with = |build: &str, collected: Option<&str>, today: Option<&str>| {
        let mut h = host(
            build,
            "Server",
            json!({"updates": ["KB4474419", "KB5199999"]}),
        );
        if let Some(c) = collected {
            h["collected_at"] = json!(c);
        }
        let mut r = rules().clone();
        r.today = today.map(str::to_string);
        crate::assess(&facts(h), &r, acsready_rules::Lang::En)
    };
    // 2012 R2: the list goes to 2026-08 and the line to 2026-10.
    let a = with("9600", Some("2026-11-30T09:00:00+09:00"), None);
    assert_eq!(a.verdict, Verdict::Unknown);
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "ACS016")
        .expect("ACS016");
    assert!(
        f.title.contains("2026-08") && f.title.contains("2026-11-30"),
        "{}",
        f.title
    );
    assert!(f.remediation[0].contains("KB5199999") && f.remediation[0].contains("--rules"));
    // Collected soon after the list's last month: no warning.
    assert!(!codes(&with("9600", Some("2026-09-01T00:00:00Z"), None)).contains(&"ACS016"));
    // No collection time: today's date is used; none at all: no age check.
    assert!(codes(&with("9600", None, Some("2026-12-02"))).contains(&"ACS016"));
    assert!(!codes(&with("9600", None, None)).contains(&"ACS016"));
    // Windows 7 / 2008 R2: the list reaches the end of ESU, it is complete.
    let a = with("7601", Some("2026-11-30T00:00:00Z"), None);
    assert!(codes(&a).contains(&"ACS012") && !codes(&a).contains(&"ACS016"));
}
