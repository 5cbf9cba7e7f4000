//! The report's JSON (stable names for `gate report --json`), the input's serde shape, and a
//! large history that a quadratic loop would not finish.

use gate_dora::{
    Commit, Deployment, GateRun, History, Incident, Outcome, RunOutcome, Source, report, weekly,
};
use serde_json::{Value, json};

use crate::builder::*;

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

#[test]
fn the_report_json_has_stable_field_names() {
    let h = history(vec![auto_rolled_back(
        "rb",
        "shop",
        at(2026, 11, 24, 10, 0),
        MINUTE,
    )]);
    let v = serde_json::to_value(report(&h, &last_week(), None, &settings())).unwrap();
    assert_eq!(
        keys(&v),
        [
            "bands",
            "change_failure",
            "deployment_frequency",
            "deploys",
            "gate",
            "lead_time",
            "period",
            "recovery",
            "rework",
            "service",
            "services"
        ]
    );
    assert_eq!(v["bands"], "DORA 2023");
    assert_eq!(
        keys(&v["period"]),
        [
            "label",
            "previous_label",
            "since",
            "time_zone",
            "until",
            "week"
        ]
    );
    assert_eq!(v["period"]["time_zone"], "Europe/Berlin");
    assert_eq!(
        keys(&v["deploys"]),
        [
            "aborted",
            "auto_rolled_back",
            "failed",
            "finished",
            "rolled_back_by_hand",
            "successful"
        ]
    );
    assert_eq!(
        keys(&v["recovery"]["change"]),
        ["better", "difference", "previous", "relative_percent"]
    );
    assert_eq!(v["recovery"]["band"], "elite");
    assert_eq!(v["change_failure"]["band"], "low");
    assert_eq!(v["deployment_frequency"]["band"], Value::Null);
    assert_eq!(
        keys(&v["services"][0]),
        [
            "change_failure_rate",
            "deploys",
            "lead_time_median_ms",
            "recovery_median_ms",
            "service"
        ]
    );
    let w = serde_json::to_value(&weekly(&h, now(), 1, None, &settings())[0]).unwrap();
    assert_eq!(
        keys(&w),
        [
            "deploys",
            "gate_pass_rate",
            "label",
            "lead_time_median_ms",
            "recovery_median_ms",
            "since",
            "success_rate",
            "until"
        ]
    );
}

#[test]
fn the_history_reads_from_json() {
    let h: History = serde_json::from_value(json!({
        "deployments": [{
            "id": "d1", "service": "shop", "version": "v2", "source": "external",
            "started_at": 1, "finished_at": 2,
            "outcome": { "kind": "rolled_back", "automatic": true },
            "reached_users": true, "commits": [{ "sha": "abc", "committed_at": null }],
            "hotfix": false, "rollback": false, "detected_at": 1, "recovered_at": 2
        }, {
            "id": "d2", "service": "shop", "version": "v3", "source": "gate",
            "started_at": 3, "finished_at": null, "outcome": { "kind": "in_progress" },
            "reached_users": false, "commits": [], "hotfix": true, "rollback": false,
            "detected_at": null, "recovered_at": null
        }],
        "incidents": [{ "id": "i", "service": "shop", "started_at": 1, "resolved_at": null, "caused_by": "d1" }],
        "runs": [{ "id": "r", "commit": "abc", "submitted_at": 0, "started_at": null,
                   "finished_at": null, "outcome": "cancelled", "scenarios": [] }]
    }))
    .unwrap();
    assert_eq!(h.deployments[0].source, Source::External);
    assert_eq!(
        h.deployments[0].outcome,
        Outcome::RolledBack { automatic: true }
    );
    assert_eq!(h.deployments[1].outcome, Outcome::InProgress);
    assert_eq!(h.runs[0].outcome, RunOutcome::Cancelled);
    let back: History = serde_json::from_value(serde_json::to_value(&h).unwrap()).unwrap();
    assert_eq!(back, h);
}

#[test]
fn a_large_history_is_handled_without_quadratic_work() {
    // 200,000 deployments over 40 services and a year, each with two commits; a tenth of them
    // rolled back, with incidents and runs. A pairwise loop would take hours here.
    let start = at(2025, 12, 1, 0, 0);
    let n: i64 = 200_000;
    let step = 365 * DAY / n;
    let mut h = History::default();
    for i in 0..n {
        let finished = start + i * step;
        let service = format!("svc-{}", i % 40);
        let outcome = if i % 10 == 0 {
            Outcome::RolledBack { automatic: true }
        } else {
            Outcome::Promoted
        };
        h.deployments.push(Deployment {
            id: format!("d{i}"),
            service,
            version: format!("v{i}"),
            source: Source::Gate,
            started_at: finished - 10 * MINUTE,
            finished_at: Some(finished),
            outcome,
            reached_users: true,
            commits: vec![
                Commit {
                    sha: format!("c{i}"),
                    committed_at: Some(finished - HOUR),
                },
                // Carried again by the next deployment of the same service.
                Commit {
                    sha: format!("c{}", i.saturating_sub(40)),
                    committed_at: Some(finished - 2 * HOUR),
                },
            ],
            hotfix: i % 97 == 0,
            rollback: false,
            detected_at: Some(finished - 5 * MINUTE),
            recovered_at: Some(finished),
        });
        if i % 50 == 0 {
            h.incidents.push(Incident {
                id: format!("i{i}"),
                service: format!("svc-{}", i % 40),
                started_at: finished,
                resolved_at: Some(finished + HOUR),
                caused_by: Some(format!("d{i}")),
            });
            h.runs.push(GateRun {
                id: format!("r{i}"),
                commit: format!("c{i}"),
                submitted_at: finished - HOUR,
                started_at: Some(finished - HOUR),
                finished_at: Some(finished - 50 * MINUTE),
                outcome: RunOutcome::Passed,
                scenarios: vec![],
            });
        }
    }
    let r = report(&h, &last_week(), None, &settings());
    assert_eq!(r.services.len(), 40);
    assert!(r.deploys.finished > 3_000);
    // One in ten rolled back, one in fifty blamed by an incident (those are also rolled back).
    let rate = r.change_failure.rate.unwrap();
    assert!((0.09..0.11).contains(&rate), "{rate}");
    // Each new commit's first promotion is an hour after it.
    assert_eq!(r.lead_time.median_ms, Some(HOUR));
    let weeks = weekly(&h, now(), 12, None, &settings());
    assert_eq!(weeks.len(), 12);
}
