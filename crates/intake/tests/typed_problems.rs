//! A problem a reader meets keeps its file and line as fields all the way
//! through the intake: nothing is split back out of a message, so a path
//! with a drive letter or a ": " in it stays whole.

use std::path::Path;

use acsready_intake::{Intake, Problem, ProblemKind, Problems, Readers, Request};
use acsready_sources::parse_hotfixes;

/// `wmic qfe` output (CR CR LF line ends, as `wmic qfe > file` writes
/// them): the header on line 1, one update per line, and on line 3 an entry
/// that is not a KB number.
fn wmic_qfe() -> String {
    let header = "Caption                                     CSName    Description      \
                  FixComments  HotFixID      InstallDate  InstalledBy          InstalledOn  \
                  Name  ServicePackInEffect  Status  ";
    let row = |id: &str| {
        format!(
            "{:<44}{:<10}{:<17}{:<13}{id:<14}{:<13}{:<21}{:<13}{:<6}{:<21}{:<8}",
            "", "WEB01", "Update", "", "", "SYSTEM", "3/18/2014", "", "", ""
        )
    };
    [
        header.to_string(),
        row("KB2919355"),
        row("File 1"),
        row("KB5005625"),
    ]
    .iter()
    .map(|line| format!("{line}\r\r\n"))
    .collect::<String>()
        + "\r\r\n"
}

const NOT_A_KB: &str = "hotfix \"File 1\" is not a KB number; skipped";

fn read_collected(parent: &Path) -> Problems {
    let rules = acsready_rules::Rules::embedded().expect("the embedded rules load");
    let readers = Readers::new(&rules);
    let mut intake = Intake::new(
        Request {
            collected: vec![parent.to_path_buf()],
            ..Request::default()
        },
        &readers,
    );
    let hosts = intake.hosts();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].facts.host, "WEB01");
    intake.finish()
}

#[test]
fn a_windows_path_keeps_its_file_and_line() {
    let file = r"C:\share\web01\wmic_qfe.txt";
    let read = parse_hotfixes(wmic_qfe().as_bytes(), file).expect("wmic output");
    let problems: Vec<Problem> = read.problems.iter().map(Problem::reading).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert_eq!(
        (
            p.file.as_str(),
            p.line,
            p.column,
            p.kind,
            p.message.as_str()
        ),
        (file, Some(3), None, ProblemKind::Reading, NOT_A_KB)
    );
    assert_eq!(p.to_string(), format!("{file}:3: {NOT_A_KB}"));
}

#[test]
fn a_bad_row_in_a_host_folder_keeps_its_file_and_line() {
    let dir = tempfile::tempdir().expect("temporary folder");
    // A ": " in a folder name is allowed outside Windows; text split at the
    // first ": " would take the folder for the whole file.
    let parent = if cfg!(unix) {
        dir.path().join("share: 2026-12")
    } else {
        dir.path().join("share")
    };
    let host = parent.join("web01");
    std::fs::create_dir_all(&host).expect("host folder");
    let wmic = host.join("wmic_qfe.txt");
    std::fs::write(&wmic, wmic_qfe()).expect("wmic file");

    let problems = read_collected(&parent);
    assert!(problems.errors.is_empty(), "{:?}", problems.errors);
    let p = problems
        .warnings
        .iter()
        .find(|p| p.message == NOT_A_KB)
        .unwrap_or_else(|| panic!("{:?}", problems.warnings));
    assert_eq!(
        (p.file.as_str(), p.line, p.kind),
        (
            wmic.display().to_string().as_str(),
            Some(3),
            ProblemKind::Reading
        )
    );
}
