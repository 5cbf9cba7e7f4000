//! What a commit's combined status is made of: the latest run of each suite with how many of
//! its jobs are done, and the jobs worth naming (flaky, or failed, errored or cancelled with a
//! result) with the failure that decided them. One query, and a second only when some job may
//! be named; their answers stay small however large the suite. A merge check polls this: the
//! scenario sources and passing results are never read.

use serde::Deserialize;
use sqlx::Row;

use super::rows::{outcome, run_state};
use super::{JobRecord, RunRecord, Store, StoreError};
use crate::model::{JobState, Outcome, RunState};

/// A run as its commit's verdict sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictRun {
    pub id: String,
    pub state: RunState,
    pub reason: Option<String>,
    /// Jobs in the run, and how many of them are done.
    pub total: u64,
    pub done: u64,
    /// Jobs whose result is flaky, failed, error or cancelled, in scenario order.
    pub notable: Vec<VerdictJob>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VerdictJob {
    pub scenario: String,
    /// `Flaky`, `Failed`, `Error` or `Cancelled`.
    pub outcome: Outcome,
    /// `file:line` and message of the deciding failure (none for flaky passes).
    pub failure: Option<FailureText>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FailureText {
    pub location: Option<String>,
    pub message: String,
}

/// The outcomes a verdict names, and the same as an SQL list.
const NOTABLE: [Outcome; 4] = [
    Outcome::Flaky,
    Outcome::Failed,
    Outcome::Error,
    Outcome::Cancelled,
];
const NOTABLE_SQL: &str = "('flaky', 'failed', 'error', 'cancelled')";

/// How the suite of a canary's synthetic check run starts: such runs test a deployment, not
/// the commit's build, and are left out of the commit's verdict.
pub const SYNTHETIC_SUITE: &str = "synthetic:";

/// The latest generation of each suite of the commit `$1` (runs aliased `r`), synthetic checks
/// left out.
const LATEST: &str = "r.commit_sha = $1 AND r.suite NOT LIKE 'synthetic:%' AND r.generation = \
     (SELECT MAX(generation) FROM runs o WHERE o.commit_sha = r.commit_sha AND o.suite = r.suite)";

impl VerdictRun {
    /// The same view, made from full records.
    pub fn of(run: &RunRecord, jobs: &[JobRecord]) -> VerdictRun {
        VerdictRun {
            id: run.id.clone(),
            state: run.state,
            reason: run.reason.clone(),
            total: jobs.len() as u64,
            done: jobs.iter().filter(|j| j.state == JobState::Done).count() as u64,
            notable: jobs
                .iter()
                .filter_map(|j| j.result.as_ref().map(|r| (j, r)))
                .filter(|(_, r)| NOTABLE.contains(&r.outcome))
                .map(|(j, r)| VerdictJob {
                    scenario: j.scenario.clone(),
                    outcome: r.outcome,
                    failure: r
                        .failure()
                        .filter(|_| r.outcome != Outcome::Flaky)
                        .map(|f| FailureText {
                            location: f.location.clone(),
                            message: f.message.clone(),
                        }),
                })
                .collect(),
        }
    }
}

/// Of a stored result, only the deciding (last) attempt's failure.
#[derive(Deserialize)]
struct StoredResult {
    attempts: Vec<StoredAttempt>,
}

#[derive(Deserialize)]
struct StoredAttempt {
    failure: Option<FailureText>,
}

impl Store {
    /// The latest run (highest generation) of each suite for a commit, oldest first: what
    /// [`crate::verdict::combine`] needs.
    /// Every run of the commit with its revision, by id: while this is unchanged, so is what
    /// [`Store::verdict_runs`] reads (runs are never deleted; a change to a run or its jobs
    /// bumps the revision). One read of the `(commit_sha, …)` index.
    pub async fn verdict_fingerprint(&self, sha: &str) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, revision FROM runs WHERE commit_sha = $1 ORDER BY id")
                .bind(sha)
                .fetch_all(&self.reads)
                .await?,
        )
    }

    pub async fn verdict_runs(&self, sha: &str) -> Result<Vec<VerdictRun>, StoreError> {
        let runs = sqlx::query(&format!(
            "SELECT r.id AS id, r.state AS state, r.reason AS reason, COUNT(j.run_id) AS total, \
             COALESCE(SUM(CASE WHEN j.state = 'done' THEN 1 ELSE 0 END), 0) AS done, \
             COALESCE(SUM(CASE WHEN j.outcome IN {NOTABLE_SQL} \
             THEN 1 ELSE 0 END), 0) AS candidates \
             FROM runs r LEFT JOIN jobs j ON j.run_id = r.id WHERE {LATEST} \
             GROUP BY r.id, r.state, r.reason, r.created_at ORDER BY r.created_at, r.id"
        ))
        .bind(sha)
        .fetch_all(&self.reads)
        .await?;
        // Jobs that may be named (a cancelled one may lack a result): none in the usual case of
        // a run that passed or has not finished, and then the second query is not needed.
        let mut candidates = 0;
        let mut out = runs
            .iter()
            .map(|row| {
                candidates += row.try_get::<i64, _>("candidates")?;
                Ok(VerdictRun {
                    id: row.try_get("id")?,
                    state: run_state(&row.try_get::<String, _>("state")?)?,
                    reason: row.try_get("reason")?,
                    total: row.try_get::<i64, _>("total")?.max(0) as u64,
                    done: row.try_get::<i64, _>("done")?.max(0) as u64,
                    notable: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        if candidates == 0 {
            return Ok(out);
        }
        let notable = sqlx::query(&format!(
            "SELECT j.run_id AS run_id, j.scenario AS scenario, j.outcome AS outcome, \
             CASE WHEN j.outcome = 'flaky' THEN NULL ELSE j.result END AS result \
             FROM jobs j JOIN runs r ON r.id = j.run_id WHERE {LATEST} \
             AND j.result IS NOT NULL AND j.outcome IN {NOTABLE_SQL} \
             ORDER BY j.position"
        ))
        .bind(sha)
        .fetch_all(&self.reads)
        .await?;
        for row in &notable {
            let run_id: String = row.try_get("run_id")?;
            let failure = match row.try_get::<Option<String>, _>("result")? {
                Some(text) => serde_json::from_str::<StoredResult>(&text)
                    .map_err(|e| StoreError::Corrupt(format!("job result: {e}")))?
                    .attempts
                    .pop()
                    .and_then(|a| a.failure),
                None => None,
            };
            let job = VerdictJob {
                scenario: row.try_get("scenario")?,
                outcome: outcome(&row.try_get::<String, _>("outcome")?)?,
                failure,
            };
            if let Some(run) = out.iter_mut().find(|r| r.id == run_id) {
                run.notable.push(job);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_list_names_the_same_outcomes() {
        let quoted: Vec<String> = NOTABLE
            .iter()
            .map(|o| format!("'{}'", o.as_str()))
            .collect();
        assert_eq!(NOTABLE_SQL, format!("({})", quoted.join(", ")));
    }
}
