//! Who reads commit statuses: the merge check's evidence for the review. Each token's latest
//! read of `GET /api/v1/commits/{sha}/status` is kept in the store, written at most once a
//! minute per token (remembered in memory), so the status endpoint stays a read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Service, ServiceError};
use crate::store::now_ms;

/// Keys are `status-read:<token name>`, values the time in milliseconds.
const PREFIX: &str = "status-read:";
/// A token's read is written again only after this long.
const EVERY_MS: i64 = 60_000;

/// The latest write per token, in memory.
#[derive(Clone, Default)]
pub(super) struct ReadLog(Arc<Mutex<HashMap<String, i64>>>);

/// A token's latest status read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRead {
    pub reader: String,
    pub at_ms: i64,
}

impl Service {
    /// Notes that `reader` (a token's name) read a commit status. Never fails the read: a
    /// store that cannot take the note is logged.
    pub async fn status_read(&self, reader: &str) {
        let now = now_ms();
        {
            let mut log = self
                .status_reads
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            match log.get(reader) {
                Some(at) if now - at < EVERY_MS => return,
                _ => log.insert(reader.to_string(), now),
            };
        }
        let key = format!("{PREFIX}{reader}");
        if let Err(err) = self
            .store
            .set_server_state(&key, &now.to_string(), &[])
            .await
        {
            tracing::warn!("cannot note a status read by {reader}: {err}");
        }
    }

    /// Every token's latest status read, newest first.
    pub async fn status_reads(&self) -> Result<Vec<StatusRead>, ServiceError> {
        let mut reads: Vec<StatusRead> = self
            .store
            .server_states(PREFIX)
            .await?
            .into_iter()
            .filter_map(|(key, value)| {
                Some(StatusRead {
                    reader: key.strip_prefix(PREFIX)?.to_string(),
                    at_ms: value.parse().ok()?,
                })
            })
            .collect();
        reads.sort_by(|a, b| b.at_ms.cmp(&a.at_ms).then(a.reader.cmp(&b.reader)));
        Ok(reads)
    }
}
