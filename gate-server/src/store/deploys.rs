//! Deployments and the version serving each service. A deployment row holds the state machine
//! (as JSON the store does not read) and a revision: every change is made at the revision the
//! writer read, in one transaction with its log lines, its audit entries and, when the serving
//! version changes, the service's new stable version and the history of which version served
//! when. At most one deployment per service is in progress (a unique index), and one server at
//! a time drives it (a claim that expires, like a job's lease).

use gate_audit::NewEntry;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::lifecycle::Tx;
use super::retry::retrying;
use super::{Store, StoreError, audit, now_ms};
use crate::model::DeployPhase;

pub(super) const COLUMNS: &str = "id, service, version, commit_sha, url, from_version, from_url, from_commit, \
                       phase, step, machine, policy, actor, reason, forced, created_at, updated_at, \
                       finished_at, revision, controller, controller_expires_at, exposed_at, \
                       detected_at, recovered_at, ended_by, hotfix, carries, config_commit";

/// A version of a service and where it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServingVersion {
    pub version: String,
    pub url: String,
    pub commit: Option<String>,
}

/// The version a service served over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedPeriod {
    pub serving: ServingVersion,
    pub deployment: Option<String>,
    pub since_ms: i64,
    /// `None`: serving now.
    pub until_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRecord {
    pub id: String,
    pub service: String,
    pub version: String,
    pub commit: String,
    /// Where the new version answers, once its up hook said so.
    pub url: Option<String>,
    /// The version serving when the deployment began.
    pub from: Option<ServingVersion>,
    pub phase: DeployPhase,
    pub step: Option<u32>,
    /// The state machine, as JSON.
    pub machine: String,
    /// The canary policy in force, as JSON.
    pub policy: String,
    /// Who asked for it.
    pub actor: String,
    pub reason: Option<String>,
    /// Deployed although a check refused it (an admin's override).
    pub forced: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    pub revision: i64,
    pub controller: Option<String>,
    pub controller_expires_at: Option<i64>,
    /// When users first got the new version (its first canary step).
    pub exposed_at: Option<i64>,
    /// When its failure was detected: the automatic rollback's decision, a person's rollback
    /// request, or (after promotion) the start of a `gate rollback` away from it.
    pub detected_at: Option<i64>,
    /// When all traffic was back on a good version after that (the router said so).
    pub recovered_at: Option<i64>,
    /// Who ended it (`gate` for automatic decisions), or reverted it after promotion.
    pub ended_by: Option<String>,
    /// Made to fix a production problem (`gate deploy --hotfix`).
    pub hotfix: bool,
    /// Commits it carries besides its head, as the deploy request listed them.
    pub carries: Vec<String>,
    /// The git commit of the configuration of the server that created it.
    pub config_commit: Option<String>,
}

/// What kind of line a deployment's log holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// A change of phase or step.
    Transition,
    /// A hook's command and output.
    Hook,
    /// An analysis result with its numbers.
    Decision,
    /// Anything else worth knowing (a router fallback, a resumed controller).
    Note,
}

impl LogKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::Transition => "transition",
            LogKind::Hook => "hook",
            LogKind::Decision => "decision",
            LogKind::Note => "note",
        }
    }

    fn parse(text: &str) -> Result<LogKind, StoreError> {
        [
            LogKind::Transition,
            LogKind::Hook,
            LogKind::Decision,
            LogKind::Note,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown log kind `{text}`")))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub at: i64,
    pub kind: LogKind,
    pub text: String,
    /// JSON (the transition, the evidence of a decision).
    pub data: Option<String>,
}

/// A deployment to create.
#[derive(Debug, Clone)]
pub struct NewDeployment {
    pub id: String,
    pub service: String,
    pub version: String,
    pub commit: String,
    pub from: Option<ServingVersion>,
    pub machine: String,
    pub policy: String,
    pub actor: String,
    pub reason: Option<String>,
    pub forced: bool,
    pub hotfix: bool,
    pub carries: Vec<String>,
    pub log: Vec<LogLine>,
    pub audit: Vec<NewEntry>,
}

/// A change to a deployment, made at the revision it was computed from.
#[derive(Debug, Clone, Default)]
pub struct DeploymentChange {
    pub phase: Option<DeployPhase>,
    /// `Some(None)` clears the step.
    pub step: Option<Option<u32>>,
    pub machine: Option<String>,
    /// Set with `machine`: whether it has commands left to carry out. A deployment with some
    /// left is claimed by a controller even after its final phase.
    pub commands_left: Option<bool>,
    pub url: Option<String>,
    pub log: Vec<LogLine>,
    pub audit: Vec<NewEntry>,
    /// The service now serves this version (promoted, or rolled back to another).
    pub serving: Option<ServingVersion>,
    /// The first of each wins: a later change never moves them.
    pub exposed_at: Option<i64>,
    pub detected_at: Option<i64>,
    pub recovered_at: Option<i64>,
    pub ended_by: Option<String>,
}

/// A promoted deployment undone by a rollback of what serves: when the rollback started and
/// when the router had all traffic on the earlier version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reverted {
    pub detected_at: i64,
    pub recovered_at: i64,
    pub by: String,
}

/// Why a deployment could not be created.
#[derive(Debug)]
pub enum Refused {
    /// The service already has one in progress.
    InProgress(Box<DeploymentRecord>),
}

impl Store {
    /// Creates a deployment, with its first log lines and audit entries. `Err(Refused)` when
    /// the service has one in progress.
    pub async fn create_deployment(
        &self,
        new: &NewDeployment,
    ) -> Result<Result<DeploymentRecord, Refused>, StoreError> {
        let postgres = self.postgres;
        let created = retrying("create a deployment", || async move {
            let mut tx = self.pool.begin().await?;
            let now = now_ms();
            let from = new.from.as_ref();
            let inserted = sqlx::query(
                "INSERT INTO deployments (id, service, version, commit_sha, url, from_version, \
                 from_url, from_commit, phase, step, machine, policy, actor, reason, forced, \
                 created_at, updated_at, finished_at, revision, hotfix, carries, config_commit) \
                 VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, 'pending', NULL, $8, $9, $10, $11, $12, \
                 $13, $13, NULL, 1, $14, $15, $16) ON CONFLICT DO NOTHING",
            )
            .bind(&new.id)
            .bind(&new.service)
            .bind(&new.version)
            .bind(&new.commit)
            .bind(from.map(|f| f.version.clone()))
            .bind(from.map(|f| f.url.clone()))
            .bind(from.and_then(|f| f.commit.clone()))
            .bind(&new.machine)
            .bind(&new.policy)
            .bind(&new.actor)
            .bind(new.reason.clone())
            .bind(i64::from(new.forced))
            .bind(now)
            .bind(i64::from(new.hotfix))
            .bind(serde_json::to_string(&new.carries).unwrap_or_else(|_| "[]".into()))
            .bind(self.config_commit().map(str::to_string))
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() != 1 {
                return Ok(false);
            }
            write_log(&mut tx, &new.id, &new.log).await?;
            audit::append(&mut tx, postgres, self.config_commit(), &new.audit).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await?;
        if created {
            let record = self
                .deployment(&new.id)
                .await?
                .ok_or_else(|| StoreError::Corrupt("a new deployment vanished".into()))?;
            return Ok(Ok(record));
        }
        match self.active_deployment(&new.service).await? {
            Some(active) => Ok(Err(Refused::InProgress(Box::new(active)))),
            None => Err(StoreError::Conflict("create a deployment")),
        }
    }

    pub async fn deployment(&self, id: &str) -> Result<Option<DeploymentRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM deployments WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(deployment).transpose()
    }

    /// The service's deployment in progress, if any.
    pub async fn active_deployment(
        &self,
        service: &str,
    ) -> Result<Option<DeploymentRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM deployments WHERE service = $1 AND finished_at IS NULL");
        let row = sqlx::query(&sql)
            .bind(service)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(deployment).transpose()
    }

    /// Deployments newest first, of one service or all, older than `before` (a deployment id).
    pub async fn deployments(
        &self,
        service: Option<&str>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeploymentRecord>, StoreError> {
        let cursor = match before {
            Some(before) => match self.deployment(before).await? {
                Some(b) => Some((b.created_at, b.id)),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let mut clauses = Vec::new();
        if service.is_some() {
            clauses.push("service = $1".to_string());
        }
        if cursor.is_some() {
            let (at, id) = if service.is_some() { (2, 3) } else { (1, 2) };
            clauses.push(format!(
                "(created_at < ${at} OR (created_at = ${at} AND id < ${id}))"
            ));
        }
        let mut sql = format!("SELECT {COLUMNS} FROM deployments");
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id DESC LIMIT {}",
            limit.clamp(1, 1000)
        ));
        let mut query = sqlx::query(&sql);
        if let Some(service) = service {
            query = query.bind(service.to_string());
        }
        if let Some((at, id)) = cursor {
            query = query.bind(at).bind(id);
        }
        let rows = query.fetch_all(&self.reads).await?;
        rows.iter().map(deployment).collect()
    }

    /// Applies `change` if the deployment is still at `revision`. `Ok(None)`: it changed in
    /// between (re-read it and decide again); otherwise the deployment as it is now.
    pub async fn change_deployment(
        &self,
        id: &str,
        revision: i64,
        change: &DeploymentChange,
    ) -> Result<Option<DeploymentRecord>, StoreError> {
        let postgres = self.postgres;
        let applied = retrying("change a deployment", || async move {
            let mut tx = self.pool.begin().await?;
            let now = now_ms();
            let finished = change.phase.filter(|p| p.is_final()).map(|_| now);
            let step = change.step.map(|s| s.map(i64::from));
            let updated = sqlx::query(
                "UPDATE deployments SET \
                 phase = COALESCE($1, phase), \
                 step = CASE WHEN $2 = 1 THEN $3 ELSE step END, \
                 machine = COALESCE($4, machine), \
                 url = COALESCE($5, url), \
                 finished_at = COALESCE(finished_at, $6), \
                 exposed_at = COALESCE(exposed_at, $10), \
                 detected_at = COALESCE(detected_at, $11), \
                 recovered_at = COALESCE(recovered_at, $12), \
                 ended_by = COALESCE(ended_by, $13), \
                 commands_left = COALESCE($14, commands_left), \
                 updated_at = $7, revision = revision + 1 \
                 WHERE id = $8 AND revision = $9",
            )
            .bind(change.phase.map(|p| p.as_str()))
            .bind(i64::from(step.is_some()))
            .bind(step.flatten())
            .bind(change.machine.clone())
            .bind(change.url.clone())
            .bind(finished)
            .bind(now)
            .bind(id)
            .bind(revision)
            .bind(change.exposed_at)
            .bind(change.detected_at)
            .bind(change.recovered_at)
            .bind(change.ended_by.clone())
            .bind(change.commands_left.map(i64::from))
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() != 1 {
                return Ok(false);
            }
            write_log(&mut tx, id, &change.log).await?;
            audit::append(&mut tx, postgres, self.config_commit(), &change.audit).await?;
            if let Some(serving) = &change.serving {
                let service: (String,) =
                    sqlx::query_as("SELECT service FROM deployments WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                set_serving(&mut tx, &service.0, serving, Some(id), now).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
        .await?;
        if applied {
            self.deployment(id).await
        } else {
            Ok(None)
        }
    }

    /// Appends log lines outside a change (hook output as it arrives).
    pub async fn log_deployment(&self, id: &str, lines: &[LogLine]) -> Result<(), StoreError> {
        retrying("write a deployment's log", || async move {
            let mut tx = self.pool.begin().await?;
            write_log(&mut tx, id, lines).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn deployment_log(&self, id: &str) -> Result<Vec<LogLine>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, kind, text, data FROM deployment_log WHERE deployment = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.reads)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LogLine {
                    at: row.try_get("at")?,
                    kind: LogKind::parse(&row.try_get::<String, _>("kind")?)?,
                    text: row.try_get("text")?,
                    data: row.try_get("data")?,
                })
            })
            .collect()
    }

    /// Claims the deployments in progress, and the finished ones with commands left to carry
    /// out, that no live server drives (or that `owner` drives already) until `until` (unix
    /// ms); their ids.
    pub async fn claim_deployments(
        &self,
        owner: &str,
        until: i64,
    ) -> Result<Vec<String>, StoreError> {
        retrying("claim deployments", || async move {
            let rows: Vec<(String,)> = sqlx::query_as(
                "UPDATE deployments SET controller = $1, controller_expires_at = $2 \
                 WHERE (finished_at IS NULL OR commands_left = 1) \
                 AND (controller IS NULL OR controller = $1 \
                 OR controller_expires_at < $3) RETURNING id",
            )
            .bind(owner)
            .bind(until)
            .bind(now_ms())
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(|(id,)| id).collect())
        })
        .await
    }

    /// Lets go of a deployment (a server stopping), so another can take it at once.
    pub async fn release_deployment(&self, id: &str, owner: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE deployments SET controller = NULL, controller_expires_at = NULL \
             WHERE id = $1 AND controller = $2",
        )
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The version serving `service` now.
    pub async fn serving(&self, service: &str) -> Result<Option<ServingVersion>, StoreError> {
        let row: Option<(String, String, Option<String>)> =
            sqlx::query_as("SELECT version, url, commit_sha FROM services WHERE name = $1")
                .bind(service)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(version, url, commit)| ServingVersion {
            version,
            url,
            commit,
        }))
    }

    /// Records that `service` serves `serving` from now on (a rollback to a named version, or
    /// the configured stable version the first time gate meets a service), with audit entries.
    /// `reverted`: the change undoes the deployment that put the current version in place,
    /// which is then a failed change (its detection and recovery times are kept).
    pub async fn set_serving(
        &self,
        service: &str,
        serving: &ServingVersion,
        audit_entries: &[NewEntry],
        reverted: Option<&Reverted>,
    ) -> Result<(), StoreError> {
        let postgres = self.postgres;
        retrying("record the serving version", || async move {
            let mut tx = self.pool.begin().await?;
            if let Some(reverted) = reverted {
                sqlx::query(
                    "UPDATE deployments SET detected_at = COALESCE(detected_at, $1), \
                     recovered_at = COALESCE(recovered_at, $2), ended_by = $3, \
                     revision = revision + 1 \
                     WHERE phase = 'promoted' AND id = (SELECT deployment FROM stable_history \
                     WHERE service = $4 AND until_ms IS NULL)",
                )
                .bind(reverted.detected_at)
                .bind(reverted.recovered_at)
                .bind(&reverted.by)
                .bind(service)
                .execute(&mut *tx)
                .await?;
            }
            set_serving(&mut tx, service, serving, None, now_ms()).await?;
            audit::append(&mut tx, postgres, self.config_commit(), audit_entries).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Which versions served `service`, oldest first.
    pub async fn served(&self, service: &str) -> Result<Vec<ServedPeriod>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, url, commit_sha, deployment, since_ms, until_ms FROM stable_history \
             WHERE service = $1 ORDER BY since_ms",
        )
        .bind(service)
        .fetch_all(&self.reads)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ServedPeriod {
                    serving: ServingVersion {
                        version: row.try_get("version")?,
                        url: row.try_get("url")?,
                        commit: row.try_get("commit_sha")?,
                    },
                    deployment: row.try_get("deployment")?,
                    since_ms: row.try_get("since_ms")?,
                    until_ms: row.try_get("until_ms")?,
                })
            })
            .collect()
    }
}

async fn set_serving(
    tx: &mut Tx,
    service: &str,
    serving: &ServingVersion,
    deployment: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO services (name, version, url, commit_sha, since) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, url = excluded.url, \
         commit_sha = excluded.commit_sha, since = excluded.since",
    )
    .bind(service)
    .bind(&serving.version)
    .bind(&serving.url)
    .bind(serving.commit.clone())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE stable_history SET until_ms = $1 WHERE service = $2 AND until_ms IS NULL")
        .bind(now)
        .bind(service)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO stable_history (service, version, url, commit_sha, deployment, since_ms, until_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(service)
    .bind(&serving.version)
    .bind(&serving.url)
    .bind(serving.commit.clone())
    .bind(deployment.map(str::to_string))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn write_log(tx: &mut Tx, id: &str, lines: &[LogLine]) -> Result<(), StoreError> {
    if lines.is_empty() {
        return Ok(());
    }
    let (last,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(seq) FROM deployment_log WHERE deployment = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    let mut seq = last.unwrap_or(0);
    for line in lines {
        seq += 1;
        sqlx::query(
            "INSERT INTO deployment_log (deployment, seq, at, kind, text, data) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(seq)
        .bind(line.at)
        .bind(line.kind.as_str())
        .bind(&line.text)
        .bind(line.data.clone())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(super) fn deployment(row: &AnyRow) -> Result<DeploymentRecord, StoreError> {
    let phase: String = row.try_get("phase")?;
    let from_version: Option<String> = row.try_get("from_version")?;
    let from_url: Option<String> = row.try_get("from_url")?;
    Ok(DeploymentRecord {
        id: row.try_get("id")?,
        service: row.try_get("service")?,
        version: row.try_get("version")?,
        commit: row.try_get("commit_sha")?,
        url: row.try_get("url")?,
        from: match (from_version, from_url) {
            (Some(version), Some(url)) => Some(ServingVersion {
                version,
                url,
                commit: row.try_get("from_commit")?,
            }),
            _ => None,
        },
        phase: DeployPhase::parse(&phase)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown deployment phase `{phase}`")))?,
        step: row
            .try_get::<Option<i64>, _>("step")?
            .map(|s| s.max(0) as u32),
        machine: row.try_get("machine")?,
        policy: row.try_get("policy")?,
        actor: row.try_get("actor")?,
        reason: row.try_get("reason")?,
        forced: row.try_get::<i64, _>("forced")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        finished_at: row.try_get("finished_at")?,
        revision: row.try_get("revision")?,
        controller: row.try_get("controller")?,
        controller_expires_at: row.try_get("controller_expires_at")?,
        exposed_at: row.try_get("exposed_at")?,
        detected_at: row.try_get("detected_at")?,
        recovered_at: row.try_get("recovered_at")?,
        ended_by: row.try_get("ended_by")?,
        hotfix: row.try_get::<i64, _>("hotfix")? != 0,
        carries: parse_carries(&row.try_get::<String, _>("carries")?)?,
        config_commit: row.try_get("config_commit")?,
    })
}

fn parse_carries(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("a deployment's carried commits: {e}")))
}
