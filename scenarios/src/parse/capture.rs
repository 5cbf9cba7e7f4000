//! `capture = { name = … }`: values stored in variables for later steps.
//!
//! A string is a JSONPath into the result of a `request` or `eval` step. A table has exactly
//! one source: `json`, `header` (request steps), `cookie`, `url = true`, or an element (locator
//! keys, with an optional `attribute`; the element's text otherwise).

use toml::de::DeValue;

use crate::model::{Capture, CaptureSource};

use super::context::Ctx;
use super::fields::{self, Fields};
use super::json;
use super::locator::{self, Found};
use super::value::{self, Key, Value};
use super::variables::{self, CaptureDef};

const SOURCE_KEYS: [&str; 5] = ["json", "header", "cookie", "url", "attribute"];

const SOURCES_HELP: &str = "capture one of: `json = \"$.…\"`, `header = \"…\"`, \
                            `cookie = \"…\"`, `url = true`, or an element (`selector`, `text`, \
                            …, with an optional `attribute`)";

/// Reads `capture` of step `step` (on `line`, action key `action`) and records the variables
/// it defines.
pub(super) fn parse(
    ctx: &mut Ctx<'_>,
    (step, line): (usize, u32),
    action: Option<&str>,
    value: &Value<'_>,
) -> Option<Vec<Capture>> {
    let table = value::table(ctx, "capture", value)?;
    if table.is_empty() {
        ctx.error(value.span(), "`capture` is empty")
            .label("nothing captured")
            .help("add `variable = …`, e.g. `order_id = { selector = \"#order-id\" }`");
        return None;
    }
    let mut captures = Some(Vec::new());
    for (key, source) in table.iter() {
        let var = var_name(ctx, key);
        let source = capture_source(ctx, action, source);
        if let Some(var) = &var {
            ctx.symbols.captures.push(CaptureDef {
                var: var.clone(),
                step,
                line,
            });
        }
        captures = captures
            .zip(var.zip(source))
            .map(|(mut all, (var, source))| {
                all.push(Capture { var, source });
                all
            });
    }
    captures
}

/// Checks a name that variables are stored under: `[vars]` keys and capture keys.
pub(super) fn var_name(ctx: &mut Ctx<'_>, key: &Key<'_>) -> Option<String> {
    let name = key.get_ref().as_ref();
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        let fixed: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let fixed = if fixed.starts_with(|c: char| c.is_ascii_digit()) {
            format!("_{fixed}")
        } else {
            fixed
        };
        ctx.error(key.span(), format!("invalid variable name `{name}`"))
            .label("not a variable name")
            .help(format!(
                "variable names use letters, digits and `_` and do not start with a digit, e.g. `{fixed}`"
            ));
        return None;
    }
    if variables::BUILTINS.contains(&name) {
        ctx.error(key.span(), format!("`{name}` is a built-in variable"))
            .label("built in")
            .help("gate sets it for every run; pick another name");
        return None;
    }
    Some(name.to_string())
}

fn capture_source(
    ctx: &mut Ctx<'_>,
    action: Option<&str>,
    value: &Value<'_>,
) -> Option<CaptureSource> {
    match value.get_ref() {
        DeValue::String(path) => {
            if !path.starts_with('$') {
                ctx.error(value.span(), format!("invalid capture `{path}`"))
                    .label("not a JSONPath")
                    .help(format!(
                        "a string capture is a JSONPath like `$.id`; to capture an element's \
                         text write `{{ selector = \"{path}\" }}`"
                    ));
                return None;
            }
            json_source(ctx, action, value, path)
        }
        DeValue::Table(table) => {
            let known: Vec<&str> = SOURCE_KEYS.iter().chain(&locator::KEYS).copied().collect();
            let (fields, unknown) = Fields::pick(table, value.span(), &known);
            for key in &unknown {
                fields::unknown_key(ctx, key, "in `capture`", &known);
            }
            table_source(ctx, action, &fields, !unknown.is_empty())
        }
        _ => {
            value::wrong_type(ctx, "capture", value, "a JSONPath or a table").help(SOURCES_HELP);
            None
        }
    }
}

fn json_source(
    ctx: &mut Ctx<'_>,
    action: Option<&str>,
    value: &Value<'_>,
    path: &str,
) -> Option<CaptureSource> {
    let at = toml::Spanned::new(value.span(), path.into());
    let path = json::path(ctx, path, &at)?;
    if !matches!(action, Some("request" | "eval")) {
        ctx.error(
            value.span(),
            "capturing JSON needs a `request` or `eval` step",
        )
        .label(step_label(action))
        .help("on page steps capture an element (`{ selector = \"…\" }`), a `cookie` or the `url`");
        return None;
    }
    Some(CaptureSource::Json(path))
}

fn step_label(action: Option<&str>) -> String {
    match action {
        Some(action) => format!("this is a `{action}` step"),
        None => "this step has no action".to_string(),
    }
}

fn table_source(
    ctx: &mut Ctx<'_>,
    action: Option<&str>,
    fields: &Fields<'_, '_>,
    had_unknown_keys: bool,
) -> Option<CaptureSource> {
    let element_keys = [
        "selector",
        "text",
        "role",
        "label",
        "test_id",
        "name",
        "exact",
        "nth",
        "attribute",
    ];
    let mut sources = fields.present(&["json", "header", "cookie", "url"]);
    if let Some(key) = fields.present(&element_keys).first() {
        sources.push(key);
        sources.sort_by_key(|k| k.span().start);
    }
    let [source, rest @ ..] = sources.as_slice() else {
        if !had_unknown_keys {
            ctx.error(
                fields.span.clone(),
                "`capture` does not say what to capture",
            )
            .label("no source")
            .help(SOURCES_HELP);
        }
        return None;
    };
    if let Some(second) = rest.first() {
        ctx.error(
            second.span(),
            format!(
                "`{}` and `{}` cannot be captured together",
                source.get_ref(),
                second.get_ref()
            ),
        )
        .label("second source")
        .help("one capture stores one value; capture each into its own variable");
        return None;
    }
    let kind = source.get_ref().as_ref();
    let value = fields.get(kind);
    match (kind, value) {
        ("json", Some(v)) => {
            let path = value::non_empty(ctx, "json", v)?;
            json_source(ctx, action, v, path)
        }
        ("header", Some(v)) => {
            let name = value::non_empty(ctx, "header", v)?;
            if action != Some("request") {
                ctx.error(source.span(), "capturing a `header` needs a `request` step")
                    .label(step_label(action))
                    .help("response headers exist only for `request` steps; capture a `cookie` or an element instead");
                return None;
            }
            Some(CaptureSource::Header(name.to_ascii_lowercase()))
        }
        ("cookie", Some(v)) => {
            value::non_empty(ctx, "cookie", v).map(|name| CaptureSource::Cookie(name.to_string()))
        }
        ("url", Some(v)) => match value::boolean(ctx, "url", v)? {
            true => Some(CaptureSource::Url),
            false => {
                ctx.error(v.span(), "`url = false` captures nothing")
                    .label("false")
                    .help("write `url = true` to capture the page's URL");
                None
            }
        },
        _ => element(ctx, fields, had_unknown_keys),
    }
}

fn element(
    ctx: &mut Ctx<'_>,
    fields: &Fields<'_, '_>,
    had_unknown_keys: bool,
) -> Option<CaptureSource> {
    let target = match locator::from_fields(ctx, fields, true) {
        Found::Locator(locator) => Some(locator),
        Found::Invalid => None,
        Found::Absent => {
            // Only `attribute` is present.
            if !had_unknown_keys {
                ctx.error(fields.span.clone(), "`attribute` needs an element")
                    .label("which element?")
                    .help(locator::KINDS_HELP);
            }
            None
        }
    };
    let attribute = match fields.get("attribute") {
        Some(v) => Some(Some(value::non_empty(ctx, "attribute", v)?.to_string())),
        None => Some(None),
    };
    Some(CaptureSource::Element {
        target: target?,
        attribute: attribute?,
    })
}
