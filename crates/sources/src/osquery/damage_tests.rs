//! The rule of `docs/host-facts.md`: osquery results whose lines or rows of
//! a list query cannot be read never give that list as known empty.

use proptest::prelude::*;

use super::tests::products;
use super::*;

const ROOT: &str = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";

/// Snapshot lines of every list query, as `osqueryd` writes them.
fn results() -> Vec<String> {
    let line = |query: &str, rows: &str| {
        format!(
            r#"{{"name":"pack_acsready_{query}","hostIdentifier":"web01","calendarTime":"Mon Nov  2 09:30:00 2026 UTC","unixTime":1793611800,"epoch":0,"counter":0,"numerics":false,"snapshot":[{rows}],"action":"snapshot"}}"#
        )
    };
    vec![
        line(
            "acsready_patches",
            r#"{"hotfix_id":"KB5005625"},{"hotfix_id":"KB5006714"},{"hotfix_id":"KB4474419"}"#,
        ),
        line(
            "acsready_certificates",
            &format!(
                r#"{{"sha1":"{ROOT}","store":"Root","store_location":"LocalMachine","subject":"Microsoft Identity Verification Root Certificate Authority 2020"}},{{"sha1":"0563B8630D62D75ABBC8AB1E4BDFB5A899B24D43","store":"AuthRoot","store_location":"LocalMachine","subject":"DigiCert Assured ID Root CA"}}"#
            ),
        ),
        line(
            "acsready_programs",
            r#"{"name":"Trend Micro Apex One Security Agent","version":"14.0.12526"},{"name":"Contoso Tool","version":"1.0"}"#,
        ),
    ]
}

/// Index of each list's line in [`results`], and whether the list is known
/// empty.
fn known_empty(i: usize, f: &HostFacts) -> bool {
    match i {
        0 => f.updates.as_ref().is_some_and(Vec::is_empty),
        1 => f.certificates.as_ref().is_some_and(Vec::is_empty),
        _ => f.agents.as_ref().is_some_and(Vec::is_empty),
    }
}

fn results_of(text: &str) -> Option<OsqueryFacts> {
    read_osquery(text.as_bytes(), "results.log", &products()).ok()
}

#[test]
fn whole_results_give_every_list() {
    let read = results_of(&results().join("\n")).unwrap();
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    let f = &read.hosts[0];
    assert_eq!(f.updates.as_ref().map(Vec::len), Some(3));
    assert_eq!(f.certificates.as_ref().map(Vec::len), Some(2));
    assert_eq!(f.agents.as_ref().map(Vec::len), Some(1));
}

#[test]
fn a_result_without_the_patches_query_leaves_updates_unknown() {
    let text = results()[1..].join("\n");
    let read = results_of(&text).unwrap();
    assert_eq!(read.hosts[0].updates, None);
    assert!(read.hosts[0].certificates.is_some());
}

#[test]
fn a_row_that_cannot_be_read_makes_its_list_unknown() {
    let text = results().join("\n").replacen(
        r#"{"hotfix_id":"KB5006714"}"#,
        r#"{"hotfix":"KB5006714"}"#,
        1,
    );
    let read = results_of(&text).unwrap();
    assert_eq!(read.hosts[0].updates, None);
    assert!(
        read.problems.iter().any(|p| p.to_string()
            == "results.log:1: updates of web01 unknown: a row without \"hotfix_id\", so the \
                list is not known whole; collect the query results again"),
        "{:?}",
        read.problems
    );
    // A line cut short: its query and host are still told.
    let lines = results();
    let text = format!("{}\n{}", &lines[0][..200], lines[1..].join("\n"));
    let read = results_of(&text).unwrap();
    assert_eq!(read.hosts[0].updates, None);
    assert!(read.hosts[0].certificates.is_some());
    // A later whole snapshot replaces the damaged one.
    let text = format!("{}\n{}", &lines[0][..200], lines.join("\n"));
    let read = results_of(&text).unwrap();
    assert_eq!(read.hosts[0].updates.as_ref().map(Vec::len), Some(3));
    // A program of the products without a version is still there.
    let text = lines
        .join("\n")
        .replace(r#""version":"14.0.12526""#, r#""version":"""#);
    let agents = results_of(&text).unwrap().hosts[0].agents.clone().unwrap();
    assert_eq!(agents[0].version, "unknown");
}

proptest! {
    /// A list's line cut anywhere, or deleted: the list is never known
    /// empty (the other lines are whole).
    #[test]
    fn cut_or_deleted_lists_are_never_known_empty(
        i in 0usize..3,
        at in any::<prop::sample::Index>(),
        delete in any::<bool>(),
    ) {
        let mut lines = results();
        if delete {
            lines.remove(i);
        } else {
            let cut = at.index(lines[i].len());
            lines[i].truncate(cut);
        }
        // Deleted or cut, the line goes last: "the end of the file".
        let damaged = (!delete).then(|| lines.remove(i));
        lines.extend(damaged);
        if let Some(read) = results_of(&lines.join("\n")) {
            for f in &read.hosts {
                prop_assert!(!known_empty(i, f), "{f:?} {:?}", read.problems);
            }
        }
    }

    /// Bytes of a list's line inserted, removed, overwritten: the list is
    /// known empty only when the damaged text reads without any problem
    /// (another well-formed result: a product name with a letter changed
    /// reads as another program, which no reader can tell).
    #[test]
    fn damage_that_is_seen_never_gives_a_known_empty_list(
        i in 0usize..3,
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..4), 1..6),
    ) {
        let mut lines = results();
        let damaged = acsready_testkit::apply_edits(lines[i].clone().into_bytes(), &edits);
        lines[i] = String::from_utf8_lossy(&damaged).into_owned();
        if let Some(read) = results_of(&lines.join("\n")) {
            for f in &read.hosts {
                prop_assert!(
                    !known_empty(i, f) || read.problems.is_empty(),
                    "{f:?} {:?}",
                    read.problems
                );
            }
        }
    }
}
