//! Arbitrary bytes as the new inputs of `acsready preflight apex-one`: an
//! install-folder listing (`dir /s`, `dir /s /b`), a `.reg` export of the
//! server's SYSTEM registry (its services), and a SQL Server password.
//! No panic; every listed path has a name and is found by its own suffix;
//! the password check reports class ids only; the preflight over what was
//! read runs.
//!
//! Run with `cargo +nightly fuzz run preflight_inputs` from this folder.

#![no_main]

use std::sync::OnceLock;

use acsready_preflight::{check_password, run, Options, Phase, ServerEvidence};
use acsready_registry::RegFiles;
use acsready_rules::{Lang, Rules};
use acsready_sources::listing::parse_listing;
use acsready_sources::services::system_services;
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules"))
}

fuzz_target!(|data: &[u8]| {
    let rules = rules();
    let pf = rules.preflight.apex_one.as_ref().expect("preflight rules");
    let listing = parse_listing(data, "fuzz.txt").ok();
    if let Some(l) = &listing {
        for p in l.paths.iter().take(64) {
            assert!(
                p.split(['\\', '/']).any(|c| !c.is_empty()),
                "{p:?} has no name"
            );
            assert!(l.find_suffix(p).is_some(), "{p:?} not found by itself");
        }
    }
    let mut reg = RegFiles::new();
    let services = match reg.add_bytes(data, "fuzz.reg") {
        Ok(()) => system_services(&reg.view(r"HKLM\SYSTEM")).ok(),
        Err(_) => None,
    };
    let password = String::from_utf8_lossy(data);
    let check = check_password(pf, &password);
    for id in &check.classes {
        assert!(pf.sql_password.iter().any(|c| &c.id == id));
    }
    let server = ServerEvidence {
        host: "fuzz".into(),
        facts: None,
        version: std::str::from_utf8(data).ok().map(str::to_string),
        services,
        listing,
    };
    for phase in [Phase::Before, Phase::After] {
        let options = Options {
            phase,
            staged_rollout: true,
        };
        let p = run(rules, Lang::En, options, &[], &server, Some(&check)).expect("preflight");
        assert_eq!(p.summary.findings as usize, p.findings.len());
    }
});
