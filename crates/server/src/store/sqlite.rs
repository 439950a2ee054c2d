//! The embedded store: one SQLite file in WAL mode. Facts are written by one
//! thread that takes every queued write into one transaction (group commit)
//! and answers the writers after the commit; reads use a small pool of
//! connections. `synchronous=NORMAL` in WAL mode loses no committed
//! transaction when the process dies (only on power loss or an OS crash).

mod queries;
#[cfg(test)]
mod trend_tests;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::mpsc;

use super::queue::{self, Job, QUEUE};
use super::schema::{migrate, version, SCHEMA, SCHEMA_VERSION};
use super::*;
use writer::write_loop;
/// Idle read connections kept (one per request in flight avoids reopening).
const POOL: usize = 64;

/// The SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    pool: Mutex<Vec<Connection>>,
    queue: Option<mpsc::Sender<Job>>,
    writer: Option<JoinHandle<()>>,
    /// Dropped to stop the checkpointer.
    stop: Option<std::sync::mpsc::Sender<()>>,
    checkpointer: Option<JoinHandle<()>>,
}

impl SqliteStore {
    /// Where the database is by default: `acsready/acsready.db` in the
    /// platform's data directory (XDG data home, %APPDATA%, Application Support).
    pub fn default_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("acsready")
            .join("acsready.db")
    }

    /// Opens (creating if needed) the database at `path` and starts its writer.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|cause| StoreError::Folder {
                path: dir.display().to_string(),
                cause,
            })?;
        }
        let open_err = |cause| StoreError::Open {
            path: path.display().to_string(),
            cause,
        };
        let conn = connect(path).map_err(open_err)?;
        let found = version(&conn).map_err(open_err)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::Newer {
                found,
                known: SCHEMA_VERSION,
            });
        }
        conn.execute_batch(&SCHEMA).map_err(open_err)?;
        migrate(&conn, found).map_err(open_err)?;
        // Checkpoints run beside the writer, not inside its commits.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(open_err)?;
        let checkpoint_conn = connect(path).map_err(open_err)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let thread_err =
            |e: std::io::Error| StoreError::Damaged(format!("cannot start a thread: {e}"));
        let writer = std::thread::Builder::new()
            .name("acsready-writer".into())
            .spawn(move || write_loop(conn, rx))
            .map_err(thread_err)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let checkpointer = std::thread::Builder::new()
            .name("acsready-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpoint_conn, stopped))
            .map_err(thread_err)?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            pool: Mutex::new(Vec::new()),
            queue: Some(tx),
            writer: Some(writer),
            stop: Some(stop),
            checkpointer: Some(checkpointer),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let conn = match pooled {
            Some(c) => c,
            None => connect(&self.path)?,
        };
        let result = f(&conn);
        if let Ok(mut pool) = self.pool.lock() {
            if pool.len() < POOL {
                pool.push(conn);
            }
        }
        result
    }

    fn send(&self, job: Job) -> Result<(), StoreError> {
        queue::send(self.queue.as_ref(), job)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the queue lets the writer finish what is queued and stop.
        self.queue.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        self.stop.take();
        if let Some(checkpointer) = self.checkpointer.take() {
            let _ = checkpointer.join();
        }
    }
}

/// Copies the WAL into the database every half second (PASSIVE: never
/// waits for or blocks the writer or readers), and once more at the end.
fn checkpoint_loop(conn: Connection, stop: std::sync::mpsc::Receiver<()>) {
    let checkpoint = |mode: &str| {
        if let Err(e) = conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |_| Ok(())) {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    };
    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
        stop.recv_timeout(std::time::Duration::from_millis(500))
    {
        checkpoint("PASSIVE");
    }
    checkpoint("TRUNCATE");
}

fn connect(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL is a property of the file: set once, it stays.
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}
