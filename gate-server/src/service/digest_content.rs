//! What the weekly digest says: [`DigestContent`], composed from the store for a period.
//!
//! This is the interface between the digest's delivery (which stores the composed content in
//! its outbox and sends those bytes, however often it retries) and the composer,
//! `Service::digest_content` in `report` (the DORA report rendered by `gate_dora::digest`).

use serde::{Deserialize, Serialize};

/// One digest, ready for every channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestContent {
    /// The e-mail's subject.
    pub subject: String,
    /// The plain-text body (the e-mail's text part).
    pub text: String,
    /// The HTML body (the e-mail's HTML part): a fragment, escaped.
    pub html: String,
    /// The Slack incoming-webhook payload: `{"text": …, "blocks": […]}`.
    pub slack: serde_json::Value,
}
