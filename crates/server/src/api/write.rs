//! Ingest: host facts and collector folders. Records are acknowledged only
//! after the transaction that stores them is committed.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::{blocking, body_bytes, media_type, require, ApiError, Shared};
use crate::ingest::{check_host, record};
use crate::store::{NewRecord, Scope, Stored};
use acsready_intake::body::{parse_facts_checked, Rejected};
use acsready_intake::upload::{CollectedError, Spool, UploadedZip, ZIP_NAME};
use http_body_util::BodyExt;
use std::path::Path;
use tokio::io::AsyncWriteExt;

/// Media types of facts bodies (none given is fine too).
/// Bodies up to this size (a few dozen hosts; a collector sends one) are
/// parsed and assessed on the request's own task: that takes less than
/// handing them to a blocking thread and back, which made up a third of
/// the server's time under load.
const INLINE_BODY: usize = 16 << 10;

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
    let small = bytes.len() <= INLINE_BODY;
    let read = move || {
        let parsed = parse_facts_checked(&bytes, |f| check_host(&f.host));
        let (now_ms, now) = crate::clock::now();
        let records: Vec<NewRecord> = parsed
            .facts
            .into_iter()
            .map(|f| record(f, &rules, (now_ms, &now)))
            .collect();
        Ok((records, parsed.rejected))
    };
    let (records, rejected) = match small {
        true => read()?,
        false => blocking(read).await?,
    };
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

/// Uploads being unpacked: their folders, and the bytes they may hold at
/// once (the zips as sent and what they declare unpacked, together). An
/// upload that does not fit in what is left is answered 503 with
/// Retry-After, so memory and disk stay bounded however many are sent.
pub struct Uploads {
    spool: Spool,
    /// Permits are KiB.
    budget: tokio::sync::Semaphore,
}

/// Seconds a client is asked to wait when the upload budget is in use.
const RETRY_AFTER_SECS: &str = "10";

fn kib(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

impl Uploads {
    pub fn new(spool: Spool, budget: u64) -> Self {
        let permits = (kib(budget) as usize).min(tokio::sync::Semaphore::MAX_PERMITS);
        Uploads {
            spool,
            budget: tokio::sync::Semaphore::new(permits),
        }
    }

    fn reserve(&self, bytes: u64) -> Result<tokio::sync::SemaphorePermit<'_>, UploadError> {
        self.budget.try_acquire_many(kib(bytes)).map_err(|_| {
            refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is unpacking other uploads (its --upload-budget is in use); retry later",
                Some("upload_budget"),
            )
        })
    }
}

/// Why an upload is not stored: an API error, or a refusal of the upload
/// itself (`{"error": …, "limit": …}`, with Retry-After when 503).
pub enum UploadError {
    Api(ApiError),
    Refused {
        status: StatusCode,
        message: String,
        limit: Option<&'static str>,
    },
}

impl From<ApiError> for UploadError {
    fn from(e: ApiError) -> Self {
        UploadError::Api(e)
    }
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        let (status, message, limit) = match self {
            UploadError::Api(e) => return e.into_response(),
            UploadError::Refused {
                status,
                message,
                limit,
            } => (status, message, limit),
        };
        let mut body = json!({ "error": message });
        if let Some(limit) = limit {
            body["limit"] = limit.into();
        }
        let mut res = (status, Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        res
    }
}

fn refusal(
    status: StatusCode,
    message: impl Into<String>,
    limit: Option<&'static str>,
) -> UploadError {
    UploadError::Refused {
        status,
        message: message.into(),
        limit,
    }
}

/// The upload cannot be written or unpacked (a full disk, most likely):
/// 503; the cause goes to the log, never to the client.
fn no_room(e: impl std::fmt::Display) -> UploadError {
    tracing::error!(error = %e, "cannot store an upload");
    refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server cannot store the upload now (see its log); retry later",
        None,
    )
}

fn zip_too_large(limit: usize) -> UploadError {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the zip is larger than the limit of {limit} bytes (--max-upload)"),
        Some("max_upload"),
    )
}

/// Why the zip was refused: 413 naming the limit it exceeds, else 422.
fn refused(e: CollectedError) -> UploadError {
    match (&e, e.limit()) {
        (CollectedError::Io(io), _) => no_room(io),
        (_, Some(limit)) => refusal(StatusCode::PAYLOAD_TOO_LARGE, e.to_string(), Some(limit)),
        (_, None) => refusal(StatusCode::UNPROCESSABLE_ENTITY, e.to_string(), None),
    }
}

/// Writes the body to `path` as it arrives, refusing it past `limit` bytes.
async fn spool_body(body: Body, path: &Path, limit: usize) -> Result<(), UploadError> {
    let file = tokio::fs::File::create(path).await.map_err(no_room)?;
    let mut out = tokio::io::BufWriter::with_capacity(256 << 10, file);
    let mut body = body;
    let mut total: u64 = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            refusal(
                StatusCode::BAD_REQUEST,
                format!("cannot read the body: {e}"),
                None,
            )
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total += data.len() as u64;
        if total > limit as u64 {
            return Err(zip_too_large(limit));
        }
        out.write_all(&data).await.map_err(no_room)?;
    }
    out.flush().await.map_err(no_room)
}

/// `POST /api/v1/collected`: one host folder as a zip.
pub async fn collected(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<CollectedParams>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Result<Response, UploadError> {
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
    let limits = state.limits;
    let sent = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if sent.is_some_and(|n| n > limits.max_upload as u64) {
        return Err(zip_too_large(limits.max_upload));
    }
    // The zip as sent, then what it declares unpacked: both reserved before
    // they are written.
    let _zip_bytes = state
        .uploads
        .reserve(sent.unwrap_or(limits.max_upload as u64))?;
    let folder = state.uploads.spool.folder().map_err(no_room)?;
    spool_body(body, &folder.path().join(ZIP_NAME), limits.max_upload).await?;
    let path = folder.path().to_path_buf();
    let zip = blocking(move || Ok(UploadedZip::open(&path, &limits.zip)))
        .await?
        .map_err(refused)?;
    let _unpacked_bytes = state.uploads.reserve(zip.declared_size())?;
    let st = state.clone();
    let (record, warnings) = blocking(move || {
        let read = zip.read(host.as_deref(), &st.readers);
        // The folder goes as soon as it is read, off the async threads.
        drop(folder);
        Ok(read.map(|c| {
            let (now_ms, now) = crate::clock::now();
            let warnings: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
            (record(c.facts, &st.rules, (now_ms, &now)), warnings)
        }))
    })
    .await?
    .map_err(refused)?;
    check_host(&record.facts.host)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e))?;
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
