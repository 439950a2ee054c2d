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
    // At most four dot-separated numbers, read without allocating.
    let mut numbers = [0u32; 4];
    let mut count = 0;
    for part in raw.trim().split('.') {
        let slot = numbers.get_mut(count).ok_or_else(err)?;
        *slot = part.parse::<u32>().map_err(|_| err())?;
        count += 1;
    }
    match &numbers[..count] {
        [build] => Ok((*build, None)),
        [build, ubr] => Ok((*build, Some(*ubr))),
        // "10.0.17763.2210" / "6.3.9600.20144": major.minor.build.ubr
        [_, _, build, ubr] => Ok((*build, Some(*ubr))),
        [_, _, build] => Ok((*build, None)),
        _ => Err(err()),
    }
}

/// A JSON string or number, read without buffering (an untagged enum would
/// buffer every value first).
enum StringOrNumber {
    String(String),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

impl StringOrNumber {
    fn into_string(self) -> String {
        match self {
            StringOrNumber::String(s) => s,
            StringOrNumber::Unsigned(n) => n.to_string(),
            StringOrNumber::Signed(n) => n.to_string(),
            StringOrNumber::Float(n) => n.to_string(),
        }
    }
}

impl<'de> Deserialize<'de> for StringOrNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = StringOrNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StringOrNumber::String(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(StringOrNumber::String(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(StringOrNumber::Unsigned(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(StringOrNumber::Signed(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(StringOrNumber::Float(v))
            }
        }
        d.deserialize_any(V)
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
        Some(StringOrNumber::Unsigned(n)) => u32::try_from(n)
            .map(Some)
            .map_err(|_| D::Error::custom(format!("{n} is not a UBR (0..=4294967295)"))),
        Some(StringOrNumber::Signed(n)) => Err(D::Error::custom(format!(
            "{n} is not a UBR (0..=4294967295)"
        ))),
        Some(StringOrNumber::Float(n)) => Err(D::Error::custom(format!(
            "{n} is not a UBR (a whole number)"
        ))),
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
