//! A commit's combined verdict over the latest run of each of its suites, with GitHub's
//! commit-status semantics. Pure: the store reads what a verdict is made of
//! ([`VerdictRun`]), this module decides, [`crate::views`] shows it.

use crate::model::{CommitState, Outcome, RunState};
use crate::store::VerdictRun;

/// What a merge check reads about a commit.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitVerdict {
    pub sha: String,
    pub state: CommitState,
    pub description: String,
    /// The latest run of each suite: id and state, oldest first.
    pub runs: Vec<(String, RunState)>,
    /// Scenarios that passed only on a retry (the verdict is still success).
    pub flaky: Vec<String>,
    pub failing: Vec<Failing>,
}

/// A scenario that failed, errored or was cancelled in one of the latest runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Failing {
    pub run: String,
    pub scenario: String,
    pub outcome: Outcome,
    pub location: Option<String>,
    pub message: Option<String>,
}

/// The combined verdict of a commit's latest runs: `failure` if any run failed; else `error`
/// if any ended in error or was cancelled; else `pending` while any is queued or running (or
/// there is none); `success` only when all passed (flaky passes are listed).
pub fn combine(sha: &str, runs: &[VerdictRun]) -> CommitVerdict {
    let mut flaky = Vec::new();
    let mut failing = Vec::new();
    for run in runs {
        for job in &run.notable {
            if job.outcome == Outcome::Flaky {
                flaky.push(job.scenario.clone());
                continue;
            }
            let failure = job.failure.as_ref();
            failing.push(Failing {
                run: run.id.clone(),
                scenario: job.scenario.clone(),
                outcome: job.outcome,
                location: failure.and_then(|f| f.location.clone()),
                message: failure.map(|f| f.message.clone()),
            });
        }
    }
    let has = |s: RunState| runs.iter().any(|r| r.state == s);
    let failed = failing
        .iter()
        .filter(|f| f.outcome == Outcome::Failed)
        .count();
    let (state, description) = if runs.is_empty() {
        (CommitState::Pending, "no run yet".to_string())
    } else if has(RunState::Failed) {
        (CommitState::Failure, format!("{failed} scenario(s) failed"))
    } else if has(RunState::Error) || has(RunState::Cancelled) {
        let reason = runs
            .iter()
            .find_map(|r| r.reason.clone())
            .unwrap_or_else(|| "a scenario could not be run".to_string());
        (CommitState::Error, reason)
    } else if has(RunState::Queued) || has(RunState::Running) {
        let (done, total) = runs
            .iter()
            .fold((0, 0), |(d, t), run| (d + run.done, t + run.total));
        (
            CommitState::Pending,
            format!("{done} of {total} scenarios done"),
        )
    } else {
        let mut d = "all scenarios passed".to_string();
        if !flaky.is_empty() {
            d.push_str(&format!(" ({} flaky)", flaky.len()));
        }
        (CommitState::Success, d)
    };
    CommitVerdict {
        sha: sha.to_string(),
        state,
        description,
        runs: runs.iter().map(|r| (r.id.clone(), r.state)).collect(),
        flaky,
        failing,
    }
}

#[cfg(test)]
mod tests {
    use gate_runner::result::ScenarioResult;

    use super::*;
    use crate::model::JobState;
    use crate::store::{JobRecord, RunRecord};

    fn run(id: &str, state: RunState) -> RunRecord {
        RunRecord {
            id: id.into(),
            commit: "ab".repeat(20),
            branch: None,
            pr: None,
            committed_at: None,
            base_url: "http://x".into(),
            tags: vec![],
            suite: format!("suite-{id}"),
            sources: vec![],
            state,
            reason: None,
            created_at: 0,
            started_at: None,
            finished_at: None,
            config_commit: None,
        }
    }

    fn job(scenario: &str, outcome: Option<Outcome>) -> JobRecord {
        JobRecord {
            id: format!("job-{scenario}"),
            run_id: "r".into(),
            scenario: scenario.into(),
            path: format!("{scenario}.toml"),
            position: 0,
            state: if outcome.is_some() {
                JobState::Done
            } else {
                JobState::Queued
            },
            leases: 1,
            lease_owner: None,
            outcome,
            result: outcome.map(|outcome| ScenarioResult {
                name: scenario.into(),
                path: format!("{scenario}.toml"),
                tags: vec![],
                outcome,
                duration_ms: 1,
                attempts: vec![],
            }),
            finished_at: None,
        }
    }

    fn verdict(runs: &[(RunRecord, Vec<JobRecord>)]) -> CommitVerdict {
        let views: Vec<VerdictRun> = runs.iter().map(|(r, j)| VerdictRun::of(r, j)).collect();
        combine(&"ab".repeat(20), &views)
    }

    #[test]
    fn combined_state_follows_github_semantics() {
        use RunState::*;
        let passed = (run("a", Passed), vec![job("home", Some(Outcome::Passed))]);
        let flaky = (run("b", Passed), vec![job("cart", Some(Outcome::Flaky))]);
        let running = (run("c", Running), vec![job("pay", None)]);
        let failed = (run("d", Failed), vec![job("buy", Some(Outcome::Failed))]);
        let errored = (run("e", Error), vec![job("api", Some(Outcome::Error))]);
        let cancelled = (
            run("f", Cancelled),
            vec![job("x", Some(Outcome::Cancelled))],
        );
        let state = |runs: &[(RunRecord, Vec<JobRecord>)]| verdict(runs).state;
        assert_eq!(state(&[]), CommitState::Pending);
        assert_eq!(state(std::slice::from_ref(&passed)), CommitState::Success);
        assert_eq!(
            state(&[passed.clone(), running.clone()]),
            CommitState::Pending
        );
        assert_eq!(
            state(&[running.clone(), failed.clone()]),
            CommitState::Failure
        );
        assert_eq!(
            state(&[errored.clone(), failed.clone()]),
            CommitState::Failure
        );
        assert_eq!(
            state(&[passed.clone(), errored.clone()]),
            CommitState::Error
        );
        assert_eq!(state(&[running.clone(), cancelled]), CommitState::Error);
        let mixed = verdict(&[passed, flaky, running]);
        assert_eq!(mixed.flaky, ["cart"]);
        assert_eq!(mixed.description, "2 of 3 scenarios done");
        assert_eq!(mixed.runs[2], ("c".to_string(), Running));
        let failing = verdict(&[failed]);
        assert_eq!(failing.failing[0].outcome, Outcome::Failed);
        assert_eq!(failing.description, "1 scenario(s) failed");
    }
}
