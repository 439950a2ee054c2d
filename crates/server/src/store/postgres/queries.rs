//! The [`Store`] trait on [`PostgresStore`]: writes handed to this
//! replica's writer, reads on pooled connections, tokens and sessions
//! straight in the shared database (so every replica sees them at once).

use acsready_intake::host_key;
use tokio::sync::oneshot;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::schema::REASSESS_LOCK;
use super::*;
use crate::store::filter::{self, host_filter};
use crate::store::schema::COUNTS_SQL;
use crate::store::trend;
use crate::store::*;

const ROW_COLUMNS: &str = "host, verdict, os_name, os_build, os_ubr, release, agents, codes, assessed_at, collected_at, rules_version";

fn damaged(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Damaged(format!("{what}: {e}"))
}

fn number(n: Option<i64>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

fn host_row(row: &Row) -> Result<HostRow, StoreError> {
    let verdict: String = row.try_get(1)?;
    let release: String = row.try_get(5)?;
    let agents: String = row.try_get(6)?;
    let codes: String = row.try_get(7)?;
    Ok(HostRow {
        host: row.try_get(0)?,
        verdict: verdict.parse().map_err(|e| damaged("verdict", e))?,
        os: OsSummary {
            name: row.try_get(2)?,
            build: number(row.try_get(3)?),
            ubr: number(row.try_get(4)?),
            release: (!release.is_empty()).then_some(release),
        },
        agents: serde_json::from_str(&agents).map_err(|e| damaged("agents", e))?,
        codes: serde_json::from_str(&codes).map_err(|e| damaged("codes", e))?,
        assessed_at: row.try_get(8)?,
        collected_at: row.try_get(9)?,
        rules_version: row.try_get(10)?,
    })
}

fn facts_of(body: &str) -> Result<HostFacts, StoreError> {
    serde_json::from_str(body).map_err(|e| damaged("facts", e))
}

/// Holds the re-assessment lock while its connection lives: dropping it
/// closes the connection, which releases the lock.
struct Turn(#[allow(dead_code)] deadpool_postgres::ClientWrapper);

impl Store for PostgresStore {
    fn put(&self, records: Vec<NewRecord>) -> Result<Pending<Vec<Stored>>, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Put(records, tx))?;
        Ok(rx)
    }

    fn reassess(&self, batch: Vec<Reassessed>) -> Result<Pending<usize>, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Reassess(batch, tx))?;
        Ok(rx)
    }

    fn stale(
        &self,
        rules_version: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<Stale>, StoreError> {
        self.read(async |c| {
            let rows = c
                .query(
                    "SELECT l.host, l.facts_id, f.body FROM latest l JOIN facts f ON f.id = l.facts_id
                     WHERE l.rules_version <> $1 AND l.host > $2 ORDER BY l.host LIMIT $3",
                    &[&rules_version, &after, &(limit as i64)],
                )
                .await?;
            rows.iter()
                .map(|row| {
                    Ok(Stale {
                        host: row.try_get(0)?,
                        facts_id: row.try_get(1)?,
                        facts: facts_of(row.try_get(2)?)?,
                    })
                })
                .collect()
        })
    }

    fn hosts(&self, query: &HostQuery) -> Result<HostPage, StoreError> {
        let f = host_filter(query, &filter::POSTGRES);
        let n = f.values.len();
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM latest {} ORDER BY {} LIMIT ${} OFFSET ${}",
            f.clause,
            f.order,
            n + 1,
            n + 2
        );
        let total_sql = if f.counted {
            // Verdict and release only: the maintained counts know the total.
            format!(
                "SELECT coalesce(sum(hosts), 0)::bigint FROM counts {}",
                f.clause
            )
        } else {
            format!("SELECT count(*) FROM latest {}", f.clause)
        };
        let (limit, offset) = (query.limit as i64, query.offset as i64);
        self.read(async |c| {
            let mut params: Vec<&(dyn ToSql + Sync)> =
                f.values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
            let total: i64 = c.query_one(&total_sql, &params).await?.try_get(0)?;
            params.push(&limit);
            params.push(&offset);
            let rows = c.query(&sql, &params).await?;
            Ok(HostPage {
                total: total as u64,
                offset: query.offset,
                limit: query.limit,
                hosts: rows.iter().map(host_row).collect::<Result<_, _>>()?,
            })
        })
    }

    fn host(&self, name: &str, history: usize) -> Result<Option<HostRecord>, StoreError> {
        let hkey = host_key(name);
        self.read(async |c| {
            let found = c
                .query_opt(
                    &format!(
                        "SELECT {ROW_COLUMNS}, (SELECT body FROM facts WHERE id = latest.facts_id)
                         FROM latest WHERE hkey = $1"
                    ),
                    &[&hkey],
                )
                .await?;
            let Some(found) = found else { return Ok(None) };
            let row = host_row(&found)?;
            let body: Option<String> = found.try_get(11)?;
            let facts = facts_of(body.as_deref().unwrap_or("null"))?;
            let rows = c
                .query(
                    "SELECT assessed_at, collected_at, rules_version, verdict, codes FROM assessments
                     WHERE hkey = $1 ORDER BY id DESC LIMIT $2",
                    &[&hkey, &(history as i64)],
                )
                .await?;
            let mut past = Vec::with_capacity(rows.len());
            for r in rows {
                let verdict: String = r.try_get(3)?;
                let codes: String = r.try_get(4)?;
                past.push(HistoryEntry {
                    assessed_at: r.try_get(0)?,
                    collected_at: r.try_get(1)?,
                    rules_version: r.try_get(2)?,
                    verdict: verdict.parse().map_err(|e| damaged("verdict", e))?,
                    codes: serde_json::from_str(&codes).map_err(|e| damaged("codes", e))?,
                });
            }
            Ok(Some(HostRecord {
                row,
                facts,
                history: past,
            }))
        })
    }

    fn latest_facts(&self, after: &str, limit: usize) -> Result<Vec<HostFacts>, StoreError> {
        self.read(async |c| {
            let rows = c
                .query(
                    "SELECT f.body FROM latest l JOIN facts f ON f.id = l.facts_id
                     WHERE l.host > $1 ORDER BY l.host LIMIT $2",
                    &[&after, &(limit as i64)],
                )
                .await?;
            rows.iter().map(|r| facts_of(r.try_get(0)?)).collect()
        })
    }

    fn counts(&self) -> Result<FleetCounts, StoreError> {
        self.read(async |c| {
            let rows = c.query(COUNTS_SQL.as_str(), &[]).await?;
            let mut counts = FleetCounts::default();
            for row in rows {
                let release: String = row.try_get(0)?;
                let verdict: String = row.try_get(1)?;
                let verdict: Verdict = verdict.parse().map_err(|e| damaged("verdict", e))?;
                let name: String = row.try_get(2)?;
                let n = row.try_get::<_, i64>(3)? as u64;
                let s = &mut counts.summary;
                s.hosts += n;
                for (i, a) in Action::ALL.into_iter().enumerate() {
                    *s.agent_actions.get_mut(a) += row.try_get::<_, i64>(4 + i)? as u64;
                }
                counts.add(release, name, verdict, n);
            }
            Ok(counts)
        })
    }

    fn trend(&self, after: &str) -> Result<TrendRows, StoreError> {
        self.read(async |c| {
            // One snapshot of counts and trend.
            let tx = c
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let mut rows = TrendRows::default();
            let totals = tx.query_one(trend::TOTALS_SQL.as_str(), &[]).await?;
            let first: String = totals.try_get(0)?;
            rows.first = (!first.is_empty()).then_some(first);
            for (i, n) in rows.totals.iter_mut().enumerate() {
                *n = totals.try_get(1 + i)?;
            }
            let changes = tx
                .query(&trend::with_param(&trend::CHANGES_SQL, "$1"), &[&after])
                .await?;
            for r in changes {
                let mut n = [0i64; 4];
                for (i, x) in n.iter_mut().enumerate() {
                    *x = r.try_get(1 + i)?;
                }
                rows.changes.push((r.try_get(0)?, n));
            }
            tx.commit().await?;
            Ok(rows)
        })
    }

    fn token_create(&self, name: &str, scope: Scope, hash: &[u8; 32]) -> Result<i64, StoreError> {
        let (_, now) = crate::clock::now();
        self.read(async |c| {
            let row = c
                .query_one(
                    "INSERT INTO tokens (name, scope, hash, created_at) VALUES ($1, $2, $3, $4)
                     RETURNING id",
                    &[&name, &scope.as_str(), &&hash[..], &now],
                )
                .await?;
            Ok(row.try_get(0)?)
        })
    }

    fn token_list(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.read(async |c| {
            let rows = c
                .query(
                    "SELECT id, name, scope, created_at, revoked_at FROM tokens ORDER BY id",
                    &[],
                )
                .await?;
            rows.iter()
                .map(|row| {
                    let scope: String = row.try_get(2)?;
                    Ok(TokenInfo {
                        id: row.try_get(0)?,
                        name: row.try_get(1)?,
                        scope: Scope::parse(&scope)
                            .ok_or_else(|| damaged("token scope", &scope))?,
                        created_at: row.try_get(3)?,
                        revoked_at: row.try_get(4)?,
                    })
                })
                .collect()
        })
    }

    fn token_revoke(&self, id: i64) -> Result<bool, StoreError> {
        let (_, now) = crate::clock::now();
        self.read(async |c| {
            let tx = c.transaction().await?;
            tx.execute(
                "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                &[&id, &now],
            )
            .await?;
            tx.execute("DELETE FROM sessions WHERE token_id = $1", &[&id])
                .await?;
            let exists = tx
                .query_opt("SELECT 1 FROM tokens WHERE id = $1", &[&id])
                .await?;
            tx.commit().await?;
            Ok(exists.is_some())
        })
    }

    fn token_scope(&self, hash: &[u8; 32]) -> Result<Option<(i64, Scope)>, StoreError> {
        self.read(async |c| {
            let statement = c
                .prepare_cached(
                    "SELECT id, scope FROM tokens WHERE hash = $1 AND revoked_at IS NULL",
                )
                .await?;
            let found = c.query_opt(&statement, &[&&hash[..]]).await?;
            let Some(row) = found else { return Ok(None) };
            let id: i64 = row.try_get(0)?;
            let scope: String = row.try_get(1)?;
            Ok(Scope::parse(&scope).map(|s| (id, s)))
        })
    }

    fn session_create(
        &self,
        hash: &[u8; 32],
        token_id: i64,
        scopes: &[Scope],
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        let (now, _) = crate::clock::now();
        let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        let scopes = scopes.join(",");
        self.read(async |c| {
            c.execute("DELETE FROM sessions WHERE expires_ms <= $1", &[&now])
                .await?;
            c.execute(
                "INSERT INTO sessions (hash, scopes, expires_ms, token_id) VALUES ($1, $2, $3, $4)",
                &[&&hash[..], &scopes, &expires_ms, &token_id],
            )
            .await?;
            Ok(())
        })
    }

    fn session_scopes(
        &self,
        hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<Vec<Scope>>, StoreError> {
        self.read(async |c| {
            let statement = c
                .prepare_cached(
                    "SELECT s.scopes FROM sessions s JOIN tokens t ON t.id = s.token_id
                     WHERE s.hash = $1 AND s.expires_ms > $2 AND t.revoked_at IS NULL",
                )
                .await?;
            let found = c.query_opt(&statement, &[&&hash[..], &now_ms]).await?;
            let Some(row) = found else { return Ok(None) };
            let scopes: String = row.try_get(0)?;
            Ok(Some(scopes.split(',').filter_map(Scope::parse).collect()))
        })
    }

    fn session_delete(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.read(async |c| {
            c.execute("DELETE FROM sessions WHERE hash = $1", &[&&hash[..]])
                .await?;
            Ok(())
        })
    }

    fn reassessment_turn(&self) -> Result<Box<dyn Send>, StoreError> {
        let runtime = self.runtime.as_ref().ok_or(StoreError::Closed)?;
        runtime.block_on(async {
            let object = self.pool.get().await?;
            let client = deadpool_postgres::Object::take(object);
            client
                .execute(
                    "SELECT pg_advisory_lock($1, $2)",
                    &[&REASSESS_LOCK.0, &REASSESS_LOCK.1],
                )
                .await?;
            Ok(Box::new(Turn(client)) as Box<dyn Send>)
        })
    }
}
