//! Hosts handed to a consumer a chunk at a time, the chunks of a batch
//! worked in parallel and their results handed back in input order.
//!
//! A facts record is parsed inside the chunk that uses it: a host is read,
//! used and dropped by one thread while its bytes are still in that
//! thread's cache, and no batch-sized vector of hosts is built. Each thread
//! keeps one state (text caches, encoders) for the whole run.

use std::io;
use std::sync::{Mutex, PoisonError};

use acsready_sources::{SourceError, Unit};
use rayon::prelude::*;

use crate::problem::Problem;
use crate::read::{parse_host, Host};

/// Hosts in one chunk: small enough to spread a batch over the threads,
/// large enough that handing results back costs nothing.
pub const CHUNK: usize = 256;

/// What a consumer does with the hosts of a run, a chunk at a time.
pub trait Chunked: Sync {
    /// What one thread keeps from chunk to chunk for the whole run.
    type State: Send;
    /// What one chunk gives, handed back in input order.
    type Out: Send;
    /// A new thread's state.
    fn state(&self) -> Self::State;
    /// Hosts in one chunk: more when handing a chunk's output back costs
    /// about as much whatever its size.
    fn chunk_hosts(&self) -> usize {
        CHUNK
    }
    /// Works through the hosts of one chunk, in input order.
    fn chunk(&self, state: &mut Self::State, hosts: &mut dyn Iterator<Item = Host>) -> Self::Out;
}

/// One state per thread of the pool (and one for a thread outside it),
/// made when the thread first needs it.
pub(crate) struct Slots<S> {
    slots: Vec<Mutex<Option<S>>>,
}

impl<S> Slots<S> {
    pub(crate) fn new() -> Self {
        Slots {
            slots: (0..=rayon::current_num_threads())
                .map(|_| Mutex::new(None))
                .collect(),
        }
    }

    /// Runs `f` on this thread's state. A thread uses only its own slot
    /// and `f` starts no parallel work, so the lock is never waited for.
    fn with<R>(&self, make: impl FnOnce() -> S, f: impl FnOnce(&mut S) -> R) -> R {
        let last = self.slots.len() - 1;
        let i = rayon::current_thread_index().map_or(last, |i| i.min(last));
        let mut slot = self.slots[i].lock().unwrap_or_else(PoisonError::into_inner);
        f(slot.get_or_insert_with(make))
    }
}

/// What the chunks of a batch of records gave, with their parse problems,
/// in input order.
pub(crate) type Worked<W> = Vec<(<W as Chunked>::Out, Vec<Problem>)>;

/// Works a batch of facts records: each chunk parses its records, then
/// `work` uses the hosts.
pub(crate) fn work_units<W: Chunked>(
    name: &str,
    units: &[Result<Unit, SourceError>],
    work: &W,
    slots: &Slots<W::State>,
) -> Worked<W> {
    units
        .par_chunks(work.chunk_hosts().max(1))
        .map(|chunk| {
            let mut problems = Vec::new();
            let mut hosts = chunk
                .iter()
                .filter_map(|unit| match parse_host(name, unit) {
                    Ok(host) => Some(host),
                    Err(p) => {
                        problems.push(p);
                        None
                    }
                });
            let out = slots.with(|| work.state(), |s| work.chunk(s, &mut hosts));
            drop(hosts);
            (out, problems)
        })
        .collect()
}

/// Hands what a batch gave to `done`, its problems to `errors`, in order.
pub(crate) fn hand_on<W: Chunked>(
    worked: Worked<W>,
    errors: &mut Vec<Problem>,
    done: &mut dyn FnMut(W::Out) -> io::Result<()>,
) -> io::Result<()> {
    for (out, problems) in worked {
        errors.extend(problems);
        done(out)?;
    }
    Ok(())
}

/// Works hosts already read (merged inputs, evidence), chunk by chunk.
pub(crate) fn work_hosts<W: Chunked>(
    hosts: Vec<Host>,
    work: &W,
    slots: &Slots<W::State>,
    done: &mut dyn FnMut(W::Out) -> io::Result<()>,
) -> io::Result<()> {
    let outs: Vec<W::Out> = hosts
        .into_par_iter()
        .chunks(work.chunk_hosts().max(1))
        .map(|chunk| {
            let mut hosts = chunk.into_iter();
            slots.with(|| work.state(), |s| work.chunk(s, &mut hosts))
        })
        .collect();
    outs.into_iter().try_for_each(done)
}
