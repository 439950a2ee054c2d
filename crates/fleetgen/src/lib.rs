//! Synthetic host facts (NDJSON) for benchmarks and tests; the binary
//! `acsready-fleetgen N [SEED]` writes them to stdout.
//!
//! The mix follows a plausible fleet: mostly Windows 10/11 and Server
//! 2016–2022 around their ACS thresholds, some legacy servers, a few
//! unsupported releases, missing facts now and then, and one or two Trend
//! Micro agents per host. The same N and SEED always give the same bytes.

use std::io::{self, Write};

use serde_json::{json, Value};

const ROOT: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

/// A small deterministic generator (SplitMix64); no dependency needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// (build, installation type, UBR threshold or 0)
const MODERN: [(u32, &str, u32); 10] = [
    (22631, "Client", 0),
    (26100, "Client", 0),
    (19045, "Client", 0),
    (19044, "Client", 1586),
    (17763, "Server", 2210),
    (14393, "Server", 4704),
    (20348, "Server", 261),
    (17763, "Client", 2210),
    (19042, "Client", 1266),
    (26100, "Server", 0),
];

const LEGACY: [(u32, &str, &[&str]); 4] = [
    (
        9600,
        "Server",
        &["KB5006714", "KB5006729", "KB5022352", "KB4474419"],
    ),
    (9200, "Server", &["KB5006739", "KB5010392", "KB4474419"]),
    (7601, "Server", &["KB5006743", "KB5034169", "KB4490628"]),
    (6003, "Server", &["KB5006736", "KB4493730"]),
];

const AGENTS: [(&str, &[&str]); 5] = [
    (
        "deep_security_agent",
        &[
            "20.0.0-6313",
            "20.0.0-6690",
            "20.0.1-21510",
            "12.0.0-2626",
            "12.0.0-2932",
            "11.0.0-2549",
            "10.0.0-3761",
        ],
    ),
    ("deep_security_notifier", &["20.0.0-6313", "20.0.0-8438"]),
    (
        "apex_one_agent",
        &["14.0.11564", "14.0.12011", "14.0.12526"],
    ),
    ("apex_one_saas_agent", &["14.0.13140"]),
    ("vision_one_sep_agent", &["14.0.12980"]),
];

fn host(i: u64, rng: &mut Rng) -> Value {
    let mut h = json!({ "host": format!("host-{i:07}.corp.example") });
    let roll = rng.below(100);
    let os = if roll < 82 {
        let (build, inst, min) = *rng.pick(&MODERN);
        let ubr = if min == 0 {
            rng.below(5000) as u32
        } else {
            min.saturating_sub(300) + rng.below(3000) as u32
        };
        let mut os = json!({"current_build": build.to_string(), "installation_type": inst, "product_name": "Windows"});
        if rng.below(50) != 0 {
            os["ubr"] = json!(ubr);
        }
        os
    } else if roll < 95 {
        let (build, inst, kbs) = *rng.pick(&LEGACY);
        let n = rng.below(3) as usize;
        let updates: Vec<&str> = (0..n).map(|_| *rng.pick(kbs)).collect();
        h["updates"] = json!(updates);
        json!({"current_build": build.to_string(), "installation_type": inst})
    } else {
        let (build, inst) = *rng.pick(&[
            (18362u32, "Client"),
            (7600, "Client"),
            (9200, "Client"),
            (3790, "Server"),
        ]);
        json!({"current_build": build.to_string(), "installation_type": inst})
    };
    h["os"] = os;
    match rng.below(10) {
        0 => {}
        1 => h["certificates"] = json!([]),
        2 => h["certificates"] = json!([{"sha1": ROOT, "store": "ROOT"}]),
        _ => h["certificates"] = json!([{"sha1": ROOT, "store": "AuthRoot"}]),
    }
    h["root_auto_update_disabled"] = json!(rng.below(8) == 0);
    let n = 1 + rng.below(2);
    let agents: Vec<Value> = (0..n)
        .map(|_| {
            let (product, versions) = *rng.pick(&AGENTS);
            json!({"product": product, "version": rng.pick(versions)})
        })
        .collect();
    h["agents"] = json!(agents);
    h
}

/// Writes `n` hosts made from `seed`, one JSON object per line.
pub fn write_fleet(n: u64, seed: u64, mut out: impl Write) -> io::Result<()> {
    let mut rng = Rng(seed);
    for i in 0..n {
        serde_json::to_writer(&mut out, &host(i, &mut rng))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
