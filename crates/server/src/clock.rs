//! The server's clock: time stamps in RFC 3339 (UTC, milliseconds), Unix
//! milliseconds, and the day (UTC) the fleet's trend counts a change on.
//!
//! Every time the server records (assessments, tokens, sessions, the trend)
//! comes from [`now`]. It is the system's clock, unless the environment
//! variable [`START_ENV`] sets the time the process starts at (tests and
//! demonstrations of the trend: a server "on another day"); the clock then
//! runs on from there.

use std::sync::LazyLock;

use jiff::{SignedDuration, Timestamp};

/// `ACSREADY_CLOCK_START=2026-11-30T09:00:00Z`: the time the server's clock
/// starts at instead of the system's.
pub const START_ENV: &str = "ACSREADY_CLOCK_START";

/// How far the clock is from the system's: zero, or what [`START_ENV`] asks.
static OFFSET: LazyLock<Result<SignedDuration, String>> =
    LazyLock::new(|| offset(std::env::var(START_ENV).ok().as_deref(), Timestamp::now()));

fn offset(start: Option<&str>, system: Timestamp) -> Result<SignedDuration, String> {
    match start.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(SignedDuration::ZERO),
        Some(text) => text
            .parse::<Timestamp>()
            .map(|start| start.duration_since(system))
            .map_err(|e| format!("{START_ENV}: \"{text}\" is not an RFC 3339 time ({e})")),
    }
}

/// Refuses a clock setting that cannot be read (the server does not start
/// on a clock it was not asked for).
pub fn check() -> Result<(), String> {
    OFFSET.as_ref().map(|_| ()).map_err(Clone::clone)
}

fn timestamp() -> Timestamp {
    let system = Timestamp::now();
    match OFFSET.as_ref() {
        Ok(offset) => system.checked_add(*offset).unwrap_or(system),
        Err(_) => system,
    }
}

/// The time now, as Unix milliseconds and as RFC 3339 text.
pub fn now() -> (i64, String) {
    let ts = timestamp();
    (ts.as_millisecond(), stamp(ts))
}

/// Today (UTC), the day the trend counts a change on now.
pub fn today() -> jiff::civil::Date {
    timestamp().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// "2026-11-21T23:34:04.123Z".
pub fn stamp(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The day (UTC, "2026-11-21") of a time stamp written by [`stamp`]: its
/// first ten characters, as SQLite's `substr(assessed_at, 1, 10)` takes it.
pub fn day_of(stamp: &str) -> &str {
    stamp.get(..10).unwrap_or(stamp)
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
        assert_eq!(day_of(&s), "2023-11-14");
        assert_eq!(millis(&s), Some(1_700_000_000_123));
        assert_eq!(
            millis("2023-11-15T07:13:20.123+09:00"),
            Some(1_700_000_000_123)
        );
        assert_eq!(millis("not a time"), None);
        assert_eq!(day_of("short"), "short");
    }

    #[test]
    fn the_clock_starts_where_it_is_asked_or_at_the_system_time() {
        let system = Timestamp::from_second(1_800_000_000).unwrap();
        assert_eq!(offset(None, system), Ok(SignedDuration::ZERO));
        assert_eq!(offset(Some(" "), system), Ok(SignedDuration::ZERO));
        let start = "2026-11-30T09:00:00Z";
        let moved = offset(Some(start), system).unwrap();
        assert_eq!(
            system.checked_add(moved).unwrap(),
            start.parse::<Timestamp>().unwrap()
        );
        let bad = offset(Some("yesterday"), system).unwrap_err();
        assert!(
            bad.starts_with(START_ENV) && bad.contains("yesterday"),
            "{bad}"
        );
    }
}
