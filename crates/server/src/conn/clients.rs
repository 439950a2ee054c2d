//! Per-client fairness: how many ingest requests each client address has
//! in flight, so slow clients cannot hold every ingest slot.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

/// Ingest requests in flight per client address.
#[derive(Default)]
pub struct Clients {
    busy: Mutex<HashMap<IpAddr, usize>>,
}

/// One ingest request of a client; dropping it ends the request's turn.
pub struct Turn {
    clients: Arc<Clients>,
    key: IpAddr,
}

/// The address a client is counted by: IPv4 as is, IPv6 by its /64 (one
/// machine usually holds a whole /64).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64)))
        }
        v4 => v4,
    }
}

impl Clients {
    /// A turn for `ip` when it has fewer than `max` ingest requests in
    /// flight; `max` 0: no limit.
    pub fn enter(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Turn> {
        let key = client_key(ip);
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        let n = busy.entry(key).or_insert(0);
        if max > 0 && *n >= max {
            return None;
        }
        *n += 1;
        Some(Turn {
            clients: self.clone(),
            key,
        })
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut busy = self.clients.busy.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = busy.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                busy.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_gets_at_most_max_turns_and_gets_them_back() {
        let clients = Arc::new(Clients::default());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = clients.enter(a, 2).expect("1st");
        let _second = clients.enter(a, 2).expect("2nd");
        assert!(clients.enter(a, 2).is_none());
        assert!(clients.enter(b, 2).is_some(), "another client is not held up");
        drop(first);
        assert!(clients.enter(a, 2).is_some());
        assert!(clients.enter(a, 0).is_some(), "0: no limit");
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
