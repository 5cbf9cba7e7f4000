//! Typed reads of TOML values. Each read reports a wrong type or a bad value at the value's
//! span and returns `None`, so callers just skip what they could not read.

use std::time::Duration;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::template::{Part, Template};

use super::context::{Ctx, Report};
use super::suggest;
use super::variables::VarUse;

pub(super) type Value<'i> = Spanned<DeValue<'i>>;
pub(super) type Key<'i> = Spanned<DeString<'i>>;

pub(super) const DURATION_HELP: &str = "use a duration like \"500ms\", \"5s\" or \"1m\"";

/// The type of a value, with its article: "an integer".
pub(super) fn type_name(value: &DeValue<'_>) -> &'static str {
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

/// "`goto` must be a string, found an integer".
pub(super) fn wrong_type<'c>(
    ctx: &'c mut Ctx<'_>,
    what: &str,
    value: &Value<'_>,
    expected: &str,
) -> Report<'c> {
    let found = type_name(value.get_ref());
    ctx.error(
        value.span(),
        format!("`{what}` must be {expected}, found {found}"),
    )
    .label(format!("expected {expected}"))
}

pub(super) fn string<'v>(ctx: &mut Ctx<'_>, what: &str, value: &'v Value<'_>) -> Option<&'v str> {
    match value.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        _ => {
            wrong_type(ctx, what, value, "a string");
            None
        }
    }
}

/// A string that must not be empty (or only whitespace).
pub(super) fn non_empty<'v>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'v Value<'_>,
) -> Option<&'v str> {
    let s = string(ctx, what, value)?;
    if s.trim().is_empty() {
        ctx.error(value.span(), format!("`{what}` must not be empty"))
            .label("empty");
        return None;
    }
    Some(s)
}

pub(super) fn boolean(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<bool> {
    match value.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        DeValue::String(s) if matches!(s.as_ref(), "true" | "false") => {
            wrong_type(ctx, what, value, "a boolean").help(format!("write `{s}` without quotes"));
            None
        }
        _ => {
            wrong_type(ctx, what, value, "a boolean").help("use `true` or `false`");
            None
        }
    }
}

/// An integer in `min..=max`.
pub(super) fn integer(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &Value<'_>,
    min: i64,
    max: i64,
) -> Option<i64> {
    integer_with_help(ctx, what, value, (min, max), None)
}

/// An integer in `min..=max`, with `help` when it is out of range.
pub(super) fn integer_with_help(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &Value<'_>,
    (min, max): (i64, i64),
    help: Option<&str>,
) -> Option<i64> {
    let DeValue::Integer(int) = value.get_ref() else {
        wrong_type(ctx, what, value, "an integer");
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
        let report = ctx
            .error(
                value.span(),
                format!("`{what}` must be {range}, found {int}"),
            )
            .label("out of range");
        if let Some(help) = help {
            report.help(help);
        }
    }
    parsed
}

/// A string that must be one of `valid`: "unknown mouse button `lft`" otherwise.
pub(super) fn one_of<'v>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'v Value<'_>,
    valid: &[&str],
) -> Option<&'v str> {
    let DeValue::String(found) = value.get_ref() else {
        wrong_type(ctx, what, value, "a string").help(format!("use {}", suggest::one_of(valid)));
        return None;
    };
    if valid.contains(&found.as_ref()) {
        return Some(found);
    }
    let help = suggest::did_you_mean(found, valid.iter().copied())
        .unwrap_or_else(|| format!("use {}", suggest::one_of(valid)));
    ctx.error(value.span(), format!("unknown {what} `{found}`"))
        .label(format!("not a valid {what}"))
        .help(help);
    None
}

/// A positive duration written as a string: "500ms", "5s", "1m30s".
pub(super) fn duration(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<Duration> {
    let DeValue::String(s) = value.get_ref() else {
        wrong_type(ctx, what, value, "a duration string").help(DURATION_HELP);
        return None;
    };
    match humantime::parse_duration(s.trim()) {
        Ok(d) if !d.is_zero() => Some(d),
        Ok(_) => {
            ctx.error(value.span(), format!("`{what}` must be longer than zero"))
                .label("zero")
                .help(DURATION_HELP);
            None
        }
        Err(err) => {
            ctx.error(
                value.span(),
                format!("`{what}` is not a valid duration: \"{s}\""),
            )
            .label(duration_problem(&err))
            .help(DURATION_HELP);
            None
        }
    }
}

/// humantime's error, shortened to fit under an underline.
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

pub(super) fn table<'v, 'i>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'v Value<'i>,
) -> Option<&'v DeTable<'i>> {
    match value.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => {
            wrong_type(ctx, what, value, "a table");
            None
        }
    }
}

pub(super) fn array<'v, 'i>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'v Value<'i>,
) -> Option<&'v [Value<'i>]> {
    match value.get_ref() {
        DeValue::Array(a) => Some(a),
        _ => {
            wrong_type(ctx, what, value, "an array");
            None
        }
    }
}

/// A table of key → template (`headers`, `form`, `attributes`), in file order.
pub(super) fn template_table<'v, 'i>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'v Value<'i>,
) -> Option<Vec<(&'v Key<'i>, Template)>> {
    let table = table(ctx, what, value)?;
    let pairs: Vec<_> = table
        .iter()
        .map(|(key, item)| template(ctx, key.get_ref(), item).map(|t| (key, t)))
        .collect();
    pairs.into_iter().collect()
}

/// A string that is a template (`{{var}}`, `{{secret.X}}`); records the variables it uses.
pub(super) fn template(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<Template> {
    let s = string(ctx, what, value)?;
    template_str(ctx, s, &value.span())
}

/// A template that must not be empty.
pub(super) fn non_empty_template(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &Value<'_>,
) -> Option<Template> {
    let s = non_empty(ctx, what, value)?;
    template_str(ctx, s, &value.span())
}

/// Parses `s`, the decoded text of the string written at `span`, as a template.
pub(super) fn template_str(
    ctx: &mut Ctx<'_>,
    s: &str,
    span: &std::ops::Range<usize>,
) -> Option<Template> {
    match Template::parse(s) {
        Ok(template) => {
            record_uses(ctx, s, span, &template);
            Some(template)
        }
        Err(err) => {
            let at = ctx.inner_span(span, s, err.start..err.end);
            ctx.error(at, err.message).label("bad placeholder").help(
                "placeholders look like `{{name}}` or `{{secret.NAME}}`; names use letters, \
                 digits, `_`, `-` and `.`",
            );
            None
        }
    }
}

/// Notes each placeholder of a parsed template with its span in the file.
fn record_uses(ctx: &mut Ctx<'_>, s: &str, span: &std::ops::Range<usize>, template: &Template) {
    let placeholders = template
        .parts()
        .iter()
        .filter(|p| !matches!(p, Part::Literal(_)));
    for (part, range) in placeholders.zip(placeholder_ranges(s)) {
        let (name, secret) = match part {
            Part::Var(name) => (name.clone(), false),
            Part::Secret(name) => (name.clone(), true),
            Part::Literal(_) => continue,
        };
        let span = ctx.inner_span(span, s, range);
        let scope = ctx.scope;
        ctx.symbols.uses.push(VarUse {
            name,
            secret,
            span,
            scope,
        });
    }
}

/// Byte ranges of the `{{…}}` placeholders of a string that parsed as a template, in order.
fn placeholder_ranges(s: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut offset = 0;
    while let Some(open) = s.get(offset..).and_then(|rest| rest.find("{{")) {
        let start = offset + open;
        let Some(close) = s.get(start + 2..).and_then(|rest| rest.find("}}")) else {
            break;
        };
        let end = start + 2 + close + 2;
        ranges.push(start..end);
        offset = end;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Value<'_> {
        let (table, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty(), "{errors:?}");
        table
            .into_inner()
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .expect("a key")
    }

    #[test]
    fn durations() {
        let mut ctx = Ctx::new("f", "");
        assert_eq!(
            duration(&mut ctx, "t", &value("t = \"1m30s\"")),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            duration(&mut ctx, "t", &value("t = \"500ms\"")),
            Some(Duration::from_millis(500))
        );
        assert!(ctx.diagnostics.is_empty());
        assert_eq!(duration(&mut ctx, "t", &value("t = \"5 parsecs\"")), None);
        assert_eq!(duration(&mut ctx, "t", &value("t = 5")), None);
        assert_eq!(duration(&mut ctx, "t", &value("t = \"0s\"")), None);
        let labels: Vec<_> = ctx
            .diagnostics
            .iter()
            .map(|d| d.label.as_deref().unwrap_or_default())
            .collect();
        assert_eq!(
            labels,
            [
                "unknown unit `parsecs`",
                "expected a duration string",
                "zero"
            ]
        );
        assert!(
            ctx.diagnostics
                .iter()
                .all(|d| d.help.as_deref() == Some(DURATION_HELP))
        );
    }

    #[test]
    fn template_uses_point_at_the_placeholder() {
        let text = "a = \"hi {{ user }} {{secret.PW}}\"";
        let mut ctx = Ctx::new("f", text);
        let t = template(&mut ctx, "a", &value(text)).expect("template");
        assert_eq!(t.source(), "hi {{ user }} {{secret.PW}}");
        let uses: Vec<_> = ctx
            .symbols
            .uses
            .iter()
            .map(|u| (u.name.as_str(), u.secret, &text[u.span.clone()]))
            .collect();
        assert_eq!(
            uses,
            [("user", false, "{{ user }}"), ("PW", true, "{{secret.PW}}")]
        );
    }

    #[test]
    fn template_errors_point_inside_the_string() {
        let text = "a = \"x {{oops\"";
        let mut ctx = Ctx::new("f", text);
        assert!(template(&mut ctx, "a", &value(text)).is_none());
        let span = ctx.diagnostics[0].span.clone().expect("span");
        assert_eq!(&text[span], "{{oops");
    }

    #[test]
    fn integers_are_range_checked() {
        let mut ctx = Ctx::new("f", "");
        assert_eq!(integer(&mut ctx, "n", &value("n = 0x10"), 0, 20), Some(16));
        assert_eq!(integer(&mut ctx, "n", &value("n = -1"), 0, 20), None);
        assert_eq!(integer(&mut ctx, "n", &value("n = 1.5"), 0, 20), None);
        assert_eq!(
            ctx.diagnostics[0].message,
            "`n` must be between 0 and 20, found -1"
        );
        assert_eq!(
            ctx.diagnostics[1].message,
            "`n` must be an integer, found a float"
        );
    }
}
