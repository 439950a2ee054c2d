//! The PostgreSQL store: one database shared by several replicas of the
//! server. Connections come from a pool (deadpool-postgres over
//! tokio-postgres, TLS through rustls); facts are written by one task per
//! replica that takes every queued write into one transaction (group
//! commit) and answers after the commit. Replicas never wait for each other
//! but on the same host: every transaction takes a transaction-level
//! advisory lock per host it writes, in one global order, so concurrent
//! writes of a host are serialized and never deadlock.

mod queries;
mod schema;
mod tls;
mod trend;
mod writer;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

use super::queue::{self, Job, QUEUE};
use super::StoreError;

/// Connections of one replica's pool.
const POOL: usize = 16;

/// How to reach the database. The URL holds no password when it came from
/// the command line: the password comes from `password`.
#[derive(Clone, Default)]
pub struct PgOptions {
    /// `postgres://user@host:port/database?sslmode=require`.
    pub url: String,
    pub password: Option<String>,
    /// PEM certificates of the authorities the server's certificate may
    /// chain to (else Mozilla's roots, webpki-roots).
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for PgOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgOptions")
            .field("url", &redacted(&self.url))
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// Whether `db` names a PostgreSQL database rather than an SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Whether the URL holds a password (checked before it is used: a
/// password must not come from the command line).
pub fn url_has_password(url: &str) -> Result<bool, StoreError> {
    let config = tokio_postgres::Config::from_str(url)
        .map_err(|e| StoreError::Connect(format!("{}: {}", redacted(url), message(&e))))?;
    Ok(config.get_password().is_some())
}

/// The URL with any password replaced by `***`, to show in messages.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{scheme}://{name}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The text of a PostgreSQL error: the server's message and its code, or
/// the client's error.
pub fn message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            text
        }
    }
}

/// Whether the error says the database's disk is full (SQLSTATE 53100).
pub fn is_full(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::DISK_FULL)
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => StoreError::Pg(e),
            other => StoreError::Connect(other.to_string()),
        }
    }
}

/// The PostgreSQL store.
pub struct PostgresStore {
    /// Runs the pool's connections and the writer; reads block on it.
    runtime: Option<Runtime>,
    pool: Pool,
    queue: Option<mpsc::Sender<Job>>,
    shown: String,
}

impl PostgresStore {
    /// Connects, brings the schema up to date (refusing a newer one) and
    /// starts this replica's writer.
    pub fn open(options: &PgOptions) -> Result<Self, StoreError> {
        let mut config = tokio_postgres::Config::from_str(&options.url).map_err(|e| {
            StoreError::Connect(format!("{}: {}", redacted(&options.url), message(&e)))
        })?;
        // libpq's default (`prefer`) takes an unverified TLS connection;
        // here TLS is verified or not asked for at all.
        if !options.url.contains("sslmode=") {
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
        }
        if let Some(p) = &options.password {
            config.password(p.as_bytes());
        }
        if config.get_application_name().is_none() {
            config.application_name("acsready");
        }
        config.connect_timeout(Duration::from_secs(10));
        let tls = tls::connector(options.ca_file.as_deref())?;
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("acsready-pg")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Damaged(format!("cannot start the database runtime: {e}")))?;
        let pool = Pool::builder(manager)
            .max_size(POOL)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(30)))
            .create_timeout(Some(Duration::from_secs(15)))
            .build()
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        let shown = redacted(&options.url);
        let migrated = runtime.block_on(async {
            let mut client = pool.get().await?;
            schema::migrate(&mut client).await
        });
        if let Err(e) = migrated {
            runtime.shutdown_background();
            return Err(match e {
                StoreError::Pg(e) if e.as_db_error().is_none() => {
                    StoreError::Connect(format!("{shown}: {}", message(&e)))
                }
                StoreError::Connect(why) => StoreError::Connect(format!("{shown}: {why}")),
                other => other,
            });
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        runtime.spawn(writer::write_loop(pool.clone(), rx));
        Ok(PostgresStore {
            runtime: Some(runtime),
            pool,
            queue: Some(tx),
            shown,
        })
    }

    /// The database's URL, its password hidden.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Runs `f` with a pooled connection, blocking the calling thread
    /// (never an async task's: the API reads in `spawn_blocking`).
    pub(crate) fn read<T>(
        &self,
        f: impl AsyncFnOnce(&mut deadpool_postgres::Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let runtime = self.runtime.as_ref().ok_or(StoreError::Closed)?;
        runtime.block_on(async {
            let mut client = self.pool.get().await?;
            f(&mut client).await
        })
    }

    fn send(&self, job: Job) -> Result<(), StoreError> {
        queue::send(self.queue.as_ref(), job)
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // Every write was answered after its commit; what is still queued
        // has no one waiting for it.
        self.queue.take();
        if let Some(runtime) = self.runtime.take() {
            // Never waits: the store may be dropped on an async thread.
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redacted("postgres://acsready:s3cret@db.example:5432/fleet?sslmode=require"),
            "postgres://acsready:***@db.example:5432/fleet?sslmode=require"
        );
        assert_eq!(
            redacted("postgres://acsready@db.example/fleet"),
            "postgres://acsready@db.example/fleet"
        );
        let options = PgOptions {
            url: "postgres://u:pw@h/d".into(),
            password: Some("other".into()),
            ca_file: None,
        };
        let shown = format!("{options:?}");
        assert!(
            !shown.contains("pw@") && !shown.contains("other"),
            "{shown}"
        );
    }
}
