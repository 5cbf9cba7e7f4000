//! "Did you mean …?": the closest valid name to a misspelled one.

/// The candidate closest to `word`, if it is close enough to be a plausible typo. A match
/// that differs only in case, or in `_` for `-`, always wins.
pub(super) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let normal = |s: &str| s.to_lowercase().replace('_', "-");
    let word = normal(word);
    let mut best: Option<(f64, &'a str)> = None;
    for &candidate in candidates {
        let other = normal(candidate);
        if other == word {
            return Some(candidate);
        }
        let edit = strsim::normalized_damerau_levenshtein(&word, &other);
        let jaro = strsim::jaro_winkler(&word, &other);
        if edit < 0.7 && jaro < 0.85 {
            continue;
        }
        let score = edit.max(jaro);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// "did you mean `lease`?" when something is close, else "valid keys here: …" from `valid`.
pub(super) fn help(word: &str, valid: &[&str], kind: &str) -> String {
    match closest(word, valid) {
        Some(c) if c == word.replace('_', "-") => {
            format!("{kind}s are written in kebab-case: `{c}`")
        }
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("valid {kind}s: {}", one_of(valid)),
    }
}

/// "`a`, `b` or `c`".
pub(super) fn one_of(names: &[&str]) -> String {
    listed(names, "or")
}

/// "`a`, `b` and `c`".
pub(super) fn all_of(names: &[&str]) -> String {
    listed(names, "and")
}

fn listed(names: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
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
        assert_eq!(closest("leese", KEYS), Some("lease"));
        assert_eq!(closest("Listen", KEYS), Some("listen"));
        assert_eq!(closest("database_url", KEYS), Some("database-url"));
        assert_eq!(closest("worker", KEYS), Some("workers"));
        assert_eq!(closest("banana", KEYS), None);
    }

    #[test]
    fn helps_with_snake_case_typos_and_unknown_names() {
        assert_eq!(
            help("max_leases", KEYS, "key"),
            "keys are written in kebab-case: `max-leases`"
        );
        assert_eq!(help("leese", KEYS, "key"), "did you mean `lease`?");
        assert_eq!(
            help("zzz", &["a", "b"], "scope"),
            "valid scopes: `a` or `b`"
        );
    }
}
