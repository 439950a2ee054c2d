//! Host facts from Deep Security Manager / Workload Security: the computers
//! of the API and the console's CSV export of computers.
//!
//! * [`read_console`]: the API's `{"computers":[{…},…]}` (list and
//!   search answers) or a bare array of computer objects. Fields read
//!   (docs/sources/registry.md): `hostName`, `displayName`, `platform`, `agentVersion`;
//!   others are ignored.
//! * [`read_console`]: the console's CSV export of computers, UTF-8 with
//!   or without BOM or UTF-16. Header names are matched ignoring case, spaces,
//!   `_` and `-`. Accepted: host: `Name`, `Host Name`, `Hostname`,
//!   `Computer`, `Computer Name`, `hostName`; display name: `Display Name`;
//!   platform: `Platform`, `OS`, `Operating System`; agent version:
//!   `Agent Version`, `Version`. Japanese headers are accepted too
//!   (`名前`, `ホスト名`, `表示名`, `プラットフォーム`, `エージェントのバージョン`,
//!   `エージェントバージョン`; UNCONFIRMED, no Japanese export was seen).
//!
//! For each computer: the host is `hostName`, else `displayName`; `agents`
//! is the Deep Security Agent (the product the rules mark `console_agent`)
//! at `agentVersion` when that is not empty (else unknown); `platform` ("Microsoft Windows Server 2019 (64 bit)
//! (Build 17763)", form UNCONFIRMED, docs/sources/registry.md) gives `os.product_name`
//! (the text before the first " (") and, when it has "Build NNNNN" or a
//! "(10.0.NNNNN)" version, `os.current_build`. The console has **no UBR**:
//! such a host stays `unknown` unless another source gives it. Computers
//! whose platform names another system (Linux, Solaris…) are listed in
//! [`ConsoleFacts::skipped_non_windows`] and not in `hosts`; a platform
//! that names neither (cut, unknown text) leaves the OS unknown, with a
//! problem. A CSV file that ends in the middle of a row was cut: that row's
//! last field is not read. Facts are attributed to `file:line` of the
//! computer.

use std::sync::LazyLock;

use acsready_facts::{AgentFact, HostFacts, OsFacts};
use regex::Regex;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::note::Problems;
use crate::registry_facts::KnownProducts;
use crate::{text, Note, SourceError};

/// What the console says about its computers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsoleFacts {
    /// Windows computers (and those whose platform is not given), in input order.
    pub hosts: Vec<HostFacts>,
    /// Host names of computers whose platform is not Windows.
    pub skipped_non_windows: Vec<String>,
    /// Skipped computers and rows, each with `file:line`.
    pub problems: Vec<Note>,
}

/// One computer as the console gives it.
#[derive(Debug, Default)]
struct Computer {
    host_name: Option<String>,
    display_name: Option<String>,
    platform: Option<String>,
    agent_version: Option<String>,
}

struct Builder<'a, 'e> {
    file: &'a str,
    /// The product the console's agent versions are of (from the rules).
    product: Option<&'a str>,
    out: ConsoleFacts,
    problems: Problems,
    /// Where each computer goes, as it is read.
    emit: &'e mut dyn FnMut(HostFacts),
}

impl<'a, 'e> Builder<'a, 'e> {
    fn new(file: &'a str, products: &'a KnownProducts, emit: &'e mut dyn FnMut(HostFacts)) -> Self {
        Builder {
            emit,
            file,
            product: products.console_agent.as_deref(),
            out: ConsoleFacts::default(),
            problems: Problems::default(),
        }
    }

    fn add(&mut self, c: Computer, line: u64) {
        let file = self.file;
        let nonempty =
            |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let Some(host) = nonempty(c.host_name).or_else(|| nonempty(c.display_name)) else {
            self.problems.push(|| {
                Note::at(
                    file,
                    line,
                    "a computer without host name or display name; skipped",
                )
            });
            return;
        };
        let mut platform = nonempty(c.platform);
        if let Some(p) = &platform {
            match names_windows(p) {
                Some(true) => {}
                Some(false) => {
                    self.out.skipped_non_windows.push(host);
                    return;
                }
                // Cut or unknown text: the host may be Windows.
                None => {
                    self.problems.push(|| {
                        Note::at(
                            file,
                            line,
                            format!(
                                "{host}: platform \"{p}\" names no operating system \
                                 acsready knows; its OS is unknown"
                            ),
                        )
                    });
                    platform = None;
                }
            }
        }
        let mut facts = HostFacts {
            host,
            os: platform.as_deref().map(platform_os),
            agents: self.product.and_then(|product| {
                nonempty(c.agent_version).map(|version| {
                    vec![AgentFact {
                        product: product.to_string(),
                        version,
                    }]
                })
            }),
            ..Default::default()
        };
        facts.attribute_all(&format!("{file}:{line}"));
        (self.emit)(facts);
    }

    fn finish(mut self) -> ConsoleFacts {
        self.out.problems = self.problems.finish();
        self.out
    }
}

/// Words of platforms that are not Windows.
const NOT_WINDOWS: [&str; 17] = [
    "linux", "solaris", "aix", "hp-ux", "unix", "mac os", "macos", "red hat", "ubuntu", "centos",
    "suse", "debian", "oracle", "amazon", "rocky", "alma", "freebsd",
];

/// Whether a platform names Windows (`Some(true)`), another system
/// (`Some(false)`), or neither (`None`: cut or unknown text).
fn names_windows(platform: &str) -> Option<bool> {
    let lower = platform.to_lowercase();
    if lower.contains("windows") {
        Some(true)
    } else if NOT_WINDOWS.iter().any(|w| lower.contains(w)) {
        Some(false)
    } else {
        None
    }
}

static BUILD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bbuild\s*(\d{3,5})\b|\(\s*\d+\.\d+\.(\d{3,5})(?:\.\d+)?\s*\)")
        .expect("valid regex")
});

/// The OS facts of a Windows `platform` text (see the module documentation).
fn platform_os(platform: &str) -> OsFacts {
    let name = platform.split(" (").next().unwrap_or(platform).trim();
    let build = BUILD
        .captures(platform)
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
        .and_then(|m| m.as_str().parse::<u32>().ok());
    OsFacts {
        product_name: Some(name.to_string()).filter(|s| !s.is_empty()),
        current_build: build.map(|b| b.to_string()),
        ..Default::default()
    }
}

#[derive(Deserialize)]
struct ComputersObject<'a> {
    #[serde(borrow)]
    computers: Vec<&'a RawValue>,
}

fn value_string(object: &Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads the computers of a console export (see the module documentation).
/// The agent versions are of the product `products.console_agent` names
/// (the rules' `console_agent`); without one, agents are unknown.
pub fn read_console(
    format: ConsoleFormat,
    bytes: &[u8],
    file: &str,
    products: &KnownProducts,
) -> Result<ConsoleFacts, SourceError> {
    let mut hosts = Vec::new();
    let mut out = read_console_each(format, bytes, file, products, &mut |h| hosts.push(h))?;
    out.hosts = hosts;
    Ok(out)
}

/// The console's two exports of computers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleFormat {
    /// The API's JSON: `{"computers":[{…},…]}` or an array of computers.
    Json,
    /// The console's CSV export of computers.
    Csv,
}

/// [`read_console`] handing each computer to
/// `emit` as it is read (`hosts` stays empty): a large export is never
/// held twice.
pub fn read_console_each(
    format: ConsoleFormat,
    bytes: &[u8],
    file: &str,
    products: &KnownProducts,
    emit: &mut dyn FnMut(HostFacts),
) -> Result<ConsoleFacts, SourceError> {
    let (text, _) = text::decode(bytes);
    let input = Export {
        text: text.as_ref(),
        file,
        products,
    };
    match format {
        ConsoleFormat::Json => json_each(input, emit),
        ConsoleFormat::Csv => csv_each(input, emit),
    }
}

/// What a console reader gives.
type Read = Result<ConsoleFacts, SourceError>;

/// Where a console reader hands each computer.
type Emit<'e> = &'e mut dyn FnMut(HostFacts);

/// One export being read.
#[derive(Clone, Copy)]
struct Export<'a> {
    text: &'a str,
    file: &'a str,
    products: &'a KnownProducts,
}

fn json_each(input: Export<'_>, emit: Emit<'_>) -> Read {
    let (text, file, products) = (input.text, input.file, input.products);
    const EXPECTED: &str = "expected Deep Security computers: {\"computers\":[…]} or an array \
                            of computer objects";
    let json_error = |e: serde_json::Error| SourceError::Record {
        file: file.to_string(),
        line: e.line() as u64,
        column: e.column().max(1) as u64,
        message: format!("{EXPECTED}: {e}"),
    };
    let computers: Vec<&RawValue> = match text::json_start(text, file, EXPECTED)? {
        '[' => serde_json::from_str(text).map_err(json_error)?,
        _ => {
            serde_json::from_str::<ComputersObject>(text)
                .map_err(json_error)?
                .computers
        }
    };
    let mut b = Builder::new(file, products, emit);
    let mut line = 1u64;
    let mut counted = 0usize;
    for raw in computers {
        let at = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        line += text.as_bytes()[counted..at]
            .iter()
            .filter(|&&c| c == b'\n')
            .count() as u64;
        counted = at;
        let Ok(Value::Object(o)) = serde_json::from_str::<Value>(raw.get()) else {
            b.problems
                .push(|| Note::at(file, line, "a computer is not an object; skipped"));
            continue;
        };
        b.add(
            Computer {
                host_name: value_string(&o, "hostName"),
                display_name: value_string(&o, "displayName"),
                platform: value_string(&o, "platform"),
                agent_version: value_string(&o, "agentVersion"),
            },
            line,
        );
    }
    Ok(b.finish())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Host,
    Display,
    Platform,
    AgentVersion,
}

fn column(header: &str) -> Option<Column> {
    let key: String = header
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "name" | "hostname" | "computer" | "computername" | "名前" | "ホスト名" => {
            Column::Host
        }
        "displayname" | "表示名" => Column::Display,
        "platform" | "os" | "operatingsystem" | "プラットフォーム" => Column::Platform,
        "agentversion" | "version" | "エージェントのバージョン" | "エージェントバージョン" => {
            Column::AgentVersion
        }
        _ => return None,
    })
}

fn csv_each(input: Export<'_>, emit: Emit<'_>) -> Read {
    let (text, file, products) = (input.text, input.file, input.products);
    const EXPECTED: &str = "expected the console's CSV export of computers, with a header row \
                            naming a Name / Host Name / Display Name column and a Platform or \
                            Agent Version column";
    text::not_binary(text, file, EXPECTED)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = loop {
        match records.next() {
            None => {
                return Err(SourceError::format(
                    file,
                    format!("{EXPECTED}, found no header row"),
                ))
            }
            Some(Err(e)) => return Err(SourceError::format(file, format!("{EXPECTED}: {e}"))),
            Some(Ok(r)) if r.iter().all(|f| f.trim().is_empty()) => continue,
            Some(Ok(r)) => break r,
        }
    };
    let columns: Vec<Option<Column>> = header.iter().map(column).collect();
    let find = |c: Column| columns.iter().position(|x| *x == Some(c));
    let (host, display, platform, version) = (
        find(Column::Host),
        find(Column::Display),
        find(Column::Platform),
        find(Column::AgentVersion),
    );
    if (host.is_none() && display.is_none()) || (platform.is_none() && version.is_none()) {
        return Err(SourceError::format(
            file,
            format!(
                "{EXPECTED}, found the header {}",
                text::describe_start(text)
            ),
        ));
    }
    let mut b = Builder::new(file, products, emit);
    // Lines are counted from byte offsets: after a CRLF the csv crate puts
    // the next record (and its line number) at the LF.
    let (mut line, mut counted) = (1u64, 0usize);
    let mut line_at = |byte: u64| {
        let mut byte = (byte as usize).min(text.len());
        while text
            .as_bytes()
            .get(byte)
            .is_some_and(|&c| c == b'\r' || c == b'\n')
        {
            byte += 1;
        }
        if byte > counted {
            line += text.as_bytes()[counted..byte]
                .iter()
                .filter(|&&c| c == b'\n')
                .count() as u64;
            counted = byte;
        }
        line
    };
    // A file that does not end with a line break was cut in its last row:
    // that row's last field may be incomplete.
    let cut = !text.trim_end_matches([' ', '\t']).ends_with('\n');
    let mut records = records.peekable();
    while let Some(record) = records.next() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(p.byte()));
                b.problems
                    .push(|| Note::at(file, line, format!("not a CSV row ({e}); skipped")));
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        let unread = (cut && records.peek().is_none()).then(|| record.len().saturating_sub(1));
        if unread.is_some() {
            b.problems.push(|| {
                Note::at(
                    file,
                    line,
                    "the file ends in the middle of this row (it was cut short); \
                     its last field is not read",
                )
            });
        }
        let get = |i: Option<usize>| {
            i.filter(|i| Some(*i) != unread)
                .and_then(|i| record.get(i))
                .map(str::to_string)
        };
        b.add(
            Computer {
                host_name: get(host),
                display_name: get(display),
                platform: get(platform),
                agent_version: get(version),
            },
            line,
        );
    }
    Ok(b.finish())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod damage_tests;
