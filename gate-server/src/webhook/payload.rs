//! The parts of GitHub's webhook payloads that gate reads. GitHub sends much more; unknown
//! fields are ignored, and everything not needed to name a commit is optional so that a
//! trimmed payload (from a proxy or a test) still works.

use serde::Deserialize;

/// `X-GitHub-Event: push`.
#[derive(Debug, Deserialize)]
pub(super) struct Push {
    /// `refs/heads/main`, `refs/tags/v1.2`.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The SHA the ref points to now; all zeros when the ref was deleted.
    pub after: String,
    #[serde(default)]
    pub deleted: bool,
    pub head_commit: Option<Commit>,
}

/// `X-GitHub-Event: pull_request`.
#[derive(Debug, Deserialize)]
pub(super) struct PullRequestEvent {
    pub number: Option<u64>,
    pub pull_request: PullRequest,
}

#[derive(Debug, Deserialize)]
pub(super) struct PullRequest {
    pub number: Option<u64>,
    pub head: Head,
}

/// The head of a pull request: the branch (possibly in a fork) and its current commit.
#[derive(Debug, Deserialize)]
pub(super) struct Head {
    pub sha: String,
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
}

/// `X-GitHub-Event: merge_group` (a merge queue asks for checks on its temporary commit).
#[derive(Debug, Deserialize)]
pub(super) struct MergeGroupEvent {
    pub merge_group: MergeGroup,
}

#[derive(Debug, Deserialize)]
pub(super) struct MergeGroup {
    pub head_sha: String,
    /// `refs/heads/gh-readonly-queue/main/pr-42-<sha>`.
    pub head_ref: Option<String>,
    pub head_commit: Option<Commit>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Commit {
    /// ISO 8601, e.g. `2026-11-26T10:00:00+01:00`.
    pub timestamp: Option<String>,
}

/// Any event's `action` (`opened`, `checks_requested`, …).
#[derive(Debug, Deserialize)]
pub(super) struct Action {
    pub action: Option<String>,
}
