//! `acsready rules`: what the rules database holds.

use acsready_rules::{Lang, RequirementKind, Rules};
use comfy_table::{presets, ContentArrangement, Table};

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .force_no_tty()
        .set_header(header.to_vec());
    t
}

pub(crate) fn builds(row: &acsready_rules::WindowsRow) -> String {
    if !row.builds.is_empty() {
        return row
            .builds
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
    }
    match (row.build_min, row.build_max) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        (Some(a), None) => format!("≥ {a}"),
        (None, Some(b)) => format!("≤ {b}"),
        (None, None) => String::new(),
    }
}

fn requirement(kind: &RequirementKind, builds: &str) -> String {
    match kind {
        RequirementKind::Native => "native".into(),
        RequirementKind::MinUbr { ubr, kb, released } => {
            format!("≥ {builds}.{ubr} ({kb}, {released})")
        }
        RequirementKind::Update {
            monthly_rollup,
            security_only,
            servicing,
            ..
        } => format!("{monthly_rollup} / {security_only} / later rollup [{servicing}]"),
        RequirementKind::None => "unsupported (no update)".into(),
    }
}

/// A readable view of the rules: identity, Windows rows, root, agent lines, findings.
pub fn rules_table(rules: &Rules, lang: Lang) -> String {
    let mut out = format!(
        "acsready rules {} (as of {}, schema {}) — {}\n",
        rules.rules_version, rules.as_of, rules.schema_version, rules.origin
    );
    out.push_str(&format!(
        "policy: conflicting sources → {:?}\n\nWindows\n",
        rules.policy.conflicting_sources
    ));
    let mut t = table(&[
        "id",
        "release",
        "builds",
        "type",
        "requirement",
        "source (as of)",
    ]);
    for row in &rules.windows {
        let b = builds(row);
        let req = row
            .requirements
            .iter()
            .map(|r| requirement(&r.kind, &b))
            .collect::<Vec<_>>()
            .join("\nor ");
        let name = match &row.name_server {
            Some(s) => format!("{}\n{s} (server)", row.name),
            None => row.name.clone(),
        };
        let inst = row
            .installation
            .map(|i| format!("{i:?}").to_lowercase())
            .unwrap_or_else(|| "any".into());
        let esu = if row.esu_required {
            "\nESU required"
        } else {
            ""
        };
        t.add_row(vec![
            row.id.clone(),
            format!("{name}{esu}"),
            b,
            inst,
            req,
            format!("{} ({})", row.source, row.as_of),
        ]);
    }
    out.push_str(&format!("{t}\n\n"));

    out.push_str(
        "Legacy servicing (monthly rollups after October 2021 count; security-only do not)\n",
    );
    let mut t = table(&[
        "line",
        "monthly rollups",
        "newest",
        "security-only known",
        "source (as of)",
    ]);
    for (id, s) in &rules.servicing {
        let newest = s
            .monthly_rollups
            .last()
            .map(|k| format!("{} ({})", k.kb, k.month))
            .unwrap_or_default();
        let newest = match &s.ended {
            Some(end) => format!("{newest}\nline ended {end}"),
            None => newest,
        };
        t.add_row(vec![
            id.clone(),
            s.monthly_rollups.len().to_string(),
            newest,
            s.security_only.len().to_string(),
            format!("{} ({})", s.source, s.as_of),
        ]);
    }
    out.push_str(&format!("{t}\n\n"));

    let root = &rules.root_certificate;
    out.push_str(&format!(
        "Root certificate\n  {}\n  SHA-1   {}\n  SHA-256 {}\n  valid   {} – {}\n  stores  {}\n  distrusted in {}\n  source  {} ({})\n\n",
        root.subject,
        root.sha1,
        root.sha256,
        root.not_before,
        root.not_after,
        root.stores.iter().filter(|s| s.trusts).map(|s| s.label.as_str()).collect::<Vec<_>>().join("; "),
        root.stores.iter().filter(|s| s.distrusts).map(|s| s.label.as_str()).collect::<Vec<_>>().join("; "),
        root.source,
        root.as_of
    ));
    if !rules.vendor_certificates.is_empty() {
        out.push_str("Roots Trend Micro's own signature checks need (ACS017)\n");
        let mut t = table(&["certificate", "SHA-1", "products", "source (as of)"]);
        for c in &rules.vendor_certificates {
            t.add_row(vec![
                c.name.clone(),
                c.sha1.clone(),
                c.products.join("\n"),
                format!("{} ({})", c.source, c.as_of),
            ]);
        }
        out.push_str(&format!("{t}\n\n"));
    }

    out.push_str("Trend Micro products and agent lines\n");
    let mut t = table(&[
        "products",
        "line",
        "last before ACS",
        "first ACS (date)",
        "installer checks host",
        "source (as of)",
    ]);
    for line in &rules.agent_lines {
        let first = match (&line.first_acs, &line.first_acs_label) {
            _ if line.never_acs => "never (ended before ACS)".into(),
            (Some(v), Some(l)) => format!("{v}: {l}"),
            (Some(v), None) => v.clone(),
            (None, Some(l)) => l.clone(),
            (None, None) => "—".into(),
        };
        let date = line
            .first_acs_date
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        t.add_row(vec![
            line.products.join("\n"),
            match (&line.upgrade_to, line.supported) {
                (Some(to), false) => format!("{} (unsupported; to {to})", line.name()),
                (None, false) => format!("{} (unsupported)", line.name()),
                _ => line.name(),
            },
            line.last_pre_acs.clone().unwrap_or_else(|| "—".into()),
            format!("{first}{date}"),
            if line.installer_checks_host {
                "yes"
            } else {
                "no"
            }
            .into(),
            format!("{} ({})", line.source, line.as_of),
        ]);
    }
    let unaffected: Vec<&str> = rules
        .products
        .iter()
        .filter(|p| !p.affected)
        .map(|p| p.id.as_str())
        .collect();
    out.push_str(&format!(
        "{t}\nNot affected (no /INTEGRITYCHECK): {}\n\n",
        unaffected.join(", ")
    ));

    if let Some(pf) = &rules.preflight.apex_one {
        out.push_str(&preflight_table(pf, lang));
    }

    out.push_str("Findings (acsready explain CODE)\n");
    let mut t = table(&["code", "severity", "title"]);
    for (code, f) in &rules.findings {
        t.add_row(vec![
            code.clone(),
            f.severity.to_string(),
            f.title.get(lang).to_string(),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    out
}

/// `[preflight.apex_one]`: what `acsready preflight apex-one` applies.
fn preflight_table(pf: &acsready_rules::ApexOnePreflight, lang: Lang) -> String {
    let mut t = table(&["check", "value", "source"]);
    let cited = |source: &str, as_of: &str| format!("{source} ({as_of})");
    for u in &pf.unsupported_os {
        t.add_row(vec![
            "unsupported OS".into(),
            format!("{} [{}]", u.name.get(lang), u.windows.join(", ")),
            cited(&u.source, &u.as_of),
        ]);
    }
    for c in &pf.sql_password {
        t.add_row(vec![
            "SQL password: forbidden".into(),
            c.name.get(lang).to_string(),
            cited(&c.source, &c.as_of),
        ]);
    }
    for l in &pf.lines {
        if let Some(b) = l.auth_cert_export_until {
            t.add_row(vec![
                "no certificate export from".into(),
                format!("{} build {b}", l.name.get(lang)),
                cited(&l.source, &l.as_of),
            ]);
        }
    }
    for f in &pf.firewall {
        let before = f
            .before
            .as_deref()
            .map(|b| format!("{b} → "))
            .unwrap_or_default();
        t.add_row(vec![
            format!("firewall: {}", f.id),
            format!("{before}{}", f.after.join(", ")),
            cited(&f.source, &f.as_of),
        ]);
    }
    for s in &pf.sha2 {
        t.add_row(vec![
            format!("SHA-2: {}", s.windows),
            s.kbs.join(" + "),
            cited(&s.source, &s.as_of),
        ]);
    }
    let phases = &pf.phases;
    for (phase, checks) in [("before", &phases.before), ("after", &phases.after)] {
        // The names as the rules write them.
        let names: Vec<String> = checks
            .iter()
            .filter_map(|c| serde_json::to_value(c).ok()?.as_str().map(str::to_string))
            .collect();
        t.add_row(vec![
            format!("checks {phase} the upgrade"),
            names.join(", "),
            cited(&phases.source, &phases.as_of),
        ]);
    }
    format!(
        "Preflight: Virus Buster Corp. XG → Apex One (blocking: {})\n{t}\n\n",
        pf.blocking.join(" ")
    )
}

/// The rules as JSON (the same content as the TOML, plus where they came from).
pub fn rules_json(rules: &Rules) -> serde_json::Value {
    let mut v = serde_json::to_value(rules).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "origin".into(),
            serde_json::Value::String(rules.origin.clone()),
        );
    }
    v
}
