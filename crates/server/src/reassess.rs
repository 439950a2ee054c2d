//! Re-assessing stored hosts whose latest assessment was made by other
//! rules (a rules update, or `--rules FILE`), in the background: batches go
//! through the same writer queue as ingest, so ingest is never blocked.

use std::sync::Arc;
use std::time::Duration;

use acsready_assess::{assess_with, Detail};
use acsready_rules::{Lang, Rules};

use crate::store::{Assessed, Reassessed, Store, StoreError};

/// Hosts per batch.
const BATCH: usize = 500;

/// Re-assesses every host not assessed by `rules`; returns how many were.
pub async fn stale_hosts(store: Arc<dyn Store>, rules: Arc<Rules>) -> usize {
    match run(store, rules).await {
        Ok(n) => {
            if n > 0 {
                tracing::info!(hosts = n, "re-assessed with the current rules");
            }
            n
        }
        Err(e) => {
            tracing::error!(error = %e, "re-assessment stopped");
            0
        }
    }
}

async fn run(store: Arc<dyn Store>, rules: Arc<Rules>) -> Result<usize, StoreError> {
    // One replica at a time: the others wait here, then find nothing stale
    // (or what their own rules still see as stale).
    let s = store.clone();
    let _turn = tokio::task::spawn_blocking(move || s.reassessment_turn())
        .await
        .map_err(|e| StoreError::Damaged(e.to_string()))??;
    let mut after = String::new();
    let mut done = 0;
    loop {
        let (s, r, a) = (store.clone(), rules.clone(), after.clone());
        let batch = tokio::task::spawn_blocking(move || {
            let stale = s.stale(&r.rules_version, &a, BATCH)?;
            let (_, now) = crate::clock::now();
            Ok::<_, StoreError>(
                stale
                    .into_iter()
                    .map(|st| {
                        let a = assess_with(&st.facts, &r, Lang::En, Detail::Codes);
                        Reassessed {
                            host: st.host,
                            facts_id: st.facts_id,
                            collected_at: st.facts.collected_at.clone(),
                            assessed: Assessed::of(&a, &r.rules_version, &now),
                        }
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .await
        .map_err(|e| StoreError::Damaged(e.to_string()))??;
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = last.host.clone();
        loop {
            match store.reassess(batch.clone()) {
                Ok(pending) => {
                    done += pending.await.map_err(|_| StoreError::Closed)??;
                    break;
                }
                Err(StoreError::Busy) => tokio::time::sleep(Duration::from_millis(50)).await,
                Err(e) => return Err(e),
            }
        }
    }
}
