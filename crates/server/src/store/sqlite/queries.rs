//! The [`Store`] trait on [`SqliteStore`]: writes handed to the writer,
//! reads on pooled connections, and rows turned back into records.

use rusqlite::{params, OptionalExtension, Row};
use tokio::sync::oneshot;

use super::*;
use crate::store::filter::{self, host_filter, like_escaped, HostFilter};
use crate::store::queue::Job;
use crate::store::schema::COUNTS_SQL;
use crate::store::trend::{self, TOTALS_SQL};

const ROW_COLUMNS: &str = "host, verdict, os_name, os_build, os_ubr, release, agents, codes, assessed_at, collected_at, rules_version";

fn damaged(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Damaged(format!("{what}: {e}"))
}

fn host_row(row: &Row) -> Result<HostRow, StoreError> {
    let verdict: String = row.get(1)?;
    let release: String = row.get(5)?;
    let agents: String = row.get(6)?;
    let codes: String = row.get(7)?;
    Ok(HostRow {
        host: row.get(0)?,
        verdict: verdict.parse().map_err(|e| damaged("verdict", e))?,
        os: OsSummary {
            name: row.get(2)?,
            build: row.get(3)?,
            ubr: row.get(4)?,
            release: (!release.is_empty()).then_some(release),
        },
        agents: serde_json::from_str(&agents).map_err(|e| damaged("agents", e))?,
        codes: serde_json::from_str(&codes).map_err(|e| damaged("codes", e))?,
        assessed_at: row.get(8)?,
        collected_at: row.get(9)?,
        rules_version: row.get(10)?,
    })
}

fn facts_of(body: &str) -> Result<HostFacts, StoreError> {
    serde_json::from_str(body).map_err(|e| damaged("facts", e))
}

/// The name a host is stored under, asked by any spelling of its identity
/// (`web01.corp.example` finds `WEB01`); the name itself when none is stored.
fn stored_name(c: &rusqlite::Connection, name: &str) -> Result<String, StoreError> {
    let stored = c
        .prepare_cached("SELECT 1 FROM latest WHERE host = ?1")?
        .query_row([name], |_| Ok(()))
        .optional()?;
    if stored.is_some() {
        return Ok(name.to_string());
    }
    // Another spelling: LIKE is case-insensitive (ASCII) in SQLite.
    let key = acsready_intake::host_key(name);
    let exact = like_escaped(&key);
    let mut stmt = c.prepare_cached(
        "SELECT host FROM latest WHERE host LIKE ?1 ESCAPE '\\' OR host LIKE ?2 ESCAPE '\\'
         ORDER BY rowid LIMIT 16",
    )?;
    let mut rows = stmt.query(params![exact, format!("{exact}.%")])?;
    while let Some(r) = rows.next()? {
        let host: String = r.get(0)?;
        if acsready_intake::host_key(&host) == key {
            return Ok(host);
        }
    }
    Ok(name.to_string())
}

impl Store for SqliteStore {
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
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT l.host, l.facts_id, f.body FROM latest l JOIN facts f ON f.id = l.facts_id
                 WHERE l.rules_version <> ?1 AND l.host > ?2 ORDER BY l.host LIMIT ?3",
            )?;
            let mut rows = stmt.query(params![rules_version, after, limit as i64])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let body: String = row.get(2)?;
                out.push(Stale {
                    host: row.get(0)?,
                    facts_id: row.get(1)?,
                    facts: facts_of(&body)?,
                });
            }
            Ok(out)
        })
    }

    fn hosts(&self, query: &HostQuery) -> Result<HostPage, StoreError> {
        let HostFilter {
            clause: filter,
            values,
            order,
            counted,
        } = host_filter(query, &filter::SQLITE);
        // Verdict and release only: the maintained counts know the total.
        let count_from = if counted {
            "SELECT coalesce(sum(hosts), 0) FROM counts"
        } else {
            "SELECT count(*) FROM latest"
        };
        let values: Vec<rusqlite::types::Value> = values.into_iter().map(Into::into).collect();
        self.read(|c| {
            let total: i64 = c.query_row(
                &format!("{count_from} {filter}"),
                rusqlite::params_from_iter(values.iter()),
                |r| r.get(0),
            )?;
            let mut page_values = values.clone();
            page_values.push((query.limit as i64).into());
            page_values.push((query.offset as i64).into());
            let n = page_values.len();
            let sql = format!(
                "SELECT {ROW_COLUMNS} FROM latest {filter} ORDER BY {order} LIMIT ?{} OFFSET ?{n}",
                n - 1
            );
            let mut stmt = c.prepare(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(page_values.iter()))?;
            let mut hosts = Vec::new();
            while let Some(row) = rows.next()? {
                hosts.push(host_row(row)?);
            }
            Ok(HostPage {
                total: total as u64,
                offset: query.offset,
                limit: query.limit,
                hosts,
            })
        })
    }

    fn host(&self, name: &str, history: usize) -> Result<Option<HostRecord>, StoreError> {
        self.read(|c| {
            let name = &stored_name(c, name)?;
            let found = c
                .prepare_cached(&format!(
                    "SELECT {ROW_COLUMNS}, (SELECT body FROM facts WHERE id = latest.facts_id)
                     FROM latest WHERE host = ?1"
                ))?
                .query_row([name], |r| {
                    Ok((host_row(r), r.get::<_, Option<String>>(11)?))
                })
                .optional()?;
            let Some((row, body)) = found else {
                return Ok(None);
            };
            let row = row?;
            let facts = facts_of(body.as_deref().unwrap_or("null"))?;
            let mut stmt = c.prepare_cached(
                "SELECT assessed_at, collected_at, rules_version, verdict, codes FROM assessments
                 WHERE host = ?1 ORDER BY id DESC LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![name, history as i64])?;
            let mut past = Vec::new();
            while let Some(r) = rows.next()? {
                let verdict: String = r.get(3)?;
                let codes: String = r.get(4)?;
                past.push(HistoryEntry {
                    assessed_at: r.get(0)?,
                    collected_at: r.get(1)?,
                    rules_version: r.get(2)?,
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
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT f.body FROM latest l JOIN facts f ON f.id = l.facts_id
                 WHERE l.host > ?1 ORDER BY l.host LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![after, limit as i64])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let body: String = row.get(0)?;
                out.push(facts_of(&body)?);
            }
            Ok(out)
        })
    }

    fn counts(&self) -> Result<FleetCounts, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&COUNTS_SQL)?;
            let mut rows = stmt.query([])?;
            let mut counts = FleetCounts::default();
            while let Some(row) = rows.next()? {
                let release: String = row.get(0)?;
                let verdict: String = row.get(1)?;
                let verdict: Verdict = verdict.parse().map_err(|e| damaged("verdict", e))?;
                let name: String = row.get(2)?;
                let n = row.get::<_, i64>(3)? as u64;
                let s = &mut counts.summary;
                s.hosts += n;
                for (i, a) in Action::ALL.into_iter().enumerate() {
                    *s.agent_actions.get_mut(a) += row.get::<_, i64>(4 + i)? as u64;
                }
                counts.add(release, name, verdict, n);
            }
            Ok(counts)
        })
    }

    fn trend(&self, after: &str) -> Result<TrendRows, StoreError> {
        self.read(|c| {
            // One read transaction: one snapshot of counts and trend.
            let tx = c.unchecked_transaction()?;
            let mut rows = TrendRows::default();
            let first: String = tx.prepare_cached(&TOTALS_SQL)?.query_row([], |r| {
                for (i, n) in rows.totals.iter_mut().enumerate() {
                    *n = r.get(1 + i)?;
                }
                r.get(0)
            })?;
            rows.first = (!first.is_empty()).then_some(first);
            let mut stmt = tx.prepare_cached(&trend::with_param(&trend::CHANGES_SQL, "?1"))?;
            let mut changes = stmt.query([after])?;
            while let Some(r) = changes.next()? {
                let mut n = [0i64; 4];
                for (i, x) in n.iter_mut().enumerate() {
                    *x = r.get(1 + i)?;
                }
                rows.changes.push((r.get(0)?, n));
            }
            drop(changes);
            drop(stmt);
            tx.commit()?;
            Ok(rows)
        })
    }

    fn token_create(&self, name: &str, scope: Scope, hash: &[u8; 32]) -> Result<i64, StoreError> {
        let (_, now) = crate::clock::now();
        self.read(|c| {
            c.execute(
                "INSERT INTO tokens (name, scope, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name, scope.as_str(), &hash[..], now],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    fn token_list(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, name, scope, created_at, revoked_at FROM tokens ORDER BY id",
            )?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let scope: String = row.get(2)?;
                out.push(TokenInfo {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    scope: Scope::parse(&scope).ok_or_else(|| damaged("token scope", &scope))?,
                    created_at: row.get(3)?,
                    revoked_at: row.get(4)?,
                });
            }
            Ok(out)
        })
    }

    fn token_revoke(&self, id: i64) -> Result<bool, StoreError> {
        let (_, now) = crate::clock::now();
        self.read(|c| {
            c.execute_batch("BEGIN IMMEDIATE")?;
            let revoked = (|| {
                c.execute(
                    "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                    params![id, now],
                )?;
                c.execute("DELETE FROM sessions WHERE token_id = ?1", [id])
            })();
            c.execute_batch(if revoked.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            })?;
            revoked?;
            let exists = c
                .query_row("SELECT 1 FROM tokens WHERE id = ?1", [id], |_| Ok(()))
                .optional()?;
            Ok(exists.is_some())
        })
    }

    fn token_scope(&self, hash: &[u8; 32]) -> Result<Option<(i64, Scope)>, StoreError> {
        self.read(|c| {
            let found: Option<(i64, String)> = c
                .prepare_cached(
                    "SELECT id, scope FROM tokens WHERE hash = ?1 AND revoked_at IS NULL",
                )?
                .query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            Ok(found.and_then(|(id, s)| Scope::parse(&s).map(|s| (id, s))))
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
        self.read(|c| {
            c.execute("DELETE FROM sessions WHERE expires_ms <= ?1", [now])?;
            c.execute(
                "INSERT INTO sessions (hash, scopes, expires_ms, token_id) VALUES (?1, ?2, ?3, ?4)",
                params![&hash[..], scopes.join(","), expires_ms, token_id],
            )?;
            Ok(())
        })
    }

    fn session_scopes(
        &self,
        hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<Vec<Scope>>, StoreError> {
        self.read(|c| {
            let found: Option<String> = c
                .prepare_cached(
                    "SELECT s.scopes FROM sessions s JOIN tokens t ON t.id = s.token_id
                     WHERE s.hash = ?1 AND s.expires_ms > ?2 AND t.revoked_at IS NULL",
                )?
                .query_row(params![&hash[..], now_ms], |r| r.get(0))
                .optional()?;
            Ok(found.map(|s| s.split(',').filter_map(Scope::parse).collect()))
        })
    }

    fn session_delete(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.read(|c| {
            c.execute("DELETE FROM sessions WHERE hash = ?1", [&hash[..]])?;
            Ok(())
        })
    }
}
