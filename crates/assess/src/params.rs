//! The placeholder values of a finding: a few names, kept in a small sorted
//! list (a JSON object in reports).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// The placeholder values of a finding, by placeholder name.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Params(Vec<(Cow<'static, str>, Param)>);

impl Params {
    pub fn new() -> Self {
        Params(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `name` to `value`, replacing an earlier value.
    pub fn insert(&mut self, name: Cow<'static, str>, value: Param) {
        match self
            .0
            .binary_search_by(|(k, _)| k.as_ref().cmp(name.as_ref()))
        {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (name, value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Param> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(name))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Names and values, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Param)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl FromIterator<(Cow<'static, str>, Param)> for Params {
    fn from_iter<I: IntoIterator<Item = (Cow<'static, str>, Param)>>(iter: I) -> Self {
        let mut p = Params::new();
        for (k, v) in iter {
            p.insert(k, v);
        }
        p
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Params {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, Param>::deserialize(deserializer)?;
        Ok(Params(
            map.into_iter().map(|(k, v)| (Cow::Owned(k), v)).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_sorted_and_unique() {
        let mut p = Params::new();
        p.insert("version".into(), Param::from("2"));
        p.insert("product".into(), Param::from("x"));
        p.insert("version".into(), Param::from("3"));
        assert_eq!(
            p.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["product", "version"]
        );
        assert_eq!(p.get("version"), Some(&Param::from("3")));
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"product":"x","version":"3"}"#);
        assert_eq!(serde_json::from_str::<Params>(&json).unwrap(), p);
    }
}

/// The value of one placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Param {
    /// Shown as written in every language: a version, a build, a KB.
    Value(String),
    /// The name of a product of the rules, in the language of the text.
    Product { product: String },
    /// The lines of texts of the rules (each with its own placeholder
    /// values), joined by `join`.
    Texts { texts: Vec<TextRef>, join: String },
}

/// One text entry of the rules with the values of its placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TextRef {
    pub key: String,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Value(v.to_string())
    }
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Value(v)
    }
}
