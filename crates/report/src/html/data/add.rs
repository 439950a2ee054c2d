//! One host entered into the tables: its findings, plans and modules each
//! kept once, its texts as the assessment wrote them or rendered from codes
//! and parameters.

use acsready_assess::{render, Action, AgentPlan, Finding, HostAssessment, TextCache};

use super::{HostRow, Shown, Tables, Texts, NONE};
use crate::rows::{host_codes, plan_line};
use crate::Style;

impl Tables {
    /// Enters a host's texts, findings, agents and modules; returns the
    /// numbers of its texts and sets.
    pub(in crate::html) fn add(
        &mut self,
        a: &HostAssessment,
        style: &Style,
        texts: &mut Texts,
    ) -> HostRow {
        let os = self.text(&a.os.name);
        let domain = self.text(split_name(&a.host).1);
        let release = a.os.release.as_deref().map(|r| self.text(r));
        let (first, more) = match a.sources.split_first() {
            Some((first, more)) => (Some(first), more),
            None => (None, &[][..]),
        };
        let source = first.map(|s| {
            let (file, line) = split_line(s);
            (self.text(file), line)
        });
        let more_sources = more.iter().map(|s| self.text(s)).collect();

        let mut set = std::mem::take(&mut self.set);
        set.clear();
        set.extend(a.findings.iter().map(|f| self.finding(f, texts)));
        let (findings, new) = self.finding_sets.id(set.as_slice());
        if new {
            let codes = self.text(&host_codes(a).join(" "));
            self.set_codes.push(codes);
        }

        set.clear();
        for p in &a.agents {
            let id = self.agent(a, p, style, texts);
            set.push(id);
        }
        let (agents, new) = self.agent_sets.id(set.as_slice());
        if new {
            let plans: Vec<&str> = set
                .iter()
                .filter_map(|&i| self.agent_lines.get(i as usize))
                .map(|&line| self.text_of(line))
                .collect();
            let plans = self.text(&plans.join("; "));
            self.set_plans.push(plans);
        }

        set.clear();
        for m in &a.modules {
            let key = [
                self.text(&m.path),
                self.text(m.outcome.as_str()),
                self.text(&m.reason),
            ];
            set.push(self.modules.id(&key[..]).0);
        }
        let modules = self.module_sets.id(set.as_slice()).0;
        self.set = set;

        HostRow {
            os,
            domain,
            release,
            findings,
            agents,
            modules,
            source,
            more_sources,
        }
    }

    /// The number of finding `f`, entered when new: the key
    /// `[code, severity, title, n, (fact, value, source) × n, step…]`.
    fn finding(&mut self, f: &Finding, texts: &mut Texts) -> u32 {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        key.extend([self.text(&f.code), self.text(f.severity.as_str())]);
        let mut shown = std::mem::take(&mut self.shown);
        shown.clear();
        match texts {
            Texts::Written => {
                shown.push(self.text(&f.title));
                shown.extend(f.remediation.iter().map(|r| self.text(r)));
            }
            Texts::Rendered(cache) => {
                self.rendered(f, cache, &mut shown);
            }
        }
        let (title, steps) = shown.split_first().unwrap_or((&NONE, &[]));
        key.extend([*title, f.evidence.len() as u32]);
        for e in &f.evidence {
            key.push(self.text(&e.fact));
            key.push(self.text(&e.value));
            key.push(e.source.as_deref().map_or(NONE, |s| self.text(s)));
        }
        key.extend_from_slice(steps);
        let id = self.findings.id(key.as_slice()).0;
        self.key = key;
        self.shown = shown;
        id
    }

    /// Pushes the numbers of the title and steps of finding `f` rendered
    /// from its code and parameters (`[title, step…]`) to `into`; returns
    /// whether its title renders from them ([`render::title_renders`]).
    fn rendered(&mut self, f: &Finding, cache: &mut TextCache, into: &mut Vec<u32>) -> bool {
        if let Some(shown) = self.rendered.get(&f.code).and_then(|m| m.get(&f.params)) {
            into.extend_from_slice(&shown.ids);
            return shown.title_renders;
        }
        let start = into.len();
        cache.with(&f.code, &f.params, |(title, steps)| {
            into.push(self.text(title));
            into.extend(steps.iter().map(|r| self.text(r)));
        });
        let shown = Shown {
            ids: into.get(start..).unwrap_or_default().into(),
            title_renders: render::title_renders(cache.rules(), &f.code, &f.params),
        };
        let title_renders = shown.title_renders;
        self.rendered
            .entry(f.code.clone())
            .or_default()
            .insert(f.params.clone(), shown);
        title_renders
    }

    /// The number of plan `p` of host `a`, entered when new: the key
    /// `[product, version, action, target, reason]`.
    fn agent(
        &mut self,
        a: &HostAssessment,
        p: &AgentPlan,
        style: &Style,
        texts: &mut Texts,
    ) -> u32 {
        let (target, reason) = self.plan_texts(a, p, texts);
        let key = [
            self.text(&p.product),
            self.text(&p.version),
            self.text(p.action.as_str()),
            target,
            reason,
        ];
        let (id, new) = self.agents.id(&key[..]);
        if new {
            let line = plan_line(
                style.names.get(&p.product, style.lang),
                &p.version,
                p.action,
                self.text_of(target),
                style.lang,
            );
            let line = self.text(&line);
            self.agent_lines.push(line);
        }
        id
    }

    /// The numbers of the target and reason of plan `p` of host `a`, as
    /// written or rendered (as [`render::render_host`] renders them: the
    /// reason is the title of the finding it names).
    fn plan_texts(&mut self, a: &HostAssessment, p: &AgentPlan, texts: &mut Texts) -> (u32, u32) {
        let written = |tables: &mut Tables| (tables.text(&p.target), tables.text(&p.reason));
        let Texts::Rendered(cache) = texts else {
            return written(self);
        };
        let Some(f) = render::reason_finding(&a.findings, p) else {
            return written(self);
        };
        let mut shown = std::mem::take(&mut self.shown);
        shown.clear();
        let renders = self.rendered(f, cache, &mut shown);
        let reason = shown.first().copied().unwrap_or(NONE);
        self.shown = shown;
        if !renders {
            return written(self);
        }
        let target = match p.action {
            Action::Upgrade => match self.latest {
                Some(id) => id,
                None => {
                    let id = self.text(&render::latest(cache.rules(), cache.lang()));
                    *self.latest.insert(id)
                }
            },
            _ => self.text(&p.target),
        };
        (target, reason)
    }
}

/// A host's name up to its first `.`, and the rest (`""` without `.`).
pub(super) fn split_name(name: &str) -> (&str, &str) {
    name.find('.').map_or((name, ""), |at| name.split_at(at))
}

/// A source ending in `:` and a line number ("fleet.ndjson:12"): the text
/// before and the number; any other: the text as it is.
fn split_line(source: &str) -> (&str, Option<u32>) {
    let Some((file, digits)) = source.rsplit_once(':') else {
        return (source, None);
    };
    // Only a number written as the page writes it comes back the same.
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    match digits.parse() {
        Ok(line) if canonical => (file, Some(line)),
        _ => (source, None),
    }
}
