//! The examples of every help page, run as printed where they use the
//! repository's own data (examples/fleet.ndjson): copied from the help,
//! they work. (That every example parses, and that every argument has a
//! description, is checked on the command tree itself, in src/cli_tests.rs.)

use std::path::Path;
use std::process::{Command, Stdio};

fn acsready(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_acsready"));
    cmd.current_dir(dir)
        .env("LANG", "C")
        .env_remove("ACSREADY_LANG");
    cmd
}

/// The help of `path` (e.g. `["preflight", "apex-one"]`) and of every
/// command below it.
fn help_pages(dir: &Path, path: Vec<String>, out: &mut Vec<(String, String)>) {
    let o = acsready(dir)
        .args(&path)
        .arg("--help")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{path:?} --help");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let commands: Vec<String> = text
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line; its description may go on, further indented.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    out.push((path.join(" "), text));
    for c in commands {
        let mut sub = path.clone();
        sub.push(c);
        help_pages(dir, sub, out);
    }
}

/// Whether a word names a file (and not a flag, value or URL).
fn is_file(word: &str) -> bool {
    !word.starts_with('-')
        && !word.contains("://")
        && (word.contains('.') || word.contains('/') || word.contains('\\'))
}

#[test]
fn help_examples_on_the_bundled_data_run_as_printed() {
    let dir = tempfile::tempdir().expect("temp");
    let d = dir.path();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::create_dir_all(d.join("examples")).expect("dir");
    std::fs::copy(
        repo.join("examples/fleet.ndjson"),
        d.join("examples/fleet.ndjson"),
    )
    .expect("copy");

    let mut pages = Vec::new();
    help_pages(d, Vec::new(), &mut pages);
    assert!(pages.len() > 10, "{} help pages", pages.len());
    let mut ran = Vec::new();
    for (page, text) in &pages {
        let examples = text
            .lines()
            .skip_while(|l| !l.starts_with("Examples"))
            .take_while(|l| !l.trim().is_empty())
            .map(str::trim);
        for example in examples {
            let Some(rest) = example.strip_prefix("acsready ") else {
                continue;
            };
            let mut words: Vec<&str> = rest.split_whitespace().collect();
            // The server's commands need a server; they are parsed, not run.
            if words
                .first()
                .is_some_and(|w| ["serve", "token", "push"].contains(w))
            {
                continue;
            }
            let mut redirected = |symbol: &str| {
                let i = words.iter().position(|w| *w == symbol)?;
                let file = words.get(i + 1).copied();
                words.drain(i..(i + 2).min(words.len()));
                file
            };
            let (stdin, stdout) = (redirected("<"), redirected(">"));
            // Run what reads only files that are here; a word in capitals
            // (DIR, SOFTWARE) stands for the reader's own file.
            let mut files = words.iter().copied().filter(|w| is_file(w)).chain(stdin);
            let placeholder = words
                .iter()
                .any(|w| w.chars().all(|c| c.is_ascii_uppercase()));
            if placeholder || !files.all(|f| d.join(f).exists()) {
                continue;
            }
            let mut cmd = acsready(d);
            cmd.args(&words);
            cmd.stdin(match stdin {
                Some(f) => Stdio::from(std::fs::File::open(d.join(f)).expect("stdin file")),
                None => Stdio::null(),
            });
            let o = cmd.output().expect("runs");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                matches!(o.status.code(), Some(0 | 1)) && !err.contains("error"),
                "`{example}` (acsready {page} --help): {:?}\n{err}",
                o.status.code()
            );
            if let Some(f) = stdout {
                std::fs::write(d.join(f), &o.stdout).expect("write");
            }
            ran.push(example.to_string());
        }
    }
    for must in [
        "acsready assess examples/fleet.ndjson",
        "acsready report --from r.json --format csv",
        "acsready explain ACS004",
        "acsready rules",
    ] {
        assert!(
            ran.iter().any(|e| e == must),
            "`{must}` did not run: {ran:#?}"
        );
    }
}
