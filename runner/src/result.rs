//! Results of a run: plain serialisable data. Reporters (JUnit, JSON, HTML, terminal) are pure
//! functions of these types; the JSON report is exactly `RunResult` serialised. With the
//! `schema` feature each type a scenario result is made of also describes itself for OpenAPI
//! (the server's agent protocol carries [`ScenarioResult`]).

use serde::{Deserialize, Serialize};

/// The whole run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunResult {
    /// Unique per run, e.g. `20261127-001502-3f9a`.
    pub run_id: String,
    /// RFC 3339.
    pub started_at: String,
    pub duration_ms: u64,
    pub base_url: String,
    pub workers: usize,
    /// Root the artifact paths in scenario results are relative to.
    pub artifacts_dir: String,
    /// True when the run was stopped (Ctrl-C) before every scenario finished.
    pub interrupted: bool,
    pub scenarios: Vec<ScenarioResult>,
}

impl RunResult {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.outcome == outcome)
            .count()
    }
}

/// Final outcome of one scenario over all its attempts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// Failed, then passed on a retry.
    Flaky,
    /// An assertion or step did not hold (the code under test is at fault).
    Failed,
    /// Infrastructure: browser crash, lost DevTools connection, launch failure.
    Error,
    /// Not run: the run was interrupted first.
    Cancelled,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Flaky => "flaky",
            Outcome::Failed => "failed",
            Outcome::Error => "error",
            Outcome::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ScenarioResult {
    pub name: String,
    /// Scenario file path as given.
    pub path: String,
    pub tags: Vec<String>,
    pub outcome: Outcome,
    /// Sum of all attempts.
    pub duration_ms: u64,
    /// Every attempt, in order; the last one decides the outcome.
    pub attempts: Vec<Attempt>,
}

impl ScenarioResult {
    /// The failure that decided the outcome (last attempt's), if any.
    pub fn failure(&self) -> Option<&Failure> {
        self.attempts.last().and_then(|a| a.failure.as_ref())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Passed,
    Failed,
    Error,
    Cancelled,
}

/// One execution of a scenario in one browser context.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Attempt {
    /// 1-based.
    pub number: u32,
    pub outcome: AttemptOutcome,
    /// Which worker (browser) ran it, numbered from 1.
    pub worker: usize,
    pub duration_ms: u64,
    pub steps: Vec<StepResult>,
    pub failure: Option<Failure>,
    pub artifacts: Artifacts,
    /// `console.error` messages and uncaught exceptions of the page.
    pub console_errors: Vec<String>,
    /// Requests that failed or answered 4xx/5xx.
    pub failed_requests: Vec<FailedRequest>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    Passed,
    Failed,
    Error,
    /// Not reached because an earlier step failed.
    Skipped,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct StepResult {
    /// 0-based index in the scenario.
    pub index: usize,
    /// e.g. `click text="Blue Mug"`; secrets redacted.
    pub description: String,
    /// Line of the step in the scenario file.
    pub line: u32,
    pub outcome: StepOutcome,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// An expectation did not hold.
    Assertion,
    /// A step could not be performed (element never actionable, navigation failed…).
    Step,
    /// The scenario's overall time limit ran out.
    Timeout,
    /// Browser or DevTools failure: not the code under test.
    Infrastructure,
    /// Missing variable or secret at run time.
    Setup,
}

/// Why an attempt did not pass. All text has secrets redacted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Failure {
    pub kind: FailureKind,
    /// Index of the failing step, if a step failed.
    pub step: Option<usize>,
    /// `file:line` of the failing step.
    pub location: Option<String>,
    /// Description of the failing step.
    pub step_description: Option<String>,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

/// Files kept for an attempt, relative to [`RunResult::artifacts_dir`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Artifacts {
    /// Screenshot at the moment of failure.
    pub failure_screenshot: Option<String>,
    /// Page HTML at the moment of failure.
    pub page_html: Option<String>,
    /// Screenshots taken by `screenshot` steps, in order.
    pub screenshots: Vec<NamedArtifact>,
    /// The output of the browser's container, kept when the browser failed during the attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_log: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NamedArtifact {
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FailedRequest {
    pub method: String,
    pub url: String,
    /// HTTP status, or `None` when the request failed at the network level.
    pub status: Option<u16>,
    /// Network error text (e.g. `net::ERR_CONNECTION_REFUSED`).
    pub error: Option<String>,
}
