//! Every error answer is JSON (`{"error": "..."}`), also those that axum
//! makes itself (405, a path that does not decode, a rejected extractor),
//! and requests with a too long address or too many or too large headers
//! are refused here, as JSON, before any handler runs.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::error;

/// The longest request target (path and query) taken, in bytes.
pub const MAX_URI_BYTES: usize = 8 << 10;
/// The most header fields a request may have.
pub const MAX_HEADERS: usize = 64;
/// The most bytes of header names and values a request may have.
pub const MAX_HEADER_BYTES: usize = 32 << 10;
/// The longest text of an error answer that is carried into its JSON.
const MAX_TEXT: usize = 4 << 10;
/// Headers of an error answer kept when it is rewritten as JSON.
const KEPT: [HeaderName; 3] = [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE];

/// Why a request is refused before it is routed, if it is.
fn oversized(req: &Request) -> Option<(StatusCode, String)> {
    let uri = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return Some((
            StatusCode::URI_TOO_LONG,
            format!("the address is {uri} bytes long; the limit is {MAX_URI_BYTES}"),
        ));
    }
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return Some((
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "{} header fields of {bytes} bytes; the limits are {MAX_HEADERS} fields and {MAX_HEADER_BYTES} bytes",
                headers.len()
            ),
        ));
    }
    None
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"))
}

/// Refuses oversized requests, and rewrites an error answer that is not
/// JSON (empty, or axum's plain text) as `{"error": "..."}` with the same
/// status, its text kept as the message.
pub async fn json_errors(req: Request, next: Next) -> Response {
    if let Some((status, message)) = oversized(&req) {
        return error(status, message);
    }
    let method = req.method().clone();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(res.headers()) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, MAX_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = match (text.is_empty(), status) {
        (false, _) => text,
        (true, StatusCode::METHOD_NOT_ALLOWED) => {
            let allowed = parts
                .headers
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            format!("{method} is not allowed here; allowed: {allowed}")
        }
        (true, _) => status
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_string(),
    };
    let mut out = error(status, message);
    for name in KEPT {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}
