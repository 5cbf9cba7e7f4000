//! GitHub webhooks: checking a delivery's signature and reading the events that start runs.
//!
//! The HTTP handler must call [`verify_signature`] on the raw body before anything else looks
//! at it; only then [`parse_event`] reads the JSON. This module knows GitHub's wire format and
//! nothing of the store or the queue: it answers "which commit, which branch, which PR".
//!
//! - [`signature`]: `X-Hub-Signature-256` (HMAC-SHA256, compared in constant time).
//! - [`event`]: `push`, `pull_request`, `merge_group` and `ping` into a [`WebhookAction`],
//!   reading the payload shapes of [`payload`].
//! - [`base_url`]: a commit's staging URL from the configured template.

mod base_url;
mod event;
mod payload;
mod signature;

pub use base_url::{base_url_for, staging_url};
pub use event::{WebhookAction, WebhookError, WebhookRun, parse_event};
pub use signature::{SignatureError, sign, verify_signature};
