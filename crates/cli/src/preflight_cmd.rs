//! `acsready preflight apex-one`: the caveats of upgrading Virus Buster
//! Corp. XG to Apex One (seed 004), checked against the agents (the same
//! inputs as `assess`) and the management server's evidence.

use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;

use acsready_facts::HostFacts;
use acsready_intake::{Intake, Problem, Readers};
use acsready_preflight::{check_password, run, Options, Phase, ServerEvidence};
use acsready_report::{InputProblem, PreflightReport, Problems, RulesIdentity, Style};
use acsready_rules::Rules;
use acsready_sources::server::{read_server, ServerFiles};
use anyhow::{bail, Result};
use clap::{Subcommand, ValueEnum};
use zeroize::Zeroizing;

use crate::evidence_args::{HostArgs, RulesArg};
use crate::input;

#[derive(Debug, Subcommand)]
pub enum PreflightTarget {
    /// Upgrading Virus Buster Corp. XG (OfficeScan XG) to Apex One: agents on unsupported
    /// Windows, the SQL Server password, versions, delivery control, ACS and SHA-2
    /// readiness, the server authentication certificate, firewall, and after the upgrade
    /// the server's iVP / iAC services and folders
    #[command(
        name = "apex-one",
        after_help = "Agents are INPUTs as for `assess` (facts JSON, osquery, console exports, folders, -) and \
--collected / --hive / --evtx. The server is given by --server-hive (its SOFTWARE and SYSTEM hives), \
--server-reg (.reg exports of HKLM\\SOFTWARE and HKLM\\SYSTEM) and --server-dir (its install folder, or the \
output of `dir /s /b` or `dir /s` run in it, UTF-16, UTF-8 or CP932).

The SQL Server password is read with --sql-password-stdin (a prompt without echo on a terminal, else the \
whole of standard input) or --sql-password-file FILE; one trailing newline is removed. It is never printed \
or stored: only the classes of forbidden characters are reported.

Examples (a line starting with # says what the next one does):
  # before the upgrade: the agents (a collector share), the server's hives
  acsready preflight apex-one DIR --server-hive SOFTWARE --server-hive SYSTEM
  # the server's folder listing, and the SQL Server password typed in
  acsready preflight apex-one DIR --server-dir dir.txt --sql-password-stdin
  # after the upgrade: the new server's services and folders, as JSON
  acsready preflight apex-one DIR --phase after --server-hive SYSTEM -f json

Exit codes: 0 nothing blocks the upgrade; 1 something blocks it; 2 bad usage or bad input \
(the other inputs are still checked and reported)."
    )]
    ApexOne(ApexOneArgs),
}

#[derive(Debug, clap::Args)]
pub struct ApexOneArgs {
    /// The agents
    #[command(flatten)]
    pub agents: HostArgs,

    /// Before the server upgrade, or after it (services and folders of the new server)
    #[arg(long, value_enum, default_value_t = PhaseArg::Before)]
    pub phase: PhaseArg,

    /// An offline hive of the management server: SOFTWARE or SYSTEM (told apart by content)
    #[arg(long, value_name = "FILE")]
    pub server_hive: Vec<PathBuf>,

    /// A .reg export of the management server (HKLM\SOFTWARE… or HKLM\SYSTEM…)
    #[arg(long, value_name = "FILE")]
    pub server_reg: Vec<PathBuf>,

    /// The server's install folder, or a `dir /s /b` or `dir /s` listing of it
    #[arg(long, value_name = "PATH")]
    pub server_dir: Vec<PathBuf>,

    /// A virtual disk of the powered-off management server (VHDX, VHD, VMDK, QCOW2, raw): its
    /// SOFTWARE and SYSTEM hives and a listing of its install folder (the default one of the rules)
    /// are read from it, as --server-hive and --server-dir read them
    #[arg(long, value_name = "IMAGE")]
    pub server_image: Vec<PathBuf>,

    /// The server's name [default: from its SYSTEM hive, else "server"]
    #[arg(long, value_name = "NAME")]
    pub server_name: Option<String>,

    /// The server's version (e.g. 12.0.0.5684) when its registry does not show it
    #[arg(long, value_name = "VERSION")]
    pub server_version: Option<String>,

    /// Read the SQL Server password from standard input (a prompt without echo on a terminal)
    #[arg(long, conflicts_with = "sql_password_file")]
    pub sql_password_stdin: bool,

    /// Read the SQL Server password from this file (one trailing newline is removed)
    #[arg(long, value_name = "FILE")]
    pub sql_password_file: Option<PathBuf>,

    /// Agents are upgraded in stages after the server: agents without NoProgramUpgrade = 1 are a finding
    #[arg(long)]
    pub staged_rollout: bool,

    /// Output format
    #[arg(long, short, value_enum, default_value_t = PreflightFormat::Table)]
    pub format: PreflightFormat,

    #[command(flatten)]
    pub rules: RulesArg,

    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

impl PreflightTarget {
    /// The target's `--rules`.
    pub fn rules(&self) -> &RulesArg {
        let PreflightTarget::ApexOne(args) = self;
        &args.rules
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PhaseArg {
    /// Before the server upgrade: what would block it
    Before,
    /// After the server upgrade: what the new server must show
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PreflightFormat {
    /// Findings for people: what blocks first, with evidence and remediation
    Table,
    /// The JSON report (schema acsready.preflight/1, docs/preflight.md)
    Json,
    /// One row per finding, UTF-8 with BOM
    Csv,
    /// One self-contained page (no script, no network) to hand to the team
    Html,
}

/// The password as text: UTF-8 (a BOM is dropped) or UTF-16 with a BOM;
/// one trailing newline (LF or CRLF) removed. Errors never quote it.
fn password_text(bytes: &[u8]) -> Result<Zeroizing<String>, &'static str> {
    let mut text = Zeroizing::new(String::new());
    if let Some(rest) = bytes
        .strip_prefix(b"\xFF\xFE")
        .or_else(|| bytes.strip_prefix(b"\xFE\xFF"))
    {
        let le = bytes.starts_with(b"\xFF\xFE");
        let units = rest.chunks_exact(2).map(|p| {
            if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        for c in char::decode_utf16(units) {
            text.push(c.map_err(|_| "not valid UTF-16 text")?);
        }
    } else {
        let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        text.push_str(std::str::from_utf8(rest).map_err(|_| "not UTF-8 text")?);
    }
    let newline = if text.ends_with("\r\n") {
        2
    } else {
        usize::from(text.ends_with('\n'))
    };
    let keep = text.len() - newline;
    text.truncate(keep);
    if text.is_empty() {
        return Err("the password is empty");
    }
    Ok(text)
}

/// The most bytes a password input may have.
const MAX_PASSWORD_BYTES: usize = 4096;

/// Reads a password input into one buffer allocated up front (so no copy
/// of it is left behind by a reallocation), wiped when dropped.
fn read_bounded(reader: impl Read) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_BYTES + 1));
    let mut chunk = Zeroizing::new([0u8; 512]);
    let mut reader = reader.take(MAX_PASSWORD_BYTES as u64 + 1);
    loop {
        let n = reader.read(&mut chunk[..])?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    if bytes.len() > MAX_PASSWORD_BYTES {
        return Err(io::Error::other(format!(
            "longer than {MAX_PASSWORD_BYTES} bytes: not a password"
        )));
    }
    Ok(bytes)
}

/// Reads the password as asked, or `None` when no option asks for it.
fn read_password(args: &ApexOneArgs) -> Result<Option<Zeroizing<String>>, InputProblem> {
    let problem = |source: &str, message: String| InputProblem {
        host: None,
        source: source.to_string(),
        message,
    };
    if args.sql_password_stdin {
        let source = "--sql-password-stdin";
        if io::stdin().is_terminal() {
            let typed = rpassword::prompt_password("SQL Server password (not shown): ")
                .map(Zeroizing::new)
                .map_err(|e| problem(source, format!("cannot read the password: {e}")))?;
            return password_text(typed.as_bytes())
                .map(Some)
                .map_err(|m| problem(source, m.into()));
        }
        let bytes = read_bounded(io::stdin().lock())
            .map_err(|e| problem(source, format!("cannot read standard input: {e}")))?;
        return password_text(&bytes)
            .map(Some)
            .map_err(|m| problem(source, m.into()));
    }
    if let Some(file) = &args.sql_password_file {
        let source = file.display().to_string();
        let bytes = std::fs::File::open(file)
            .and_then(read_bounded)
            .map_err(|e| problem(&source, format!("cannot read: {e}")))?;
        return password_text(&bytes)
            .map(Some)
            .map_err(|m| problem(&source, m.into()));
    }
    Ok(None)
}

/// The server's hives and install folder listing out of `--server-image`
/// disks, into `files`; an image that cannot be read is an error naming it.
fn read_server_images(
    args: &ApexOneArgs,
    pf: &acsready_rules::ApexOnePreflight,
    files: &mut ServerFiles,
) -> acsready_intake::Problems {
    let mut problems = acsready_intake::Problems::default();
    let folders: Vec<String> = (pf.auth_cert.default_install_folder.iter())
        .map(|f| {
            f.get(3..)
                .filter(|_| f.get(1..3) == Some(":\\"))
                .unwrap_or(f)
                .to_string()
        })
        .collect();
    let progress = crate::image_progress::image_progress();
    for image in &args.server_image {
        match acsready_intake::image::read_server_image(image, &folders, progress.as_ref()) {
            Ok(read) => {
                files.memory_hives.extend(read.hives);
                files.listings.extend(read.listings);
                problems.warnings.extend(read.warnings);
            }
            Err(p) => problems.errors.push(p),
        }
    }
    problems
}

/// The agents of every input and evidence option, merged by host, read by
/// the intake as `assess` reads them.
fn read_agents(args: &ApexOneArgs, readers: &Readers, problems: &mut Problems) -> Vec<HostFacts> {
    let given = &args.agents;
    let request = input::request(&given.inputs, &given.evidence, given.input_kind);
    let mut intake = Intake::new(request, readers);
    let agents: Vec<HostFacts> = intake.hosts().into_iter().map(|h| h.attributed()).collect();
    let no_hosts = (agents.is_empty() && !given.is_empty()).then(|| intake.no_hosts());
    input::add_problems(problems, intake.finish());
    problems.errors.extend(no_hosts.map(input::problem));
    agents
}

pub fn preflight(target: &PreflightTarget, rules: &Rules, style: Style) -> Result<u8> {
    let PreflightTarget::ApexOne(args) = target;
    let Some(pf) = rules.preflight.apex_one.as_ref() else {
        bail!(
            "{}: the rules have no [preflight.apex_one] section",
            rules.origin
        );
    };
    let stdin_input = args.agents.inputs.iter().any(|i| i.as_os_str() == "-");
    if args.sql_password_stdin && stdin_input {
        bail!("--sql-password-stdin and the input - both read standard input: give the agents as files, or the password with --sql-password-file");
    }
    let mut server_files = ServerFiles {
        hives: args.server_hive.clone(),
        regs: args.server_reg.clone(),
        dirs: args.server_dir.clone(),
        ..ServerFiles::default()
    };
    let image_problems = read_server_images(args, pf, &mut server_files);
    if args.agents.is_empty() && server_files.is_empty() {
        bail!("no input: give the agents (as for `assess`) and the server's evidence (--server-hive, --server-reg, --server-dir, --server-image); see acsready preflight apex-one --help");
    }

    let mut problems = Problems::default();
    input::add_problems(&mut problems, image_problems);
    let check = match read_password(args) {
        Ok(Some(password)) => Some(check_password(pf, &password)),
        Ok(None) => None,
        Err(p) => {
            problems.errors.push(p);
            None
        }
    };
    let readers = Readers::new(rules);
    let agents = read_agents(args, &readers, &mut problems);
    if agents.is_empty() && args.agents.is_empty() {
        problems.warnings.push(InputProblem {
            host: None,
            source: String::new(),
            message: "no agents were given: the checks of agents had nothing to check".into(),
        });
    }
    let read = read_server(
        &server_files,
        args.server_name.as_deref(),
        readers.products(),
    );
    let noted = |note| input::problem(Problem::reading(note));
    problems.errors.extend(read.errors.iter().map(noted));
    problems.warnings.extend(read.warnings.iter().map(noted));
    let server = ServerEvidence {
        host: read.host,
        facts: read.facts,
        version: args.server_version.clone(),
        services: read.services.map(|s| (s.origin, s.services)),
        listing: read.listing,
    };
    let options = Options {
        phase: match args.phase {
            PhaseArg::Before => Phase::Before,
            PhaseArg::After => Phase::After,
        },
        staged_rollout: args.staged_rollout,
    };
    let result = run(rules, style.lang, options, &agents, &server, check.as_ref())?;
    let blocked = result.summary.blocked;
    let report = PreflightReport::new(
        RulesIdentity::of(rules),
        style.lang,
        result,
        problems.clone(),
    );
    let mut out = crate::output::Output::open(&args.output)?;
    let style = Style {
        color: out.colour(),
        ..style
    };
    match args.format {
        PreflightFormat::Table => report.write_table(&mut out, style)?,
        PreflightFormat::Json => report.write_json(&mut out)?,
        PreflightFormat::Csv => report.write_csv(&mut out)?,
        PreflightFormat::Html => report.write_html(&mut out)?,
    }
    out.commit()?;
    input::report_problems(&problems.errors, &problems.warnings);
    Ok(crate::exit_code(!problems.errors.is_empty(), blocked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_newline_is_removed() {
        assert_eq!(password_text(b"abc\r\n").unwrap().as_str(), "abc");
        assert_eq!(password_text(b"abc\n\n").unwrap().as_str(), "abc\n");
        assert_eq!(password_text(b"\xEF\xBB\xBFp w\n").unwrap().as_str(), "p w");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("pä\r\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(password_text(&utf16).unwrap().as_str(), "pä");
    }

    #[test]
    fn password_inputs_are_bounded() {
        let ok = read_bounded(&b"secret\n"[..]).unwrap();
        assert_eq!(&ok[..], b"secret\n");
        let long = vec![b'a'; MAX_PASSWORD_BYTES + 1];
        let err = read_bounded(&long[..]).unwrap_err().to_string();
        assert!(
            err.contains("not a password") && !err.contains("aaaa"),
            "{err}"
        );
    }

    #[test]
    fn bad_passwords_are_errors_that_do_not_quote_them() {
        assert_eq!(password_text(b"\n").unwrap_err(), "the password is empty");
        assert_eq!(password_text(b"ab\xFFcd").unwrap_err(), "not UTF-8 text");
    }
}
