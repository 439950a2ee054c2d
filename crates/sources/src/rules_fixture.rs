//! For tests: the facts of the embedded rules that the readers take (the
//! callers build the same from the rules they load).

use acsready_rules::Rules;

use crate::registry_facts::{KnownProducts, StoreKey};

/// `products` with the stores' keys, the delivery keys and the console's
/// agent of the embedded rules.
pub(crate) fn with_rules(products: KnownProducts) -> KnownProducts {
    let rules = Rules::embedded().expect("the embedded rules load");
    let stores = rules
        .root_certificate
        .stores
        .iter()
        .flat_map(|s| &s.registry_keys)
        .map(|k| StoreKey {
            key: k.key.clone(),
            name: k.name.clone(),
            required: k.required,
        })
        .collect();
    KnownProducts {
        delivery_keys: rules
            .products
            .iter()
            .flat_map(|p| p.delivery_keys.iter().cloned())
            .collect(),
        console_agent: rules
            .products
            .iter()
            .find(|p| p.console_agent)
            .map(|p| p.id.clone()),
        certificate_stores: KnownProducts::order_stores(stores),
        ..products
    }
}
