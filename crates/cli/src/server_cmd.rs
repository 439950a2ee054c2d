//! `acsready serve` and `acsready token`: the fleet server and its tokens.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use acsready_intake::upload::ZipLimits;
use acsready_rules::Rules;
use acsready_server::{auth, Config, ConnLimits, Limits, Scope};
use anyhow::Result;

use crate::evidence_args::RulesArg;
pub use crate::store_cmd::DbArg;
use crate::{EXIT_BAD_INPUT, EXIT_READY};

/// The defaults of the connection options.
const DEFAULTS: ConnLimits = ConnLimits::DEFAULT;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,

    /// Address and port to listen on (port 0: any free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Largest body of POST /api/v1/facts, in bytes (larger: 413)
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_body: usize,

    /// Largest zip of POST /api/v1/collected, in bytes (larger: 413)
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_upload: usize,

    /// Largest size of a zip's files together once unpacked, in bytes (larger: 413)
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_unpacked: u64,

    /// Largest size of one file of a zip once unpacked, in bytes (larger: 413)
    #[arg(long, value_name = "BYTES", default_value_t = 128 << 20)]
    pub max_unpacked_file: u64,

    /// Largest ratio of a zip's file to its compressed size, for files over 1 MiB (larger: 413)
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_zip_ratio: u64,

    /// Bytes that uploads may hold at once, zips and unpacked files together (beyond: 503, Retry-After) [default: 1 GiB, or one upload at most if larger]
    #[arg(long, value_name = "BYTES")]
    pub upload_budget: Option<u64>,

    /// Seconds within which a request's headers must arrive (idle keep-alive connections close after it too)
    #[arg(long, value_name = "SECS", default_value_t = DEFAULTS.header_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,

    /// Seconds within which a request's body must arrive, once the server reads it (late: 400, closed)
    #[arg(long, value_name = "SECS", default_value_t = DEFAULTS.body_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout: u64,

    /// Seconds without a byte in either direction after which a connection is closed
    #[arg(long, value_name = "SECS", default_value_t = DEFAULTS.idle_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,

    /// Connections open at once; more are answered 503 and closed
    #[arg(long, value_name = "N", default_value_t = DEFAULTS.max_connections as u64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// Folder uploads are unpacked in [default: DATABASE-uploads beside an SQLite file;
    /// acsready/postgres-uploads in the platform's data directory for PostgreSQL]
    #[arg(long, value_name = "DIR")]
    pub uploads: Option<PathBuf>,

    /// Ingest request bodies received at once per client address (IPv6: per /64); its other requests wait their turn; 0: no limit
    #[arg(long, value_name = "N", default_value_t = DEFAULTS.ingest_per_client)]
    pub ingest_per_client: usize,

    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (alone, on standard output); it is shown only once
    Create {
        #[command(flatten)]
        db: DbArg,
        /// ingest: send facts and folders; read: read hosts, summary, reports, the dashboard
        #[arg(long, value_enum)]
        scope: ScopeArg,
        /// A name to recognise the token by in `token list`
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List tokens (id, scope, name, created, revoked); never the tokens themselves
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Revoke a token by its id (from `token list`); it stops working at once
    Revoke {
        /// The token's id, as `acsready token list` shows it (not the token itself)
        id: i64,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeArg {
    /// Send facts and collector folders (`acsready push`, POST /api/v1/…)
    Ingest,
    /// Read hosts, summary, reports and the dashboard
    Read,
}

/// Logs go to standard error; ACSREADY_LOG sets the level (error, warn, info, debug).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACSREADY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

pub fn serve(args: &ServeArgs, rules: Rules) -> Result<u8> {
    init_logging();
    let limits = Limits {
        max_body: args.max_body,
        max_upload: args.max_upload,
        zip: ZipLimits {
            max_unpacked: args.max_unpacked,
            max_file: args.max_unpacked_file,
            max_ratio: args.max_zip_ratio,
            ..ZipLimits::default()
        },
        upload_budget: args
            .upload_budget
            .unwrap_or_else(|| (args.max_upload as u64 + args.max_unpacked).max(1 << 30)),
    };
    acsready_server::serve(Config {
        db: args.db.database()?,
        uploads: args.uploads.clone(),
        listen: args.listen.clone(),
        limits,
        connections: ConnLimits {
            header_timeout: Duration::from_secs(args.header_timeout),
            body_timeout: Duration::from_secs(args.body_timeout),
            idle_timeout: Duration::from_secs(args.idle_timeout),
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            ingest_per_client: args.ingest_per_client,
        },
        rules,
    })?;
    Ok(EXIT_READY)
}

pub fn token(cmd: &TokenCommand) -> Result<u8> {
    let open = |db: &DbArg| db.open();
    match cmd {
        TokenCommand::Create { db, scope, name } => {
            let store = open(db)?;
            let scope = match scope {
                ScopeArg::Ingest => Scope::Ingest,
                ScopeArg::Read => Scope::Read,
            };
            let (id, token) = auth::create_token(store.as_ref(), name, scope)?;
            eprintln!(
                "token {id} ({}) created; it is shown only this once",
                scope.as_str()
            );
            writeln!(io::stdout(), "{token}")?;
        }
        TokenCommand::List { db } => {
            let store = open(db)?;
            let mut out = io::stdout().lock();
            writeln!(
                out,
                "{:>4}  {:<7}  {:<24}  {:<24}  name",
                "id", "scope", "created", "revoked"
            )?;
            for t in store.token_list()? {
                writeln!(
                    out,
                    "{:>4}  {:<7}  {:<24}  {:<24}  {}",
                    t.id,
                    t.scope.as_str(),
                    t.created_at,
                    t.revoked_at.as_deref().unwrap_or("-"),
                    t.name
                )?;
            }
        }
        TokenCommand::Revoke { id, db } => {
            let store = open(db)?;
            if !store.token_revoke(*id)? {
                eprintln!("acsready: error: no token {id} (acsready token list shows them)");
                return Ok(EXIT_BAD_INPUT);
            }
            eprintln!("token {id} revoked");
        }
    }
    Ok(EXIT_READY)
}
