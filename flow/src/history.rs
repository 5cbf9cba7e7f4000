//! What happened to each stage, as the server read it from its store: plain facts, no
//! queries.

use crate::model::StageKind;

/// One time an automated stage ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// When it started (unix ms).
    pub at_ms: i64,
    /// How long it took, when known.
    pub duration_ms: Option<i64>,
    pub failed: bool,
}

/// A manual stage someone performed for a release (`gate flow done`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Performance {
    pub stage: String,
    /// The release's version.
    pub release: String,
    /// Who performed it.
    pub by: String,
    /// When it was recorded (unix ms).
    pub at_ms: i64,
    pub duration_ms: Option<i64>,
    pub note: Option<String>,
}

/// Everything the flow's statistics and risks read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub now_ms: i64,
    /// Finished gate runs.
    pub gate: Vec<Occurrence>,
    /// Deployments that reached users, from their first step to their end.
    pub canary: Vec<Occurrence>,
    /// Deployments that went to all traffic; failed when reverted afterwards.
    pub promotion: Vec<Occurrence>,
    /// Digests queued, until delivered; failed when given up.
    pub digest: Vec<Occurrence>,
    /// Manual performances, oldest first.
    pub performances: Vec<Performance>,
    /// Release versions, newest first (at least as many as the risks look at).
    pub releases: Vec<String>,
}

impl History {
    /// What an automated kind's runs were.
    pub fn automated(&self, kind: StageKind) -> &[Occurrence] {
        match kind {
            StageKind::Gate => &self.gate,
            StageKind::Canary => &self.canary,
            StageKind::Promotion => &self.promotion,
            StageKind::Digest => &self.digest,
            StageKind::Manual => &[],
        }
    }

    /// The performances of the stage `name`, oldest first.
    pub fn performed(&self, name: &str) -> impl Iterator<Item = &Performance> {
        self.performances.iter().filter(move |p| p.stage == name)
    }
}
