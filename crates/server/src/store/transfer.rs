//! `acsready store migrate`: an SQLite fleet copied into an empty
//! PostgreSQL database in one transaction (a failure leaves it empty):
//! facts, history, latest, the trend, tokens and sessions, keeping their
//! ids, then the counts worked out once; the rows of each table are counted
//! on both sides, and the trend checked against the counts, before the
//! commit.

use std::path::Path;

use acsready_intake::host_key;
use rusqlite::{params, Connection, OpenFlags};
use tokio_postgres::types::ToSql;

use super::schema::action_columns;
use super::trend::{verdict_columns, TOTALS_SQL};
use super::{PgOptions, PostgresStore, SqliteStore, StoreError};
use acsready_assess::Verdict;

/// Rows read and written at a time.
const BATCH: i64 = 5_000;

/// What was copied, table by table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    pub facts: u64,
    pub history: u64,
    pub hosts: u64,
    /// Days of the trend with a change.
    pub trend_days: u64,
    pub tokens: u64,
    pub sessions: u64,
}

/// How one table is copied: the columns read from SQLite (`id` first),
/// each one's PostgreSQL type, and whether `hkey` is added from `host`.
struct Table {
    name: &'static str,
    columns: Vec<String>,
    types: Vec<&'static str>,
    keyed: bool,
    /// PostgreSQL's table has the `host` read (else it only gives `hkey`).
    has_host: bool,
}

fn tables() -> Vec<Table> {
    let actions: Vec<String> = action_columns(str::to_string, ",")
        .split(',')
        .map(String::from)
        .collect();
    let owned = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut latest = owned(&[
        "rowid", "host", "facts_id", "seen_ms", "verdict", "os_name", "os_build", "os_ubr",
        "release", "agents", "codes",
    ]);
    latest.extend(actions.iter().cloned());
    latest.extend(owned(&["assessed_at", "collected_at", "rules_version"]));
    let mut latest_types = vec![
        "bigint", "text", "bigint", "bigint", "text", "text", "bigint", "bigint", "text", "text",
        "text",
    ];
    latest_types.extend(actions.iter().map(|_| "integer"));
    latest_types.extend(["text", "text", "text"]);
    vec![
        Table {
            name: "facts",
            columns: owned(&["id", "host", "ikey", "collected_at", "received_at", "body"]),
            types: vec!["bigint", "text", "text", "text", "text", "text"],
            keyed: true,
            has_host: true,
        },
        Table {
            name: "assessments",
            columns: owned(&[
                "id",
                "host",
                "facts_id",
                "assessed_at",
                "collected_at",
                "rules_version",
                "verdict",
                "codes",
            ]),
            types: vec![
                "bigint", "text", "bigint", "text", "text", "text", "text", "text",
            ],
            keyed: true,
            has_host: false,
        },
        Table {
            name: "latest",
            columns: latest,
            types: latest_types,
            keyed: true,
            has_host: true,
        },
        Table {
            name: "trend",
            columns: std::iter::once("rowid".to_string())
                .chain(std::iter::once("day".to_string()))
                .chain(Verdict::ALL.map(|v| v.as_str().to_string()))
                .collect(),
            types: ["bigint", "text"]
                .into_iter()
                .chain(Verdict::ALL.map(|_| "bigint"))
                .collect(),
            keyed: false,
            has_host: false,
        },
        Table {
            name: "tokens",
            columns: owned(&["id", "name", "scope", "hash", "created_at", "revoked_at"]),
            types: vec!["bigint", "text", "text", "bytea", "text", "text"],
            keyed: false,
            has_host: false,
        },
        Table {
            name: "sessions",
            columns: owned(&["rowid", "hash", "scopes", "expires_ms", "token_id"]),
            types: vec!["bigint", "bytea", "text", "bigint", "bigint"],
            keyed: false,
            has_host: false,
        },
    ]
}

/// One column of a batch, typed for PostgreSQL.
enum Column {
    Int(Vec<Option<i64>>),
    Int32(Vec<Option<i32>>),
    Text(Vec<Option<String>>),
    Bytes(Vec<Option<Vec<u8>>>),
}

impl Column {
    fn of(ty: &str) -> Column {
        match ty {
            "bigint" => Column::Int(Vec::new()),
            "integer" => Column::Int32(Vec::new()),
            "bytea" => Column::Bytes(Vec::new()),
            _ => Column::Text(Vec::new()),
        }
    }

    fn push(&mut self, row: &rusqlite::Row, i: usize) -> rusqlite::Result<()> {
        match self {
            Column::Int(v) => v.push(row.get(i)?),
            Column::Int32(v) => v.push(row.get(i)?),
            Column::Text(v) => v.push(row.get(i)?),
            Column::Bytes(v) => v.push(row.get(i)?),
        }
        Ok(())
    }

    fn param(&self) -> &(dyn ToSql + Sync) {
        match self {
            Column::Int(v) => v,
            Column::Int32(v) => v,
            Column::Text(v) => v,
            Column::Bytes(v) => v,
        }
    }
}

/// Copies the SQLite database at `from` into the empty PostgreSQL database
/// of `to` (its schema created first); refuses a database that holds hosts
/// or tokens already.
pub fn copy_sqlite_to_postgres(from: &Path, to: &PgOptions) -> Result<Copied, StoreError> {
    if !from.is_file() {
        return Err(StoreError::Damaged(format!(
            "{}: no such database file",
            from.display()
        )));
    }
    // Opening it once brings an older SQLite schema up to date.
    drop(SqliteStore::open(from)?);
    let open_err = |cause| StoreError::Open {
        path: from.display().to_string(),
        cause,
    };
    let sqlite =
        Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(open_err)?;
    let target = PostgresStore::open(to)?;
    let tables = tables();
    target.read(async |c| {
        let tx = c.transaction().await?;
        for table in ["facts", "tokens"] {
            let n: i64 = tx
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .await?
                .try_get(0)?;
            if n > 0 {
                return Err(StoreError::Damaged(format!(
                    "{}: its table {table} holds {n} rows already; migrate into an empty database",
                    target.shown()
                )));
            }
        }
        let mut copied = Vec::new();
        for table in &tables {
            let n = copy_table(&sqlite, &tx, table).await?;
            let there: i64 = tx
                .query_one(&format!("SELECT count(*) FROM {}", table.name), &[])
                .await?
                .try_get(0)?;
            if there != n {
                return Err(StoreError::Damaged(format!(
                    "{}: {n} rows read, {there} in PostgreSQL (rows of one host under two names?); nothing was copied",
                    table.name
                )));
            }
            copied.push(n as u64);
        }
        tx.batch_execute(&format!(
            "{counts};
             SELECT setval(pg_get_serial_sequence('facts', 'id'), coalesce(max(id), 0) + 1, false) FROM facts;
             SELECT setval(pg_get_serial_sequence('assessments', 'id'), coalesce(max(id), 0) + 1, false) FROM assessments;
             SELECT setval(pg_get_serial_sequence('tokens', 'id'), coalesce(max(id), 0) + 1, false) FROM tokens;",
            counts = *super::schema::COUNTS_FROM_LATEST,
        ))
        .await?;
        trend_adds_up(&tx).await?;
        tx.commit().await?;
        Ok(Copied {
            facts: copied[0],
            history: copied[1],
            hosts: copied[2],
            trend_days: copied[3],
            tokens: copied[4],
            sessions: copied[5],
        })
    })
}

/// The trend's changes, added up, must be the hosts of each verdict the
/// counts hold (the state at the end of every day is worked out from both).
async fn trend_adds_up(tx: &deadpool_postgres::Transaction<'_>) -> Result<(), StoreError> {
    let sums = format!(
        "SELECT {} FROM trend",
        verdict_columns(|v| format!("CAST(coalesce(sum({v}), 0) AS BIGINT)"), ", ")
    );
    let trend = tx.query_one(&sums, &[]).await?;
    let totals = tx.query_one(TOTALS_SQL.as_str(), &[]).await?;
    for (i, v) in Verdict::ALL.iter().enumerate() {
        let (kept, hosts): (i64, i64) = (trend.try_get(i)?, totals.try_get(1 + i)?);
        if kept != hosts {
            return Err(StoreError::Damaged(format!(
                "trend: its days add up to {kept} {v} hosts, the hosts' latest assessments say {hosts}; nothing was copied"
            )));
        }
    }
    Ok(())
}

/// The rows of a batch.
fn rows_in(batch: &[Column]) -> i64 {
    let n = match batch.first() {
        Some(Column::Int(v)) => v.len(),
        Some(Column::Int32(v)) => v.len(),
        Some(Column::Text(v)) => v.len(),
        Some(Column::Bytes(v)) => v.len(),
        None => 0,
    };
    n as i64
}

/// Copies one table, [`BATCH`] rows at a time in the order of its ids;
/// answers how many rows it read.
async fn copy_table(
    sqlite: &Connection,
    tx: &deadpool_postgres::Transaction<'_>,
    table: &Table,
) -> Result<i64, StoreError> {
    let id = &table.columns[0];
    let select = format!(
        "SELECT {} FROM {} WHERE {id} > ?1 ORDER BY {id} LIMIT ?2",
        table.columns.join(", "),
        table.name
    );
    let host_column = table.columns.iter().position(|c| c == "host");
    // Columns read but not written: the row id, a host PostgreSQL keys by `hkey` only.
    let mut skipped: Vec<usize> = Vec::new();
    if id == "rowid" {
        skipped.push(0);
    }
    if let (false, Some(h)) = (table.has_host, host_column) {
        skipped.push(h);
    }
    let mut columns: Vec<&str> = Vec::new();
    let mut types: Vec<&str> = Vec::new();
    for (i, (c, t)) in table.columns.iter().zip(&table.types).enumerate() {
        if !skipped.contains(&i) {
            columns.push(c);
            types.push(t);
        }
    }
    if table.keyed {
        columns.push("hkey");
        types.push("text");
    }
    let unnest: Vec<String> = (types.iter().enumerate())
        .map(|(i, t)| format!("${}::{t}[]", i + 1))
        .collect();
    let insert = format!(
        "INSERT INTO {} ({}) SELECT * FROM unnest({})",
        table.name,
        columns.join(", "),
        unnest.join(", ")
    );
    let mut after = 0i64;
    let mut total = 0i64;
    loop {
        let mut batch: Vec<Column> = table.types.iter().map(|t| Column::of(t)).collect();
        let mut keys: Vec<Option<String>> = Vec::new();
        let mut last = None;
        {
            let mut stmt = sqlite.prepare_cached(&select)?;
            let mut rows = stmt.query(params![after, BATCH])?;
            while let Some(row) = rows.next()? {
                for (i, column) in batch.iter_mut().enumerate() {
                    column.push(row, i)?;
                }
                if let Some(h) = host_column {
                    keys.push(Some(host_key(&row.get::<_, String>(h)?)));
                }
                last = Some(row.get::<_, i64>(0)?);
            }
        }
        let Some(last) = last else { return Ok(total) };
        let read = rows_in(&batch);
        let keys = Column::Text(keys);
        let mut params: Vec<&(dyn ToSql + Sync)> = (batch.iter().enumerate())
            .filter(|(i, _)| !skipped.contains(i))
            .map(|(_, c)| c.param())
            .collect();
        if table.keyed {
            params.push(keys.param());
        }
        tx.execute(&insert, &params).await?;
        total += read;
        after = last;
    }
}
