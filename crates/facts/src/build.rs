//! OS build numbers and lenient number-or-string fields.

use serde::{Deserialize, Deserializer};

/// Why a `current_build` value is not a Windows build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{value}\" is not a Windows build number (expected e.g. 17763 or 17763.2210)")]
pub struct BuildError {
    pub value: String,
}

/// Splits "17763" or "17763.2210" (also "10.0.17763.2210") into build and UBR.
pub fn parse_build(raw: &str) -> Result<(u32, Option<u32>), BuildError> {
    let err = || BuildError {
        value: raw.to_string(),
    };
    let parts: Vec<&str> = raw.trim().split('.').collect();
    let numbers: Vec<u32> = parts
        .iter()
        .map(|p| p.parse::<u32>().map_err(|_| err()))
        .collect::<Result<_, _>>()?;
    match numbers.as_slice() {
        [build] => Ok((*build, None)),
        [build, ubr] => Ok((*build, Some(*ubr))),
        // "10.0.17763.2210" / "6.3.9600.20144": major.minor.build.ubr
        [_, _, build, ubr] => Ok((*build, Some(*ubr))),
        [_, _, build] => Ok((*build, None)),
        _ => Err(err()),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    String(String),
    Number(serde_json::Number),
}

impl StringOrNumber {
    fn into_string(self) -> String {
        match self {
            StringOrNumber::String(s) => s,
            StringOrNumber::Number(n) => n.to_string(),
        }
    }
}

pub(crate) fn deserialize_string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<String, D::Error> {
    StringOrNumber::deserialize(d).map(StringOrNumber::into_string)
}

pub(crate) fn deserialize_opt_string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<StringOrNumber>::deserialize(d)?.map(StringOrNumber::into_string))
}

/// A u32 given as a number or a decimal string ("261"); osquery writes strings.
pub(crate) fn deserialize_opt_u32<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<u32>, D::Error> {
    use serde::de::Error;
    match Option::<StringOrNumber>::deserialize(d)? {
        None => Ok(None),
        Some(StringOrNumber::Number(n)) => n
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{n} is not a UBR (0..=4294967295)"))),
        Some(StringOrNumber::String(s)) if s.trim().is_empty() => Ok(None),
        Some(StringOrNumber::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("\"{s}\" is not a UBR number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepted_forms() {
        assert_eq!(parse_build("17763"), Ok((17763, None)));
        assert_eq!(parse_build(" 17763.2210 "), Ok((17763, Some(2210))));
        assert_eq!(parse_build("10.0.17763.2210"), Ok((17763, Some(2210))));
        assert_eq!(parse_build("6.3.9600"), Ok((9600, None)));
        assert!(parse_build("").is_err());
        assert!(parse_build("17763.x").is_err());
        assert!(parse_build("1.2.3.4.5").is_err());
    }

    proptest! {
        #[test]
        fn round_trips(build in 0u32..100_000, ubr in 0u32..100_000) {
            prop_assert_eq!(parse_build(&format!("{build}.{ubr}")), Ok((build, Some(ubr))));
        }

        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = parse_build(&s);
        }
    }
}
