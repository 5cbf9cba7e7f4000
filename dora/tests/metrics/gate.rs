//! Gate figures: pass rate over verdicts, medians of duration and time to verdict, the most
//! failing and flaky scenarios, and runs for one service.

use gate_dora::{
    Deployment, GateRun, History, RunOutcome as R, ScenarioCount, ScenarioOutcome as S, report,
};

use crate::builder::*;

fn counts(list: &[ScenarioCount]) -> Vec<(&str, u64)> {
    list.iter().map(|s| (s.name.as_str(), s.count)).collect()
}

#[test]
fn gate_figures_over_a_week() {
    let mon = at(2026, 11, 23, 10, 0);
    let runs = vec![
        run("r1", "c1", mon, R::Passed),
        GateRun {
            scenarios: vec![scenario("checkout", S::Failed), scenario("login", S::Flaky)],
            ..run("r2", "c2", mon + DAY, R::Failed)
        },
        GateRun {
            scenarios: vec![
                scenario("checkout", S::Error),
                scenario("search", S::Failed),
            ],
            ..run("r3", "c3", mon + 2 * DAY, R::Error)
        },
        run("r4", "c4", mon + 3 * DAY, R::Cancelled),
        GateRun {
            finished_at: None,
            ..run("r5", "c5", mon + 3 * DAY, R::Running)
        },
        GateRun {
            started_at: Some(mon + 4 * DAY + 2 * MINUTE),
            finished_at: Some(mon + 4 * DAY + 12 * MINUTE),
            ..run("r6", "c6", mon + 4 * DAY, R::Passed)
        },
        GateRun {
            scenarios: vec![
                scenario("zeta", S::Failed),
                scenario("gamma", S::Error),
                scenario("beta", S::Failed),
                scenario("alpha", S::Failed),
                scenario("login", S::Flaky),
                scenario("cart", S::Flaky),
                scenario("skipped", S::Skipped),
                scenario("fine", S::Passed),
            ],
            ..run("r7", "c7", mon + 5 * DAY, R::Passed)
        },
        // The week before: one passed, one failed.
        run("p1", "c8", mon - 2 * DAY, R::Passed),
        run("p2", "c9", mon - 2 * DAY, R::Failed),
    ];
    let h = History {
        deployments: vec![Deployment {
            commits: vec![commit("c1", None)],
            ..promoted("d", "shop", mon + HOUR)
        }],
        incidents: vec![],
        runs,
    };
    let g = report(&h, &last_week(), None, &settings()).gate;
    assert_eq!(g.runs, 7);
    assert_eq!((g.passed, g.failed, g.errors), (3, 1, 1));
    assert_eq!((g.cancelled, g.running), (1, 1));
    // 3 passed of 5 verdicts.
    assert_eq!(g.pass_rate, Some(0.6));
    assert!(close(g.runs_per_day, 1.0));
    // Durations 4, 4, 4, 10, 4 minutes; time to verdict 5, 5, 5, 12, 5.
    assert_eq!(g.median_duration_ms, Some(4 * MINUTE));
    assert_eq!(g.median_time_to_verdict_ms, Some(5 * MINUTE));
    assert_eq!(
        counts(&g.most_failing),
        [
            ("checkout", 2),
            ("alpha", 1),
            ("beta", 1),
            ("gamma", 1),
            ("search", 1)
        ]
    );
    assert_eq!(counts(&g.most_flaky), [("login", 2), ("cart", 1)]);
    // 0.6 against 0.5: better.
    assert!(close(g.change.difference.unwrap(), 0.1));
    assert!(close(g.change.relative_percent.unwrap(), 20.0));
    assert_eq!(g.change.better, Some(true));

    // For one service: the runs of the commits it deployed.
    let shop = report(&h, &last_week(), Some("shop"), &settings()).gate;
    assert_eq!((shop.runs, shop.passed), (1, 1));
}
