//! Picking the known keys out of a TOML table ([`Fields`], from `gate_toml`), and reporting
//! the others, in the parser's call style.

use super::context::Ctx;
use super::value::Key;

pub(super) use gate_toml::Fields;

/// "unknown key `clik` in step", with a suggestion among `valid` or the list of them.
/// `place` completes the message: "in step", "in `click`", "at the top of the file".
pub(super) fn unknown_key(ctx: &mut Ctx<'_>, key: &Key<'_>, place: &str, valid: &[&str]) {
    gate_toml::keys::unknown_key(&mut ctx.sink, key, place, valid);
}

/// Reports the second of two keys that exclude each other; returns whether there was one.
pub(super) fn at_most_one(ctx: &mut Ctx<'_>, keys: &[&Key<'_>], label: &str, help: &str) -> bool {
    gate_toml::keys::at_most_one(&mut ctx.sink, keys, label, help)
}
