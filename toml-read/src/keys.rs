//! Reports about keys rather than values: unknown keys (with "did you mean", the key-case
//! hint or the list of valid keys), missing required keys, keys that exclude each other.

use toml::de::DeTable;

use crate::sink::Sink;
use crate::span::{Key, Span};
use crate::suggest;

/// "unknown key `leese`", with the closest of `valid` or the list of them. `place` ends the
/// message ("in step", "in `[webhook]`"; empty at the top of a file). Returns the key it was
/// taken for: a misspelled key explains why the key it stands for is missing.
pub fn unknown_key<'k>(
    sink: &mut Sink<'_>,
    key: &Key<'_>,
    place: &str,
    valid: &[&'k str],
) -> Option<&'k str> {
    let name = key.get_ref().as_ref();
    let closest = suggest::closest(name, valid.iter().copied());
    let help = match closest {
        Some(meant) => sink.key_case().hint(name, meant),
        None => format!("valid keys here: {}", suggest::one_of(valid)),
    };
    let message = match place {
        "" => format!("unknown key `{name}`"),
        place => format!("unknown key `{name}` {place}"),
    };
    sink.error(key.span(), message)
        .label("unknown key")
        .help(help);
    closest
}

/// "`[webhook]` needs `secret-env`", at `span` (the table's header), for the `required` keys
/// that `table` lacks, except those a misspelled key already `explained`. Returns whether
/// any was missing.
pub fn require(
    sink: &mut Sink<'_>,
    (table, span): (&DeTable<'_>, Span),
    place: &str,
    required: &[&str],
    explained: &[&str],
    help: &str,
) -> bool {
    let missing: Vec<&str> = required
        .iter()
        .filter(|key| !table.contains_key(**key) && !explained.contains(key))
        .copied()
        .collect();
    if missing.is_empty() {
        return required.iter().any(|key| !table.contains_key(*key));
    }
    let keys = suggest::all_of(&missing);
    sink.error(span, format!("`{place}` needs {keys}"))
        .label(format!("{keys} missing"))
        .help(help);
    true
}

/// Reports the second of `keys` (keys that exclude each other, as found in a table) if there
/// is one; returns whether there was.
pub fn at_most_one(sink: &mut Sink<'_>, keys: &[&Key<'_>], label: &str, help: &str) -> bool {
    let [first, second, ..] = keys else {
        return false;
    };
    sink.error(
        second.span(),
        format!(
            "`{}` and `{}` cannot be used together",
            first.get_ref(),
            second.get_ref()
        ),
    )
    .label(label)
    .help(help);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::KeyCase;

    fn first_key<'i>(table: &'i DeTable<'i>) -> &'i Key<'i> {
        table.iter().next().map(|(k, _)| k).expect("a key")
    }

    #[test]
    fn unknown_keys_get_the_best_help() {
        let valid = ["lease", "max-leases", "workers"];
        let cases = [
            ("leese = 1", KeyCase::Kebab, "did you mean `lease`?"),
            (
                "max_leases = 1",
                KeyCase::Kebab,
                "keys are written in kebab-case: `max-leases`",
            ),
            (
                "banana = 1",
                KeyCase::Kebab,
                "valid keys here: `lease`, `max-leases` or `workers`",
            ),
        ];
        for (text, case, help) in cases {
            let (table, _) = DeTable::parse_recoverable(text);
            let mut sink = Sink::new("f", text, case);
            unknown_key(&mut sink, first_key(table.get_ref()), "", &valid);
            let d = &sink.diagnostics()[0];
            assert_eq!(d.help.as_deref(), Some(help), "{text}");
            assert_eq!(d.label.as_deref(), Some("unknown key"));
        }
        let text = "step-timeout = 1";
        let (table, _) = DeTable::parse_recoverable(text);
        let mut sink = Sink::new("f", text, KeyCase::Snake);
        let meant = unknown_key(
            &mut sink,
            first_key(table.get_ref()),
            "in step",
            &["step_timeout"],
        );
        assert_eq!(meant, Some("step_timeout"));
        let d = &sink.diagnostics()[0];
        assert_eq!(d.message, "unknown key `step-timeout` in step");
        assert_eq!(
            d.help.as_deref(),
            Some("keys are written in snake_case: `step_timeout`")
        );
    }

    #[test]
    fn required_keys_not_explained_by_a_typo_are_reported_together() {
        let text = "[publish]\nrepo = 'x'\n";
        let (table, _) = DeTable::parse_recoverable(text);
        let publish = table.get_ref().get("publish").expect("publish");
        let publish = (publish.get_ref().as_table().expect("table"), publish.span());
        let mut sink = Sink::new("f", text, KeyCase::Kebab);
        let required = ["repository", "token-env", "context"];
        assert!(require(
            &mut sink,
            publish.clone(),
            "[publish]",
            &required,
            &["repository"],
            "add them"
        ));
        assert!(!require(
            &mut sink,
            publish,
            "[publish]",
            &["repo"],
            &[],
            "-"
        ));
        let d = &sink.diagnostics()[0];
        assert_eq!(d.message, "`[publish]` needs `token-env` and `context`");
        assert_eq!(
            d.label.as_deref(),
            Some("`token-env` and `context` missing")
        );
        assert_eq!(sink.diagnostics().len(), 1);
    }
}
