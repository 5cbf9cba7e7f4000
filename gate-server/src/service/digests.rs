//! Queueing the weekly digest (when the schedule says, or at once on request) and reading its
//! outbox. The digest is composed once, here, when it is queued; delivery sends what is
//! stored.

use jiff::Timestamp;

use super::{DigestContent, Service, ServiceError};
use crate::digest::{DigestClock, DueWeek, schedule};
use crate::store::{DigestRecord, NewDigest};

/// What a request to send the digest now queued.
#[derive(Debug, Clone)]
pub struct DigestSent {
    /// One row per configured channel.
    pub digests: Vec<DigestRecord>,
}

impl Service {
    /// The scheduler's clock.
    pub fn digest_clock(&self) -> DigestClock {
        self.digest_clock
    }

    fn digest_channels(
        &self,
    ) -> Result<(&crate::config::DigestConfig, Vec<&'static str>), ServiceError> {
        let refused = || {
            ServiceError::Refused(
                "no digest channel is configured: add [digest.email] or [digest.slack] to gate.toml and restart the server".into(),
            )
        };
        let config = self.config.digest.as_ref().ok_or_else(refused)?;
        let channels = config.channels();
        if channels.is_empty() {
            return Err(refused());
        }
        Ok((config, channels))
    }

    /// Queues `week`'s scheduled digest for each configured channel that does not have it
    /// yet; the ids queued (none when every channel has it).
    pub async fn queue_due_digest(&self, week: DueWeek) -> Result<Vec<String>, ServiceError> {
        let Ok((_, channels)) = self.digest_channels() else {
            return Ok(Vec::new());
        };
        let since = week.since.as_millisecond();
        let queued = self.store.scheduled_digest_channels(since).await?;
        let missing: Vec<&str> = channels
            .into_iter()
            .filter(|c| !queued.iter().any(|q| q == c))
            .collect();
        if missing.is_empty() {
            return Ok(Vec::new());
        }
        let until = week.until.as_millisecond();
        let content = self.digest_content(since, until).await?;
        self.enqueue(since, until, &missing, &content, false).await
    }

    /// Composes the digest of the last full week and queues it for every channel, even if
    /// that week's digest went out already.
    pub async fn send_digest_now(&self) -> Result<DigestSent, ServiceError> {
        let (config, channels) = self.digest_channels()?;
        let (since, until) = last_week(self.digest_clock.now(), config);
        let content = self.digest_content(since, until).await?;
        let ids = self
            .enqueue(since, until, &channels, &content, true)
            .await?;
        let digests = self
            .store
            .digests(1000)
            .await?
            .into_iter()
            .filter(|d| ids.contains(&d.id))
            .collect();
        Ok(DigestSent { digests })
    }

    /// The digest of the last full week, as it would be sent now, with its period.
    pub async fn digest_preview(&self) -> Result<(i64, i64, DigestContent), ServiceError> {
        let zone_default;
        let config = match self.config.digest.as_ref() {
            Some(config) => config,
            None => {
                zone_default = crate::config::DigestConfig::utc();
                &zone_default
            }
        };
        let (since, until) = last_week(self.digest_clock.now(), config);
        Ok((since, until, self.digest_content(since, until).await?))
    }

    /// Digests waiting to be delivered (not given up).
    pub async fn pending_digests(&self) -> Result<u64, ServiceError> {
        Ok(self.store.pending_digests().await?)
    }

    /// The outbox, newest first.
    pub async fn digests(&self, limit: u32) -> Result<Vec<DigestRecord>, ServiceError> {
        Ok(self.store.digests(limit).await?)
    }

    async fn enqueue(
        &self,
        since: i64,
        until: i64,
        channels: &[&str],
        content: &DigestContent,
        manual: bool,
    ) -> Result<Vec<String>, ServiceError> {
        let json = serde_json::to_string(content)
            .map_err(|e| ServiceError::Internal(format!("cannot store a digest: {e}")))?;
        let rows: Vec<NewDigest> = channels
            .iter()
            .map(|channel| NewDigest {
                period_since: since,
                period_until: until,
                channel: channel.to_string(),
                manual,
                content: json.clone(),
            })
            .collect();
        let ids = self.store.enqueue_digests(&rows).await?;
        if !ids.is_empty() {
            self.digests.notify_one();
        }
        Ok(ids)
    }
}

/// The last full local week before `now`, unix milliseconds.
fn last_week(now: Timestamp, config: &crate::config::DigestConfig) -> (i64, i64) {
    let (since, until) = schedule::last_full_week(now, &config.time_zone);
    (since.as_millisecond(), until.as_millisecond())
}
