//! Executes one step of a scenario against its page: the action, then the expectations (retried
//! until the step's deadline), then the captures.

mod action;
mod capture;
mod expect;
mod load;
mod request;

use std::time::Duration;

use gate_scenarios::{Locator, LocatorKind, Step, WaitUntil};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::config::RunConfig;
use crate::error::StepError;
use crate::page::{ProbeError, ScenarioPage};
use crate::result::NamedArtifact;
use crate::scope::Scope;

pub use request::Response;

/// Everything a step may use. One per attempt.
pub struct Exec<'a> {
    pub page: &'a ScenarioPage,
    pub scope: Scope<'a>,
    pub config: &'a RunConfig,
    pub http: &'a reqwest::Client,
    /// The scenario's `wait_until`: how far a navigation an action starts loads before the
    /// step is done, for the action steps that do not say.
    pub wait_until: Option<WaitUntil>,
    /// Directory (absolute) and prefix (relative to the artifacts root) for this attempt's files.
    pub artifacts: ArtifactPlace,
    pub screenshots: Vec<NamedArtifact>,
}

#[derive(Debug, Clone)]
pub struct ArtifactPlace {
    pub dir: std::path::PathBuf,
    pub relative: String,
}

impl ArtifactPlace {
    /// Writes `bytes` as `name`, returning the path relative to the artifacts root.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<String> {
        std::fs::create_dir_all(&self.dir)?;
        std::fs::write(self.dir.join(name), bytes)?;
        Ok(format!("{}/{name}", self.relative))
    }
}

/// What a step produced, for its expectations and captures.
pub enum Produced {
    Nothing,
    /// The value of an `eval` step.
    Value(Value),
    Response(Response),
}

/// The step's deadline, and whether it is the scenario's (so running out is a scenario timeout).
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    pub at: Instant,
    pub limit: Duration,
    pub scenario_limit: bool,
}

impl Deadline {
    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    pub fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    /// "within 5s" or "before the scenario's 60s ran out".
    pub fn describe(&self) -> String {
        if self.scenario_limit {
            format!(
                "before the scenario's time limit ({}) ran out",
                humantime::format_duration(self.limit)
            )
        } else {
            format!("within {}", humantime::format_duration(self.limit))
        }
    }
}

pub async fn run_step(
    exec: &mut Exec<'_>,
    step: &Step,
    deadline: Deadline,
) -> Result<(), StepError> {
    let produced = action::perform(exec, step, deadline).await?;
    if let Some(expected) = &step.expect {
        expect::verify(exec, step, expected, &produced, deadline).await?;
    }
    for capture in &step.captures {
        capture::take(exec, capture, &produced, deadline).await?;
    }
    Ok(())
}

/// The locator as the probe script takes it, with templates rendered.
pub fn locator_json(scope: &Scope<'_>, locator: &Locator) -> Result<Value, StepError> {
    let mut value = match &locator.kind {
        LocatorKind::Css(t) => json!({ "kind": "css", "value": scope.render(t)? }),
        LocatorKind::Text { text, exact } => {
            json!({ "kind": "text", "value": scope.render(text)?, "exact": exact })
        }
        LocatorKind::Role { role, name, exact } => {
            let name = name.as_ref().map(|n| scope.render(n)).transpose()?;
            json!({ "kind": "role", "role": role, "name": name, "exact": exact })
        }
        LocatorKind::Label { text, exact } => {
            json!({ "kind": "label", "value": scope.render(text)?, "exact": exact })
        }
        LocatorKind::TestId(t) => json!({ "kind": "test_id", "value": scope.render(t)? }),
    };
    if let (Some(nth), Value::Object(map)) = (locator.nth, &mut value) {
        map.insert("nth".into(), json!(nth));
    }
    Ok(value)
}

/// Calls the probe repeatedly until `done` accepts its answer or the deadline passes; returns the
/// last answer. Navigations during the wait are ridden out (the probe runs on the new document).
pub async fn poll<T, F>(
    exec: &Exec<'_>,
    op: &str,
    args: Value,
    deadline: Deadline,
    done: F,
) -> Result<Option<T>, StepError>
where
    T: serde::de::DeserializeOwned,
    F: Fn(&T) -> bool,
{
    let mut changes = exec.page.changes();
    let mut last = None;
    loop {
        // Slices of at most 2 s keep a navigation from stranding the wait on a dead document.
        let budget = deadline.remaining().min(Duration::from_secs(2));
        match crate::page::script::probe::<T>(&exec.page.page, op, args.clone(), budget).await {
            Ok(answer) => {
                let finished = done(&answer);
                last = Some(answer);
                if finished {
                    return Ok(last);
                }
            }
            Err(ProbeError::ContextGone) => {
                // Wait for the next page event (the new document) rather than spinning.
                let _ = tokio::time::timeout(Duration::from_millis(100), changes.changed()).await;
            }
            Err(ProbeError::Timeout) if !deadline.passed() => continue,
            Err(err) => return Err(err.into()),
        }
        if deadline.passed() {
            return Ok(last);
        }
    }
}
