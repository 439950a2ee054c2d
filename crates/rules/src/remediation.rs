//! Facts of the remediation kit (`acsready fix-kit`): the root certificate
//! itself, the registry values the kit writes and their undo, the Group
//! Policy paths, where updates are found and which Windows has `wusa`.

use serde::{Deserialize, Serialize};

use crate::text::Localized;

/// `[remediation]`: what `acsready fix-kit` writes, with sources.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub root_certificate: RootFix,
    pub root_auto_update: RootAutoUpdateFix,
    pub no_program_upgrade: NoProgramUpgradeFix,
    pub updates: UpdatesFix,
    pub root_distrusted: RootDistrustedFix,
    pub damaged_entry: DamagedEntryFix,
    pub agent_version_control: AgentVersionControlFix,
}

/// Deep Security / Workload Security's Agent Version Control, through the
/// manager's API: the version per platform that deployments and upgrades
/// use.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgentVersionControlFix {
    /// Products whose agents it keeps at a build.
    pub products: Vec<String>,
    /// The request that lists a profile's controls (`{profile}`).
    pub list: String,
    /// The request that modifies them, with the body the kit writes.
    pub modify: String,
    /// The `api-version` header.
    pub api_version: String,
    /// The control's `type` that keeps the version given.
    pub pinned_type: String,
    pub source: String,
    pub as_of: String,
}

/// The ACS root taken out of the Untrusted Certificates store (ACS006).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RootDistrustedFix {
    /// The `[[root_certificate.stores]]` id whose registry keys lose the
    /// entry named by the root's SHA-1 (a store that distrusts).
    pub store: String,
    /// The store's name for `certutil -delstore`.
    pub certutil_store: String,
    pub source: String,
    pub as_of: String,
}

/// A store entry named by the root's SHA-1 that holds another certificate
/// (ACS009): deleted, and the genuine root added.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DamagedEntryFix {
    /// How many bytes of the root's DER, from its start and from its end,
    /// the scripts look for in an entry's `Blob` to tell the genuine root
    /// from another certificate.
    pub der_match_bytes: usize,
    pub source: String,
    pub as_of: String,
}

/// The ACS root as a file, and where the kit adds it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RootFix {
    /// The name of the `.cer` file the kit writes.
    pub file_name: String,
    /// The certificate, DER encoded, in base64 (checked against
    /// `[root_certificate]` sha1 and sha256 before it is written).
    pub der_base64: String,
    /// The `[[root_certificate.stores]]` id the kit adds it to; the `.reg`
    /// writes under that store's first registry key.
    pub store: String,
    /// The store's name for `certutil -addstore`.
    pub certutil_store: String,
    /// Where an administrator imports it with Group Policy.
    pub gpo_path: Localized,
    pub source: String,
    pub as_of: String,
}

/// The "Turn off Automatic Root Certificates Update" policy value.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RootAutoUpdateFix {
    /// Relative to SOFTWARE.
    pub key: String,
    pub value: String,
    /// The data that turns automatic root update on again.
    pub enabled: u32,
    /// The data that turns it off (the undo).
    pub disabled: u32,
    /// The Group Policy setting that writes it.
    pub gpo_path: Localized,
    pub source: String,
    pub as_of: String,
}

/// The Apex One family's program-delivery switch on the host.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoProgramUpgradeFix {
    /// Products whose agents take it.
    pub products: Vec<String>,
    pub value: String,
    /// The agent's key on 32-bit Windows (relative to SOFTWARE).
    pub key_32bit: String,
    /// The agent's key on 64-bit Windows (the 32-bit agent's registry view).
    pub key_64bit: String,
    /// Program delivery stopped.
    pub stopped: u32,
    /// Program delivery as the console sets it (the undo).
    pub restored: u32,
    pub source: String,
    pub as_of: String,
}

/// Where updates come from and what installs them by hand.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatesFix {
    /// The Microsoft Update Catalog search for one KB (`{kb}`).
    pub catalog_url: String,
    /// The first build with `wusa.exe` (Windows Vista / Server 2008).
    pub wusa_from_build: u32,
    pub source: String,
    pub as_of: String,
}

impl Remediation {
    /// What is wrong with `[remediation]` against the rest of the rules.
    pub(crate) fn problems(&self, rules: &crate::Rules) -> Vec<String> {
        let mut p = Vec::new();
        let cited = [
            (
                "root_certificate",
                &self.root_certificate.source,
                &self.root_certificate.as_of,
            ),
            (
                "root_auto_update",
                &self.root_auto_update.source,
                &self.root_auto_update.as_of,
            ),
            (
                "no_program_upgrade",
                &self.no_program_upgrade.source,
                &self.no_program_upgrade.as_of,
            ),
            ("updates", &self.updates.source, &self.updates.as_of),
            (
                "root_distrusted",
                &self.root_distrusted.source,
                &self.root_distrusted.as_of,
            ),
            (
                "damaged_entry",
                &self.damaged_entry.source,
                &self.damaged_entry.as_of,
            ),
            (
                "agent_version_control",
                &self.agent_version_control.source,
                &self.agent_version_control.as_of,
            ),
        ];
        for (what, source, as_of) in cited {
            if source.trim().is_empty() || !crate::date::is_date(as_of) {
                p.push(format!(
                    "remediation.{what}: needs `source` and a date in `as_of`"
                ));
            }
        }
        let root = &self.root_certificate;
        match rules
            .root_certificate
            .stores
            .iter()
            .find(|s| s.id == root.store)
        {
            Some(s) if s.trusts && !s.registry_keys.is_empty() => {}
            Some(_) => p.push(format!(
                "remediation.root_certificate: store \"{}\" does not trust or has no registry key",
                root.store
            )),
            None => p.push(format!(
                "remediation.root_certificate: no store \"{}\" in [[root_certificate.stores]]",
                root.store
            )),
        }
        let file_ok = root.file_name.ends_with(".cer")
            && root
                .file_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
        if !file_ok {
            p.push(format!(
                "remediation.root_certificate: file_name \"{}\" is not a plain .cer name",
                root.file_name
            ));
        }
        let avc = &self.agent_version_control;
        for prod in &avc.products {
            if !rules.products.iter().any(|x| &x.id == prod) {
                p.push(format!(
                    "remediation.agent_version_control: unknown product \"{prod}\""
                ));
            }
        }
        for (what, request) in [("list", &avc.list), ("modify", &avc.modify)] {
            if !request.contains("{profile}") {
                p.push(format!(
                    "remediation.agent_version_control: {what} has no {{profile}}"
                ));
            }
        }
        let npu = &self.no_program_upgrade;
        for prod in &npu.products {
            if !rules.products.iter().any(|x| &x.id == prod) {
                p.push(format!(
                    "remediation.no_program_upgrade: unknown product \"{prod}\""
                ));
            }
        }
        // The keys the kit writes must be keys the readers read back.
        let read = |key: &str| {
            rules
                .products
                .iter()
                .flat_map(|x| &x.delivery_keys)
                .any(|k| k.eq_ignore_ascii_case(key))
        };
        for key in [&npu.key_32bit, &npu.key_64bit] {
            if !read(key) {
                p.push(format!(
                    "remediation.no_program_upgrade: key \"{key}\" is not among the products' delivery_keys"
                ));
            }
        }
        let distrusted = &self.root_distrusted.store;
        match rules
            .root_certificate
            .stores
            .iter()
            .find(|s| &s.id == distrusted)
        {
            Some(s) if s.distrusts && !s.registry_keys.is_empty() => {}
            _ => p.push(format!(
                "remediation.root_distrusted: store \"{distrusted}\" is not a store that distrusts, with registry keys, in [[root_certificate.stores]]"
            )),
        }
        // Long enough to hold the serial number, never past the certificate.
        if !(16..=256).contains(&self.damaged_entry.der_match_bytes) {
            p.push("remediation.damaged_entry: der_match_bytes must be 16 to 256".into());
        }
        if !self.updates.catalog_url.contains("{kb}") {
            p.push("remediation.updates: catalog_url has no {kb}".into());
        }
        p
    }
}
