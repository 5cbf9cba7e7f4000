//! Submitting a commit's deployed build: the submission is checked and the suite snapshotted
//! before anything is stored, so a submission that is refused leaves no trace; then the run is
//! created (or found: submissions are idempotent per commit and suite) and announced.

use crate::events::RunFacts;
use crate::store::{JobRecord, NewRun, RunRecord, SYNTHETIC_SUITE};
use crate::suite::{self, SuiteError};

use super::{Service, ServiceError};

/// A request to test a commit's build, from the API or a webhook.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Submission {
    pub commit: String,
    pub branch: Option<String>,
    pub pr: Option<u64>,
    /// RFC 3339.
    pub committed_at: Option<String>,
    /// Empty: the server's `default-base-url`.
    pub base_url: String,
    pub tags: Vec<String>,
    pub rerun: bool,
    /// A canary's synthetic check against the new version, not a test of the commit's build:
    /// its runs are a suite of their own that the commit's verdict leaves out, so a check cut
    /// short by a rollback (or failing against a canary already stopped) never turns a green
    /// commit red, blocks its next deployment or changes its published status.
    pub synthetic: bool,
}

/// A submission's run.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub run: RunRecord,
    pub jobs: Vec<JobRecord>,
    /// False: the commit and suite already had this run.
    pub created: bool,
}

/// A checked submission with its suite, ready to store.
#[derive(Debug, Clone)]
pub struct Prepared(NewRun);

/// Whether `sha` is a full commit id: 40 (SHA-1) or 64 (SHA-256) hex digits.
pub fn is_full_sha(sha: &str) -> bool {
    (sha.len() == 40 || sha.len() == 64) && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A commit id as the store keys it (lower case), or why it is not one.
pub fn commit_id(field: &str, sha: &str) -> Result<String, ServiceError> {
    let sha = sha.trim().to_ascii_lowercase();
    if is_full_sha(&sha) {
        Ok(sha)
    } else {
        Err(ServiceError::invalid(
            field,
            "a commit is a full SHA: 40 (or 64) hex digits",
        ))
    }
}

/// Whether `text` is an absolute `http`/`https` URL with a host.
pub fn is_http_url(text: &str) -> bool {
    reqwest::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

impl Service {
    /// Checks a submission and snapshots the suite: everything that can be wrong with it is
    /// found here, before anything is stored.
    pub async fn prepare(&self, submission: Submission) -> Result<Prepared, ServiceError> {
        let submission = self.check(submission)?;
        let paths = self.config.scenarios.clone();
        let tags = submission.tags.clone();
        let snapshot = tokio::task::spawn_blocking(move || suite::load(&paths, &tags))
            .await
            .map_err(|err| {
                ServiceError::Internal(format!("reading the scenarios panicked: {err}"))
            })?
            .map_err(suite_error)?;
        Ok(Prepared(NewRun {
            commit: submission.commit,
            branch: submission.branch,
            pr: submission.pr,
            committed_at: submission.committed_at,
            base_url: submission.base_url,
            tags: submission.tags,
            suite: if submission.synthetic {
                format!("{SYNTHETIC_SUITE}{}", snapshot.id)
            } else {
                snapshot.id
            },
            sources: snapshot.sources,
            scenarios: snapshot.selected,
            rerun: submission.rerun,
        }))
    }

    /// Creates the prepared run, or finds the one the commit and suite already have.
    pub async fn create(&self, prepared: Prepared) -> Result<Submitted, ServiceError> {
        let (run, created) = self.store.submit(prepared.0).await?;
        if created {
            self.queued(&run).await;
        }
        let jobs = self.store.jobs(&run.id).await?;
        Ok(Submitted { run, jobs, created })
    }

    /// [`Service::prepare`], then [`Service::create`].
    pub async fn submit(&self, submission: Submission) -> Result<Submitted, ServiceError> {
        let prepared = self.prepare(submission).await?;
        self.create(prepared).await
    }

    /// A webhook delivery's submission. `None`: the delivery id was seen before (a
    /// redelivery), and nothing is queued again. The delivery is only recorded once the
    /// submission has been checked, so a redelivery after a fix is not taken for a duplicate.
    pub async fn submit_delivery(
        &self,
        delivery: Option<&str>,
        submission: Submission,
    ) -> Result<Option<Submitted>, ServiceError> {
        let prepared = self.prepare(submission).await?;
        if let Some(delivery) = delivery
            && !self.store.record_delivery(delivery).await?
        {
            return Ok(None);
        }
        self.create(prepared).await.map(Some)
    }

    /// A new run of a run's failed, errored and cancelled scenarios (the run itself when none
    /// failed).
    pub async fn rerun_failed(&self, id: &str) -> Result<Submitted, ServiceError> {
        let run = self
            .store
            .rerun_failed(id)
            .await?
            .ok_or(ServiceError::NotFound("run"))?;
        let created = run.id != id;
        if created {
            self.queued(&run).await;
        }
        let jobs = self.store.jobs(&run.id).await?;
        Ok(Submitted { run, jobs, created })
    }

    fn check(&self, mut s: Submission) -> Result<Submission, ServiceError> {
        s.commit = commit_id("commit", &s.commit)?;
        s.base_url = s.base_url.trim().to_string();
        if s.base_url.is_empty() {
            s.base_url = self.config.default_base_url.clone().unwrap_or_default();
            if s.base_url.is_empty() {
                return Err(ServiceError::invalid(
                    "base_url",
                    "base_url is required (this server has no default-base-url): the absolute \
                     URL of the commit's deployed build, e.g. https://staging.example.com",
                ));
            }
        }
        if !is_http_url(&s.base_url) {
            return Err(ServiceError::invalid(
                "base_url",
                format!(
                    "base_url `{}` is not an absolute http(s) URL: give the URL of the commit's \
                     deployed build, e.g. https://staging.example.com",
                    s.base_url
                ),
            ));
        }
        if let Some(i) = s.tags.iter().position(|t| t.trim().is_empty()) {
            return Err(ServiceError::invalid(
                &format!("tags[{i}]"),
                "tags must not be empty strings",
            ));
        }
        if let Some(at) = &s.committed_at
            && time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                .is_err()
        {
            return Err(ServiceError::invalid(
                "committed_at",
                "committed_at must be an RFC 3339 time, e.g. 2026-11-27T10:00:00Z",
            ));
        }
        Ok(s)
    }

    /// A new run is in the queue: wake the runners, announce it.
    async fn queued(&self, run: &RunRecord) {
        tracing::info!(run = %run.id, commit = %run.commit, "run queued");
        self.work.notify_waiters();
        if run.state.is_final() {
            // A run with no scenarios ends as soon as it is made.
            self.finished(run).await;
        } else {
            self.announce_queued(RunFacts::of(run)).await;
        }
    }
}

fn suite_error(err: SuiteError) -> ServiceError {
    match err {
        SuiteError::NothingSelected(_) => ServiceError::invalid("tags", err.to_string()),
        // The diagnostics name scenario files and lines: what the submitter needs to fix.
        SuiteError::Invalid(_) => ServiceError::Invalid {
            field: None,
            message: err.to_string(),
        },
        SuiteError::Read(_) => ServiceError::Internal(err.to_string()),
    }
}
