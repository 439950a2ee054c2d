//! The preflight as one self-contained HTML page (no script, no network):
//! what blocks first, every finding with its hosts, evidence and steps, the
//! agents' table and the server. Element ids: `preflight-blocked` (`yes` or
//! `no`), `count-blocking`, `count-findings`, `count-agents`, `findings`
//! (each finding `finding-<code>`), `agents`.

use std::io::{self, Write};

use acsready_rules::Lang;

use crate::html::{esc, CSS};
use crate::preflight::{
    agent_cells, by_severity, counts, phase_label, result_labels, server_text, PreflightReport,
};
use crate::ui::{severity_label, Label};

const EXTRA_CSS: &str = ".blocks{background:var(--not_ready);color:#fff;border-radius:3px;padding:0 6px;font-size:11px;font-weight:600;margin-right:6px}
.banner{font-size:16px;font-weight:600;padding:10px 14px;border-radius:6px;margin-bottom:16px;color:#fff}
.banner.yes{background:var(--not_ready)}.banner.no{background:var(--ready)}
.stats{display:flex;gap:24px;flex-wrap:wrap}.stats div{font-size:13px}.stats .count{font-size:20px;display:block}
table.plain{border-collapse:collapse;width:100%}table.plain th,table.plain td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
table.plain th{background:#eef0f3}
";

impl PreflightReport {
    pub fn write_html<W: Write>(&self, mut out: W) -> io::Result<()> {
        let lang = match self.lang.as_str() {
            "ja" => Lang::Ja,
            _ => Lang::En,
        };
        let l = |label: Label| label.text(lang);
        let r = &self.result;
        let s = &r.summary;
        let title = l(Label::PfTitle);
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
             <meta name=\"generator\" content=\"acsready {ver}\">\n\
             <title>acsready — {title}</title>\n<style>\n{CSS}{EXTRA_CSS}</style>\n</head>\n<body>\n\
             <header><h1>acsready — {title}</h1><div class=\"meta\">{rules} {rv} ({asof}) · {phase_l}: {phase}</div></header>\n<main>\n",
            lang = lang.as_str(),
            ver = esc(&self.generator.version),
            title = esc(title),
            rules = l(Label::PfRules),
            rv = esc(&self.rules.version),
            asof = esc(&self.rules.as_of),
            phase_l = l(Label::PfPhase),
            phase = l(phase_label(r.phase)),
        )?;
        let cls = if s.blocked { "yes" } else { "no" };
        let text = l(result_labels(r.phase, s.blocked).1);
        writeln!(
            out,
            "<div class=\"banner {cls}\" id=\"preflight-blocked\" data-blocked=\"{cls}\">{}</div>",
            esc(text)
        )?;
        let severities = by_severity(s, lang);
        let by_count = severities.map(|(_, n)| n.to_string()).join(" / ");
        let names = severities.map(|(name, _)| name).join(" / ");
        write!(out, "<section class=\"card\"><div class=\"stats\">")?;
        for (id, n, _, word) in counts(s).into_iter().rev() {
            write!(
                out,
                "<div><span class=\"count\" id=\"{id}\">{n}</span>{}</div>",
                l(word)
            )?;
        }
        writeln!(
            out,
            "<div><span class=\"count\">{by_count}</span>{names}</div></div>"
        )?;
        writeln!(
            out,
            "<dl class=\"kv\"><dt>{}</dt><dd>{}</dd></dl></section>",
            l(Label::PfServer),
            esc(&server_text(&r.server, lang)),
        )?;

        writeln!(
            out,
            "<section class=\"card\" id=\"findings\"><h2>{}</h2>",
            l(Label::PfFindingsTitle)
        )?;
        if r.findings.is_empty() {
            writeln!(out, "<p class=\"muted\">{}</p>", l(Label::PfNone))?;
        }
        for f in &r.findings {
            write!(
                out,
                "<div class=\"finding {sev}\" id=\"finding-{code}\"><div>{blocks}<span class=\"sev\">{sevl}</span>\
                 <span class=\"mono\">{code} </span><strong>{title}</strong></div>",
                sev = f.severity.as_str(),
                code = esc(&f.code),
                blocks = if f.blocking {
                    format!("<span class=\"blocks\">{}</span>", l(Label::PfBlocks))
                } else {
                    String::new()
                },
                sevl = severity_label(f.severity, lang),
                title = esc(&f.title),
            )?;
            if !f.hosts.is_empty() {
                write!(
                    out,
                    "<div class=\"muted\">{} ({}): <span class=\"mono\">{}</span></div>",
                    l(Label::PfHosts),
                    f.hosts.len(),
                    esc(&f.hosts.join(", "))
                )?;
            }
            if !f.evidence.is_empty() {
                write!(
                    out,
                    "<div class=\"muted\">{}:</div><ul class=\"mono\">",
                    l(Label::PfEvidence)
                )?;
                for e in &f.evidence {
                    let src = e
                        .source
                        .as_deref()
                        .map(|s| format!(" ({})", esc(s)))
                        .unwrap_or_default();
                    write!(out, "<li>{} = {}{src}</li>", esc(&e.fact), esc(&e.value))?;
                }
                write!(out, "</ul>")?;
            }
            if !f.remediation.is_empty() {
                write!(
                    out,
                    "<div class=\"muted\">{}:</div><ol>",
                    l(Label::PfRemediation)
                )?;
                for step in &f.remediation {
                    write!(out, "<li>{}</li>", esc(step))?;
                }
                write!(out, "</ol>")?;
            }
            writeln!(out, "</div>")?;
        }
        writeln!(out, "</section>")?;

        writeln!(
            out,
            "<section class=\"card\"><h2>{} ({})</h2><div class=\"table-wrap\"><table class=\"plain\" id=\"agents\">\
             <thead><tr><th>{}</th><th>OS</th><th>{}</th><th>ACS</th><th>NoProgramUpgrade</th></tr></thead><tbody>",
            l(Label::PfAgentsTitle),
            r.agents.len(),
            l(Label::PfAgent),
            l(Label::PfVersion),
        )?;
        for a in &r.agents {
            let [host, os, version, verdict, npu] = agent_cells(a, lang).map(|c| esc(&c));
            writeln!(
                out,
                "<tr data-host=\"{host}\"><td>{host}</td><td>{os}</td><td class=\"mono\">{version}</td>\
                 <td class=\"verdict {}\">{verdict}</td><td>{npu}</td></tr>",
                a.verdict.as_str(),
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
        if !r.skipped.is_empty() {
            writeln!(
                out,
                "<p class=\"muted\">{} ({}): {}</p>",
                l(Label::PfNotChecked),
                r.skipped.len(),
                esc(&r.skipped.join(", "))
            )?;
        }
        writeln!(out, "</section>")?;
        for (key, title, list) in [
            ("errors", l(Label::PfInputErrors), &self.errors),
            ("warnings", l(Label::PfWarnings), &self.warnings),
        ] {
            if list.is_empty() {
                continue;
            }
            write!(
                out,
                "<section class=\"card problems\" id=\"{key}\"><h2>{title} ({})</h2><ul>",
                list.len()
            )?;
            for p in list.iter() {
                write!(out, "<li>{}</li>", esc(&p.line(l(Label::HostWord))))?;
            }
            writeln!(out, "</ul></section>")?;
        }
        writeln!(out, "</main>\n</body>\n</html>")?;
        out.flush()
    }
}
