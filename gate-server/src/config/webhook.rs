//! `[webhook]`: GitHub deliveries, signed with a secret that an environment variable holds,
//! and the template of a commit's staging URL.

use super::WebhookConfig;
use super::read::{Reader, Value};
use super::rules;

const KEYS: [&str; 2] = ["secret-env", "base-url"];
const PLACE: &str = "[webhook]";

pub(super) fn read(r: &mut Reader<'_>, value: &Value<'_>) -> Option<WebhookConfig> {
    let table = r.table("`webhook`", value)?;
    let (mut secret, mut base_url) = (None, None);
    let mut complete = true;
    let mut explained = Vec::new();
    for (key, value) in table {
        let what = format!("`{}` in `{PLACE}`", key.get_ref());
        complete &= match key.get_ref().as_ref() {
            "secret-env" => {
                secret = r
                    .checked(&what, value, |s| rules::env_name(s, "GATE_WEBHOOK_SECRET"))
                    .and_then(|name| r.secret(value, &name, "webhook secret"));
                secret.is_some()
            }
            "base-url" => {
                base_url = r.checked(&what, value, rules::base_url_template);
                base_url.is_some()
            }
            _ => {
                explained.extend(r.unknown_key(key, &format!(" in `{PLACE}`"), &KEYS));
                false
            }
        };
    }
    r.require(
        (table, value.span()),
        PLACE,
        &["secret-env"],
        &explained,
        "name the environment variable that holds the secret set on GitHub's webhook page, e.g. secret-env = \"GATE_WEBHOOK_SECRET\"",
    );
    Some(WebhookConfig {
        secret: secret?,
        base_url,
    })
    .filter(|_| complete)
}
