//! `acsready inspect`: what each installer or module is signed with, whether
//! it is intact, and what it demands of the host it is deployed to.

use std::io::Write;
use std::path::{Path, PathBuf};

use acsready_assess::{module_demand, Demand};
use acsready_facts::ModuleFacts;
use acsready_report::{InputProblem, Label, Style};
use acsready_rules::Rules;
use acsready_signature::{inspect_path, AcsIdentity, FileReport, Format, Integrity, SignatureInfo};
use anyhow::Result;
use comfy_table::{presets, ContentArrangement, Table};
use rayon::prelude::*;
use serde::Serialize;

use crate::cli::{InspectArgs, RulesFormat};

/// Extensions looked for inside folders.
const EXTENSIONS: [&str; 8] = ["exe", "dll", "sys", "msi", "zip", "ocx", "cpl", "drv"];

/// One file in the JSON contract of `inspect`.
#[derive(Serialize)]
struct InspectedFile {
    path: String,
    format: Format,
    /// `null` when the file could not be read and no signature was found in
    /// what was read: unknown, not "unsigned".
    signed: Option<bool>,
    force_integrity: Option<bool>,
    /// `null` when the file could not be read: no verdict on what cannot
    /// be read.
    requires_acs_ready_host: Option<bool>,
    reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    msi: Option<acsready_signature::MsiInfo>,
    signatures: Vec<Signature>,
    error: Option<String>,
}

#[derive(Serialize)]
struct Signature {
    digest_algorithm: String,
    signer: Option<String>,
    issuer: Option<String>,
    /// A self-signed root embedded in the file, else null.
    root: Option<String>,
    root_sha1: Option<String>,
    /// The embedded chain ends in a self-signed root.
    chain_complete: bool,
    /// Issuer of the last embedded certificate (the root's name when the
    /// chain is complete; the certificate Windows must find otherwise).
    top_issuer: Option<String>,
    acs: bool,
    /// "intact", "tampered" or "unverifiable".
    integrity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    integrity_reason: Option<String>,
    signing_time: Option<String>,
    nested: bool,
    chain: Vec<acsready_signature::CertSummary>,
}

fn signature(s: &SignatureInfo) -> Signature {
    let (integrity, reason) = match &s.integrity {
        Integrity::Intact => ("intact", None),
        Integrity::Tampered { reason } => ("tampered", Some(reason.clone())),
        Integrity::Unverifiable { reason } => ("unverifiable", Some(reason.clone())),
    };
    Signature {
        digest_algorithm: s.digest_algorithm.clone(),
        signer: s.signer.clone(),
        issuer: s.issuer.clone(),
        root: s.root.clone(),
        root_sha1: s.root_sha1.clone(),
        chain_complete: s.chain_complete,
        top_issuer: s.top_issuer.clone(),
        acs: s.acs,
        integrity,
        integrity_reason: reason,
        signing_time: s.signing_time.clone(),
        nested: s.nested,
        chain: s.chain.clone(),
    }
}

/// A report and its ZIP entries, one after the other.
fn flatten(r: FileReport, out: &mut Vec<FileReport>) {
    let mut r = r;
    let entries = std::mem::take(&mut r.entries);
    out.push(r);
    for e in entries {
        flatten(e, out);
    }
}

fn files_of(paths: &[PathBuf], errors: &mut Vec<InputProblem>) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<InputProblem>) {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                errors.push(InputProblem::new(
                    dir.display().to_string(),
                    format!("cannot read the folder: {e}"),
                ));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out, errors);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, errors);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn acs_identity(rules: &Rules) -> AcsIdentity {
    AcsIdentity {
        root_subject: rules.acs_signature.root_subject.clone(),
        root_sha1: rules.acs_signature.root_sha1.clone(),
        eku: rules.acs_signature.eku.clone(),
    }
}

/// Inspects files and folders; ZIP members follow their package.
fn reports_of(paths: &[PathBuf], rules: &Rules, errors: &mut Vec<InputProblem>) -> Vec<FileReport> {
    let acs = acs_identity(rules);
    let files = files_of(paths, errors);
    let reports: Vec<FileReport> = files.par_iter().map(|p| inspect_path(p, &acs)).collect();
    let mut flat = Vec::new();
    for r in reports {
        flatten(r, &mut flat);
    }
    flat
}

/// What the signature says about a file, as the assessment reads it.
fn module_facts(r: &FileReport) -> ModuleFacts {
    ModuleFacts {
        path: r.path.clone(),
        acs_signed: r.signatures.iter().any(|s| s.acs),
        force_integrity: r.force_integrity == Some(true),
        installer: r.format == Format::Msi,
        product_name: r.msi.as_ref().and_then(|m| m.product_name.clone()),
        product_version: r.msi.as_ref().and_then(|m| m.product_version.clone()),
    }
}

/// The files given with `assess --module`, with what each demands; files that
/// cannot be read (or hold nothing to deploy, like a ZIP package itself) are
/// returned as errors.
pub fn modules_of(
    paths: &[PathBuf],
    rules: &Rules,
    lang: acsready_rules::Lang,
) -> (Vec<(ModuleFacts, Demand)>, Vec<InputProblem>) {
    let mut errors = Vec::new();
    let mut modules = Vec::new();
    for r in reports_of(paths, rules, &mut errors) {
        if let Some(e) = &r.error {
            // The error names the file first, as the report's path.
            let why = e.strip_prefix(&format!("{}: ", r.path)).unwrap_or(e);
            errors.push(InputProblem::new(r.path.clone(), why));
        } else if r.format != Format::Zip {
            let m = module_facts(&r);
            let d = module_demand(&m, rules, lang);
            modules.push((m, d));
        }
    }
    (modules, errors)
}

pub fn inspect(args: &InspectArgs, rules: &Rules, style: Style) -> Result<u8> {
    let mut folder_errors = Vec::new();
    let flat = reports_of(&args.paths, rules, &mut folder_errors);
    let files: Vec<InspectedFile> = flat
        .into_iter()
        .map(|r| {
            let module = module_facts(&r);
            let demand = module_demand(&module, rules, style.lang);
            // A file that could not be read gets no verdict: what it
            // demands of a host is unknown.
            let (signed, requires, reason) = match &r.error {
                Some(e) => (
                    r.signed.then_some(true),
                    None,
                    format!("not inspected, the file could not be read: {e}"),
                ),
                None => (
                    Some(r.signed),
                    Some(demand.requires_acs_ready_host),
                    demand.reason,
                ),
            };
            InspectedFile {
                signatures: r.signatures.iter().map(signature).collect(),
                path: r.path,
                format: r.format,
                signed,
                force_integrity: r.force_integrity,
                requires_acs_ready_host: requires,
                reason,
                product: demand.product,
                msi: r.msi,
                error: r.error,
            }
        })
        .collect();

    let mut out = crate::output::Output::open(&args.output)?;
    match args.format {
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "files": files }))?;
            writeln!(out)?;
        }
        RulesFormat::Table => {
            let l = |label: Label| label.text(style.lang);
            let mut table = Table::new();
            table
                .load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header([
                    l(Label::InspectFile),
                    l(Label::InspectFormat),
                    l(Label::InspectSigner),
                    l(Label::InspectAcs),
                    l(Label::InspectIntegrity),
                    "/INTEGRITYCHECK",
                    l(Label::InspectNeedsReady),
                ]);
            if !out.colour() {
                table.force_no_tty();
            }
            for f in &files {
                let first = f.signatures.first();
                let yes_no = |b: bool| l(if b { Label::Yes } else { Label::No });
                table.add_row(vec![
                    f.path.clone(),
                    match f.format {
                        Format::Unknown => l(Label::InspectUnknownFormat).into(),
                        known => format!("{known:?}").to_lowercase(),
                    },
                    match (&f.error, first) {
                        (Some(e), _) => format!("{}: {e}", l(Label::PfError)),
                        (None, Some(s)) => s.signer.clone().unwrap_or_default(),
                        (None, None) => l(Label::InspectNotSigned).into(),
                    },
                    yes_no(f.signatures.iter().any(|s| s.acs)).into(),
                    f.signatures
                        .iter()
                        .map(|s| s.integrity)
                        .collect::<Vec<_>>()
                        .join(", "),
                    f.force_integrity.map(yes_no).unwrap_or("").into(),
                    match f.requires_acs_ready_host {
                        Some(b) => format!("{} — {}", yes_no(b), f.reason),
                        None => l(Label::InspectNotRead).into(),
                    },
                ]);
            }
            writeln!(out, "{table}")?;
        }
    }
    out.commit()?;
    for e in &folder_errors {
        eprintln!("acsready: {}", e.line("host"));
    }
    for f in files.iter().filter(|f| f.error.is_some()) {
        eprintln!("acsready: {}", f.error.as_deref().unwrap_or_default());
    }
    let tampered = files
        .iter()
        .any(|f| f.signatures.iter().any(|s| s.integrity == "tampered"));
    Ok(crate::exit_code(
        !folder_errors.is_empty() || files.iter().any(|f| f.error.is_some()),
        tampered,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_that_cannot_be_read_is_a_problem_of_its_path() {
        let rules = Rules::embedded().expect("the embedded rules load");
        let dir = tempfile::tempdir().expect("temporary folder");
        // A ": " in the name: the problem's source is the whole path.
        let path = dir.path().join("agent: old.dll");
        let (modules, errors) = modules_of(
            std::slice::from_ref(&path),
            &rules,
            acsready_rules::Lang::En,
        );
        assert!(modules.is_empty());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].source, path.to_string_lossy());
        assert!(
            errors[0].message.starts_with("cannot be read: "),
            "{errors:?}"
        );
    }
}
