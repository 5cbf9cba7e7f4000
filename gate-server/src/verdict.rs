//! From stored runs to what people and merge checks read: the run view, the commit's combined
//! status (GitHub semantics), and what happens when a run finishes (metrics, status outbox).

use gate_runner::result::{Outcome, RunResult};

use crate::config::ServerConfig;
use crate::state::AppState;
use crate::store::{JobRecord, OutboxStatus, RunRecord, StoreError, new_id, now_ms};
use crate::wire::{
    CommitStatus, FailingScenario, JobView, RunLinks, RunState, RunSummary, RunView,
};

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

pub fn links(config: &ServerConfig, run_id: &str) -> RunLinks {
    let base = &config.public_url;
    RunLinks {
        html: format!("{base}/runs/{run_id}"),
        junit: format!("{base}/api/v1/runs/{run_id}/junit.xml"),
        report: format!("{base}/api/v1/runs/{run_id}/report/"),
    }
}

pub fn run_view(config: &ServerConfig, run: &RunRecord, jobs: &[JobRecord]) -> RunView {
    let report = links(config, &run.id).report;
    RunView {
        id: run.id.clone(),
        commit: run.commit.clone(),
        branch: run.branch.clone(),
        pr: run.pr,
        committed_at: run.committed_at.clone(),
        base_url: run.base_url.clone(),
        tags: run.tags.clone(),
        suite: run.suite.clone(),
        state: run.state,
        reason: run.reason.clone(),
        created_at: rfc3339(run.created_at),
        finished_at: run.finished_at.map(rfc3339),
        jobs: jobs
            .iter()
            .map(|j| {
                let failure = j.result.as_ref().and_then(|r| r.failure());
                let screenshot = j
                    .result
                    .as_ref()
                    .and_then(|r| r.attempts.last())
                    .and_then(|a| a.artifacts.failure_screenshot.clone())
                    .map(|p| format!("{report}artifacts/{p}"));
                JobView {
                    id: j.id.clone(),
                    scenario: j.scenario.clone(),
                    path: j.path.clone(),
                    state: j.state,
                    outcome: j.outcome.clone(),
                    leases: j.leases,
                    duration_ms: j.result.as_ref().map(|r| r.duration_ms),
                    failure_location: failure.and_then(|f| f.location.clone()),
                    failure_message: failure.map(|f| f.message.clone()),
                    expected: failure.and_then(|f| f.expected.clone()),
                    actual: failure.and_then(|f| f.actual.clone()),
                    screenshot_url: screenshot,
                }
            })
            .collect(),
        links: links(config, &run.id),
    }
}

/// A run as the runner's reporters take it (JUnit, HTML report).
pub fn run_result(run: &RunRecord, jobs: &[JobRecord]) -> RunResult {
    RunResult {
        run_id: run.id.clone(),
        started_at: rfc3339(run.started_at.unwrap_or(run.created_at)),
        duration_ms: run
            .finished_at
            .unwrap_or_else(now_ms)
            .saturating_sub(run.started_at.unwrap_or(run.created_at))
            .max(0) as u64,
        base_url: run.base_url.clone(),
        workers: 0,
        artifacts_dir: "artifacts".into(),
        interrupted: run.state == RunState::Cancelled,
        scenarios: jobs.iter().filter_map(|j| j.result.clone()).collect(),
    }
}

/// The combined status of a commit over the latest run of each suite. `None`: no run.
pub async fn commit_status(
    state: &AppState,
    sha: &str,
) -> Result<Option<CommitStatus>, StoreError> {
    let runs = state.store.latest_runs_for_commit(sha).await?;
    if runs.is_empty() {
        return Ok(None);
    }
    let mut flaky = Vec::new();
    let mut failing = Vec::new();
    for run in &runs {
        for job in state.store.jobs(&run.id).await? {
            match job.result.as_ref().map(|r| r.outcome) {
                Some(Outcome::Flaky) => flaky.push(job.scenario.clone()),
                Some(Outcome::Failed | Outcome::Error | Outcome::Cancelled) => {
                    let failure = job.result.as_ref().and_then(|r| r.failure());
                    failing.push(FailingScenario {
                        run: run.id.clone(),
                        scenario: job.scenario.clone(),
                        outcome: job.outcome.clone().unwrap_or_default(),
                        location: failure.and_then(|f| f.location.clone()),
                        message: failure.map(|f| f.message.clone()),
                    });
                }
                _ => {}
            }
        }
    }
    let has = |s: RunState| runs.iter().any(|r| r.state == s);
    let (combined, description) = if has(RunState::Failed) {
        (
            "failure",
            format!(
                "{} scenario(s) failed",
                failing.iter().filter(|f| f.outcome == "failed").count()
            ),
        )
    } else if has(RunState::Error) || has(RunState::Cancelled) {
        ("error", "a run could not be completed".to_string())
    } else if has(RunState::Queued) || has(RunState::Running) {
        ("pending", "scenarios are running".to_string())
    } else {
        let mut d = "all scenarios passed".to_string();
        if !flaky.is_empty() {
            d.push_str(&format!(" ({} flaky)", flaky.len()));
        }
        ("success", d)
    };
    Ok(Some(CommitStatus {
        sha: sha.to_string(),
        state: combined.to_string(),
        description,
        target_url: format!("{}/commits/{sha}", state.config.public_url),
        runs: runs
            .iter()
            .map(|r| RunSummary {
                id: r.id.clone(),
                state: r.state,
                url: links(&state.config, &r.id).html,
            })
            .collect(),
        flaky,
        failing,
    }))
}

/// Queues the commit's current combined status for the publisher, if one is configured.
pub async fn publish_status(state: &AppState, sha: &str) {
    if state.config.publish.is_none() {
        return;
    }
    match commit_status(state, sha).await {
        Ok(Some(status)) => {
            let entry = OutboxStatus {
                id: new_id(),
                sha: sha.to_string(),
                state: status.state,
                description: status.description,
                target_url: status.target_url,
                attempts: 0,
                next_attempt_at: now_ms(),
            };
            match state.store.enqueue_status(&entry).await {
                Ok(()) => state.statuses.notify_one(),
                Err(err) => tracing::error!(%sha, "cannot queue the commit status: {err}"),
            }
        }
        Ok(None) => {}
        Err(err) => tracing::error!(%sha, "cannot compute the commit status: {err}"),
    }
}

/// A run reached its final state.
pub async fn run_finished(state: &AppState, run: &RunRecord) {
    state.metrics.run_finished(run.state.as_str());
    tracing::info!(run = %run.id, commit = %run.commit, state = run.state.as_str(), "run finished");
    publish_status(state, &run.commit).await;
}
