//! The tables and columns of a part of the hosts added to another's: every
//! text, finding, plan, module and set of the part is entered once (in the
//! order the part first saw them) and the part's hosts are appended with
//! their numbers changed to the other's. The result is what adding the
//! part's hosts one by one would have made.

use super::{Ids, Table, Tables, NONE};

/// The numbers of a part's entries in the tables it was merged into, by
/// the part's numbers.
pub(in crate::html) struct Renumber {
    strings: Vec<u32>,
    pub(super) finding_sets: Vec<u32>,
    pub(super) agent_sets: Vec<u32>,
    pub(super) module_sets: Vec<u32>,
}

impl Renumber {
    /// The number of the part's text `i` (`NONE` stays `NONE`).
    pub(in crate::html) fn text(&self, i: u32) -> u32 {
        at(&self.strings, i)
    }
}

/// `map[i]`; `NONE` (and any number the part never gave out) is `NONE`.
pub(super) fn at(map: &[u32], i: u32) -> u32 {
    map.get(i as usize).copied().unwrap_or(NONE)
}

/// Enters each key of `from` into `into`, each of its numbers changed by
/// `renumber` (given the position in the key); returns the new numbers and,
/// for each, whether it is new.
fn enter(
    into: &mut Ids,
    from: &Ids,
    mut renumber: impl FnMut(usize, u32) -> u32,
) -> Vec<(u32, bool)> {
    let mut key = Vec::new();
    from.iter()
        .map(|k| {
            key.clear();
            key.extend(k.iter().enumerate().map(|(j, &x)| renumber(j, x)));
            into.id(key.as_slice())
        })
        .collect()
}

/// The numbers of `entered`, with `texts` (a text per entry of the part,
/// by its number) pushed to `texts_into` for the new ones.
fn with_texts(
    entered: Vec<(u32, bool)>,
    texts: &[u32],
    into: &mut Vec<u32>,
    strings: &[u32],
) -> Vec<u32> {
    entered
        .into_iter()
        .enumerate()
        .map(|(i, (id, new))| {
            if new {
                into.push(at(strings, texts.get(i).copied().unwrap_or(NONE)));
            }
            id
        })
        .collect()
}

impl Tables {
    /// Enters every entry of `part`; returns their numbers here.
    pub(in crate::html) fn merge(&mut self, part: &Tables) -> Renumber {
        let strings: Vec<u32> = text_ids(&mut self.strings, &part.strings);
        let text = |_: usize, i: u32| at(&strings, i);

        // A finding's key: [code, severity, title, n, (fact, value, source) × n, step…].
        let findings: Vec<u32> = enter(&mut self.findings, &part.findings, |j, x| match j {
            3 => x,
            _ => at(&strings, x),
        })
        .into_iter()
        .map(|(id, _)| id)
        .collect();
        let entered = enter(&mut self.finding_sets, &part.finding_sets, |_, x| {
            at(&findings, x)
        });
        let finding_sets = with_texts(entered, &part.set_codes, &mut self.set_codes, &strings);

        let entered = enter(&mut self.agents, &part.agents, text);
        let agents = with_texts(entered, &part.agent_lines, &mut self.agent_lines, &strings);
        let entered = enter(&mut self.agent_sets, &part.agent_sets, |_, x| {
            at(&agents, x)
        });
        let agent_sets = with_texts(entered, &part.set_plans, &mut self.set_plans, &strings);

        let modules: Vec<u32> = enter(&mut self.modules, &part.modules, text)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let module_sets = enter(&mut self.module_sets, &part.module_sets, |_, x| {
            at(&modules, x)
        })
        .into_iter()
        .map(|(id, _)| id)
        .collect();

        Renumber {
            strings,
            finding_sets,
            agent_sets,
            module_sets,
        }
    }
}

/// The numbers in `into` of every text of `from`.
fn text_ids(into: &mut Table<Box<str>>, from: &Table<Box<str>>) -> Vec<u32> {
    from.iter().map(|s| into.id(&**s).0).collect()
}
