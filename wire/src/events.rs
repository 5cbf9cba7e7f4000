//! `GET /api/v1/events`: what happens on the server, as Server-Sent Events. Each event's SSE
//! `event:` field is its `type`; its `data:` is the event as JSON.

use gate_runner::result::Outcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::commits::CommitState;
use crate::runs::RunState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A run was created and its scenarios queued.
    RunQueued { run: String, commit: String },
    /// One scenario of a run has its final result.
    ScenarioFinished {
        run: String,
        job: String,
        scenario: String,
        outcome: Outcome,
        duration_ms: u64,
    },
    /// A run reached its final state. Sent exactly once per run.
    RunFinished {
        run: String,
        commit: String,
        state: RunState,
    },
    /// A commit's combined verdict after a run of it was queued, finished or cancelled.
    VerdictChanged {
        commit: String,
        state: CommitState,
        description: String,
    },
    /// A deployment changed: a new phase or step, or a new decision of the analysis.
    DeploymentChanged {
        deployment: String,
        service: String,
        version: String,
        phase: crate::deployments::DeployPhase,
        step: Option<u32>,
        weight: u8,
        /// What changed, in words.
        summary: String,
    },
    /// A service serves another version outside a deployment (a rollback to an earlier one).
    ServingChanged { service: String, version: String },
    /// History from outside gate was recorded (`POST /api/v1/history` and the like): the DORA
    /// figures may have changed.
    HistoryRecorded { deployments: u32, incidents: u32 },
    /// The stream fell behind and skipped `missed` events: re-read what you show.
    Lagged { missed: u64 },
}

impl Event {
    /// The SSE `event:` name: the same as the JSON `type`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::RunQueued { .. } => "run_queued",
            Event::ScenarioFinished { .. } => "scenario_finished",
            Event::RunFinished { .. } => "run_finished",
            Event::VerdictChanged { .. } => "verdict_changed",
            Event::DeploymentChanged { .. } => "deployment_changed",
            Event::ServingChanged { .. } => "serving_changed",
            Event::HistoryRecorded { .. } => "history_recorded",
            Event::Lagged { .. } => "lagged",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sse_name_is_the_json_type() {
        let events = [
            Event::RunQueued {
                run: "r".into(),
                commit: "c".into(),
            },
            Event::ScenarioFinished {
                run: "r".into(),
                job: "j".into(),
                scenario: "s".into(),
                outcome: Outcome::Flaky,
                duration_ms: 1,
            },
            Event::RunFinished {
                run: "r".into(),
                commit: "c".into(),
                state: RunState::Passed,
            },
            Event::VerdictChanged {
                commit: "c".into(),
                state: CommitState::Success,
                description: "d".into(),
            },
            Event::DeploymentChanged {
                deployment: "d".into(),
                service: "shop".into(),
                version: "v2".into(),
                phase: crate::deployments::DeployPhase::Canary,
                step: Some(0),
                weight: 5,
                summary: "5% of traffic".into(),
            },
            Event::ServingChanged {
                service: "shop".into(),
                version: "v1".into(),
            },
            Event::HistoryRecorded {
                deployments: 2,
                incidents: 1,
            },
            Event::Lagged { missed: 3 },
        ];
        for event in events {
            let json = serde_json::to_value(&event).unwrap_or_default();
            assert_eq!(json["type"], event.name(), "{json}");
        }
    }
}
