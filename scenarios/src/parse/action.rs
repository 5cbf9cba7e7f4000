//! Step actions other than `press`, `wait_for` and `request`: what each action key's value
//! means.

use toml::de::DeValue;

use crate::model::{Action, MouseButton};

use super::context::Ctx;
use super::fields::{self, Fields};
use super::locator;
use super::value::{self, Value};
use super::{keyboard, request, wait_for};

/// The keys that make a step do something; a step has at most one.
pub(super) const ACTIONS: [&str; 12] = [
    "goto",
    "click",
    "fill",
    "select",
    "check",
    "uncheck",
    "press",
    "hover",
    "wait_for",
    "screenshot",
    "eval",
    "request",
];

/// Reads the value of action key `keyword` (one of [`ACTIONS`]).
pub(super) fn parse(ctx: &mut Ctx<'_>, keyword: &str, value: &Value<'_>) -> Option<Action> {
    match keyword {
        "goto" => goto(ctx, value),
        "click" => click(ctx, value),
        "fill" => fill(ctx, value),
        "select" => select(ctx, value),
        "check" => Some(Action::Check {
            target: locator::locator(ctx, keyword, value)?,
        }),
        "uncheck" => Some(Action::Uncheck {
            target: locator::locator(ctx, keyword, value)?,
        }),
        "hover" => Some(Action::Hover {
            target: locator::locator(ctx, keyword, value)?,
        }),
        "press" => keyboard::press(ctx, value),
        "wait_for" => wait_for::wait_for(ctx, value).map(Action::WaitFor),
        "screenshot" => screenshot(ctx, value),
        "eval" => Some(Action::Eval {
            script: value::non_empty_template(ctx, keyword, value)?,
        }),
        "request" => request::request(ctx, value).map(Action::Request),
        _ => None,
    }
}

fn goto(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Action> {
    if !matches!(value.get_ref(), DeValue::String(_)) {
        value::wrong_type(ctx, "goto", value, "a string").help(
            "write the URL in quotes: `goto = \"/cart\"` (relative to the base URL) or a full URL",
        );
        return None;
    }
    Some(Action::Goto {
        url: value::non_empty_template(ctx, "goto", value)?,
    })
}

fn click(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Action> {
    if let DeValue::String(_) = value.get_ref() {
        return Some(Action::Click {
            target: locator::css(ctx, "click", value)?,
            button: MouseButton::Left,
            click_count: 1,
        });
    }
    let example = "`click = \"#buy\"` or `click = { text = \"Buy\", button = \"right\" }`";
    let (fields, unknown) =
        locator::table_with(ctx, "click", value, &["button", "count"], example)?;
    let target = locator::required(ctx, "click", &fields, true, unknown);
    let button = match fields.get("button") {
        Some(v) => mouse_button(ctx, v),
        None => Some(MouseButton::Left),
    };
    let count = match fields.get("count") {
        Some(v) => value::integer(ctx, "count", v, 1, 3).and_then(|n| u8::try_from(n).ok()),
        None => Some(1),
    };
    Some(Action::Click {
        target: target?,
        button: button?,
        click_count: count?,
    })
}

fn mouse_button(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<MouseButton> {
    let buttons = [MouseButton::Left, MouseButton::Right, MouseButton::Middle];
    let name = value::one_of(
        ctx,
        "mouse button",
        value,
        &buttons.map(MouseButton::as_str),
    )?;
    buttons.into_iter().find(|b| b.as_str() == name)
}

fn fill(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Action> {
    let example = "`fill = { label = \"Email\", value = \"qa@example.com\" }`";
    let (fields, unknown) = locator::table_with(ctx, "fill", value, &["value"], example)?;
    let target = locator::required(ctx, "fill", &fields, true, unknown);
    let text = match fields.get("value") {
        Some(v) => value::template(ctx, "value", v),
        None => {
            let help = if fields.present(&locator::KINDS).len() > 1 && fields.has("text") {
                "`text` finds an element by its text; the text to type goes in `value = \"…\"`"
            } else {
                "add `value = \"…\"`, the text to type into the field"
            };
            ctx.error(fields.span.clone(), "`fill` is missing `value`")
                .label("no `value`")
                .help(help);
            None
        }
    };
    Some(Action::Fill {
        target: target?,
        value: text?,
    })
}

fn select(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Action> {
    let example = "`select = { label = \"Country\", option = \"France\" }`";
    let (fields, unknown) =
        locator::table_with(ctx, "select", value, &["option", "options"], example)?;
    let target = locator::required(ctx, "select", &fields, true, unknown);
    let choice = fields.present(&["option", "options"]);
    let options = if fields::at_most_one(
        ctx,
        &choice,
        "second choice",
        "use `option = \"…\"` for one option or `options = [\"…\", \"…\"]` for several",
    ) {
        None
    } else if let Some(v) = fields.get("option") {
        value::template(ctx, "option", v).map(|t| vec![t])
    } else if let Some(v) = fields.get("options") {
        options(ctx, v)
    } else {
        ctx.error(fields.span.clone(), "`select` is missing `option`")
            .label("no `option`")
            .help("add `option = \"…\"` (the option's value or visible label), or `options = [\"…\", \"…\"]` for a multi-select");
        None
    };
    Some(Action::Select {
        target: target?,
        options: options?,
    })
}

fn options(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Vec<crate::Template>> {
    let items = value::array(ctx, "options", value)?;
    if items.is_empty() {
        ctx.error(value.span(), "`options` is empty")
            .label("no options")
            .help("list the options to select, e.g. [\"red\", \"blue\"]");
        return None;
    }
    let templates: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(i, item)| value::template(ctx, &format!("options[{i}]"), item))
        .collect();
    templates.into_iter().collect()
}

fn screenshot(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Action> {
    if let DeValue::String(_) = value.get_ref() {
        return Some(Action::Screenshot {
            name: screenshot_name(ctx, value)?,
            full_page: false,
        });
    }
    let DeValue::Table(table) = value.get_ref() else {
        value::wrong_type(ctx, "screenshot", value, "a name or a table").help(
            "write `screenshot = \"cart\"` or `screenshot = { name = \"cart\", full_page = true }`",
        );
        return None;
    };
    let known = ["name", "full_page"];
    let (fields, unknown) = Fields::pick(table, value.span(), &known);
    for key in &unknown {
        fields::unknown_key(ctx, key, "in `screenshot`", &known);
    }
    let name = match fields.get("name") {
        Some(v) => screenshot_name(ctx, v),
        None => {
            ctx.error(value.span(), "`screenshot` is missing `name`")
                .label("no `name`")
                .help("add `name = \"…\"`; it becomes the image's file name");
            None
        }
    };
    let full_page = match fields.get("full_page") {
        Some(v) => value::boolean(ctx, "full_page", v),
        None => Some(false),
    };
    Some(Action::Screenshot {
        name: name?,
        full_page: full_page?,
    })
}

fn screenshot_name(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<String> {
    let name = value::non_empty(ctx, "screenshot name", value)?;
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
    if let Some(bad) = name.chars().find(|c| !valid(*c)) {
        let stem = [".png", ".jpg", ".jpeg"]
            .iter()
            .find_map(|ext| name.strip_suffix(ext))
            .unwrap_or(name);
        let fixed: String = stem
            .chars()
            .map(|c| if valid(c) { c } else { '-' })
            .collect();
        let label = if bad.is_whitespace() {
            "spaces are not allowed".to_string()
        } else {
            format!("`{bad}` is not allowed")
        };
        ctx.error(value.span(), format!("invalid screenshot name `{name}`"))
            .label(label)
            .help(format!(
                "use letters, digits, `_` and `-` (gate adds `.png`), e.g. `{fixed}`"
            ));
        return None;
    }
    Some(name.to_string())
}
