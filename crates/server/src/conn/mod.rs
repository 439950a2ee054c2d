//! Connections: the accept loop and its limits — header, body and idle
//! timeouts, a cap on open connections, a share of the ingest requests
//! in flight for each client. See "Limits and timeouts" in docs/server.md.

mod activity;
mod body;
mod clients;

use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;
use tower_service::Service;

use activity::{Activity, Tracked};
use clients::Clients;

pub use body::BodyTimeout;

/// Limits on connections and the time their parts may take.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// A request's headers must arrive within this, counted from the
    /// request's first byte (or from the end of the previous response).
    pub header_timeout: Duration,
    /// A request's body must arrive within this, counted from when the
    /// server starts reading it.
    pub body_timeout: Duration,
    /// A connection that moves no byte for this long is closed (after the
    /// response in flight, if any).
    pub idle_timeout: Duration,
    /// Connections open at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Ingest request bodies received at once per client address (IPv6:
    /// per /64); its other requests wait for their turn. 0: no limit.
    pub ingest_per_client: usize,
}

impl ConnLimits {
    /// The defaults (docs/server.md, "Limits and timeouts").
    pub const DEFAULT: ConnLimits = ConnLimits {
        header_timeout: Duration::from_secs(10),
        body_timeout: Duration::from_secs(120),
        idle_timeout: Duration::from_secs(60),
        max_connections: 512,
        ingest_per_client: 8,
    };
}

impl Default for ConnLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Routes whose requests count against [`ConnLimits::ingest_per_client`].
const INGEST_PATHS: [&str; 2] = ["/api/v1/facts", "/api/v1/collected"];

/// How long the server waits, once stopping, for the requests in flight.
const DRAIN: Duration = Duration::from_secs(30);

/// Written to a connection beyond [`ConnLimits::max_connections`] before
/// it is closed.
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 61\r\n\
\r\n\
{\"error\": \"the server has too many connections; retry later\"}";

/// A warning that is logged at most once per period, with how many times it
/// happened since it was last logged.
struct Throttled {
    period: Duration,
    last: Option<Instant>,
    since: u64,
}

impl Throttled {
    fn new(period: Duration) -> Self {
        Throttled {
            period,
            last: None,
            since: 0,
        }
    }

    /// Counts one occurrence; `Some(count)` when it is time to log.
    fn note(&mut self) -> Option<u64> {
        self.since += 1;
        let now = Instant::now();
        if self.last.is_some_and(|t| now < t + self.period) {
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.since))
    }
}

/// Serves `app` on `listener` within `limits` until `stop` completes, then
/// lets the requests in flight finish (at most [`DRAIN`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    stop: impl Future<Output = ()>,
) {
    let max = limits.max_connections.clamp(1, u32::MAX as usize);
    let open = Arc::new(Semaphore::new(max.min(Semaphore::MAX_PERMITS)));
    let clients = Arc::new(Clients::default());
    let (stopping, stop_rx) = watch::channel(false);
    let mut refused = Throttled::new(Duration::from_secs(10));
    let mut failed = Throttled::new(Duration::from_secs(10));
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of file descriptors (EMFILE) or memory: the pending
                // connections wait in the backlog; try again shortly.
                if let Some(n) = failed.note() {
                    tracing::error!(error = %e, times = n, "cannot accept connections; retrying");
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            let _ = stream.try_write(REFUSED);
            drop(stream);
            if let Some(n) = refused.note() {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    refused = n,
                    "too many connections: refusing new ones (--max-connections)"
                );
            }
            continue;
        };
        let app = app.clone();
        let clients = clients.clone();
        let stop_rx = stop_rx.clone();
        tokio::spawn(async move {
            connection(stream, peer.ip(), app, clients, limits, stop_rx).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    let all = u32::try_from(max.min(Semaphore::MAX_PERMITS)).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN, open.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            seconds = DRAIN.as_secs(),
            "stopping with requests still in flight"
        );
    }
}

/// Errors of one connection that `accept` reports; the next one may work.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Serves one connection until it ends, is idle for too long, or the
/// server stops.
async fn connection(
    stream: TcpStream,
    peer: IpAddr,
    app: Router,
    clients: Arc<Clients>,
    limits: ConnLimits,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Activity::new();
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: activity.clone(),
    });
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        request(req, app.clone(), peer, clients.clone(), limits)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service);
    tokio::pin!(conn);
    // Since when the connection is being closed (after its answer in flight).
    let mut closing: Option<Instant> = None;
    loop {
        let since = closing.unwrap_or_else(Instant::now);
        tokio::select! {
            done = conn.as_mut() => {
                if let Err(e) = done {
                    tracing::debug!(error = %e, "connection ended");
                }
                return;
            }
            _ = activity.idle_for(limits.idle_timeout, since) => {
                if closing.is_some() {
                    // Still no byte moved (a client that stopped reading
                    // its answer): drop the connection.
                    tracing::debug!("idle connection dropped");
                    return;
                }
                // Closes an idle connection; one with a request in flight
                // is closed after its answer.
                conn.as_mut().graceful_shutdown();
                closing = Some(Instant::now());
            }
            _ = stop.wait_for(|s| *s), if closing.is_none() => {
                conn.as_mut().graceful_shutdown();
                closing = Some(Instant::now());
            }
        }
    }
}

/// One request: its body under the body timeout; an ingest request's body
/// read only within its client's share.
async fn request(
    req: Request<Incoming>,
    mut app: Router,
    peer: IpAddr,
    clients: Arc<Clients>,
    limits: ConnLimits,
) -> Result<Response, Infallible> {
    let ingest = req.method() == Method::POST && INGEST_PATHS.contains(&req.uri().path());
    let turn = if ingest {
        clients.enter(peer, limits.ingest_per_client).await
    } else {
        None
    };
    let req = req.map(|b| Body::new(body::Deadline::new(Body::new(b), limits.body_timeout, turn)));
    app.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_a_complete_http_answer() {
        let text = std::str::from_utf8(REFUSED).expect("ASCII");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        serde_json::from_str::<serde_json::Value>(body).expect("JSON body");
    }

    #[tokio::test(start_paused = true)]
    async fn warnings_are_throttled_and_counted() {
        let mut t = Throttled::new(Duration::from_secs(10));
        assert_eq!(t.note(), Some(1));
        assert_eq!(t.note(), None);
        assert_eq!(t.note(), None);
        tokio::time::advance(Duration::from_secs(11)).await;
        assert_eq!(t.note(), Some(3));
    }
}
