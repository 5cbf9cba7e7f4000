//! Local days and weeks: deployments across local midnight, the DST week, UTC against Berlin.

use gate_dora::{Outcome, Period, Settings, headline, report, weekly};
use jiff::tz::TimeZone;

use crate::builder::*;

#[test]
fn a_rollback_across_local_midnight_counts_in_the_week_it_finished() {
    let mut rb = deployment(
        "rb",
        "shop",
        at(2026, 11, 30, 0, 10),
        Outcome::RolledBack { automatic: true },
    );
    // Started Sunday 23:50, the last week; ended Monday 00:10, the current week.
    rb.started_at = at(2026, 11, 29, 23, 50);
    rb.detected_at = Some(at(2026, 11, 29, 23, 58));
    rb.recovered_at = Some(at(2026, 11, 30, 0, 10));
    let h = history(vec![rb]);
    let last = report(&h, &last_week(), None, &settings());
    assert_eq!(last.deploys.finished, 0);
    let this_week = Period::week_containing(now(), &berlin());
    let current = report(&h, &this_week, None, &settings());
    assert_eq!(current.deploys.auto_rolled_back, 1);
    assert_eq!(current.recovery.median_ms, Some(12 * MINUTE));
    assert_eq!(current.period.label, "week of 2026-11-30");
}

#[test]
fn a_deploy_across_midnight_counts_on_the_local_day_it_finished() {
    let mut late = promoted("late", "shop", at(2026, 11, 25, 0, 5));
    late.started_at = at(2026, 11, 24, 23, 55);
    let h = history(vec![
        late,
        promoted("noon", "shop", at(2026, 11, 25, 12, 0)),
    ]);
    let f = report(&h, &last_week(), None, &settings()).deployment_frequency;
    assert_eq!(f.count, 2);
    assert_eq!(f.days_with_deploy, 1);
}

#[test]
fn local_midnight_is_not_utc_midnight() {
    // Monday 00:30 in Berlin is Sunday 23:30 UTC.
    let h = history(vec![promoted("m", "shop", at(2026, 11, 30, 0, 30))]);
    let in_berlin = report(
        &h,
        &Period::week_containing(now(), &berlin()),
        None,
        &settings(),
    );
    assert_eq!(in_berlin.deployment_frequency.count, 1);
    let utc = Settings::default();
    let in_utc = report(
        &h,
        &Period::week_containing(now(), &TimeZone::UTC),
        None,
        &utc,
    );
    assert_eq!(in_utc.deployment_frequency.count, 0);
    assert_eq!(in_utc.period.time_zone, "UTC");
    assert_eq!(in_berlin.period.time_zone, "Europe/Berlin");
}

#[test]
fn the_dst_week_has_169_hours_and_keeps_its_sunday_night() {
    // Clocks go back on Sunday 2026-10-25 at 03:00 CEST.
    let sunday_night = at(2026, 10, 25, 23, 30);
    let week = Period::week_containing(sunday_night, &berlin());
    assert_eq!(week.since, at(2026, 10, 19, 0, 0));
    assert_eq!(week.until, at(2026, 10, 26, 0, 0));
    assert_eq!(week.until - week.since, 169 * HOUR);
    let h = history(vec![
        promoted("sat", "shop", at(2026, 10, 24, 12, 0)),
        // 02:30 happens twice that night; this is the first (CEST) one, 00:30 UTC.
        promoted("twice", "shop", at(2026, 10, 25, 2, 30)),
        promoted("late", "shop", sunday_night),
    ]);
    let r = report(&h, &week, None, &settings());
    assert_eq!(r.deployment_frequency.count, 3);
    assert_eq!(r.deployment_frequency.days_in_period, 7);
    // Saturday and Sunday, in local days.
    assert_eq!(r.deployment_frequency.days_with_deploy, 2);
    assert!(close(r.deployment_frequency.per_day, 3.0 / 7.0));
    assert!(close(r.deployment_frequency.per_week, 3.0));
    // The week after does not see the Sunday-night deploy.
    let after = Period::week_containing(week.until, &berlin());
    assert_eq!(report(&h, &after, None, &settings()).deploys.finished, 0);
    // And the week after compares with the DST week.
    assert_eq!(after.previous().since, week.since);
    assert_eq!(
        headline(&r),
        "3 deploys week of 2026-10-19, 3 successful, 0 auto-rolled-back, no failures to recover from"
    );
}

#[test]
fn weekly_points_are_local_weeks_labelled_by_their_monday() {
    let h = history(vec![
        promoted("a", "shop", at(2026, 11, 30, 10, 0)),
        auto_rolled_back("b", "shop", at(2026, 12, 1, 10, 0), 3 * MINUTE),
        promoted("c", "shop", at(2026, 11, 17, 10, 0)),
        promoted("dst", "shop", at(2026, 10, 25, 23, 30)),
    ]);
    let points = weekly(&h, now(), 12, None, &settings());
    assert_eq!(points.len(), 12);
    let labels: Vec<&str> = points.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Sep 14", "Sep 21", "Sep 28", "Oct 5", "Oct 12", "Oct 19", "Oct 26", "Nov 2", "Nov 9",
            "Nov 16", "Nov 23", "Nov 30"
        ]
    );
    let deploys: Vec<u64> = points.iter().map(|p| p.deploys).collect();
    assert_eq!(deploys, [0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 2]);
    let current = &points[11];
    assert_eq!(current.success_rate, Some(0.5));
    assert_eq!(current.recovery_median_ms, Some(3 * MINUTE));
    assert_eq!(points[10].success_rate, None);
    assert_eq!(points[5].until - points[5].since, 169 * HOUR);
    for pair in points.windows(2) {
        assert_eq!(pair[0].until, pair[1].since);
    }
}
