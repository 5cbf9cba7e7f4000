//! `[publish]`: where verdicts are posted as commit statuses, and the environment variable
//! that holds the API token.

use super::PublishConfig;
use super::defaults::{GITHUB_API, STATUS_CONTEXT};
use super::read::{Reader, Value};
use super::rules;

const KEYS: [&str; 4] = ["api-url", "repository", "token-env", "context"];
const PLACE: &str = "[publish]";

pub(super) fn read(r: &mut Reader<'_>, value: &Value<'_>) -> Option<PublishConfig> {
    let table = r.table("`publish`", value)?;
    let (mut api_url, mut repository, mut token, mut context) = (None, None, None, None);
    let mut complete = true;
    let mut explained = Vec::new();
    for (key, value) in table {
        let what = format!("`{}` in `{PLACE}`", key.get_ref());
        complete &= match key.get_ref().as_ref() {
            "api-url" => {
                api_url = r.checked(&what, value, rules::http_url);
                api_url.is_some()
            }
            "repository" => {
                repository = r.checked(&what, value, rules::repository);
                repository.is_some()
            }
            "token-env" => {
                token = r
                    .checked(&what, value, |s| rules::env_name(s, "GITHUB_TOKEN"))
                    .and_then(|name| r.secret(value, &name, "status API token"));
                token.is_some()
            }
            "context" => {
                context = r.non_empty(&what, value);
                context.is_some()
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
        &["repository", "token-env"],
        &explained,
        "name the repository (repository = \"owner/name\") and the environment variable holding an API token allowed to write commit statuses (token-env = \"GITHUB_TOKEN\")",
    );
    Some(PublishConfig {
        api_url: api_url.unwrap_or_else(|| GITHUB_API.to_string()),
        repository: repository?,
        token: token?,
        context: context.unwrap_or_else(|| STATUS_CONTEXT.to_string()),
    })
    .filter(|_| complete)
}
