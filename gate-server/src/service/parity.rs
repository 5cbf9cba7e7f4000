//! Staging parity as the server keeps it: each check's outcome (on its schedule, before a
//! canary) recorded as the last result, which the review reports; and whether a deploy is held.

use serde::{Deserialize, Serialize};

use super::{Service, ServiceError};
use crate::store::now_ms;

/// Where the last result is kept (`server_state`).
const KEY: &str = "parity";

/// What started a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParityTrigger {
    /// The server's own schedule (`[parity] every`).
    Schedule,
    /// A deploy, before its canary.
    Deploy,
    /// `gate review --config`, which has no server's schedule to rely on.
    Review,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParityOutcome {
    /// No difference that is not allowed.
    Matches,
    /// At least one difference that is not allowed.
    Differs,
    /// One environment or both could not be observed.
    Unchecked,
}

/// One check's result, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParityRecord {
    pub checked_at_ms: i64,
    pub trigger: ParityTrigger,
    pub outcome: ParityOutcome,
    /// `parity: staging matches production (…)`, the differences not allowed, or why it could
    /// not be checked.
    pub summary: String,
    /// The items that differ and are not allowed.
    #[serde(default)]
    pub differs: Vec<String>,
}

impl Service {
    /// Compares staging with production now and keeps the result as the last one; `None`
    /// when `[parity]` does not name both environments.
    pub async fn check_parity(
        &self,
        trigger: ParityTrigger,
    ) -> Result<Option<ParityRecord>, ServiceError> {
        let Some(config) = self
            .config
            .parity
            .as_ref()
            .filter(|p| p.staging.is_some() && p.production.is_some())
        else {
            return Ok(None);
        };
        let (outcome, summary, differs) = match crate::parity::check(config).await {
            Ok(checked) if checked.comparison.holds() => (
                ParityOutcome::Matches,
                checked.comparison.verdict(),
                Vec::new(),
            ),
            Ok(checked) => (
                ParityOutcome::Differs,
                format!(
                    "staging does not match production: {}",
                    checked.comparison.disallowed_summary()
                ),
                checked
                    .comparison
                    .disallowed()
                    .into_iter()
                    .map(String::from)
                    .collect(),
            ),
            Err(e) => (
                ParityOutcome::Unchecked,
                format!("staging parity could not be checked: {e}"),
                Vec::new(),
            ),
        };
        let record = ParityRecord {
            checked_at_ms: now_ms(),
            trigger,
            outcome,
            summary,
            differs,
        };
        let text = serde_json::to_string(&record)
            .map_err(|e| ServiceError::Internal(format!("cannot encode a parity result: {e}")))?;
        self.store.set_server_state(KEY, &text, &[]).await?;
        Ok(Some(record))
    }

    /// The last check's result, from this server or another on the same database.
    pub async fn last_parity(&self) -> Result<Option<ParityRecord>, ServiceError> {
        Ok(self
            .store
            .server_state(KEY)
            .await?
            .and_then(|text| serde_json::from_str(&text).ok()))
    }

    /// Checks parity before a canary (the result is kept); with `hold-deploys`, why the
    /// deploy must wait.
    pub(super) async fn parity_hold(&self) -> Result<Option<String>, ServiceError> {
        let hold = self.config.parity.as_ref().is_some_and(|p| p.hold_deploys);
        let record = self.check_parity(ParityTrigger::Deploy).await?;
        Ok(record
            .filter(|r| hold && r.outcome != ParityOutcome::Matches)
            .map(|r| r.summary))
    }
}
