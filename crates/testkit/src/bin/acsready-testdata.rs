//! `acsready-testdata software-hive OUT [PACKAGES CERTS APPS]`: writes a large
//! SOFTWARE hive for benchmarks (hivex merges the keys into a copy of a real
//! hive from the shared test data) and its `.reg` export beside it.

use std::path::PathBuf;

use acsready_testkit::{bulk_software, export_hive, shared};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: acsready-testdata software-hive OUT [PACKAGES CERTS APPS]";
    let (Some("software-hive"), Some(out)) = (args.first().map(String::as_str), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let num =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let reg = bulk_software(num(2, 3000), num(3, 400), num(4, 300));
    let out = PathBuf::from(out);
    let prefix = "HKEY_LOCAL_MACHINE\\SOFTWARE";
    let hive = reg.into_hive(
        &shared("testdata/hives/regipy__ntuser_software_partial"),
        prefix,
        &out,
    );
    std::fs::write(hive.with_extension("reg"), export_hive(&hive, prefix))
        .expect("write the export");
    println!("{}", hive.display());
}
