//! One self-contained HTML page (no network, no external files): the counts,
//! a donut of verdicts and bar charts rendered here as inline SVG and CSS, and
//! a host table with filter, sort and per-host details drawn by an inline
//! script from the report embedded as JSON in two parts:
//! `<script type="application/json" id="acsready-data">` before the script
//! (what the table shows) and `id="acsready-details"` after it (what a
//! host's details show, read when first needed: the table is drawn before
//! the page has loaded it).
//!
//! The embedded JSON has the fields of a [`crate::Report`] plus `labels` (the
//! UI labels in the report's language), `products` (the products' names in
//! that language, by id) and `strings`: the hosts are written
//! as [`data`] describes, their repeated texts kept once in `strings`. Every
//! `<` in it is written as `\u003c`, so no value (a host name such as
//! `</script>`) can end the script element. Hosts are gathered as they
//! arrive, on several threads in parts merged in input order
//! ([`HtmlReport::part`]); only their columns and the distinct texts,
//! findings and plans are kept.
//!
//! Element ids: `summary-ready`, `summary-not_ready`, `summary-unknown`,
//! `summary-unsupported` (text: the count), `host-filter`, `filter-<verdict>`
//! (checkboxes), `host-table` (rows carry `data-host` and `data-index`; the
//! table `data-ready`, when the first rows were drawn, in ms since the
//! navigation; the first row's first cell `elementtiming="first-row"`),
//! `page-prev`, `page-next`, `page-info`, `host-details`, `acsready-data`,
//! `acsready-details`.

use std::collections::HashMap;
use std::io::{self, Write};

use acsready_assess::{Action, HostAssessment, Severity, Summary, TextCache, Verdict};
use acsready_rules::Lang;

use crate::json::{Generator, REPORT_SCHEMA};
use crate::rows::{release_bars, verdict_index, ReleaseBar};
use crate::ui::{action_label, severity_label, verdict_label, Label, HOST_COLUMNS};
use crate::verdict_colour::{verdict_colour, StyleSheet};
use crate::{Problems, RulesIdentity, Style};

mod data;

/// The page's style sheet; the server's dashboard sends it before its own.
pub const CSS: StyleSheet = StyleSheet(include_str!("html/report.css"));
const SCRIPT: &str = include_str!("html/report.js");

/// Collects hosts (as columns of indices into tables of what they share),
/// then writes the page.
pub struct HtmlReport {
    rules: RulesIdentity,
    all: HtmlPart,
}

/// Hosts gathered for the page: the tables of what they share, their
/// columns and their counts by release. A report is one; a caller with many
/// hosts may gather chunks of them apart ([`HtmlReport::part`], on any
/// thread) and [merge](HtmlReport::merge) them in input order: the page is
/// the same as with every host given to [`HtmlReport::host`] in that order.
pub struct HtmlPart {
    style: Style,
    tables: data::Tables,
    columns: data::Columns,
    hosts: u64,
    /// Hosts per rules release (its text's number; `None` when the build is
    /// not in the rules), by verdict (in [`Verdict::ALL`] order).
    by_release: HashMap<Option<u32>, [u64; 4]>,
}

impl HtmlPart {
    fn new(style: Style) -> Self {
        HtmlPart {
            style,
            tables: data::Tables::default(),
            columns: data::Columns::default(),
            hosts: 0,
            by_release: HashMap::new(),
        }
    }

    /// An empty part with the style of this one.
    pub fn fresh(&self) -> HtmlPart {
        HtmlPart::new(self.style.clone())
    }

    /// Adds one host after those already in.
    pub fn host(&mut self, a: &HostAssessment) {
        self.add(a, &mut data::Texts::Written);
    }

    /// Adds one host assessed without texts ([`Detail::Params`]): the
    /// titles and steps of its findings and the reasons of its plans are
    /// rendered with `texts` from codes and parameters, each distinct
    /// finding once. The page is the one [`HtmlPart::host`] makes of the
    /// host assessed with every text in the language of `texts`.
    ///
    /// [`Detail::Params`]: acsready_assess::Detail::Params
    pub fn host_rendering(&mut self, a: &HostAssessment, texts: &mut TextCache) {
        self.add(a, &mut data::Texts::Rendered(texts));
    }

    fn add(&mut self, a: &HostAssessment, texts: &mut data::Texts) {
        let row = self.tables.add(a, &self.style, texts);
        let counts = self.by_release.entry(row.release).or_default();
        counts[verdict_index(a.verdict)] += 1;
        self.columns.push(a, row);
        self.hosts += 1;
    }

    /// Adds the hosts of `part` after those already in.
    fn merge(&mut self, part: &HtmlPart) {
        let renumber = self.tables.merge(&part.tables);
        self.columns.merge(&part.columns, &renumber);
        for (release, row) in &part.by_release {
            let sum = self
                .by_release
                .entry(release.map(|r| renumber.text(r)))
                .or_default();
            for (s, x) in sum.iter_mut().zip(row) {
                *s += x;
            }
        }
        self.hosts += part.hosts;
    }
}

impl HtmlReport {
    pub fn new(style: Style, rules: RulesIdentity) -> Self {
        HtmlReport {
            rules,
            all: HtmlPart::new(style),
        }
    }

    pub fn host(&mut self, a: HostAssessment) {
        self.all.host(&a);
    }

    /// An empty part, to gather hosts into apart from the report.
    pub fn part(&self) -> HtmlPart {
        HtmlPart::new(self.all.style.clone())
    }

    /// Adds the hosts of `part` after those already in.
    pub fn merge(&mut self, part: &HtmlPart) {
        self.all.merge(part);
    }

    pub fn finish<W: Write>(
        self,
        mut out: W,
        summary: &Summary,
        problems: &Problems,
    ) -> io::Result<()> {
        let HtmlReport { rules, all } = self;
        let lang = all.style.lang;
        let l = |label: Label| esc(label.text(lang));
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
             <meta name=\"generator\" content=\"acsready {ver}\">\n\
             <title>acsready — {title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
            lang = lang.as_str(),
            ver = env!("CARGO_PKG_VERSION"),
            title = l(Label::Title),
        )?;
        let rules_line = format!(
            "{} {} ({}) · {}",
            Label::Rules.text(lang),
            rules.version,
            acsready_rules::fill(Label::AsOf.text(lang), &[("date", &rules.as_of)]),
            rules.origin
        );
        write!(
            out,
            "<header><h1>acsready — {}</h1><div class=\"meta\" id=\"rules\">{} · acsready {}</div></header>\n<main>\n",
            l(Label::Title),
            esc(&rules_line),
            env!("CARGO_PKG_VERSION"),
        )?;

        out.write_all(b"<div class=\"charts\">\n")?;
        write_summary(&mut out, summary, lang)?;
        let by_release = all.by_release.iter().map(|(release, row)| {
            let name = release.map_or("", |r| all.tables.text_of(r));
            (name.to_string(), *row)
        });
        let bars = release_bars(by_release, &all.style.names, lang);
        write_os_bars(&mut out, &bars, lang)?;
        write_action_bars(&mut out, summary, lang)?;
        out.write_all(b"</div>\n")?;
        write_problems(&mut out, problems, lang)?;

        // The host table: the script fills the body.
        write!(
            out,
            "<div class=\"split\">\n<section class=\"card\" id=\"hosts\">\n<h2>{} ({})</h2>\n\
             <div class=\"controls\"><input type=\"search\" id=\"host-filter\" placeholder=\"{}\" aria-label=\"{}\">",
            l(Label::HostList),
            all.hosts,
            l(Label::Filter),
            l(Label::Filter),
        )?;
        for v in Verdict::ALL {
            write!(
                out,
                "<label><input type=\"checkbox\" id=\"filter-{v}\" data-verdict=\"{v}\" checked> \
                 <span class=\"sw {v}\"></span> {}</label>",
                esc(verdict_label(v, lang)),
            )?;
        }
        write!(
            out,
            "</div>\n<div class=\"pager\"><button type=\"button\" id=\"page-prev\">{}</button>\
             <button type=\"button\" id=\"page-next\">{}</button><span id=\"page-info\"></span></div>\n\
             <div class=\"table-wrap\"><table id=\"host-table\"><thead><tr>",
            l(Label::Prev),
            l(Label::Next),
        )?;
        for label in HOST_COLUMNS {
            write!(
                out,
                "<th data-col=\"{}\" scope=\"col\">{}</th>",
                label.key(),
                l(label)
            )?;
        }
        write!(
            out,
            "</tr></thead><tbody></tbody></table></div>\n</section>\n\
             <section class=\"card\" id=\"host-details\" aria-live=\"polite\"><h2>{}</h2><p class=\"empty\">{}</p></section>\n</div>\n\
             <noscript><p>{}</p></noscript>\n</main>\n",
            l(Label::DetailsTitle),
            l(Label::PickHost),
            l(Label::Noscript),
        )?;

        // The data, written whole: the report's header, labels and the hosts.
        let mut data = Vec::with_capacity(all.columns.size_hint());
        data.extend_from_slice(
            b"<script type=\"application/json\" id=\"acsready-data\">{\"schema\":",
        );
        data::json(&mut data, REPORT_SCHEMA)?;
        data.extend_from_slice(b",\"generator\":");
        data::json(
            &mut data,
            &Generator {
                name: "acsready".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
        )?;
        data.extend_from_slice(b",\"rules\":");
        data::json(&mut data, &rules)?;
        data.extend_from_slice(b",\"lang\":");
        data::json(&mut data, lang.as_str())?;
        data.extend_from_slice(b",\"labels\":");
        data::json(&mut data, &labels(lang))?;
        data.extend_from_slice(b",\"products\":");
        data::json(&mut data, &all.style.names.in_lang(lang))?;
        data.extend_from_slice(b",\"summary\":");
        data::json(&mut data, summary)?;
        data.extend_from_slice(b",\"errors\":");
        data::json(&mut data, &problems.errors)?;
        data.extend_from_slice(b",\"warnings\":");
        data::json(&mut data, &problems.warnings)?;
        data.extend_from_slice(b",\n");
        all.tables.write_main(&mut data);
        data.extend_from_slice(b",\n");
        all.columns.write_main(&mut data);
        data.extend_from_slice(b"}</script>\n<script>\n");
        data.extend_from_slice(SCRIPT.as_bytes());
        // What a host's details read, after the script: the table is drawn
        // before it is loaded.
        data.extend_from_slice(
            b"</script>\n<script type=\"application/json\" id=\"acsready-details\">{",
        );
        all.tables.write_details(&mut data);
        data.extend_from_slice(b",\n");
        all.columns.write_details(&mut data);
        data.extend_from_slice(b"}</script>\n</body>\n</html>\n");
        out.write_all(&data)?;
        out.flush()
    }
}

/// Text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// The verdict donut (inline SVG) with its legend; the counts carry the ids
/// `summary-<verdict>`.
fn write_summary<W: Write>(out: &mut W, s: &Summary, lang: Lang) -> io::Result<()> {
    write!(
        out,
        "<section class=\"card\" id=\"summary\"><h2>{}</h2><div class=\"donut-wrap\">\
         <svg width=\"160\" height=\"160\" viewBox=\"0 0 42 42\" role=\"img\" aria-labelledby=\"donut-title\">\
         <title id=\"donut-title\">{}</title>\
         <circle cx=\"21\" cy=\"21\" r=\"15.915\" fill=\"none\" stroke=\"#e3e6ea\" stroke-width=\"6\"/>",
        esc(Label::ByVerdict.text(lang)),
        esc(&crate::summary_line(s, lang)),
    )?;
    let total: u64 = Verdict::ALL.iter().map(|v| s.count(*v)).sum();
    let mut start = 0.0_f64;
    for v in Verdict::ALL {
        let n = s.count(v);
        if n == 0 || total == 0 {
            continue;
        }
        let pct = n as f64 * 100.0 / total as f64;
        write!(
            out,
            "<circle class=\"seg-{v}\" cx=\"21\" cy=\"21\" r=\"15.915\" fill=\"none\" stroke=\"{}\" stroke-width=\"6\" \
             stroke-dasharray=\"{pct:.3} {:.3}\" stroke-dashoffset=\"{:.3}\"><title>{}: {n}</title></circle>",
            verdict_colour(v).css,
            100.0 - pct,
            25.0 - start,
            esc(verdict_label(v, lang)),
        )?;
        start += pct;
    }
    write!(
        out,
        "<text x=\"21\" y=\"21\" text-anchor=\"middle\" font-size=\"7\" font-weight=\"600\">{}</text>\
         <text x=\"21\" y=\"27\" text-anchor=\"middle\" font-size=\"3.5\">{}</text></svg><ul class=\"legend\">",
        s.hosts,
        esc(Label::Hosts.text(lang)),
    )?;
    for v in Verdict::ALL {
        write!(
            out,
            "<li><span class=\"sw {v}\"></span>{}: <span class=\"count\" id=\"summary-{v}\">{}</span></li>",
            esc(verdict_label(v, lang)),
            s.count(v),
        )?;
    }
    if s.not_assessed > 0 {
        write!(
            out,
            "<li>{}: <span class=\"count\" id=\"summary-not_assessed\">{}</span></li>",
            esc(Label::NotAssessed.text(lang)),
            s.not_assessed,
        )?;
    }
    out.write_all(b"</ul></div></section>\n")
}

/// Hosts per OS release (as [`release_bars`] groups them), each bar split by
/// verdict.
fn write_os_bars<W: Write>(out: &mut W, bars: &[ReleaseBar], lang: Lang) -> io::Result<()> {
    let max = bars.iter().map(|b| b.hosts).max().unwrap_or(0).max(1);
    write!(
        out,
        "<section class=\"card\" id=\"chart-os\"><h2>{}</h2><table class=\"bars\">",
        esc(Label::ByOs.text(lang))
    )?;
    for bar in bars {
        let name = esc(&bar.label);
        write!(
            out,
            "<tr><td class=\"lbl\" title=\"{name}\">{name}</td><td><div class=\"track\">"
        )?;
        for v in Verdict::ALL {
            let n = bar.verdicts.get(v.as_str()).copied().unwrap_or(0);
            if n > 0 {
                write!(
                    out,
                    "<div class=\"seg {v}\" style=\"width:{:.2}%\" title=\"{}: {n}\"></div>",
                    n as f64 * 100.0 / max as f64,
                    esc(verdict_label(v, lang)),
                )?;
            }
        }
        write!(out, "</div></td><td class=\"num\">{}</td></tr>", bar.hosts)?;
    }
    out.write_all(b"</table></section>\n")
}

/// Agents per planned action.
fn write_action_bars<W: Write>(out: &mut W, s: &Summary, lang: Lang) -> io::Result<()> {
    let max = Action::ALL
        .iter()
        .map(|a| s.action_count(*a))
        .max()
        .unwrap_or(0)
        .max(1);
    write!(
        out,
        "<section class=\"card\" id=\"chart-actions\"><h2>{}</h2><table class=\"bars\">",
        esc(Label::ByAction.text(lang))
    )?;
    for a in Action::ALL {
        let n = s.action_count(a);
        write!(
            out,
            "<tr><td class=\"lbl\">{}</td><td><div class=\"track\"><div class=\"seg action\" \
             style=\"width:{:.2}%\"></div></div></td><td class=\"num\" id=\"action-{a}\">{n}</td></tr>",
            esc(action_label(a, lang)),
            n as f64 * 100.0 / max as f64,
        )?;
    }
    out.write_all(b"</table></section>\n")
}

fn write_problems<W: Write>(out: &mut W, p: &Problems, lang: Lang) -> io::Result<()> {
    for (label, list) in [
        (Label::InputErrors, &p.errors),
        (Label::Warnings, &p.warnings),
    ] {
        if list.is_empty() {
            continue;
        }
        write!(
            out,
            "<section class=\"card problems\" id=\"{}\"><details><summary>{} ({})</summary><ul>",
            label.key(),
            esc(label.text(lang)),
            list.len()
        )?;
        for e in list {
            write!(out, "<li>{}</li>", esc(&e.line(Label::HostWord.text(lang))))?;
        }
        out.write_all(b"</ul></details></section>\n")?;
    }
    Ok(())
}

/// The labels the script reads (`L.key`) besides the table's columns
/// ([`HOST_COLUMNS`]), verdicts, actions and severities.
const SCRIPT_LABELS: [Label; 9] = [
    Label::Evidence,
    Label::Remediation,
    Label::Severity,
    Label::DetailsTitle,
    Label::Modules,
    Label::Sources,
    Label::None,
    Label::Page,
    Label::FilteredFrom,
];

/// The labels the script uses.
fn labels(lang: Lang) -> serde_json::Value {
    script_labels(HOST_COLUMNS.into_iter().chain(SCRIPT_LABELS), lang)
}

/// The labels a page's script reads, in `lang`: each of `labels` by its key,
/// and `verdicts`, `actions` and `severities` by id. The HTML report embeds
/// them; the server's dashboard is sent them.
pub fn script_labels(labels: impl IntoIterator<Item = Label>, lang: Lang) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for label in labels {
        m.insert(label.key().into(), label.text(lang).into());
    }
    let verdicts: serde_json::Map<_, _> = Verdict::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), verdict_label(*v, lang).into()))
        .collect();
    let actions: serde_json::Map<_, _> = Action::ALL
        .iter()
        .map(|a| (a.as_str().to_string(), action_label(*a, lang).into()))
        .collect();
    let severities: serde_json::Map<_, _> = Severity::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), severity_label(*s, lang).into()))
        .collect();
    m.insert("verdicts".into(), verdicts.into());
    m.insert("actions".into(), actions.into());
    m.insert("severities".into(), severities.into());
    m.into()
}

#[cfg(test)]
mod gather_tests;
#[cfg(test)]
mod tests;
