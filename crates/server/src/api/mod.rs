//! The HTTP API (`/api/v1/…`), the sign-in pages and the dashboard files.

mod json_errors;
mod read;
#[cfg(test)]
mod spec_tests;
mod trend;
mod web;
mod write;

use std::sync::Arc;

use acsready_rules::{Lang, Rules};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use serde_json::json;

use crate::auth::{self, Caller, Credentials, Denied, SESSION_COOKIE};
use crate::store::{Scope, Store, StoreError};
use acsready_intake::Readers;
pub use write::Uploads;

/// The OpenAPI 3 description of the API.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// Size limits of request bodies.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// `POST /api/v1/facts`.
    pub max_body: usize,
    /// `POST /api/v1/collected` (the zip as sent).
    pub max_upload: usize,
    pub zip: acsready_intake::upload::ZipLimits,
    /// Bytes that uploads being unpacked may hold at once, zips and
    /// unpacked files together (see [`Uploads`]).
    pub upload_budget: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 16 << 20,
            max_upload: 256 << 20,
            zip: Default::default(),
            upload_budget: 1 << 30,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub rules: Arc<Rules>,
    pub readers: Readers,
    pub limits: Limits,
    /// Ingest requests read and parsed at once; the others wait their turn,
    /// so memory stays bounded however many clients send large bodies.
    pub ingest_slots: tokio::sync::Semaphore,
    pub uploads: Uploads,
}

/// Ingest requests read and parsed at once.
pub const INGEST_SLOTS: usize = 64;

pub type Shared = Arc<AppState>;

/// Every route: method, path (as in the OpenAPI document) and handler.
pub fn routes() -> Vec<(&'static str, &'static str, MethodRouter<Shared>)> {
    vec![
        ("get", "/api/v1/health", get(read::health)),
        ("get", "/api/v1/openapi.json", get(read::openapi)),
        ("get", "/api/v1/session", get(read::session)),
        ("post", "/api/v1/facts", post(write::facts)),
        ("post", "/api/v1/collected", post(write::collected)),
        ("get", "/api/v1/hosts", get(read::hosts)),
        ("get", "/api/v1/hosts/{host}", get(read::host)),
        ("get", "/api/v1/summary", get(read::summary)),
        ("get", "/api/v1/trend", get(trend::trend)),
        ("get", "/api/v1/report.csv", get(read::report_csv)),
        ("get", "/", get(web::index)),
        ("get", "/assets/dashboard.js", get(web::script)),
        ("get", "/assets/dashboard.css", get(web::style)),
        ("post", "/login", post(web::login)),
        ("post", "/logout", post(web::logout)),
    ]
}

/// The application.
pub fn router(state: Shared) -> Router {
    let mut app = Router::new();
    for (_, path, handler) in routes() {
        app = app.route(path, handler);
    }
    app.fallback(|| async {
        error(
            StatusCode::NOT_FOUND,
            "no such endpoint (see /api/v1/openapi.json)",
        )
    })
    .layer(middleware::from_fn(json_errors::json_errors))
    .layer(middleware::from_fn(headers_and_log))
    .with_state(state)
}

/// Content Security Policy of every response: nothing from elsewhere.
pub const CSP: &str =
    "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; object-src 'none'";

/// Security headers on every response, and one log line per request (path
/// only: never a header, a query or a body, so no secret reaches the log).
async fn headers_and_log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    tracing::debug!(
        %method,
        path,
        status = res.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    res
}

/// Seconds a client is asked to wait (`Retry-After`) when the server cannot
/// take a request for now (503: busy, stopping, disk full).
pub const RETRY_AFTER_SECONDS: u32 = 30;

/// A JSON error: `{"error": "..."}`.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let mut res = (status, Json(json!({ "error": message.into() }))).into_response();
    let h = res.headers_mut();
    if status == StatusCode::UNAUTHORIZED {
        h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        h.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    }
    res
}

/// 503 for a full disk; the cause goes to the log, not to the client.
pub fn disk_full(cause: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %cause, "no space left on the server's disk");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server has no space left to store this; retry later",
    )
}

/// A refused or failed request: its status and message.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error(self.0, self.1)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError(status, message.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Busy => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
            StoreError::Closed => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
            e if e.is_full() => disk_full(&e),
            e => {
                tracing::error!(error = %e, "store");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the store failed; see the server log",
                )
            }
        }
    }
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("task failed: {e}"),
        )
    })?
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The session id of the request's cookie.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| auth::cookie(c, SESSION_COOKIE))
        .map(str::to_string)
}

/// Checks that the request may do what needs `scope`.
pub async fn require(
    state: &Shared,
    headers: &HeaderMap,
    method: &Method,
    scope: Scope,
) -> Result<Caller, ApiError> {
    let authorization = header_str(headers, header::AUTHORIZATION).map(str::to_string);
    let session = session_cookie(headers);
    let safe = method == Method::GET || method == Method::HEAD;
    let store = state.store.clone();
    let decision = blocking(move || {
        let creds = Credentials {
            authorization: authorization.as_deref(),
            session: session.as_deref(),
        };
        let (now, _) = crate::clock::now();
        Ok(auth::authorize(store.as_ref(), &creds, scope, safe, now)?)
    })
    .await?;
    decision.map_err(|d| match d {
        Denied::Unauthenticated(why) => ApiError::new(StatusCode::UNAUTHORIZED, why),
        Denied::Forbidden(s) => ApiError::new(
            StatusCode::FORBIDDEN,
            format!("this token lacks the {} scope", s.as_str()),
        ),
    })
}

/// `lang` of a query: `en` or `ja` (an empty value is as none given);
/// anything else is refused (400), as the OpenAPI document says.
pub fn lang_param<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value: Option<String> = serde::Deserialize::deserialize(d)?;
    // Exactly as sent: ` ja` or a tab is not a language.
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(lang @ ("en" | "ja")) => Ok(Some(lang.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "\"{other}\" is neither en nor ja"
        ))),
    }
}

/// The language of texts: `lang` of the query, else Accept-Language, else English.
pub fn language(query: Option<&str>, headers: &HeaderMap) -> Lang {
    let pick = |tag: &str| {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match primary.as_str() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    };
    if let Some(lang) = query.and_then(pick) {
        return lang;
    }
    header_str(headers, header::ACCEPT_LANGUAGE)
        .and_then(|v| {
            let mut tags: Vec<(f32, &str)> = v
                .split(',')
                .map(|item| {
                    let mut parts = item.split(';');
                    let tag = parts.next().unwrap_or("").trim();
                    let q = parts
                        .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                        .unwrap_or(1.0);
                    (q, tag)
                })
                .collect();
            tags.sort_by(|a, b| b.0.total_cmp(&a.0));
            tags.into_iter().find_map(|(_, t)| pick(t))
        })
        .unwrap_or(Lang::En)
}

/// The media type of a request, without parameters, lower case.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    header_str(headers, header::CONTENT_TYPE).map(|v| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
}

/// Reads a body of at most `limit` bytes; larger ones are 413.
pub async fn body_bytes(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than the limit of {limit} bytes"),
        )
    };
    if let Some(n) = header_str(headers, header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok())
    {
        if n > limit as u64 {
            return Err(too_large());
        }
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(b) => Ok(b.to_vec()),
        Err(e) => {
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(s) = source {
                if s.is::<http_body_util::LengthLimitError>() {
                    return Err(too_large());
                }
                source = s.source();
            }
            Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("cannot read the body: {e}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_comes_from_the_query_then_accept_language() {
        let mut h = HeaderMap::new();
        assert_eq!(language(None, &h), Lang::En);
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr;q=1, ja-JP;q=0.9, en;q=0.5"),
        );
        assert_eq!(language(None, &h), Lang::Ja);
        assert_eq!(language(Some("en"), &h), Lang::En);
        assert_eq!(language(Some("xx"), &h), Lang::Ja);
    }

    #[test]
    fn a_full_disk_is_503_with_retry_after_and_other_failures_500() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        let no_space = std::io::Error::from(std::io::ErrorKind::StorageFull);
        for e in [
            StoreError::Sql(full),
            StoreError::Full("disk I/O".into()),
            StoreError::Folder {
                path: "x".into(),
                cause: no_space,
            },
        ] {
            assert!(e.is_full(), "{e}");
            let res = ApiError::from(e).into_response();
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(
                res.headers()[header::RETRY_AFTER],
                RETRY_AFTER_SECONDS.to_string()
            );
        }
        #[cfg(unix)]
        assert!(crate::store::io_full(&std::io::Error::from_raw_os_error(
            28
        )));
        let damaged = ApiError::from(StoreError::Damaged("x".into())).into_response();
        assert_eq!(damaged.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!damaged.headers().contains_key(header::RETRY_AFTER));
    }

    #[test]
    fn every_route_is_in_the_openapi_document() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
        let paths = doc["paths"].as_object().expect("paths");
        let mut documented = 0;
        for (method, path, _) in routes() {
            let op = &paths
                .get(path)
                .unwrap_or_else(|| panic!("{path} is not in openapi.json"))[method];
            assert!(op.is_object(), "{method} {path} is not in openapi.json");
            assert!(
                op["responses"].is_object(),
                "{method} {path} has no responses"
            );
            documented += 1;
        }
        let described: usize = paths
            .values()
            .map(|p| {
                p.as_object()
                    .map_or(0, |o| o.keys().filter(|k| *k != "parameters").count())
            })
            .sum();
        assert_eq!(
            described, documented,
            "openapi.json describes routes the server lacks"
        );
    }
}
