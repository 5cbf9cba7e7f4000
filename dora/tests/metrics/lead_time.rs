//! Lead time: a commit counts once per service, at its first promotion; unusable commit times
//! are left out; nearest-rank median and p90.

use gate_dora::{Band, Deployment, History, Outcome, report};

use crate::builder::*;

#[test]
fn a_commit_carried_by_several_deployments_counts_once_at_its_first_promotion() {
    let monday = at(2026, 11, 23, 12, 0);
    let h = history(vec![
        // Rolled back first: not a promotion, so c1 is not counted here.
        Deployment {
            commits: vec![commit("c1", Some(monday - 3 * HOUR))],
            ..auto_rolled_back("bad", "shop", monday - HOUR, MINUTE)
        },
        Deployment {
            commits: vec![
                commit("c2", Some(monday - 2 * HOUR)),
                commit("c1", Some(monday - 3 * HOUR)),
            ],
            ..promoted("first", "shop", monday)
        },
        // Carries c2 again a day later, plus the new c3.
        Deployment {
            commits: vec![
                commit("c3", Some(monday + DAY - 30 * MINUTE)),
                commit("c2", Some(monday - 2 * HOUR)),
            ],
            ..promoted("second", "shop", monday + DAY)
        },
        // Another service carrying c1 counts it for itself.
        Deployment {
            commits: vec![commit("c1", Some(monday - 3 * HOUR))],
            ..promoted("other", "billing", monday + 2 * DAY)
        },
    ]);
    let r = report(&h, &last_week(), None, &settings());
    // shop c1 3h, shop c2 2h, shop c3 30m, billing c1 2d 3h.
    assert_eq!(r.lead_time.commits, 4);
    assert_eq!(r.lead_time.left_out, 0);
    assert_eq!(r.lead_time.median_ms, Some(2 * HOUR));
    assert_eq!(r.lead_time.p90_ms, Some(2 * DAY + 3 * HOUR));
    assert_eq!(r.lead_time.band, Some(Band::Elite));
    let shop = report(&h, &last_week(), Some("shop"), &settings());
    assert_eq!(shop.lead_time.commits, 3);
    assert_eq!(shop.lead_time.median_ms, Some(2 * HOUR));
    assert_eq!(shop.lead_time.p90_ms, Some(3 * HOUR));
}

#[test]
fn a_commit_first_promoted_the_week_before_is_not_counted_again() {
    let h = history(vec![
        Deployment {
            commits: vec![commit("c1", Some(at(2026, 11, 20, 9, 0)))],
            ..promoted("early", "shop", at(2026, 11, 20, 10, 0))
        },
        Deployment {
            commits: vec![commit("c1", Some(at(2026, 11, 20, 9, 0)))],
            ..promoted("again", "shop", at(2026, 11, 24, 10, 0))
        },
    ]);
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(r.lead_time.commits, 0);
    assert_eq!(r.lead_time.median_ms, None);
    assert_eq!(r.lead_time.change.previous, Some(HOUR as f64));
}

#[test]
fn commits_without_a_time_or_with_a_time_after_the_promotion_are_left_out() {
    let done = at(2026, 11, 24, 10, 0);
    let h = history(vec![Deployment {
        commits: vec![
            commit("ok", Some(done - 4 * DAY)),
            commit("unknown", None),
            commit("future", Some(done + MINUTE)),
            commit("same", Some(done)),
        ],
        ..promoted("d", "shop", done)
    }]);
    let lt = report(&h, &last_week(), None, &settings()).lead_time;
    assert_eq!(lt.commits, 1);
    assert_eq!(lt.left_out, 3);
    assert_eq!(lt.median_ms, Some(4 * DAY));
    assert_eq!(lt.band, Some(Band::High));
}

#[test]
fn nearest_rank_median_and_p90_over_ten_commits() {
    let done = at(2026, 11, 25, 10, 0);
    // Lead times 1h, 2h, ..., 10h, given out of order.
    let commits = [7, 3, 10, 1, 5, 9, 2, 8, 4, 6]
        .iter()
        .map(|h| commit(&format!("c{h}"), Some(done - h * HOUR)))
        .collect();
    let h = history(vec![Deployment {
        commits,
        ..promoted("d", "shop", done)
    }]);
    let lt = report(&h, &last_week(), None, &settings()).lead_time;
    // Median: rank ceil(0.5 * 10) = 5; p90: rank ceil(0.9 * 10) = 9.
    assert_eq!(lt.median_ms, Some(5 * HOUR));
    assert_eq!(lt.p90_ms, Some(9 * HOUR));
}

#[test]
fn lead_time_bands_at_the_edges() {
    let band = |lead_ms: i64| {
        let done = at(2026, 11, 28, 10, 0);
        let h = History {
            deployments: vec![Deployment {
                commits: vec![commit("c", Some(done - lead_ms))],
                ..promoted("d", "shop", done)
            }],
            ..History::default()
        };
        report(&h, &last_week(), None, &settings()).lead_time.band
    };
    assert_eq!(band(DAY - 1), Some(Band::Elite));
    assert_eq!(band(DAY), Some(Band::High));
    assert_eq!(band(7 * DAY), Some(Band::Medium));
    assert_eq!(band(30 * DAY - 1), Some(Band::Medium));
    assert_eq!(band(30 * DAY), Some(Band::Low));
}

#[test]
fn rollback_deployments_are_not_promotions_of_their_commits() {
    let done = at(2026, 11, 24, 10, 0);
    let h = history(vec![Deployment {
        rollback: true,
        commits: vec![commit("old", Some(done - DAY))],
        ..deployment("back", "shop", done, Outcome::Promoted)
    }]);
    let lt = report(&h, &last_week(), None, &settings()).lead_time;
    assert_eq!((lt.commits, lt.left_out), (0, 0));
}
