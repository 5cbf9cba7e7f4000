//! The audit log: entries appended in the transaction of the change they record, chained by
//! [`gate_audit`], and read back in order for listing and verification. The table refuses
//! UPDATE and DELETE (triggers made in `connect`); appenders take turns, so each entry follows
//! the one before it.

use gate_audit::{Action, Entry, NewEntry, seal};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::lifecycle::Tx;
use super::retry::retrying;
use super::{Store, StoreError};

const COLUMNS: &str = "seq, at_ms, actor, action, service, from_version, to_version, commit_sha, \
                       deployment, reason, config_commit, prev_hash, hash";

/// Appends `entries` in order, in the caller's transaction; an entry that names no
/// configuration commit gets `config` (the server's).
pub async fn append(
    tx: &mut Tx,
    postgres: bool,
    config: Option<&str>,
    entries: &[NewEntry],
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    if postgres {
        // Appenders take turns for the whole transaction (readers are not blocked); SQLite
        // has a single writer anyway.
        sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }
    let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1");
    let last = sqlx::query(&sql).fetch_optional(&mut **tx).await?;
    let mut previous = last.as_ref().map(entry).transpose()?;
    for content in entries {
        let mut content = content.clone();
        if content.config.is_none() {
            content.config = config.map(str::to_string);
        }
        let sealed = seal(previous.as_ref(), content);
        insert(tx, &sealed).await?;
        previous = Some(sealed);
    }
    Ok(())
}

async fn insert(tx: &mut Tx, e: &Entry) -> Result<(), StoreError> {
    let c = &e.content;
    sqlx::query(&format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(e.seq as i64)
    .bind(c.at_ms)
    .bind(&c.actor)
    .bind(c.action.as_str())
    .bind(c.service.clone())
    .bind(c.from_version.clone())
    .bind(c.to_version.clone())
    .bind(c.commit.clone())
    .bind(c.deployment.clone())
    .bind(c.reason.clone())
    .bind(c.config.clone())
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn entry(row: &AnyRow) -> Result<Entry, StoreError> {
    let action: String = row.try_get("action")?;
    Ok(Entry {
        seq: row.try_get::<i64, _>("seq")?.max(0) as u64,
        content: NewEntry {
            at_ms: row.try_get("at_ms")?,
            actor: row.try_get("actor")?,
            action: Action::parse(&action)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown audit action `{action}`")))?,
            service: row.try_get("service")?,
            from_version: row.try_get("from_version")?,
            to_version: row.try_get("to_version")?,
            commit: row.try_get("commit_sha")?,
            deployment: row.try_get("deployment")?,
            reason: row.try_get("reason")?,
            config: row.try_get("config_commit")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only entries at or after this time (unix ms).
    pub since_ms: Option<i64>,
    pub service: Option<String>,
    pub deployment: Option<String>,
    /// Only entries after this sequence number (paging).
    pub after_seq: Option<u64>,
    pub limit: Option<u32>,
}

impl Store {
    /// Appends entries in a transaction of their own (actions that change nothing else).
    pub async fn append_audit(&self, entries: &[NewEntry]) -> Result<(), StoreError> {
        let postgres = self.postgres;
        retrying("append to the audit log", || async move {
            let mut tx = self.pool.begin().await?;
            append(&mut tx, postgres, self.config_commit(), entries).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Entries in order, filtered.
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<Entry>, StoreError> {
        let mut clauses = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if filter.since_ms.is_some() {
            clauses.push(format!("at_ms >= {}", next()));
        }
        if filter.service.is_some() {
            clauses.push(format!("service = {}", next()));
        }
        if filter.deployment.is_some() {
            clauses.push(format!("deployment = {}", next()));
        }
        if filter.after_seq.is_some() {
            clauses.push(format!("seq > {}", next()));
        }
        let mut sql = format!("SELECT {COLUMNS} FROM audit_log");
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(" ORDER BY seq");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut query = sqlx::query(&sql);
        if let Some(since) = filter.since_ms {
            query = query.bind(since);
        }
        if let Some(service) = &filter.service {
            query = query.bind(service.clone());
        }
        if let Some(deployment) = &filter.deployment {
            query = query.bind(deployment.clone());
        }
        if let Some(after) = filter.after_seq {
            query = query.bind(after as i64);
        }
        let rows = query.fetch_all(&self.reads).await?;
        rows.iter().map(entry).collect()
    }

    /// Every entry, in stored order (`ORDER BY seq` as the database keeps them), for
    /// verification.
    pub async fn audit_chain(&self) -> Result<Vec<Entry>, StoreError> {
        self.audit(&AuditFilter::default()).await
    }
}
