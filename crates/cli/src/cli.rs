//! Command-line definitions.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::evidence_args::EvidenceArgs;

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
    after_help = "Examples:
  acsready assess examples/fleet.ndjson               table of the fleet, then what to do
  acsready assess hosts.json --format json > r.json   the JSON report (contract: docs/report.md)
  acsready assess - --format csv < hosts.ndjson       CSV for Excel (UTF-8 with BOM)
  acsready report --from r.json --format csv          a saved JSON report, in another format
  acsready assess --collected \\\\srv\\acsready$         every host folder the collector wrote
  acsready assess --hive SOFTWARE --evtx Application.evtx   one host from offline files
  acsready facts --collected share --format table     what was read, and from which file
  acsready explain ACS004                             what a finding means and how to fix it
  acsready rules                                      what the rules database holds
  acsready preflight apex-one --collected DIR --server-hive SOFTWARE --server-dir dir.txt
                                                      before upgrading Corp. XG to Apex One

Exit codes: 0 every host ready; 1 some host not ready, unknown or unsupported;
2 bad usage or bad input (the other inputs are still assessed and reported)."
)]
pub struct Cli {
    /// Language of messages and findings [default: from the locale]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,

    /// Use this rules file instead of the embedded rules (see `acsready rules`)
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess hosts from facts JSON (one object, an array, or NDJSON) or from Windows evidence (--collected, --hive, --evtx)
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
    #[command(
        after_help = "Example: acsready assess fleet.ndjson --format json > report.json; \
acsready report --from report.json --format csv > report.csv"
    )]
    Report(ReportArgs),
    /// Show the rules database: its version and date, the Windows rows, the root certificate, the agent lines
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,

        #[command(flatten)]
        output: crate::output::OutputArgs,
    },
    /// Explain a finding code (e.g. ACS001); without a code, list them all
    Explain {
        /// A finding code such as ACS004
        code: Option<String>,
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
    /// Send the host folders of a collector share to the server, one upload per host
    #[command(
        after_help = "Exit codes: 0 every host folder accepted; 2 some folder could not be read or was refused \
(the others are still sent)."
    )]
    #[cfg(feature = "server")]
    Push(crate::push_cmd::PushArgs),
}

#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    /// Facts files or folders (also osquery results and console exports); collector
    /// folders; single evidence files (a hive, .evtx, .reg, systeminfo or wmic qfe output),
    /// each read as one host; .gz/.xz/.zip/.7z as what they hold; - reads standard input
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub evidence: EvidenceArgs,

    /// Read every INPUT as this kind instead of recognising it from its content
    #[arg(long, value_enum, value_name = "KIND")]
    pub input_kind: Option<acsready_intake::InputKind>,

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
pub struct FactsArgs {
    /// Facts files or folders (also osquery results and console exports); collector
    /// folders; single evidence files (a hive, .evtx, .reg, systeminfo or wmic qfe output),
    /// each read as one host; .gz/.xz/.zip/.7z as what they hold; - reads standard input
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub evidence: EvidenceArgs,

    /// Read every INPUT as this kind instead of recognising it from its content
    #[arg(long, value_enum, value_name = "KIND")]
    pub input_kind: Option<acsready_intake::InputKind>,

    /// Output format
    #[arg(long, short, value_enum, default_value_t = FactsFormat::Json)]
    pub format: FactsFormat,

    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
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
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Ja,
}
