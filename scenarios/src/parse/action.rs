//! Step actions other than `press` and `request`: what each action key's value means.

use std::time::Duration;

use toml::de::DeValue;

use crate::model::{Action, ElementState, MouseButton, TextMatch, WaitFor};

use super::context::Ctx;
use super::fields::{self, Fields};
use super::locator;
use super::suggest;
use super::value::{self, Value};
use super::{keyboard, request};

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
        "wait_for" => wait_for(ctx, value).map(Action::WaitFor),
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

/// A table holding locator keys and `extra` keys; unknown keys are reported.
fn locator_table<'t, 'i>(
    ctx: &mut Ctx<'_>,
    what: &str,
    value: &'t Value<'i>,
    extra: &[&str],
    example: &str,
) -> Option<(Fields<'t, 'i>, bool)> {
    let DeValue::Table(table) = value.get_ref() else {
        value::wrong_type(ctx, what, value, "a table").help(format!("write {example}"));
        return None;
    };
    let known: Vec<&str> = locator::KEYS.iter().chain(extra).copied().collect();
    let (fields, unknown) = Fields::pick(table, value.span(), &known);
    for key in &unknown {
        fields::unknown_key(ctx, key, &format!("in `{what}`"), &known);
    }
    Some((fields, !unknown.is_empty()))
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
    let (fields, unknown) = locator_table(ctx, "click", value, &["button", "count"], example)?;
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
    let name = value::string(ctx, "button", value)?;
    if let Some(button) = buttons.into_iter().find(|b| b.as_str() == name) {
        return Some(button);
    }
    let names = buttons.map(MouseButton::as_str);
    one_of_error(ctx, value, "mouse button", name, &names);
    None
}

/// "unknown mouse button `lft`", with did-you-mean or the list of valid values.
fn one_of_error(ctx: &mut Ctx<'_>, value: &Value<'_>, what: &str, found: &str, valid: &[&str]) {
    let help = suggest::did_you_mean(found, valid.iter().copied())
        .unwrap_or_else(|| format!("use {}", suggest::one_of(valid)));
    ctx.error(value.span(), format!("unknown {what} `{found}`"))
        .label(format!("not a valid {what}"))
        .help(help);
}

fn fill(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Action> {
    let example = "`fill = { label = \"Email\", value = \"qa@example.com\" }`";
    let (fields, unknown) = locator_table(ctx, "fill", value, &["value"], example)?;
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
    let (fields, unknown) = locator_table(ctx, "select", value, &["option", "options"], example)?;
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

const WAIT_GROUPS: [(&str, &[&str]); 4] = [
    (
        "element",
        &[
            "selector", "text", "role", "label", "test_id", "name", "exact", "nth", "state",
        ],
    ),
    ("url", &["url"]),
    ("url_contains", &["url_contains"]),
    ("network_idle", &["network_idle", "idle"]),
];

fn wait_for(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<WaitFor> {
    if let DeValue::String(_) = value.get_ref() {
        return Some(WaitFor::Element {
            target: locator::css(ctx, "wait_for", value)?,
            state: ElementState::Visible,
        });
    }
    let example = "`wait_for = { text = \"Saved\" }`, `wait_for = { url_contains = \"/done\" }` \
                   or `wait_for = { network_idle = true }`";
    let extra = ["state", "url", "url_contains", "network_idle", "idle"];
    let (fields, unknown) = locator_table(ctx, "wait_for", value, &extra, example)?;
    let groups: Vec<(&str, &toml::Spanned<toml::de::DeString<'_>>)> = WAIT_GROUPS
        .iter()
        .filter_map(|(group, keys)| fields.present(keys).first().map(|k| (*group, *k)))
        .collect();
    match groups.as_slice() {
        [] if unknown => None,
        [] => {
            ctx.error(value.span(), "`wait_for` does not say what to wait for")
                .label("nothing to wait for")
                .help(format!("write {example}"));
            None
        }
        [(group, _)] => match *group {
            "element" => wait_for_element(ctx, &fields, unknown),
            "url" => fields
                .get("url")
                .and_then(|v| value::non_empty_template(ctx, "url", v))
                .map(|t| WaitFor::Url(TextMatch::Equals(t))),
            "url_contains" => fields
                .get("url_contains")
                .and_then(|v| value::non_empty_template(ctx, "url_contains", v))
                .map(|t| WaitFor::Url(TextMatch::Contains(t))),
            _ => network_idle(ctx, &fields),
        },
        [(_, first), (_, second), ..] => {
            ctx.error(
                second.span(),
                format!(
                    "`wait_for` cannot combine `{}` and `{}`",
                    first.get_ref(),
                    second.get_ref()
                ),
            )
            .label("second condition")
            .help("a step waits for one thing: an element, `url`, `url_contains` or `network_idle`; use one step per condition");
            None
        }
    }
}

fn wait_for_element(ctx: &mut Ctx<'_>, fields: &Fields<'_, '_>, unknown: bool) -> Option<WaitFor> {
    let target = locator::required(ctx, "wait_for", fields, true, unknown);
    let state = match fields.get("state") {
        Some(v) => element_state(ctx, v),
        None => Some(ElementState::Visible),
    };
    Some(WaitFor::Element {
        target: target?,
        state: state?,
    })
}

fn element_state(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<ElementState> {
    let states = [
        ElementState::Attached,
        ElementState::Detached,
        ElementState::Visible,
        ElementState::Hidden,
    ];
    let name = value::string(ctx, "state", value)?;
    if let Some(state) = states.into_iter().find(|s| s.as_str() == name) {
        return Some(state);
    }
    one_of_error(
        ctx,
        value,
        "element state",
        name,
        &states.map(ElementState::as_str),
    );
    None
}

fn network_idle(ctx: &mut Ctx<'_>, fields: &Fields<'_, '_>) -> Option<WaitFor> {
    let Some((key, flag)) = fields.entry("network_idle") else {
        let key = fields.key("idle")?;
        ctx.error(key.span(), "`idle` needs `network_idle = true`")
            .label("waits for nothing")
            .help("write `wait_for = { network_idle = true, idle = \"500ms\" }`");
        return None;
    };
    let idle = match fields.get("idle") {
        Some(v) => value::duration(ctx, "idle", v),
        None => Some(Duration::from_millis(500)),
    };
    match value::boolean(ctx, "network_idle", flag) {
        Some(true) => Some(WaitFor::NetworkIdle { idle: idle? }),
        Some(false) => {
            ctx.error(flag.span(), "`network_idle = false` waits for nothing")
                .label("false")
                .help(format!(
                    "set `{} = true`, or wait for an element or a URL instead",
                    key.get_ref()
                ));
            None
        }
        None => None,
    }
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
