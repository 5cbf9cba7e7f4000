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
    /// Longest first, so a secret containing another is replaced whole.
    values: Vec<String>,
}

impl Redactor {
    pub fn new(secrets: &BTreeMap<String, String>) -> Redactor {
        let mut values: Vec<String> = secrets
            .values()
            .filter(|v| !v.is_empty())
            .cloned()
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Redactor { values }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.values {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
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
    fn redacts_longest_first() {
        let secrets = BTreeMap::from([
            ("A".to_string(), "pass".to_string()),
            ("B".to_string(), "password1".to_string()),
        ]);
        let r = Redactor::new(&secrets);
        assert_eq!(r.redact("password1 and pass"), "*** and ***");
        assert_eq!(r.redact("nothing here"), "nothing here");
    }
}
