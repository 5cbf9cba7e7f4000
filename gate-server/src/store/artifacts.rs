//! Artifact files of runs (screenshots, page HTML), base64 in a TEXT column so one schema
//! serves both databases. They are written only together with the result that names them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::lifecycle::Tx;
use super::{Store, StoreError};

impl Store {
    /// An artifact file of a run, by the relative path used in the results.
    pub async fn artifact(&self, run_id: &str, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT content_base64 FROM artifacts WHERE run_id = $1 AND path = $2")
                .bind(run_id)
                .bind(path)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(encoded,)| {
            STANDARD
                .decode(encoded)
                .map_err(|e| StoreError::Corrupt(format!("artifact {path} of run {run_id}: {e}")))
        })
        .transpose()
    }
}

/// Stores the files of a recorded result; a path stored before is replaced.
pub async fn put_artifacts(
    tx: &mut Tx,
    run_id: &str,
    files: &[(String, Vec<u8>)],
) -> Result<(), StoreError> {
    for (path, bytes) in files {
        sqlx::query(
            "INSERT INTO artifacts (run_id, path, content_base64) VALUES ($1, $2, $3) \
             ON CONFLICT (run_id, path) DO UPDATE SET content_base64 = excluded.content_base64",
        )
        .bind(run_id)
        .bind(path)
        .bind(STANDARD.encode(bytes))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
