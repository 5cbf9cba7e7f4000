//! Secrets in rendered templates: a template rendered with variables and secrets, then passed
//! through the runner's [`Redactor`] (what every report, log and error goes through), shows
//! none of a secret. Every byte of the rendered text that belongs to an occurrence of a secret
//! is gone, even where secrets overlap, and the rest is kept in order; a placeholder without
//! a value is named without showing a value.
//!
//! Input: the template on the first line, then one `NAME=value` line per variable and one
//! `$NAME=value` line per secret.

use std::collections::BTreeMap;

use gate_runner::Redactor;
use gate_scenarios::template::{Template, Vars};

struct Values {
    vars: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
}

impl Vars for Values {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
    fn secret(&self, name: &str) -> Option<String> {
        self.secrets.get(name).cloned()
    }
}

pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let source = lines.next().unwrap_or_default();
    let mut values = Values {
        vars: BTreeMap::new(),
        secrets: BTreeMap::new(),
    };
    for line in lines {
        let (name, value) = line.split_once('=').unwrap_or((line, ""));
        match name.strip_prefix('$') {
            Some(secret) => values.secrets.insert(secret.to_string(), value.to_string()),
            None => values.vars.insert(name.to_string(), value.to_string()),
        };
    }
    let Ok(template) = Template::parse(source) else {
        return;
    };
    let redactor = Redactor::new(&values.secrets);
    let secrets: Vec<&str> = values
        .secrets
        .values()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    let rendered = match template.render(&values) {
        Ok(rendered) => rendered,
        Err(unresolved) => {
            // The message names the placeholder as the template wrote it, and nothing else.
            let name = &unresolved.placeholder;
            assert!(
                source.contains(name.as_str()),
                "{name:?} is not in {source:?}"
            );
            assert_eq!(
                unresolved.to_string(),
                format!("`{{{{{name}}}}}` has no value")
            );
            return;
        }
    };
    let redacted = redactor.redact(&rendered);
    // `***` is what a secret becomes: a secret made of stars cannot be told from it.
    for secret in secrets.iter().filter(|s| !s.contains('*')) {
        assert!(
            !redacted.contains(secret),
            "{redacted:?} still shows the secret {secret:?} (rendered {rendered:?})"
        );
    }
    if !rendered.contains('*') && !secrets.iter().any(|s| s.contains('*')) {
        let kept: String = redacted.chars().filter(|&c| c != '*').collect();
        assert_eq!(
            kept,
            outside_secrets(&rendered, &secrets),
            "redacting {rendered:?} kept part of a secret, or lost text that is none"
        );
    }
}

/// `text` without every byte that lies in an occurrence (overlapping ones too) of a secret.
fn outside_secrets(text: &str, secrets: &[&str]) -> String {
    let mut covered = vec![false; text.len()];
    for secret in secrets {
        let mut from = 0;
        while let Some(at) = text[from..].find(secret) {
            let start = from + at;
            covered[start..start + secret.len()].fill(true);
            // The next occurrence may overlap this one: go on from its next character.
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    text.char_indices()
        .filter(|(i, _)| !covered[*i])
        .map(|(_, c)| c)
        .collect()
}
