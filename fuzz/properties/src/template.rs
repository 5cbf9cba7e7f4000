//! `{{…}}` placeholders: arbitrary text through [`Template::parse`]. A template shows as
//! written (secrets stay placeholders), renders to its parts with every value in place, names
//! the placeholder that has no value, and reads back the same from its canonical spelling. A
//! refusal points inside the text, at a `{{`, on character boundaries (the scenario
//! diagnostics take their spans from it).

use gate_scenarios::template::{Part, Template, Vars};

/// Answers every variable and secret with a value that names it.
struct Named;

impl Vars for Named {
    fn var(&self, name: &str) -> Option<String> {
        Some(format!("<var {name}>"))
    }
    fn secret(&self, name: &str) -> Option<String> {
        Some(format!("<secret {name}>"))
    }
}

/// Has no value for anything.
struct Empty;

impl Vars for Empty {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
    fn secret(&self, _: &str) -> Option<String> {
        None
    }
}

pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let template = match Template::parse(&text) {
        Ok(template) => template,
        Err(err) => {
            assert!(!err.message.trim().is_empty(), "an error with no message");
            assert!(
                err.start <= err.end && err.end <= text.len(),
                "error span {}..{} is not inside the {} bytes of {text:?}",
                err.start,
                err.end,
                text.len()
            );
            assert!(
                text.is_char_boundary(err.start) && text.is_char_boundary(err.end),
                "error span {}..{} cuts a character of {text:?}",
                err.start,
                err.end
            );
            assert!(
                text[err.start..].starts_with("{{"),
                "the error does not point at a `{{{{`: {err:?} in {text:?}"
            );
            return;
        }
    };
    assert_eq!(template.source(), text, "the source is not the text parsed");
    assert_eq!(
        template.to_string(),
        text,
        "the template does not show as written"
    );

    let mut expected = String::new();
    let mut canonical = String::new();
    for part in template.parts() {
        match part {
            Part::Literal(literal) => {
                assert!(!literal.is_empty(), "an empty literal part in {text:?}");
                assert!(
                    !literal.contains("{{"),
                    "a literal holds a placeholder: {literal:?} in {text:?}"
                );
                expected.push_str(literal);
                canonical.push_str(literal);
            }
            Part::Var(name) => {
                check_name(name, &text);
                expected.push_str(&format!("<var {name}>"));
                canonical.push_str(&format!("{{{{{name}}}}}"));
            }
            Part::Secret(name) => {
                check_name(name, &text);
                expected.push_str(&format!("<secret {name}>"));
                canonical.push_str(&format!("{{{{secret.{name}}}}}"));
            }
        }
    }
    let rendered = template
        .render(&Named)
        .expect("every placeholder has a value");
    assert_eq!(rendered, expected, "rendering is not the parts in order");

    let placeholders = template.parts().iter().find_map(|part| match part {
        Part::Literal(_) => None,
        Part::Var(name) => Some(name.clone()),
        Part::Secret(name) => Some(format!("secret.{name}")),
    });
    match (template.render(&Empty), placeholders) {
        (Ok(rendered), None) => assert_eq!(rendered, text, "a literal template changed"),
        (Ok(rendered), Some(first)) => panic!("`{{{{{first}}}}}` had no value: {rendered:?}"),
        (Err(unresolved), Some(first)) => assert_eq!(unresolved.placeholder, first),
        (Err(unresolved), None) => panic!("a literal template needed {unresolved}"),
    }

    let again = Template::parse(&canonical).expect("the canonical spelling parses");
    assert_eq!(
        again.parts(),
        template.parts(),
        "{canonical:?} does not read back as {text:?}"
    );
}

/// A placeholder's name as the parser promises it: trimmed, non-empty, `[A-Za-z0-9_.-]`.
fn check_name(name: &str, text: &str) {
    assert!(
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')),
        "placeholder name {name:?} in {text:?}"
    );
}
