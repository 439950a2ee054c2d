//! In-process timing of the evidence readers, for `bench/peers_bench.py`,
//! which runs the Python peers (regipy, python-evtx) on the same files:
//!
//!   evidence_bench hive SOFTWARE ITERATIONS   open the hive, read the facts
//!   evidence_bench evtx FILE ITERATIONS       read every record, keep events 900 and 11708
//!
//! Prints one JSON object: the median seconds per iteration and what was read
//! (so the script can check both sides read the same values).

use std::path::Path;
use std::time::Instant;

use acsready_intake::Readers;
use acsready_registry::Hive;
use acsready_sources::registry_facts::{software_facts, Coverage};
use acsready_sources::{read_evtx, EventFilter};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(kind), Some(path), Some(iterations)) = (
        args.first(),
        args.get(1),
        args.get(2).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: evidence_bench hive|evtx FILE ITERATIONS");
        std::process::exit(2);
    };
    let path = Path::new(path);
    let mut times = Vec::new();
    let mut summary = serde_json::Value::Null;
    for _ in 0..iterations.max(1) {
        let start = Instant::now();
        summary = match kind.as_str() {
            "hive" => {
                let rules = acsready_rules::Rules::embedded().expect("the embedded rules load");
                let readers = Readers::new(&rules);
                let hive = Hive::open(path).expect("hive opens");
                let (facts, _) =
                    software_facts(&hive, "bench", &Coverage::Whole, readers.products());
                let os = facts.os.clone().unwrap_or_default();
                serde_json::json!({
                    "build": os.current_build, "ubr": os.ubr,
                    "installed": facts.updates.as_ref().map(Vec::len),
                    "pending": facts.pending_updates.as_ref().map(Vec::len),
                    "certificates": facts.certificates.as_ref().map(Vec::len),
                    "agents": facts.agents.as_ref().map(Vec::len),
                })
            }
            "evtx" => {
                let filter = EventFilter {
                    ids: vec![900, 11708],
                    ..EventFilter::default()
                };
                let log = read_evtx(path, &filter).expect("evtx reads");
                serde_json::json!({"records": log.records_read, "kept": log.events.len()})
            }
            other => panic!("unknown kind {other}"),
        };
        times.push(start.elapsed().as_secs_f64());
    }
    println!(
        "{}",
        serde_json::json!({"seconds": median(times), "read": summary})
    );
}
