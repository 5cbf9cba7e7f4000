//! Change failure rate and recovery time: incident-linked failures, recovery from detection or
//! from the incident, bands at the edges, the headline's MTTR.

use gate_dora::{Band, Deployment, History, headline, report};

use crate::builder::*;

#[test]
fn an_incident_marks_a_promoted_change_as_failed_and_times_its_recovery() {
    let h = History {
        deployments: vec![
            promoted("ok", "shop", at(2026, 11, 23, 10, 0)),
            promoted("inc", "shop", at(2026, 11, 24, 10, 0)),
            auto_rolled_back("rb", "shop", at(2026, 11, 25, 10, 0), 134_000),
        ],
        incidents: vec![incident(
            "i1",
            "inc",
            at(2026, 11, 24, 12, 0),
            Some(at(2026, 11, 24, 13, 30)),
        )],
        runs: vec![],
    };
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(r.change_failure.changes, 3);
    assert_eq!(r.change_failure.failed, 2);
    assert_eq!(r.change_failure.failed_by_incident_only, 1);
    assert!(close(r.change_failure.rate.unwrap(), 2.0 / 3.0));
    assert_eq!(r.change_failure.band, Some(Band::Low));
    // 2:14 and 1:30:00: the nearest-rank median of two is the lower one.
    assert_eq!(r.recovery.measured, 2);
    assert_eq!(r.recovery.median_ms, Some(134_000));
    assert_eq!(r.recovery.mean_ms, Some((134_000 + 90 * MINUTE) / 2));
    assert_eq!(r.recovery.band, Some(Band::Elite));
    assert_eq!(
        headline(&r),
        "3 deploys last week, 2 successful, 1 auto-rolled-back, MTTR 2:14"
    );
}

#[test]
fn detection_to_recovery_wins_over_the_incident_and_unresolved_incidents_are_not_measured() {
    let h = History {
        deployments: vec![
            auto_rolled_back("both", "shop", at(2026, 11, 24, 10, 0), 3 * MINUTE),
            promoted("open", "shop", at(2026, 11, 25, 10, 0)),
        ],
        incidents: vec![
            incident(
                "i1",
                "both",
                at(2026, 11, 24, 10, 0),
                Some(at(2026, 11, 24, 20, 0)),
            ),
            incident("i2", "open", at(2026, 11, 25, 11, 0), None),
        ],
        runs: vec![],
    };
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(r.change_failure.failed, 2);
    assert_eq!(r.recovery.failures, 2);
    assert_eq!(r.recovery.measured, 1);
    assert_eq!(r.recovery.median_ms, Some(3 * MINUTE));
}

#[test]
fn a_failure_belongs_to_the_week_its_deployment_finished() {
    // Deployed the week before; the incident only starts last week.
    let h = History {
        deployments: vec![promoted("old", "shop", at(2026, 11, 22, 22, 0))],
        incidents: vec![incident(
            "i1",
            "old",
            at(2026, 11, 23, 9, 0),
            Some(at(2026, 11, 23, 10, 0)),
        )],
        runs: vec![],
    };
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(r.change_failure.failed, 0);
    assert_eq!(r.recovery.failures, 0);
    let before = report(&h, &last_week().previous(), None, &settings());
    assert_eq!(before.change_failure.rate, Some(1.0));
    assert_eq!(before.recovery.median_ms, Some(HOUR));
    assert_eq!(before.recovery.band, Some(Band::High));
    assert_eq!(
        headline(&before),
        "1 deploy the week before, 1 successful, 0 auto-rolled-back, MTTR 1:00:00"
    );
}

#[test]
fn the_headline_shows_hours_when_recovery_took_an_hour_or_more() {
    let h = history(vec![auto_rolled_back(
        "rb",
        "shop",
        at(2026, 11, 24, 10, 0),
        HOUR + 2 * MINUTE + 3_000,
    )]);
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(
        headline(&r),
        "1 deploy last week, 0 successful, 1 auto-rolled-back, MTTR 1:02:03"
    );
    assert_eq!(r.recovery.band, Some(Band::High));
}

#[test]
fn change_failure_bands_at_the_edges() {
    let rate_band = |changes: i64, failed: i64| {
        let deployments: Vec<Deployment> = (0..changes)
            .map(|i| {
                let finished = at(2026, 11, 23, 8, 0) + i * 10 * MINUTE;
                if i < failed {
                    auto_rolled_back(&format!("f{i}"), "shop", finished, MINUTE)
                } else {
                    promoted(&format!("p{i}"), "shop", finished)
                }
            })
            .collect();
        let cf = report(&history(deployments), &last_week(), None, &settings()).change_failure;
        (cf.rate, cf.band)
    };
    assert_eq!(rate_band(20, 1), (Some(0.05), Some(Band::Elite)));
    assert_eq!(rate_band(19, 1).1, Some(Band::High));
    assert_eq!(rate_band(10, 1), (Some(0.1), Some(Band::High)));
    assert_eq!(rate_band(20, 3), (Some(0.15), Some(Band::Medium)));
    assert_eq!(rate_band(6, 1).1, Some(Band::Low));
    assert_eq!(rate_band(3, 0), (Some(0.0), Some(Band::Elite)));
}

#[test]
fn recovery_bands_at_the_edges() {
    let band = |recovery_ms| {
        let h = history(vec![auto_rolled_back(
            "rb",
            "shop",
            at(2026, 11, 24, 10, 0),
            recovery_ms,
        )]);
        report(&h, &last_week(), None, &settings()).recovery.band
    };
    assert_eq!(band(HOUR - 1), Some(Band::Elite));
    assert_eq!(band(HOUR), Some(Band::High));
    assert_eq!(band(DAY), Some(Band::Medium));
    assert_eq!(band(7 * DAY), Some(Band::Low));
}
