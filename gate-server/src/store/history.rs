//! What the DORA metrics read: gate's own deployments finished in a period, the history a team
//! recorded from outside gate (deployments and incidents, written all or nothing), the gate
//! runs submitted in a period with the scenarios that did not pass, and the commit times CI
//! reported. Plain rows; the service turns them into `gate_dora::History`.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use super::deploys::{COLUMNS, deployment};
use super::retry::retrying;
use super::{DeploymentRecord, Store, StoreError, now_ms};
use crate::model::{Outcome, RunState, parse_outcome};

/// How a deployment made outside gate ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalOutcome {
    Success,
    RolledBack,
    AutoRolledBack,
    Failed,
}

impl ExternalOutcome {
    pub const ALL: [ExternalOutcome; 4] = [
        ExternalOutcome::Success,
        ExternalOutcome::RolledBack,
        ExternalOutcome::AutoRolledBack,
        ExternalOutcome::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExternalOutcome::Success => "success",
            ExternalOutcome::RolledBack => "rolled_back",
            ExternalOutcome::AutoRolledBack => "auto_rolled_back",
            ExternalOutcome::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<ExternalOutcome> {
        ExternalOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// A commit a deployment carried and when it was made (unix ms), if known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CarriedCommit {
    pub sha: String,
    pub committed_at: Option<i64>,
}

/// A production deployment made outside gate. Times are unix ms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalDeployment {
    pub id: String,
    pub service: String,
    pub version: Option<String>,
    /// Head first.
    pub commits: Vec<CarriedCommit>,
    pub started_at: i64,
    pub finished_at: i64,
    pub outcome: ExternalOutcome,
    pub hotfix: bool,
    /// A redeploy of an earlier version (not a new change).
    pub rollback: bool,
    pub detected_at: Option<i64>,
    pub recovered_at: Option<i64>,
}

/// A production incident. Times are unix ms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub service: String,
    pub title: String,
    pub started_at: i64,
    pub resolved_at: Option<i64>,
    /// The deployment (gate's or external) that caused it.
    pub caused_by: Option<String>,
}

/// What a recording did: rows new, and rows that replaced one with the same id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    pub created: u32,
    pub replaced: u32,
}

/// A gate run, as the metrics see it: the scenarios listed are those that did not pass.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    pub id: String,
    pub commit: String,
    pub submitted_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub state: RunState,
    pub not_passed: Vec<(String, Outcome)>,
}

impl Store {
    /// Records external deployments and incidents in one transaction: all or none. A row with
    /// an id already stored replaces it (importing the same file twice changes nothing). Rows
    /// go in [`CHUNK`] at a time (one existence query and one multi-row insert per chunk), so a
    /// history of 10,000 rows is some forty statements rather than 20,000. The ids of one call
    /// are distinct (the service refuses a batch that repeats one).
    pub async fn record_history(
        &self,
        deployments: &[ExternalDeployment],
        incidents: &[Incident],
        who: &str,
    ) -> Result<Recorded, StoreError> {
        retrying("record history", || async move {
            let mut tx = self.pool.begin().await?;
            let now = now_ms();
            let mut recorded = Recorded::default();
            for chunk in deployments.chunks(CHUNK) {
                let ids: Vec<&str> = chunk.iter().map(|d| d.id.as_str()).collect();
                count(
                    &mut recorded,
                    &ids,
                    stored(&mut tx, "external_deployments", &ids).await?,
                );
                let sql = format!(
                    "INSERT INTO external_deployments (id, service, version, commits, started_at, \
                     finished_at, outcome, hotfix, rollback, detected_at, recovered_at, \
                     recorded_at, recorded_by) VALUES {} \
                     ON CONFLICT (id) DO UPDATE SET service = excluded.service, \
                     version = excluded.version, commits = excluded.commits, \
                     started_at = excluded.started_at, finished_at = excluded.finished_at, \
                     outcome = excluded.outcome, hotfix = excluded.hotfix, \
                     rollback = excluded.rollback, detected_at = excluded.detected_at, \
                     recovered_at = excluded.recovered_at, recorded_at = excluded.recorded_at, \
                     recorded_by = excluded.recorded_by",
                    placeholders(chunk.len(), 13)
                );
                let mut query = sqlx::query(&sql);
                for d in chunk {
                    query = query
                        .bind(d.id.clone())
                        .bind(d.service.clone())
                        .bind(d.version.clone())
                        .bind(serde_json::to_string(&d.commits).unwrap_or_else(|_| "[]".into()))
                        .bind(d.started_at)
                        .bind(d.finished_at)
                        .bind(d.outcome.as_str())
                        .bind(i64::from(d.hotfix))
                        .bind(i64::from(d.rollback))
                        .bind(d.detected_at)
                        .bind(d.recovered_at)
                        .bind(now)
                        .bind(who.to_owned());
                }
                query.execute(&mut *tx).await?;
            }
            for chunk in incidents.chunks(CHUNK) {
                let ids: Vec<&str> = chunk.iter().map(|i| i.id.as_str()).collect();
                count(
                    &mut recorded,
                    &ids,
                    stored(&mut tx, "incidents", &ids).await?,
                );
                let sql = format!(
                    "INSERT INTO incidents (id, service, title, started_at, resolved_at, \
                     caused_by, recorded_at, recorded_by) VALUES {} \
                     ON CONFLICT (id) DO UPDATE SET service = excluded.service, \
                     title = excluded.title, started_at = excluded.started_at, \
                     resolved_at = excluded.resolved_at, caused_by = excluded.caused_by, \
                     recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by",
                    placeholders(chunk.len(), 8)
                );
                let mut query = sqlx::query(&sql);
                for i in chunk {
                    query = query
                        .bind(i.id.clone())
                        .bind(i.service.clone())
                        .bind(i.title.clone())
                        .bind(i.started_at)
                        .bind(i.resolved_at)
                        .bind(i.caused_by.clone())
                        .bind(now)
                        .bind(who.to_owned());
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(recorded)
        })
        .await
    }

    /// Whether a deployment with this id exists, gate's or external.
    pub async fn deployment_exists(&self, id: &str) -> Result<bool, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM deployments WHERE id = $1) \
             + (SELECT COUNT(*) FROM external_deployments WHERE id = $1)",
        )
        .bind(id)
        .fetch_one(&self.reads)
        .await?;
        Ok(n > 0)
    }

    /// gate's deployments finished in [since, until), oldest first.
    pub async fn deployments_finished(
        &self,
        since: i64,
        until: i64,
    ) -> Result<Vec<DeploymentRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM deployments WHERE finished_at >= $1 AND finished_at < $2 \
             ORDER BY finished_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(since)
            .bind(until)
            .fetch_all(&self.reads)
            .await?;
        rows.iter().map(deployment).collect()
    }

    /// External deployments finished in [since, until), oldest first.
    pub async fn external_deployments(
        &self,
        since: i64,
        until: i64,
    ) -> Result<Vec<ExternalDeployment>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, service, version, commits, started_at, finished_at, outcome, hotfix, \
             rollback, detected_at, recovered_at FROM external_deployments \
             WHERE finished_at >= $1 AND finished_at < $2 ORDER BY finished_at, id",
        )
        .bind(since)
        .bind(until)
        .fetch_all(&self.reads)
        .await?;
        rows.iter().map(external).collect()
    }

    /// Incidents that started in [since, until), oldest first.
    pub async fn incidents(&self, since: i64, until: i64) -> Result<Vec<Incident>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, service, title, started_at, resolved_at, caused_by FROM incidents \
             WHERE started_at >= $1 AND started_at < $2 ORDER BY started_at, id",
        )
        .bind(since)
        .bind(until)
        .fetch_all(&self.reads)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Incident {
                    id: row.try_get("id")?,
                    service: row.try_get("service")?,
                    title: row.try_get("title")?,
                    started_at: row.try_get("started_at")?,
                    resolved_at: row.try_get("resolved_at")?,
                    caused_by: row.try_get("caused_by")?,
                })
            })
            .collect()
    }

    /// Runs submitted in [since, until), with the scenarios that did not pass.
    pub async fn run_facts(&self, since: i64, until: i64) -> Result<Vec<RunFacts>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, commit_sha, state, created_at, started_at, finished_at FROM runs \
             WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id",
        )
        .bind(since)
        .bind(until)
        .fetch_all(&self.reads)
        .await?;
        let mut runs = Vec::with_capacity(rows.len());
        let mut index = HashMap::with_capacity(rows.len());
        for row in &rows {
            let state: String = row.try_get("state")?;
            let id: String = row.try_get("id")?;
            index.insert(id.clone(), runs.len());
            runs.push(RunFacts {
                id,
                commit: row.try_get("commit_sha")?,
                submitted_at: row.try_get("created_at")?,
                started_at: row.try_get("started_at")?,
                finished_at: row.try_get("finished_at")?,
                state: RunState::parse(&state)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown run state `{state}`")))?,
                not_passed: Vec::new(),
            });
        }
        let jobs: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT j.run_id, j.scenario, j.outcome FROM jobs j JOIN runs r ON r.id = j.run_id \
             WHERE r.created_at >= $1 AND r.created_at < $2 AND j.outcome IS NOT NULL \
             AND j.outcome <> 'passed'",
        )
        .bind(since)
        .bind(until)
        .fetch_all(&self.reads)
        .await?;
        for (run, scenario, outcome) in jobs {
            let outcome = parse_outcome(&outcome)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown outcome `{outcome}`")))?;
            if let Some(&i) = index.get(&run) {
                runs[i].not_passed.push((scenario, outcome));
            }
        }
        Ok(runs)
    }

    /// When each commit was made, as far as gate knows: the earliest time CI or a webhook
    /// reported with one of its runs, else when its first run was submitted. Commits gate never
    /// ran are missing from the answer.
    pub async fn commit_times(&self, shas: &[String]) -> Result<HashMap<String, i64>, StoreError> {
        let mut times = HashMap::new();
        for chunk in shas.chunks(500) {
            let marks = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT commit_sha, committed_at, created_at FROM runs WHERE commit_sha IN ({marks})"
            );
            let mut query = sqlx::query(&sql);
            for sha in chunk {
                query = query.bind(sha.clone());
            }
            for row in query.fetch_all(&self.reads).await? {
                let sha: String = row.try_get("commit_sha")?;
                let reported: Option<String> = row.try_get("committed_at")?;
                let submitted: i64 = row.try_get("created_at")?;
                let at = reported
                    .as_deref()
                    .and_then(rfc3339_ms)
                    .map(|at| (0, at))
                    .unwrap_or((1, submitted));
                let best = times.entry(sha).or_insert(at);
                if at < *best {
                    *best = at;
                }
            }
        }
        Ok(times.into_iter().map(|(sha, (_, at))| (sha, at)).collect())
    }
}

fn rfc3339_ms(text: &str) -> Option<i64> {
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Rows per statement when recording history: 13 values a deployment row, well under
/// SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const CHUNK: usize = 500;

/// `($1, $2), ($3, $4)` for `rows` rows of `columns` values.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let values: Vec<String> = (1..=columns)
                .map(|column| format!("${}", row * columns + column))
                .collect();
            format!("({})", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many of these ids the table already holds.
async fn stored(
    tx: &mut super::lifecycle::Tx,
    table: &str,
    ids: &[&str],
) -> Result<usize, StoreError> {
    let list: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT COUNT(*) FROM {table} WHERE id IN ({})",
        list.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64,)>(&sql);
    for id in ids {
        query = query.bind(id.to_string());
    }
    let (n,) = query.fetch_one(&mut **tx).await?;
    Ok(n as usize)
}

/// Adds a chunk's rows: those already stored are replaced, the rest new.
fn count(recorded: &mut Recorded, ids: &[&str], stored: usize) {
    recorded.replaced += stored as u32;
    recorded.created += (ids.len() - stored) as u32;
}

fn external(row: &AnyRow) -> Result<ExternalDeployment, StoreError> {
    let outcome: String = row.try_get("outcome")?;
    let commits: String = row.try_get("commits")?;
    Ok(ExternalDeployment {
        id: row.try_get("id")?,
        service: row.try_get("service")?,
        version: row.try_get("version")?,
        commits: serde_json::from_str(&commits)
            .map_err(|e| StoreError::Corrupt(format!("an external deployment's commits: {e}")))?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        outcome: ExternalOutcome::parse(&outcome).ok_or_else(|| {
            StoreError::Corrupt(format!("unknown external deployment outcome `{outcome}`"))
        })?,
        hotfix: row.try_get::<i64, _>("hotfix")? != 0,
        rollback: row.try_get::<i64, _>("rollback")? != 0,
        detected_at: row.try_get("detected_at")?,
        recovered_at: row.try_get("recovered_at")?,
    })
}
