//! What the server last started with, under a key, and the audit entries that record a change
//! of it (in the same transaction).

use gate_audit::NewEntry;

use super::retry::retrying;
use super::{Store, StoreError, audit};

impl Store {
    pub async fn server_state(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT value FROM server_state WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(v,)| v))
    }

    /// Every key starting with `prefix`, with its value.
    pub async fn server_states(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        // Keys are compared as text: `LIKE` would treat `_` and `%` in the prefix as patterns.
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT key, value FROM server_state WHERE substr(key, 1, CAST($1 AS INTEGER)) = $2 ORDER BY key",
        )
        .bind(prefix.chars().count() as i64)
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Sets `key` to `value` and appends `entries`, together.
    pub async fn set_server_state(
        &self,
        key: &str,
        value: &str,
        entries: &[NewEntry],
    ) -> Result<(), StoreError> {
        let postgres = self.postgres;
        retrying("record the server's configuration", || async move {
            let mut tx = self.pool.begin().await?;
            sqlx::query(
                "INSERT INTO server_state (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
            audit::append(&mut tx, postgres, self.config_commit(), entries).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}
