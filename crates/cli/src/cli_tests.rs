//! The command line's help: every argument described, every example parses.

use clap::CommandFactory;

use super::*;

/// Every command of the tree with its path (`acsready preflight apex-one`).
fn commands() -> Vec<(String, clap::Command)> {
    fn walk(path: String, cmd: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands() {
            walk(format!("{path} {}", sub.get_name()), sub, out);
        }
        out.push((path, cmd.clone()));
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    walk("acsready".into(), &cmd, &mut out);
    out
}

#[test]
fn every_command_argument_and_value_has_a_description() {
    let mut missing = Vec::new();
    let all = commands();
    for (path, cmd) in &all {
        if cmd.get_about().is_none() && path != "acsready" {
            missing.push(format!("{path}: the command"));
        }
        for arg in cmd.get_arguments() {
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path}: {}", arg.get_id()));
            }
            for value in arg.get_possible_values() {
                if !arg.is_hide_possible_values_set() && value.get_help().is_none() {
                    missing.push(format!("{path}: {} {}", arg.get_id(), value.get_name()));
                }
            }
        }
    }
    assert!(all.len() > 10, "the walk missed commands: {}", all.len());
    assert!(missing.is_empty(), "without help text: {missing:#?}");
}

/// The example command lines of a help text: the lines that start with
/// `acsready `, with `\` continuations joined.
fn examples(help: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut continued = false;
    for line in help.lines().map(str::trim) {
        let (text, more) = match line.strip_suffix('\\') {
            Some(head) if !head.ends_with('\\') => (head.trim_end(), true),
            _ => (line, false),
        };
        if continued {
            if let Some(last) = out.last_mut() {
                last.push(' ');
                last.push_str(text);
            }
        } else if text.starts_with("acsready ") {
            out.push(text.to_string());
        } else {
            continued = false;
            continue;
        }
        continued = more;
    }
    out
}

/// The arguments of an example, without shell redirections.
fn words(example: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut tokens = example.split_whitespace();
    while let Some(t) = tokens.next() {
        match t {
            ">" | "<" | "2>" => {
                tokens.next();
            }
            "|" | ";" => break,
            _ => out.push(t),
        }
    }
    out
}

#[test]
fn every_example_in_the_help_parses_as_printed() {
    let mut seen = 0;
    for (path, cmd) in commands() {
        let texts = [cmd.get_after_help(), cmd.get_after_long_help()];
        for help in texts.into_iter().flatten() {
            let help = help.to_string();
            // An 80-column terminal shows every example line whole.
            let block = help.lines().skip_while(|l| !l.starts_with("Examples"));
            for line in block.take_while(|l| !l.trim().is_empty()).skip(1) {
                let width = line.chars().count();
                assert!(width <= 78, "{path}: {width} columns: {line}");
            }
            for example in examples(&help) {
                seen += 1;
                let args = words(&example);
                if let Err(e) = Cli::try_parse_from(&args) {
                    panic!("{path}: the example `{example}` does not parse:\n{e}");
                }
            }
        }
    }
    assert!(seen >= 20, "only {seen} examples found");
}

#[test]
fn the_top_level_help_shows_every_kind_of_command() {
    let help = Cli::command().get_after_help().map(|h| h.to_string());
    let help = help.unwrap_or_default();
    let shown = examples(&help);
    for command in [
        "assess",
        "facts",
        "report",
        "inspect",
        "explain",
        "rules",
        "preflight",
        "serve",
        "token",
        "push",
    ] {
        let runs = |e: &String| words(e).iter().skip(1).any(|w| *w == command);
        assert!(shown.iter().any(runs), "no example of {command}: {help}");
    }
}

#[test]
fn examples_are_read_with_their_continuations_and_without_redirections() {
    let help = "Examples:\n  # what it does\n  acsready assess a.json \\\n      --format json > r.json\n  text\n  acsready rules\n";
    let found = examples(help);
    assert_eq!(
        found,
        [
            "acsready assess a.json --format json > r.json",
            "acsready rules"
        ]
    );
    assert_eq!(
        words(&found[0]),
        ["acsready", "assess", "a.json", "--format", "json"]
    );
}

#[test]
fn rules_is_taken_before_or_after_the_command_and_refused_where_unused() {
    let file = |args: &[&str]| {
        let cli = Cli::try_parse_from(args).map_err(|e| e.to_string())?;
        cli.rules_file()
            .map(|f| f.map(|p| p.display().to_string()))
            .map_err(|e| e.to_string())
    };
    let r = Some("r.toml".to_string());
    assert_eq!(
        file(&["acsready", "--rules", "r.toml", "assess"]),
        Ok(r.clone())
    );
    assert_eq!(
        file(&["acsready", "assess", "--rules", "r.toml"]),
        Ok(r.clone())
    );
    assert_eq!(
        file(&["acsready", "rules", "--rules", "r.toml"]),
        Ok(r.clone())
    );
    assert_eq!(file(&["acsready", "explain", "ACS001"]), Ok(None));
    let twice = file(&["acsready", "--rules", "a.toml", "rules", "--rules", "b"]);
    assert!(twice.is_err_and(|e| e.contains("twice")));
    #[cfg(feature = "server")]
    {
        let token = file(&["acsready", "--rules", "r.toml", "token", "list"]);
        assert!(token.is_err_and(|e| e.contains("read no rules")));
        let push = file(&["acsready", "push", "d", "--server", "u", "--rules", "r"]);
        assert!(push.is_err_and(|e| e.contains("unexpected argument '--rules'")));
    }
}

#[test]
fn a_bad_value_lists_the_possible_values_without_a_similar_one() {
    let e = Cli::try_parse_from(["acsready", "assess", "--format", "xml"]).unwrap_err();
    let e = without_value_tip(e).to_string();
    assert!(
        e.contains("[possible values: table, json, csv, jsonl, html]"),
        "{e}"
    );
    assert!(!e.contains("tip"), "{e}");
    for args in [
        &["acsready", "--lang", "jp", "rules"][..],
        &["acsready", "rules", "--format", "tabel"],
        &["acsready", "preflight", "apex-one", "--phase", "afterwards"],
    ] {
        let e = without_value_tip(Cli::try_parse_from(args).unwrap_err()).to_string();
        assert!(e.contains("[possible values:") && !e.contains("tip"), "{e}");
    }
}
