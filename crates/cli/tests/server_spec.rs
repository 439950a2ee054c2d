//! `acsready serve` answers as its OpenAPI document says: the boundaries of
//! every query parameter, the host name of facts, and the sign-in form. The
//! document is the one the server serves; the answers come from the real
//! binary on a free loopback port. (scripts/api-check runs schemathesis
//! over the whole document.)

#[path = "server/harness.rs"]
#[allow(dead_code)]
mod harness;

use harness::{json, setup, Server};
use serde_json::Value;

/// The answer of `method path` (`template` in the document) is documented
/// there with this status, and an error answer is `{"error": "..."}`.
fn conforms(doc: &Value, method: &str, template: &str, status: u16, body: &str) {
    let responses = &doc["paths"][template][method]["responses"];
    assert!(
        responses.get(status.to_string()).is_some(),
        "{method} {template} answered {status}, which the document does not list: {body}"
    );
    if status >= 400 {
        assert!(json(body)["error"].is_string(), "{body}");
    }
}

#[test]
fn limit_and_offset_above_their_maximum_are_refused_not_clamped() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let doc = server.get_json("/api/v1/openapi.json", &s.read);
    for query in [
        "limit=1000",
        "limit=0",
        "offset=1000000000",
        "limit=",
        "offset=0",
    ] {
        let (status, body) = server.get(&format!("/api/v1/hosts?{query}"), Some(&s.read));
        assert_eq!(status, 200, "{query}: {body}");
    }
    let page = server.get_json("/api/v1/hosts?limit=1000&offset=1000000000", &s.read);
    assert_eq!(
        (page["limit"].as_u64(), page["offset"].as_u64()),
        (Some(1000), Some(1_000_000_000))
    );
    for (query, names) in [
        (
            "limit=1001",
            "limit: \"1001\" is not a whole number from 0 to 1000",
        ),
        (
            "limit=-1",
            "limit: \"-1\" is not a whole number from 0 to 1000",
        ),
        ("limit=ten", "limit: \"ten\""),
        (
            "offset=1000000001",
            "offset: \"1000000001\" is not a whole number from 0 to 1000000000",
        ),
        // Above 2^64: the same answer as just above the maximum.
        (
            "offset=18446744073709551617",
            "offset: \"18446744073709551617\" is not a whole number",
        ),
        ("offset=1.5", "offset: \"1.5\""),
    ] {
        let (status, body) = server.get(&format!("/api/v1/hosts?{query}"), Some(&s.read));
        assert_eq!(status, 400, "{query}: {body}");
        conforms(&doc, "get", "/api/v1/hosts", status, &body);
        let message = json(&body)["error"].as_str().unwrap_or("").to_string();
        assert!(message.contains(names), "{query}: {message}");
    }
}

#[test]
fn lang_is_en_or_ja_and_nothing_else() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let line = harness::facts("web01", 6414, None);
    let (status, body) = server.post(
        "/api/v1/facts",
        Some(&s.ingest),
        "application/x-ndjson",
        line.as_bytes(),
    );
    assert_eq!(status, 200, "{body}");
    let doc = server.get_json("/api/v1/openapi.json", &s.read);
    for (path, template) in [
        ("/api/v1/hosts", "/api/v1/hosts"),
        ("/api/v1/hosts/web01", "/api/v1/hosts/{host}"),
        ("/api/v1/summary", "/api/v1/summary"),
        ("/api/v1/report.csv", "/api/v1/report.csv"),
    ] {
        for good in ["en", "ja", ""] {
            let (status, body) = server.get(&format!("{path}?lang={good}"), Some(&s.read));
            assert_eq!(status, 200, "{path}?lang={good}: {body}");
        }
        // A blank that is not empty is no language either (schemathesis).
        for blank in ["%09", "%20ja", "%20"] {
            let (status, body) = server.get(&format!("{path}?lang={blank}"), Some(&s.read));
            assert_eq!(status, 400, "{path}?lang={blank}: {body}");
            conforms(&doc, "get", template, status, &body);
        }
        for bad in ["AAA", "ja-JP", "EN", "fr"] {
            let (status, body) = server.get(&format!("{path}?lang={bad}"), Some(&s.read));
            assert_eq!(status, 400, "{path}?lang={bad}: {body}");
            conforms(&doc, "get", template, status, &body);
            let message = json(&body)["error"].as_str().unwrap_or("").to_string();
            assert!(
                message.contains(&format!("lang: \"{bad}\" is neither en nor ja")),
                "{message}"
            );
        }
    }
    // Japanese texts for lang=ja, whatever Accept-Language says.
    let ja = server.get_json("/api/v1/hosts/web01?lang=ja", &s.read);
    let en = server.get_json("/api/v1/hosts/web01?lang=en", &s.read);
    assert_ne!(ja["assessment"], en["assessment"]);
}

#[test]
fn the_sign_in_form_is_required_and_a_wrong_token_goes_back_to_the_page() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let doc = server.get_json("/api/v1/openapi.json", &s.read);
    let url = format!("{}/login", server.url);
    // No body at all, no Content-Type.
    let res = server.agent.post(&url).send_empty().expect("answer");
    let status = res.status().as_u16();
    let body = res.into_body().read_to_string().unwrap_or_default();
    assert_eq!(status, 415, "{body}");
    conforms(&doc, "post", "/login", status, &body);
    // A form without the token field, and one that is not a form.
    for (kind, form, expected) in [
        ("application/x-www-form-urlencoded", "", 400),
        ("application/x-www-form-urlencoded", "user=x", 400),
        ("application/json", r#"{"token":"x"}"#, 415),
    ] {
        let (status, body) = server.post("/login", None, kind, form.as_bytes());
        assert_eq!(status, expected, "{kind} {form}: {body}");
        conforms(&doc, "post", "/login", status, &body);
    }
    // A browser's form with an empty or wrong token: back to the page.
    for form in ["token=", "token=wrong"] {
        let res = server
            .agent
            .post(&url)
            .content_type("application/x-www-form-urlencoded")
            .send(form)
            .expect("answer");
        assert_eq!(res.status().as_u16(), 303, "{form}");
        assert_eq!(res.headers()["location"], "/?login=failed", "{form}");
    }
}

#[test]
fn host_names_the_document_allows_are_the_ones_stored() {
    let s = setup();
    let server = Server::start(&s.db, &[]);
    let doc = server.get_json("/api/v1/openapi.json", &s.read);
    let host = &doc["components"]["schemas"]["HostFacts"]["properties"]["host"];
    assert_eq!(host["minLength"], 1, "{host}");
    assert_eq!(host["maxLength"], 255, "{host}");
    assert!(
        host["pattern"]
            .as_str()
            .is_some_and(|p| p.contains("\\u0000-\\u001F")),
        "{host}"
    );
    for (facts, expected) in [
        (r#"{"host":""}"#.to_string(), 400),
        (format!(r#"{{"host":"{}"}}"#, "a".repeat(256)), 400),
        (r#"{"host":"a\u0007b"}"#.to_string(), 400),
        (r#"{"host":"a"}"#.to_string(), 200),
        (format!(r#"{{"host":"{}"}}"#, "b".repeat(255)), 200),
    ] {
        let (status, body) = server.post(
            "/api/v1/facts",
            Some(&s.ingest),
            "application/json",
            facts.as_bytes(),
        );
        assert_eq!(status, expected, "{facts}: {body}");
        conforms(&doc, "post", "/api/v1/facts", status, &body);
    }
    // ?host= of an upload: empty is as none given, too long is refused.
    let (status, body) = server.post(
        &format!("/api/v1/collected?host={}", "c".repeat(256)),
        Some(&s.ingest),
        "application/zip",
        b"PK",
    );
    assert_eq!(status, 400, "{body}");
    conforms(&doc, "post", "/api/v1/collected", status, &body);
}

#[test]
fn oversized_requests_are_answers_the_document_lists() {
    let s = setup();
    let server = Server::start(&s.db, &["--max-body", "1000"]);
    let doc = server.get_json("/api/v1/openapi.json", &s.read);
    let long = format!("/api/v1/hosts?q={}", "x".repeat(9000));
    let (status, body) = server.get(&long, Some(&s.read));
    assert_eq!(status, 414, "{body}");
    conforms(&doc, "get", "/api/v1/hosts", status, &body);
    let mut req = server.agent.get(format!("{}/api/v1/summary", server.url));
    for i in 0..70 {
        req = req.header(format!("x-extra-{i}"), "1");
    }
    let res = req.call().expect("answer");
    let status = res.status().as_u16();
    let body = res.into_body().read_to_string().unwrap_or_default();
    assert_eq!(status, 431, "{body}");
    conforms(&doc, "get", "/api/v1/summary", status, &body);
    let big = vec![b' '; 5000];
    let (status, body) = server.post("/api/v1/facts", Some(&s.ingest), "application/json", &big);
    assert_eq!(status, 413, "{body}");
    conforms(&doc, "post", "/api/v1/facts", status, &body);
}
