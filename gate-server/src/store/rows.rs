//! Rows to records and back: the column lists, the decoding and the JSON columns, in one place.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{JobRecord, RunRecord, StoreError};
use crate::model::{JobState, Outcome, RunState, parse_outcome};

pub const RUN_COLUMNS: &str = "id, commit_sha, branch, pr, committed_at, base_url, tags, suite, sources, state, reason, created_at, started_at, finished_at, config_commit";
pub const JOB_COLUMNS: &str = "id, run_id, scenario, path, position, state, leases, lease_owner, outcome, result, finished_at";

pub fn run_state(text: &str) -> Result<RunState, StoreError> {
    RunState::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown run state `{text}`")))
}

pub fn job_state(text: &str) -> Result<JobState, StoreError> {
    JobState::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown job state `{text}`")))
}

pub fn outcome(text: &str) -> Result<Outcome, StoreError> {
    parse_outcome(text).ok_or_else(|| StoreError::Corrupt(format!("unknown outcome `{text}`")))
}

/// A nullable outcome column.
pub fn optional_outcome(text: Option<String>) -> Result<Option<Outcome>, StoreError> {
    text.as_deref().map(outcome).transpose()
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A value for a JSON (TEXT) column.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub fn run(row: &AnyRow) -> Result<RunRecord, StoreError> {
    Ok(RunRecord {
        id: row.try_get("id")?,
        commit: row.try_get("commit_sha")?,
        branch: row.try_get("branch")?,
        // Stored as the same 64 bits (see `submit`).
        pr: row.try_get::<Option<i64>, _>("pr")?.map(|p| p as u64),
        committed_at: row.try_get("committed_at")?,
        base_url: row.try_get("base_url")?,
        tags: json(&row.try_get::<String, _>("tags")?, "run tags")?,
        suite: row.try_get("suite")?,
        sources: json(&row.try_get::<String, _>("sources")?, "run sources")?,
        state: run_state(&row.try_get::<String, _>("state")?)?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        config_commit: row.try_get("config_commit")?,
    })
}

pub fn job(row: &AnyRow) -> Result<JobRecord, StoreError> {
    let result: Option<String> = row.try_get("result")?;
    Ok(JobRecord {
        id: row.try_get("id")?,
        run_id: row.try_get("run_id")?,
        scenario: row.try_get("scenario")?,
        path: row.try_get("path")?,
        position: row.try_get::<i64, _>("position")? as u32,
        state: job_state(&row.try_get::<String, _>("state")?)?,
        leases: row.try_get::<i64, _>("leases")? as u32,
        lease_owner: row.try_get("lease_owner")?,
        outcome: optional_outcome(row.try_get("outcome")?)?,
        result: result.map(|r| json(&r, "job result")).transpose()?,
        finished_at: row.try_get("finished_at")?,
    })
}
