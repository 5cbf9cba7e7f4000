//! The release flow's own rows: manual stages people performed (`gate flow done`), each
//! recorded with its audit entry in one transaction; and the release versions, newest first,
//! from gate's deployments, external ones and the performances themselves.

use gate_audit::NewEntry;
use sqlx::Row;

use super::retry::retrying;
use super::{Store, StoreError, audit};

/// A manual stage performed for a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePerformance {
    pub id: String,
    pub stage: String,
    pub release: String,
    pub performed_by: String,
    pub recorded_by: String,
    pub note: Option<String>,
    pub duration_ms: Option<i64>,
    pub at_ms: i64,
}

impl Store {
    /// Records `performance` and appends `entry` to the audit log, together.
    pub async fn record_performance(
        &self,
        performance: &StagePerformance,
        entry: &NewEntry,
    ) -> Result<(), StoreError> {
        let postgres = self.postgres;
        retrying("record a stage performance", || async move {
            let mut tx = self.pool.begin().await?;
            sqlx::query(
                "INSERT INTO flow_performances (id, stage, release_version, performed_by, \
                 recorded_by, note, duration_ms, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&performance.id)
            .bind(&performance.stage)
            .bind(&performance.release)
            .bind(&performance.performed_by)
            .bind(&performance.recorded_by)
            .bind(performance.note.clone())
            .bind(performance.duration_ms)
            .bind(performance.at_ms)
            .execute(&mut *tx)
            .await?;
            audit::append(
                &mut tx,
                postgres,
                self.config_commit(),
                std::slice::from_ref(entry),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Every performance, oldest first.
    pub async fn performances(&self) -> Result<Vec<StagePerformance>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, stage, release_version, performed_by, recorded_by, note, duration_ms, \
             at_ms FROM flow_performances ORDER BY at_ms, id",
        )
        .fetch_all(&self.reads)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StagePerformance {
                    id: row.try_get("id")?,
                    stage: row.try_get("stage")?,
                    release: row.try_get("release_version")?,
                    performed_by: row.try_get("performed_by")?,
                    recorded_by: row.try_get("recorded_by")?,
                    note: row.try_get("note")?,
                    duration_ms: row.try_get("duration_ms")?,
                    at_ms: row.try_get("at_ms")?,
                })
            })
            .collect()
    }

    /// The latest `limit` release versions, newest first, by when each was first seen: in a
    /// deployment of gate's, an external deployment, or a performance recorded for it.
    pub async fn releases(&self, limit: u32) -> Result<Vec<String>, StoreError> {
        let sql = format!(
            "SELECT version, MIN(at) AS first_seen FROM ( \
             SELECT version, created_at AS at FROM deployments \
             UNION ALL SELECT version, started_at AS at FROM external_deployments \
             WHERE version IS NOT NULL \
             UNION ALL SELECT release_version AS version, at_ms AS at FROM flow_performances \
             ) seen GROUP BY version ORDER BY first_seen DESC, version DESC LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = sqlx::query(&sql).fetch_all(&self.reads).await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<String, _>("version")?))
            .collect()
    }
}
