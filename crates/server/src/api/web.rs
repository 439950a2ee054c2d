//! The dashboard's files and signing in and out.

use std::sync::LazyLock;

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use super::{blocking, error, session_cookie, ApiError, Shared};
use crate::auth::{self, SESSION_COOKIE, SESSION_HOURS};
use crate::store::Scope;

use acsready_report::{script_labels, Label, HOST_COLUMNS, PAGE_STYLE};
use acsready_rules::Lang;

const INDEX: &str = include_str!("../../dashboard/index.html");
/// The script, in two files: the page's, and the trend's (put in its place).
const SCRIPT_PAGE: &str = include_str!("../../dashboard/dashboard.js");
const SCRIPT_TREND: &str = include_str!("../../dashboard/trend.js");
/// Where the script takes its labels: this text of it is replaced.
const LABELS_PLACE: &str = "/*{labels}*/{ en: {}, ja: {} }";
/// Where the trend's part of the script goes.
const TREND_PLACE: &str = "  /*{trend}*/\n";

/// The labels the dashboard reads, besides the host table's columns and the
/// verdicts, actions and severities.
const DASHBOARD_LABELS: [Label; 46] = [
    Label::DashTitle,
    Label::SignInTitle,
    Label::TokenLabel,
    Label::SignIn,
    Label::SignOut,
    Label::LoginFailed,
    Label::TokenHint,
    Label::ByVerdict,
    Label::ByOs,
    Label::ByAction,
    Label::Hosts,
    Label::HostList,
    Label::Release,
    Label::Action,
    Label::Search,
    Label::SearchHint,
    Label::All,
    Label::Prev,
    Label::Next,
    Label::TableCaption,
    Label::AssessedAt,
    Label::CollectedAt,
    Label::RulesVersion,
    Label::DetailsTitle,
    Label::OpenHost,
    Label::DashNoscript,
    Label::Evidence,
    Label::Remediation,
    Label::History,
    Label::Modules,
    Label::None,
    Label::NoHosts,
    Label::Rules,
    Label::AsOf,
    Label::NotFound,
    Label::Close,
    Label::LoadFailed,
    Label::Csv,
    Label::TrendTitle,
    Label::TrendDays,
    Label::TrendDay,
    Label::TrendTable,
    Label::TrendEmpty,
    Label::TrendNow,
    Label::TrendChange,
    Label::TrendSince,
];

/// The dashboard's script, its labels in English and Japanese from the one
/// label catalogue.
static SCRIPT: LazyLock<String> = LazyLock::new(|| {
    let labels = |lang| script_labels(HOST_COLUMNS.into_iter().chain(DASHBOARD_LABELS), lang);
    let labels = serde_json::json!({ "en": labels(Lang::En), "ja": labels(Lang::Ja) });
    SCRIPT_PAGE
        .replacen(LABELS_PLACE, &labels.to_string(), 1)
        .replacen(TREND_PLACE, SCRIPT_TREND, 1)
});
/// The dashboard's style sheet: the HTML report's (verdict colours
/// included), then the dashboard's own rules.
static STYLE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{PAGE_STYLE}{}",
        include_str!("../../dashboard/dashboard.css")
    )
});

fn file(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub async fn index() -> Response {
    file("text/html; charset=utf-8", INDEX)
}

pub async fn script() -> Response {
    file("text/javascript; charset=utf-8", SCRIPT.as_str())
}

pub async fn style() -> Response {
    file("text/css; charset=utf-8", STYLE.as_str())
}

/// A POST from a page of another site is refused. A browser says where a
/// request comes from with `Sec-Fetch-Site` (which no page can set) and
/// `Origin`; under `Referrer-Policy: no-referrer` it sends `Origin: null`
/// even for a form of this very page, so `null` is accepted only when
/// `Sec-Fetch-Site` says `same-origin`. Clients that send neither header
/// (scripts, curl) are not browsers and pass.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let site = text("sec-fetch-site");
    if site.is_some_and(|s| s != "same-origin") {
        return false;
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return true;
    };
    if origin == "null" {
        return site == Some("same-origin");
    }
    let host = text(header::HOST.as_str());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

fn redirect(to: &'static str, cookie: Option<String>) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    res
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
}

/// `POST /login`: a read token in, a session cookie out.
pub async fn login(
    State(state): State<Shared>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, ApiError> {
    if !same_origin(&headers) {
        return Ok(error(StatusCode::FORBIDDEN, "cross-origin sign-in refused"));
    }
    // A browser's form always has the field (empty or not): a wrong token
    // goes back to the page; a request without the form is refused.
    let form = match form {
        Ok(Form(form)) => form,
        Err(FormRejection::InvalidFormContentType(_)) => {
            return Ok(error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the sign-in form as application/x-www-form-urlencoded",
            ))
        }
        Err(e) => {
            return Ok(error(
                StatusCode::BAD_REQUEST,
                format!("the sign-in form needs a token field: {}", e.body_text()),
            ))
        }
    };
    let store = state.store.clone();
    let session = blocking(move || {
        let token = form.token.trim();
        let token_id = match store.token_scope(&auth::hash(token))? {
            Some((id, Scope::Read)) => id,
            _ => return Ok(None),
        };
        let id = auth::random_secret()
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let (now, _) = crate::clock::now();
        store.session_create(
            &auth::hash(&id),
            token_id,
            &[Scope::Read],
            now + SESSION_HOURS * 3_600_000,
        )?;
        Ok(Some(id))
    })
    .await?;
    Ok(match session {
        Some(id) => {
            tracing::info!("dashboard session created");
            redirect(
                "/",
                Some(format!(
                    "{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
                    SESSION_HOURS * 3600
                )),
            )
        }
        None => {
            tracing::info!("dashboard sign-in refused");
            redirect("/?login=failed", None)
        }
    })
}

/// `POST /logout`: ends the session and clears the cookie.
pub async fn logout(State(state): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    if !same_origin(&headers) {
        return Ok(error(
            StatusCode::FORBIDDEN,
            "cross-origin sign-out refused",
        ));
    }
    if let Some(id) = session_cookie(&headers) {
        let store = state.store.clone();
        blocking(move || Ok(store.session_delete(&auth::hash(&id))?)).await?;
    }
    Ok(redirect(
        "/",
        Some(format!(
            "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
        )),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    /// Every key the page and its script read (`t("…")`, `data-i18n="…"`)
    /// is sent, in both languages: a missing label fails here.
    #[test]
    fn every_label_the_dashboard_reads_is_sent() {
        let script = format!("{SCRIPT_PAGE}{SCRIPT_TREND}");
        let script: &'static str = script.leak();
        let keys_after = |text: &'static str, open: &'static str| {
            text.split(open)
                .skip(1)
                .map(|rest| rest.split('"').next().unwrap_or(""))
        };
        let mut keys: Vec<&str> = keys_after(script, "t(\"")
            .chain(keys_after(INDEX, "data-i18n=\""))
            .chain(keys_after(INDEX, "data-i18n-placeholder=\""))
            // Not `split(".")`.
            .filter(|k| k.starts_with(|c: char| c.is_ascii_lowercase()) && !k.ends_with('.'))
            .collect();
        keys.extend(["verdicts.not_ready", "actions.fix_host", "severities.info"]);
        assert!(
            keys.contains(&"dash_title") && keys.contains(&"search_hint"),
            "{keys:?}"
        );
        let sent = SCRIPT.as_str();
        assert!(script.contains(LABELS_PLACE) && !sent.contains(LABELS_PLACE));
        assert!(SCRIPT_PAGE.contains(TREND_PLACE) && !sent.contains(TREND_PLACE));
        assert!(sent.contains("function renderTrend()"));
        let start = sent.find("var LABELS = ").unwrap() + "var LABELS = ".len();
        let mut json =
            serde_json::Deserializer::from_str(&sent[start..]).into_iter::<serde_json::Value>();
        let labels = json.next().unwrap().unwrap();
        assert_eq!(
            sent[start + json.byte_offset()..].chars().next(),
            Some(';'),
            "the labels are one JSON value, then the statement ends"
        );
        for lang in ["en", "ja"] {
            for key in &keys {
                let value = key.split('.').fold(&labels[lang], |v, k| &v[k]);
                assert!(
                    value.as_str().is_some_and(|s| !s.is_empty()),
                    "the dashboard reads {key}, which is not sent in {lang}"
                );
            }
        }
        assert_eq!(labels["ja"]["verdicts"]["not_ready"], "未対応");
    }

    #[test]
    fn the_dashboard_has_the_reports_look_and_its_own() {
        assert!(STYLE.starts_with(&PAGE_STYLE.to_string()));
        assert!(STYLE.contains("--not_ready:#c62828"));
        assert!(STYLE.contains(".signin{"));
    }

    #[test]
    fn only_this_origin_may_sign_in() {
        let host = ("host", "127.0.0.1:8080");
        // A form of this page (Chromium under no-referrer sends Origin: null).
        assert!(same_origin(&headers(&[
            host,
            ("origin", "null"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(same_origin(&headers(&[
            host,
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin")
        ])));
        // No browser headers at all: not a browser.
        assert!(same_origin(&headers(&[host])));
        // Another site, however it says so.
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "null"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!same_origin(&headers(&[host, ("origin", "null")])));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-site")
        ])));
    }
}
