//! The DORA report: the store's rows for a period (gate's deployments, external history, gate
//! runs, commit times) turned into `gate_dora::History`, and the pure metrics computed from
//! it. The digest, `gate report`, `/api/v1/report` and `/dashboard` all read from here, so
//! every one of them shows the same numbers.

use std::collections::HashMap;

use gate_dora::{
    Commit, Deployment, GateRun, History, Outcome, Period, Report, RunOutcome, ScenarioOutcome,
    ScenarioResult, Settings, Source, WeekPoint,
};

use super::{Service, ServiceError};
use crate::model::{DeployPhase, Outcome as JobOutcome, RunState};
use crate::store::{DeploymentRecord, ExternalDeployment, ExternalOutcome, RunFacts};

/// How far before a period the history is read: the previous period (a week, or as long as
/// the period), the rework window, and earlier promotions of the same commits.
const LOOKBACK_MS: i64 = 35 * 24 * 60 * 60 * 1000;

/// A report with its headline and digest text, as `GET /api/v1/report` answers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportAnswer {
    pub headline: String,
    pub text: String,
    pub report: Report,
}

impl Service {
    /// The metrics' time zone: the digest's (`[digest] time-zone`), else UTC.
    pub fn metrics_settings(&self) -> Settings {
        match &self.config.digest {
            Some(digest) => Settings::new(digest.time_zone.clone()),
            None => Settings::default(),
        }
    }

    /// Where the dashboard is, for links in the digest.
    pub fn dashboard_url(&self) -> String {
        self.config
            .digest
            .as_ref()
            .and_then(|d| d.dashboard_url.clone())
            .unwrap_or_else(|| {
                format!("{}/dashboard", self.config.public_url.trim_end_matches('/'))
            })
    }

    /// The report for `period`, of one service or all.
    pub async fn report(
        &self,
        period: &Period,
        service: Option<&str>,
    ) -> Result<Report, ServiceError> {
        let history = self
            .dora_history(period.since.min(period.previous().since), period.until)
            .await?;
        Ok(gate_dora::report(
            &history,
            period,
            service,
            &self.metrics_settings(),
        ))
    }

    /// The report with its headline and the digest's text.
    pub async fn report_answer(
        &self,
        period: &Period,
        service: Option<&str>,
    ) -> Result<ReportAnswer, ServiceError> {
        let report = self.report(period, service).await?;
        let digest = gate_dora::render(&report, &[], Some(&self.dashboard_url()));
        Ok(ReportAnswer {
            headline: gate_dora::headline(&report),
            text: digest.text,
            report,
        })
    }

    /// The last `weeks` local weeks up to now, and this week's report: the dashboard's data.
    pub async fn weekly(
        &self,
        now: i64,
        weeks: usize,
        service: Option<&str>,
    ) -> Result<(Vec<WeekPoint>, Report), ServiceError> {
        let settings = self.metrics_settings();
        let periods = gate_dora::weeks_ending(now, &settings.time_zone, weeks.max(1));
        let since = periods.first().map_or(now, |p| p.since);
        let this_week = Period::this_week(now, &settings.time_zone);
        let history = self
            .dora_history(
                since.min(this_week.previous().since),
                now.max(this_week.until),
            )
            .await?;
        let points = gate_dora::weekly(&history, now, weeks.max(1), service, &settings);
        let report = gate_dora::report(&history, &this_week, service, &settings);
        Ok((points, report))
    }

    /// The weekly digest of `[since_ms, until_ms)` (a local week), with the 12 weeks up to it:
    /// one read of the history serves both.
    pub async fn digest_content(
        &self,
        since_ms: i64,
        until_ms: i64,
    ) -> Result<super::DigestContent, ServiceError> {
        let settings = self.metrics_settings();
        let period = Period::last_full_week(until_ms, &settings.time_zone);
        let period = if period.since == since_ms && period.until == until_ms {
            period
        } else {
            Period::between_in(since_ms, until_ms, &settings.time_zone)
        };
        let last = until_ms - 1;
        let weeks = gate_dora::weeks_ending(last, &settings.time_zone, 12);
        let first = weeks.first().map_or(period.since, |w| w.since);
        let history = self
            .dora_history(first.min(period.previous().since), until_ms)
            .await?;
        let report = gate_dora::report(&history, &period, None, &settings);
        let weeks = gate_dora::weekly(&history, last, 12, None, &settings);
        let digest = gate_dora::render(&report, &weeks, Some(&self.dashboard_url()));
        Ok(super::DigestContent {
            subject: digest.subject,
            text: digest.text,
            html: digest.html,
            slack: digest.slack,
        })
    }

    /// Everything the metrics need about `[since, until)`, read from `since - LOOKBACK_MS`.
    pub async fn dora_history(&self, since: i64, until: i64) -> Result<History, ServiceError> {
        let from = since.saturating_sub(LOOKBACK_MS);
        let gate = self.store.deployments_finished(from, until).await?;
        let external = self.store.external_deployments(from, until).await?;
        let incidents = self.store.incidents(from, until).await?;
        let runs = self.store.run_facts(from, until).await?;
        let mut shas: Vec<String> = gate
            .iter()
            .flat_map(|d| std::iter::once(d.commit.clone()).chain(d.carries.iter().cloned()))
            .collect();
        shas.extend(
            external
                .iter()
                .flat_map(|d| d.commits.iter().filter(|c| c.committed_at.is_none()))
                .map(|c| c.sha.clone()),
        );
        shas.sort();
        shas.dedup();
        let times = self.store.commit_times(&shas).await?;
        // Deployments in progress count nowhere: only finished ones are read.
        let mut deployments: Vec<Deployment> =
            gate.iter().map(|d| gate_deployment(d, &times)).collect();
        deployments.extend(external.iter().map(|d| external_deployment(d, &times)));
        Ok(History {
            deployments,
            incidents: incidents
                .into_iter()
                .map(|i| gate_dora::Incident {
                    id: i.id,
                    service: i.service,
                    started_at: i.started_at,
                    resolved_at: i.resolved_at,
                    caused_by: i.caused_by,
                })
                .collect(),
            runs: runs.into_iter().map(gate_run).collect(),
        })
    }
}

fn commit(sha: &str, times: &HashMap<String, i64>, reported: Option<i64>) -> Commit {
    Commit {
        sha: sha.to_string(),
        committed_at: reported.or_else(|| times.get(sha).copied()),
    }
}

/// One of gate's deployments. A promoted deployment later rolled back (`gate rollback` away
/// from the version it put in place) is a failed change, rolled back by hand.
fn gate_deployment(d: &DeploymentRecord, times: &HashMap<String, i64>) -> Deployment {
    let automatic = d.ended_by.as_deref() == Some("gate");
    let outcome = match d.phase {
        DeployPhase::Pending | DeployPhase::Canary => Outcome::InProgress,
        DeployPhase::Promoted if d.detected_at.is_some() => {
            Outcome::RolledBack { automatic: false }
        }
        DeployPhase::Promoted => Outcome::Promoted,
        DeployPhase::RolledBack => Outcome::RolledBack { automatic },
        DeployPhase::Aborted => Outcome::Aborted,
        DeployPhase::Failed => Outcome::Failed,
    };
    let commits = std::iter::once(&d.commit)
        .chain(d.carries.iter())
        .map(|sha| commit(sha, times, None))
        .collect();
    Deployment {
        id: d.id.clone(),
        service: d.service.clone(),
        version: d.version.clone(),
        source: Source::Gate,
        started_at: d.created_at,
        finished_at: d.finished_at,
        outcome,
        reached_users: d.exposed_at.is_some() || d.phase == DeployPhase::Promoted,
        commits,
        hotfix: d.hotfix,
        rollback: false,
        detected_at: d.detected_at,
        recovered_at: d.recovered_at,
    }
}

fn external_deployment(d: &ExternalDeployment, times: &HashMap<String, i64>) -> Deployment {
    Deployment {
        id: d.id.clone(),
        service: d.service.clone(),
        version: d.version.clone().unwrap_or_default(),
        source: Source::External,
        started_at: d.started_at,
        finished_at: Some(d.finished_at),
        outcome: match d.outcome {
            ExternalOutcome::Success => Outcome::Promoted,
            ExternalOutcome::RolledBack => Outcome::RolledBack { automatic: false },
            ExternalOutcome::AutoRolledBack => Outcome::RolledBack { automatic: true },
            ExternalOutcome::Failed => Outcome::Failed,
        },
        reached_users: true,
        commits: d
            .commits
            .iter()
            .map(|c| commit(&c.sha, times, c.committed_at))
            .collect(),
        hotfix: d.hotfix,
        rollback: d.rollback,
        detected_at: d.detected_at,
        recovered_at: d.recovered_at,
    }
}

fn gate_run(run: RunFacts) -> GateRun {
    GateRun {
        outcome: match run.state {
            RunState::Queued | RunState::Running => RunOutcome::Running,
            RunState::Passed => RunOutcome::Passed,
            RunState::Failed => RunOutcome::Failed,
            RunState::Error => RunOutcome::Error,
            RunState::Cancelled => RunOutcome::Cancelled,
        },
        scenarios: run
            .not_passed
            .into_iter()
            .map(|(name, outcome)| ScenarioResult {
                name,
                outcome: match outcome {
                    JobOutcome::Passed => ScenarioOutcome::Passed,
                    JobOutcome::Flaky => ScenarioOutcome::Flaky,
                    JobOutcome::Failed => ScenarioOutcome::Failed,
                    JobOutcome::Error => ScenarioOutcome::Error,
                    JobOutcome::Cancelled => ScenarioOutcome::Skipped,
                },
            })
            .collect(),
        id: run.id,
        commit: run.commit,
        submitted_at: run.submitted_at,
        started_at: run.started_at,
        finished_at: run.finished_at,
    }
}
