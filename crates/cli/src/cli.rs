//! Command-line definitions.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::error::{ContextKind, ErrorKind};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::evidence_args::{HostArgs, RulesArg};

#[derive(Debug, Parser)]
#[command(
    name = "acsready",
    version,
    about = "Can these Windows hosts take security-agent modules signed with Azure Code Signing (ACS)? Why not, and what to do.",
    long_about = "acsready reads facts about Windows hosts (OS build and UBR, installed updates, root \
certificates, Trend Micro agents, events) and tells, host by host, whether they can install and run \
modules signed with Azure Code Signing (Deep Security / Workload Security Agent and Notifier, Apex One, \
Apex One SaaS, Vision One Endpoint Security), which finding stands in the way, and the exact \
remediation: the KB for that Windows, how to add the root certificate \"Microsoft Identity \
Verification Root Certificate Authority 2020\", and a plan for every agent (upgrade, pin, fix_host, \
hold, none).",
    after_help = "Examples (a line starting with # says what the next one does):
  # a table of the fleet, then what to do
  acsready assess examples/fleet.ndjson
  # the JSON report (contract: docs/report.md)
  acsready assess examples/fleet.ndjson --format json > r.json
  # CSV for Excel (UTF-8 with BOM), from standard input
  acsready assess - --format csv < examples/fleet.ndjson
  # a saved JSON report, in another format
  acsready report --from r.json --format csv
  # every host folder the collector wrote to a share
  acsready assess --collected \\\\srv\\acsready$
  # one host from offline files
  acsready assess --hive SOFTWARE --evtx Application.evtx
  # powered-off machines from their virtual disks (a folder: a host an image)
  acsready assess --image web01.vhdx --image /datastore/templates
  # what was read, and from which file
  acsready facts --collected \\\\srv\\acsready$ --format table
  # an installer or module: signature, ACS, what it demands of a host
  acsready inspect agent.msi
  # what a finding means and how to fix it
  acsready explain ACS004
  # what the rules database holds; with --rules FILE, check an edited copy
  acsready rules
  acsready --rules my-rules.toml rules
  # before upgrading Corp. XG to Apex One (acsready preflight apex-one --help)
  acsready preflight apex-one DIR --server-hive SOFTWARE --server-hive SYSTEM
  # the fleet server and its dashboard (docs/server.md)
  acsready serve --listen 0.0.0.0:8080
  # a token for the collectors, kept in a file
  acsready token create --scope ingest --name collectors > token
  # send every host folder of a collector share to the server
  acsready push \\\\srv\\acsready$ --server http://srv:8080 --token-file token

Exit codes: 0 every host ready; 1 some host not ready, unknown or unsupported;
2 bad usage or bad input (the other inputs are still assessed and reported)."
)]
pub struct Cli {
    /// Language of messages and findings [default: from the locale]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,

    /// Use this rules file instead of the embedded rules, for the commands that read the
    /// rules (all but token and push); also accepted after the command's name.
    /// `acsready --rules FILE rules` checks an edited copy
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess hosts from facts JSON (one object, an array, or NDJSON) or from Windows evidence (--collected, --hive, --evtx, --image)
    #[command(
        after_help = "INPUT may be a file, a folder (its *.json, *.ndjson and *.jsonl files) or - for \
standard input. The host facts format is documented in docs/host-facts.md.

Exit codes: 0 every host ready; 1 some host not ready, unknown or unsupported; 2 bad usage or bad input."
    )]
    Assess(AssessArgs),
    /// Print the facts acsready reads from the inputs, merged per host, with the file each fact came from
    #[command(
        after_help = "Takes the same inputs as `assess`. The JSON output (one host per line) can be fed back to \
`acsready assess`; `sources` names the file of every fact and `conflicts` lists the facts two files disagree on."
    )]
    Facts(FactsArgs),
    /// Inspect installers and modules: signatures, ACS, integrity, and what each demands of a host
    #[command(
        after_help = "PATH may be a file (PE .exe/.dll/.sys, MSI, or a .zip package as the console exports it; \
the entries are inspected in memory) or a folder (searched recursively for such files).

Exit codes: 0 every file read and intact; 1 some signature is tampered; 2 some file could not be read."
    )]
    Inspect(InspectArgs),
    /// Check an upgrade before and after it: `preflight apex-one` (Virus Buster Corp. XG to Apex One)
    Preflight {
        #[command(subcommand)]
        target: crate::preflight_cmd::PreflightTarget,
    },
    /// Render a saved JSON report again, in another format or language
    #[command(after_help = "Examples:
  acsready assess examples/fleet.ndjson --format json > report.json
  acsready report --from report.json --format csv > report.csv
  acsready report --from report.json --lang ja")]
    Report(ReportArgs),
    /// Write a remediation kit: per action group the certificate, scripts, .reg files, KB lists and a README
    #[command(
        name = "fix-kit",
        after_help = "Takes the same inputs as `assess`; writes DIR/report.json (the assessment) and one folder per \
action group (root-missing/, root-auto-update/, kb-<release>/, unsupported/, pin-apex-one/, pin-<console>/) with \
hosts.txt, hosts.csv and a README (--lang) saying what each file changes, how to undo it and how to verify it. \
Every fact comes from the rules ([remediation]).

Example:
  acsready fix-kit --collected \\\\srv\\acsready$ --out kit
  acsready verify --before kit/report.json --collected \\\\srv\\acsready$

Exit codes: 0 kit written; 2 bad usage or bad input (the kit is still written for the hosts read)."
    )]
    FixKit(FixKitArgs),
    /// Compare a new collection with the report a kit was made from: per host fixed, still failing or worse
    #[command(
        after_help = "Exit codes: 0 every host fixed or still ready; 1 some host still failing, worse or not \
collected again; 2 bad usage or bad input."
    )]
    Verify(VerifyArgs),
    /// Show the rules database: its version and date, the Windows rows, the root certificate, the agent lines
    #[command(
        after_help = "With --rules FILE, reads and checks that file instead of the embedded rules: \
`acsready --rules my-rules.toml rules` names every problem of an edited copy (a missing source, an \
unknown code, a bad build) and exits 2, or shows what it holds. Then use it with \
`acsready --rules my-rules.toml assess ...`."
    )]
    Rules {
        /// Output format
        #[arg(long, short, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,

        #[command(flatten)]
        rules: RulesArg,

        #[command(flatten)]
        output: crate::output::OutputArgs,
    },
    /// Explain a finding code (e.g. ACS001); without a code, list them all
    Explain {
        /// A finding code such as ACS004 (`acsready explain` lists them)
        code: Option<String>,

        #[command(flatten)]
        rules: RulesArg,
    },
    /// Run the fleet server: ingest API, embedded database, dashboard (docs/server.md)
    #[command(
        after_help = "Prints `listening on http://ADDR` on standard error once bound. \
Logs go to standard error (level: ACSREADY_LOG=error|warn|info|debug). Create tokens first with `acsready token create`."
    )]
    #[cfg(feature = "server")]
    Serve(crate::server_cmd::ServeArgs),
    /// Create, list and revoke the server's access tokens
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Token(crate::server_cmd::TokenCommand),
    /// Move the server's fleet between databases (SQLite to PostgreSQL)
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Store(crate::store_cmd::StoreCommand),
    /// Send the host folders of a collector share to the server, one upload per host
    #[command(
        after_help = "The token is read from --token, else --token-file FILE, else the environment variable \
ACSREADY_TOKEN: the file and the variable keep it out of the shell's history and the process list.

Examples:
  acsready token create --scope ingest --name collectors > token
  acsready push \\\\srv\\acsready$ --server http://srv:8080 --token-file token

Exit codes: 0 every host folder accepted; 2 some folder could not be read or was refused \
(the others are still sent)."
    )]
    #[cfg(feature = "server")]
    Push(crate::push_cmd::PushArgs),
}

#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    #[command(flatten)]
    pub hosts: HostArgs,

    #[command(flatten)]
    pub rules: RulesArg,

    /// An installer or module to be deployed (PE, MSI, .zip package or folder): for every host,
    /// whether it installs, is blocked by its installer's check, or breaks
    #[arg(long, value_name = "FILE")]
    pub module: Vec<PathBuf>,

    /// Output format
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Print only the counts (for large fleets); the exit code is the same
    #[arg(long)]
    pub summary: bool,

    /// With --format csv: one row per finding (host, code, severity, title, evidence, remediation)
    #[arg(long)]
    pub csv_findings: bool,

    /// Show every column in full on a terminal too (piped or written to a file, the table always does)
    #[arg(long)]
    pub wide: bool,

    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

#[derive(Debug, clap::Args)]
pub struct FixKitArgs {
    #[command(flatten)]
    pub hosts: HostArgs,

    #[command(flatten)]
    pub rules: RulesArg,

    /// The folder to write the kit into (created; it must be new or empty)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// One line per host: outcome, verdicts and the reason
    Table,
    /// For other tools (schema acsready.verify/1)
    Json,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The report the kit was made from (`report.json` in the kit's folder)
    #[arg(long, value_name = "FILE")]
    pub before: PathBuf,

    #[command(flatten)]
    pub hosts: HostArgs,

    #[command(flatten)]
    pub rules: RulesArg,

    /// Output format
    #[arg(long, short, value_enum, default_value_t = VerifyFormat::Table)]
    pub format: VerifyFormat,

    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

#[derive(Debug, clap::Args)]
pub struct FactsArgs {
    #[command(flatten)]
    pub hosts: HostArgs,

    #[command(flatten)]
    pub rules: RulesArg,

    /// Output format
    #[arg(long, short, value_enum, default_value_t = FactsFormat::Json)]
    pub format: FactsFormat,

    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub rules: RulesArg,

    /// A report written by `acsready assess --format json`
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,

    /// Output format
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Show every column in full on a terminal too (piped or written to a file, the table always does)
    #[arg(long)]
    pub wide: bool,

    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub rules: RulesArg,

    /// Files or folders to inspect
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, short, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,

    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FactsFormat {
    /// One host per line (NDJSON), with `sources` and `conflicts`
    Json,
    /// Fact, value and source, host by host
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people, then the remediation of every host that needs one
    Table,
    /// The JSON report other tools read (schema acsready.report/1)
    Json,
    /// One row per host, UTF-8 with BOM, stable columns
    Csv,
    /// One host per line (JSON Lines), streamed
    Jsonl,
    /// One self-contained HTML page (works offline): summary charts, a sortable, filterable host table, details
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// Tables for people
    Table,
    /// Everything, for other tools
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// English
    En,
    /// Japanese (日本語)
    Ja,
}

impl Cli {
    /// The rules file to read, given before the command's name or after it;
    /// an error for the commands that read no rules.
    pub fn rules_file(&self) -> Result<Option<&Path>> {
        let own = match &self.command {
            Command::Assess(a) => &a.rules,
            Command::Facts(a) => &a.rules,
            Command::Inspect(a) => &a.rules,
            Command::Report(a) => &a.rules,
            Command::FixKit(a) => &a.rules,
            Command::Verify(a) => &a.rules,
            Command::Rules { rules, .. } | Command::Explain { rules, .. } => rules,
            Command::Preflight { target } => target.rules(),
            #[cfg(feature = "server")]
            Command::Serve(a) => &a.rules,
            #[cfg(feature = "server")]
            Command::Token(_) | Command::Push(_) | Command::Store(_) => {
                if let Some(file) = &self.rules {
                    bail!(
                        "--rules {}: `token`, `store` and `push` read no rules; leave --rules out \
(the server assesses with the rules it was started with: acsready serve --rules FILE)",
                        file.display()
                    );
                }
                return Ok(None);
            }
        };
        match (self.rules.as_deref(), own.file.as_deref()) {
            (Some(a), Some(b)) if a != b => bail!(
                "--rules is given twice ({} and {}): give one rules file",
                a.display(),
                b.display()
            ),
            (a, b) => Ok(a.or(b)),
        }
    }
}

/// The command line, or clap's error. A value that is not one of the
/// possible values lists them and stops there: no "similar value" tip (a
/// similar name, such as `html` for `xml`, is not the format asked for).
pub fn parse() -> Result<Cli, clap::Error> {
    Cli::try_parse().map_err(without_value_tip)
}

fn without_value_tip(e: clap::Error) -> clap::Error {
    if e.kind() != ErrorKind::InvalidValue || e.get(ContextKind::SuggestedValue).is_none() {
        return e;
    }
    let mut plain = clap::Error::new(ErrorKind::InvalidValue).with_cmd(&Cli::command());
    for (kind, value) in e.context() {
        if kind != ContextKind::SuggestedValue {
            plain.insert(kind, value.clone());
        }
    }
    plain
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
