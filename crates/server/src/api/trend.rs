//! `GET /api/v1/trend`: hosts per verdict at the end of each of the last
//! days (UTC), from the trend the store keeps with the counts.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::read::{params, whole};
use super::{blocking, require, ApiError, Shared};
use crate::store::{trend, Scope};

/// Days asked for at most (`days`); more is refused (400).
pub const MAX_DAYS: u64 = 730;
/// Days when `days` is not given.
pub const DEFAULT_DAYS: u64 = 90;

#[derive(Debug, Deserialize)]
pub struct TrendParams {
    days: Option<String>,
}

pub async fn trend(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<TrendParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    require(&state, &headers, &method, Scope::Read).await?;
    let days = whole("days", &params(q)?.days, DEFAULT_DAYS, 1..=MAX_DAYS)? as u32;
    let today = crate::clock::today();
    let after = trend::days_before(today, days).to_string();
    let store = state.store.clone();
    let rows = blocking(move || Ok(store.trend(&after)?)).await?;
    Ok(Json(json!({
        "today": today.to_string(),
        "first_day": rows.first,
        "days": trend::days(&rows, today, days),
    }))
    .into_response())
}
