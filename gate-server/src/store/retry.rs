//! Retrying a transaction that lost to a concurrent writer: SQLite's "database is locked"
//! (another process holds the write lock longer than the busy timeout) and PostgreSQL's
//! serialization failures and deadlocks. A failed transaction is rolled back whole, so running
//! it again from the start is always safe.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use super::StoreError;

const ATTEMPTS: u32 = 12;
const FIRST_WAIT: Duration = Duration::from_millis(5);
const MAX_WAIT: Duration = Duration::from_millis(500);

/// Runs `op` until it succeeds, fails for a reason other than a conflict, or has conflicted
/// [`ATTEMPTS`] times.
pub async fn retrying<T, F, Fut>(what: &'static str, mut op: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut wait = FIRST_WAIT;
    for _ in 1..ATTEMPTS {
        match op().await {
            Err(StoreError::Db(err)) if is_conflict(&err) => {
                tracing::debug!("{what}: write conflict ({err}); retrying in about {wait:?}");
                tokio::time::sleep(jittered(wait)).await;
                wait = (wait * 2).min(MAX_WAIT);
            }
            other => return other,
        }
    }
    match op().await {
        Err(StoreError::Db(err)) if is_conflict(&err) => Err(StoreError::Conflict(what)),
        other => other,
    }
}

/// Between half and all of `wait`, so writers that collided do not collide again in step.
pub fn jittered(wait: Duration) -> Duration {
    let millis = wait.as_millis().max(2) as u64;
    Duration::from_millis(rand::rng().random_range(millis / 2..=millis))
}

/// SQLite `SQLITE_BUSY`/`SQLITE_LOCKED` (and their extended codes); PostgreSQL
/// `serialization_failure` and `deadlock_detected`.
fn is_conflict(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = err else {
        return false;
    };
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return matches!(pg.code(), "40001" | "40P01");
    }
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        // Extended result codes keep the primary code in the low byte.
        return db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| matches!(code & 0xff, 5 | 6));
    }
    false
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, Executor};

    use super::*;

    /// The `Any` driver hands SQLite's own error through, so a locked database is recognised.
    #[tokio::test]
    async fn a_locked_sqlite_database_is_a_conflict() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
        let mut holder = sqlx::AnyConnection::connect(&url).await.unwrap();
        let mut other = sqlx::AnyConnection::connect(&url).await.unwrap();
        other.execute("PRAGMA busy_timeout = 0").await.unwrap();
        holder.execute("CREATE TABLE t (x INTEGER)").await.unwrap();
        holder.execute("BEGIN IMMEDIATE").await.unwrap();
        let err = other
            .execute("INSERT INTO t (x) VALUES (1)")
            .await
            .unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
        let other_err = other.execute("SELECT * FROM nowhere").await.unwrap_err();
        assert!(!is_conflict(&other_err), "{other_err:?}");
    }
}
