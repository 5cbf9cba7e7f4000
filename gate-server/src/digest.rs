//! The weekly digest's delivery: when it is due, and sending it by e-mail and to a Slack
//! webhook through a durable outbox (the store's `digest_outbox`), like commit statuses.
//!
//! The content is not made here: the service composes a [`crate::service::DigestContent`]
//! when a week's digest comes due, the outbox row keeps it, and every attempt sends those
//! bytes. A week's scheduled digest is queued once per channel (a unique index), so a
//! restart, a missed Monday or a second server sharing the database sends it once.
//!
//! - [`schedule`]: [`Schedule`] and the week a due digest covers (pure, DST-aware).
//! - [`clock`]: [`DigestClock`], the scheduler's "now" (tests start it at a given instant).
//! - [`channel`]: the [`DigestChannel`] trait a channel driver implements, its errors.
//! - [`email`] (SMTP, lettre) and [`slack`] (incoming webhook): the drivers.
//! - [`scheduler`]: the task that queues the digest when it is due, and the latest missed
//!   one at start.
//! - [`deliver`]: the task that sends due rows, retries with backoff, records each outcome.

pub mod channel;
pub mod clock;
pub mod deliver;
pub mod email;
pub mod schedule;
pub mod scheduler;
pub mod slack;

pub use channel::{DigestChannel, SendError};
pub use clock::DigestClock;
pub use schedule::{DueWeek, Schedule};
