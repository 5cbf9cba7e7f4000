//! Secrets stay out of `gate.toml`: the file names the environment variable that holds each
//! one (`secret-env = "GATE_WEBHOOK_SECRET"`), and the secret is read from the server's
//! environment here. Diagnostics name the variable, never show its value.

use gate_toml::{Sink, Value, read};

use super::rules;

/// The environment of `gate serve`, as a lookup (tests pass their own).
pub(super) type Env<'e> = &'e dyn Fn(&str) -> Option<String>;

/// A setting that names the environment variable holding a secret.
pub(super) struct SecretEnv {
    /// A good variable name, shown in the help.
    pub example: &'static str,
    /// What the secret is, in messages: "webhook secret".
    pub purpose: &'static str,
}

pub(super) const WEBHOOK_SECRET: SecretEnv = SecretEnv {
    example: "GATE_WEBHOOK_SECRET",
    purpose: "webhook secret",
};

pub(super) const PROXY_TOKEN: SecretEnv = SecretEnv {
    example: "GATE_PROXY_TOKEN",
    purpose: "proxy admin token",
};

pub(super) const STATUS_TOKEN: SecretEnv = SecretEnv {
    example: "GITHUB_TOKEN",
    purpose: "status API token",
};

pub(super) const SMTP_PASSWORD: SecretEnv = SecretEnv {
    example: "GATE_SMTP_PASSWORD",
    purpose: "SMTP password",
};

pub(super) const SLACK_WEBHOOK: SecretEnv = SecretEnv {
    example: "GATE_SLACK_WEBHOOK_URL",
    purpose: "Slack webhook URL",
};

impl SecretEnv {
    /// The secret in the variable that `value` (`what`) names. A name that is not a
    /// variable name, and a variable that is unset or empty, are errors at the name.
    pub fn read(
        &self,
        sink: &mut Sink<'_>,
        env: Env<'_>,
        what: &str,
        value: &Value<'_>,
    ) -> Option<String> {
        let name = read::checked(sink, what, value, |s| rules::env_name(s, self.example))?;
        match env(&name) {
            Some(secret) if !secret.is_empty() => Some(secret),
            found => {
                let state = if found.is_some() { "empty" } else { "not set" };
                let purpose = self.purpose;
                sink.error(
                    value.span(),
                    format!("the environment variable {name} (the {purpose}) is {state}"),
                )
                .label(format!("{state} in the environment of `gate serve`"))
                .help(format!(
                    "set {name} before starting the server, or remove this section"
                ));
                None
            }
        }
    }
}
