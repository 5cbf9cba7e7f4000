//! `request`: an HTTP request made in the scenario's browser session.

use toml::de::DeValue;

use crate::model::{Body, Request};
use crate::template::Template;

use super::context::Ctx;
use super::fields::{self, Fields};
use super::json;
use super::value::{self, Value};

const KEYS: [&str; 6] = ["method", "url", "headers", "json", "form", "body"];

const EXAMPLE: &str =
    "`request = { method = \"POST\", url = \"/api/cart\", json = { sku = \"MUG-1\" } }`";

pub(super) fn request(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Request> {
    let DeValue::Table(table) = value.get_ref() else {
        value::wrong_type(ctx, "request", value, "a table").help(format!("write {EXAMPLE}"));
        return None;
    };
    let (fields, unknown) = Fields::pick(table, value.span(), &KEYS);
    for key in &unknown {
        fields::unknown_key(ctx, key, "in `request`", &KEYS);
    }
    let method = match fields.get("method") {
        Some(v) => method(ctx, v),
        None => Some("GET".to_string()),
    };
    let url = match fields.get("url") {
        Some(v) => value::non_empty_template(ctx, "url", v),
        None => {
            ctx.error(value.span(), "`request` is missing `url`")
                .label("no `url`")
                .help("add `url = \"/api/…\"`: absolute, or relative to the base URL");
            None
        }
    };
    let headers = match fields.get("headers") {
        Some(v) => headers(ctx, "headers", v, false),
        None => Some(Vec::new()),
    };
    let body = body(ctx, &fields);
    Some(Request {
        method: method?,
        url: url?,
        headers: headers?,
        body: body?,
    })
}

/// `json`, `form` or `body`: at most one.
fn body(ctx: &mut Ctx<'_>, fields: &Fields<'_, '_>) -> Option<Option<Body>> {
    let present = fields.present(&["json", "form", "body"]);
    if fields::at_most_one(
        ctx,
        &present,
        "second body",
        "a request has one body: `json`, `form` or `body` (raw text)",
    ) {
        return None;
    }
    let Some(key) = present.first() else {
        return Some(None);
    };
    let which = key.get_ref().as_ref();
    let value = fields.get(which)?;
    let body = match which {
        "json" => Body::Json(json::to_json(ctx, value)?),
        "form" => Body::Form(pairs(ctx, "form", value)?),
        _ => Body::Raw(value::template(ctx, "body", value)?),
    };
    Some(Some(body))
}

fn method(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<String> {
    let method = value::non_empty(ctx, "method", value)?;
    if let Some(bad) = method.chars().find(|c| !is_token_char(*c)) {
        ctx.error(value.span(), format!("invalid HTTP method `{method}`"))
            .label(format!("`{bad}` is not allowed in a method"))
            .help("use a method like `GET`, `POST`, `PUT`, `PATCH` or `DELETE`");
        return None;
    }
    Some(method.to_ascii_uppercase())
}

/// Header names → templates. With `lower`, names are stored lower-case (for comparisons).
pub(super) fn headers(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &Value<'_>,
    lower: bool,
) -> Option<Vec<(String, Template)>> {
    let pairs = value::template_table(ctx, what, value)?;
    let mut ok = true;
    let mut headers = Vec::new();
    for (key, template) in pairs {
        let name = key.get_ref().as_ref();
        if name.is_empty() || !name.chars().all(is_token_char) {
            ctx.error(key.span(), format!("invalid header name `{name}`"))
                .label("not a header name")
                .help("header names use letters, digits and `-`, e.g. `content-type`");
            ok = false;
        }
        let name = if lower {
            name.to_ascii_lowercase()
        } else {
            name.to_string()
        };
        headers.push((name, template));
    }
    ok.then_some(headers)
}

/// A table of string → template (`form`).
fn pairs(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<Vec<(String, Template)>> {
    let pairs = value::template_table(ctx, what, value)?;
    Some(
        pairs
            .into_iter()
            .map(|(key, t)| (key.get_ref().to_string(), t))
            .collect(),
    )
}

/// RFC 9110 `tchar`: what method and header names are made of.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}
