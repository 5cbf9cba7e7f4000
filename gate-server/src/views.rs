//! The server's records as the API shows them: runs, jobs, a commit's verdict, leases and
//! events mapped onto [`gate_wire`] types, with links under the public URL; and runs as the
//! runner's reporters take them (JUnit, HTML). Pure functions; this is the only place the
//! server's vocabulary ([`crate::model`]) meets the HTTP contract.

pub mod deploys;
pub mod digests;
pub mod postmortem;

use gate_runner::result::RunResult;
use gate_wire as wire;

use crate::events::Event;
use crate::model::{CommitState, DeployPhase, JobState, RunState, SourceFile};
use crate::store::{JobRecord, LeasedJob, RunRecord, now_ms};
use crate::verdict::CommitVerdict;

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

/// Text as a URL path or query value: everything outside the unreserved set and `/`
/// percent-encoded, exactly as the runner's HTML report links artifacts.
pub use gate_runner::report::url_path as encode_path;

pub fn run_state(state: RunState) -> wire::RunState {
    match state {
        RunState::Queued => wire::RunState::Queued,
        RunState::Running => wire::RunState::Running,
        RunState::Passed => wire::RunState::Passed,
        RunState::Failed => wire::RunState::Failed,
        RunState::Error => wire::RunState::Error,
        RunState::Cancelled => wire::RunState::Cancelled,
    }
}

/// The API's run state in the server's terms (query filters).
pub fn from_wire_state(state: wire::RunState) -> RunState {
    match state {
        wire::RunState::Queued => RunState::Queued,
        wire::RunState::Running => RunState::Running,
        wire::RunState::Passed => RunState::Passed,
        wire::RunState::Failed => RunState::Failed,
        wire::RunState::Error => RunState::Error,
        wire::RunState::Cancelled => RunState::Cancelled,
    }
}

pub fn job_state(state: JobState) -> wire::JobState {
    match state {
        JobState::Queued => wire::JobState::Queued,
        JobState::Running => wire::JobState::Running,
        JobState::Done => wire::JobState::Done,
    }
}

pub fn deploy_phase(phase: DeployPhase) -> wire::DeployPhase {
    match phase {
        DeployPhase::Pending => wire::DeployPhase::Pending,
        DeployPhase::Canary => wire::DeployPhase::Canary,
        DeployPhase::Promoted => wire::DeployPhase::Promoted,
        DeployPhase::RolledBack => wire::DeployPhase::RolledBack,
        DeployPhase::Aborted => wire::DeployPhase::Aborted,
        DeployPhase::Failed => wire::DeployPhase::Failed,
    }
}

pub fn commit_state(state: CommitState) -> wire::CommitState {
    match state {
        CommitState::Pending => wire::CommitState::Pending,
        CommitState::Success => wire::CommitState::Success,
        CommitState::Failure => wire::CommitState::Failure,
        CommitState::Error => wire::CommitState::Error,
    }
}

/// The links of a run under `base` (the public URL, or `""` for links relative to this server).
pub fn links(base: &str, run_id: &str) -> wire::RunLinks {
    let id = encode_path(run_id);
    wire::RunLinks {
        html: format!("{base}/runs/{id}"),
        junit: format!("{base}/api/v1/runs/{id}/junit.xml"),
        report: format!("{base}/api/v1/runs/{id}/report/"),
    }
}

/// The page of a commit under `base`.
pub fn commit_url(base: &str, sha: &str) -> String {
    format!("{base}/commits/{}", encode_path(sha))
}

/// A run with its links under `base` (`""`: links relative to this server, for the pages).
pub fn run_view(base: &str, run: &RunRecord, jobs: &[JobRecord]) -> wire::RunView {
    let links = links(base, &run.id);
    wire::RunView {
        id: run.id.clone(),
        commit: run.commit.clone(),
        branch: run.branch.clone(),
        pr: run.pr,
        committed_at: run.committed_at.clone(),
        base_url: run.base_url.clone(),
        tags: run.tags.clone(),
        suite: run.suite.clone(),
        state: run_state(run.state),
        reason: run.reason.clone(),
        created_at: rfc3339(run.created_at),
        finished_at: run.finished_at.map(rfc3339),
        jobs: jobs.iter().map(|j| job_view(&links.report, j)).collect(),
        links,
    }
}

fn job_view(report: &str, job: &JobRecord) -> wire::JobView {
    let result = job.result.as_ref();
    let failure = result.and_then(|r| r.failure());
    let screenshot = result
        .and_then(|r| r.attempts.last())
        .and_then(|a| a.artifacts.failure_screenshot.as_deref())
        .map(|p| {
            format!(
                "{report}artifacts/{}",
                encode_path(p.trim_start_matches("./"))
            )
        });
    wire::JobView {
        id: job.id.clone(),
        scenario: job.scenario.clone(),
        path: job.path.clone(),
        state: job_state(job.state),
        outcome: job.outcome,
        leases: job.leases,
        runner: job.lease_owner.clone(),
        duration_ms: result.map(|r| r.duration_ms),
        failure_location: failure.and_then(|f| f.location.clone()),
        failure_message: failure.map(|f| f.message.clone()),
        expected: failure.and_then(|f| f.expected.clone()),
        actual: failure.and_then(|f| f.actual.clone()),
        screenshot_url: screenshot,
    }
}

/// A commit's verdict with links under `base`.
pub fn commit_status(base: &str, verdict: &CommitVerdict) -> wire::CommitStatus {
    wire::CommitStatus {
        sha: verdict.sha.clone(),
        state: commit_state(verdict.state),
        description: verdict.description.clone(),
        target_url: commit_url(base, &verdict.sha),
        runs: verdict
            .runs
            .iter()
            .map(|(id, state)| wire::RunSummary {
                id: id.clone(),
                state: run_state(*state),
                url: links(base, id).html,
            })
            .collect(),
        flaky: verdict.flaky.clone(),
        failing: verdict
            .failing
            .iter()
            .map(|f| wire::FailingScenario {
                run: f.run.clone(),
                scenario: f.scenario.clone(),
                outcome: f.outcome,
                location: f.location.clone(),
                message: f.message.clone(),
            })
            .collect(),
    }
}

/// A run as the runner's reporters take it (JUnit, HTML report).
pub fn run_result(run: &RunRecord, jobs: &[JobRecord]) -> RunResult {
    let started = run.started_at.unwrap_or(run.created_at);
    RunResult {
        run_id: run.id.clone(),
        started_at: rfc3339(started),
        duration_ms: run
            .finished_at
            .unwrap_or_else(now_ms)
            .saturating_sub(started)
            .max(0) as u64,
        base_url: run.base_url.clone(),
        workers: 0,
        artifacts_dir: "artifacts".into(),
        interrupted: run.state == RunState::Cancelled,
        scenarios: jobs.iter().filter_map(|j| j.result.clone()).collect(),
    }
}

pub fn source_file(source: &SourceFile) -> wire::SourceFile {
    wire::SourceFile {
        path: source.path.clone(),
        text: source.text.clone(),
    }
}

pub fn from_wire_source(source: &wire::SourceFile) -> SourceFile {
    SourceFile {
        path: source.path.clone(),
        text: source.text.clone(),
    }
}

/// A leased job as a runner gets it (the same shape for the embedded pool and agents).
pub fn lease(job: LeasedJob, heartbeat_ms: u64) -> wire::Lease {
    wire::Lease {
        job: job.job.id,
        run: job.run.id,
        token: job.token,
        expires_at: job.expires_at,
        heartbeat_ms,
        scenario: job.job.scenario,
        base_url: job.run.base_url,
        sources: job.run.sources.iter().map(source_file).collect(),
    }
}

/// An event as the event stream sends it.
pub fn event(event: &Event) -> wire::Event {
    match event {
        Event::RunQueued { run } => wire::Event::RunQueued {
            run: run.id.clone(),
            commit: run.commit.clone(),
        },
        Event::ScenarioFinished(s) => wire::Event::ScenarioFinished {
            run: s.run_id.clone(),
            job: s.job_id.clone(),
            scenario: s.scenario.clone(),
            outcome: s.outcome,
            duration_ms: s.duration_ms,
        },
        Event::RunFinished { run } => wire::Event::RunFinished {
            run: run.id.clone(),
            commit: run.commit.clone(),
            state: run_state(run.state),
        },
        Event::VerdictChanged(verdict) => wire::Event::VerdictChanged {
            commit: verdict.sha.clone(),
            state: commit_state(verdict.state),
            description: verdict.description.clone(),
        },
        Event::DeploymentChanged(d) => wire::Event::DeploymentChanged {
            deployment: d.id.clone(),
            service: d.service.clone(),
            version: d.version.clone(),
            phase: deploy_phase(d.phase),
            step: d.step,
            weight: d.weight,
            summary: d.summary.clone(),
        },
        Event::ServingChanged { service, version } => wire::Event::ServingChanged {
            service: service.clone(),
            version: version.clone(),
        },
        Event::HistoryRecorded {
            deployments,
            incidents,
        } => wire::Event::HistoryRecorded {
            deployments: *deployments,
            incidents: *incidents,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_have_three_fraction_digits_and_paths_are_encoded() {
        assert_eq!(rfc3339(1_795_000_000_010), "2026-11-18T11:06:40.010Z");
        assert_eq!(encode_path("a b/#1?.png"), "a%20b/%231%3F.png");
        assert_eq!(encode_path("é~x"), "%C3%A9~x");
    }

    #[test]
    fn every_state_maps_to_the_api_name_it_is_stored_as() {
        for s in RunState::ALL {
            assert_eq!(run_state(*s).as_str(), s.as_str());
            assert_eq!(from_wire_state(run_state(*s)), *s);
        }
        for s in JobState::ALL {
            assert_eq!(job_state(*s).as_str(), s.as_str());
        }
        for s in CommitState::ALL {
            assert_eq!(commit_state(*s).as_str(), s.as_str());
        }
        for s in DeployPhase::ALL {
            assert_eq!(deploy_phase(*s).as_str(), s.as_str());
        }
    }
}
