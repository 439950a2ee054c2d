//! Reading: health, session, hosts, one host, summary, CSV report.

use acsready_assess::render::render_host;
use acsready_assess::{assess_with, Action, Detail, HostAssessment, Verdict};
use acsready_facts::HostFacts;
use acsready_report::{listed_codes, plan_line, release_bars, CsvReport, ProductNames, Style};
use acsready_rules::{Lang, Rules};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{blocking, error, lang_param, language, require, ApiError, Shared, OPENAPI};
use crate::ingest::check_text;
use crate::store::{HostPage, HostQuery, HostRow, Scope, Sort};

/// Hosts per page at most (`limit`); more is refused (400).
pub const MAX_LIMIT: u64 = 1000;
/// The largest `offset` taken; more is refused (400). Far past any fleet,
/// and exact in every JSON reader.
pub const MAX_OFFSET: u64 = 1_000_000_000;
/// Hosts per page when `limit` is not given.
const DEFAULT_LIMIT: u64 = 100;
/// Past assessments shown per host.
const HISTORY: usize = 100;
/// Hosts read per step when writing the CSV report.
const CSV_STEP: usize = 1000;

pub async fn health(State(state): State<Shared>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": { "version": state.rules.rules_version, "as_of": state.rules.as_of },
    }))
}

pub async fn openapi(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require(&state, &headers, &method, Scope::Read).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response())
}

/// Which scopes the request's credentials carry; 401 without valid ones.
pub async fn session(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = match require(&state, &headers, &method, Scope::Read).await {
        Ok(c) => c,
        Err(e) => match require(&state, &headers, &Method::POST, Scope::Ingest).await {
            Ok(c) if headers.contains_key(header::AUTHORIZATION) => c,
            _ => return Err(e),
        },
    };
    let kind = match caller {
        crate::auth::Caller::Token { .. } => "token",
        crate::auth::Caller::Session { .. } => "session",
    };
    Ok(Json(json!({ "scopes": caller.scopes(), "via": kind })))
}

#[derive(Debug, Deserialize)]
pub struct HostsParams {
    verdict: Option<String>,
    release: Option<String>,
    action: Option<String>,
    q: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    #[serde(default, deserialize_with = "lang_param")]
    lang: Option<String>,
}

pub(super) fn bad(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A whole number of `range` (`default` when not given); anything else is
/// refused with a message naming the range.
pub(super) fn whole(
    field: &str,
    value: &Option<String>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ApiError> {
    let Some(text) = non_empty(value) else {
        return Ok(default);
    };
    text.parse::<u64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            bad(format!(
                "{field}: \"{text}\" is not a whole number from {} to {}",
                range.start(),
                range.end()
            ))
        })
}

impl HostsParams {
    fn query(&self) -> Result<HostQuery, ApiError> {
        for (field, value) in [("q", &self.q), ("release", &self.release)] {
            if let Some(v) = value {
                check_text(field, v).map_err(bad)?;
            }
        }
        let verdict = non_empty(&self.verdict)
            .map(|v| {
                v.parse::<Verdict>()
                    .map_err(|e| bad(format!("verdict: {e}")))
            })
            .transpose()?;
        let action = non_empty(&self.action)
            .map(|a| {
                Action::ALL
                    .into_iter()
                    .find(|x| x.as_str() == a)
                    .ok_or_else(|| {
                        let known = Action::ALL.map(Action::as_str).join(", ");
                        bad(format!("action: unknown action \"{a}\" ({known})"))
                    })
            })
            .transpose()?;
        let sort = match non_empty(&self.sort) {
            None | Some("host") => Sort::Host,
            Some("verdict") => Sort::Verdict,
            Some("release") => Sort::Release,
            Some("assessed_at") => Sort::AssessedAt,
            Some(s) => {
                return Err(bad(format!(
                    "sort: unknown key \"{s}\" (host, verdict, release, assessed_at)"
                )))
            }
        };
        let descending = match non_empty(&self.order) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(o) => return Err(bad(format!("order: \"{o}\" is neither asc nor desc"))),
        };
        Ok(HostQuery {
            verdict,
            release: non_empty(&self.release).map(str::to_string),
            action,
            q: non_empty(&self.q).map(str::to_string),
            offset: whole("offset", &self.offset, 0, 0..=MAX_OFFSET)?,
            limit: whole("limit", &self.limit, DEFAULT_LIMIT, 0..=MAX_LIMIT)?,
            sort,
            descending,
        })
    }
}

pub(super) fn params<T>(
    q: Result<Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, ApiError> {
    q.map(|Query(p)| p)
        .map_err(|e| bad(format!("bad query: {}", e.body_text())))
}

pub async fn hosts(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<HostsParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    require(&state, &headers, &method, Scope::Read).await?;
    let params = params(q)?;
    let lang = language(params.lang.as_deref(), &headers);
    let query = params.query()?;
    let store = state.store.clone();
    let page = blocking(move || Ok(store.hosts(&query)?)).await?;
    Ok(Json(ShownPage::of(&page, &state.rules, lang)).into_response())
}

/// A page of the host list with what its rows show, as the terminal table
/// shows it: `listed_codes` (each code once, no info-level ones) and `plan`
/// (one line per agent, in the request's language).
#[derive(Serialize)]
struct ShownPage<'a> {
    total: u64,
    offset: u64,
    limit: u64,
    hosts: Vec<ShownRow<'a>>,
}

#[derive(Serialize)]
struct ShownRow<'a> {
    #[serde(flatten)]
    row: &'a HostRow,
    listed_codes: Vec<&'a str>,
    plan: Vec<String>,
}

impl<'a> ShownPage<'a> {
    fn of(page: &'a HostPage, rules: &Rules, lang: Lang) -> Self {
        // The store keeps codes; their severity is the rules' (a code the
        // rules do not know is rated medium, as the assessment rates it).
        let severity = |code: &str| {
            rules
                .finding(code)
                .map_or(acsready_rules::Severity::Medium, |f| f.severity)
        };
        ShownPage {
            total: page.total,
            offset: page.offset,
            limit: page.limit,
            hosts: page
                .hosts
                .iter()
                .map(|row| ShownRow {
                    row,
                    listed_codes: listed_codes(row.codes.iter().map(|c| (c.as_str(), severity(c)))),
                    plan: plans(
                        row.agents
                            .iter()
                            .map(|p| (&*p.product, &*p.version, p.action, &*p.target)),
                        rules,
                        lang,
                    ),
                })
                .collect(),
        }
    }
}

/// Each agent's plan (product, version, action, target) as the terminal
/// table writes it; an upgrade's target ("latest") worded in `lang`, as
/// `render_host` words it.
fn plans<'a>(
    agents: impl IntoIterator<Item = (&'a str, &'a str, Action, &'a str)>,
    rules: &Rules,
    lang: Lang,
) -> Vec<String> {
    let names = ProductNames::of(rules);
    agents
        .into_iter()
        .map(|(product, version, action, target)| {
            let latest;
            let target = if action == Action::Upgrade {
                latest = rules.text(acsready_assess::LATEST, lang).concat();
                latest.as_str()
            } else {
                target
            };
            plan_line(names.get(product, lang), version, action, target, lang)
        })
        .collect()
}

/// The assessment of stored facts by the current rules (so a fix of the
/// rules' logic or texts shows without re-ingesting): codes and parameters,
/// its texts rendered at the edge in the language of the request.
fn rendered(facts: &HostFacts, rules: &Rules, lang: Lang) -> HostAssessment {
    let mut a = assess_with(facts, rules, lang, Detail::Params);
    render_host(&mut a, rules, lang);
    a
}

#[derive(Debug, Deserialize)]
pub struct LangParam {
    #[serde(default, deserialize_with = "lang_param")]
    lang: Option<String>,
}

pub async fn host(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    Path(name): Path<String>,
    q: Result<Query<LangParam>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    require(&state, &headers, &method, Scope::Read).await?;
    let lang = language(params(q)?.lang.as_deref(), &headers);
    check_text("host", &name).map_err(bad)?;
    let store = state.store.clone();
    let lookup = name.clone();
    let Some(record) = blocking(move || Ok(store.host(&lookup, HISTORY)?)).await? else {
        return Ok(error(
            StatusCode::NOT_FOUND,
            format!("no host {name:?} is stored"),
        ));
    };
    let assessment = rendered(&record.facts, &state.rules, lang);
    let plan = plans(
        assessment
            .agents
            .iter()
            .map(|p| (&*p.product, &*p.version, p.action, &*p.target)),
        &state.rules,
        lang,
    );
    Ok(Json(json!({
        "host": record.row.host,
        "assessment": assessment,
        "plan": plan,
        "facts": record.facts,
        "assessed_at": record.row.assessed_at,
        "collected_at": record.row.collected_at,
        "rules_version": record.row.rules_version,
        "history": record.history,
    }))
    .into_response())
}

pub async fn summary(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<LangParam>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    require(&state, &headers, &method, Scope::Read).await?;
    let lang = language(params(q)?.lang.as_deref(), &headers);
    let store = state.store.clone();
    let mut counts = blocking(move || Ok(store.counts()?)).await?;
    let names = ProductNames::of(&state.rules);
    for r in &mut counts.by_release {
        if let Some(name) = names.release(&r.release) {
            r.name = name.to_string();
        }
    }
    // The chart's bars, grouped and named as the HTML report's.
    let bars = release_bars(
        counts.by_release.iter().map(|r| {
            (
                r.release.clone(),
                [r.ready, r.not_ready, r.unknown, r.unsupported],
            )
        }),
        &names,
        lang,
    );
    let mut body = serde_json::to_value(&counts.summary)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    if let Some(o) = body.as_object_mut() {
        o.insert("by_release".into(), json!(counts.by_release));
        o.insert("release_bars".into(), json!(bars));
        o.insert(
            "rules".into(),
            json!({ "version": state.rules.rules_version, "as_of": state.rules.as_of }),
        );
        // Agents' product names, for people: {id: {en, ja}}.
        o.insert("products".into(), json!(names.all()));
    }
    Ok(Json(body).into_response())
}

/// `report.csv` exports written at once; more are answered 503.
pub const MAX_EXPORTS: usize = 4;
static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_EXPORTS);

/// The CSV report, written a page of hosts at a time as the client takes it
/// (memory does not grow with the fleet); at most [`MAX_EXPORTS`] at once.
pub async fn report_csv(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<LangParam>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    require(&state, &headers, &method, Scope::Read).await?;
    let lang = language(params(q)?.lang.as_deref(), &headers);
    let Ok(turn) = EXPORTS.try_acquire() else {
        let mut res = error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{MAX_EXPORTS} CSV reports are being written; retry shortly"),
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return Ok(res);
    };
    let st = state.clone();
    let csv = crate::chunked::body::<ApiError>(move |out| {
        let _turn = turn;
        let io =
            |e: std::io::Error| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
        let style = Style {
            lang,
            color: false,
            names: ProductNames::of(&st.rules),
        };
        let mut report = CsvReport::begin(out, style).map_err(io)?;
        let mut after = String::new();
        loop {
            let batch = st.store.latest_facts(&after, CSV_STEP)?;
            let Some(last) = batch.last() else { break };
            after = last.host.clone();
            for facts in &batch {
                report.host(&rendered(facts, &st.rules, lang)).map_err(io)?;
            }
        }
        report.finish().map_err(io)?;
        Ok(())
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"acsready-report.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
