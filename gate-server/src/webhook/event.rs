//! Which deliveries start a run, and for which commit.
//!
//! - `push`: the pushed branch's new head (`after`); deleted branches are ignored.
//! - `pull_request` with action `opened`, `synchronize`, `reopened` or `ready_for_review`:
//!   the PR's head commit; other actions (closed, labeled, …) are ignored.
//! - `merge_group` with action `checks_requested`: the merge queue's temporary commit.
//! - `ping` (sent when the webhook is created) and every other event: ignored.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::payload::{Action, MergeGroupEvent, PullRequestEvent, Push};

/// A commit a delivery asks to test.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookRun {
    pub commit: String,
    pub branch: Option<String>,
    pub pr: Option<u64>,
    /// The commit's timestamp as GitHub sent it (ISO 8601), when the event carries it.
    pub committed_at: Option<String>,
    /// The event it came from: `push`, `pull_request` or `merge_group`.
    pub delivery_kind: &'static str,
}

/// What a (verified) delivery asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookAction {
    Submit(WebhookRun),
    /// Valid, but nothing to do; the reason is for the delivery log on GitHub's side.
    Ignore(String),
}

/// A delivery whose payload cannot be read. The texts are safe to show to the sender.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the {event} payload is not valid JSON: {message}")]
    Json { event: String, message: String },
    #[error("the {event} payload is not as expected at `{field}`: {message}")]
    Payload {
        event: String,
        field: String,
        message: String,
    },
}

/// Reads a delivery: `event` is the `X-GitHub-Event` header, `body` the raw JSON.
pub fn parse_event(event: &str, body: &[u8]) -> Result<WebhookAction, WebhookError> {
    let json: Value = serde_json::from_slice(body).map_err(|e| WebhookError::Json {
        event: event.to_string(),
        message: e.to_string(),
    })?;
    let action = read::<Action>(event, &json)?.action.unwrap_or_default();
    match (event, action.as_str()) {
        ("ping", _) => Ok(WebhookAction::Ignore("ping".into())),
        ("push", _) => push(read(event, &json)?),
        ("pull_request", "opened" | "synchronize" | "reopened" | "ready_for_review") => {
            let PullRequestEvent {
                number,
                pull_request,
            } = read(event, &json)?;
            Ok(WebhookAction::Submit(WebhookRun {
                commit: pull_request.head.sha,
                branch: pull_request.head.git_ref,
                pr: number.or(pull_request.number),
                committed_at: None,
                delivery_kind: "pull_request",
            }))
        }
        ("merge_group", "checks_requested") => {
            let MergeGroupEvent { merge_group } = read(event, &json)?;
            Ok(WebhookAction::Submit(WebhookRun {
                commit: merge_group.head_sha,
                branch: merge_group.head_ref.as_deref().map(branch_of),
                pr: None,
                committed_at: merge_group.head_commit.and_then(|c| c.timestamp),
                delivery_kind: "merge_group",
            }))
        }
        ("pull_request" | "merge_group", action) => Ok(WebhookAction::Ignore(format!(
            "{event} action `{action}` starts no run"
        ))),
        (other, _) => Ok(WebhookAction::Ignore(format!(
            "event `{other}` starts no run"
        ))),
    }
}

fn push(push: Push) -> Result<WebhookAction, WebhookError> {
    if push.deleted || push.after.bytes().all(|b| b == b'0') {
        return Ok(WebhookAction::Ignore(format!(
            "{} was deleted",
            push.git_ref
        )));
    }
    Ok(WebhookAction::Submit(WebhookRun {
        commit: push.after,
        branch: push.git_ref.strip_prefix("refs/heads/").map(str::to_string),
        pr: None,
        committed_at: push.head_commit.and_then(|c| c.timestamp),
        delivery_kind: "push",
    }))
}

/// `main` from `refs/heads/main`; other refs as they are.
fn branch_of(git_ref: &str) -> String {
    git_ref
        .strip_prefix("refs/heads/")
        .unwrap_or(git_ref)
        .to_string()
}

/// The payload as `T`; an error names the JSON path of the field that did not fit.
fn read<T: DeserializeOwned>(event: &str, json: &Value) -> Result<T, WebhookError> {
    serde_path_to_error::deserialize(json).map_err(|e| WebhookError::Payload {
        event: event.to_string(),
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })
}
