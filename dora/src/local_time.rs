//! The bridge between unix milliseconds and local calendar days in a zone: the only module
//! that calls jiff. Instants outside jiff's range (years -9999 to 9999) are clamped to it, so a
//! garbage timestamp lands on the first or last representable day instead of failing the
//! whole report.

use jiff::{SignedDuration, Timestamp, civil::Date, tz::TimeZone};

const DAY_SECONDS: i64 = 24 * 60 * 60;

pub(crate) fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(if ms > 0 {
        Timestamp::MAX
    } else {
        Timestamp::MIN
    })
}

/// The local calendar date of an instant.
pub(crate) fn local_date(ms: i64, tz: &TimeZone) -> Date {
    tz.to_datetime(timestamp(ms)).date()
}

/// The instant a local day starts (00:00, or the first valid time when a gap swallows it).
pub(crate) fn start_of_day(date: Date, tz: &TimeZone) -> i64 {
    date.to_zoned_datetime(tz.clone())
        .and_then(|zdt| zdt.start_of_day())
        .map(|zdt| zdt.timestamp().as_millisecond())
        .unwrap_or_else(|_| {
            if date > Date::constant(0, 1, 1) {
                Timestamp::MAX.as_millisecond()
            } else {
                Timestamp::MIN.as_millisecond()
            }
        })
}

/// `date` moved by `days` calendar days, saturating at jiff's range.
pub(crate) fn add_days(date: Date, days: i64) -> Date {
    date.saturating_add(SignedDuration::from_secs(days.saturating_mul(DAY_SECONDS)))
}

/// Whole calendar days from `from` to `to` (negative when `to` is earlier).
pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    from.duration_until(to).as_secs() / DAY_SECONDS
}

/// The Monday on or before `date`.
pub(crate) fn monday_of(date: Date) -> Date {
    add_days(date, -i64::from(date.weekday().to_monday_zero_offset()))
}

/// The number of local calendar days that `[since, until)` touches (at least one).
pub(crate) fn local_days(since: i64, until: i64, tz: &TimeZone) -> i64 {
    if until <= since {
        return 1;
    }
    days_between(local_date(since, tz), local_date(until - 1, tz)) + 1
}

/// `2026-10-26`
pub(crate) fn iso_date(date: Date) -> String {
    date.to_string()
}

/// `Oct 26`
pub(crate) fn short_date(date: Date) -> String {
    format!("{} {}", date.strftime("%b"), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_across_a_dst_change_are_calendar_days() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let monday = Date::constant(2026, 10, 19);
        let since = start_of_day(monday, &tz);
        let until = start_of_day(add_days(monday, 7), &tz);
        assert_eq!(until - since, 169 * 3_600_000);
        assert_eq!(local_days(since, until, &tz), 7);
    }

    #[test]
    fn monday_of_sunday_is_six_days_before() {
        assert_eq!(
            monday_of(Date::constant(2026, 11, 1)),
            Date::constant(2026, 10, 26)
        );
        assert_eq!(short_date(Date::constant(2026, 11, 30)), "Nov 30");
    }

    #[test]
    fn out_of_range_instants_clamp() {
        let tz = TimeZone::UTC;
        assert_eq!(local_date(i64::MAX, &tz).year(), 9999);
        assert_eq!(local_date(i64::MIN, &tz).year(), -9999);
    }
}
