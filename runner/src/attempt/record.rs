//! The record of one attempt while it runs: how each step went, the failure, the evidence and
//! what the page logged. Phases fill it in; [`AttemptRecord::finish`] turns it into the
//! [`Attempt`] the result holds, deciding its outcome from the failure alone.

use tokio::time::Instant;

use super::{AttemptEnv, AttemptPlan};
use crate::page::PageLog;
use crate::result::{
    Artifacts, Attempt, AttemptOutcome, Failure, FailureKind, StepOutcome, StepResult,
};

/// The message of a failure that is a cancellation (the run was interrupted), not a fault.
pub(super) const CANCELLED: &str = "the run was interrupted";

pub(super) struct AttemptRecord {
    number: u32,
    worker: usize,
    pub started: Instant,
    /// One per step of the scenario, `Skipped` until it runs.
    pub steps: Vec<StepResult>,
    pub failure: Option<Failure>,
    pub artifacts: Artifacts,
    console_errors: Vec<String>,
    failed_requests: Vec<crate::result::FailedRequest>,
}

impl AttemptRecord {
    pub fn new(env: &AttemptEnv<'_>, plan: &AttemptPlan<'_>) -> AttemptRecord {
        let steps = plan
            .scenario
            .steps
            .iter()
            .map(|s| StepResult {
                index: s.index,
                description: env.redactor.redact(&s.describe()),
                line: s.location.line,
                outcome: StepOutcome::Skipped,
                duration_ms: 0,
            })
            .collect();
        AttemptRecord {
            number: plan.number,
            worker: plan.worker,
            started: Instant::now(),
            steps,
            failure: None,
            artifacts: Artifacts::default(),
            console_errors: Vec::new(),
            failed_requests: Vec::new(),
        }
    }

    /// Keeps the page's console errors and failed requests, secrets redacted.
    pub fn page_log(&mut self, env: &AttemptEnv<'_>, log: PageLog) {
        self.console_errors = log
            .console_errors
            .iter()
            .map(|c| env.redactor.redact(c))
            .collect();
        self.failed_requests = log
            .failed_requests
            .into_iter()
            .map(|mut r| {
                r.url = env.redactor.redact(&r.url);
                r
            })
            .collect();
    }

    pub fn finish(self) -> Box<Attempt> {
        let outcome = match &self.failure {
            None => AttemptOutcome::Passed,
            Some(f) if f.message == CANCELLED => AttemptOutcome::Cancelled,
            Some(f) if f.kind == FailureKind::Infrastructure => AttemptOutcome::Error,
            Some(_) => AttemptOutcome::Failed,
        };
        Box::new(Attempt {
            number: self.number,
            outcome,
            worker: self.worker,
            duration_ms: self.started.elapsed().as_millis() as u64,
            steps: self.steps,
            failure: self.failure,
            artifacts: self.artifacts,
            console_errors: self.console_errors,
            failed_requests: self.failed_requests,
        })
    }
}
