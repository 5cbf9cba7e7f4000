//! The weekly digest's outbox: a row per week and channel with the content composed when it
//! came due, retried with backoff by the digest delivery loop and kept after delivery. Also
//! the one read the digest composer needs: the deployments that finished in a period.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::outbox::Outbox;
use super::retry::retrying;
use super::{Store, StoreError, new_id, now_ms};

/// A digest to queue for one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDigest {
    /// The period it covers, unix milliseconds: `[since, until)`.
    pub period_since: i64,
    pub period_until: i64,
    /// `email` or `slack`.
    pub channel: String,
    /// Asked for (`gate digest --send-now`) rather than due by the schedule: not limited to
    /// one per week.
    pub manual: bool,
    /// The composed content, as JSON; sent as is by every attempt.
    pub content: String,
}

/// A queued (or delivered) digest.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestRecord {
    pub id: String,
    pub period_since: i64,
    pub period_until: i64,
    pub channel: String,
    pub manual: bool,
    pub content: String,
    /// Attempts made so far (the one that delivered it included).
    pub attempts: u32,
    /// Unix milliseconds; [`GIVEN_UP`] once no attempt is due any more.
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// `next_attempt_at` of a digest given up: never due again, kept with its last error.
pub const GIVEN_UP: i64 = i64::MAX;

const COLUMNS: &str = "id, period_since, period_until, channel, kind, content, attempts, \
                       next_attempt_at, delivered_at, last_error, created_at";

fn digest(row: &AnyRow) -> Result<DigestRecord, StoreError> {
    let kind: String = row.try_get("kind")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(DigestRecord {
        id: row.try_get("id")?,
        period_since: row.try_get("period_since")?,
        period_until: row.try_get("period_until")?,
        channel: row.try_get("channel")?,
        manual: match kind.as_str() {
            "manual" => true,
            "scheduled" => false,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown digest kind `{other}`"
                )));
            }
        },
        content: row.try_get("content")?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at: row.try_get("next_attempt_at")?,
        delivered_at: row.try_get("delivered_at")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// Queues `digests` together, due now. A scheduled digest of a period and channel that is
    /// queued already is left out (another server, or this one before a restart, queued it).
    /// The ids of the rows queued, in the order given.
    pub async fn enqueue_digests(&self, digests: &[NewDigest]) -> Result<Vec<String>, StoreError> {
        retrying("queue a digest", || async move {
            let mut tx = self.pool.begin().await?;
            let mut queued = Vec::new();
            let now = now_ms();
            for d in digests {
                let id = new_id();
                let inserted = sqlx::query(
                    "INSERT INTO digest_outbox (id, period_since, period_until, channel, kind, \
                     content, attempts, next_attempt_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7) ON CONFLICT DO NOTHING",
                )
                .bind(&id)
                .bind(d.period_since)
                .bind(d.period_until)
                .bind(&d.channel)
                .bind(if d.manual { "manual" } else { "scheduled" })
                .bind(&d.content)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() == 1 {
                    queued.push(id);
                }
            }
            tx.commit().await?;
            Ok(queued)
        })
        .await
    }

    /// The channels whose scheduled digest of the period starting at `period_since` is queued.
    pub async fn scheduled_digest_channels(
        &self,
        period_since: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT channel FROM digest_outbox WHERE period_since = $1 AND kind = 'scheduled'",
        )
        .bind(period_since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    /// Digests due for (re)delivery at `now` (unix ms), oldest first.
    pub async fn due_digests(&self, now: i64, limit: u32) -> Result<Vec<DigestRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM digest_outbox WHERE delivered_at IS NULL \
             AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(digest).collect()
    }

    /// Takes `d` for one attempt: it is not due again before `until` (unix ms), so another
    /// server sharing the database does not send it too. False when someone else took it.
    pub async fn claim_digest(&self, d: &DigestRecord, until: i64) -> Result<bool, StoreError> {
        retrying("claim a digest", || async move {
            let claimed = sqlx::query(
                "UPDATE digest_outbox SET next_attempt_at = $1 \
                 WHERE id = $2 AND next_attempt_at = $3 AND delivered_at IS NULL",
            )
            .bind(until)
            .bind(&d.id)
            .bind(d.next_attempt_at)
            .execute(&self.pool)
            .await?;
            Ok(claimed.rows_affected() == 1)
        })
        .await
    }

    /// When the next undelivered digest is due (unix ms), if one will be.
    pub async fn next_digest_attempt(&self) -> Result<Option<i64>, StoreError> {
        let row: (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(next_attempt_at) FROM digest_outbox \
             WHERE delivered_at IS NULL AND next_attempt_at < $1",
        )
        .bind(GIVEN_UP)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.0)
    }

    /// The digest was sent: it is not due again.
    pub async fn digest_delivered(&self, id: &str) -> Result<(), StoreError> {
        retrying("mark a digest delivered", || async move {
            sqlx::query(
                "UPDATE digest_outbox SET delivered_at = $1, attempts = attempts + 1 \
                 WHERE id = $2",
            )
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await
    }

    /// Sending failed: one more attempt counted, due again at `next_attempt_at` (unix ms, or
    /// [`GIVEN_UP`]).
    pub async fn digest_failed(
        &self,
        id: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.attempt_failed(Outbox::Digests, id, next_attempt_at, error)
            .await
    }

    /// Digests newest first (by when they were queued), at most `limit`.
    pub async fn digests(&self, limit: u32) -> Result<Vec<DigestRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM digest_outbox ORDER BY created_at DESC, period_since DESC, \
             channel LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = sqlx::query(&sql).fetch_all(&self.reads).await?;
        rows.iter().map(digest).collect()
    }

    /// Digests not delivered yet and not given up.
    pub async fn pending_digests(&self) -> Result<u64, StoreError> {
        let row: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM digest_outbox \
             WHERE delivered_at IS NULL AND next_attempt_at < $1",
        )
        .bind(GIVEN_UP)
        .fetch_one(&self.reads)
        .await?;
        Ok(u64::try_from(row.0).unwrap_or(0))
    }
}
