//! [`Fields`]: the known entries of one table, picked out of it in file order. What to do with
//! the other keys is the caller's choice (see [`crate::keys::unknown_key`] and
//! [`crate::Section`]).

use toml::de::DeTable;

use crate::span::{Key, Span, Value};

/// The known entries of one table, in file order.
pub struct Fields<'t, 'i> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_known_keys_in_file_order() {
        let (table, _) = DeTable::parse_recoverable("b = 1\nzz = 2\na = 3\n");
        let (fields, unknown) = Fields::pick(table.get_ref(), 0..0, &["a", "b"]);
        let names = |keys: Vec<&Key<'_>>| -> Vec<String> {
            keys.iter().map(|k| k.get_ref().to_string()).collect()
        };
        assert_eq!(names(fields.present(&["a", "b"])), ["b", "a"]);
        assert_eq!(names(unknown), ["zz"]);
        assert!(fields.has("a") && !fields.has("zz") && fields.get("c").is_none());
        assert_eq!(fields.key("a").map(|k| k.span()), Some(13..14));
    }
}
