//! One `[[step]]` table (or `[session_check]`): at most one action, `expect`, `capture`,
//! `timeout`, `wait_until` and `name`.

use toml::de::DeTable;

use crate::model::{Action, Step, WaitUntil};

use super::action::{self, ACTIONS};
use super::capture;
use super::context::{Ctx, Span};
use super::expect;
use super::fields::Fields;
use super::scenario::TOP_KEYS;
use super::suggest;
use super::value;

/// Keys of a step table.
pub(super) const KEYS: [&str; 17] = [
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
    "expect",
    "capture",
    "timeout",
    "wait_until",
    "name",
];

/// The actions that can start a navigation, so `wait_until` means something on them.
const NAVIGATING: [&str; 6] = ["goto", "click", "check", "uncheck", "press", "select"];

/// Reads the step table written at `span`. `place` names it in messages: "step" or
/// "`session_check`".
pub(super) fn parse(
    ctx: &mut Ctx<'_>,
    index: usize,
    (table, span): (&DeTable<'_>, Span),
    place: &str,
) -> Option<Step> {
    let location = ctx.location(span.start);
    let errors = ctx.error_count();
    let (fields, unknown) = Fields::pick(table, span.clone(), &KEYS);
    for key in &unknown {
        unknown_key(ctx, key, place);
    }

    let actions = fields.present(&ACTIONS);
    if let [first, second, ..] = actions.as_slice() {
        ctx.error(
            second.span(),
            format!(
                "{place} has two actions: `{}` and `{}`",
                first.get_ref(),
                second.get_ref()
            ),
        )
        .label("second action")
        .help(format!(
            "a step does one thing: move `{}` into its own `[[step]]`",
            second.get_ref()
        ));
    }
    let keyword = actions.first().map(|k| k.get_ref().as_ref());
    // Every action is read, so that each reports its own problems.
    let mut parsed = actions.iter().map(|key| {
        let name = key.get_ref().as_ref();
        fields
            .get(name)
            .and_then(|value| action::parse(ctx, name, value))
    });
    let action = parsed.next().unwrap_or(Some(Action::None));
    parsed.for_each(drop);

    let expect = match fields.get("expect") {
        Some(v) => expect::parse(ctx, keyword, v).map(Some),
        None => Some(None),
    };
    let captures = match fields.get("capture") {
        Some(v) => capture::parse(ctx, (index, location.line), keyword, v),
        None => Some(Vec::new()),
    };
    let timeout = match fields.get("timeout") {
        Some(v) => value::duration(ctx, "timeout", v).map(Some),
        None => Some(None),
    };
    let wait_until = match fields.get("wait_until") {
        Some(v) => step_wait_until(ctx, keyword, v).map(Some),
        None => Some(None),
    };
    let name = match fields.get("name") {
        Some(v) => value::non_empty(ctx, "name", v).map(|n| Some(n.to_string())),
        None => Some(None),
    };
    if keyword.is_none() && !fields.has("expect") && !fields.has("capture") && unknown.is_empty() {
        ctx.error(span.clone(), format!("{place} does nothing"))
            .label("no action, `expect` or `capture`")
            .help(
                "add an action such as `goto = \"/\"` or `click = \"#buy\"`, or an `expect` table",
            );
    }
    if ctx.error_count() > errors {
        return None;
    }
    Some(Step {
        index,
        location,
        name: name?,
        action: action?,
        expect: expect?,
        captures: captures?,
        timeout: timeout?,
        wait_until: wait_until?,
    })
}

/// `wait_until = "domcontentloaded"`, on a step whose action can navigate.
fn step_wait_until(
    ctx: &mut Ctx<'_>,
    keyword: Option<&str>,
    value: &value::Value<'_>,
) -> Option<WaitUntil> {
    let wait = wait_until(ctx, value)?;
    if keyword.is_some_and(|k| NAVIGATING.contains(&k)) {
        return Some(wait);
    }
    let step = keyword.map_or("a step without an action".into(), |k| {
        format!("a `{k}` step")
    });
    ctx.error(value.span(), format!("`wait_until` has nothing to wait for in {step}"))
        .label("no navigation")
        .help(format!(
            "`wait_until` is for steps that can load a page: {}; to wait for something on the page, use `wait_for`",
            suggest::one_of(&NAVIGATING)
        ));
    None
}

/// A load state: `"commit"`, `"domcontentloaded"`, `"load"` or `"networkidle"`.
pub(super) fn wait_until(ctx: &mut Ctx<'_>, value: &value::Value<'_>) -> Option<WaitUntil> {
    let name = value::one_of(
        ctx,
        "load state",
        value,
        &WaitUntil::ALL.map(WaitUntil::name),
    )?;
    WaitUntil::from_name(name)
}

/// An unknown step key: a misspelled action reads "unknown step", a scenario setting placed
/// under a step (a TOML classic: keys after `[[step]]` belong to the step) says so.
fn unknown_key(ctx: &mut Ctx<'_>, key: &value::Key<'_>, place: &str) {
    let name = key.get_ref().as_ref();
    let closest = suggest::closest(name, KEYS);
    if closest.is_none() && TOP_KEYS.contains(&name) {
        ctx.error(key.span(), format!("`{name}` is a scenario setting, not a step key"))
            .label(format!("inside {place}"))
            .help("keys after a `[[step]]` header belong to that step; move it above the first `[[step]]`");
        return;
    }
    let label = match closest {
        Some(action) if ACTIONS.contains(&action) => "unknown step",
        _ => "unknown key",
    };
    let help = match closest {
        Some(c) => ctx.sink.key_case().hint(name, c),
        None => format!(
            "a step has one action ({}) and optional `expect`, `capture`, `timeout`, \
             `wait_until` and `name`",
            suggest::one_of(&ACTIONS)
        ),
    };
    ctx.error(key.span(), format!("unknown key `{name}` in {place}"))
        .label(label)
        .help(help);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Expect, Location};

    fn step(text: &str) -> Result<Step, Vec<String>> {
        let (table, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty(), "{errors:?}");
        let mut ctx = Ctx::new("f", text);
        let steps = table.get_ref().get("step").expect("step");
        let first = steps
            .get_ref()
            .as_array()
            .and_then(|a| a.first())
            .expect("a step");
        let table = first.get_ref().as_table().expect("a table");
        parse(&mut ctx, 0, (table, first.span()), "step").ok_or_else(|| {
            ctx.sink
                .into_diagnostics()
                .into_iter()
                .map(|d| d.message)
                .collect()
        })
    }

    #[test]
    fn locates_steps_at_their_header() {
        let s = step("name = \"x\"\n\n[[step]]\ngoto = \"/\"\n").expect("step");
        assert_eq!(s.location, Location { line: 3, column: 1 });
        let s = step("name = \"x\"\nstep = [\n  { goto = \"/\" },\n]\n").expect("step");
        assert_eq!(s.location, Location { line: 3, column: 3 });
    }

    #[test]
    fn one_action_per_step() {
        let e = step("[[step]]\ngoto = \"/\"\nclick = \"#b\"\n").expect_err("two actions");
        assert_eq!(e, ["step has two actions: `goto` and `click`"]);
        let s = step("[[step]]\nexpect = { url_contains = \"/cart\" }\n").expect("step");
        assert_eq!(s.action, Action::None);
        assert!(matches!(s.expect, Some(Expect::Page(_))));
        let e = step("[[step]]\ntimeout = \"1s\"\n").expect_err("nothing");
        assert_eq!(e, ["step does nothing"]);
    }

    #[test]
    fn wait_until_on_steps_that_can_navigate() {
        let s =
            step("[[step]]\nclick = \"#b\"\nwait_until = \"domcontentloaded\"\n").expect("step");
        assert_eq!(s.wait_until, Some(WaitUntil::DomContentLoaded));
        let s = step("[[step]]\ngoto = \"/\"\nwait_until = \"networkidle\"\n").expect("step");
        assert_eq!(s.wait_until, Some(WaitUntil::NetworkIdle));
        let s = step("[[step]]\ngoto = \"/\"\n").expect("step");
        assert_eq!(s.wait_until, None);
        let e = step("[[step]]\nfill = { label = \"A\", value = \"b\" }\nwait_until = \"load\"\n")
            .expect_err("fill");
        assert_eq!(e, ["`wait_until` has nothing to wait for in a `fill` step"]);
        let e = step("[[step]]\ngoto = \"/\"\nwait_until = \"loaded\"\n").expect_err("value");
        assert_eq!(e, ["unknown load state `loaded`"]);
        let e = step("[[step]]\ngoto = \"/\"\nwait_until = true\n").expect_err("type");
        assert_eq!(e, ["`load state` must be a string, found a boolean"]);
    }

    #[test]
    fn expect_kind_follows_the_action() {
        let s = step("[[step]]\nrequest = { url = \"/api\" }\nexpect = { status = [200, 204] }\n")
            .expect("step");
        assert!(matches!(s.expect, Some(Expect::Response(r)) if r.status == [200, 204]));
        let e = step("[[step]]\nclick = \"#b\"\nexpect = { status = 200 }\n").expect_err("page");
        assert_eq!(e, ["`status` is not a page check"]);
    }
}
