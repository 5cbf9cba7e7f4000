//! `expect` on `request` steps: status, headers, JSON body, body text, duration.

use crate::model::ResponseExpect;

use super::context::Ctx;
use super::fields::{self, Fields};
use super::json;
use super::request;
use super::value::{self, Value};

const KEYS: [&str; 5] = ["status", "headers", "json", "body_contains", "max_duration"];

/// Response checks that make no sense on a page step.
pub(super) const ONLY_KEYS: [&str; 4] = ["status", "headers", "body_contains", "max_duration"];

/// Page checks, reported as such on a `request` step.
const PAGE_ONLY_KEYS: [&str; 17] = [
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
];

pub(super) fn parse(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<ResponseExpect> {
    let table = value::table(ctx, "expect", value)?;
    let known: Vec<&str> = KEYS.iter().chain(&PAGE_ONLY_KEYS).copied().collect();
    let (fields, unknown) = Fields::pick(table, value.span(), &known);
    let errors = ctx.error_count();
    for key in &unknown {
        fields::unknown_key(ctx, key, "in `expect` of a request", &KEYS);
    }
    for key in fields.present(&PAGE_ONLY_KEYS) {
        ctx.error(
            key.span(),
            format!("`{}` is not a response check", key.get_ref()),
        )
        .label("page check")
        .help(format!(
            "`{}` checks the page; the response of a `request` has `status`, `headers`, `json`, \
             `body_contains` and `max_duration` (check the page in a separate step)",
            key.get_ref()
        ));
    }
    if fields.is_empty() {
        if unknown.is_empty() {
            ctx.error(value.span(), "`expect` checks nothing")
                .label("empty")
                .help("add a check such as `status = 200` or `json = { \"$.ok\" = true }`");
        }
        return None;
    }
    let mut expect = ResponseExpect::default();
    if let Some(v) = fields.get("status") {
        expect.status = status(ctx, v).unwrap_or_default();
    }
    if let Some(v) = fields.get("headers") {
        expect.headers = request::headers(ctx, "headers", v, true).unwrap_or_default();
    }
    if let Some(v) = fields.get("json") {
        expect.json = json::checks(ctx, "json", v).unwrap_or_default();
    }
    if let Some(v) = fields.get("body_contains") {
        expect.body_contains = value::non_empty_template(ctx, "body_contains", v);
    }
    if let Some(v) = fields.get("max_duration") {
        expect.max_duration = value::duration(ctx, "max_duration", v);
    }
    (ctx.error_count() == errors).then_some(expect)
}

/// `200` or `[200, 201]`.
fn status(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Vec<u16>> {
    let one = |ctx: &mut Ctx<'_>, v: &Value<'_>| {
        let help = Some("use an HTTP status code such as 200, 201, 302 or 404");
        value::integer_with_help(ctx, "status", v, (100, 599), help)
            .and_then(|n| u16::try_from(n).ok())
    };
    match value.get_ref() {
        toml::de::DeValue::Array(items) => {
            if items.is_empty() {
                ctx.error(value.span(), "`status` lists no statuses")
                    .label("empty")
                    .help("write `status = 200` or `status = [200, 204]`");
                return None;
            }
            let statuses: Vec<_> = items.iter().map(|item| one(ctx, item)).collect();
            statuses.into_iter().collect()
        }
        toml::de::DeValue::Integer(_) => one(ctx, value).map(|s| vec![s]),
        _ => {
            value::wrong_type(ctx, "status", value, "an HTTP status or an array of them")
                .help("write `status = 200` or `status = [200, 204]`");
            None
        }
    }
}
