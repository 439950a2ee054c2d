//! Errors as a person meets them: each cause said once, a bad value listed
//! with the possible ones, `--rules` only where rules are read, the push
//! token kept off the command line.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_acsready"));
    cmd.args(args)
        .current_dir(dir)
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG")
        .env_remove("ACSREADY_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// No part of an error line (between ": ") comes twice.
fn said_once(line: &str) {
    let parts: Vec<&str> = line.split(": ").filter(|p| p.len() > 6).collect();
    for (i, p) in parts.iter().enumerate() {
        assert!(!parts[i + 1..].contains(p), "`{p}` twice in: {line}");
    }
}

#[test]
fn every_error_says_its_cause_once() {
    let dir = tempfile::tempdir().expect("temp");
    let d = dir.path();
    for args in [
        &["--rules", "nope.toml", "rules"][..],
        &["assess", "--rules", "nope.toml", "x.json"],
        &["report", "--from", "nope.json"],
    ] {
        let out = run(args, d, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.matches("(os error 2)").count(), 1, "{args:?}: {err}");
        let line = err.lines().find(|l| l.starts_with("acsready: error: "));
        said_once(line.unwrap_or_else(|| panic!("{args:?}: {err}")));
    }
    let out = run(&["--rules", "nope.toml", "rules"], d, &[]);
    let err = stderr(&out);
    assert!(
        err.starts_with("acsready: error: nope.toml: cannot read: "),
        "{err}"
    );
}

#[test]
fn a_value_that_is_not_possible_lists_the_possible_ones_and_nothing_similar() {
    let dir = tempfile::tempdir().expect("temp");
    for (args, values) in [
        (
            &["assess", "--format", "xml"][..],
            "table, json, csv, jsonl, html",
        ),
        (&["rules", "--format", "xml"], "table, json"),
        (&["--lang", "jp", "rules"], "en, ja"),
        (
            &["preflight", "apex-one", "--phase", "afterwards"],
            "before, after",
        ),
        (&["facts", "--input-kind", "xml", "x"], "[possible values: "),
    ] {
        let out = run(args, dir.path(), &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(values), "{args:?}: {err}");
        assert!(!err.contains("tip:"), "{args:?}: {err}");
    }
}

#[test]
#[cfg(feature = "server")]
fn token_and_push_take_no_rules() {
    let dir = tempfile::tempdir().expect("temp");
    let d = dir.path();
    let db = d.join("t.db");
    let db = db.to_str().expect("utf-8");
    let out = run(&["--rules", "r.toml", "token", "list", "--db", db], d, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`token`, `store` and `push` read no rules"),
        "{err}"
    );
    assert!(
        !Path::new(db).exists(),
        "no database is made for a refused command"
    );
    let out = run(&["token", "list", "--rules", "r.toml", "--db", db], d, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unexpected argument '--rules'"));
    let push = [
        "push",
        "s",
        "--server",
        "http://127.0.0.1:9",
        "--rules",
        "r",
    ];
    assert!(stderr(&run(&push, d, &[])).contains("unexpected argument '--rules'"));
    // The commands that read rules take it before or after their name.
    for args in [
        &["--rules", "r.toml", "rules"][..],
        &["rules", "--rules", "r.toml"],
    ] {
        let err = stderr(&run(args, d, &[]));
        assert!(err.contains("r.toml: cannot read"), "{args:?}: {err}");
    }
}

#[test]
#[cfg(feature = "server")]
fn push_reads_its_token_from_a_file_or_the_environment() {
    let dir = tempfile::tempdir().expect("temp");
    let d = dir.path();
    // Nothing listens on port 9 (discard): the token is taken, then the
    // share is read and the upload fails, which is as far as this goes.
    std::fs::create_dir_all(d.join("share/host1")).expect("dir");
    std::fs::write(d.join("share/host1/facts.json"), "{\"host\":\"host1\"}").expect("write");
    std::fs::write(d.join("ingest.token"), "secret-token\n").expect("write");
    std::fs::write(d.join("empty.token"), "\n").expect("write");
    let base = [
        "push",
        "share",
        "--server",
        "http://127.0.0.1:9",
        "--timeout",
        "5",
    ];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();

    let missing = run(&with(&["--token-file", "nope"]), d, &[]);
    let err = stderr(&missing);
    assert_eq!(err.matches("(os error 2)").count(), 1, "{err}");
    said_once(err.lines().next().unwrap_or_default());
    let none = stderr(&run(&base, d, &[]));
    assert!(
        none.contains("no token: give --token-file FILE or set ACSREADY_TOKEN"),
        "{none}"
    );
    for (args, env) in [
        (with(&["--token-file", "ingest.token"]), vec![]),
        (base.to_vec(), vec![("ACSREADY_TOKEN", "secret-token")]),
    ] {
        let err = stderr(&run(&args, d, &env));
        assert!(
            err.contains("cannot reach http://127.0.0.1:9"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("secret-token"),
            "the token is never printed: {err}"
        );
    }
    let empty = stderr(&run(&with(&["--token-file", "empty.token"]), d, &[]));
    assert!(
        empty.contains("--token-file empty.token: the token is empty"),
        "{empty}"
    );
    let both = run(
        &with(&["--token", "t", "--token-file", "ingest.token"]),
        d,
        &[],
    );
    assert_eq!(both.status.code(), Some(2));
    assert!(
        stderr(&both).contains("cannot be used with"),
        "{}",
        stderr(&both)
    );
}
