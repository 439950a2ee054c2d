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
pub use store::{PgOptions, PostgresStore, Scope, SqliteStore, Store, StoreError};

/// Where the server keeps the fleet.
#[derive(Debug, Clone)]
pub enum Database {
    /// The embedded store: one SQLite file, one server.
    Sqlite(PathBuf),
    /// A PostgreSQL database, shared by every replica started on it.
    Postgres(PgOptions),
}

impl Database {
    /// Opens the store (creating and migrating its schema).
    pub fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self {
            Database::Sqlite(path) => Arc::new(SqliteStore::open(path)?),
            Database::Postgres(options) => Arc::new(PostgresStore::open(options)?),
        })
    }

    /// The folder uploads are unpacked in: beside an SQLite file
    /// ([`uploads_folder`]); for PostgreSQL, `acsready/postgres-uploads` in
    /// the platform's data directory (replicas on one machine share it, each
    /// keeping only its own uploads there).
    pub fn uploads(&self) -> PathBuf {
        match self {
            Database::Sqlite(path) => uploads_folder(path),
            Database::Postgres(_) => dirs::data_dir()
                .unwrap_or_else(std::env::temp_dir)
                .join("acsready")
                .join("postgres-uploads"),
        }
    }

    /// What the log shows of it (never a password).
    pub fn shown(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(options) => store::redacted_url(&options.url),
        }
    }
}

/// How to run the server.
pub struct Config {
    pub db: Database,
    /// Where uploads are unpacked; `None`: [`Database::uploads`].
    pub uploads: Option<PathBuf>,
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
    #[error("{0}")]
    Config(String),
    #[error("cannot prepare the upload folder {folder}: {cause}")]
    Uploads {
        folder: String,
        cause: std::io::Error,
    },
}

/// The folder uploads are unpacked in: `<database>-uploads`, beside the
/// database (as SQLite's `-wal` file). Each upload has its own folder in it
/// ([`acsready_intake::upload::PREFIX`]…); the ones a killed server left
/// are removed at start.
pub fn uploads_folder(db: &std::path::Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push("-uploads");
    db.with_file_name(name)
}

/// Runs the server until Ctrl-C (or SIGTERM). Prints `listening on
/// http://ADDR` on standard error once bound.
pub fn serve(config: Config) -> Result<(), ServerError> {
    clock::check().map_err(ServerError::Config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("acsready-server")
        .build()?;
    // Opened before the runtime runs: PostgreSQL's store blocks on its own.
    let store = config.db.open()?;
    runtime.block_on(run(config, store))
}

async fn run(config: Config, store: Arc<dyn Store>) -> Result<(), ServerError> {
    let limits = &config.limits;
    let worst = limits.max_upload as u64 + limits.zip.max_unpacked;
    if limits.upload_budget < worst {
        return Err(ServerError::Config(format!(
            "--upload-budget ({}) must hold one upload at least: --max-upload + --max-unpacked = {worst} bytes",
            limits.upload_budget
        )));
    }
    let folder = config
        .uploads
        .clone()
        .unwrap_or_else(|| config.db.uploads());
    let (spool, stale) =
        acsready_intake::upload::Spool::open(&folder).map_err(|cause| ServerError::Uploads {
            folder: folder.display().to_string(),
            cause,
        })?;
    if stale > 0 {
        tracing::info!(folder = %folder.display(), stale, "removed uploads left by an earlier run");
    }
    let rules = Arc::new(config.rules);
    let state = Arc::new(api::AppState {
        store: store.clone(),
        readers: Readers::new(&rules),
        rules: rules.clone(),
        limits: config.limits,
        ingest_slots: tokio::sync::Semaphore::new(api::INGEST_SLOTS),
        uploads: api::Uploads::new(spool, config.limits.upload_budget),
    });
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|cause| ServerError::Listen {
            addr: config.listen.clone(),
            cause,
        })?;
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(db = %config.db.shown(), rules = %rules.rules_version, "store open");
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
