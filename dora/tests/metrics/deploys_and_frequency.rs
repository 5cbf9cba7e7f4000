//! Headline counts and deployment frequency: empty weeks, failure-only weeks, aborted and
//! rollback deployments, imported history, frequency bands.

use gate_dora::{Band, Deployment, Outcome, Source, headline, report};

use crate::builder::*;

#[test]
fn an_empty_week_has_no_values_and_a_plain_headline() {
    let r = report(&history(vec![]), &last_week(), None, &settings());
    assert_eq!(
        headline(&r),
        "0 deploys last week, 0 successful, 0 auto-rolled-back, no failures to recover from"
    );
    assert_eq!(r.deploys.finished, 0);
    assert_eq!(r.deployment_frequency.count, 0);
    assert_eq!(r.deployment_frequency.per_day, 0.0);
    assert_eq!(r.deployment_frequency.days_in_period, 7);
    assert_eq!(r.deployment_frequency.band, None);
    assert_eq!(r.lead_time.median_ms, None);
    assert_eq!(r.lead_time.band, None);
    assert_eq!(r.change_failure.rate, None);
    assert_eq!(r.change_failure.band, None);
    assert_eq!(r.recovery.median_ms, None);
    assert_eq!(r.recovery.mean_ms, None);
    assert_eq!(r.rework.rate, None);
    assert_eq!(r.gate.pass_rate, None);
    assert_eq!(r.gate.median_duration_ms, None);
    assert!(r.services.is_empty());
    // 0 against 0: no difference to call better or worse.
    assert_eq!(r.deployment_frequency.change.difference, Some(0.0));
    assert_eq!(r.deployment_frequency.change.better, None);
    assert_eq!(r.lead_time.change.previous, None);
}

#[test]
fn a_week_of_only_failures() {
    let h = history(vec![
        auto_rolled_back("a", "shop", at(2026, 11, 24, 10, 0), 2 * MINUTE),
        auto_rolled_back("b", "shop", at(2026, 11, 25, 10, 0), 4 * MINUTE),
        Deployment {
            detected_at: Some(at(2026, 11, 26, 9, 55)),
            recovered_at: Some(at(2026, 11, 26, 10, 5)),
            ..deployment("c", "shop", at(2026, 11, 26, 10, 0), Outcome::Failed)
        },
    ]);
    let r = report(&h, &last_week(), None, &settings());
    // Recovery times 2:00, 4:00, 10:00: the nearest-rank median is 4:00.
    assert_eq!(
        headline(&r),
        "3 deploys last week, 0 successful, 2 auto-rolled-back, 1 failed, MTTR 4:00"
    );
    assert_eq!(r.deployment_frequency.count, 0);
    assert_eq!(r.deployment_frequency.band, None);
    assert_eq!(r.change_failure.changes, 3);
    assert_eq!(r.change_failure.failed, 3);
    assert_eq!(r.change_failure.rate, Some(1.0));
    assert_eq!(r.change_failure.band, Some(Band::Low));
    assert_eq!(r.recovery.failures, 3);
    assert_eq!(r.recovery.median_ms, Some(4 * MINUTE));
    // (2 + 4 + 10) / 3 minutes = 5:20
    assert_eq!(r.recovery.mean_ms, Some(5 * MINUTE + 20_000));
    assert_eq!(r.recovery.band, Some(Band::Elite));
}

#[test]
fn aborted_deployments_are_neither_failures_nor_changes() {
    let h = history(vec![
        promoted("p1", "shop", at(2026, 11, 23, 10, 0)),
        promoted("p2", "shop", at(2026, 11, 24, 10, 0)),
        promoted("p3", "shop", at(2026, 11, 25, 10, 0)),
        deployment("ab", "shop", at(2026, 11, 26, 10, 0), Outcome::Aborted),
        auto_rolled_back("rb", "shop", at(2026, 11, 27, 10, 0), MINUTE),
    ]);
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(
        headline(&r),
        "5 deploys last week, 3 successful, 1 auto-rolled-back, 1 aborted, MTTR 1:00"
    );
    assert_eq!(r.change_failure.changes, 4);
    assert_eq!(r.change_failure.failed, 1);
    assert_eq!(r.change_failure.rate, Some(0.25));
    assert_eq!(r.rework.deployments, 4);
}

#[test]
fn a_rollback_deployment_is_not_a_change() {
    let h = history(vec![
        promoted("p1", "shop", at(2026, 11, 24, 10, 0)),
        Deployment {
            started_at: at(2026, 11, 24, 11, 0),
            detected_at: Some(at(2026, 11, 24, 11, 0)),
            recovered_at: Some(at(2026, 11, 24, 11, 10)),
            ..deployment(
                "p2",
                "shop",
                at(2026, 11, 24, 11, 5),
                Outcome::RolledBack { automatic: false },
            )
        },
        // The redeploy of p1's version that someone ran by hand afterwards.
        Deployment {
            rollback: true,
            ..promoted("back", "shop", at(2026, 11, 24, 11, 10))
        },
    ]);
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(
        headline(&r),
        "2 deploys last week, 1 successful, 0 auto-rolled-back, 1 rolled back by hand, MTTR 10:00"
    );
    assert_eq!(r.deployment_frequency.count, 1);
    assert_eq!(r.change_failure.changes, 2);
    assert_eq!(r.change_failure.failed, 1);
    assert_eq!(r.change_failure.rate, Some(0.5));
    assert_eq!(r.services.len(), 1);
    assert_eq!(r.services[0].deploys.finished, 2);
}

#[test]
fn in_progress_and_unseen_deployments_count_nowhere() {
    let h = history(vec![
        // A stale finished_at on a running deployment must not count it.
        deployment("run", "shop", at(2026, 11, 24, 10, 0), Outcome::InProgress),
        Deployment {
            reached_users: false,
            ..deployment("pre", "shop", at(2026, 11, 24, 11, 0), Outcome::Failed)
        },
        Deployment {
            finished_at: None,
            ..promoted("open", "shop", at(2026, 11, 24, 12, 0))
        },
    ]);
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(r.deploys.finished, 0);
    assert_eq!(r.change_failure.changes, 0);
    assert_eq!(r.deployment_frequency.count, 0);
}

#[test]
fn imported_history_counts_like_gates_own() {
    let external = |id: &str, finished_at| Deployment {
        source: Source::External,
        commits: vec![commit(&format!("x-{id}"), None)],
        ..promoted(id, "shop", finished_at)
    };
    let h = history(vec![
        external("e1", at(2026, 11, 23, 9, 0)),
        promoted("g1", "shop", at(2026, 11, 23, 15, 0)),
        external("e2", at(2026, 11, 25, 9, 0)),
        Deployment {
            source: Source::External,
            ..deployment(
                "e3",
                "shop",
                at(2026, 11, 26, 9, 0),
                Outcome::RolledBack { automatic: false },
            )
        },
    ]);
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(r.deployment_frequency.count, 3);
    // Monday and Wednesday.
    assert_eq!(r.deployment_frequency.days_with_deploy, 2);
    assert!(close(r.deployment_frequency.share_of_days, 2.0 / 7.0));
    assert_eq!(r.deploys.rolled_back_by_hand, 1);
    assert_eq!(r.change_failure.rate, Some(0.25));
    // Imported commits without a commit time are left out of lead time, and counted so.
    assert_eq!(r.lead_time.commits, 0);
    assert_eq!(r.lead_time.left_out, 2);
    // e3 has no detection or recovery time.
    assert_eq!(r.recovery.failures, 1);
    assert_eq!(r.recovery.measured, 0);
    assert!(headline(&r).ends_with(", 1 rolled back by hand, recovery time not recorded"));
}

#[test]
fn frequency_bands_at_the_edges() {
    let week = |n: i64| {
        let deployments = (0..n)
            .map(|i| promoted(&format!("d{i}"), "shop", at(2026, 11, 23, 8, 0) + i * HOUR))
            .collect();
        report(&history(deployments), &last_week(), None, &settings()).deployment_frequency
    };
    let seven = week(7);
    assert!(close(seven.per_day, 1.0));
    assert!(close(seven.per_week, 7.0));
    assert_eq!(seven.band, Some(Band::Elite));
    assert_eq!(week(6).band, Some(Band::High));
    assert_eq!(week(1).band, Some(Band::High));
    let fourteen = week(14);
    assert!(close(fourteen.per_day, 2.0));
    // All on Monday, 08:00 to 21:00.
    assert_eq!(fourteen.days_with_deploy, 1);
}

#[test]
fn a_report_for_one_service_counts_only_it() {
    let h = history(vec![
        promoted("s1", "shop", at(2026, 11, 24, 10, 0)),
        promoted("s2", "shop", at(2026, 11, 25, 10, 0)),
        auto_rolled_back("b1", "billing", at(2026, 11, 25, 11, 0), MINUTE),
    ]);
    let all = report(&h, &last_week(), None, &settings());
    assert_eq!(all.deploys.finished, 3);
    let names: Vec<&str> = all.services.iter().map(|s| s.service.as_str()).collect();
    assert_eq!(names, ["billing", "shop"]);
    assert_eq!(all.services[0].change_failure_rate, Some(1.0));
    assert_eq!(all.services[0].recovery_median_ms, Some(MINUTE));
    assert_eq!(all.services[1].change_failure_rate, Some(0.0));

    let shop = report(&h, &last_week(), Some("shop"), &settings());
    assert_eq!(shop.service.as_deref(), Some("shop"));
    assert_eq!(shop.deploys.finished, 2);
    assert_eq!(shop.change_failure.rate, Some(0.0));
    assert!(shop.services.is_empty());
    assert_eq!(
        report(&h, &last_week(), Some("nope"), &settings())
            .deploys
            .finished,
        0
    );
}
