//! The span of time a report covers: half-open `[since, until)` in unix milliseconds, with a
//! label for people. A local week runs from Monday 00:00 to the next Monday 00:00 in a zone, so
//! a week with a DST change has 167 or 169 hours. A period knows how to find the one before it
//! (the previous local week, or the same length just before), which the period-over-period
//! change compares with.

use jiff::tz::TimeZone;

use crate::local_time::{add_days, iso_date, local_date, monday_of, start_of_day};

/// A half-open span `[since, until)` of unix milliseconds.
#[derive(Debug, Clone)]
pub struct Period {
    pub since: i64,
    pub until: i64,
    pub label: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Monday to Monday in this zone.
    LocalWeek(TimeZone),
    /// Any span; the one before it has the same length.
    Span,
}

impl Period {
    /// The local week (Monday 00:00 to next Monday 00:00 in `tz`) containing the instant,
    /// labelled `week of 2026-10-19`.
    pub fn week_containing(instant_ms: i64, tz: &TimeZone) -> Self {
        let monday = monday_of(local_date(instant_ms, tz));
        Self {
            since: start_of_day(monday, tz),
            until: start_of_day(add_days(monday, 7), tz),
            label: format!("week of {}", iso_date(monday)),
            kind: Kind::LocalWeek(tz.clone()),
        }
    }

    /// The local week containing `now_ms`, so far, labelled `this week` (the dashboard's).
    pub fn this_week(now_ms: i64, tz: &TimeZone) -> Self {
        Self::week_containing(now_ms, tz).with_label("this week")
    }

    /// The last local week that has ended by `now_ms`, labelled `last week`.
    pub fn last_full_week(now_ms: i64, tz: &TimeZone) -> Self {
        let current = Self::week_containing(now_ms, tz);
        Self::week_containing(current.since.saturating_sub(1), tz).with_label("last week")
    }

    /// Any span, labelled with its UTC dates (`2026-11-01 – 2026-11-08`, the end exclusive).
    pub fn between(since: i64, until: i64) -> Self {
        Self::between_in(since, until, &TimeZone::UTC)
    }

    /// Any span, labelled with its dates in `tz`.
    pub fn between_in(since: i64, until: i64, tz: &TimeZone) -> Self {
        Self {
            since,
            until,
            label: format!(
                "{} – {}",
                iso_date(local_date(since, tz)),
                iso_date(local_date(until, tz))
            ),
            kind: Kind::Span,
        }
    }

    /// The same period with another label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The span just before: the previous local week (`the week before`) for a week, the same
    /// length otherwise (`the previous period`).
    pub fn previous(&self) -> Self {
        match &self.kind {
            Kind::LocalWeek(tz) => Self::week_containing(self.since.saturating_sub(1), tz)
                .with_label("the week before"),
            Kind::Span => {
                let length = self.until.saturating_sub(self.since);
                Self {
                    since: self.since.saturating_sub(length),
                    until: self.since,
                    label: "the previous period".to_owned(),
                    kind: Kind::Span,
                }
            }
        }
    }

    /// Whether it is a local week (so text may say "this week").
    pub fn is_week(&self) -> bool {
        matches!(self.kind, Kind::LocalWeek(_))
    }

    /// Whether the instant is in `[since, until)`.
    pub fn contains(&self, instant_ms: i64) -> bool {
        self.since <= instant_ms && instant_ms < self.until
    }

    /// Its length in milliseconds.
    pub fn length_ms(&self) -> i64 {
        self.until.saturating_sub(self.since)
    }
}

/// The `weeks` local weeks up to and including the one containing `now_ms`, oldest first.
pub fn weeks_ending(now_ms: i64, tz: &TimeZone, weeks: usize) -> Vec<Period> {
    let mut periods = Vec::with_capacity(weeks);
    let mut week = Period::week_containing(now_ms, tz);
    for _ in 0..weeks {
        let before = Period::week_containing(week.since.saturating_sub(1), tz);
        periods.push(week);
        week = before;
    }
    periods.reverse();
    periods
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
        date(y, m, d)
            .at(h, min, 0, 0)
            .to_zoned_datetime(berlin())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    #[test]
    fn the_dst_week_has_169_hours() {
        // Sunday 2026-10-25, 03:00 CEST becomes 02:00 CET.
        let week = Period::week_containing(at(2026, 10, 25, 23, 30), &berlin());
        assert_eq!(week.since, at(2026, 10, 19, 0, 0));
        assert_eq!(week.until, at(2026, 10, 26, 0, 0));
        assert_eq!(week.length_ms(), 169 * 3_600_000);
        assert_eq!(week.label, "week of 2026-10-19");
    }

    #[test]
    fn the_spring_week_has_167_hours() {
        let week = Period::week_containing(at(2026, 3, 29, 12, 0), &berlin());
        assert_eq!(week.length_ms(), 167 * 3_600_000);
    }

    #[test]
    fn last_full_week_and_the_one_before() {
        let last = Period::last_full_week(at(2026, 11, 4, 9, 0), &berlin());
        assert_eq!(last.label, "last week");
        assert_eq!(last.since, at(2026, 10, 26, 0, 0));
        assert_eq!(last.until, at(2026, 11, 2, 0, 0));
        let before = last.previous();
        assert_eq!(before.label, "the week before");
        assert_eq!(before.since, at(2026, 10, 19, 0, 0));
        assert_eq!(before.until, at(2026, 10, 26, 0, 0));
        assert_eq!(before.length_ms(), 169 * 3_600_000);
    }

    #[test]
    fn a_span_before_has_the_same_length() {
        let p = Period::between_in(at(2026, 11, 1, 0, 0), at(2026, 11, 8, 0, 0), &berlin());
        assert_eq!(p.label, "2026-11-01 – 2026-11-08");
        let before = p.previous();
        assert_eq!(before.label, "the previous period");
        assert_eq!(before.until, p.since);
        assert_eq!(before.length_ms(), p.length_ms());
    }

    #[test]
    fn between_labels_in_utc() {
        let p = Period::between(1_793_491_200_000, 1_794_096_000_000);
        assert_eq!(p.label, "2026-11-01 – 2026-11-08");
    }

    #[test]
    fn twelve_weeks_end_with_the_current_one() {
        let now = at(2026, 11, 4, 9, 0);
        let weeks = weeks_ending(now, &berlin(), 12);
        assert_eq!(weeks.len(), 12);
        assert!(weeks[11].contains(now));
        assert_eq!(weeks[0].since, at(2026, 8, 17, 0, 0));
        for pair in weeks.windows(2) {
            assert_eq!(pair[0].until, pair[1].since);
        }
    }
}
