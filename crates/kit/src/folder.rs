//! What every group of the kit shares: its folder (nothing when no host
//! needs it), its files, then its host list and README.

use acsready_assess::HostAssessment;
use acsready_rules::Lang;

use crate::readme::{self, Group};
use crate::table;
use crate::{Kit, KitError};

/// A group's folder being written.
pub(crate) struct Folder<'k> {
    kit: &'k mut Kit,
    dir: String,
}

impl<'k> Folder<'k> {
    /// The folder `dir` of a group, or `None` when no host needs it.
    pub(crate) fn open<T>(kit: &'k mut Kit, dir: impl Into<String>, members: &[T]) -> Option<Self> {
        (!members.is_empty()).then(|| Folder {
            kit,
            dir: dir.into(),
        })
    }

    /// A file of the folder.
    pub(crate) fn add(&mut self, name: &str, bytes: Vec<u8>) {
        self.kit.add(format!("{}/{name}", self.dir), bytes);
    }

    /// The host list (`hosts.txt`, and `hosts.csv` with the `columns` added)
    /// and the README, which names every file of the folder.
    pub(crate) fn finish(
        self,
        readme: Group,
        hosts: &[&HostAssessment],
        columns: &[(&str, String)],
        lang: Lang,
    ) -> Result<(), KitError> {
        let mut txt = String::new();
        for h in hosts {
            txt.push_str(&h.host);
            txt.push_str("\r\n");
        }
        let Folder { kit, dir } = self;
        kit.add(format!("{dir}/hosts.txt"), txt.into_bytes());
        kit.add(format!("{dir}/hosts.csv"), table::hosts(hosts, columns)?);
        let text = readme::group(&dir, &readme, kit, hosts.len(), lang);
        kit.add(format!("{dir}/README.md"), text);
        kit.groups.push((dir, hosts.len()));
        Ok(())
    }
}

/// The hosts of a group's members, each once, in order.
pub(crate) fn hosts_of<'a, T>(
    members: &[T],
    host: impl Fn(&T) -> &'a HostAssessment,
) -> Vec<&'a HostAssessment> {
    let mut hosts: Vec<&HostAssessment> = members.iter().map(host).collect();
    hosts.dedup_by(|a, b| std::ptr::eq(*a, *b));
    hosts
}
