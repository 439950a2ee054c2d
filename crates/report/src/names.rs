//! The names people read of the rules' products (by product id, in the
//! reader's language) and of its Windows releases (by release id). Reports keep the ids where programs read them (JSON)
//! and show these names where people read them.

use std::collections::BTreeMap;
use std::sync::Arc;

use acsready_rules::{Lang, Localized, Rules};

/// Every product's table name (its short name, else its name) in English and
/// Japanese, by id, and every Windows release's name. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct ProductNames(
    Arc<BTreeMap<String, Localized>>,
    Arc<BTreeMap<String, String>>,
);

impl ProductNames {
    pub fn of(rules: &Rules) -> ProductNames {
        let names = rules
            .products
            .iter()
            .map(|p| {
                let name = Localized {
                    en: p.label(Lang::En).to_string(),
                    ja: p.label(Lang::Ja).to_string(),
                };
                (p.id.clone(), name)
            })
            .collect();
        // A release's name for client and server ("Windows 10 1809 / LTSC 2019 /
        // Windows Server 2019"): the charts group hosts by release.
        let releases = rules
            .windows
            .iter()
            .map(|w| (w.id.clone(), w.display_name(None)))
            .collect();
        ProductNames(Arc::new(names), Arc::new(releases))
    }

    /// The name of Windows release `id` ("win10-1809"), when the rules know it.
    pub fn release(&self, id: &str) -> Option<&str> {
        self.1.get(id).map(String::as_str)
    }

    /// The name of product `id` in `lang`; the id itself when the rules do
    /// not know it.
    pub fn get<'a>(&'a self, id: &'a str, lang: Lang) -> &'a str {
        self.0.get(id).map_or(id, |n| n.get(lang))
    }

    /// Every name in `lang`, by id.
    pub fn in_lang(&self, lang: Lang) -> BTreeMap<&str, &str> {
        self.0
            .iter()
            .map(|(id, n)| (id.as_str(), n.get(lang)))
            .collect()
    }

    /// Every name in every language, by id: `{id: {en, ja}}` in JSON.
    pub fn all(&self) -> &BTreeMap<String, Localized> {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_id_and_language_and_unknown_ids_as_they_are() {
        let names = ProductNames::of(&Rules::embedded().unwrap());
        assert_eq!(
            names.get("deep_security_agent", Lang::En),
            "Deep Security Agent"
        );
        assert_eq!(
            names.get("apex_one_agent", Lang::Ja),
            "Apex One セキュリティエージェント"
        );
        assert_eq!(names.get("no_such_product", Lang::Ja), "no_such_product");
        assert_eq!(
            names.in_lang(Lang::Ja)["apex_one_server"],
            "Apex One サーバ"
        );
        assert_eq!(names.all()["apex_one_server"].en, "Apex One server");
        assert_eq!(ProductNames::default().get("x", Lang::En), "x");
    }
}
