//! The acsready fleet server: collectors and scripts send host facts or
//! collector folders (`POST /api/v1/facts`, `/api/v1/collected`), the server
//! assesses and stores them (embedded SQLite by default, behind the [`Store`]
//! trait), and people read the fleet through the API and the dashboard.
//! Access is by bearer tokens with scopes (`ingest`, `read`) and, for the
//! dashboard, read-only sessions. See docs/server.md.

pub mod api;
pub mod auth;
mod chunked;
mod clock;
pub mod conn;
pub mod ingest;
mod reassess;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use acsready_rules::Rules;

pub use acsready_intake::Readers;
pub use api::Limits;
pub use conn::ConnLimits;
pub use store::{Scope, SqliteStore, Store, StoreError};

/// How to run the server.
pub struct Config {
    pub db: PathBuf,
    /// "127.0.0.1:8080"; port 0 picks a free port.
    pub listen: String,
    pub limits: Limits,
    /// Timeouts and connection caps.
    pub connections: ConnLimits,
    pub rules: Rules,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {cause}")]
    Listen { addr: String, cause: std::io::Error },
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs the server until Ctrl-C (or SIGTERM). Prints `listening on
/// http://ADDR` on standard error once bound.
pub fn serve(config: Config) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("acsready-server")
        .build()?;
    runtime.block_on(run(config))
}

async fn run(config: Config) -> Result<(), ServerError> {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&config.db)?);
    let rules = Arc::new(config.rules);
    let state = Arc::new(api::AppState {
        store: store.clone(),
        readers: Readers::new(&rules),
        rules: rules.clone(),
        limits: config.limits,
        ingest_slots: tokio::sync::Semaphore::new(api::INGEST_SLOTS),
    });
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|cause| ServerError::Listen {
            addr: config.listen.clone(),
            cause,
        })?;
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(db = %config.db.display(), rules = %rules.rules_version, "store open");
    eprintln!("listening on http://{addr}");
    let background = tokio::spawn(reassess::stale_hosts(store.clone(), rules.clone()));
    conn::serve(listener, api::router(state), config.connections, shutdown()).await;
    background.abort();
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
