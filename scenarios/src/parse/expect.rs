//! `expect` on page steps: element, URL, title and `eval` value checks.
//!
//! Which kind of `expect` a step has depends on its action: `request` steps check the
//! response (see `response`), every other step checks the page.
//!
//! `text` has two meanings here. Next to another locator key it is the element's expected
//! text (`{ selector = "h1", text = "Cart" }`); on its own it finds the element by its text
//! (`{ text = "Order placed", visible = true }`).

use crate::model::{Expect, PageExpect, TextMatch};

use super::context::Ctx;
use super::fields::{self, Fields};
use super::json;
use super::locator::{self, Found};
use super::response;
use super::value::{self, Value};

const PAGE_KEYS: [&str; 18] = [
    "selector",
    "text",
    "role",
    "label",
    "test_id",
    "name",
    "exact",
    "nth",
    "contains",
    "value",
    "visible",
    "count",
    "attributes",
    "url",
    "url_contains",
    "title",
    "title_contains",
    "json",
];

/// Checks on the element the locator keys find.
const ELEMENT_CHECKS: [&str; 6] = [
    "text",
    "contains",
    "value",
    "visible",
    "count",
    "attributes",
];

const CHECKS_HELP: &str = "add `visible = true` to check that it is shown, or check its `text`, \
                           `contains`, `value`, `count` or `attributes`";

/// Reads `expect` of a step whose action key is `action` (`None`: no action).
pub(super) fn parse(ctx: &mut Ctx<'_>, action: Option<&str>, value: &Value<'_>) -> Option<Expect> {
    if action == Some("request") {
        return response::parse(ctx, value).map(Expect::Response);
    }
    page(ctx, action, value).map(Expect::Page)
}

fn page(ctx: &mut Ctx<'_>, action: Option<&str>, value: &Value<'_>) -> Option<PageExpect> {
    let table = value::table(ctx, "expect", value)?;
    let known: Vec<&str> = PAGE_KEYS
        .iter()
        .chain(&response::ONLY_KEYS)
        .copied()
        .collect();
    let (fields, unknown) = Fields::pick(table, value.span(), &known);
    let errors = ctx.error_count();
    for key in &unknown {
        fields::unknown_key(ctx, key, "in `expect`", &PAGE_KEYS);
    }
    for key in fields.present(&response::ONLY_KEYS) {
        ctx.error(
            key.span(),
            format!("`{}` is not a page check", key.get_ref()),
        )
        .label("response check")
        .help(format!("`{}` is only for `request` steps", key.get_ref()));
    }
    if fields.is_empty() {
        if unknown.is_empty() {
            ctx.error(value.span(), "`expect` checks nothing")
                .label("empty")
                .help("add a check such as `url_contains = \"/cart\"` or `{ text = \"Added\", visible = true }`");
        }
        return None;
    }

    let text_is_locator = fields
        .present(&["selector", "role", "label", "test_id"])
        .is_empty();
    let target = locator::from_fields(ctx, &fields, text_is_locator);
    let text_check = if text_is_locator {
        None
    } else {
        fields.entry("text")
    };
    let mut expect = PageExpect::default();

    let text_keys = fields.present(&["text", "contains"]);
    fields::at_most_one(
        ctx,
        &text_keys,
        "second text check",
        "`text` is the element's whole text and `contains` a part of it: keep one",
    );
    if let Some((_, v)) = text_check {
        expect.text = value::template(ctx, "text", v).map(TextMatch::Equals);
    }
    if let Some(v) = fields.get("contains") {
        expect.text = value::non_empty_template(ctx, "contains", v).map(TextMatch::Contains);
    }
    if let Some(v) = fields.get("value") {
        expect.value = value::template(ctx, "value", v);
    }
    if let Some(v) = fields.get("visible") {
        expect.visible = value::boolean(ctx, "visible", v);
    }
    if let Some(v) = fields.get("count") {
        expect.count = value::integer(ctx, "count", v, 0, i64::from(u32::MAX))
            .and_then(|n| usize::try_from(n).ok());
    }
    if let Some(v) = fields.get("attributes") {
        expect.attributes = attributes(ctx, v).unwrap_or_default();
    }
    expect.url = text_match(ctx, &fields, "url", "url_contains");
    expect.title = text_match(ctx, &fields, "title", "title_contains");
    if let Some((key, v)) = fields.entry("json") {
        if action == Some("eval") {
            expect.json = json::checks(ctx, "json", v).unwrap_or_default();
        } else {
            let label = match action {
                Some(action) => format!("this is a `{action}` step"),
                None => "this step has no action".to_string(),
            };
            ctx.error(key.span(), "`json` checks need an `eval` or `request` step")
                .label(label)
                .help("`json` checks the value of `eval = \"…\"` or the body of a `request`");
        }
    }

    let checks: Vec<&str> = ELEMENT_CHECKS
        .into_iter()
        .filter(|k| text_is_locator.then_some("text") != Some(*k))
        .collect();
    let element_checks = fields.present(&checks);
    let kinds: Vec<&str> = locator::KINDS
        .into_iter()
        .filter(|k| text_is_locator || *k != "text")
        .collect();
    let locator_keys = fields.present(&kinds);
    match (&target, element_checks.first()) {
        (Found::Absent, Some(check)) => {
            ctx.error(
                check.span(),
                format!("`{}` needs an element to check", check.get_ref()),
            )
            .label("which element?")
            .help(locator::KINDS_HELP);
        }
        // An unknown key is likely the misspelled check: it is reported already.
        (Found::Locator(_) | Found::Invalid, None)
            if !locator_keys.is_empty() && unknown.is_empty() =>
        {
            let span = locator_keys[0].span();
            let help = if text_is_locator && fields.has("text") {
                "add `visible = true` to check that this text is shown, or say what to check \
                 about the element (`contains`, `value`, `count`, `attributes`)"
            } else {
                CHECKS_HELP
            };
            ctx.error(
                span,
                "`expect` finds an element but checks nothing about it",
            )
            .label("nothing checked")
            .help(help);
        }
        _ => {}
    }
    if let Found::Locator(locator) = target {
        expect.target = Some(locator);
    }
    (ctx.error_count() == errors).then_some(expect)
}

/// `key` (equals) or `contains_key` (substring), not both.
fn text_match(
    ctx: &mut Ctx<'_>,
    fields: &Fields<'_, '_>,
    key: &str,
    contains_key: &str,
) -> Option<TextMatch> {
    let present = fields.present(&[key, contains_key]);
    let help = format!("`{key}` must equal and `{contains_key}` must contain: keep one");
    if fields::at_most_one(ctx, &present, "second check", &help) {
        return None;
    }
    if let Some(v) = fields.get(key) {
        return value::non_empty_template(ctx, key, v).map(TextMatch::Equals);
    }
    let v = fields.get(contains_key)?;
    value::non_empty_template(ctx, contains_key, v).map(TextMatch::Contains)
}

fn attributes(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Vec<(String, crate::Template)>> {
    let pairs = value::template_table(ctx, "attributes", value)?;
    if pairs.is_empty() {
        ctx.error(value.span(), "`attributes` has no checks")
            .label("empty")
            .help("add `attribute-name = \"expected value\"`, e.g. `{ href = \"/cart\" }`");
        return None;
    }
    let mut ok = true;
    for (key, _) in &pairs {
        let name = key.get_ref();
        if name.is_empty() || name.contains(char::is_whitespace) {
            ctx.error(key.span(), format!("invalid attribute name `{name}`"))
                .label("not an attribute name");
            ok = false;
        }
    }
    let pairs = pairs.into_iter().map(|(k, t)| (k.get_ref().to_string(), t));
    ok.then(|| pairs.collect())
}
