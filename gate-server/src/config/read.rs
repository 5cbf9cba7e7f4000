//! Typed reads of the TOML document. Each read that fails records a diagnostic at the value's
//! span and returns `None`, so the walk goes on and every problem is reported in one go.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use gate_scenarios::Diagnostic;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::error::ConfigError;
use super::rules::Invalid;
use super::suggest;

pub(super) type Value<'i> = Spanned<DeValue<'i>>;
pub(super) type Key<'i> = Spanned<DeString<'i>>;
pub(super) type Span = Range<usize>;

const DURATION_HELP: &str = "write a duration in quotes, e.g. \"500ms\", \"90s\" or \"5m\"";

/// The walk of one file: where its diagnostics go, and the environment (for the secrets the
/// file names).
pub(super) struct Reader<'s> {
    path: &'s str,
    text: Arc<str>,
    env: &'s dyn Fn(&str) -> Option<String>,
    errors: &'s mut ConfigError,
}

impl<'s> Reader<'s> {
    pub fn new(
        path: &'s str,
        text: &str,
        env: &'s dyn Fn(&str) -> Option<String>,
        errors: &'s mut ConfigError,
    ) -> Self {
        Reader {
            path,
            text: text.into(),
            env,
            errors,
        }
    }

    /// A diagnostic about `span` of the file, to complete and [`Reader::push`].
    pub fn at(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.path, Some(span), message)
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.errors.push(diagnostic, self.text.clone());
    }

    /// Records a refusal by a [`super::rules`] check of `what`, the value at `span`.
    pub fn refuse(&mut self, span: Span, what: &str, invalid: Invalid) {
        self.push(
            self.at(span, format!("{what} {}", invalid.problem))
                .with_label(invalid.label)
                .with_help(invalid.help),
        );
    }

    /// "unknown key `leese`", with a suggestion among `valid`, which is returned (a misspelled
    /// key explains why the key it stands for is missing). `place` ends the message: "" at
    /// the top level, " in `[webhook]`" in a section.
    pub fn unknown_key<'k>(
        &mut self,
        key: &Key<'_>,
        place: &str,
        valid: &[&'k str],
    ) -> Option<&'k str> {
        let name = key.get_ref().as_ref();
        let help = suggest::help(name, valid, "key");
        self.push(
            self.at(key.span(), format!("unknown key `{name}`{place}"))
                .with_label("unknown key")
                .with_help(help),
        );
        suggest::closest(name, valid)
    }

    /// "`[webhook]` needs `secret-env`", at the section's header, for the `required` keys
    /// that `table` lacks, except those a misspelled key already `explained`.
    pub fn require(
        &mut self,
        table: (&DeTable<'_>, Span),
        place: &str,
        required: &[&str],
        explained: &[&str],
        help: &str,
    ) {
        let missing: Vec<&str> = required
            .iter()
            .filter(|key| !table.0.contains_key(**key) && !explained.contains(key))
            .copied()
            .collect();
        if missing.is_empty() {
            return;
        }
        let keys = suggest::all_of(&missing);
        self.push(
            self.at(table.1, format!("`{place}` needs {keys}"))
                .with_label(format!("{keys} missing"))
                .with_help(help),
        );
    }

    fn wrong_type(&mut self, what: &str, value: &Value<'_>, expected: &str, help: Option<String>) {
        let found = type_name(value.get_ref());
        let mut diagnostic = self
            .at(
                value.span(),
                format!("{what} must be {expected}, found {found}"),
            )
            .with_label(format!("expected {expected}"));
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.push(diagnostic);
    }

    pub fn string<'v>(&mut self, what: &str, value: &'v Value<'_>) -> Option<&'v str> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            other => {
                let help = match other {
                    DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => {
                        Some("put the value in quotes".to_string())
                    }
                    _ => None,
                };
                self.wrong_type(what, value, "a string", help);
                None
            }
        }
    }

    /// A string that passes `rule`.
    pub fn checked<T>(
        &mut self,
        what: &str,
        value: &Value<'_>,
        rule: impl Fn(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        let text = self.string(what, value)?;
        rule(text)
            .map_err(|invalid| self.refuse(value.span(), what, invalid))
            .ok()
    }

    /// A string with something in it.
    pub fn non_empty(&mut self, what: &str, value: &Value<'_>) -> Option<String> {
        let text = self.string(what, value)?;
        if text.trim().is_empty() {
            self.push(
                self.at(value.span(), format!("{what} must not be empty"))
                    .with_label("empty"),
            );
            return None;
        }
        Some(text.to_string())
    }

    /// An array of strings, each passing `rule`.
    pub fn list<T>(
        &mut self,
        what: &str,
        value: &Value<'_>,
        rule: impl Fn(&str) -> Result<T, Invalid>,
    ) -> Option<Vec<T>> {
        let DeValue::Array(items) = value.get_ref() else {
            let help = value
                .get_ref()
                .as_str()
                .map(|s| format!("write a list: [\"{s}\"]"));
            self.wrong_type(what, value, "an array of strings", help);
            return None;
        };
        let mut all = Some(Vec::with_capacity(items.len()));
        for item in items {
            let read = self.checked(what, item, &rule);
            all = all.zip(read).map(|(mut all, one)| {
                all.push(one);
                all
            });
        }
        all
    }

    /// An integer in `min..=max`.
    pub fn integer(&mut self, what: &str, value: &Value<'_>, min: i64, max: i64) -> Option<i64> {
        let DeValue::Integer(int) = value.get_ref() else {
            let help = match value.get_ref() {
                DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                    format!("write the number without quotes: {}", s.trim())
                }
                _ => "write a whole number, without quotes".to_string(),
            };
            self.wrong_type(what, value, "an integer", Some(help));
            return None;
        };
        let parsed = i64::from_str_radix(int.as_str(), int.radix())
            .ok()
            .filter(|n| (min..=max).contains(n));
        if parsed.is_none() {
            let range = if max == i64::MAX {
                format!("at least {min}")
            } else {
                format!("between {min} and {max}")
            };
            self.push(
                self.at(value.span(), format!("{what} must be {range}, found {int}"))
                    .with_label("out of range"),
            );
        }
        parsed
    }

    /// A positive duration written as a string: "500ms", "90s", "1m30s".
    pub fn duration(&mut self, what: &str, value: &Value<'_>) -> Option<Duration> {
        let DeValue::String(s) = value.get_ref() else {
            let help = match value.get_ref() {
                DeValue::Integer(n) => format!("durations need a unit: write \"{n}s\""),
                _ => DURATION_HELP.to_string(),
            };
            self.wrong_type(what, value, "a duration", Some(help));
            return None;
        };
        match humantime::parse_duration(s.trim()) {
            Ok(d) if !d.is_zero() => Some(d),
            Ok(_) => {
                self.push(
                    self.at(value.span(), format!("{what} must be longer than zero"))
                        .with_label("zero")
                        .with_help(DURATION_HELP),
                );
                None
            }
            Err(err) => {
                self.push(
                    self.at(value.span(), format!("{what} is not a duration: \"{s}\""))
                        .with_label(duration_problem(&err))
                        .with_help(DURATION_HELP),
                );
                None
            }
        }
    }

    /// The value of the environment variable `name`, which the file names at `value`: the
    /// file holds no secrets, only where to find them. Unset or empty is an error there.
    pub fn secret(&mut self, value: &Value<'_>, name: &str, what: &str) -> Option<String> {
        match (self.env)(name) {
            Some(secret) if !secret.is_empty() => Some(secret),
            found => {
                let state = if found.is_some() { "empty" } else { "not set" };
                self.push(
                    self.at(
                        value.span(),
                        format!("the environment variable {name} (the {what}) is {state}"),
                    )
                    .with_label(format!("{state} in the environment of `gate serve`"))
                    .with_help(format!(
                        "set {name} before starting the server, or remove this section"
                    )),
                );
                None
            }
        }
    }

    /// A table (`[section]` or `{ … }`).
    pub fn table<'v, 'i>(&mut self, what: &str, value: &'v Value<'i>) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(
                    what,
                    value,
                    "a table",
                    Some(format!("start a section: [{}]", what.trim_matches('`'))),
                );
                None
            }
        }
    }
}

/// The type of a value, with its article: "an integer".
fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// humantime's error, short enough to fit under an underline.
fn duration_problem(err: &humantime::DurationError) -> String {
    match err {
        humantime::DurationError::UnknownUnit { unit, .. } if unit.is_empty() => {
            "missing unit".into()
        }
        humantime::DurationError::UnknownUnit { unit, .. } => format!("unknown unit `{unit}`"),
        humantime::DurationError::NumberExpected(_) => "expected a number".into(),
        humantime::DurationError::Empty => "empty".into(),
        humantime::DurationError::NumberOverflow => "too large".into(),
        humantime::DurationError::InvalidCharacter(_) => "invalid character".into(),
    }
}
