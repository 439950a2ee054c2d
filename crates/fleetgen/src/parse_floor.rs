//! `acsready-parse-floor FILE`: parses every line of a facts NDJSON file
//! into `HostFacts` with serde_json on every core, and does nothing else.
//!
//! The floor of the benchmarks: what reading the input costs acsready's
//! facts model and JSON library before any assessing or writing, measured
//! in the same run as `acsready assess` (`bench/fleet_bench.py`). Blocks of
//! 4 MiB are read while the block before is parsed, as acsready reads.

use std::fs::File;
use std::io::{self, Read};

use acsready_facts::HostFacts;
use rayon::prelude::*;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BLOCK: usize = 4 << 20;

/// Hosts parsed and agents seen (counted so that nothing is optimised away).
#[derive(Default)]
struct Count {
    hosts: u64,
    agents: u64,
    bad: u64,
}

fn parse(lines: &[u8]) -> Count {
    lines
        .par_split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| match serde_json::from_slice::<HostFacts>(l) {
            Ok(mut f) => Count {
                hosts: 1,
                agents: f.agents.as_ref().map_or(0, |a| a.len() as u64),
                bad: u64::from(f.normalize().is_err()),
            },
            Err(_) => Count {
                bad: 1,
                ..Count::default()
            },
        })
        .reduce(Count::default, |a, b| Count {
            hosts: a.hosts + b.hosts,
            agents: a.agents + b.agents,
            bad: a.bad + b.bad,
        })
}

/// Fills `buf` (after its first `keep` bytes) from `file`; the bytes read.
fn fill(file: &mut File, buf: &mut Vec<u8>, keep: usize) -> io::Result<usize> {
    buf.resize(keep + BLOCK, 0);
    let mut n = keep;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    buf.truncate(n);
    Ok(n - keep)
}

fn main() -> io::Result<()> {
    let path = std::env::args_os().nth(1).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "usage: acsready-parse-floor FILE",
        )
    })?;
    let mut file = File::open(path)?;
    let mut total = Count::default();
    let mut current = Vec::new();
    fill(&mut file, &mut current, 0)?;
    let mut next = Vec::new();
    loop {
        // Whole lines now; the partial last line starts the next block.
        let cut = match current.iter().rposition(|b| *b == b'\n') {
            Some(i) => i + 1,
            None => current.len(),
        };
        next.clear();
        next.extend_from_slice(&current[cut..]);
        let keep = next.len();
        let (read, count) = rayon::join(
            || fill(&mut file, &mut next, keep),
            || parse(&current[..cut]),
        );
        total.hosts += count.hosts;
        total.agents += count.agents;
        total.bad += count.bad;
        let read = read?;
        std::mem::swap(&mut current, &mut next);
        if read == 0 {
            let last = parse(&current);
            total.hosts += last.hosts;
            total.agents += last.agents;
            total.bad += last.bad;
            break;
        }
    }
    eprintln!(
        "{} hosts parsed, {} agents, {} records not valid facts",
        total.hosts, total.agents, total.bad
    );
    Ok(())
}
