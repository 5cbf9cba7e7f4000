//! [`Section`]: a table read key by key, such as `[publish]`, one `[[tokens]]` entry or the
//! top of a file.
//!
//! Opening a section checks that it is a table and reports every key it does not know.
//! Reading a key names it in messages ("`api-url` in `[publish]`") and remembers whether it
//! was read well; [`Section::require`] reports the keys that must be there; and
//! [`Section::finish`] builds the section's value only when all of that went well. A new
//! section is then a list of known keys and one read per key.

use toml::de::DeTable;

use crate::fields::Fields;
use crate::keys;
use crate::read;
use crate::rule::Invalid;
use crate::sink::Sink;
use crate::span::{Span, Value};

/// A table being read, with what went wrong so far.
pub struct Section<'t, 'i> {
    /// `[publish]`, `[[tokens]]`; empty for the top of a file.
    header: String,
    table: &'t DeTable<'i>,
    fields: Fields<'t, 'i>,
    /// Keys an unknown key was taken for: their absence is already explained.
    explained: Vec<&'static str>,
    complete: bool,
}

impl<'t, 'i> Section<'t, 'i> {
    /// The section headed `header` (`"[publish]"`, `"[[tokens]]"`), whose value is `value`.
    /// `None` (reported) when it is not a table; keys not in `known` are reported.
    pub fn open(
        sink: &mut Sink<'_>,
        header: &str,
        value: &'t Value<'i>,
        known: &[&'static str],
    ) -> Option<Self> {
        let name = header.trim_matches(|c| c == '[' || c == ']');
        let Some(table) = value.get_ref().as_table() else {
            read::wrong_type(sink, &format!("`{name}`"), value, "a table")
                .help(format!("start a section: {header}"));
            return None;
        };
        Some(Section::new(sink, header, (table, value.span()), known))
    }

    /// The top of a file: the keys before any `[section]`, and the sections themselves.
    pub fn top(sink: &mut Sink<'_>, table: &'t DeTable<'i>, known: &[&'static str]) -> Self {
        Section::new(sink, "", (table, 0..0), known)
    }

    fn new(
        sink: &mut Sink<'_>,
        header: &str,
        (table, span): (&'t DeTable<'i>, Span),
        known: &[&'static str],
    ) -> Self {
        let (fields, unknown) = Fields::pick(table, span, known);
        let place = match header {
            "" => String::new(),
            header => format!("in `{header}`"),
        };
        let explained = unknown
            .iter()
            .filter_map(|key| keys::unknown_key(sink, key, &place, known))
            .collect();
        Section {
            header: header.to_string(),
            table,
            fields,
            explained,
            // An unknown key is probably a misspelled known one: the section is not what
            // its writer meant.
            complete: unknown.is_empty(),
        }
    }

    /// How messages name `key` of this section: "`lease`", "`api-url` in `[publish]`".
    pub fn what(&self, key: &str) -> String {
        match self.header.as_str() {
            "" => format!("`{key}`"),
            header => format!("`{key}` in `{header}`"),
        }
    }

    /// The value of `key`, if the section has it.
    pub fn value(&self, key: &str) -> Option<&'t Value<'i>> {
        self.fields.get(key)
    }

    /// Reads `key` with `read` (given the sink, [`Section::what`] and the value), if the
    /// section has it. `None` when it is absent or could not be read (then the section is
    /// incomplete).
    pub fn read<T>(
        &mut self,
        sink: &mut Sink<'_>,
        key: &str,
        read: impl FnOnce(&mut Sink<'_>, &str, &'t Value<'i>) -> Option<T>,
    ) -> Option<T> {
        let value = self.fields.get(key)?;
        let read = read(sink, &self.what(key), value);
        self.complete &= read.is_some();
        read
    }

    /// Reads `key`, a string that must pass `rule`.
    pub fn checked<T>(
        &mut self,
        sink: &mut Sink<'_>,
        key: &str,
        rule: impl Fn(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        self.read(sink, key, |sink, what, value| {
            read::checked(sink, what, value, rule)
        })
    }

    /// Reports the `required` keys the section lacks (except those a misspelled key stands
    /// for), with `help`, at its header.
    pub fn require(&mut self, sink: &mut Sink<'_>, required: &[&str], help: &str) {
        let table = (self.table, self.fields.span.clone());
        let missing = keys::require(sink, table, &self.header, required, &self.explained, help);
        self.complete &= !missing;
    }

    /// `build()` when every key the section has was read well and none is missing (or
    /// misspelled); `None` otherwise.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Option<T> {
        if self.complete { build() } else { None }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::suggest::KeyCase;
    use crate::{duration, read};

    const KEYS: [&str; 3] = ["name", "lease", "retries"];

    /// `[job]` of `text`: its name and lease, `None` if anything is wrong; and the messages.
    fn job(text: &str) -> (Option<(String, Option<Duration>)>, Vec<String>) {
        let (root, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty(), "{errors:?}");
        let mut sink = Sink::new("f", text, KeyCase::Kebab);
        let mut top = Section::top(&mut sink, root.get_ref(), &["job"]);
        let job = top.read(&mut sink, "job", |sink, _, value| {
            let mut s = Section::open(sink, "[job]", value, &KEYS)?;
            let name = s.read(sink, "name", read::non_empty).map(str::to_string);
            let lease = s.read(sink, "lease", duration::duration);
            s.read(sink, "retries", |sink, what, v| {
                read::integer(sink, what, v, 0..=3)
            });
            s.require(sink, &["name"], "name the job");
            s.finish(|| Some((name?, lease)))
        });
        let messages = sink
            .into_diagnostics()
            .into_iter()
            .map(|d| d.message)
            .collect();
        (job, messages)
    }

    #[test]
    fn a_good_section_is_built() {
        let (job, messages) = job("[job]\nname = 'x'\nlease = '5s'\n");
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(job, Some(("x".into(), Some(Duration::from_secs(5)))));
        assert_eq!(job_of("[job]\nname = 'x'\n"), Some(("x".into(), None)));
    }

    fn job_of(text: &str) -> Option<(String, Option<Duration>)> {
        job(text).0
    }

    #[test]
    fn every_problem_is_reported_and_the_section_is_not_built() {
        let (job, messages) = job("[job]\nlease = 5\nretries = 9\nnaem = 'x'\nextra = 1\n");
        assert_eq!(job, None);
        assert_eq!(
            messages,
            [
                "`lease` in `[job]` must be a duration, found an integer",
                "`retries` in `[job]` must be between 0 and 3, found 9",
                "unknown key `naem` in `[job]`",
                "unknown key `extra` in `[job]`",
            ]
        );
        // An optional key that fails, or an unknown key, is enough.
        assert_eq!(job_of("[job]\nname = 'x'\nretries = -1\n"), None);
        assert_eq!(job_of("[job]\nname = 'x'\nlesae = '1s'\n"), None);
    }

    #[test]
    fn missing_keys_are_reported_at_the_header() {
        let (read, messages) = job("x = 1\n[job]\nlease = '1s'\n");
        assert_eq!(read, None);
        assert_eq!(messages, ["unknown key `x`", "`[job]` needs `name`"]);
        let (_, messages) = job("job = 'x'\n");
        assert_eq!(messages, ["`job` must be a table, found a string"]);
    }
}
