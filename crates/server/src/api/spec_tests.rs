//! The OpenAPI document says what the server does: its limits are the
//! server's constants, and every operation lists the answers any request may
//! get (414, 431, 503 with Retry-After), each error as `{"error": "..."}`.

use serde_json::Value;

use super::json_errors::{MAX_HEADERS, MAX_HEADER_BYTES, MAX_URI_BYTES};
use super::read::{MAX_LIMIT, MAX_OFFSET};
use super::trend::{DEFAULT_DAYS, MAX_DAYS};
use super::OPENAPI;
use crate::ingest::MAX_HOST_BYTES;

fn doc() -> Value {
    serde_json::from_str(OPENAPI).expect("openapi.json is JSON")
}

/// `value` with its `$ref` followed, if it has one.
fn follow<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(r) => {
            let target = r
                .strip_prefix("#/")
                .unwrap_or_else(|| panic!("{r} is not local"))
                .split('/')
                .fold(doc, |v, k| &v[k]);
            assert!(!target.is_null(), "{r} leads nowhere");
            target
        }
        None => value,
    }
}

/// Every operation: (method, path, operation).
fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(m, _)| *m != "parameters")
                .map(move |(m, op)| (m.as_str(), path.as_str(), op))
        })
        .collect()
}

fn query_schema<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| follow(doc, p))
        .find(|p| p["name"] == name)
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

#[test]
fn the_documents_limits_are_the_servers() {
    let doc = doc();
    let limit = query_schema(&doc, "/api/v1/hosts", "get", "limit");
    assert_eq!(limit["maximum"].as_u64(), Some(MAX_LIMIT));
    let offset = query_schema(&doc, "/api/v1/hosts", "get", "offset");
    assert_eq!(offset["maximum"].as_u64(), Some(MAX_OFFSET));
    let days = query_schema(&doc, "/api/v1/trend", "get", "days");
    assert_eq!(days["minimum"].as_u64(), Some(1));
    assert_eq!(days["maximum"].as_u64(), Some(MAX_DAYS));
    assert_eq!(days["default"].as_u64(), Some(DEFAULT_DAYS));
    let host = &doc["components"]["schemas"]["HostFacts"]["properties"]["host"];
    assert_eq!(host["maxLength"].as_u64(), Some(MAX_HOST_BYTES as u64));
    assert_eq!(host["minLength"].as_u64(), Some(1));
    // No control character, as `check_text` (char::is_control: Cc).
    assert_eq!(host["pattern"], "^[^\\u0000-\\u001F\\u007F-\\u009F]*$");
    assert!((0..=0x10FFFFu32)
        .filter_map(char::from_u32)
        .filter(|c| c.is_control())
        .all(|c| matches!(c as u32, 0..=0x1F | 0x7F..=0x9F)));
    let upload_host = query_schema(&doc, "/api/v1/collected", "post", "host");
    assert_eq!(upload_host["maxLength"], host["maxLength"]);
    let responses = &doc["components"]["responses"];
    let text = |name: &str| responses[name]["description"].as_str().unwrap_or("");
    assert!(text("UriTooLong").contains(&MAX_URI_BYTES.to_string()));
    assert!(text("HeadersTooLarge").contains(&format!("{MAX_HEADERS} header fields")));
    assert!(text("HeadersTooLarge").contains(&MAX_HEADER_BYTES.to_string()));
    for (method, path, op) in operations(&doc) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            let p = follow(&doc, p);
            if p["name"] == "lang" {
                assert_eq!(
                    p["schema"]["enum"],
                    serde_json::json!(["en", "ja"]),
                    "{method} {path}"
                );
            }
        }
    }
}

#[test]
fn every_operation_lists_every_answer_it_may_get_and_errors_are_json() {
    let doc = doc();
    let retry_after = serde_json::json!({ "$ref": "#/components/headers/RetryAfter" });
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().expect("responses");
        // Refused before routing, whatever the operation.
        for code in ["414", "431"] {
            assert!(responses.contains_key(code), "{method} {path} lacks {code}");
        }
        // Everything that reads the store (authentication does) may be busy.
        let public = op["security"].as_array().is_some_and(Vec::is_empty)
            && !["/login", "/logout"].contains(&path);
        assert_eq!(
            responses.contains_key("503"),
            !public,
            "{method} {path}: 503"
        );
        if let Some(busy) = responses.get("503") {
            let busy = follow(&doc, busy);
            assert_eq!(
                busy["headers"]["Retry-After"], retry_after,
                "{method} {path}"
            );
        }
        if op["parameters"].as_array().is_some_and(|p| !p.is_empty()) {
            assert!(
                responses.contains_key("400"),
                "{method} {path} checks its query: 400"
            );
        }
        for (code, answer) in responses {
            let answer = follow(&doc, answer);
            if code.starts_with('4') || code.starts_with('5') {
                let schema = follow(&doc, &answer["content"]["application/json"]["schema"]);
                assert!(
                    schema["properties"]["error"]["type"] == "string",
                    "{method} {path} {code}: not the JSON error"
                );
            }
        }
    }
}
