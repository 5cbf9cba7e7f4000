//! `[publish]`: where verdicts are posted as commit statuses, and the environment variable
//! that holds the API token.

use gate_toml::{Section, Sink, Value, read};

use super::PublishConfig;
use super::defaults::{GITHUB_API, STATUS_CONTEXT};
use super::rules;
use super::secrets::{Env, STATUS_TOKEN};

const KEYS: [&str; 4] = ["api-url", "repository", "token-env", "context"];

pub(super) fn read(sink: &mut Sink<'_>, env: Env<'_>, value: &Value<'_>) -> Option<PublishConfig> {
    let mut s = Section::open(sink, "[publish]", value, &KEYS)?;
    let api_url = s.checked(sink, "api-url", rules::http_url(GITHUB_API));
    let repository = s.checked(sink, "repository", rules::repository);
    let token = s.read(sink, "token-env", |sink, what, value| {
        STATUS_TOKEN.read(sink, env, what, value)
    });
    let context = s.read(sink, "context", read::non_empty).map(str::to_string);
    s.require(
        sink,
        &["repository", "token-env"],
        "name the repository (repository = \"owner/name\") and the environment variable holding an API token allowed to write commit statuses (token-env = \"GITHUB_TOKEN\")",
    );
    s.finish(|| {
        Some(PublishConfig {
            api_url: api_url.unwrap_or_else(|| GITHUB_API.to_string()),
            repository: repository?,
            token: token?,
            context: context.unwrap_or_else(|| STATUS_CONTEXT.to_string()),
        })
    })
}
