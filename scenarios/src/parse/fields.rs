//! Picking the known keys out of a TOML table, and reporting the others.

use toml::de::DeTable;

use super::context::{Ctx, Span};
use super::suggest;
use super::value::{Key, Value};

/// The known entries of one table, in file order.
pub(super) struct Fields<'t, 'i> {
    /// The table's span: `[[step]]` header, `[vars]` header or `{ … }`.
    pub span: Span,
    entries: Vec<(&'t Key<'i>, &'t Value<'i>)>,
}

impl<'t, 'i> Fields<'t, 'i> {
    /// Splits `table` into entries whose key is in `known` and the keys that are not.
    pub fn pick(table: &'t DeTable<'i>, span: Span, known: &[&str]) -> (Self, Vec<&'t Key<'i>>) {
        let mut entries = Vec::new();
        let mut unknown = Vec::new();
        for (key, value) in table.iter() {
            if known.contains(&key.get_ref().as_ref()) {
                entries.push((key, value));
            } else {
                unknown.push(key);
            }
        }
        (Fields { span, entries }, unknown)
    }

    pub fn get(&self, name: &str) -> Option<&'t Value<'i>> {
        self.entry(name).map(|(_, v)| v)
    }

    pub fn key(&self, name: &str) -> Option<&'t Key<'i>> {
        self.entry(name).map(|(k, _)| k)
    }

    pub fn entry(&self, name: &str) -> Option<(&'t Key<'i>, &'t Value<'i>)> {
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == name)
            .copied()
    }

    pub fn has(&self, name: &str) -> bool {
        self.entry(name).is_some()
    }

    /// Which of `names` are present, in file order.
    pub fn present(&self, names: &[&str]) -> Vec<&'t Key<'i>> {
        self.entries
            .iter()
            .filter(|(k, _)| names.contains(&k.get_ref().as_ref()))
            .map(|(k, _)| *k)
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// "unknown key `clik` in step", with a suggestion among `valid` or the list of them.
/// `place` completes the message: "in step", "in `click`", "at the top of the file".
pub(super) fn unknown_key(ctx: &mut Ctx<'_>, key: &Key<'_>, place: &str, valid: &[&str]) {
    let name = key.get_ref().as_ref();
    let help = suggest::did_you_mean(name, valid.iter().copied())
        .unwrap_or_else(|| format!("valid keys here: {}", suggest::one_of(valid)));
    ctx.error(key.span(), format!("unknown key `{name}` {place}"))
        .label("unknown key")
        .help(help);
}

/// Reports the second of two keys that exclude each other; returns whether there was one.
pub(super) fn at_most_one(ctx: &mut Ctx<'_>, keys: &[&Key<'_>], label: &str, help: &str) -> bool {
    let [first, second, ..] = keys else {
        return false;
    };
    ctx.error(
        second.span(),
        format!(
            "`{}` and `{}` cannot be used together",
            first.get_ref(),
            second.get_ref()
        ),
    )
    .label(label)
    .help(help);
    true
}
