//! In-process timing of signature inspection, for `bench/peers_bench.py`
//! (which runs signify on the same file):
//!
//!   inspect_bench FILE ITERATIONS ROOT_SHA1 ROOT_SUBJECT EKU
//!
//! Prints the median seconds per iteration and what was found.

use std::path::Path;
use std::time::Instant;

use acsready_signature::{inspect_path, AcsIdentity, Integrity};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() != 5 {
        eprintln!("usage: inspect_bench FILE ITERATIONS ROOT_SHA1 ROOT_SUBJECT EKU");
        std::process::exit(2);
    }
    let acs = AcsIdentity {
        root_sha1: a[2].clone(),
        root_subject: a[3].clone(),
        eku: a[4].clone(),
    };
    let runs: usize = a[1].parse().unwrap_or(1).max(1);
    let mut times = Vec::new();
    let mut found = (0usize, false, false);
    for _ in 0..runs {
        let start = Instant::now();
        let r = inspect_path(Path::new(&a[0]), &acs);
        times.push(start.elapsed().as_secs_f64());
        found = (
            r.signatures.len(),
            r.signatures.iter().any(|s| s.acs),
            r.signatures
                .iter()
                .all(|s| s.integrity == Integrity::Intact),
        );
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"seconds\":{},\"read\":{{\"signatures\":{},\"acs\":{},\"intact\":{}}}}}",
        times[times.len() / 2],
        found.0,
        found.1,
        found.2
    );
}
