//! What the evidence readers need from the rules (how products show in the
//! registry, which events to keep), built once per rules.

use acsready_rules::Rules;
use acsready_sources::folder::EvidenceOptions;
use acsready_sources::registry_facts::{KnownProducts, StoreKey};
use acsready_sources::EventFilter;

/// What the readers need from the rules, built once.
pub struct Readers {
    products: KnownProducts,
    events: EventFilter,
}

impl Readers {
    pub fn new(rules: &Rules) -> Self {
        let pairs = |names: fn(&acsready_rules::Product) -> &Vec<String>| {
            rules
                .products
                .iter()
                .flat_map(|p| names(p).iter().map(|n| (n.clone(), p.id.clone())))
                .collect()
        };
        let stores = rules.root_certificate.stores.iter();
        let stores = stores.flat_map(|s| &s.registry_keys).map(|k| StoreKey {
            key: k.key.clone(),
            name: k.name.clone(),
            required: k.required,
        });
        let products = KnownProducts {
            display_names: pairs(|p| &p.display_names),
            vendor_keys: pairs(|p| &p.vendor_keys),
            delivery_keys: (rules.products.iter())
                .flat_map(|p| p.delivery_keys.iter().cloned())
                .collect(),
            console_agent: (rules.products.iter())
                .find(|p| p.console_agent)
                .map(|p| p.id.clone()),
            certificate_stores: KnownProducts::order_stores(stores.collect()),
        };
        // Keep what some event rule could match: by its ids when it has
        // some (the rule checks provider and message later), else by its
        // providers and messages. Reading every MsiInstaller event of a
        // busy log would only bloat the facts.
        let mut events = EventFilter::default();
        for rule in &rules.events {
            if rule.ids.is_empty() {
                events.providers.extend(rule.providers_any.iter().cloned());
                events.messages.extend(rule.message_any.iter().cloned());
            } else {
                events.ids.extend(&rule.ids);
            }
        }
        events.ids.sort_unstable();
        events.ids.dedup();
        Readers { products, events }
    }

    /// Uninstall DisplayName prefixes → product ids (also how osquery
    /// inputs name products).
    pub fn display_names(&self) -> &[(String, String)] {
        &self.products.display_names
    }

    /// How products show in the registry (also on a management server).
    pub fn products(&self) -> &KnownProducts {
        &self.products
    }

    /// The options of [`acsready_sources::folder::read_host_folder`].
    pub fn options(&self) -> EvidenceOptions<'_> {
        EvidenceOptions {
            products: &self.products,
            events: &self.events,
        }
    }
}
