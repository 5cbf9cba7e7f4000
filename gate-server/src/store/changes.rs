//! Commits whose combined verdict changed: marked in the transaction that changed one of their
//! runs (created, finished, cancelled), and cleared by whoever publishes the verdict. Events
//! announce changes at once; these marks make sure none is lost when a process dies between
//! the commit and the announcement, or a subscriber falls behind.

use super::lifecycle::Tx;
use super::retry::retrying;
use super::{Store, StoreError, now_ms};

/// A commit whose verdict changed, at this version of its mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitChange {
    pub sha: String,
    /// Bumped on every change: a clear only removes the version it saw.
    pub version: i64,
}

/// Marks the commit as changed (in the caller's transaction).
pub async fn mark_changed(tx: &mut Tx, sha: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO commit_changes (sha, version, changed_at) VALUES ($1, 1, $2) \
         ON CONFLICT (sha) DO UPDATE SET version = commit_changes.version + 1, \
         changed_at = excluded.changed_at",
    )
    .bind(sha)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Commits marked changed, oldest change first.
    pub async fn changed_commits(&self, limit: u32) -> Result<Vec<CommitChange>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT sha, version FROM commit_changes ORDER BY changed_at, sha LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(sha, version)| CommitChange { sha, version })
            .collect())
    }

    /// Clears the mark if it is still at `change.version` (a newer change stays marked).
    pub async fn clear_change(&self, change: &CommitChange) -> Result<(), StoreError> {
        retrying("clear a commit change", || async move {
            sqlx::query("DELETE FROM commit_changes WHERE sha = $1 AND version = $2")
                .bind(&change.sha)
                .bind(change.version)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }
}
