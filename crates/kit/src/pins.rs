//! The pin groups: Apex One family agents kept from program upgrades by
//! their registry value, and agents whose console keeps them at a build.

use std::collections::{BTreeMap, BTreeSet};

use acsready_assess::{Action, AgentPlan, HostAssessment};
use acsready_rules::{fill, AgentVersionControlFix, Lang, Remediation, Rules};

use crate::cmd::{self, Candidate, SetValue};
use crate::folder::{hosts_of, Folder};
use crate::groups::Plan;
use crate::readme::Group;
use crate::reg::RegFile;
use crate::table;
use crate::texts::Text;
use crate::{Kit, KitError};

pub(crate) fn no_program_upgrade(
    kit: &mut Kit,
    plan: &Plan,
    rules: &Rules,
    fix: &Remediation,
    lang: Lang,
) -> Result<(), KitError> {
    let Some(mut f) = Folder::open(kit, "pin-apex-one", &plan.no_program_upgrade) else {
        return Ok(());
    };
    let n = &fix.no_program_upgrade;
    let k64 = format!("HKLM\\SOFTWARE\\{}", n.key_64bit);
    let k32 = format!("HKLM\\SOFTWARE\\{}", n.key_32bit);
    for (what, data) in [("stop", n.stopped), ("restore", n.restored)] {
        for (bits, key) in [("64bit", &n.key_64bit), ("32bit", &n.key_32bit)] {
            f.add(
                &format!("{what}-program-upgrade-{bits}.reg"),
                RegFile::new().key(key).dword(&n.value, data).bytes(),
            );
        }
    }
    for (what, data, why) in [
        (
            "stop",
            n.stopped,
            "Stops program upgrades and hotfixes to the Apex One family agent",
        ),
        (
            "restore",
            n.restored,
            "Lets program upgrades reach the agent again (the undo)",
        ),
    ] {
        let name = format!("{what}-program-upgrade.cmd");
        let r64 = format!("{what}-program-upgrade-64bit.reg");
        let r32 = format!("{what}-program-upgrade-32bit.reg");
        let s = SetValue {
            name: &name,
            log: "acsready-kit-program-upgrade.log",
            comments: vec![
                format!("{why}: {} = {data} in the agent's key ({k64} on 64-bit Windows, {k32} on 32-bit).", n.value),
                format!("{} The console's Update Settings write the same value: set them too.", cmd::ONLY_THIS),
            ],
            candidates: vec![
                Candidate { key: k64.clone(), reg_file: &r64 },
                Candidate { key: k32.clone(), reg_file: &r32 },
            ],
            value: &n.value,
            data,
            create: false,
            missing: "no Apex One agent key on this host: nothing changed",
        };
        f.add(&name, cmd::set_value(&s));
    }
    let hosts = hosts_of(&plan.no_program_upgrade, |(h, _)| *h);
    f.add(
        "agents.csv",
        agent_table(&plan.no_program_upgrade, rules, lang)?,
    );
    let vars = [
        ("key64", k64.as_str()),
        ("key32", k32.as_str()),
        ("value", n.value.as_str()),
        ("stopped", &n.stopped.to_string()),
        ("restored", &n.restored.to_string()),
    ];
    f.finish(
        Group {
            title: Text::PinApexTitle,
            body: Text::PinApexBody,
            vars: &vars,
            extra: None,
        },
        &hosts,
        &[],
        lang,
    )
}

fn agent_table(
    members: &[(&HostAssessment, &AgentPlan)],
    rules: &Rules,
    lang: Lang,
) -> Result<Vec<u8>, KitError> {
    let mut t = table::Csv::new(&["host", "product", "version", "action", "target", "verdict"]);
    for (h, a) in members {
        let product = rules
            .product(&a.product)
            .map(|p| p.label(lang).to_string())
            .unwrap_or_else(|| a.product.clone());
        t.row(&[
            &h.host,
            &product,
            &a.version,
            a.action.as_str(),
            &a.target,
            h.verdict.as_str(),
        ]);
    }
    t.bytes()
}

/// The computers of one set of console steps, and the platforms (OS names)
/// of those whose agent Agent Version Control keeps at the target.
#[derive(Default)]
struct Steps<'a> {
    computers: Vec<&'a str>,
    platforms: BTreeSet<&'a str>,
}

/// The body of Agent Version Control's modification that keeps `target`
/// on `platforms`: one control each, its ID to be filled in from the list
/// (a text the API refuses as it is, so an unedited body changes nothing).
fn version_control_body(
    avc: &AgentVersionControlFix,
    target: &str,
    platforms: &BTreeSet<&str>,
) -> Result<Vec<u8>, KitError> {
    let controls: Vec<serde_json::Value> = platforms
        .iter()
        .map(|os| {
            serde_json::json!({
                "ID": format!(
                    "REPLACE: the ID of the control whose platform is {os} (in your computers' architecture), from {}",
                    avc.list
                ),
                "type": avc.pinned_type,
                "version": target,
            })
        })
        .collect();
    let body = serde_json::json!({ "agentVersionControls": controls });
    let mut text = serde_json::to_string_pretty(&body).map_err(|e| KitError::Csv(e.to_string()))?;
    text.push('\n');
    Ok(text.into_bytes())
}

pub(crate) fn console_steps(
    kit: &mut Kit,
    plan: &Plan,
    rules: &Rules,
    fix: &Remediation,
    lang: Lang,
) -> Result<(), KitError> {
    let avc = &fix.agent_version_control;
    for (control, members) in &plan.console {
        let name = control
            .strip_prefix("delivery_")
            .unwrap_or(control)
            .replace('_', "-");
        let Some(mut f) = Folder::open(kit, format!("pin-{name}"), members) else {
            continue;
        };
        f.add("computers.csv", agent_table(members, rules, lang)?);
        // The steps once per target build, with the computers that need them.
        let mut by_target: BTreeMap<(String, String), Steps> = BTreeMap::new();
        for (h, a) in members {
            let steps_key = match a.action {
                Action::Hold => rules
                    .product(&a.product)
                    .and_then(|p| p.hold_control.clone())
                    .unwrap_or_else(|| control.clone()),
                _ => control.clone(),
            };
            let steps = by_target.entry((steps_key, a.target.clone())).or_default();
            steps.computers.push(&h.host);
            let pinned = a.action == Action::Pin;
            if pinned && !a.target.is_empty() && avc.products.contains(&a.product) {
                steps.platforms.insert(h.os.name.as_str());
            }
        }
        let mut text = String::new();
        for ((key, target), steps) in &by_target {
            text.push_str(&format!("\n### {} {target}\n\n", Text::Target.get(lang)));
            text.push_str(&format!(
                "{}: {}\n\n",
                Text::Computers.get(lang),
                steps.computers.join(", ")
            ));
            for (i, step) in rules.text(key, lang).iter().enumerate() {
                text.push_str(&format!(
                    "{}. {}\n",
                    i + 1,
                    fill(step, &[("target", target)])
                ));
            }
            if !steps.platforms.is_empty() {
                let safe: String = (target.chars())
                    .map(|c| match c {
                        'A'..='Z' | 'a'..='z' | '0'..='9' | '.' | '-' | '_' => c,
                        _ => '_',
                    })
                    .collect();
                let file = format!("agent-version-control-{safe}.json");
                f.add(&file, version_control_body(avc, target, &steps.platforms)?);
                let platforms: Vec<&str> = steps.platforms.iter().copied().collect();
                text.push('\n');
                text.push_str(&fill(
                    Text::VersionControlApi.get(lang),
                    &[
                        ("file", &file),
                        ("target", target),
                        ("platforms", &platforms.join(", ")),
                        ("list", &avc.list),
                        ("modify", &avc.modify),
                        ("api_version", &avc.api_version),
                        ("type", &avc.pinned_type),
                    ],
                ));
                text.push('\n');
            }
        }
        let hosts = hosts_of(members, |(h, _)| *h);
        let vars = [("steps", text.as_str())];
        f.finish(
            Group {
                title: Text::ConsoleTitle,
                body: Text::ConsoleBody,
                vars: &vars,
                extra: Some(&name),
            },
            &hosts,
            &[],
            lang,
        )?;
    }
    Ok(())
}
