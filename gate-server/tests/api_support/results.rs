//! Scenario results as a runner sends them, and finishing queued jobs with them.

use std::time::Duration;

use gate_runner::result::{
    Artifacts, Attempt, AttemptOutcome, FailedRequest, Failure, FailureKind, Outcome,
    ScenarioResult,
};

use super::Gate;

/// A scenario result as a runner would send it. `failed`/`error` results carry a failure at
/// `<path>:7`, a screenshot, a console error and a failed request; `flaky` failed once first.
pub fn result(name: &str, path: &str, outcome: Outcome) -> ScenarioResult {
    let failing_attempt = |number| Attempt {
        number,
        outcome: if outcome == Outcome::Error {
            AttemptOutcome::Error
        } else {
            AttemptOutcome::Failed
        },
        worker: 1,
        duration_ms: 400,
        steps: vec![],
        failure: Some(Failure {
            kind: if outcome == Outcome::Error {
                FailureKind::Infrastructure
            } else {
                FailureKind::Assertion
            },
            step: Some(0),
            location: Some(format!("{path}:7")),
            step_description: Some("expect text \"Thank you\"".into()),
            message: "the confirmation did not appear".into(),
            expected: Some("text \"Thank you\"".into()),
            actual: Some("h1 \"Something went wrong\"".into()),
        }),
        artifacts: Artifacts {
            failure_screenshot: Some(format!("{name}/attempt-{number}/failure.png")),
            page_html: None,
            screenshots: vec![],
            browser_log: None,
        },
        console_errors: vec!["TypeError: cart is undefined".into()],
        failed_requests: vec![FailedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:9/api/orders".into(),
            status: Some(500),
            error: None,
        }],
    };
    let passing_attempt = |number| Attempt {
        number,
        outcome: AttemptOutcome::Passed,
        worker: 1,
        duration_ms: 300,
        steps: vec![],
        failure: None,
        artifacts: Artifacts::default(),
        console_errors: vec![],
        failed_requests: vec![],
    };
    let attempts = match outcome {
        Outcome::Passed => vec![passing_attempt(1)],
        Outcome::Flaky => vec![failing_attempt(1), passing_attempt(2)],
        Outcome::Failed | Outcome::Error | Outcome::Cancelled => vec![failing_attempt(1)],
    };
    ScenarioResult {
        name: name.into(),
        path: path.into(),
        tags: vec![],
        outcome,
        duration_ms: attempts.iter().map(|a| a.duration_ms).sum(),
        attempts,
    }
}

/// For [`finish_all`]: `outcome` for the scenario `name`, `others` for every other one.
pub fn outcome_for(name: &str, outcome: Outcome, others: Outcome) -> impl Fn(&str) -> Outcome {
    move |scenario| if scenario == name { outcome } else { others }
}

/// Leases every queued job through the service and completes each with the outcome
/// `outcome_of` gives its scenario name, as a runner would. Returns the ids of the runs that
/// finished.
pub async fn finish_all(gate: &Gate, outcome_of: impl Fn(&str) -> Outcome) -> Vec<String> {
    let service = gate.service();
    let leased = service
        .lease("test-runner", 100, Duration::ZERO)
        .await
        .unwrap();
    let mut finished = Vec::new();
    for lease in leased {
        let r = result(
            &lease.job.scenario,
            &lease.job.path,
            outcome_of(&lease.job.scenario),
        );
        let shot = r
            .attempts
            .iter()
            .filter_map(|a| a.artifacts.failure_screenshot.clone())
            .map(|p| (p, b"\x89PNG fake".to_vec()))
            .collect::<Vec<_>>();
        let recorded = service
            .complete(&lease.job.id, &lease.token, &r, &shot)
            .await
            .unwrap();
        if recorded.run_finished {
            finished.push(lease.run.id.clone());
        }
    }
    finished
}
