//! Evidence from Windows hosts (`--collected`, `--hive`, `--evtx`): which
//! hosts there are, and reading each into merged facts.

use std::path::PathBuf;

use acsready_facts::HostFacts;
use acsready_report::InputProblem;
use acsready_rules::Rules;
use acsready_sources::folder::{read_evidence, read_host_folder, EvidenceOptions};
use acsready_sources::registry_facts::KnownProducts;
use acsready_sources::EventFilter;

use crate::cli::EvidenceArgs;

/// What the readers need from the rules, built once.
pub struct Readers {
    products: KnownProducts,
    events: EventFilter,
}

impl Readers {
    pub fn new(rules: &Rules) -> Self {
        let pairs = |names: fn(&acsready_rules::Product) -> &Vec<String>| {
            rules
                .products
                .iter()
                .flat_map(|p| names(p).iter().map(|n| (n.clone(), p.id.clone())))
                .collect()
        };
        let products = KnownProducts {
            display_names: pairs(|p| &p.display_names),
            vendor_keys: pairs(|p| &p.vendor_keys),
        };
        // Keep what some event rule could match: by its ids when it has
        // some (the rule checks provider and message later), else by its
        // providers and messages. Reading every MsiInstaller event of a
        // busy log would only bloat the facts.
        let mut events = EventFilter::default();
        for rule in &rules.events {
            if rule.ids.is_empty() {
                events.providers.extend(rule.providers_any.iter().cloned());
                events.messages.extend(rule.message_any.iter().cloned());
            } else {
                events.ids.extend(&rule.ids);
            }
        }
        events.ids.sort_unstable();
        events.ids.dedup();
        Readers { products, events }
    }

    /// Uninstall DisplayName prefixes → product ids (also how console and
    /// osquery inputs name products).
    pub fn display_names(&self) -> &[(String, String)] {
        &self.products.display_names
    }

    /// How products show in the registry (also on a management server).
    pub fn products(&self) -> &KnownProducts {
        &self.products
    }

    fn options(&self) -> EvidenceOptions<'_> {
        EvidenceOptions {
            products: &self.products,
            events: &self.events,
        }
    }
}

/// One host to read: a collector folder, or files given on the command line.
pub enum HostSource {
    Folder(PathBuf),
    Files {
        host: Option<String>,
        files: Vec<PathBuf>,
    },
}

/// A host's facts, and the problems met reading them (not fatal).
pub struct Read {
    pub facts: HostFacts,
    pub warnings: Vec<InputProblem>,
}

/// The hosts of the evidence arguments, in order. A `--collected` folder that
/// cannot be listed is an error; its unfinished sub-folders (`.tmp`, `.old`
/// as the collector leaves them while swapping) are skipped.
pub fn hosts(args: &EvidenceArgs, errors: &mut Vec<InputProblem>) -> Vec<HostSource> {
    let mut hosts = Vec::new();
    for dir in &args.collected {
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut folders: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_dir())
                    .filter(|p| {
                        let name = p
                            .file_name()
                            .map(|n| n.to_string_lossy().to_lowercase())
                            .unwrap_or_default();
                        !(name.ends_with(".tmp") || name.ends_with(".old") || name.starts_with('.'))
                    })
                    .collect();
                folders.sort();
                if folders.is_empty() {
                    errors.push(InputProblem {
                        source: dir.display().to_string(),
                        message: "no host folder in it (expected one sub-folder per host, as acsready-collect.cmd writes)".into(),
                    });
                }
                hosts.extend(folders.into_iter().map(HostSource::Folder));
            }
            Err(e) => errors.push(InputProblem {
                source: dir.display().to_string(),
                message: format!("cannot read the folder: {e}"),
            }),
        }
    }
    if !args.hive.is_empty() || !args.evtx.is_empty() {
        let files = args.hive.iter().chain(&args.evtx).cloned().collect();
        hosts.push(HostSource::Files {
            host: args.host.clone(),
            files,
        });
    }
    hosts
}

fn warn(text: String) -> InputProblem {
    InputProblem::from_message(&text)
}

/// Reads one host.
pub fn read(source: &HostSource, readers: &Readers) -> Result<Read, InputProblem> {
    let opts = readers.options();
    let evidence = match source {
        HostSource::Folder(dir) => {
            read_host_folder(dir, None, &opts).map_err(|e| warn(e.to_string()))?
        }
        HostSource::Files { host, files } => {
            for f in files {
                if !f.is_file() {
                    return Err(InputProblem {
                        source: f.display().to_string(),
                        message: "no such file".into(),
                    });
                }
            }
            let fallback = files
                .first()
                .and_then(|f| f.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "host".into());
            let ev = read_evidence(host.as_deref(), &fallback, files, &opts);
            if ev.used.is_empty() {
                return Err(InputProblem {
                    source: files
                        .iter()
                        .map(|f| f.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    message: ev.problems.join("; "),
                });
            }
            ev
        }
    };
    Ok(Read {
        facts: evidence.facts,
        warnings: evidence.problems.into_iter().map(warn).collect(),
    })
}

/// A short name for a host source, for messages.
pub fn describe(source: &HostSource) -> String {
    match source {
        HostSource::Folder(dir) => dir.display().to_string(),
        HostSource::Files { files, .. } => files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}
