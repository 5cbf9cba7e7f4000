//! Locators: how a step names an element.
//!
//! A string is a CSS selector. A table has exactly one of `selector`, `text`, `role`, `label`,
//! `test_id`, plus `name` (role only), `exact` (text, role, label) and `nth`. Locator keys
//! often share a table with the action's own keys (`click = { text = "Buy", count = 2 }`), so
//! [`from_fields`] reads them out of an already picked table.

use toml::de::DeValue;

use crate::model::{Locator, LocatorKind};

use super::context::Ctx;
use super::fields::{self, Fields};
use super::suggest;
use super::value::{self, Key, Value};

/// Keys that pick the element.
pub(super) const KINDS: [&str; 5] = ["selector", "text", "role", "label", "test_id"];
/// Every key a locator table may have.
pub(super) const KEYS: [&str; 8] = [
    "selector", "text", "role", "label", "test_id", "name", "exact", "nth",
];

pub(super) const KINDS_HELP: &str =
    "add one of `selector`, `text`, `role`, `label` or `test_id` to say which element";

/// WAI-ARIA 1.2 roles (abstract roles excluded).
const ROLES: &[&str] = &[
    "alert",
    "alertdialog",
    "application",
    "article",
    "banner",
    "blockquote",
    "button",
    "caption",
    "cell",
    "checkbox",
    "code",
    "columnheader",
    "combobox",
    "complementary",
    "contentinfo",
    "definition",
    "deletion",
    "dialog",
    "directory",
    "document",
    "emphasis",
    "feed",
    "figure",
    "form",
    "generic",
    "grid",
    "gridcell",
    "group",
    "heading",
    "img",
    "insertion",
    "link",
    "list",
    "listbox",
    "listitem",
    "log",
    "main",
    "marquee",
    "math",
    "menu",
    "menubar",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "meter",
    "navigation",
    "none",
    "note",
    "option",
    "paragraph",
    "presentation",
    "progressbar",
    "radio",
    "radiogroup",
    "region",
    "row",
    "rowgroup",
    "rowheader",
    "scrollbar",
    "search",
    "searchbox",
    "separator",
    "slider",
    "spinbutton",
    "status",
    "strong",
    "subscript",
    "superscript",
    "switch",
    "tab",
    "table",
    "tablist",
    "tabpanel",
    "term",
    "textbox",
    "time",
    "timer",
    "toolbar",
    "tooltip",
    "tree",
    "treegrid",
    "treeitem",
];

/// What a table said about its element.
pub(super) enum Found {
    /// No locator keys at all.
    Absent,
    /// Locator keys with problems (already reported).
    Invalid,
    Locator(Locator),
}

/// A locator on its own: `check = "#terms"` or `check = { label = "I agree" }`. `what` is
/// the key it is the value of.
pub(super) fn locator(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<Locator> {
    match value.get_ref() {
        DeValue::String(_) => css(ctx, what, value),
        DeValue::Table(table) => {
            let (fields, unknown) = Fields::pick(table, value.span(), &KEYS);
            for key in &unknown {
                fields::unknown_key(ctx, key, &format!("in `{what}`"), &KEYS);
            }
            required(ctx, what, &fields, true, !unknown.is_empty())
        }
        _ => {
            value::wrong_type(ctx, what, value, "a CSS selector or a locator table").help(format!(
                "write `{what} = \"#id\"` or `{what} = {{ text = \"…\" }}`"
            ));
            None
        }
    }
}

/// An action's table: locator keys plus the action's `extra` keys; unknown keys are reported.
/// Returns the fields and whether there were unknown keys. `example` is shown when `value` is
/// not a table.
pub(super) fn table_with<'t, 'i>(
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
    let known: Vec<&str> = KEYS.iter().chain(extra).copied().collect();
    let (fields, unknown) = Fields::pick(table, value.span(), &known);
    for key in &unknown {
        fields::unknown_key(ctx, key, &format!("in `{what}`"), &known);
    }
    Some((fields, !unknown.is_empty()))
}

/// A CSS selector written as a plain string.
pub(super) fn css(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<Locator> {
    let selector = value::non_empty_template(ctx, what, value)?;
    Some(Locator {
        kind: LocatorKind::Css(selector),
        nth: None,
    })
}

/// Locator keys of a table that must name an element (`click = { … }`). A missing locator
/// is not reported when the table had unknown keys: the misspelled key is the likely cause.
pub(super) fn required(
    ctx: &mut Ctx<'_>,
    what: &str,
    fields: &Fields<'_, '_>,
    text_is_locator: bool,
    had_unknown_keys: bool,
) -> Option<Locator> {
    match from_fields(ctx, fields, text_is_locator) {
        Found::Locator(locator) => Some(locator),
        Found::Invalid => None,
        Found::Absent if had_unknown_keys => None,
        Found::Absent => {
            ctx.error(
                fields.span.clone(),
                format!("`{what}` does not say which element"),
            )
            .label("no locator")
            .help(KINDS_HELP);
            None
        }
    }
}

/// Reads the locator keys of a table. With `text_is_locator` false, `text` is left to the
/// caller (in `expect`, `text` next to another locator is the expected text).
pub(super) fn from_fields(
    ctx: &mut Ctx<'_>,
    fields: &Fields<'_, '_>,
    text_is_locator: bool,
) -> Found {
    let kinds: Vec<&str> = KINDS
        .into_iter()
        .filter(|k| text_is_locator || *k != "text")
        .collect();
    let present = fields.present(&kinds);
    let Some(first) = present.first() else {
        if let Some(modifier) = fields.present(&["name", "exact", "nth"]).first() {
            ctx.error(
                modifier.span(),
                format!("`{}` needs an element to apply to", modifier.get_ref()),
            )
            .label("no locator")
            .help(KINDS_HELP);
            return Found::Invalid;
        }
        return Found::Absent;
    };
    let errors = ctx.error_count();
    if let [first, second, ..] = present.as_slice() {
        ctx.error(
            second.span(),
            format!(
                "two locators: `{}` and `{}`",
                first.get_ref(),
                second.get_ref()
            ),
        )
        .label("second locator")
        .help(
            "an element is found by exactly one of `selector`, `text`, `role`, `label` or \
             `test_id`; keep one (use `nth` to pick among several matches)",
        );
    }
    let kind = first.get_ref().as_ref();
    let exact = exact(ctx, fields, kind);
    let name = name(ctx, fields, kind);
    let nth = fields
        .get("nth")
        .and_then(|v| value::integer(ctx, "nth", v, 0, i64::from(u32::MAX)))
        .and_then(|n| usize::try_from(n).ok());
    let kind = kind_value(ctx, first, fields, exact, name);
    match kind {
        Some(kind) if ctx.error_count() == errors => Found::Locator(Locator { kind, nth }),
        _ => Found::Invalid,
    }
}

fn kind_value(
    ctx: &mut Ctx<'_>,
    key: &Key<'_>,
    fields: &Fields<'_, '_>,
    exact: bool,
    name: Option<crate::Template>,
) -> Option<LocatorKind> {
    let what = key.get_ref().as_ref();
    let value = fields.get(what)?;
    if what == "role" {
        let role = role(ctx, value)?;
        return Some(LocatorKind::Role { role, name, exact });
    }
    let text = value::non_empty_template(ctx, what, value)?;
    Some(match what {
        "selector" => LocatorKind::Css(text),
        "text" => LocatorKind::Text { text, exact },
        "label" => LocatorKind::Label { text, exact },
        _ => LocatorKind::TestId(text),
    })
}

fn exact(ctx: &mut Ctx<'_>, fields: &Fields<'_, '_>, kind: &str) -> bool {
    let Some((key, value)) = fields.entry("exact") else {
        return false;
    };
    let exact = value::boolean(ctx, "exact", value).unwrap_or(false);
    if !matches!(kind, "text" | "role" | "label") {
        ctx.error(
            key.span(),
            format!("`exact` does not apply to `{kind}` locators"),
        )
        .label("only for `text`, `role` and `label`")
        .help(format!("`{kind}` always matches exactly; remove `exact`"));
    }
    exact
}

fn name(ctx: &mut Ctx<'_>, fields: &Fields<'_, '_>, kind: &str) -> Option<crate::Template> {
    let (key, value) = fields.entry("name")?;
    let name = value::non_empty_template(ctx, "name", value);
    if kind != "role" {
        ctx.error(key.span(), "`name` only applies to `role` locators")
            .label(format!("used with `{kind}`"))
            .help(
                "`name` is the accessible name of a role: `role = \"button\", name = \"Buy\"`; \
                 to find an element by its text, use `text = \"…\"`",
            );
    }
    name
}

fn role(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<String> {
    let role = value::non_empty(ctx, "role", value)?;
    if ROLES.contains(&role) {
        return Some(role.to_string());
    }
    let help = suggest::did_you_mean(role, ROLES.iter().copied()).unwrap_or_else(|| {
        "use an ARIA role such as `button`, `link`, `textbox`, `checkbox`, `heading` or \
         `dialog` (https://www.w3.org/TR/wai-aria-1.2/#role_definitions)"
            .to_string()
    });
    ctx.error(value.span(), format!("unknown ARIA role `{role}`"))
        .label("not a role")
        .help(help);
    None
}

#[cfg(test)]
mod tests {
    use toml::de::DeTable;

    use super::*;

    fn parse(text: &str) -> (Option<Locator>, Vec<String>) {
        let (table, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty(), "{errors:?}");
        let mut ctx = Ctx::new("f", text);
        let value = table.get_ref().get("l").expect("key l");
        let locator = locator(&mut ctx, "click", value);
        let messages = ctx
            .sink
            .into_diagnostics()
            .into_iter()
            .map(|d| d.message)
            .collect();
        (locator, messages)
    }

    #[test]
    fn strings_are_css() {
        let (l, m) = parse("l = \"#buy\"");
        assert!(m.is_empty());
        assert_eq!(l.map(|l| l.to_string()), Some("#buy".into()));
    }

    #[test]
    fn tables_have_one_kind() {
        let (l, m) = parse("l = { role = \"button\", name = \"Buy\", exact = true, nth = 1 }");
        assert!(m.is_empty(), "{m:?}");
        let l = l.expect("locator");
        assert_eq!(l.nth, Some(1));
        assert!(matches!(l.kind, LocatorKind::Role { exact: true, .. }));
        assert_eq!(l.to_string(), "role=button[name=\"Buy\"] >> nth=1");

        let (l, m) = parse("l = { text = \"Buy\", selector = \"#b\" }");
        assert!(l.is_none());
        assert_eq!(m, ["two locators: `text` and `selector`"]);
    }

    #[test]
    fn rejects_bad_modifiers_and_roles() {
        let (_, m) = parse("l = { text = \"Buy\", name = \"x\" }");
        assert_eq!(m, ["`name` only applies to `role` locators"]);
        let (_, m) = parse("l = { selector = \"#b\", exact = true }");
        assert_eq!(m, ["`exact` does not apply to `selector` locators"]);
        let (_, m) = parse("l = { nth = 2 }");
        assert_eq!(m, ["`nth` needs an element to apply to"]);
        let (_, m) = parse("l = { role = \"buton\" }");
        assert_eq!(m, ["unknown ARIA role `buton`"]);
        let (_, m) = parse("l = { }");
        assert_eq!(m, ["`click` does not say which element"]);
        let (_, m) = parse("l = { txt = \"Buy\" }");
        assert_eq!(m, ["unknown key `txt` in `click`"]);
        let (_, m) = parse("l = 3");
        assert_eq!(
            m,
            ["`click` must be a CSS selector or a locator table, found an integer"]
        );
    }
}
