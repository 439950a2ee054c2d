//! Time stamps: RFC 3339 in UTC with milliseconds, and Unix milliseconds.

use jiff::Timestamp;

/// The time now, as Unix milliseconds and as RFC 3339 text.
pub fn now() -> (i64, String) {
    let ts = Timestamp::now();
    (ts.as_millisecond(), stamp(ts))
}

/// "2026-11-21T23:34:04.123Z".
pub fn stamp(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Unix milliseconds of an RFC 3339 time stamp.
pub fn millis(rfc3339: &str) -> Option<i64> {
    rfc3339
        .parse::<Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_with_milliseconds_and_read_back() {
        let ts = Timestamp::from_millisecond(1_700_000_000_123).unwrap();
        let s = stamp(ts);
        assert_eq!(s, "2023-11-14T22:13:20.123Z");
        assert_eq!(millis(&s), Some(1_700_000_000_123));
        assert_eq!(
            millis("2023-11-15T07:13:20.123+09:00"),
            Some(1_700_000_000_123)
        );
        assert_eq!(millis("not a time"), None);
    }
}
