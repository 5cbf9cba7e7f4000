//! Opening the database — SQLite (a file created on first start, WAL) or PostgreSQL — and
//! applying the migrations.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{ConnectOptions, Executor};

use super::wal_marker::{self, ChangeMarker, WalMarker};
use super::{Store, StoreError};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connections to PostgreSQL per gate server.
const POSTGRES_CONNECTIONS: u32 = 16;
/// Read-only connections to an SQLite file, beside its one writer.
const SQLITE_READERS: u32 = 4;

impl Store {
    /// Connects and applies the migrations (a no-op when they are applied already; on
    /// PostgreSQL several servers starting at once take turns). `sqlite://path/gate.db` creates
    /// the file and its directory if missing; `postgres://user:pass@host:port/db`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let url = if sqlite {
            sqlite_url(url)?
        } else {
            url.to_string()
        };
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let connections = Arc::new(AtomicU64::new(0));
        let opened = connections.clone();
        let pool = if sqlite {
            // SQLite has one writer. One connection serialises this process's transactions
            // instead of failing them with SQLITE_BUSY; the busy timeout covers other processes.
            // It is kept for good, so `sqlite::memory:` lives as long as the store.
            AnyPoolOptions::new()
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            AnyPoolOptions::new().max_connections(POSTGRES_CONNECTIONS)
        };
        let pool = pool
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                opened.fetch_add(1, Ordering::SeqCst);
                Box::pin(async move {
                    if sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        // Durable at every checkpoint, and no fsync per commit: WAL keeps the
                        // database consistent after a crash of the process.
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        MIGRATIONS.run(&pool).await?;
        append_only_audit(&pool, !sqlite).await?;
        let marker = (sqlite && !in_memory(&url))
            .then(|| wal_marker::database_file(&url))
            .flatten()
            .map(|file| WalMarker::new(&file, connections.clone()));
        let reads = if sqlite && !in_memory(&url) {
            let opened = connections.clone();
            // WAL lets readers work beside the writer: reads get their own connections, so a
            // merge check polling a status does not queue behind a write, nor behind each other.
            AnyPoolOptions::new()
                .max_connections(SQLITE_READERS)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _| {
                    opened.fetch_add(1, Ordering::SeqCst);
                    Box::pin(async move {
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA query_only = ON").await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await?
        } else {
            pool.clone()
        };
        Ok(Store {
            pool,
            reads,
            postgres: !sqlite,
            config_commit: None,
            marker,
        })
    }

    /// A marker of the database's state that changes with every commit by anyone, read without
    /// a query; `None` on PostgreSQL and in-memory SQLite, or when it cannot be read now.
    pub fn change_marker(&self) -> Option<ChangeMarker> {
        self.marker.as_ref()?.read()
    }

    /// Is the database reachable (for `/readyz`)?
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection, waiting for the ones in use (graceful shutdown; SQLite
    /// checkpoints its write-ahead log).
    pub async fn close(&self) {
        self.reads.close().await;
        self.pool.close().await;
    }
}

/// Triggers that refuse UPDATE and DELETE on the audit log, so only someone who drops them
/// first can change an entry (and `gate audit verify` then finds the change).
async fn append_only_audit(pool: &sqlx::AnyPool, postgres: bool) -> Result<(), StoreError> {
    if postgres {
        let mut tx = pool.begin().await?;
        // Several servers starting at once take turns (CREATE OR REPLACE is not atomic).
        sqlx::query("SELECT pg_advisory_xact_lock(7401)")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "CREATE OR REPLACE FUNCTION gate_audit_append_only() RETURNS trigger \
             LANGUAGE plpgsql AS $$ BEGIN \
             RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP; END $$",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE \
             ON audit_log FOR EACH ROW EXECUTE FUNCTION gate_audit_append_only()",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    } else {
        for op in ["UPDATE", "DELETE"] {
            sqlx::query(&format!(
                "CREATE TRIGGER IF NOT EXISTS audit_log_no_{} BEFORE {op} ON audit_log \
                 BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {op} is refused'); END",
                op.to_lowercase()
            ))
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

/// An SQLite database that lives in one connection's memory: other connections cannot see it.
fn in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// Adds `mode=rwc` (create if missing) unless a mode is given, and creates the file's directory.
fn sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !path.is_empty()
        && !path.starts_with(":memory:")
        && let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Db(sqlx::Error::Configuration(
                format!("cannot create the directory {} ({e})", dir.display()).into(),
            ))
        })?;
    }
    if query.split('&').any(|p| p.starts_with("mode=")) {
        return Ok(url.to_string());
    }
    let sep = match (query.is_empty(), url.ends_with('?')) {
        (false, _) => "&",
        (true, true) => "",
        (true, false) => "?",
    };
    Ok(format!("{url}{sep}mode=rwc"))
}
