//! Per-client fairness: each client address has at most a few ingest
//! request bodies being received; its other requests wait for their turn,
//! so slow senders hold up themselves and cannot take every ingest slot.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Turns in flight per client address.
#[derive(Default)]
pub struct Clients {
    turns: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
}

/// One request's turn; dropping it lets the client's next request in.
pub struct Turn {
    permit: Option<OwnedSemaphorePermit>,
    clients: Arc<Clients>,
    key: IpAddr,
}

/// The address a client is counted by: IPv4 as is, IPv6 by its /64 (one
/// machine usually holds a whole /64).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    }
}

impl Clients {
    /// Waits until `ip` has fewer than `max` turns (`max` 0: no limit).
    pub async fn enter(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Turn> {
        if max == 0 {
            return None;
        }
        let key = client_key(ip);
        let turns = {
            let mut map = self.turns.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(max)))
                .clone()
        };
        // The semaphore is never closed.
        let permit = turns.acquire_owned().await.ok()?;
        Some(Turn {
            permit: Some(permit),
            clients: self.clone(),
            key,
        })
    }

    #[cfg(test)]
    fn known(&self) -> usize {
        self.turns.lock().map_or(0, |m| m.len())
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        drop(self.permit.take());
        let mut map = self.clients.turns.lock().unwrap_or_else(|p| p.into_inner());
        // Forget a client nobody holds or waits for (clones are made under
        // this lock, so none can appear meanwhile).
        if map
            .get(&self.key)
            .is_some_and(|s| Arc::strong_count(s) == 1)
        {
            map.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn each_client_gets_at_most_max_turns_and_others_are_not_held_up() {
        let clients = Arc::new(Clients::default());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = clients.enter(a, 2).await.expect("1st");
        let second = clients.enter(a, 2).await.expect("2nd");
        let third = tokio::time::timeout(Duration::from_millis(50), clients.enter(a, 2)).await;
        assert!(third.is_err(), "a third turn waits");
        let other = tokio::time::timeout(Duration::from_secs(5), clients.enter(b, 2)).await;
        assert!(
            matches!(other, Ok(Some(_))),
            "another client is not held up"
        );
        drop(other);
        drop(first);
        let third = tokio::time::timeout(Duration::from_secs(5), clients.enter(a, 2)).await;
        assert!(matches!(third, Ok(Some(_))), "the turn came back");
        drop(third);
        drop(second);
        assert_eq!(clients.known(), 0, "clients without requests are forgotten");
        assert!(clients.enter(a, 0).await.is_none(), "0: no limit");
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let one: IpAddr = "2001:db8:1:2::5".parse().unwrap();
        let same: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::5".parse().unwrap();
        assert_eq!(client_key(one), client_key(same));
        assert_ne!(client_key(one), client_key(other));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(client_key(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
    }
}
