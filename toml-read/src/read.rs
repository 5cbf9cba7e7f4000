//! Typed reads of spanned TOML values.
//!
//! Each read either returns the value or records a diagnostic at the value's span and returns
//! `None`, so callers skip what they could not read and the walk goes on. `what` names the
//! value in messages exactly as it should read, quotes and all: "`lease`", "`tags[1]`",
//! "`api-url` in `[publish]`". Messages read as "{what} must be …".

use std::ops::RangeInclusive;

use toml::de::{DeTable, DeValue};
use url::Url;

use crate::http_url;
use crate::rule::Invalid;
use crate::sink::{Report, Sink};
use crate::span::Value;
use crate::suggest;

/// The type of a value, with its article: "an integer".
pub fn type_name(value: &DeValue<'_>) -> &'static str {
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

/// "`goto` must be a string, found an integer"; add a help through the returned handle.
pub fn wrong_type<'c>(
    sink: &'c mut Sink<'_>,
    what: &str,
    value: &Value<'_>,
    expected: &str,
) -> Report<'c> {
    let found = type_name(value.get_ref());
    sink.error(
        value.span(),
        format!("{what} must be {expected}, found {found}"),
    )
    .label(format!("expected {expected}"))
}

pub fn string<'v>(sink: &mut Sink<'_>, what: &str, value: &'v Value<'_>) -> Option<&'v str> {
    match value.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => {
            wrong_type(sink, what, value, "a string").help("put the value in quotes");
            None
        }
        _ => {
            wrong_type(sink, what, value, "a string");
            None
        }
    }
}

/// A string that is not empty (nor only whitespace).
pub fn non_empty<'v>(sink: &mut Sink<'_>, what: &str, value: &'v Value<'_>) -> Option<&'v str> {
    let s = string(sink, what, value)?;
    if s.trim().is_empty() {
        sink.error(value.span(), format!("{what} must not be empty"))
            .label("empty");
        return None;
    }
    Some(s)
}

pub fn boolean(sink: &mut Sink<'_>, what: &str, value: &Value<'_>) -> Option<bool> {
    match value.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        DeValue::String(s) if matches!(s.as_ref(), "true" | "false") => {
            wrong_type(sink, what, value, "a boolean").help(format!("write `{s}` without quotes"));
            None
        }
        _ => {
            wrong_type(sink, what, value, "a boolean").help("use `true` or `false`");
            None
        }
    }
}

/// An integer in `range`.
pub fn integer(
    sink: &mut Sink<'_>,
    what: &str,
    value: &Value<'_>,
    range: RangeInclusive<i64>,
) -> Option<i64> {
    integer_in(sink, what, value, range, None)
}

/// [`integer`], with `help` when the number is out of range (what the setting means, which
/// values make sense).
pub fn integer_with_help(
    sink: &mut Sink<'_>,
    what: &str,
    value: &Value<'_>,
    range: RangeInclusive<i64>,
    help: &str,
) -> Option<i64> {
    integer_in(sink, what, value, range, Some(help))
}

fn integer_in(
    sink: &mut Sink<'_>,
    what: &str,
    value: &Value<'_>,
    range: RangeInclusive<i64>,
    out_of_range_help: Option<&str>,
) -> Option<i64> {
    let DeValue::Integer(int) = value.get_ref() else {
        let help = match value.get_ref() {
            DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                format!("write the number without quotes: {}", s.trim())
            }
            _ => "write a whole number, without quotes".to_string(),
        };
        wrong_type(sink, what, value, "an integer").help(help);
        return None;
    };
    let parsed = i64::from_str_radix(int.as_str(), int.radix())
        .ok()
        .filter(|n| range.contains(n));
    if parsed.is_none() {
        let (min, max) = (range.start(), range.end());
        let range = if *max == i64::MAX {
            format!("at least {min}")
        } else {
            format!("between {min} and {max}")
        };
        let report = sink
            .error(value.span(), format!("{what} must be {range}, found {int}"))
            .label("out of range");
        if let Some(help) = out_of_range_help {
            report.help(help);
        }
    }
    parsed
}

/// A number (integer or float) in `range`: "`confidence` must be between 0.5 and 0.9999".
pub fn number(
    sink: &mut Sink<'_>,
    what: &str,
    value: &Value<'_>,
    range: RangeInclusive<f64>,
) -> Option<f64> {
    let parsed = match value.get_ref() {
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        other => {
            let help = match other {
                DeValue::String(s) if s.trim().parse::<f64>().is_ok() => {
                    format!("write the number without quotes: {}", s.trim())
                }
                _ => "write a number, without quotes".to_string(),
            };
            wrong_type(sink, what, value, "a number").help(help);
            return None;
        }
    };
    match parsed {
        Some(n) if n.is_finite() && range.contains(&n) => Some(n),
        _ => {
            let (min, max) = (range.start(), range.end());
            sink.error(
                value.span(),
                format!("{what} must be between {min} and {max}"),
            )
            .label("out of range");
            None
        }
    }
}

/// A string that must be one of `valid`. `noun` names such values: "unknown mouse button
/// `lft`", with the closest valid one or the list of them.
pub fn one_of<'v>(
    sink: &mut Sink<'_>,
    what: &str,
    noun: &str,
    value: &'v Value<'_>,
    valid: &[&str],
) -> Option<&'v str> {
    let DeValue::String(found) = value.get_ref() else {
        wrong_type(sink, what, value, "a string").help(format!("use {}", suggest::one_of(valid)));
        return None;
    };
    if valid.contains(&found.as_ref()) {
        return Some(found);
    }
    let help = suggest::did_you_mean(found, valid)
        .unwrap_or_else(|| format!("use {}", suggest::one_of(valid)));
    sink.error(value.span(), format!("unknown {noun} `{found}`"))
        .label(format!("not a valid {noun}"))
        .help(help);
    None
}

/// A table (`[section]`, `{ … }`).
pub fn table<'v, 'i>(
    sink: &mut Sink<'_>,
    what: &str,
    value: &'v Value<'i>,
) -> Option<&'v DeTable<'i>> {
    match value.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => {
            wrong_type(sink, what, value, "a table");
            None
        }
    }
}

pub fn array<'v, 'i>(
    sink: &mut Sink<'_>,
    what: &str,
    value: &'v Value<'i>,
) -> Option<&'v [Value<'i>]> {
    match value.get_ref() {
        DeValue::Array(a) => Some(a),
        _ => {
            wrong_type(sink, what, value, "an array");
            None
        }
    }
}

/// A string that passes `rule`; a refusal is reported as "{what} {problem}".
pub fn checked<T>(
    sink: &mut Sink<'_>,
    what: &str,
    value: &Value<'_>,
    rule: impl Fn(&str) -> Result<T, Invalid>,
) -> Option<T> {
    let text = string(sink, what, value)?;
    match rule(text) {
        Ok(checked) => Some(checked),
        Err(invalid) => {
            refuse(sink, what, value, invalid);
            None
        }
    }
}

/// Reports a rule's refusal of `value` as "{what} {problem}", with its label and help.
pub fn refuse(sink: &mut Sink<'_>, what: &str, value: &Value<'_>, invalid: Invalid) {
    sink.error(value.span(), format!("{what} {}", invalid.problem))
        .label(invalid.label)
        .help(invalid.help);
}

/// An array of strings, each passing `rule`. Every bad item is reported.
pub fn list<T>(
    sink: &mut Sink<'_>,
    what: &str,
    value: &Value<'_>,
    rule: impl Fn(&str) -> Result<T, Invalid>,
) -> Option<Vec<T>> {
    let DeValue::Array(items) = value.get_ref() else {
        let report = wrong_type(sink, what, value, "an array of strings");
        if let Some(s) = value.get_ref().as_str() {
            report.help(format!("write a list: [\"{s}\"]"));
        }
        return None;
    };
    let read: Vec<Option<T>> = items
        .iter()
        .map(|item| checked(sink, what, item, &rule))
        .collect();
    read.into_iter().collect()
}

/// An absolute `http://` or `https://` URL with a host (see [`http_url::http_url`]);
/// `example` is shown in the help.
pub fn url(sink: &mut Sink<'_>, what: &str, value: &Value<'_>, example: &str) -> Option<Url> {
    checked(sink, what, value, |s| http_url::http_url(s, example))
}

#[cfg(test)]
mod tests {
    use toml::de::DeTable;

    use super::*;
    use crate::suggest::KeyCase;

    pub(crate) fn value(text: &str) -> Value<'_> {
        let (table, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty(), "{errors:?}");
        table
            .into_inner()
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .expect("a key")
    }

    fn sink() -> Sink<'static> {
        Sink::new("f", "", KeyCase::Kebab)
    }

    fn messages(sink: &Sink<'_>) -> Vec<(String, Option<String>)> {
        sink.diagnostics()
            .iter()
            .map(|d| (d.message.clone(), d.help.clone()))
            .collect()
    }

    #[test]
    fn strings_and_their_wrong_types() {
        let mut sink = sink();
        assert_eq!(string(&mut sink, "`a`", &value("a = 'x'")), Some("x"));
        assert_eq!(string(&mut sink, "`a`", &value("a = 4")), None);
        assert_eq!(string(&mut sink, "`a`", &value("a = [4]")), None);
        assert_eq!(non_empty(&mut sink, "`a`", &value("a = ' '")), None);
        assert_eq!(
            messages(&sink),
            [
                (
                    "`a` must be a string, found an integer".into(),
                    Some("put the value in quotes".into())
                ),
                ("`a` must be a string, found an array".into(), None),
                ("`a` must not be empty".into(), None),
            ]
        );
    }

    #[test]
    fn booleans_say_how_to_write_them() {
        let mut sink = sink();
        assert_eq!(boolean(&mut sink, "`v`", &value("v = true")), Some(true));
        assert_eq!(boolean(&mut sink, "`v`", &value("v = 'false'")), None);
        assert_eq!(boolean(&mut sink, "`v`", &value("v = 1")), None);
        let helps: Vec<_> = messages(&sink).into_iter().map(|(_, h)| h).collect();
        assert_eq!(
            helps,
            [
                Some("write `false` without quotes".into()),
                Some("use `true` or `false`".into())
            ]
        );
    }

    #[test]
    fn integers_are_range_checked() {
        let mut sink = sink();
        assert_eq!(
            integer(&mut sink, "`n`", &value("n = 0x10"), 0..=20),
            Some(16)
        );
        assert_eq!(integer(&mut sink, "`n`", &value("n = -1"), 0..=20), None);
        assert_eq!(integer(&mut sink, "`n`", &value("n = 1.5"), 0..=20), None);
        assert_eq!(
            integer(&mut sink, "`n`", &value("n = '4'"), 0..=i64::MAX),
            None
        );
        assert_eq!(
            integer(&mut sink, "`n`", &value("n = -4"), 1..=i64::MAX),
            None
        );
        let help = "a small number";
        assert_eq!(
            integer_with_help(&mut sink, "`n`", &value("n = 99"), 0..=9, help),
            None
        );
        assert_eq!(
            integer_with_help(&mut sink, "`n`", &value("n = 'x'"), 0..=9, help),
            None
        );
        assert_eq!(
            messages(&sink),
            [
                ("`n` must be between 0 and 20, found -1".into(), None),
                (
                    "`n` must be an integer, found a float".into(),
                    Some("write a whole number, without quotes".into())
                ),
                (
                    "`n` must be an integer, found a string".into(),
                    Some("write the number without quotes: 4".into())
                ),
                ("`n` must be at least 1, found -4".into(), None),
                (
                    "`n` must be between 0 and 9, found 99".into(),
                    Some(help.into())
                ),
                (
                    "`n` must be an integer, found a string".into(),
                    Some("write a whole number, without quotes".into())
                ),
            ]
        );
    }

    #[test]
    fn one_of_suggests_or_lists() {
        let mut sink = sink();
        let valid = ["left", "right", "middle"];
        let read = |sink: &mut Sink<'_>, text: &str| {
            one_of(sink, "`button`", "mouse button", &value(text), &valid).map(str::to_string)
        };
        assert_eq!(read(&mut sink, "b = 'left'").as_deref(), Some("left"));
        assert_eq!(read(&mut sink, "b = 'rigth'"), None);
        assert_eq!(read(&mut sink, "b = 'up'"), None);
        assert_eq!(read(&mut sink, "b = 2"), None);
        let list = "use `left`, `right` or `middle`";
        assert_eq!(
            messages(&sink),
            [
                (
                    "unknown mouse button `rigth`".into(),
                    Some("did you mean `right`?".into())
                ),
                ("unknown mouse button `up`".into(), Some(list.into())),
                (
                    "`button` must be a string, found an integer".into(),
                    Some(list.into())
                ),
            ]
        );
    }

    #[test]
    fn lists_check_every_item() {
        let mut sink = sink();
        let rule = |s: &str| match s {
            "ok" => Ok(s.len()),
            _ => Err(Invalid::new("has a bad item", "bad", "write ok")),
        };
        assert_eq!(
            list(&mut sink, "`l`", &value("l = ['ok', 'ok']"), rule),
            Some(vec![2, 2])
        );
        assert_eq!(
            list(&mut sink, "`l`", &value("l = ['x', 'ok', 'y']"), rule),
            None
        );
        assert_eq!(list(&mut sink, "`l`", &value("l = 'ok'"), rule), None);
        assert_eq!(
            messages(&sink),
            [
                ("`l` has a bad item".into(), Some("write ok".into())),
                ("`l` has a bad item".into(), Some("write ok".into())),
                (
                    "`l` must be an array of strings, found a string".into(),
                    Some("write a list: [\"ok\"]".into())
                ),
            ]
        );
    }

    #[test]
    fn urls_use_the_one_rule() {
        let mut sink = sink();
        let example = "https://gate.example.com";
        let read = url(
            &mut sink,
            "`u`",
            &value("u = 'https://gate.example.com/'"),
            example,
        );
        assert_eq!(
            read.map(String::from).as_deref(),
            Some("https://gate.example.com/")
        );
        assert!(url(&mut sink, "`u`", &value("u = 'gate'"), example).is_none());
        assert_eq!(
            messages(&sink),
            [(
                "`u` must be an http:// or https:// URL".into(),
                Some("write an absolute URL, e.g. \"https://gate\"".into())
            )]
        );
    }

    #[test]
    fn tables_and_arrays() {
        let mut sink = sink();
        assert!(table(&mut sink, "`t`", &value("t = { a = 1 }")).is_some());
        assert!(table(&mut sink, "`t`", &value("t = 1")).is_none());
        assert_eq!(
            array(&mut sink, "`a`", &value("a = [1, 2]")).map(<[_]>::len),
            Some(2)
        );
        assert!(array(&mut sink, "`a`", &value("a = {}")).is_none());
        assert_eq!(
            messages(&sink),
            [
                ("`t` must be a table, found an integer".into(), None),
                ("`a` must be an array, found a table".into(), None),
            ]
        );
    }
}
