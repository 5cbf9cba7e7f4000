//! "Did you mean …?": the closest valid name to a misspelled one, and lists of names.
//!
//! One normalisation for every file and every kind of name: case does not matter, and `_` and
//! `-` are the same character. A name that differs from a valid one only that way is always
//! the one meant. How keys are written ([`KeyCase`]) is the file format's choice; when the
//! separator is all that is wrong, the hint says so instead of "did you mean".

/// How a file format writes keys made of several words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCase {
    /// `step-timeout` (`gate.toml`).
    Kebab,
    /// `step_timeout` (scenario files).
    Snake,
}

impl KeyCase {
    /// "kebab-case" or "snake_case".
    pub fn name(self) -> &'static str {
        match self {
            KeyCase::Kebab => "kebab-case",
            KeyCase::Snake => "snake_case",
        }
    }

    /// `key` with its separators written this way.
    pub fn apply(self, key: &str) -> String {
        match self {
            KeyCase::Kebab => key.replace('_', "-"),
            KeyCase::Snake => key.replace('-', "_"),
        }
    }

    /// The help for `word`, a key taken for the valid key `meant`: "keys are written in
    /// kebab-case: `max-leases`" when only the separators are wrong, else "did you mean …?".
    pub fn hint(self, word: &str, meant: &str) -> String {
        if word != meant && self.apply(word) == meant {
            format!("keys are written in {}: `{meant}`", self.name())
        } else {
            format!("did you mean `{meant}`?")
        }
    }
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo. A match
/// that differs only in case, or in `_` for `-`, always wins.
pub fn closest<T: AsRef<str>>(word: &str, candidates: impl IntoIterator<Item = T>) -> Option<T> {
    let word = normal(word);
    let mut best: Option<(f64, T)> = None;
    for candidate in candidates {
        let other = normal(candidate.as_ref());
        if other == word {
            return Some(candidate);
        }
        let edit = strsim::normalized_damerau_levenshtein(&word, &other);
        let jaro = strsim::jaro_winkler(&word, &other);
        if edit < 0.7 && jaro < 0.85 {
            continue;
        }
        let score = edit.max(jaro);
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The one normalisation: lower case, `-` for `_`.
fn normal(name: &str) -> String {
    name.to_lowercase().replace('_', "-")
}

/// "did you mean `click`?", when something is close.
pub fn did_you_mean<T: AsRef<str>>(
    word: &str,
    candidates: impl IntoIterator<Item = T>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{}`?", c.as_ref()))
}

/// "`a`, `b` or `c`".
pub fn one_of<T: AsRef<str>>(names: &[T]) -> String {
    listed(names, "or")
}

/// "`a`, `b` and `c`".
pub fn all_of<T: AsRef<str>>(names: &[T]) -> String {
    listed(names, "and")
}

fn listed<T: AsRef<str>>(names: &[T], conjunction: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.as_ref())).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("{} {conjunction} {last}", rest.join(", "))
        }
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["listen", "lease", "max-leases", "database-url", "workers"];

    #[test]
    fn suggests_close_names_only() {
        let steps = ["goto", "click", "fill", "expect"];
        assert_eq!(closest("clik", steps), Some("click"));
        assert_eq!(closest("Click", steps), Some("click"));
        assert_eq!(closest("expct", steps), Some("expect"));
        assert_eq!(closest("banana", steps), None);
        assert_eq!(closest("steps", ["step", "name"]), Some("step"));
        assert_eq!(closest("Entr", ["Enter", "End", "Tab"]), Some("Enter"));
        assert_eq!(closest("leese", KEYS), Some(&"lease"));
        assert_eq!(closest("worker", KEYS.iter().copied()), Some("workers"));
        let owned = vec!["order_id".to_string()];
        assert_eq!(closest("order-id", &owned), Some(&owned[0]));
    }

    #[test]
    fn underscores_and_dashes_are_the_same_in_every_direction() {
        assert_eq!(closest("database_url", KEYS), Some(&"database-url"));
        assert_eq!(
            closest("step-timeout", ["timeout", "step_timeout"]),
            Some("step_timeout")
        );
        assert_eq!(closest("MAX_LEASES", KEYS), Some(&"max-leases"));
    }

    #[test]
    fn hints_name_the_key_case_when_only_separators_differ() {
        assert_eq!(
            KeyCase::Kebab.hint("max_leases", "max-leases"),
            "keys are written in kebab-case: `max-leases`"
        );
        assert_eq!(
            KeyCase::Snake.hint("step-timeout", "step_timeout"),
            "keys are written in snake_case: `step_timeout`"
        );
        assert_eq!(
            KeyCase::Kebab.hint("leese", "lease"),
            "did you mean `lease`?"
        );
        assert_eq!(KeyCase::Snake.hint("Name", "name"), "did you mean `name`?");
    }

    #[test]
    fn lists_names() {
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(all_of(&["a", "b"]), "`a` and `b`");
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of::<&str>(&[]), "");
    }
}
