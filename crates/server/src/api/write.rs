//! Ingest: host facts and collector folders. Records are acknowledged only
//! after the transaction that stores them is committed.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::{blocking, body_bytes, disk_full, media_type, require, ApiError, Shared};
use crate::ingest::{check_host, record};
use crate::store::{io_full, NewRecord, Scope, Stored};
use acsready_intake::body::{parse_facts_checked, Rejected};
use acsready_intake::upload::{read_collected, CollectedError};

/// Media types of facts bodies (none given is fine too).
const FACTS_TYPES: [&str; 6] = [
    "application/json",
    "application/x-ndjson",
    "application/ndjson",
    "application/jsonl",
    "application/x-jsonlines",
    "text/plain",
];
/// Media types of collector folders.
const ZIP_TYPES: [&str; 3] = [
    "application/zip",
    "application/x-zip-compressed",
    "application/octet-stream",
];

fn check_type(headers: &HeaderMap, allowed: &[&str]) -> Result<(), ApiError> {
    match media_type(headers) {
        Some(t) if !allowed.contains(&t.as_str()) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type {t} is not accepted here; send {}",
                allowed.join(", ")
            ),
        )),
        _ => Ok(()),
    }
}

/// Waits for one of the ingest slots.
async fn slot(state: &Shared) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
    state
        .ingest_slots
        .acquire()
        .await
        .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping"))
}

/// Stores records and waits for the commit; answers (new, duplicates).
async fn store(state: &Shared, records: Vec<NewRecord>) -> Result<(usize, usize), ApiError> {
    if records.is_empty() {
        return Ok((0, 0));
    }
    let pending = state.store.put(records)?;
    let stored = pending
        .await
        .map_err(|_| ApiError::from(crate::store::StoreError::Closed))??;
    let new = stored.iter().filter(|s| **s == Stored::New).count();
    Ok((new, stored.len() - new))
}

/// `POST /api/v1/facts`: 200 when every record is stored; 422 when some are
/// rejected (the others are stored: `accepted` counts them); 400 when the
/// body holds no record at all.
pub async fn facts(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require(&state, &headers, &method, Scope::Ingest).await?;
    check_type(&headers, &FACTS_TYPES)?;
    let _slot = slot(&state).await?;
    let bytes = body_bytes(&headers, body, state.limits.max_body).await?;
    let rules = state.rules.clone();
    let (records, rejected) = blocking(move || {
        let parsed = parse_facts_checked(&bytes, |f| check_host(&f.host));
        let (now_ms, now) = crate::clock::now();
        let records: Vec<NewRecord> = parsed
            .facts
            .into_iter()
            .map(|f| record(f, &rules, (now_ms, &now)))
            .collect();
        Ok((records, parsed.rejected))
    })
    .await?;
    if records.is_empty() && rejected.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the body holds no host facts",
        ));
    }
    let (new, duplicates) = store(&state, records).await?;
    tracing::debug!(new, duplicates, rejected = rejected.len(), "facts stored");
    Ok(answer(new, duplicates, &rejected))
}

fn answer(new: usize, duplicates: usize, rejected: &[Rejected]) -> Response {
    let accepted = new + duplicates;
    if rejected.is_empty() {
        return Json(json!({ "accepted": accepted, "stored": new, "duplicates": duplicates, "rejected": [] }))
            .into_response();
    }
    let status = if accepted == 0 {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let first = &rejected[0];
    let message = if first.line > 0 {
        format!(
            "{} record(s) rejected; line {}: {}",
            rejected.len(),
            first.line,
            first.error
        )
    } else {
        format!("{} record(s) rejected: {}", rejected.len(), first.error)
    };
    (
        status,
        Json(json!({
            "error": message,
            "accepted": accepted,
            "stored": new,
            "duplicates": duplicates,
            "rejected": rejected,
        })),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct CollectedParams {
    host: Option<String>,
}

/// `POST /api/v1/collected`: one host folder as a zip.
pub async fn collected(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<CollectedParams>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    require(&state, &headers, &method, Scope::Ingest).await?;
    check_type(&headers, &ZIP_TYPES)?;
    let host = q
        .map(|Query(p)| p.host)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?
        .filter(|h| !h.trim().is_empty());
    if let Some(h) = &host {
        check_host(h.trim()).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    }
    let _slot = slot(&state).await?;
    let bytes = body_bytes(&headers, body, state.limits.max_upload).await?;
    let st = state.clone();
    let (record, warnings) = blocking(move || {
        let c = read_collected(&bytes, host.as_deref(), st.limits.zip, &st.readers).map_err(
            |e| match e {
                CollectedError::Io(io) if io_full(&io) => disk_full(&io),
                e => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            },
        )?;
        check_host(&c.facts.host)
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e))?;
        let (now_ms, now) = crate::clock::now();
        let warnings: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
        Ok((record(c.facts, &st.rules, (now_ms, &now)), warnings))
    })
    .await?;
    let host = record.facts.host.clone();
    let (new, duplicates) = store(&state, vec![record]).await?;
    Ok(Json(json!({
        "host": host,
        "accepted": new + duplicates,
        "stored": new,
        "duplicates": duplicates,
        "warnings": warnings,
    }))
    .into_response())
}
