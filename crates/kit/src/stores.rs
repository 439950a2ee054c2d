//! The groups that repair the root's store entries: the root taken out of
//! the store that distrusts it (ACS006), and an entry named by the root's
//! thumbprint that holds another certificate deleted, the genuine root
//! added again (ACS009).

use std::collections::BTreeMap;

use acsready_rules::{Lang, Remediation, Rules};

use crate::cmd::{self, Candidate, Genuine, Outcome};
use crate::folder::{hosts_of, Folder};
use crate::groups::{root_files, Plan};
use crate::readme::Group;
use crate::reg::RegFile;
use crate::table;
use crate::texts::Text;
use crate::{Kit, KitError};

/// `Microsoft\SystemCertificates\ROOT` → `microsoft-systemcertificates-root`.
fn file_part(key: &str) -> String {
    key.split('\\')
        .map(|p| p.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}

pub(crate) fn distrusted(
    kit: &mut Kit,
    plan: &Plan,
    rules: &Rules,
    fix: &Remediation,
    lang: Lang,
) -> Result<(), KitError> {
    let Some(mut f) = Folder::open(kit, "root-distrusted", &plan.distrusted) else {
        return Ok(());
    };
    let d = &fix.root_distrusted;
    let store = rules
        .root_certificate
        .stores
        .iter()
        .find(|s| s.id == d.store)
        .filter(|s| !s.registry_keys.is_empty())
        .ok_or_else(|| KitError::Store(d.store.clone()))?;
    let sha1 = rules.root_certificate.sha1.to_ascii_uppercase();
    let entries: Vec<String> = (store.registry_keys.iter())
        .map(|k| format!("{}\\Certificates\\{sha1}", k.key))
        .collect();
    // One file deletes the entry under every key of the store.
    let remove = entries
        .iter()
        .fold(RegFile::new(), |r, e| r.delete_key(e))
        .bytes();
    f.add("remove-distrust.reg", remove);
    // The undo puts it back in the local machine's store (the first key).
    let der = crate::root_der(rules)?;
    let local = &entries[0];
    f.add(
        "restore-distrust.reg",
        RegFile::new()
            .key(local)
            .binary("Blob", &crate::store_blob(&der))
            .bytes(),
    );
    let full: Vec<String> = entries
        .iter()
        .map(|e| format!("HKLM\\SOFTWARE\\{e}"))
        .collect();
    let candidates: Vec<Candidate> = full
        .iter()
        .map(|key| Candidate {
            key: key.clone(),
            reg_file: "remove-distrust.reg",
        })
        .collect();
    let log = "acsready-kit-root-distrusted.log";
    let store_name = &d.certutil_store;
    f.add(
        "remove-distrust.cmd",
        cmd::remove_entries(
            "remove-distrust.cmd",
            log,
            &[
                format!(
                    "Deletes the entry {sha1} (the ACS root) from the {} store: {}.",
                    d.certutil_store,
                    full.join(", ")
                ),
                format!("{} Undo: restore-distrust.cmd", cmd::ONLY_THIS),
            ],
            &candidates,
            Outcome {
                changed: &format!("deleted the entry {sha1} from the {store_name} store"),
                nothing: &format!("the {store_name} store holds no entry {sha1}"),
            },
        ),
    );
    f.add(
        "restore-distrust.cmd",
        cmd::restore_entry(
            "restore-distrust.cmd",
            log,
            &[
                format!(
                    "Puts the ACS root back in the local machine's {} store: {} (the undo of remove-distrust.cmd).",
                    d.certutil_store, full[0]
                ),
                cmd::ONLY_THIS.into(),
            ],
            &Candidate {
                key: full[0].clone(),
                reg_file: "restore-distrust.reg",
            },
            Outcome {
                changed: &format!("the entry {sha1} is back in the {store_name} store"),
                nothing: &format!("the {store_name} store holds the entry {sha1} already"),
            },
        ),
    );
    let keys: String = full.iter().map(|k| format!("\n  - `{k}`")).collect();
    let vars = [
        ("root_name", rules.root_certificate.name.as_str()),
        ("sha1", sha1.as_str()),
        ("store", d.certutil_store.as_str()),
        ("keys", keys.as_str()),
    ];
    f.finish(
        Group {
            title: Text::DistrustedTitle,
            body: Text::DistrustedBody,
            vars: &vars,
            extra: None,
        },
        &plan.distrusted,
        &[],
        lang,
    )
}

/// The registry key (relative to SOFTWARE) of the entry `sha1` in the store
/// a finding names: the store's key read under that name, else every key
/// of the store; a store the rules do not know, by its name under
/// `Microsoft\SystemCertificates` (FACTS.md §4), when it is a plain name.
fn entry_keys(rules: &Rules, store: &str, sha1: &str) -> Vec<String> {
    let keys: Vec<&str> = match rules.store(store) {
        Some(s) => {
            let named: Vec<&str> = (s.registry_keys.iter())
                .filter(|k| k.name.eq_ignore_ascii_case(store))
                .map(|k| k.key.as_str())
                .collect();
            if named.is_empty() {
                s.registry_keys.iter().map(|k| k.key.as_str()).collect()
            } else {
                named
            }
        }
        None if !store.is_empty() && store.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            return vec![format!(
                "Microsoft\\SystemCertificates\\{store}\\Certificates\\{sha1}"
            )];
        }
        None => Vec::new(),
    };
    keys.iter()
        .map(|k| format!("{k}\\Certificates\\{sha1}"))
        .collect()
}

pub(crate) fn damaged(
    kit: &mut Kit,
    plan: &Plan,
    rules: &Rules,
    fix: &Remediation,
    lang: Lang,
) -> Result<(), KitError> {
    let hosts = hosts_of(&plan.damaged, |(h, _)| *h);
    let Some(mut f) = Folder::open(kit, "root-entry-damaged", &hosts) else {
        return Ok(());
    };
    let sha1 = rules.root_certificate.sha1.to_ascii_uppercase();
    let (root_entry, der) = root_files(&mut f, rules, fix)?;
    // Each damaged entry: its key, the .reg that deletes it, its hosts.
    let mut entries: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut table = table::Csv::new(&["host", "store", "registry_key"]);
    for (h, store) in &plan.damaged {
        let keys = entry_keys(rules, store, &sha1);
        for k in &keys {
            entries.entry(k.clone()).or_default().push(&h.host);
        }
        table.row(&[&h.host, store, &keys.join("; ")]);
    }
    f.add("entries.csv", table.bytes()?);
    let files: Vec<(String, String)> = entries
        .keys()
        .map(|k| {
            let store = k
                .strip_suffix(&format!("\\Certificates\\{sha1}"))
                .unwrap_or(k);
            (
                format!("HKLM\\SOFTWARE\\{k}"),
                format!("delete-entry-{}.reg", file_part(store)),
            )
        })
        .collect();
    for ((_, file), key) in files.iter().zip(entries.keys()) {
        f.add(file, RegFile::new().delete_key(key).bytes());
    }
    let candidates: Vec<Candidate> = files
        .iter()
        .map(|(key, file)| Candidate {
            key: key.clone(),
            reg_file: file,
        })
        .collect();
    let root = Candidate {
        key: format!("HKLM\\SOFTWARE\\{root_entry}"),
        reg_file: "add-root.reg",
    };
    let genuine = Genuine::of(&der, fix.damaged_entry.der_match_bytes);
    let damaged_keys: Vec<&str> = files.iter().map(|(k, _)| k.as_str()).collect();
    f.add(
        "repair-entry.cmd",
        cmd::repair_entries(
            "repair-entry.cmd",
            "acsready-kit-root-entry.log",
            &[
                format!(
                    "Deletes the entry {sha1} where it holds another certificate than the ACS root ({}), then adds the genuine root to {} unless it is there.",
                    damaged_keys.join(", "),
                    root.key
                ),
                format!(
                    "{} Undo: remove-root.reg (the damaged entries are not put back).",
                    cmd::ONLY_THIS
                ),
            ],
            &candidates,
            &root,
            &genuine,
        ),
    );
    let deletes: String = files
        .iter()
        .map(|(key, file)| format!("\n  - `{file}`: `{key}`"))
        .collect();
    let r = &fix.root_certificate;
    let vars = [
        ("root_name", rules.root_certificate.name.as_str()),
        ("sha1", sha1.as_str()),
        ("cer", r.file_name.as_str()),
        ("store", r.certutil_store.as_str()),
        ("deletes", deletes.as_str()),
        ("root_key", root.key.as_str()),
        ("bytes", &fix.damaged_entry.der_match_bytes.to_string()),
    ];
    f.finish(
        Group {
            title: Text::DamagedTitle,
            body: Text::DamagedBody,
            vars: &vars,
            extra: None,
        },
        &hosts,
        &[],
        lang,
    )
}
