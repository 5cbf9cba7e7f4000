//! When the weekly digest is due: a weekday and a local time in a time zone (`"monday
//! 08:00"`, `Europe/Berlin`), and the week a due digest covers. Pure: the scheduler asks with
//! the time it thinks it is.
//!
//! Times are civil times in the zone, so 08:00 stays 08:00 across a DST change. A due time
//! that falls into a gap (clocks jump forward over it) is taken as the first instant after
//! the gap; one that falls into a fold (clocks go back) as its first occurrence.

use gate_toml::Invalid;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// A weekday and a time of day, e.g. Monday 08:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub weekday: Weekday,
    pub hour: i8,
    pub minute: i8,
}

/// A digest that came due: when, and the local week it covers, `[since, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueWeek {
    pub due: Timestamp,
    pub since: Timestamp,
    pub until: Timestamp,
}

const DAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

impl Default for Schedule {
    /// Monday 08:00.
    fn default() -> Schedule {
        Schedule {
            weekday: Weekday::Monday,
            hour: 8,
            minute: 0,
        }
    }
}

impl Schedule {
    /// `"monday 08:00"`: a weekday (in full or its first three letters, any case) and `HH:MM`
    /// on a 24-hour clock.
    pub fn parse(s: &str) -> Result<Schedule, Invalid> {
        let help = "write a weekday and a 24-hour time, e.g. \"monday 08:00\"";
        let mut words = s.split_whitespace();
        let (Some(day), Some(time), None) = (words.next(), words.next(), words.next()) else {
            return Err(Invalid::new(
                "must be a weekday and a time",
                "not `weekday HH:MM`",
                help,
            ));
        };
        let lower = day.to_lowercase();
        let Some(weekday) = DAYS
            .iter()
            .find(|(name, _)| *name == lower || (lower.len() == 3 && name.starts_with(&lower)))
            .map(|(_, w)| *w)
        else {
            let meant = gate_toml::suggest::closest(&lower, DAYS.iter().map(|(n, _)| *n));
            return Err(Invalid::new(
                format!("names no weekday: `{day}`"),
                "not a weekday",
                match meant {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => help.to_string(),
                },
            ));
        };
        let clock = time.split_once(':').and_then(|(h, m)| {
            let two_digits = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
            if !(two_digits(h) || h.len() == 1 && h.bytes().all(|b| b.is_ascii_digit()))
                || !two_digits(m)
            {
                return None;
            }
            let (hour, minute) = (h.parse::<i8>().ok()?, m.parse::<i8>().ok()?);
            (hour < 24 && minute < 60).then_some((hour, minute))
        });
        let Some((hour, minute)) = clock else {
            return Err(Invalid::new(
                format!("has no valid time of day: `{time}`"),
                "not HH:MM",
                help,
            ));
        };
        Ok(Schedule {
            weekday,
            hour,
            minute,
        })
    }

    /// The latest due time at or before `now`, and its week.
    pub fn latest(&self, now: Timestamp, zone: &TimeZone) -> DueWeek {
        let today = now.to_zoned_datetime(zone.clone()).date();
        let back = (today.weekday().to_monday_zero_offset() - self.weekday.to_monday_zero_offset())
            .rem_euclid(7);
        let mut day = add_days(today, -i64::from(back));
        if self.at(day, zone) > now {
            day = add_days(day, -7);
        }
        self.week_of(day, zone)
    }

    /// The first due time after `now`.
    pub fn next_after(&self, now: Timestamp, zone: &TimeZone) -> Timestamp {
        let latest = self.latest(now, zone).due;
        let day = latest.to_zoned_datetime(zone.clone()).date();
        self.at(add_days(day, 7), zone)
    }

    /// The digest due on `day` (a day of the schedule's weekday).
    fn week_of(&self, day: Date, zone: &TimeZone) -> DueWeek {
        let (since, until) = week_before(day, zone);
        DueWeek {
            due: self.at(day, zone),
            since,
            until,
        }
    }

    fn at(&self, day: Date, zone: &TimeZone) -> Timestamp {
        instant(day, self.hour, self.minute, zone)
    }
}

/// The text of a schedule, as written in `gate.toml`: `monday 08:00`.
impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = DAYS
            .iter()
            .find(|(_, w)| *w == self.weekday)
            .map_or("monday", |(n, _)| n);
        write!(f, "{name} {:02}:{:02}", self.hour, self.minute)
    }
}

/// The last full calendar week (Monday 00:00 to Monday 00:00, local) before `now`.
pub fn last_full_week(now: Timestamp, zone: &TimeZone) -> (Timestamp, Timestamp) {
    week_before(now.to_zoned_datetime(zone.clone()).date(), zone)
}

/// The calendar week before the one `day` is in: from the Monday before its Monday.
fn week_before(day: Date, zone: &TimeZone) -> (Timestamp, Timestamp) {
    let monday = add_days(day, -i64::from(day.weekday().to_monday_zero_offset()));
    (midnight(add_days(monday, -7), zone), midnight(monday, zone))
}

fn add_days(day: Date, days: i64) -> Date {
    day.checked_add(Span::new().days(days)).unwrap_or(day)
}

fn midnight(day: Date, zone: &TimeZone) -> Timestamp {
    instant(day, 0, 0, zone)
}

/// The instant `day` at `hour:minute` in `zone` (a gap: just after it; a fold: the first).
fn instant(day: Date, hour: i8, minute: i8, zone: &TimeZone) -> Timestamp {
    zone.to_zoned_datetime(day.at(hour, minute, 0, 0))
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn parses_weekday_and_time() {
        assert_eq!(
            Schedule::parse("monday 08:00").unwrap(),
            Schedule::default()
        );
        let fri = Schedule::parse("Fri 17:30").unwrap();
        assert_eq!(
            (fri.weekday, fri.hour, fri.minute),
            (Weekday::Friday, 17, 30)
        );
        assert_eq!(fri.to_string(), "friday 17:30");
        assert_eq!(Schedule::parse("monday 8:05").unwrap().minute, 5);
        let typo = Schedule::parse("mondy 08:00").unwrap_err();
        assert_eq!(typo.help, "did you mean `monday`?");
        for bad in [
            "monday",
            "monday 24:00",
            "monday 08:60",
            "monday 8h",
            "08:00 monday x",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn due_exactly_at_eight_local_and_not_a_moment_before() {
        let s = Schedule::default();
        // 2026-12-07 is a Monday; Berlin is UTC+1 in winter.
        let due = s.latest(ts("2026-12-07T07:00:00Z"), &berlin());
        assert_eq!(due.due, ts("2026-12-07T07:00:00Z"));
        assert_eq!(due.since, ts("2026-11-29T23:00:00Z"));
        assert_eq!(due.until, ts("2026-12-06T23:00:00Z"));
        let before = s.latest(ts("2026-12-07T06:59:59Z"), &berlin());
        assert_eq!(before.due, ts("2026-11-30T07:00:00Z"));
        assert_eq!(
            s.next_after(ts("2026-12-07T06:59:59Z"), &berlin()),
            ts("2026-12-07T07:00:00Z")
        );
        assert_eq!(
            s.next_after(ts("2026-12-07T07:00:00Z"), &berlin()),
            ts("2026-12-14T07:00:00Z")
        );
    }

    #[test]
    fn the_week_of_the_dst_change_is_169_hours_and_eight_stays_local() {
        let s = Schedule::default();
        // Summer time ends on Sunday 2026-10-25: Monday 2026-10-26 08:00 is 07:00 UTC, the
        // Monday before 06:00 UTC.
        let due = s.latest(ts("2026-10-26T09:00:00Z"), &berlin());
        assert_eq!(due.due, ts("2026-10-26T07:00:00Z"));
        assert_eq!(due.since, ts("2026-10-18T22:00:00Z"));
        assert_eq!(due.until, ts("2026-10-25T23:00:00Z"));
        assert_eq!(due.until.as_second() - due.since.as_second(), 169 * 3600);
        let before = s.latest(ts("2026-10-26T06:30:00Z"), &berlin());
        assert_eq!(before.due, ts("2026-10-19T06:00:00Z"));
        assert_eq!(
            s.next_after(ts("2026-10-20T00:00:00Z"), &berlin()),
            ts("2026-10-26T07:00:00Z")
        );
    }

    #[test]
    fn a_schedule_later_in_the_week_covers_the_last_full_week() {
        let s = Schedule::parse("friday 17:00").unwrap();
        let utc = TimeZone::UTC;
        let due = s.latest(ts("2026-12-12T00:00:00Z"), &utc);
        assert_eq!(due.due, ts("2026-12-11T17:00:00Z"));
        assert_eq!(due.since, ts("2026-11-30T00:00:00Z"));
        assert_eq!(due.until, ts("2026-12-07T00:00:00Z"));
    }
}
