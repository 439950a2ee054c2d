//! Host facts from osquery results of acsready's query pack
//! (`osquery/acsready.conf` in the repository).
//!
//! Three shapes are accepted, told apart by content (after a byte order
//! mark, UTF-8 or UTF-16, and whitespace):
//!
//! * **`osqueryi --json`**: a JSON array of row objects (`[` first); several
//!   arrays may follow each other (one per query, appended to one file).
//!   There is no host in it: the rows go to one host with an empty name,
//!   which the caller names with [`OsqueryFacts::name_unnamed_host`]. The
//!   query of a row is told from its columns.
//! * **Event lines** (NDJSON, what `osqueryd`'s filesystem logger writes for
//!   differential results): `{"name":…,"hostIdentifier":…,"columns":{…},
//!   "action":"added"|"removed",…}`; also the batch form with
//!   `"diffResults":{"added":[…],"removed":[…]}`.
//! * **Snapshot lines**: `{"name":…,"hostIdentifier":…,"snapshot":[{…},…],
//!   "action":"snapshot"}`. A snapshot replaces what earlier lines said
//!   about that query's list.
//!
//! A line's query is its `name`, either the query name itself
//! (`acsready_os_version`) or the name osquery gives it in a pack
//! (`pack_acsready_acsready_os_version`, any pack name and delimiter).
//! Lines of other queries, lines that are not JSON and rows with bad values
//! are skipped and listed in [`OsqueryFacts::problems`] with their line;
//! they never stop the reading.
//!
//! Values are strings (osquery writes every column as a string); numbers
//! are accepted too. Later lines describe a later state, so a later value
//! of a single fact replaces an earlier one. A host without rows of a query
//! leaves the facts of that query unknown (`None`), never empty; so does a
//! row of a list query (patches, certificates, programs) that cannot be
//! read, or a line that is not JSON and may have held one (its query and
//! host are told from its text when they can be): the list is then not
//! known whole, and a problem says so with the line. A later snapshot of
//! that query starts the list over.
//!
//! What each query gives:
//!
//! | query | facts |
//! |---|---|
//! | `acsready_os_version` | `os.product_name` (`name`), `os.current_build` and, from osquery 5.9 on (`build` = "17763.2210"), `os.ubr` |
//! | `acsready_current_version` | `os.*` from `CurrentBuild` / `CurrentBuildNumber`, `UBR`, `ProductName`, `EditionID`, `InstallationType`, `DisplayVersion`, `CSDVersion` |
//! | `acsready_certificates` | `certificates` (`sha1`, `store`; see [`store_name`]) |
//! | `acsready_root_policy` | `root_auto_update_disabled` (`DisableRootAutoUpdate` = 1; empty = not set = false) |
//! | `acsready_patches` | `updates` (`hotfix_id`) |
//! | `acsready_programs` | `agents`, by DisplayName prefix → product id |
//! | `acsready_apex_delivery` | `delivery.no_program_upgrade` (a `Misc.` key exists: `NoProgramUpgrade` = 1) |
//!
//! When `os_version` and the registry both give a value and disagree, the
//! registry value is kept and the disagreement is in
//! [`HostFacts::conflicts`]; `os_version`'s product name ("Microsoft Windows
//! Server 2019 Datacenter") is used only when the registry gives none.
//! Every fact is attributed in [`HostFacts::sources`] to `file:line`, or to
//! `file:first-last` for a list gathered over several lines.

use std::collections::HashMap;

use acsready_facts::{
    normalize_kb, normalize_thumbprint, parse_build, AgentFact, CertificateFact, HostFacts, OsFacts,
};
use serde_json::{Map, Value};

use crate::note::Problems;
use crate::{text, Note, SourceError};

/// The queries of `osquery/acsready.conf`, by name.
pub const OSQUERY_QUERIES: [&str; 7] = [
    "acsready_os_version",
    "acsready_current_version",
    "acsready_certificates",
    "acsready_root_policy",
    "acsready_patches",
    "acsready_programs",
    "acsready_apex_delivery",
];

/// What one osquery results file says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OsqueryFacts {
    /// One per `hostIdentifier` (compared case-insensitively), in the order
    /// of their first line; rows of the `osqueryi --json` shape go to a
    /// host with an empty name.
    pub hosts: Vec<HostFacts>,
    /// Skipped lines and rows, each with `file:line`. Capped at
    /// [`MAX_PROBLEMS`](crate::MAX_PROBLEMS) entries, the last of which then says how many more
    /// there were.
    pub problems: Vec<Note>,
}

impl OsqueryFacts {
    /// Gives `host` to the facts of the `osqueryi --json` shape, which have
    /// no host name.
    pub fn name_unnamed_host(&mut self, host: &str) {
        for h in self.hosts.iter_mut().filter(|h| h.host.is_empty()) {
            h.host = host.to_string();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Query {
    OsVersion,
    CurrentVersion,
    Certificates,
    RootPolicy,
    Patches,
    Programs,
    ApexDelivery,
}

const QUERIES: [Query; 7] = [
    Query::OsVersion,
    Query::CurrentVersion,
    Query::Certificates,
    Query::RootPolicy,
    Query::Patches,
    Query::Programs,
    Query::ApexDelivery,
];

/// The query of a result line's `name`: the query name, or a pack's name
/// for it (`pack<delim><pack><delim><query>`).
fn query_by_name(name: &str) -> Option<Query> {
    OSQUERY_QUERIES
        .iter()
        .zip(QUERIES)
        .find(|(q, _)| {
            name == **q
                || name
                    .strip_suffix(**q)
                    .is_some_and(|rest| rest.ends_with(|c: char| !c.is_alphanumeric()))
        })
        .map(|(_, q)| q)
}

/// The query of an `osqueryi --json` row, from its columns.
fn query_by_columns(row: &Map<String, Value>) -> Option<Query> {
    let has = |c: &str| row.contains_key(c);
    Some(if has("hotfix_id") {
        Query::Patches
    } else if has("sha1") && has("store") {
        Query::Certificates
    } else if has("name") && has("version") && (has("major") || has("build")) {
        Query::OsVersion
    } else if has("name") && has("version") {
        Query::Programs
    } else if has("name") && has("data") {
        let name = string(row, "name").unwrap_or_default();
        let key = string(row, "key")
            .or_else(|| string(row, "path"))
            .unwrap_or_default();
        if key.to_ascii_lowercase().contains("pc-cillinntcorp") {
            Query::ApexDelivery
        } else if name.eq_ignore_ascii_case("DisableRootAutoUpdate") {
            Query::RootPolicy
        } else {
            Query::CurrentVersion
        }
    } else {
        return None;
    })
}

/// A column as a string: osquery writes strings, numbers are accepted.
fn string(row: &Map<String, Value>, column: &str) -> Option<String> {
    match row.get(column)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(u8::from(*b).to_string()),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Added,
    Removed,
    Snapshot,
}

/// A list fact and the lines it came from.
#[derive(Debug)]
struct List<T> {
    items: Vec<T>,
    first: u64,
    last: u64,
    /// Started by a snapshot: what came before `first` no longer counts.
    snapshot: bool,
}

impl<T: PartialEq> List<T> {
    fn start(slot: &mut Option<List<T>>, line: u64, action: Action) -> &mut List<T> {
        if action == Action::Snapshot && slot.as_ref().is_some_and(|l| l.last != line) {
            *slot = None;
        }
        let list = slot.get_or_insert(List {
            items: Vec::new(),
            first: line,
            last: line,
            snapshot: action == Action::Snapshot,
        });
        list.last = line;
        list
    }

    fn apply(&mut self, item: T, action: Action) {
        if action == Action::Removed {
            self.items.retain(|i| *i != item);
        } else if !self.items.contains(&item) {
            self.items.push(item);
        }
    }
}

/// `os_version`'s product name, build and UBR, and its line.
type OsVersionRow = (Option<String>, Option<String>, Option<u32>, u64);
/// A registry value and its line, and where it goes in [`OsFacts`].
type OsField<'a> = (Option<&'a (String, u64)>, fn(&mut OsFacts, String));

/// What one host's lines said so far.
#[derive(Debug, Default)]
struct Acc {
    host: String,
    /// `os_version`: (product name, build, UBR), line.
    os_version: Option<OsVersionRow>,
    /// Registry `CurrentVersion` values: lower-case name → (data, line).
    current_version: HashMap<String, (String, u64)>,
    root_policy: Option<(bool, u64)>,
    /// A `Misc.` key was seen (line), and `NoProgramUpgrade` = 1 there.
    delivery: Option<(bool, u64)>,
    updates: Option<List<String>>,
    certificates: Option<List<CertificateFact>>,
    agents: Option<List<AgentFact>>,
    /// Rows of list queries that could not be read: query, line, why.
    unread: Vec<(Query, u64, String)>,
}

struct Reader<'a> {
    file: &'a str,
    products: &'a [(String, String)],
    hosts: Vec<Acc>,
    index: HashMap<String, usize>,
    problems: Problems,
    unknown_names: Vec<String>,
    /// Lines or rows that could not be read at all: their query and host
    /// (lower-case) when they can be told, line, why.
    lost: Vec<Lost>,
}

/// A line or row that could not be read: its query and host (lower-case)
/// when they can be told, its line, and why.
type Lost = (Option<Query>, Option<String>, u64, String);

/// Reads osquery results of acsready's query pack (see the module
/// documentation). `products` maps program DisplayName prefixes
/// (case-insensitive) to product ids, as
/// [`KnownProducts::display_names`](crate::registry_facts::KnownProducts::display_names).
///
/// Fails only when the input as a whole is not osquery results (binary,
/// empty, neither an array nor JSON lines); bad lines are problems.
pub fn read_osquery(
    bytes: &[u8],
    file: &str,
    products: &[(String, String)],
) -> Result<OsqueryFacts, SourceError> {
    let (text, _) = text::decode(bytes);
    let text = text.as_ref();
    text::not_binary(text, file, EXPECTED)?;
    let mut reader = Reader {
        file,
        products,
        hosts: Vec::new(),
        index: HashMap::new(),
        problems: Problems::default(),
        unknown_names: Vec::new(),
        lost: Vec::new(),
    };
    match text::json_start(text, file, EXPECTED)? {
        '[' => reader.arrays(text)?,
        _ => reader.lines(text),
    }
    Ok(reader.finish())
}

const EXPECTED: &str = "expected osquery results: the JSON array of `osqueryi --json`, or \
                        result lines (NDJSON with \"name\", \"hostIdentifier\" and \"columns\" \
                        or \"snapshot\")";

impl Reader<'_> {
    fn acc(&mut self, host: &str) -> usize {
        let key = host.to_lowercase();
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.hosts.push(Acc {
            host: host.to_string(),
            ..Default::default()
        });
        self.index.insert(key, self.hosts.len() - 1);
        self.hosts.len() - 1
    }

    /// A snapshot without rows: the query ran and found nothing.
    fn empty_snapshot(&mut self, acc: usize, query: Query, line: u64) {
        let acc = &mut self.hosts[acc];
        match query {
            Query::Patches => {
                List::start(&mut acc.updates, line, Action::Snapshot);
            }
            Query::Certificates => {
                List::start(&mut acc.certificates, line, Action::Snapshot);
            }
            Query::Programs => {
                List::start(&mut acc.agents, line, Action::Snapshot);
            }
            Query::ApexDelivery => acc.delivery = None,
            _ => {}
        }
    }

    fn row(
        &mut self,
        acc: usize,
        query: Query,
        row: &Map<String, Value>,
        line: u64,
        action: Action,
    ) {
        let file = self.file;
        let products = self.products;
        let problems = &mut self.problems;
        let acc = &mut self.hosts[acc];
        let missing = |problems: &mut Problems, column: &str| {
            problems.push(|| Note::at(file, line, format!("a row without \"{column}\"; skipped")))
        };
        match query {
            Query::OsVersion => {
                if action == Action::Removed {
                    return;
                }
                let name = string(row, "name").filter(|s| !s.is_empty());
                let (build, ubr) = match string(row, "build").filter(|s| !s.is_empty()) {
                    Some(raw) => {
                        match parse_build(&raw) {
                            Ok((b, u)) => (Some(b.to_string()), u),
                            Err(_) => {
                                problems.push(|| {
                                Note::at(file, line, format!("os_version build \"{raw}\" is not a build number; ignored"))
                            });
                                (None, None)
                            }
                        }
                    }
                    None => (None, None),
                };
                acc.os_version = Some((name, build, ubr, line));
            }
            Query::CurrentVersion => {
                if action == Action::Removed {
                    return;
                }
                let (Some(name), Some(data)) = (string(row, "name"), string(row, "data")) else {
                    return missing(problems, "name\" or \"data");
                };
                let name = name.to_ascii_lowercase();
                if CURRENT_VERSION_NAMES.contains(&name.as_str()) && !data.is_empty() {
                    acc.current_version.insert(name, (data, line));
                }
            }
            Query::RootPolicy => {
                if action == Action::Removed {
                    return;
                }
                let Some(data) = string(row, "data") else {
                    return missing(problems, "data");
                };
                match data.as_str() {
                    "" | "0" => acc.root_policy = Some((false, line)),
                    "1" => acc.root_policy = Some((true, line)),
                    other => problems.push(|| {
                        Note::at(
                            file,
                            line,
                            format!("DisableRootAutoUpdate is \"{other}\", not 0 or 1; ignored"),
                        )
                    }),
                }
            }
            Query::ApexDelivery => {
                if action == Action::Removed {
                    return;
                }
                let is_npu =
                    string(row, "name").is_some_and(|n| n.eq_ignore_ascii_case("NoProgramUpgrade"));
                let set = is_npu && string(row, "data").as_deref() == Some("1");
                match &mut acc.delivery {
                    // A snapshot lists every value again: it starts over.
                    Some((was, at)) if *at == line || action != Action::Snapshot => {
                        if *at == line {
                            *was |= set;
                        } else if is_npu {
                            *was = set;
                        }
                        *at = line;
                    }
                    slot => *slot = Some((set, line)),
                }
            }
            Query::Patches => {
                let list = List::start(&mut acc.updates, line, action);
                let Some(raw) = string(row, "hotfix_id") else {
                    acc.unread
                        .push((query, line, "a row without \"hotfix_id\"".into()));
                    return missing(problems, "hotfix_id");
                };
                match normalize_kb(&raw) {
                    Ok(kb) => list.apply(kb, action),
                    Err(_) => problems.push(|| {
                        Note::at(
                            file,
                            line,
                            format!("hotfix_id \"{raw}\" is not a KB number; skipped"),
                        )
                    }),
                }
            }
            Query::Certificates => {
                let list = List::start(&mut acc.certificates, line, action);
                let (Some(sha1), Some(store)) = (string(row, "sha1"), string(row, "store")) else {
                    acc.unread
                        .push((query, line, "a row without \"sha1\" or \"store\"".into()));
                    return missing(problems, "sha1\" or \"store");
                };
                let Some(sha1) = normalize_thumbprint(&sha1) else {
                    acc.unread.push((query, line, format!("sha1 \"{sha1}\"")));
                    return problems.push(|| {
                        Note::at(
                            file,
                            line,
                            format!("sha1 \"{sha1}\" is not a SHA-1 thumbprint; skipped"),
                        )
                    });
                };
                let location = string(row, "store_location").unwrap_or_default();
                let Some(store) = store_name(&location, &store) else {
                    return; // a user's or a service's store: not the machine's trust
                };
                let cert = CertificateFact {
                    sha1,
                    store,
                    subject: string(row, "subject").filter(|s| !s.is_empty()),
                    ..Default::default()
                };
                list.apply(cert, action);
            }
            Query::Programs => {
                let list = List::start(&mut acc.agents, line, action);
                let (Some(name), Some(version)) = (string(row, "name"), string(row, "version"))
                else {
                    acc.unread
                        .push((query, line, "a row without \"name\" or \"version\"".into()));
                    return missing(problems, "name\" or \"version");
                };
                if let Some(product) = product_of(&name, products) {
                    // The product is there even when its version is not.
                    let version = if version.is_empty() {
                        "unknown".to_string()
                    } else {
                        version
                    };
                    list.apply(
                        AgentFact {
                            product: product.to_string(),
                            version,
                        },
                        action,
                    );
                }
            }
        }
    }
}

mod finish;
mod shapes;
mod stores;

pub(crate) use stores::product_of;
pub use stores::store_name;
use stores::CURRENT_VERSION_NAMES;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod damage_tests;
