//! `acsready-fleetgen N [SEED]`: writes N synthetic hosts as NDJSON to stdout
//! (see the library for the mix of hosts).

use std::io::{self, BufWriter};

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "usage: acsready-fleetgen N [SEED]",
        )
    };
    let n: u64 = args.next().and_then(|a| a.parse().ok()).ok_or_else(usage)?;
    let seed: u64 = match args.next() {
        Some(s) => s.parse().map_err(|_| usage())?,
        None => 42,
    };
    let out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    acsready_fleetgen::write_fleet(n, seed, out)
}
