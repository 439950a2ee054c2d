//! What one host's row and the fleet's charts show, decided once for the
//! terminal table, the HTML report and the server's dashboard: which finding
//! codes a row lists, how an agent's plan reads, and how hosts are grouped
//! into the "by OS release" bars.

use std::collections::BTreeMap;

use acsready_assess::{Action, HostAssessment, Verdict};
use acsready_rules::{Lang, Severity};
use serde::Serialize;

use crate::ui::{action_label, Label};
use crate::ProductNames;

/// Rows of the "by OS release" chart before the rest are summed as "other".
pub const RELEASE_BARS: usize = 12;

/// Whether a finding of this severity is listed in a host's row. Info-level
/// findings (notes such as "the delivery is controlled") stay on the host's
/// own page, so a ready host's row lists nothing.
pub fn listed_in_row(severity: Severity) -> bool {
    severity > Severity::Info
}

/// The codes a host's row lists: each once, in the order given, info-level
/// ones left out.
pub fn listed_codes<'a>(findings: impl IntoIterator<Item = (&'a str, Severity)>) -> Vec<&'a str> {
    let mut codes: Vec<&str> = Vec::new();
    for (code, severity) in findings {
        if listed_in_row(severity) && !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// The codes the row of `a` lists.
pub fn host_codes(a: &HostAssessment) -> Vec<&str> {
    listed_codes(a.findings.iter().map(|f| (f.code.as_str(), f.severity)))
}

/// One agent's plan: "Deep Security Agent 20.0.0.5394 → pin 20.0.0.6313",
/// the product by `name` (its name for people).
pub fn plan_line(name: &str, version: &str, action: Action, target: &str, lang: Lang) -> String {
    format!("{name} {version} → {} {target}", action_label(action, lang))
        .trim_end()
        .to_string()
}

/// One bar of the "by OS release" chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseBar {
    /// The rules' release id ("win10-1809"), by which the host list filters;
    /// absent for hosts whose build the rules do not know and for "other".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The release as the rules name it, for people.
    pub label: String,
    pub hosts: u64,
    /// Hosts by verdict ("ready", "not_ready", …).
    pub verdicts: BTreeMap<&'static str, u64>,
}

/// Hosts counted by release id ("" for a build the rules do not know) and by
/// verdict (in [`Verdict::ALL`] order), as the bars show them: most hosts
/// first, named by the rules, past [`RELEASE_BARS`] summed as "other".
pub fn release_bars(
    counts: impl IntoIterator<Item = (String, [u64; 4])>,
    names: &ProductNames,
    lang: Lang,
) -> Vec<ReleaseBar> {
    let mut by_release: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    for (release, row) in counts {
        let sum = by_release.entry(release).or_default();
        for (s, x) in sum.iter_mut().zip(row) {
            *s += x;
        }
    }
    let bar = |release: Option<String>, label: String, row: [u64; 4]| ReleaseBar {
        release,
        label,
        hosts: row.iter().sum(),
        verdicts: Verdict::ALL.iter().map(|v| v.as_str()).zip(row).collect(),
    };
    let mut bars: Vec<(ReleaseBar, [u64; 4])> = by_release
        .into_iter()
        .map(|(id, row)| {
            let (release, label) = match names.release(&id) {
                Some(name) => (Some(id.clone()), name.to_string()),
                None if id.is_empty() => (None, format!("({})", Label::UnknownOs.text(lang))),
                None => (Some(id.clone()), id.clone()),
            };
            (bar(release, label, row), row)
        })
        .collect();
    bars.sort_by(|a, b| {
        b.0.hosts
            .cmp(&a.0.hosts)
            .then_with(|| a.0.label.cmp(&b.0.label))
    });
    if bars.len() > RELEASE_BARS {
        let mut other = [0u64; 4];
        for (_, row) in bars.drain(RELEASE_BARS - 1..) {
            for (o, x) in other.iter_mut().zip(row) {
                *o += x;
            }
        }
        bars.push((bar(None, Label::Other.text(lang).to_string(), other), other));
    }
    bars.into_iter().map(|(b, _)| b).collect()
}

/// The index of `v` in [`Verdict::ALL`], as [`release_bars`] counts.
pub fn verdict_index(v: Verdict) -> usize {
    Verdict::ALL.iter().position(|x| *x == v).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use acsready_rules::Rules;

    #[test]
    fn rows_list_each_code_once_and_no_info() {
        let codes = listed_codes([
            ("ACS001", Severity::High),
            ("ACS026", Severity::Info),
            ("ACS023", Severity::Medium),
            ("ACS023", Severity::Medium),
            ("ACS100", Severity::Info),
        ]);
        assert_eq!(codes, ["ACS001", "ACS023"]);
    }

    #[test]
    fn plans_read_as_the_table_writes_them() {
        assert_eq!(
            plan_line(
                "Apex One security agent",
                "14.0.12011",
                Action::Pin,
                "14.0.11110",
                Lang::En
            ),
            "Apex One security agent 14.0.12011 → pin 14.0.11110"
        );
        assert_eq!(
            plan_line(
                "Deep Security Agent",
                "20.0.0.1",
                Action::None,
                "",
                Lang::Ja
            ),
            "Deep Security Agent 20.0.0.1 → 対応不要"
        );
    }

    #[test]
    fn releases_are_grouped_by_the_rules_release_and_named_by_the_rules() {
        let names = ProductNames::of(&Rules::embedded().unwrap());
        let bars = release_bars(
            [
                ("win10-1809".to_string(), [5, 0, 0, 0]),
                ("win10-1809".to_string(), [0, 3, 0, 0]),
                (String::new(), [0, 0, 1, 0]),
            ],
            &names,
            Lang::En,
        );
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[0].release.as_deref(), Some("win10-1809"));
        assert_eq!(bars[0].hosts, 8);
        assert_eq!(bars[0].verdicts["not_ready"], 3);
        assert!(
            bars[0].label.contains("Windows Server 2019"),
            "{}",
            bars[0].label
        );
        assert!(bars[0].label.contains("1809"), "{}", bars[0].label);
        assert_eq!(bars[1].release, None);
        assert_eq!(bars[1].label, "(unknown)");
    }

    #[test]
    fn past_the_limit_the_rest_is_other() {
        let names = ProductNames::default();
        let counts = (0..20).map(|i| (format!("r{i:02}"), [1, 0, 0, 0]));
        let bars = release_bars(counts, &names, Lang::Ja);
        assert_eq!(bars.len(), RELEASE_BARS);
        let other = &bars[RELEASE_BARS - 1];
        assert_eq!(
            (other.label.as_str(), other.hosts, other.release.as_ref()),
            ("その他", 9, None)
        );
    }
}
