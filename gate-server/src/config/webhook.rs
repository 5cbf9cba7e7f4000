//! `[webhook]`: GitHub deliveries, signed with a secret that an environment variable holds,
//! and the template of a commit's staging URL.

use gate_toml::{Section, Sink, Value};

use super::WebhookConfig;
use super::rules;
use super::secrets::{Env, WEBHOOK_SECRET};

const KEYS: [&str; 2] = ["secret-env", "base-url"];

pub(super) fn read(sink: &mut Sink<'_>, env: Env<'_>, value: &Value<'_>) -> Option<WebhookConfig> {
    let mut s = Section::open(sink, "[webhook]", value, &KEYS)?;
    let secret = s.read(sink, "secret-env", |sink, what, value| {
        WEBHOOK_SECRET.read(sink, env, what, value)
    });
    let base_url = s.checked(sink, "base-url", rules::base_url_template);
    s.require(
        sink,
        &["secret-env"],
        "name the environment variable that holds the secret set on GitHub's webhook page, e.g. secret-env = \"GATE_WEBHOOK_SECRET\"",
    );
    s.finish(|| {
        Some(WebhookConfig {
            secret: secret?,
            base_url,
        })
    })
}
