//! Typed reads of TOML values, in the parser's call style: `value::string(ctx, "name", v)`.
//! The reads themselves (and their messages) are `gate_toml`'s; these wrappers name the key
//! in backticks and report into the walk's sink. Templates are the scenario language's own
//! and are read here.

use std::time::Duration;

use gate_toml::read;

use crate::template::{Part, Template};

use super::context::Ctx;
use super::variables::VarUse;

pub(super) use gate_toml::{Key, Report, Value};

/// "`goto` must be a string, found an integer"; add a help through the returned handle.
pub(super) fn wrong_type<'c>(
    ctx: &'c mut Ctx<'_>,
    what: &str,
    value: &Value<'_>,
    expected: &str,
) -> Report<'c> {
    read::wrong_type(&mut ctx.sink, &quoted(what), value, expected)
}

pub(super) fn string<'v>(ctx: &mut Ctx<'_>, what: &str, value: &'v Value<'_>) -> Option<&'v str> {
    read::string(&mut ctx.sink, &quoted(what), value)
}

/// A string that must not be empty (or only whitespace).
pub(super) fn non_empty<'v>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'v Value<'_>,
) -> Option<&'v str> {
    read::non_empty(&mut ctx.sink, &quoted(what), value)
}

pub(super) fn boolean(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<bool> {
    read::boolean(&mut ctx.sink, &quoted(what), value)
}

/// An integer in `min..=max`.
pub(super) fn integer(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &Value<'_>,
    min: i64,
    max: i64,
) -> Option<i64> {
    read::integer(&mut ctx.sink, &quoted(what), value, min..=max)
}

/// An integer in `min..=max`, with `help` when it is out of range.
pub(super) fn integer_with_help(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &Value<'_>,
    (min, max): (i64, i64),
    help: Option<&str>,
) -> Option<i64> {
    let what = quoted(what);
    match help {
        Some(help) => read::integer_with_help(&mut ctx.sink, &what, value, min..=max, help),
        None => read::integer(&mut ctx.sink, &what, value, min..=max),
    }
}

/// A string that must be one of `valid`: "unknown mouse button `lft`" otherwise. `what`
/// names such values.
pub(super) fn one_of<'v>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'v Value<'_>,
    valid: &[&str],
) -> Option<&'v str> {
    read::one_of(&mut ctx.sink, &quoted(what), what, value, valid)
}

/// A positive duration written as a string: "500ms", "5s", "1m30s".
pub(super) fn duration(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<Duration> {
    gate_toml::duration::duration(&mut ctx.sink, &quoted(what), value)
}

pub(super) fn table<'v, 'i>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'v Value<'i>,
) -> Option<&'v toml::de::DeTable<'i>> {
    read::table(&mut ctx.sink, &quoted(what), value)
}

pub(super) fn array<'v, 'i>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'v Value<'i>,
) -> Option<&'v [Value<'i>]> {
    read::array(&mut ctx.sink, &quoted(what), value)
}

/// How messages name the key `what`: in backticks.
fn quoted(what: &str) -> String {
    format!("`{what}`")
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
    use toml::de::DeTable;

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
    fn reads_name_the_key_in_backticks() {
        let mut ctx = Ctx::new("f", "");
        assert_eq!(
            duration(&mut ctx, "t", &value("t = \"1m30s\"")),
            Some(Duration::from_secs(90))
        );
        assert_eq!(integer(&mut ctx, "n", &value("n = 0x10"), 0, 20), Some(16));
        assert!(ctx.sink.diagnostics().is_empty());
        assert_eq!(duration(&mut ctx, "t", &value("t = \"0s\"")), None);
        assert_eq!(integer(&mut ctx, "n", &value("n = -1"), 0, 20), None);
        assert_eq!(
            one_of(&mut ctx, "mouse button", &value("b = 1"), &["left"]),
            None
        );
        assert_eq!(
            one_of(&mut ctx, "mouse button", &value("b = 'lft'"), &["left"]),
            None
        );
        let messages: Vec<_> = ctx
            .sink
            .diagnostics()
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "`t` must be longer than zero",
                "`n` must be between 0 and 20, found -1",
                "`mouse button` must be a string, found an integer",
                "unknown mouse button `lft`",
            ]
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
        let span = ctx.sink.diagnostics()[0].span.clone().expect("span");
        assert_eq!(&text[span], "{{oops");
    }
}
