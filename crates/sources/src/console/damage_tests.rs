//! The rule of `docs/host-facts.md` for console CSV exports: a cut file or
//! a missing column leaves facts unknown; it never makes a Windows computer
//! "not Windows", nor an agent "not installed".

use proptest::prelude::*;

use super::*;

const CSV: &str = "Name,Display Name,Platform,Agent Version\r\n\
web01,Web 1,Microsoft Windows Server 2019 (64 bit) (Build 17763),20.0.0.5137\r\n\
db01,DB 1,Microsoft Windows Server 2016 (64 bit) (Build 14393),20.0.0.8438\r\n\
app01,App 1,Microsoft Windows Server 2022 (64 bit) (Build 20348),20.0.1.690\r\n";

fn read(text: &[u8]) -> Option<ConsoleFacts> {
    read_console(
        ConsoleFormat::Csv,
        text,
        "computers.csv",
        &KnownProducts::default(),
    )
    .ok()
}

#[test]
fn a_row_cut_in_its_platform_is_windows_of_unknown_build() {
    let at = CSV.find("Microsoft Windows Server 2022").unwrap() + 5;
    let out = read(&CSV.as_bytes()[..at]).unwrap();
    assert!(out.skipped_non_windows.is_empty());
    let app = out.hosts.iter().find(|h| h.host == "app01").unwrap();
    assert_eq!(app.os, None);
    assert_eq!(app.agents, None);
    assert_eq!(
        Note::texts(&out.problems),
        [
            "computers.csv:4: the file ends in the middle of this row (it was cut short); its \
          last field is not read"
        ]
    );
    // A platform that names nothing known: the host stays, its OS unknown.
    let out = read(
        CSV.replace("Microsoft Windows Server 2016", "Micro")
            .as_bytes(),
    )
    .unwrap();
    assert!(out.skipped_non_windows.is_empty());
    let db = out.hosts.iter().find(|h| h.host == "db01").unwrap();
    assert_eq!(db.os, None);
    assert!(out.problems[0]
        .to_string()
        .starts_with("computers.csv:3: db01: platform \"Micro"));
}

proptest! {
    /// Cut anywhere: no computer becomes "not Windows", no agent list is
    /// known empty, and only the cut row can lose its agent.
    #[test]
    fn a_cut_export_never_says_not_windows_or_no_agent(at in 0usize..CSV.len()) {
        if let Some(out) = read(&CSV.as_bytes()[..at]) {
            prop_assert!(out.skipped_non_windows.is_empty(), "{out:?}");
            for h in &out.hosts {
                prop_assert!(h.agents.as_ref().is_none_or(|a| !a.is_empty()), "{h:?}");
            }
        }
    }

    /// Without the Agent Version column, agents are unknown; without the
    /// Platform column, the OS is.
    #[test]
    fn a_missing_column_leaves_its_fact_unknown(column in 2usize..4) {
        let text: String = CSV
            .lines()
            .map(|l| {
                let mut fields: Vec<&str> = l.split(',').collect();
                fields.remove(column);
                fields.join(",") + "\r\n"
            })
            .collect();
        let out = read(text.as_bytes()).expect("still an export");
        prop_assert_eq!(out.hosts.len(), 3);
        for h in &out.hosts {
            if column == 3 {
                prop_assert!(h.agents.is_none(), "{h:?}");
            } else {
                prop_assert!(h.os.is_none(), "{h:?}");
            }
        }
    }

    /// Bytes inserted, removed, overwritten: no computer becomes "not
    /// Windows" and no agent list is known empty.
    #[test]
    fn a_damaged_export_never_says_not_windows_or_no_agent(
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..4), 1..6),
    ) {
        let bytes = acsready_testkit::apply_edits(CSV.as_bytes().to_vec(), &edits);
        if let Some(out) = read(&bytes) {
            prop_assert!(out.skipped_non_windows.is_empty(), "{out:?}");
            for h in &out.hosts {
                prop_assert!(h.agents.as_ref().is_none_or(|a| !a.is_empty()), "{h:?}");
            }
        }
    }
}
