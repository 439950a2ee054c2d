//! Where the server's data is (`--db`, for `serve` and `token`) and
//! `acsready store migrate`: an SQLite fleet moved to PostgreSQL.

use std::path::{Path, PathBuf};

use acsready_server::{store, Database, PgOptions, SqliteStore, Store};
use anyhow::{bail, Context, Result};

use crate::EXIT_READY;

/// The environment variable that may hold the whole database URL, its
/// password included (a command line is seen by every user of the machine).
pub const DB_ENV: &str = "ACSREADY_DB";

/// `--db PATH|URL`: the server's database, for `serve` and `token`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DbArg {
    /// The server's database: an SQLite file [default: acsready/acsready.db in the platform's data directory],
    /// or postgres://USER@HOST[:PORT]/DATABASE[?sslmode=require] (several servers may share one).
    /// Without --db, the environment variable ACSREADY_DB is used when set
    #[arg(id = "db", long = "db", value_name = "PATH|URL")]
    pub path: Option<PathBuf>,

    /// PostgreSQL: a file whose first line is the password (else PGPASSWORD, or the URL in ACSREADY_DB;
    /// never a password in --db)
    #[arg(long, value_name = "FILE")]
    pub db_password_file: Option<PathBuf>,

    /// PostgreSQL: PEM certificates of the authorities the server's TLS certificate may chain to
    /// [default: Mozilla's root certificates]
    #[arg(long, value_name = "FILE")]
    pub db_ca_file: Option<PathBuf>,
}

impl DbArg {
    /// The database named by `--db`, else `ACSREADY_DB`, else the default file.
    pub fn database(&self) -> Result<Database> {
        if let Some(path) = &self.path {
            return match path.to_str().filter(|p| store::is_postgres_url(p)) {
                Some(url) => Ok(Database::Postgres(self.postgres(url, false)?)),
                None => Ok(Database::Sqlite(path.clone())),
            };
        }
        match std::env::var(DB_ENV).ok().filter(|v| !v.is_empty()) {
            Some(url) if store::is_postgres_url(&url) => {
                Ok(Database::Postgres(self.postgres(&url, true)?))
            }
            Some(path) => Ok(Database::Sqlite(PathBuf::from(path))),
            None => Ok(Database::Sqlite(SqliteStore::default_path())),
        }
    }

    /// Connection options of `url`. A URL from the command line must hold
    /// no password; the password comes from the URL of `ACSREADY_DB`, else
    /// `--db-password-file`, else `PGPASSWORD`.
    pub fn postgres(&self, url: &str, from_env: bool) -> Result<PgOptions> {
        let has_password = store::url_has_password(url)
            .with_context(|| format!("--db {}", store::redacted_url(url)))?;
        if has_password && !from_env {
            bail!(
                "--db {}: a password on the command line is seen by every user of this machine; \
put it in PGPASSWORD or a file (--db-password-file FILE), or the whole URL in {DB_ENV}",
                store::redacted_url(url)
            );
        }
        let password = if has_password {
            None
        } else if let Some(file) = &self.db_password_file {
            Some(first_line(file)?)
        } else {
            std::env::var("PGPASSWORD").ok()
        };
        Ok(PgOptions {
            url: url.to_string(),
            password,
            ca_file: self.db_ca_file.clone(),
        })
    }

    /// Opens the store, or says which database could not be opened.
    pub fn open(&self) -> Result<std::sync::Arc<dyn Store>> {
        let db = self.database()?;
        db.open()
            .with_context(|| format!("cannot open {}", db.shown()))
    }
}

/// The first line of a password file, without its line break.
fn first_line(file: &Path) -> Result<String> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("--db-password-file {}", file.display()))?;
    let line = text.lines().next().unwrap_or("").to_string();
    if line.is_empty() {
        bail!(
            "--db-password-file {}: the first line is empty",
            file.display()
        );
    }
    Ok(line)
}

#[derive(Debug, clap::Subcommand)]
pub enum StoreCommand {
    /// Move a fleet from an SQLite file into an empty PostgreSQL database: facts, history, trend, tokens, sessions
    #[command(
        after_help = "Stop the server first. Everything is copied in one transaction, ids kept, \
and the rows of every table are counted on both sides before it is committed (the trend's days must \
add up to the hosts' verdicts): a failure leaves the PostgreSQL database empty. Then start the servers with --db postgres://….

Example:
  PGPASSWORD=… acsready store migrate --from sqlite:/var/lib/acsready/acsready.db \\
      --to postgres://acsready@db.example/acsready?sslmode=require

Exit codes: 0 copied and counted; 2 nothing copied (the reason is printed)."
    )]
    Migrate {
        /// The SQLite database: sqlite:PATH (or a plain path)
        #[arg(long, value_name = "sqlite:PATH")]
        from: String,
        /// The PostgreSQL database: postgres://USER@HOST[:PORT]/DATABASE[?sslmode=require]
        /// [default: the URL in ACSREADY_DB]
        #[arg(long, value_name = "URL")]
        to: Option<String>,
        #[arg(long, value_name = "FILE")]
        /// A file whose first line is the PostgreSQL password (else PGPASSWORD)
        db_password_file: Option<PathBuf>,
        /// PEM certificates of the authorities the PostgreSQL server's TLS certificate may chain to
        #[arg(long, value_name = "FILE")]
        db_ca_file: Option<PathBuf>,
    },
}

pub fn store(cmd: &StoreCommand) -> Result<u8> {
    let StoreCommand::Migrate {
        from,
        to,
        db_password_file,
        db_ca_file,
    } = cmd;
    let source = PathBuf::from(from.strip_prefix("sqlite:").unwrap_or(from));
    let db = DbArg {
        path: to.as_ref().map(PathBuf::from),
        db_password_file: db_password_file.clone(),
        db_ca_file: db_ca_file.clone(),
    };
    let Database::Postgres(target) = db.database()? else {
        bail!("--to must be a postgres:// URL (or ACSREADY_DB one, without --to)");
    };
    let shown = store::redacted_url(&target.url);
    let copied = store::copy_sqlite_to_postgres(&source, &target)
        .with_context(|| format!("cannot migrate {} to {shown}", source.display()))?;
    eprintln!(
        "{} → {shown}: {} hosts, {} facts, {} assessments, {} trend days, {} tokens, {} sessions copied; counts checked",
        source.display(),
        copied.hosts,
        copied.facts,
        copied.history,
        copied.trend_days,
        copied.tokens,
        copied.sessions
    );
    Ok(EXIT_READY)
}
