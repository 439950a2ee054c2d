//! The real SYSTEM hives of the shared test data (`real/hives/`, from
//! regipy's tests, xz-compressed as published), against the ground truth
//! regipy 6.5.0 wrote (`real/truth.json`, key `hives`): sequence numbers,
//! dirty or clean, computer name — and how each is recovered: the dirty
//! SYSTEM_B replayed from its `.LOG1`/`.LOG2`, or flagged when they are
//! missing.

use std::path::Path;

use acsready_registry::{Data, Hive, Recovery, RegistryView};
use acsready_testkit::{shared, temp_dir, unxz};
use serde_json::Value;

fn truth() -> Value {
    let text = std::fs::read_to_string(shared("testdata/real/truth.json")).expect("truth.json");
    serde_json::from_str::<Value>(&text).expect("JSON")["hives"].clone()
}

fn computer_name(hive: &Hive) -> Option<String> {
    let Some(Data::Dword(current)) = hive.value("Select", "Current") else {
        return None;
    };
    let key = format!(r"ControlSet{current:03}\Control\ComputerName\ComputerName");
    hive.value(&key, "ComputerName")?
        .as_str()
        .map(str::to_string)
}

fn open(path: &Path) -> Hive {
    Hive::open(path).unwrap_or_else(|e| panic!("{e}"))
}

fn sequence(truth: &Value) -> (u32, u32) {
    let n = |k: &str| truth[k].as_u64().and_then(|n| u32::try_from(n).ok());
    (
        n("primary_sequence").expect("primary"),
        n("secondary_sequence").expect("secondary"),
    )
}

#[test]
fn dirty_system_b_is_replayed_from_its_logs() {
    let truth = truth();
    let want = &truth["regipy__SYSTEM_B.xz"];
    assert_eq!(want["dirty"], true);
    let dir = temp_dir("real-hives-replayed");
    let hive = unxz("testdata/real/hives/regipy__SYSTEM_B.xz", &dir, "SYSTEM");
    unxz(
        "testdata/real/hives/regipy__SYSTEM_B.LOG1.xz",
        &dir,
        "SYSTEM.LOG1",
    );
    unxz(
        "testdata/real/hives/regipy__SYSTEM_B.LOG2.xz",
        &dir,
        "SYSTEM.LOG2",
    );

    let h = open(&hive);
    assert_eq!(h.sequence_numbers(), sequence(want));
    assert!(
        matches!(h.recovery(), Recovery::Replayed { logs } if *logs >= 1),
        "{:?}",
        h.recovery()
    );
    assert!(!h.recovery().incomplete());
    assert!(h.origin().contains("replayed"), "{}", h.origin());
    // notatin's "requires recovery" is not repeated once the logs replayed.
    assert!(
        !h.notes().iter().any(|n| n.contains("requires recovery")),
        "{:?}",
        h.notes()
    );
    assert_eq!(computer_name(&h).as_deref(), want["computer_name"].as_str());

    // The same hive without its logs: read, but flagged.
    std::fs::remove_file(dir.join("SYSTEM.LOG1")).expect("remove");
    std::fs::remove_file(dir.join("SYSTEM.LOG2")).expect("remove");
    let alone = open(&hive);
    assert_eq!(alone.recovery(), &Recovery::DirtyWithoutLogs);
    assert!(alone.recovery().incomplete());
    assert_eq!(alone.sequence_numbers(), sequence(want));
    assert_eq!(
        computer_name(&alone).as_deref(),
        want["computer_name"].as_str()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_clean_corrupted_hive_reads_its_name_and_notes_the_damage() {
    let truth = truth();
    let want = &truth["regipy__corrupted_system_hive.xz"];
    assert_eq!(want["dirty"], false);
    let dir = temp_dir("real-hives-corrupted");
    let hive = unxz(
        "testdata/real/hives/regipy__corrupted_system_hive.xz",
        &dir,
        "SYSTEM",
    );
    let h = open(&hive);
    assert_eq!(h.sequence_numbers(), sequence(want));
    assert_eq!(h.recovery(), &Recovery::Clean { logs: 0 });
    assert_eq!(computer_name(&h).as_deref(), want["computer_name"].as_str());
    // Walking the damaged part is noted, never a panic.
    let _ = h.subkeys(r"ControlSet001\Control");
    assert!(
        h.notes().iter().any(|n| n.contains("Unable to parse")),
        "{:?}",
        h.notes()
    );
    let _ = std::fs::remove_dir_all(dir);
}
