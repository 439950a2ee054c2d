//! Dates as the rules and the facts write them: "2026", "2026-08",
//! "2026-08-11", or an RFC 3339 time stamp whose date is taken.

use jiff::civil::Date;

/// The first day a date text stands for ("2026-08" is 2026-08-01).
pub fn parse_day(text: &str) -> Option<Date> {
    let day = text.trim().get(..10).unwrap_or(text.trim());
    let full = match day.len() {
        4 => format!("{day}-01-01"),
        7 => format!("{day}-01"),
        _ => day.to_string(),
    };
    full.parse().ok()
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    let (a, b) = (parse_day(from)?, parse_day(to)?);
    Some(i64::from(a.until(b).ok()?.get_days()))
}

/// "2023", "2023-05" or "2023-05-04".
pub(crate) fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_years_days_and_time_stamps() {
        assert_eq!(days_between("2026-08", "2026-09-01"), Some(31));
        assert_eq!(days_between("2026-08-11", "2026-12-02"), Some(113));
        assert_eq!(days_between("2026", "2026-01-02T23:59:59Z"), Some(1));
        assert_eq!(days_between("2026-12-02", "2026-11-30"), Some(-2));
        assert_eq!(days_between("August", "2026-11-30"), None);
        assert_eq!(days_between("2026-13", "2026-11-30"), None);
        // Text is cut on char boundaries only.
        assert_eq!(days_between("２０２６-08-11", "2026-11-30"), None);
    }
}
