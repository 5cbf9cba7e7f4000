//! "Did you mean …?": the closest valid name to a misspelled one.

/// The candidate closest to `word`, if it is close enough to be a plausible typo. A match
/// that differs only in case always wins.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let other = candidate.to_lowercase();
        if other == lower {
            return Some(candidate);
        }
        let edit = strsim::normalized_damerau_levenshtein(&lower, &other);
        let jaro = strsim::jaro_winkler(&lower, &other);
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

/// `did you mean `click`?`, when something is close.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// "`a`, `b` or `c`".
pub(crate) fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["goto", "click", "fill", "expect"];
        assert_eq!(closest("clik", keys), Some("click"));
        assert_eq!(closest("Click", keys), Some("click"));
        assert_eq!(closest("expct", keys), Some("expect"));
        assert_eq!(closest("banana", keys), None);
        assert_eq!(closest("steps", ["step", "name"]), Some("step"));
        assert_eq!(closest("Entr", ["Enter", "End", "Tab"]), Some("Enter"));
    }

    #[test]
    fn lists_names() {
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(one_of(&["a"]), "`a`");
    }
}
