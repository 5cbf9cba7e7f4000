//! Reading the TOML files people write: scenario files and `gate.toml`.
//!
//! Both are read by hand over `toml`'s spanned tree rather than with serde derive, so that one
//! bad value does not hide the next one and every message points at the exact text. This
//! crate owns what that needs, once: the located [`Diagnostic`] and its one (rustc-style)
//! rendering, a [`Sink`] that collects one file's diagnostics, typed reads with helpful
//! messages, key checks with "did you mean", and the [`Section`] walk of a table. It knows
//! nothing of what a scenario or a server setting means, and does no I/O: callers pass text in
//! and get values and diagnostics back.
//!
//! Layout:
//! - [`diagnostic`]: [`Diagnostic`], its rendering, and ordering by position.
//! - [`sink`]: [`Sink`], where one file's diagnostics go, and [`Report`] to complete one.
//! - [`span`]: the spanned [`Key`] and [`Value`] types, and spans inside quoted strings.
//! - [`read`]: typed reads (string, boolean, integer in a range, one of a list, table, array,
//!   strings checked by a rule, URL); [`duration`]: human durations.
//! - [`rule`]: [`Invalid`], a rule's refusal; [`http_url`]: the rule for URL settings.
//! - [`fields`], [`keys`], [`section`]: picking known keys, reporting unknown, missing and
//!   conflicting ones, and reading a table key by key.
//! - [`suggest`]: "did you mean", with one normalisation for every file ([`KeyCase`]).

pub mod diagnostic;
pub mod duration;
pub mod fields;
pub mod http_url;
pub mod keys;
pub mod read;
pub mod rule;
pub mod section;
pub mod sink;
pub mod span;
pub mod suggest;

pub use diagnostic::{Diagnostic, Severity};
pub use fields::Fields;
pub use rule::Invalid;
pub use section::Section;
pub use sink::{Report, Sink};
pub use span::{Key, Span, Value};
pub use suggest::KeyCase;
