//! `press`: key chords like `"Enter"` or `"Control+A"`, optionally into an element.

use toml::de::DeValue;

use crate::model::Action;

use super::context::{Ctx, Span};
use super::fields::{self, Fields};
use super::locator::{self, Found};
use super::suggest;
use super::value::{self, Value};

const MODIFIERS: [&str; 4] = ["Control", "Shift", "Alt", "Meta"];

const NAMED_KEYS: [&str; 27] = [
    "Enter",
    "Tab",
    "Escape",
    "Backspace",
    "Delete",
    "Space",
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "Insert",
    "F1",
    "F2",
    "F3",
    "F4",
    "F5",
    "F6",
    "F7",
    "F8",
    "F9",
    "F10",
    "F11",
    "F12",
];

/// Names people write for keys, from other tools and keyboards.
const ALIASES: [(&str, &str); 16] = [
    ("ctrl", "Control"),
    ("cmd", "Meta"),
    ("command", "Meta"),
    ("win", "Meta"),
    ("super", "Meta"),
    ("option", "Alt"),
    ("opt", "Alt"),
    ("esc", "Escape"),
    ("return", "Enter"),
    ("del", "Delete"),
    ("up", "ArrowUp"),
    ("down", "ArrowDown"),
    ("left", "ArrowLeft"),
    ("right", "ArrowRight"),
    ("pgup", "PageUp"),
    ("pgdn", "PageDown"),
];

const KEYS_HELP: &str = "use a key name (`Enter`, `Tab`, `Escape`, `ArrowDown`, `F5`, …) or a \
                         single character, with optional modifiers: `Control+A`";

pub(super) fn press(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Action> {
    match value.get_ref() {
        DeValue::Table(table) => {
            let known: Vec<&str> = ["keys"].into_iter().chain(locator::KEYS).collect();
            let (fields, unknown) = Fields::pick(table, value.span(), &known);
            for key in &unknown {
                fields::unknown_key(ctx, key, "in `press`", &known);
            }
            let target = match locator::from_fields(ctx, &fields, true) {
                Found::Locator(l) => Some(Some(l)),
                Found::Absent => Some(None),
                Found::Invalid => None,
            };
            let keys = match fields.get("keys") {
                Some(keys) => chords(ctx, "keys", keys),
                None => {
                    ctx.error(value.span(), "`press` is missing `keys`")
                        .label("no `keys`")
                        .help("add the keys to press: `keys = \"Enter\"` or `keys = [\"Control+A\", \"Backspace\"]`");
                    None
                }
            };
            Some(Action::Press {
                target: target?,
                keys: keys?,
            })
        }
        _ => Some(Action::Press {
            target: None,
            keys: chords(ctx, "press", value)?,
        }),
    }
}

/// One chord (a string) or several (an array of strings).
fn chords(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<Vec<String>> {
    match value.get_ref() {
        DeValue::String(s) => chord(ctx, s, &value.span()).then(|| vec![s.to_string()]),
        DeValue::Array(items) => {
            if items.is_empty() {
                ctx.error(value.span(), format!("`{what}` has no keys"))
                    .label("empty")
                    .help("list at least one key, e.g. [\"Enter\"]");
                return None;
            }
            let mut keys = Some(Vec::new());
            for (i, item) in items.iter().enumerate() {
                let ok = value::string(ctx, &format!("{what}[{i}]"), item)
                    .filter(|s| chord(ctx, s, &item.span()))
                    .map(str::to_string);
                keys = keys.zip(ok).map(|(mut keys, key)| {
                    keys.push(key);
                    keys
                });
            }
            keys
        }
        _ => {
            value::wrong_type(ctx, what, value, "a key or an array of keys")
                .help("write `\"Enter\"` or `[\"Control+A\", \"Backspace\"]`");
            None
        }
    }
}

/// Checks one chord, written as the string at `span`; reports the first bad part.
fn chord(ctx: &mut Ctx<'_>, chord: &str, span: &Span) -> bool {
    if chord.is_empty() {
        ctx.error(span.clone(), "empty key in `press`")
            .label("empty")
            .help(KEYS_HELP);
        return false;
    }
    let (modifiers, key) = split(chord);
    let mut offset = 0;
    for modifier in modifiers {
        if !MODIFIERS.contains(&modifier) {
            let at = ctx.inner_span(span, chord, offset..offset + modifier.len());
            let help = suggestion(modifier, &MODIFIERS).unwrap_or_else(|| {
                "modifiers are `Control`, `Shift`, `Alt` and `Meta`".to_string()
            });
            ctx.error(at, format!("unknown modifier `{modifier}` in `{chord}`"))
                .label("not a modifier")
                .help(help);
            return false;
        }
        offset += modifier.len() + 1;
    }
    if key.is_empty() {
        ctx.error(span.clone(), format!("`{chord}` has no key"))
            .label("missing key")
            .help(KEYS_HELP);
        return false;
    }
    if key.chars().count() == 1 || NAMED_KEYS.contains(&key) {
        return true;
    }
    let at = ctx.inner_span(span, chord, offset..offset + key.len());
    let help = suggestion(key, &NAMED_KEYS)
        .unwrap_or_else(|| format!("{KEYS_HELP}; to type text into a field, use `fill`"));
    ctx.error(at, format!("unknown keyboard key `{key}`"))
        .label("not a key name")
        .help(help);
    false
}

/// Splits `Control+Shift+A` into modifiers and key; `+` itself can be the key (`Shift++`).
fn split(chord: &str) -> (Vec<&str>, &str) {
    if chord == "+" {
        return (Vec::new(), "+");
    }
    if let Some(modifiers) = chord.strip_suffix("++") {
        return (modifiers.split('+').collect(), "+");
    }
    match chord.rsplit_once('+') {
        Some((modifiers, key)) => (modifiers.split('+').collect(), key),
        None => (Vec::new(), chord),
    }
}

fn suggestion(word: &str, valid: &[&str]) -> Option<String> {
    let alias = ALIASES
        .iter()
        .find(|(alias, name)| *alias == word.to_lowercase() && valid.contains(name))
        .map(|(_, name)| *name);
    alias
        .or_else(|| suggest::closest(word, valid.iter().copied()))
        .map(|name| format!("did you mean `{name}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(chord_text: &str) -> Result<(), (String, String)> {
        let text = format!("\"{chord_text}\"");
        let mut ctx = Ctx::new("f", &text);
        if chord(&mut ctx, chord_text, &(0..text.len())) {
            return Ok(());
        }
        let d = &ctx.sink.diagnostics()[0];
        let span = d.span.clone().unwrap_or_default();
        Err((text[span].to_string(), d.help.clone().unwrap_or_default()))
    }

    #[test]
    fn accepts_chords() {
        for ok in [
            "Enter",
            "a",
            "A",
            "+",
            "Shift++",
            "Control+A",
            "Control+Shift+ArrowLeft",
            "F12",
            " ",
            "é",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn points_at_the_bad_part() {
        assert_eq!(
            check("Entr"),
            Err(("Entr".into(), "did you mean `Enter`?".into()))
        );
        assert_eq!(
            check("Ctrl+A"),
            Err(("Ctrl".into(), "did you mean `Control`?".into()))
        );
        assert_eq!(
            check("Control+Esc"),
            Err(("Esc".into(), "did you mean `Escape`?".into()))
        );
        assert_eq!(
            check("Control+enter"),
            Err(("enter".into(), "did you mean `Enter`?".into()))
        );
        let (span, help) = check("hello world").expect_err("text is not a key");
        assert_eq!(span, "hello world");
        assert!(help.ends_with("use `fill`"), "{help}");
        assert!(check("Control+").is_err());
        assert!(check("").is_err());
    }
}
