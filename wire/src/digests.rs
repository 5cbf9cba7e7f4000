//! The weekly digest's outbox: each digest queued for a channel (e-mail, Slack), and whether
//! it went out.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A digest queued for one channel.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DigestView {
    pub id: String,
    /// The week it covers, `[period_since, period_until)`, RFC 3339.
    pub period_since: String,
    pub period_until: String,
    /// `email` or `slack`.
    pub channel: String,
    /// Sent on request (`gate digest --send-now`) rather than by the schedule.
    pub manual: bool,
    /// `pending` (not sent yet, or retrying), `delivered`, or `failed` (given up).
    pub state: String,
    /// Attempts made so far (the one that delivered it included).
    pub attempts: u32,
    /// RFC 3339: when the next attempt is due (`pending` only).
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// RFC 3339: when it was queued.
    pub created_at: String,
}

/// `GET /api/v1/digests`: newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DigestList {
    pub digests: Vec<DigestView>,
}

/// `POST /api/v1/digests/send`: the digest of the last full week, queued for every channel.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DigestSent {
    /// One per configured channel; follow them with `GET /api/v1/digests`.
    pub digests: Vec<DigestView>,
}

/// `GET /api/v1/digests/preview`: the digest of the last full week, not sent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DigestPreview {
    /// RFC 3339.
    pub period_since: String,
    pub period_until: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The configured channels (it would go to these).
    pub channels: Vec<String>,
}
