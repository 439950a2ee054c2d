//! The READMEs of the kit (Markdown, UTF-8), in the language asked for.

use acsready_rules::{fill, Lang};

use crate::texts::Text;
use crate::Kit;

/// What a group's README says.
pub(crate) struct Group<'a> {
    pub title: Text,
    pub body: Text,
    pub vars: &'a [(&'a str, &'a str)],
    /// Filled into `{extra}` of the title.
    pub extra: Option<&'a str>,
}

pub(crate) fn group(dir: &str, g: &Group, kit: &Kit, hosts: usize, lang: Lang) -> Vec<u8> {
    let mut vars = g.vars.to_vec();
    vars.push(("extra", g.extra.unwrap_or("")));
    let mut text = format!(
        "# {} ({hosts} {})\n\n{}\n\n{}\n\n## {}\n\n",
        fill(g.title.get(lang), &vars),
        Text::Hosts.get(lang),
        fill(g.body.get(lang), &vars),
        Text::HostsFiles.get(lang),
        Text::FilesHeading.get(lang),
    );
    let prefix = format!("{dir}/");
    let mut names: Vec<&str> = kit
        .files
        .iter()
        .filter_map(|f| f.path.strip_prefix(&prefix))
        .collect();
    names.push("README.md");
    for name in names {
        text.push_str(&format!("- `{name}`\n"));
    }
    text.into_bytes()
}

pub(crate) fn top(kit: &Kit, hosts: usize, rules: &str, lang: Lang) -> Vec<u8> {
    let mut text = format!(
        "# {}\n\n{}\n\n{}\n\n## {}\n\n",
        Text::KitTitle.get(lang),
        fill(Text::KitIntro.get(lang), &[("rules", rules)]),
        Text::KitFlow.get(lang),
        Text::KitGroups.get(lang),
    );
    if kit.groups.is_empty() {
        text.push_str(Text::KitNoGroups.get(lang));
        text.push('\n');
    }
    for (dir, n) in &kit.groups {
        text.push_str(&format!(
            "- [`{dir}/`]({dir}/README.md): {n} {}\n",
            Text::Hosts.get(lang)
        ));
    }
    if kit.file("updates-to-approve.csv").is_some() {
        text.push_str("- `updates-to-approve.csv`\n");
    }
    let count = hosts.to_string();
    text.push('\n');
    text.push_str(&fill(Text::Assessed.get(lang), &[("count", &count)]));
    text.push('\n');
    text.into_bytes()
}
