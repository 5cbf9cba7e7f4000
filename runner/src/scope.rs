//! Variable values during one scenario attempt, and redaction of secrets from everything the run
//! writes.

use std::collections::{BTreeMap, HashMap};

use gate_scenarios::template::{Unresolved, Vars, render_json};
use gate_scenarios::{Scenario, Template};

use crate::config::RunConfig;
use crate::error::StepError;

/// Lookup order: captures, command-line/env values, `[vars]`, built-ins.
pub struct Scope<'a> {
    config: &'a RunConfig,
    builtins: HashMap<&'static str, String>,
    vars: HashMap<String, String>,
    captures: HashMap<String, String>,
}

impl<'a> Scope<'a> {
    /// Renders the scenario's `[vars]` in order (later ones may use earlier ones).
    pub fn new(
        config: &'a RunConfig,
        scenario: &Scenario,
        unique: String,
    ) -> Result<Scope<'a>, StepError> {
        let builtins = HashMap::from([
            ("base_url", config.base_url.clone()),
            ("scenario", scenario.name.clone()),
            ("unique", unique),
            ("run_id", config.run_id.clone()),
        ]);
        let mut scope = Scope {
            config,
            builtins,
            vars: HashMap::new(),
            captures: HashMap::new(),
        };
        for (name, template) in &scenario.vars {
            let value = scope.render(template)?;
            scope.vars.insert(name.clone(), value);
        }
        Ok(scope)
    }

    pub fn render(&self, template: &Template) -> Result<String, StepError> {
        template.render(self).map_err(unresolved)
    }

    pub fn render_json(&self, value: &serde_json::Value) -> Result<serde_json::Value, StepError> {
        render_json(value, self).map_err(unresolved)
    }

    pub fn capture(&mut self, name: &str, value: String) {
        self.captures.insert(name.to_string(), value);
    }
}

fn unresolved(err: Unresolved) -> StepError {
    StepError::setup(format!(
        "{err}: pass it with --var or set it in the environment"
    ))
}

impl Vars for Scope<'_> {
    fn var(&self, name: &str) -> Option<String> {
        self.captures
            .get(name)
            .or_else(|| self.config.vars.get(name))
            .or_else(|| self.vars.get(name))
            .or_else(|| self.builtins.get(name))
            .cloned()
    }

    fn secret(&self, name: &str) -> Option<String> {
        self.config.secrets.get(name).cloned()
    }
}

/// Replaces every secret value with `***`.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Non-empty, without repeats.
    values: Vec<String>,
}

impl Redactor {
    pub fn new(secrets: &BTreeMap<String, String>) -> Redactor {
        let mut values: Vec<String> = secrets
            .values()
            .filter(|v| !v.is_empty())
            .cloned()
            .collect();
        values.sort();
        values.dedup();
        Redactor { values }
    }

    /// `text` with every byte that belongs to an occurrence of a secret replaced, each run of
    /// such bytes by one `***`. Occurrences are found in `text` as given, overlapping ones too:
    /// replacing one occurrence at a time would leave the part of a secret that overlaps
    /// another occurrence (`abab` in `ababab` would show `***ab`).
    pub fn redact(&self, text: &str) -> String {
        let mut covered: Vec<std::ops::Range<usize>> = Vec::new();
        for secret in &self.values {
            let mut from = 0;
            while let Some(at) = text[from..].find(secret.as_str()) {
                let start = from + at;
                covered.push(start..start + secret.len());
                // The next occurrence may start inside this one: go on from the next character.
                from = start + text[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
        if covered.is_empty() {
            return text.to_string();
        }
        covered.sort_by_key(|r| r.start);
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut runs = covered.into_iter().peekable();
        while let Some(mut run) = runs.next() {
            while let Some(next) = runs.next_if(|next| next.start < run.end) {
                run.end = run.end.max(next.end);
            }
            out.push_str(&text[copied..run.start]);
            out.push_str("***");
            copied = run.end;
        }
        out.push_str(&text[copied..]);
        out
    }

    pub fn redact_opt(&self, text: Option<String>) -> Option<String> {
        text.map(|t| self.redact(&t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_overlapping_occurrences_whole() {
        let secrets = BTreeMap::from([
            ("A".to_string(), "abc".to_string()),
            ("B".to_string(), "cde".to_string()),
            ("C".to_string(), "abab".to_string()),
        ]);
        let r = Redactor::new(&secrets);
        // Two secrets overlapping, and one overlapping itself: nothing of either may show.
        assert_eq!(r.redact("x abcde y"), "x *** y");
        assert_eq!(r.redact("ababab!"), "***!");
        assert_eq!(r.redact("abc cde"), "*** ***");
        assert_eq!(r.redact("é abc é"), "é *** é");
    }

    /// Found by the `redaction` fuzz target (fuzz/regressions/redaction/): a secret of eight
    /// U+FFFD after thirteen of them in the text showed five of them.
    #[test]
    fn redacts_a_secret_repeated_in_a_longer_run() {
        let secret = "\u{fffd}".repeat(8);
        let secrets = BTreeMap::from([("A".to_string(), secret)]);
        let text = format!("0.1{}\u{1}27", "\u{fffd}".repeat(13));
        assert_eq!(Redactor::new(&secrets).redact(&text), "0.1***\u{1}27");
    }

    #[test]
    fn redacts_a_secret_inside_another_whole() {
        let secrets = BTreeMap::from([
            ("A".to_string(), "pass".to_string()),
            ("B".to_string(), "password1".to_string()),
        ]);
        let r = Redactor::new(&secrets);
        assert_eq!(r.redact("password1 and pass"), "*** and ***");
        assert_eq!(r.redact("nothing here"), "nothing here");
    }
}
