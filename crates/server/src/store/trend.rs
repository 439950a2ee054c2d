//! The fleet's trend: hosts per verdict as they stood at the end of each day
//! (UTC), for both stores.
//!
//! The table `trend` keeps, per day, the net change of the host count of
//! each verdict made that day; it is written in the same transaction as the
//! counts (SQLite: triggers on `latest`; PostgreSQL: the writer, beside
//! `counts`). Every change is added, never overwritten, so replicas that
//! commit in any order, or around midnight, all leave it right. Its rows
//! add up to the counts (the current total of every verdict), so the state
//! at the end of day D is the counts minus the changes of the days after
//! D: a read of N days costs N rows and the counts, whatever the size of
//! the fleet. Days without a change have no row: they carry the day before
//! forward. The first row is the first day kept (a database of an older
//! schema starts its trend, seeded from its counts, on the day it is
//! brought up to date).

use std::sync::LazyLock;

use acsready_assess::Verdict;
use jiff::civil::Date;
use jiff::Span;
use serde::Serialize;

/// The columns of `trend` after `day`: one per verdict, in the order of
/// [`Verdict::ALL`].
pub fn verdict_columns(each: impl Fn(&str) -> String, sep: &str) -> String {
    Verdict::ALL.map(|v| each(v.as_str())).join(sep)
}

/// The day's changes of the verdicts' host counts (both stores).
pub static CHANGES_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT day, {} FROM trend WHERE day > {{after}} ORDER BY day",
        verdict_columns(|v| format!("CAST({v} AS BIGINT)"), ", ")
    )
});

/// The first day kept ('' when the table is empty) and the hosts of each
/// verdict now, from the counts, in one row.
pub static TOTALS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT (SELECT coalesce(min(day), '') FROM trend), {} FROM counts",
        verdict_columns(
            |v| format!(
                "CAST(coalesce(sum(CASE WHEN verdict = '{v}' THEN hosts ELSE 0 END), 0) AS BIGINT)"
            ),
            ", "
        )
    )
});

/// Seeds the trend of a fleet stored before it existed: its counts now, as
/// the change of day `{day}` (nothing for an empty fleet).
pub static SEED_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO trend (day, {columns})
         SELECT {{day}}, {columns} FROM (SELECT {sums}, sum(hosts) AS hosts FROM counts) AS fleet
         WHERE fleet.hosts > 0",
        columns = verdict_columns(str::to_string, ", "),
        sums = verdict_columns(
            |v| format!("sum(CASE WHEN verdict = '{v}' THEN hosts ELSE 0 END) AS {v}"),
            ", "
        ),
    )
});

/// `sql` with its `{after}` or `{day}` placeholder written as `param`
/// (`?1`, `$1`).
pub fn with_param(sql: &str, param: &str) -> String {
    sql.replace("{after}", param).replace("{day}", param)
}

/// What a read of the trend needs, taken in one snapshot of the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrendRows {
    /// Hosts of each verdict now (the counts), in the order of [`Verdict::ALL`].
    pub totals: [i64; 4],
    /// The first day kept; `None` before the first host.
    pub first: Option<String>,
    /// The changes of the days after the one asked for, oldest first.
    pub changes: Vec<(String, [i64; 4])>,
}

/// The hosts of each verdict at the end of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCounts {
    pub day: String,
    pub hosts: u64,
    pub ready: u64,
    pub not_ready: u64,
    pub unknown: u64,
    pub unsupported: u64,
}

impl DayCounts {
    fn of(day: String, n: [i64; 4]) -> Self {
        let c = n.map(|x| u64::try_from(x).unwrap_or(0));
        DayCounts {
            day,
            hosts: c.iter().sum(),
            ready: c[0],
            not_ready: c[1],
            unknown: c[2],
            unsupported: c[3],
        }
    }
}

/// The day `days` days before `day`.
pub fn days_before(day: Date, days: u32) -> Date {
    day.checked_sub(Span::new().days(i64::from(days)))
        .unwrap_or(Date::MIN)
}

/// The last `days` days up to `today` (or up to the last day with a change,
/// when a replica's clock is ahead), oldest first, from the first day kept
/// on; `rows` must hold the changes of every day after `today - days`.
pub fn days(rows: &TrendRows, today: Date, days: u32) -> Vec<DayCounts> {
    let Some(first) = rows.first.as_deref().and_then(|d| d.parse::<Date>().ok()) else {
        return Vec::new();
    };
    let last_change = rows
        .changes
        .last()
        .and_then(|(d, _)| d.parse::<Date>().ok());
    let end = last_change.map_or(today, |d| d.max(today));
    let start = days_before(end, days.saturating_sub(1)).max(first);
    let mut state = rows.totals;
    let mut changes = rows.changes.iter().rev().peekable();
    let mut out = Vec::new();
    let mut day = end;
    while day >= start {
        let text = day.to_string();
        // The changes made after this day, taken back: the state at its end.
        while let Some((_, n)) = changes.next_if(|(d, _)| d.as_str() > text.as_str()) {
            for (s, x) in state.iter_mut().zip(n) {
                *s -= x;
            }
        }
        out.push(DayCounts::of(text, state));
        match day.yesterday() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn row(day: &str, n: [i64; 4]) -> (String, [i64; 4]) {
        (day.to_string(), n)
    }

    #[test]
    fn each_day_is_the_counts_less_the_changes_after_it_and_quiet_days_carry_on() {
        // Day 1: 3 hosts (1 ready); day 3: one not ready becomes ready and
        // a new unknown arrives; day 6: the unknown becomes ready.
        let rows = TrendRows {
            totals: [3, 1, 0, 0],
            first: Some("2026-11-01".into()),
            changes: vec![
                row("2026-11-03", [1, -1, 1, 0]),
                row("2026-11-06", [1, 0, -1, 0]),
            ],
        };
        let got = days(&rows, date("2026-11-07"), 90);
        let ready: Vec<(&str, u64, u64)> = got
            .iter()
            .map(|d| (d.day.as_str(), d.ready, d.hosts))
            .collect();
        assert_eq!(
            ready,
            [
                ("2026-11-01", 1, 3),
                ("2026-11-02", 1, 3),
                ("2026-11-03", 2, 4),
                ("2026-11-04", 2, 4),
                ("2026-11-05", 2, 4),
                ("2026-11-06", 3, 4),
                ("2026-11-07", 3, 4),
            ]
        );
        assert_eq!(got[0].not_ready, 2);
        assert_eq!(got[2].unknown, 1);
        assert_eq!(got[6].unknown, 0);
        // A window shorter than what is kept: its last days only.
        let last3 = days(&rows, date("2026-11-07"), 3);
        assert_eq!(
            last3.iter().map(|d| d.day.as_str()).collect::<Vec<_>>(),
            ["2026-11-05", "2026-11-06", "2026-11-07"]
        );
        assert_eq!(last3[0].ready, 2);
        assert_eq!(days(&rows, date("2026-11-07"), 1).len(), 1);
    }

    #[test]
    fn nothing_kept_is_no_day_and_a_clock_ahead_extends_the_window() {
        assert!(days(&TrendRows::default(), date("2026-11-07"), 90).is_empty());
        let rows = TrendRows {
            totals: [2, 0, 0, 0],
            first: Some("2026-11-07".into()),
            changes: vec![
                row("2026-11-07", [1, 0, 0, 0]),
                row("2026-11-08", [1, 0, 0, 0]),
            ],
        };
        let got = days(&rows, date("2026-11-07"), 90);
        assert_eq!(
            got.iter()
                .map(|d| (d.day.as_str(), d.ready))
                .collect::<Vec<_>>(),
            [("2026-11-07", 1), ("2026-11-08", 2)]
        );
    }

    #[test]
    fn the_statements_name_every_verdict() {
        for sql in [&*CHANGES_SQL, &*TOTALS_SQL, &*SEED_SQL] {
            for v in Verdict::ALL {
                assert!(sql.contains(v.as_str()), "{sql}");
            }
        }
        assert!(with_param(&CHANGES_SQL, "?1").contains("day > ?1"));
        assert!(with_param(&SEED_SQL, "$1").contains("SELECT $1, ready"));
        assert_eq!(days_before(date("2026-03-01"), 1), date("2026-02-28"));
    }
}
