//! `acsready explain CODE`: a finding's text without a host. A placeholder
//! the rules fill with one value (the root certificate, the rules' version,
//! the backup path) shows that value; one that depends on the release shows
//! as a word in capitals (`{kb}` → `KB`) with the value of every release
//! beneath; the others (a host's product, a time) are named in capitals.

use acsready_rules::{
    codes, fill, placeholders, FindingText, Lang, RequirementKind, Rules, WindowsRow,
};
use comfy_table::{presets, ContentArrangement, Table};

use crate::rules_view::builds;
use crate::ui::Label;

/// The text `acsready explain CODE` prints.
pub fn explain_text(code: &str, f: &FindingText, rules: &Rules, lang: Lang) -> String {
    let steps = f.remediation.get(lang);
    let templates: Vec<&str> = std::iter::once(f.title.get(lang))
        .chain(steps.iter().map(String::as_str))
        .collect();
    let names: Vec<&str> = templates.iter().flat_map(|t| placeholders(t)).collect();
    let values = values(rules, code, &names);
    let shown = |t: &str| {
        let refs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fill(t, &refs)
    };
    let mut s = format!(
        "{code} [{}] {}\n\n{}\n",
        f.severity,
        shown(f.title.get(lang)),
        f.explain.get(lang).trim()
    );
    if !steps.is_empty() {
        s.push_str(&format!("\n{}:\n", Label::Remediation.text(lang)));
        for step in steps {
            s.push_str(&format!("  - {}\n", shown(step)));
        }
    }
    if let Some(table) = per_release(rules, &names) {
        s.push_str(&format!("\n{}\n", Label::ExplainPerRelease.text(lang)));
        for line in table.to_string().lines() {
            s.push_str(line.trim_end());
            s.push('\n');
        }
    }
    if values.iter().any(|(k, v)| *v == k.to_uppercase()) {
        s.push_str(&format!("\n{}\n", Label::ExplainCapitals.text(lang)));
    }
    s.push_str(&format!(
        "\n{}: {} (as of {})\n",
        Label::Source.text(lang),
        f.source,
        f.as_of
    ));
    s
}

/// What each placeholder shows: the rules' one value, else its name in capitals.
fn values<'a>(rules: &Rules, code: &str, names: &[&'a str]) -> Vec<(&'a str, String)> {
    // In the preflight's findings, {path} is the certificate backup's.
    let backup = rules
        .preflight
        .apex_one
        .as_ref()
        .filter(|_| codes::PREFLIGHT_CODES.contains(&code))
        .map(|pf| pf.auth_cert.backup.clone());
    names
        .iter()
        .map(|&name| {
            let one = match name {
                "root_name" => Some(rules.root_certificate.name.clone()),
                "root_sha1" => Some(rules.root_certificate.sha1.clone()),
                "rules_version" => Some(rules.rules_version.clone()),
                "path" => backup.clone(),
                _ => None,
            };
            (name, one.unwrap_or_else(|| name.to_uppercase()))
        })
        .collect()
}

/// The values of the release-dependent placeholders, one row per release.
fn per_release(rules: &Rules, names: &[&str]) -> Option<Table> {
    let has = |n: &str| names.contains(&n);
    let rows: Vec<Vec<String>>;
    let header: &[&str];
    if has("min_ubr") {
        header = &["OS", "BUILD.MIN_UBR", "KB", "RELEASED"];
        rows = requirements(rules, |row, kind| match kind {
            RequirementKind::MinUbr { ubr, kb, released } => {
                Some(vec![with_ubr(row, *ubr), kb.clone(), released.clone()])
            }
            _ => None,
        });
    } else if has("monthly_rollup") {
        header = &["OS", "MONTHLY_ROLLUP", "SECURITY_ONLY"];
        rows = requirements(rules, |_, kind| match kind {
            RequirementKind::Update {
                monthly_rollup,
                security_only,
                ..
            } => Some(vec![monthly_rollup.clone(), security_only.clone()]),
            _ => None,
        });
    } else if has("esu_end") {
        header = &["OS", "ESU_END", "ESU_END_AZURE"];
        rows = rules
            .windows
            .iter()
            .filter(|row| row.esu_required)
            .map(|row| {
                let date = |d: &Option<String>| d.clone().unwrap_or_else(|| "-".into());
                vec![release(row), date(&row.esu_end), date(&row.esu_end_azure)]
            })
            .collect();
    } else {
        return None;
    }
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.to_vec());
    for row in rows {
        t.add_row(row);
    }
    Some(t)
}

/// One row per requirement `cells` gives values for: the release, then them.
fn requirements(
    rules: &Rules,
    cells: impl Fn(&WindowsRow, &RequirementKind) -> Option<Vec<String>>,
) -> Vec<Vec<String>> {
    rules
        .windows
        .iter()
        .flat_map(|row| row.requirements.iter().map(move |r| (row, &r.kind)))
        .filter_map(|(row, kind)| {
            let mut line = vec![release(row)];
            line.extend(cells(row, kind)?);
            Some(line)
        })
        .collect()
}

fn release(row: &WindowsRow) -> String {
    match &row.name_server {
        Some(server) if *server != row.name => format!("{} / {server}", row.name),
        _ => row.name.clone(),
    }
}

/// `17763.4010`; for a row of several builds, each with the UBR.
fn with_ubr(row: &WindowsRow, ubr: u32) -> String {
    if row.builds.is_empty() {
        return format!("{}.{ubr}", builds(row));
    }
    row.builds
        .iter()
        .map(|b| format!("{b}.{ubr}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A placeholder left as the rules write it (`{os}`) or as explain
    /// used to show it (`<os>`, `<インストールフォルダ>`).
    fn raw_placeholder(text: &str) -> Option<&str> {
        if let Some(i) = text.find(['{', '}']) {
            return text.get(i..);
        }
        text.match_indices('<').find_map(|(i, _)| {
            let inner = &text[i + 1..];
            let end = inner.find(|c: char| c == '>' || c.is_whitespace())?;
            (end > 0 && inner[end..].starts_with('>')).then(|| &text[i..i + end + 2])
        })
    }

    #[test]
    fn no_code_explains_with_a_raw_placeholder_in_either_language() {
        assert_eq!(raw_placeholder("x <kb> y"), Some("<kb>"));
        assert_eq!(raw_placeholder("<ファイル> y"), Some("<ファイル>"));
        assert_eq!(raw_placeholder("{os}"), Some("{os}"));
        assert_eq!(raw_placeholder("a < b > c"), None);
        let rules = Rules::embedded().unwrap();
        for (code, f) in &rules.findings {
            for lang in [Lang::En, Lang::Ja] {
                let text = explain_text(code, f, &rules, lang);
                assert_eq!(raw_placeholder(&text), None, "{code} {lang}:\n{text}");
            }
        }
    }

    #[test]
    fn the_os_update_shows_every_release_with_its_build_and_kb() {
        let rules = Rules::embedded().unwrap();
        let f = rules.finding("ACS001").unwrap();
        let text = explain_text("ACS001", f, &rules, Lang::En);
        assert!(text.contains("Install KB (released RELEASED)"), "{text}");
        let min_ubr_rows = rules
            .windows
            .iter()
            .flat_map(|w| &w.requirements)
            .filter_map(|r| match &r.kind {
                RequirementKind::MinUbr { kb, ubr, .. } => Some((kb, ubr)),
                _ => None,
            });
        for (kb, ubr) in min_ubr_rows {
            assert!(text.contains(kb.as_str()), "{kb}:\n{text}");
            assert!(text.contains(&format!(".{ubr}")), "{ubr}:\n{text}");
        }
        assert!(text.contains("acsready rules"), "{text}");
        let ja = explain_text("ACS001", f, &rules, Lang::Ja);
        assert!(ja.contains("KB") && ja.contains("acsready rules"), "{ja}");
    }

    #[test]
    fn one_value_of_the_rules_is_shown_as_it_is() {
        let rules = Rules::embedded().unwrap();
        let text = explain_text("ACS004", rules.finding("ACS004").unwrap(), &rules, Lang::En);
        assert!(text.contains(&rules.root_certificate.name), "{text}");
        assert!(text.contains(&rules.root_certificate.sha1), "{text}");
        let legacy = explain_text("ACS002", rules.finding("ACS002").unwrap(), &rules, Lang::Ja);
        assert!(
            legacy.contains("MONTHLY_ROLLUP") && legacy.contains("KB"),
            "{legacy}"
        );
    }
}
