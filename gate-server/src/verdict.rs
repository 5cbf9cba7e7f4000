//! From stored runs to what people and merge checks read: the run view, the commit's combined
//! status (GitHub semantics), and what happens when a run finishes (metrics, status outbox).

use gate_runner::result::RunResult;

use crate::config::ServerConfig;
use crate::state::AppState;
use crate::store::{JobRecord, OutboxStatus, RunRecord, StoreError, VerdictRun, new_id, now_ms};
use crate::wire::{
    CommitStatus, FailingScenario, JobView, RunLinks, RunState, RunSummary, RunView,
};

/// Unix milliseconds as RFC 3339 in UTC with exactly three fraction digits, so the text sorts
/// like the time.
pub fn rfc3339(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// Text as a URL path or query value: each byte outside the unreserved set and `/`
/// percent-encoded (as the runner's HTML report links artifacts).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The links of a run under `public_url` (the configured one, or `""` for relative links).
pub fn links(public_url: &str, run_id: &str) -> RunLinks {
    let base = public_url;
    RunLinks {
        html: format!("{base}/runs/{run_id}"),
        junit: format!("{base}/api/v1/runs/{run_id}/junit.xml"),
        report: format!("{base}/api/v1/runs/{run_id}/report/"),
    }
}

/// A run as the API shows it, with links from the configured public URL.
pub fn run_view(config: &ServerConfig, run: &RunRecord, jobs: &[JobRecord]) -> RunView {
    view_at(&config.public_url, run, jobs)
}

/// A run with its links under `base` (`""`: links relative to this server, for the pages).
pub fn view_at(base: &str, run: &RunRecord, jobs: &[JobRecord]) -> RunView {
    let report = links(base, &run.id).report;
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
                    .map(|p| {
                        format!(
                            "{report}artifacts/{}",
                            encode_path(p.trim_start_matches("./"))
                        )
                    });
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
        links: links(base, &run.id),
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
    let runs = state.store.verdict_runs(sha).await?;
    if runs.is_empty() {
        return Ok(None);
    }
    Ok(Some(combine(&state.config.public_url, sha, &runs)))
}

/// The combined status of a commit's latest runs, with GitHub's semantics: `failure` if any
/// run failed; else `error` if any ended in error or was cancelled; else `pending` while any
/// is queued or running; `success` only when all passed (flaky passes are listed).
pub fn combine(public_url: &str, sha: &str, runs: &[VerdictRun]) -> CommitStatus {
    let mut flaky = Vec::new();
    let mut failing = Vec::new();
    for run in runs {
        for job in &run.notable {
            if job.outcome == "flaky" {
                flaky.push(job.scenario.clone());
                continue;
            }
            let failure = job.failure.as_ref();
            failing.push(FailingScenario {
                run: run.id.clone(),
                scenario: job.scenario.clone(),
                outcome: job.outcome.clone(),
                location: failure.and_then(|f| f.location.clone()),
                message: failure.map(|f| f.message.clone()),
            });
        }
    }
    let has = |s: RunState| runs.iter().any(|r| r.state == s);
    let failed = failing.iter().filter(|f| f.outcome == "failed").count();
    let (combined, description) = if runs.is_empty() {
        ("pending", "no run yet".to_string())
    } else if has(RunState::Failed) {
        ("failure", format!("{failed} scenario(s) failed"))
    } else if has(RunState::Error) || has(RunState::Cancelled) {
        let reason = runs
            .iter()
            .find_map(|r| r.reason.clone())
            .unwrap_or_else(|| "a scenario could not be run".to_string());
        ("error", reason)
    } else if has(RunState::Queued) || has(RunState::Running) {
        let (done, total) = runs
            .iter()
            .fold((0, 0), |(d, t), run| (d + run.done, t + run.total));
        ("pending", format!("{done} of {total} scenarios done"))
    } else {
        let mut d = "all scenarios passed".to_string();
        if !flaky.is_empty() {
            d.push_str(&format!(" ({} flaky)", flaky.len()));
        }
        ("success", d)
    };
    CommitStatus {
        sha: sha.to_string(),
        state: combined.to_string(),
        description,
        target_url: format!("{public_url}/commits/{sha}"),
        runs: runs
            .iter()
            .map(|r| RunSummary {
                id: r.id.clone(),
                state: r.state,
                url: links(public_url, &r.id).html,
            })
            .collect(),
        flaky,
        failing,
    }
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

#[cfg(test)]
mod tests {
    use gate_runner::result::{Outcome, ScenarioResult};

    use super::*;
    use crate::wire::JobState;

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
            outcome: outcome.map(|o| o.as_str().to_string()),
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

    fn state_of(runs: &[(RunRecord, Vec<JobRecord>)]) -> String {
        combine("https://gate.test", &"ab".repeat(20), &views(runs)).state
    }

    fn views(runs: &[(RunRecord, Vec<JobRecord>)]) -> Vec<VerdictRun> {
        runs.iter().map(|(r, j)| VerdictRun::of(r, j)).collect()
    }

    #[test]
    fn combined_status_follows_github_semantics() {
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
        assert_eq!(state_of(&[]), "pending");
        assert_eq!(state_of(std::slice::from_ref(&passed)), "success");
        assert_eq!(state_of(&[passed.clone(), running.clone()]), "pending");
        assert_eq!(state_of(&[running.clone(), failed.clone()]), "failure");
        assert_eq!(state_of(&[errored.clone(), failed.clone()]), "failure");
        assert_eq!(state_of(&[passed.clone(), errored.clone()]), "error");
        assert_eq!(state_of(&[running.clone(), cancelled]), "error");
        let status = combine(
            "https://gate.test",
            "sha",
            &views(&[passed, flaky, running]),
        );
        assert_eq!(status.flaky, ["cart"]);
        assert_eq!(status.description, "2 of 3 scenarios done");
        assert_eq!(status.target_url, "https://gate.test/commits/sha");
        assert_eq!(status.runs[2].url, "https://gate.test/runs/c");
    }

    #[test]
    fn times_have_three_fraction_digits() {
        assert_eq!(rfc3339(1_795_000_000_010), "2026-11-18T11:06:40.010Z");
        assert_eq!(encode_path("a b/#1?.png"), "a%20b/%231%3F.png");
    }
}
