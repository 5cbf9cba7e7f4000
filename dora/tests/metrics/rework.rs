//! Rework: hotfixes, and deployments soon after a failure or a rollback deployment of the
//! same service.

use gate_dora::{Deployment, History, Settings, report};

use crate::builder::*;

#[test]
fn rework_by_hotfix_and_by_window() {
    let failed = auto_rolled_back("bad", "shop", at(2026, 11, 24, 10, 0), MINUTE);
    let detected = failed.detected_at.unwrap();
    let starting = |id: &str, service: &str, started_at: i64| Deployment {
        started_at,
        ..promoted(id, service, started_at + 10 * MINUTE)
    };
    let h = history(vec![
        failed,
        // Within 24 hours after the detection: rework.
        starting("fix", "shop", detected + 2 * HOUR),
        starting("edge", "shop", detected + DAY),
        // Just past the window.
        starting("later", "shop", detected + DAY + MINUTE),
        // Another service is not affected.
        starting("billing", "billing", detected + HOUR),
        // Marked as a hotfix, long after anything failed.
        Deployment {
            hotfix: true,
            ..promoted("hot", "shop", at(2026, 11, 28, 10, 0))
        },
    ]);
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(r.rework.deployments, 6);
    assert_eq!(r.rework.hotfixes, 1);
    assert_eq!(r.rework.after_failure, 2);
    assert_eq!(r.rework.rework, 3);
    assert_eq!(r.rework.rate, Some(0.5));
    assert_eq!(r.rework.window_ms, DAY);

    // With a one-hour window only the hotfix is rework.
    let narrow = Settings {
        rework_window_ms: HOUR,
        ..settings()
    };
    let r = report(&h, &last_week(), None, &narrow);
    assert_eq!((r.rework.hotfixes, r.rework.after_failure), (1, 0));
}

#[test]
fn a_rollback_deployment_or_an_earlier_weeks_failure_starts_the_window() {
    let back_started = at(2026, 11, 25, 9, 0);
    let h = History {
        deployments: vec![
            Deployment {
                rollback: true,
                started_at: back_started,
                ..promoted("back", "shop", back_started + 5 * MINUTE)
            },
            Deployment {
                started_at: back_started + 3 * HOUR,
                ..promoted("after-back", "shop", back_started + 3 * HOUR + 10 * MINUTE)
            },
            // Failed on Sunday of the week before (found by an incident), fixed on Monday.
            promoted("sunday", "billing", at(2026, 11, 22, 20, 0)),
            Deployment {
                started_at: at(2026, 11, 23, 8, 0),
                ..promoted("monday", "billing", at(2026, 11, 23, 8, 10))
            },
        ],
        incidents: vec![incident("i", "sunday", at(2026, 11, 22, 21, 0), None)],
        runs: vec![],
    };
    let r = report(&h, &last_week(), None, &settings());
    // The rollback deployment itself is no change; the other two are rework.
    assert_eq!(r.rework.deployments, 2);
    assert_eq!(r.rework.after_failure, 2);
    assert_eq!(r.rework.rate, Some(1.0));
    // The week before: its one change failed, and was not itself rework.
    let before = report(&h, &last_week().previous(), None, &settings());
    assert_eq!(before.rework.rate, Some(0.0));
    // So rework went from 0% to 100%: worse.
    assert_eq!(r.rework.change.better, Some(false));
    assert_eq!(r.rework.change.relative_percent, None);
}
