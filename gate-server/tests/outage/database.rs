//! A fresh store for one test: a SQLite file in a temporary directory, or a new database on
//! the PostgreSQL server at `GATE_TEST_POSTGRES_URL` (skipped loudly without it, a failure
//! with `GATE_REQUIRE_POSTGRES=1`), dropped afterwards. Also a plain connection to it, to read
//! the outbox rows as they are stored.

use gate_server::store::Store;
use sqlx::{Connection, Executor, Row};

pub struct Db {
    pub kind: &'static str,
    pub url: String,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    /// Dropped after the store (fields drop in order).
    _postgres: Option<PgDatabase>,
}

/// A database of the test server, dropped (with `psql`, so also while a failed test unwinds)
/// when this value is.
struct PgDatabase {
    admin: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let dropped = std::process::Command::new("psql")
            .arg(&self.admin)
            .args(["-q", "-c"])
            .arg(format!("DROP DATABASE IF EXISTS {}", self.name))
            .output();
        if !dropped.is_ok_and(|o| o.status.success()) {
            eprintln!("warning: could not drop the test database {}", self.name);
        }
    }
}

impl Db {
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("gate.db").display());
        let store = Store::connect(&url).await.unwrap();
        Db {
            kind: "SQLite",
            url,
            store,
            _dir: Some(dir),
            _postgres: None,
        }
    }

    pub async fn postgres() -> Option<Db> {
        let Ok(admin) = std::env::var("GATE_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("GATE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "GATE_REQUIRE_POSTGRES=1 but GATE_TEST_POSTGRES_URL is not set"
            );
            eprintln!(
                "\n!!! skipping the PostgreSQL outage test: GATE_TEST_POSTGRES_URL not set \
                 (GATE_TEST_POSTGRES_URL=$(scripts/postgres) to run it) !!!\n"
            );
            return None;
        };
        // `scripts/test` names its run's databases by GATE_TEST_RUN_ID, to find those left behind.
        let run = std::env::var("GATE_TEST_RUN_ID").map_or(String::new(), |id| format!("{id}_"));
        let name = format!("gate_t_{run}{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        conn.close().await.unwrap();
        let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
        let (server, _) = base.rsplit_once('/').unwrap();
        let url = if query.is_empty() {
            format!("{server}/{name}")
        } else {
            format!("{server}/{name}?{query}")
        };
        let store = Store::connect(&url).await.unwrap();
        Some(Db {
            kind: "PostgreSQL",
            url,
            store,
            _dir: None,
            _postgres: Some(PgDatabase { admin, name }),
        })
    }

    /// Every commit-status outbox row, by id.
    pub async fn status_rows(&self) -> Vec<StatusRow> {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        let rows = sqlx::query(
            "SELECT id, sha, state, attempts, next_attempt_at, delivered_at, last_error \
             FROM status_outbox ORDER BY id",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        rows.iter()
            .map(|row| StatusRow {
                id: row.get("id"),
                sha: row.get("sha"),
                state: row.get("state"),
                attempts: row.get("attempts"),
                next_attempt_at: row.get("next_attempt_at"),
                delivered: row.get::<Option<i64>, _>("delivered_at").is_some(),
                last_error: row.get("last_error"),
            })
            .collect()
    }

    /// Closes the store, then drops a PostgreSQL test database.
    pub async fn finish(self) {
        self.store.close().await;
    }
}

/// A `status_outbox` row as stored.
#[derive(Debug, Clone)]
pub struct StatusRow {
    pub id: String,
    pub sha: String,
    pub state: String,
    /// Failed attempts (a delivery is not counted).
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub delivered: bool,
    pub last_error: Option<String>,
}
