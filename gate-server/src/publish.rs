//! Commit statuses: each verdict is posted to a GitHub-compatible API
//! (`POST /repos/{owner}/{repo}/statuses/{sha}`), from the store's durable outbox, and
//! retried with backoff for a day while the API is down or rate-limits.
//!
//! Verdicts reach this module only through the outbox ([`crate::store::Store::enqueue_status`]);
//! it knows nothing of runs or of how a verdict is computed.
//!
//! - [`client`]: [`Publisher`], one attempt to post one status.
//! - [`error`]: [`PublishError`], and whether an attempt is worth repeating.
//! - [`retry`]: [`RetryPolicy`], when to try again and when to give up (pure).
//! - [`outbox`]: [`run_outbox`], the delivery loop.

mod client;
mod error;
mod outbox;
mod retry;

pub use client::Publisher;
pub use error::{PublishError, PublishErrorKind};
pub use outbox::run_outbox;
pub use retry::{Next, RetryPolicy, Retryable};
