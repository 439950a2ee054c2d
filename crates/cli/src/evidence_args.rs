//! The arguments several commands share: the inputs every command that reads
//! hosts takes (INPUT, `--collected`, `--hive`, `--evtx`, `--host`,
//! `--input-kind`) and `--rules`. A leaf, so the commands and the command line
//! both use it without depending on each other.

use std::path::PathBuf;

use acsready_intake::InputKind;

/// The hosts a command reads: inputs, evidence and how to read the inputs.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct HostArgs {
    /// Facts files or folders (also osquery results and console exports); collector
    /// folders; single evidence files (a hive, .evtx, .reg, systeminfo or wmic qfe output),
    /// each read as one host; .gz/.xz/.zip/.7z as what they hold; - reads standard input
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub evidence: EvidenceArgs,

    /// Read every INPUT as this kind instead of recognising it from its content
    #[arg(long, value_enum, value_name = "KIND")]
    pub input_kind: Option<InputKind>,
}

impl HostArgs {
    /// No INPUT and no evidence option.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty() && self.evidence.is_empty()
    }
}

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

    /// A virtual disk of a powered-off Windows machine (VHDX, VHD, VMDK, QCOW2, raw/dd; a
    /// differencing disk with its parents beside it), or a folder of them: each image is one host,
    /// named by its ComputerName; read-only, only the files needed are read
    #[arg(long, value_name = "IMAGE")]
    pub image: Vec<PathBuf>,

    /// Host name for --hive / --evtx / --image [default: from the files, else the hive's or
    /// image's file name]
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
}

impl EvidenceArgs {
    pub fn is_empty(&self) -> bool {
        self.collected.is_empty()
            && self.hive.is_empty()
            && self.evtx.is_empty()
            && self.image.is_empty()
    }
}

/// `--rules FILE` of a command that reads the rules.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RulesArg {
    /// Use this rules file instead of the embedded rules (check an edited copy with
    /// `acsready --rules FILE rules`)
    #[arg(id = "rules", long = "rules", value_name = "FILE", display_order = 900)]
    pub file: Option<PathBuf>,
}
