//! Product versions as Trend Micro writes them: "20.0.0-6690", "20.0.0.6690", "14.0.12011".

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How versions of a product compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionScheme {
    /// Whole dotted versions; "-" counts as ".".
    Dotted,
    /// Only the last number (the build).
    Build,
}

/// The most numbers a version may have.
const MAX_PARTS: usize = 6;

/// A parsed version: its numbers, "-" and "." both separating them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    numbers: [u64; MAX_PARTS],
    len: usize,
}

impl Version {
    /// Parses "20.0.0-6690", "20.0.0.6690", "v20.0.0.6690" or "20.0.0 (Build 6690)".
    pub fn parse(raw: &str) -> Option<Version> {
        let s = raw.trim();
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let mut v = Version {
            numbers: [0; MAX_PARTS],
            len: 0,
        };
        for token in s.split(['.', '-', ' ', '(', ')']) {
            if token.is_empty() || token.eq_ignore_ascii_case("build") {
                continue;
            }
            if v.len == MAX_PARTS || !token.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            v.numbers[v.len] = token.parse().ok()?;
            v.len += 1;
        }
        (v.len > 0).then_some(v)
    }

    fn parts(&self) -> &[u64] {
        &self.numbers[..self.len]
    }

    pub fn major(&self) -> u64 {
        self.numbers[0]
    }

    /// The second number (0 when there is none).
    pub fn minor(&self) -> u64 {
        self.parts().get(1).copied().unwrap_or(0)
    }

    /// The last number: the build.
    pub fn build(&self) -> u64 {
        self.numbers[self.len - 1]
    }

    /// Compares under a product's scheme when the numbers given decide it:
    /// `None` for a version too short to place ("20.0" against "20.0.0.6690",
    /// a build-numbered "14.0" without its build).
    pub fn cmp_known(&self, other: &Version, scheme: VersionScheme) -> Option<Ordering> {
        match scheme {
            VersionScheme::Build => (self.len >= 3).then(|| self.build().cmp(&other.build())),
            VersionScheme::Dotted => {
                let common = self.len.min(other.len);
                let prefix = self.parts()[..common].cmp(&other.parts()[..common]);
                if prefix.is_ne() || self.len >= other.len {
                    Some(self.cmp_with(other, scheme))
                } else {
                    None
                }
            }
        }
    }

    /// Compares under a product's scheme; missing trailing numbers count as 0.
    pub fn cmp_with(&self, other: &Version, scheme: VersionScheme) -> Ordering {
        match scheme {
            VersionScheme::Build => self.build().cmp(&other.build()),
            VersionScheme::Dotted => {
                let n = self.len.max(other.len);
                (0..n)
                    .map(|i| {
                        let a = self.parts().get(i).copied().unwrap_or(0);
                        let b = other.parts().get(i).copied().unwrap_or(0);
                        a.cmp(&b)
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            }
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for p in self.parts() {
            if !first {
                f.write_str(".")?;
            }
            write!(f, "{p}")?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn dash_and_dot_are_the_same() {
        assert_eq!(
            v("20.0.0-6690").cmp_with(&v("20.0.0.6690"), VersionScheme::Dotted),
            Ordering::Equal
        );
        assert_eq!(v("20.0.0-6690").to_string(), "20.0.0.6690");
        assert_eq!(
            v("20.0.0.6313").cmp_with(&v("20.0.0-6690"), VersionScheme::Dotted),
            Ordering::Less
        );
        assert_eq!(
            v("20.0.1.100").cmp_with(&v("20.0.0.6690"), VersionScheme::Dotted),
            Ordering::Greater
        );
        assert_eq!(
            v("20.0.737").cmp_with(&v("20.0.737.0"), VersionScheme::Dotted),
            Ordering::Equal
        );
    }

    #[test]
    fn build_scheme_compares_last_number() {
        assert_eq!(
            v("14.0.12011").cmp_with(&v("14.0.0.12011"), VersionScheme::Build),
            Ordering::Equal
        );
        assert_eq!(
            v("14.0.11564").cmp_with(&v("14.0.12011"), VersionScheme::Build),
            Ordering::Less
        );
    }

    #[test]
    fn a_version_too_short_to_decide_is_not_placed() {
        let d = VersionScheme::Dotted;
        assert_eq!(v("20.0").cmp_known(&v("20.0.0-6690"), d), None);
        assert_eq!(v("20.0.0").cmp_known(&v("20.0.0-6690"), d), None);
        assert_eq!(
            v("20.0.1").cmp_known(&v("20.0.0-6690"), d),
            Some(Ordering::Greater)
        );
        assert_eq!(
            v("12.0").cmp_known(&v("20.0.0-6690"), d),
            Some(Ordering::Less)
        );
        assert_eq!(
            v("20.0.0.6690").cmp_known(&v("20.0.0-6690"), d),
            Some(Ordering::Equal)
        );
        let b = VersionScheme::Build;
        assert_eq!(v("14.0").cmp_known(&v("14.0.12011"), b), None);
        assert_eq!(
            v("14.0.0.11564").cmp_known(&v("14.0.12011"), b),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn rejects_garbage() {
        assert!(Version::parse("").is_none());
        assert!(Version::parse("twenty").is_none());
        assert!(Version::parse("20.0.x").is_none());
        assert!(Version::parse("1.2.3.4.5.6.7").is_none());
        assert!(Version::parse("20.0.+1").is_none());
        assert_eq!(v("20.0.0 (Build 6690)").to_string(), "20.0.0.6690");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            if let Some(v) = Version::parse(&s) {
                let _ = (v.major(), v.build(), v.to_string());
            }
        }
    }
}
