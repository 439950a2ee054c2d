//! Which host goes into which action group (from the assessment's codes,
//! parameters and agent plans), and the files of each group.

use std::collections::BTreeMap;

use acsready_assess::{Action, AgentPlan, HostAssessment, Param, Verdict};
use acsready_rules::{codes, fill, Lang, Remediation, RequirementKind, Rules};

use crate::cmd::{self, Candidate, SetValue};
use crate::folder::Folder;
use crate::readme::Group;
use crate::reg::RegFile;
use crate::table;
use crate::texts::Text;
use crate::{Kit, KitError};

/// The hosts of every group.
pub(crate) struct Plan<'a> {
    pub root: Vec<&'a HostAssessment>,
    pub auto_update: Vec<&'a HostAssessment>,
    /// By Windows release id.
    pub updates: BTreeMap<String, Vec<&'a HostAssessment>>,
    pub unsupported: Vec<&'a HostAssessment>,
    /// The root in a store that distrusts it (ACS006).
    pub distrusted: Vec<&'a HostAssessment>,
    /// Entries named by the root's SHA-1 holding another certificate
    /// (ACS009): each host with the store the finding names.
    pub damaged: Vec<(&'a HostAssessment, &'a str)>,
    pub no_program_upgrade: Vec<(&'a HostAssessment, &'a AgentPlan)>,
    /// By the product's delivery-control text.
    pub console: BTreeMap<String, Vec<(&'a HostAssessment, &'a AgentPlan)>>,
}

fn has(h: &HostAssessment, code: &str) -> bool {
    h.findings.iter().any(|f| f.code == code)
}

/// A plain parameter of the first finding `code` of a host.
pub(crate) fn param<'h>(h: &'h HostAssessment, code: &str, name: &str) -> Option<&'h str> {
    h.findings
        .iter()
        .filter(|f| f.code == code)
        .find_map(|f| match f.params.get(name) {
            Some(Param::Value(v)) => Some(v.as_str()),
            _ => None,
        })
}

/// Agents kept from program delivery: pinned, fixing the host, or held.
fn kept(plan: &AgentPlan) -> bool {
    matches!(plan.action, Action::Pin | Action::FixHost | Action::Hold)
}

pub(crate) fn plan<'a>(hosts: &'a [HostAssessment], rules: &Rules, fix: &Remediation) -> Plan<'a> {
    let mut p = Plan {
        root: vec![],
        auto_update: vec![],
        updates: BTreeMap::new(),
        unsupported: vec![],
        distrusted: vec![],
        damaged: vec![],
        no_program_upgrade: vec![],
        console: BTreeMap::new(),
    };
    for h in hosts {
        let unsupported = has(h, codes::OS_UNSUPPORTED);
        if unsupported {
            p.unsupported.push(h);
        }
        // The root and the updates only where Windows can take ACS at all.
        if !unsupported {
            if has(h, codes::ROOT_MISSING_AUTO_UPDATE_OFF) || has(h, codes::ROOT_NOT_YET_IN_STORE) {
                p.root.push(h);
            }
            if has(h, codes::ROOT_MISSING_AUTO_UPDATE_OFF) || has(h, codes::VENDOR_ROOT_MISSING) {
                p.auto_update.push(h);
            }
            if has(h, codes::ROOT_DISTRUSTED) {
                p.distrusted.push(h);
            }
            for f in h
                .findings
                .iter()
                .filter(|f| f.code == codes::CERTIFICATE_ENTRY_MISMATCH)
            {
                if let Some(Param::Value(store)) = f.params.get("store") {
                    p.damaged.push((h, store.as_str()));
                }
            }
            if has(h, codes::OS_UPDATE_MISSING) || has(h, codes::LEGACY_UPDATE_MISSING) {
                let release = h.os.release.clone().unwrap_or_default();
                p.updates.entry(release).or_default().push(h);
            }
        }
        if h.verdict == Verdict::Ready {
            continue;
        }
        for a in h.agents.iter().filter(|a| kept(a)) {
            if fix.no_program_upgrade.products.contains(&a.product) {
                p.no_program_upgrade.push((h, a));
            } else if let Some(control) = rules
                .product(&a.product)
                .and_then(|x| x.delivery_control.clone())
            {
                p.console.entry(control).or_default().push((h, a));
            }
        }
    }
    p
}

/// The root's files every folder that adds it holds: the `.cer`, the
/// store entry as a `.reg` and its undo. Answers the entry's key (relative
/// to SOFTWARE) and the certificate.
pub(crate) fn root_files(
    f: &mut Folder,
    rules: &Rules,
    fix: &Remediation,
) -> Result<(String, Vec<u8>), KitError> {
    let r = &fix.root_certificate;
    let der = crate::root_der(rules)?;
    let store = rules
        .root_certificate
        .stores
        .iter()
        .find(|s| s.id == r.store)
        .and_then(|s| s.registry_keys.first())
        .ok_or_else(|| KitError::Store(r.store.clone()))?;
    let sha1 = rules.root_certificate.sha1.to_ascii_uppercase();
    let entry = format!("{}\\Certificates\\{sha1}", store.key);
    f.add(&r.file_name, der.clone());
    f.add(
        "add-root.reg",
        RegFile::new()
            .key(&entry)
            .binary("Blob", &crate::store_blob(&der))
            .bytes(),
    );
    f.add("remove-root.reg", RegFile::new().delete_key(&entry).bytes());
    Ok((entry, der))
}

pub(crate) fn root(
    kit: &mut Kit,
    plan: &Plan,
    rules: &Rules,
    fix: &Remediation,
    lang: Lang,
) -> Result<(), KitError> {
    let Some(mut f) = Folder::open(kit, "root-missing", &plan.root) else {
        return Ok(());
    };
    let r = &fix.root_certificate;
    let (entry, _) = root_files(&mut f, rules, fix)?;
    let sha1 = rules.root_certificate.sha1.to_ascii_uppercase();
    let name = &rules.root_certificate.name;
    let comments = [
        format!(
            "Adds \"{name}\" ({sha1}) to the local machine's {} store.",
            r.certutil_store
        ),
        cmd::ONLY_THIS.into(),
        "Undo: remove-root.cmd".into(),
    ];
    f.add(
        "add-root.cmd",
        cmd::add_root(
            "add-root.cmd",
            "acsready-kit-root.log",
            &comments,
            &r.certutil_store,
            &r.file_name,
            &sha1,
        ),
    );
    let undo = [
        format!(
            "Removes {sha1} from the local machine's {} store (the undo of add-root.cmd).",
            r.certutil_store
        ),
        cmd::ONLY_THIS.into(),
    ];
    f.add(
        "remove-root.cmd",
        cmd::remove_root(
            "remove-root.cmd",
            "acsready-kit-root.log",
            &undo,
            &r.certutil_store,
            &sha1,
        ),
    );
    let vars = [
        ("root_name", name.as_str()),
        ("sha1", sha1.as_str()),
        ("sha256", rules.root_certificate.sha256.as_str()),
        ("cer", r.file_name.as_str()),
        ("store", r.certutil_store.as_str()),
        ("key", &format!("HKLM\\SOFTWARE\\{entry}")),
        ("gpo", r.gpo_path.get(lang)),
    ];
    f.finish(
        Group {
            title: Text::RootTitle,
            body: Text::RootBody,
            vars: &vars,
            extra: None,
        },
        &plan.root,
        &[],
        lang,
    )
}

pub(crate) fn root_auto_update(
    kit: &mut Kit,
    plan: &Plan,
    fix: &Remediation,
    lang: Lang,
) -> Result<(), KitError> {
    let Some(mut f) = Folder::open(kit, "root-auto-update", &plan.auto_update) else {
        return Ok(());
    };
    let a = &fix.root_auto_update;
    let full = format!("HKLM\\SOFTWARE\\{}", a.key);
    for (file, data) in [
        ("enable-root-auto-update.reg", a.enabled),
        ("undo-root-auto-update.reg", a.disabled),
    ] {
        f.add(
            file,
            RegFile::new().key(&a.key).dword(&a.value, data).bytes(),
        );
    }
    for (name, file, data, what) in [
        (
            "enable-root-auto-update.cmd",
            "enable-root-auto-update.reg",
            a.enabled,
            "Turns automatic root certificate update on again",
        ),
        (
            "undo-root-auto-update.cmd",
            "undo-root-auto-update.reg",
            a.disabled,
            "Turns automatic root certificate update off again (the undo)",
        ),
    ] {
        let comments = vec![
            format!("{what}: {full} {} = {data}.", a.value),
            format!(
                "{} A GPO that sets the value writes it again: change the GPO too.",
                cmd::ONLY_THIS
            ),
        ];
        let s = SetValue {
            name,
            log: "acsready-kit-root-auto-update.log",
            comments,
            candidates: vec![Candidate {
                key: full.clone(),
                reg_file: file,
            }],
            value: &a.value,
            data,
            create: true,
            missing: "",
        };
        f.add(name, cmd::set_value(&s));
    }
    let vars = [
        ("key", full.as_str()),
        ("value", a.value.as_str()),
        ("enabled", &a.enabled.to_string()),
        ("disabled", &a.disabled.to_string()),
        ("gpo", a.gpo_path.get(lang)),
    ];
    f.finish(
        Group {
            title: Text::AutoUpdateTitle,
            body: Text::AutoUpdateBody,
            vars: &vars,
            extra: None,
        },
        &plan.auto_update,
        &[],
        lang,
    )
}

/// The KBs of a release, in the order to prefer: the newest monthly rollup
/// the rules list, the October 2021 rollup, the security-only update; or
/// the one cumulative update.
fn release_kbs(
    rules: &Rules,
    release: &str,
    hosts: &[&HostAssessment],
) -> Vec<(String, Text, String)> {
    let req = rules
        .windows
        .iter()
        .find(|w| w.id == release)
        .and_then(|w| {
            w.requirements
                .iter()
                .find(|r| !matches!(r.kind, RequirementKind::Native))
        });
    let mut kbs = Vec::new();
    match req.map(|r| &r.kind) {
        Some(RequirementKind::Update {
            monthly_rollup,
            security_only,
            released,
            servicing,
        }) => {
            if let Some(newest) = rules
                .servicing(servicing)
                .and_then(|s| s.monthly_rollups.last())
            {
                kbs.push((
                    newest.kb.clone(),
                    Text::KindNewestRollup,
                    newest.month.clone(),
                ));
            }
            kbs.push((monthly_rollup.clone(), Text::KindRollup, released.clone()));
            kbs.push((
                security_only.clone(),
                Text::KindSecurityOnly,
                released.clone(),
            ));
        }
        Some(RequirementKind::MinUbr { kb, released, .. }) => {
            kbs.push((kb.clone(), Text::KindCumulative, released.clone()));
        }
        _ => {
            // The assessment's own parameters, when the rules row is gone.
            for h in hosts {
                if let Some(kb) = param(h, codes::OS_UPDATE_MISSING, "kb") {
                    kbs.push((kb.to_string(), Text::KindCumulative, String::new()));
                    break;
                }
            }
        }
    }
    kbs
}

pub(crate) fn updates(
    kit: &mut Kit,
    plan: &Plan,
    rules: &Rules,
    fix: &Remediation,
    lang: Lang,
) -> Result<(), KitError> {
    if plan.updates.is_empty() {
        return Ok(());
    }
    let mut all = table::Csv::new(&[
        "release",
        "release_name",
        "kb",
        "kind",
        "released",
        "catalog_url",
        "hosts",
        "folder",
    ]);
    for (release, hosts) in &plan.updates {
        let id = if release.is_empty() {
            "unknown-release"
        } else {
            release.as_str()
        };
        let dir = format!("kb-{id}");
        let Some(mut f) = Folder::open(kit, dir.clone(), hosts) else {
            continue;
        };
        let kbs = release_kbs(rules, release, hosts);
        let os_name = hosts.first().map(|h| h.os.name.clone()).unwrap_or_default();
        let mut approve = table::Csv::new(&[
            "release",
            "release_name",
            "kb",
            "kind",
            "released",
            "catalog_url",
            "hosts",
        ]);
        let mut lines = Vec::new();
        for (kb, kind, released) in &kbs {
            let url = fill(&fix.updates.catalog_url, &[("kb", kb)]);
            let row = [
                id,
                &os_name,
                kb,
                kind.get(lang),
                released,
                &url,
                &hosts.len().to_string(),
            ];
            approve.row(&row);
            let mut with_dir = row.to_vec();
            with_dir.push(&dir);
            all.row(&with_dir);
            lines.push(format!("- {kb} ({}, {released}): {url}", kind.get(lang)));
            lines.push(format!("  - `wusa.exe {kb}.msu /quiet /norestart`"));
            lines.push(format!(
                "  - `dism /online /add-package /packagepath:{kb}.cab /quiet /norestart`"
            ));
        }
        f.add("approve.csv", approve.bytes()?);
        let kb_names: Vec<String> = kbs.iter().map(|k| k.0.clone()).collect();
        let comments = vec![
            format!("Installs one of {} ({os_name}) with wusa, unless one is installed.", kb_names.join(", ")),
            "Changes nothing else; a restart may be needed after it. Run as Administrator.".into(),
            "Undo: wusa /uninstall /kb:NUMBER /quiet /norestart (or Programs and Features > Installed updates)".into(),
        ];
        f.add(
            "install-update.cmd",
            cmd::install_update(
                "install-update.cmd",
                "acsready-kit-update.log",
                &comments,
                &kb_names,
            ),
        );
        let wusa = fix.updates.wusa_from_build.to_string();
        let list = lines.join("\n");
        let vars = [
            ("os", os_name.as_str()),
            ("kbs", list.as_str()),
            ("wusa_from_build", wusa.as_str()),
        ];
        let extra = [("kbs", kb_names.join(" "))];
        f.finish(
            Group {
                title: Text::UpdatesTitle,
                body: Text::UpdatesBody,
                vars: &vars,
                extra: None,
            },
            hosts,
            &extra,
            lang,
        )?;
    }
    kit.add("updates-to-approve.csv", all.bytes()?);
    Ok(())
}

pub(crate) fn unsupported(kit: &mut Kit, plan: &Plan, lang: Lang) -> Result<(), KitError> {
    let Some(f) = Folder::open(kit, "unsupported", &plan.unsupported) else {
        return Ok(());
    };
    f.finish(
        Group {
            title: Text::UnsupportedTitle,
            body: Text::UnsupportedBody,
            vars: &[],
            extra: None,
        },
        &plan.unsupported,
        &[],
        lang,
    )
}
