//! The audit log's entries and their hash chain. Every deploy, step change, promotion,
//! rollback, override, configuration change and manual release stage becomes an [`Entry`]:
//! who (a token's name, or `gate` for what gate did by itself), what, on which service, from
//! and to which version, for which commit and deployment, why, and when. Each entry holds the SHA-256 of the entry before
//! it and of its own canonical content, so editing, deleting or reordering a stored entry
//! breaks the chain, and [`verify`] names the first entry that does not hold.
//!
//! This crate only builds and checks entries; the server stores them (in the transaction of
//! the change they record) and refuses to change them.
//!
//! - [`entry`]: [`Entry`], [`NewEntry`] and [`Action`].
//! - [`chain`]: [`seal`] (the next entry of a chain) and [`verify`].

pub mod chain;
pub mod entry;

pub use chain::{Broken, GENESIS, Verified, seal, verify};
pub use entry::{Action, Entry, NewEntry};
