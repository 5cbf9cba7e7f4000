//! Every secret a server holds — the scenarios' secrets, the webhook secret, the status API
//! token, the SMTP password, the Slack webhook URL, the proxy admin tokens — as one
//! [`Redactor`], for text gate did not write itself (a deploy hook's output) before it is
//! logged or stored.

use std::collections::BTreeMap;

use gate_runner::Redactor;

use super::ServerConfig;

impl ServerConfig {
    /// Replaces each of this configuration's secret values with `***`.
    pub fn redactor(&self) -> Redactor {
        let mut secrets: BTreeMap<String, String> = self.secrets.clone();
        let mut add = |name: String, value: &str| {
            secrets.insert(name, value.to_string());
        };
        if let Some(webhook) = &self.webhook {
            add("[webhook] secret".into(), &webhook.secret);
        }
        if let Some(publish) = &self.publish {
            add("[publish] token".into(), &publish.token);
        }
        if let Some(digest) = &self.digest {
            if let Some(password) = digest.email.as_ref().and_then(|e| e.password.as_ref()) {
                add("[digest.email] password".into(), password);
            }
            if let Some(slack) = &digest.slack {
                add("[digest.slack] webhook-url".into(), &slack.webhook_url);
            }
        }
        for service in &self.services {
            if let gate_traffic::RouterConfig::Proxy(proxy) = &service.router {
                add(format!("{} router token", service.name), &proxy.token);
            }
        }
        Redactor::new(&secrets)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_configured_secret_is_redacted() {
        let text = r#"
[webhook]
secret-env = "W"
[publish]
repository = "acme/shop"
token-env = "T"
[digest.email]
host = "127.0.0.1"
username = "gate"
password-env = "P"
from = "gate@example.com"
to = ["team@example.com"]
[digest.slack]
webhook-url-env = "S"
[[services]]
name = "shop"
router = { kind = "proxy", admin-url = "http://127.0.0.1:8471", token-env = "X" }
stable = { version = "v1", url = "http://127.0.0.1:9001" }
hooks = { up = "true" }
"#;
        let env = |name: &str| match name {
            "W" => Some("webhook-secret-1".to_string()),
            "T" => Some("status-token-2".to_string()),
            "P" => Some("smtp-password-3".to_string()),
            "S" => Some("http://127.0.0.1:9/hooks/slack-4".to_string()),
            "X" => Some("proxy-token-5".to_string()),
            _ => None,
        };
        let config =
            crate::config::parse("/tmp/gate.toml", text, &env).unwrap_or_else(|e| panic!("{e}"));
        let line = "webhook-secret-1 status-token-2 smtp-password-3 \
                    http://127.0.0.1:9/hooks/slack-4 proxy-token-5 shop";
        assert_eq!(config.redactor().redact(line), "*** *** *** *** *** shop");
    }
}
