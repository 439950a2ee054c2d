//! The evidence options every command that reads hosts takes (`--collected`,
//! `--hive`, `--evtx`, `--host`): a leaf, so the commands and the command line
//! both use it without depending on each other.

use std::path::PathBuf;

/// Evidence collected from Windows hosts.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct EvidenceArgs {
    /// A folder with one sub-folder per host, as acsready-collect.cmd writes it (a share path is fine);
    /// each sub-folder may hold any mix of hives, .reg exports, reg query output, .evtx, wevtutil XML,
    /// wmic qfe / systeminfo output, the EasyFix log and facts JSON
    #[arg(long, value_name = "DIR")]
    pub collected: Vec<PathBuf>,

    /// An offline SOFTWARE hive (its .LOG1/.LOG2 beside it are replayed); with --evtx, facts of one host
    #[arg(long, value_name = "FILE")]
    pub hive: Vec<PathBuf>,

    /// An Application event log (.evtx) or wevtutil XML export of the same host as --hive
    #[arg(long, value_name = "FILE")]
    pub evtx: Vec<PathBuf>,

    /// Host name for --hive / --evtx [default: from the files, else the hive's file name]
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
}

impl EvidenceArgs {
    pub fn is_empty(&self) -> bool {
        self.collected.is_empty() && self.hive.is_empty() && self.evtx.is_empty()
    }
}
