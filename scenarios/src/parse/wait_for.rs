//! `wait_for`: an element reaching a state, the URL matching, or the network going idle.
//! One condition per step.

use std::time::Duration;

use toml::de::DeValue;

use crate::model::{ElementState, TextMatch, WaitFor};

use super::context::Ctx;
use super::fields::Fields;
use super::locator;
use super::value::{self, Key, Value};

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

pub(super) fn wait_for(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<WaitFor> {
    if let DeValue::String(_) = value.get_ref() {
        return Some(WaitFor::Element {
            target: locator::css(ctx, "wait_for", value)?,
            state: ElementState::Visible,
        });
    }
    let example = "`wait_for = { text = \"Saved\" }`, `wait_for = { url_contains = \"/done\" }` \
                   or `wait_for = { network_idle = true }`";
    let extra = ["state", "url", "url_contains", "network_idle", "idle"];
    let (fields, unknown) = locator::table_with(ctx, "wait_for", value, &extra, example)?;
    let groups: Vec<(&str, &Key<'_>)> = WAIT_GROUPS
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
    let name = value::one_of(
        ctx,
        "element state",
        value,
        &states.map(ElementState::as_str),
    )?;
    states.into_iter().find(|s| s.as_str() == name)
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
