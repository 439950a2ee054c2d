//! The names people read of the rules' products, looked up by product id in
//! the reader's language. Reports keep the ids where programs read them (JSON)
//! and show these names where people read them.

use std::collections::BTreeMap;
use std::sync::Arc;

use acsready_rules::{Lang, Localized, Rules};

/// Every product's table name (its short name, else its name) in English and
/// Japanese, by id. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct ProductNames(Arc<BTreeMap<String, Localized>>);

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
        ProductNames(Arc::new(names))
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
