//! `gate.toml`: the server's configuration. kebab-case keys, human durations, unknown keys and
//! bad values rejected with `file:line:col`; then `GATE_*` environment overrides. Defaults live
//! in [`Raw`]'s `Default`, nowhere else.

use std::path::{Path, PathBuf};
use std::time::Duration;

use gate_scenarios::{Diagnostic, Severity};
use serde::Deserialize;

use crate::auth::Scope;

/// The parsed configuration, with defaults applied and environment overrides merged.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on, e.g. `127.0.0.1:8470`.
    pub listen: String,
    /// `sqlite://gate.db` or `postgres://user@host/db`.
    pub database_url: String,
    /// Base of links in statuses and pages, e.g. `https://gate.example.com`.
    pub public_url: String,
    /// Scenario files or directories.
    pub scenarios: Vec<PathBuf>,
    /// Used when a submission or webhook gives no base URL.
    pub default_base_url: Option<String>,
    /// Browsers of the embedded pool; 0 = agents only.
    pub workers: usize,
    pub browser: Option<PathBuf>,
    pub browser_args: Vec<String>,
    pub step_timeout: Duration,
    pub scenario_timeout: Duration,
    /// How long a lease lasts without a heartbeat.
    pub lease: Duration,
    /// How many times a job is handed out before it ends as `error`.
    pub max_leases: u32,
    pub tokens: Vec<TokenConfig>,
    pub webhook: Option<WebhookConfig>,
    pub publish: Option<PublishConfig>,
    /// Largest accepted request body (bytes), except agent results.
    pub max_body: usize,
    pub request_timeout: Duration,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TokenConfig {
    pub name: String,
    /// `sha256:<hex>` of the token (`gate token` prints it).
    pub hash: String,
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// The shared secret GitHub signs deliveries with (read from `secret-env`).
    pub secret: String,
    /// Base URL of a commit's staging build: `{pr}`, `{sha}`, `{branch}` are replaced.
    pub base_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PublishConfig {
    pub api_url: String,
    /// `owner/name`.
    pub repository: String,
    /// The API token (read from `token-env`).
    pub token: String,
    pub context: String,
}

/// A configuration problem, rendered like the scenario diagnostics.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct Raw {
    listen: String,
    database_url: String,
    public_url: Option<String>,
    scenarios: Vec<PathBuf>,
    default_base_url: Option<String>,
    workers: Option<usize>,
    browser: Option<PathBuf>,
    browser_args: Vec<String>,
    step_timeout: HumanDuration,
    scenario_timeout: HumanDuration,
    lease: HumanDuration,
    max_leases: u32,
    tokens: Vec<TokenConfig>,
    webhook: Option<RawWebhook>,
    publish: Option<RawPublish>,
    max_body: usize,
    request_timeout: HumanDuration,
}

impl Default for Raw {
    fn default() -> Raw {
        Raw {
            listen: "127.0.0.1:8470".into(),
            database_url: "sqlite://gate.db".into(),
            public_url: None,
            scenarios: vec![PathBuf::from("scenarios")],
            default_base_url: None,
            workers: None,
            browser: None,
            browser_args: Vec::new(),
            step_timeout: HumanDuration(Duration::from_secs(5)),
            scenario_timeout: HumanDuration(Duration::from_secs(120)),
            lease: HumanDuration(Duration::from_secs(60)),
            max_leases: 3,
            tokens: Vec::new(),
            webhook: None,
            publish: None,
            max_body: 1024 * 1024,
            request_timeout: HumanDuration(Duration::from_secs(30)),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawWebhook {
    secret_env: String,
    base_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPublish {
    #[serde(default = "github_api")]
    api_url: String,
    repository: String,
    token_env: String,
    #[serde(default = "default_context")]
    context: String,
}

fn github_api() -> String {
    "https://api.github.com".into()
}

fn default_context() -> String {
    "gate/scenarios".into()
}

/// `"90s"`, `"5m"`, `"500ms"`.
#[derive(Debug, Clone, Copy)]
struct HumanDuration(Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text)
            .map(HumanDuration)
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "`{text}` is not a duration ({e}); write e.g. \"500ms\", \"90s\" or \"5m\""
                ))
            })
    }
}

/// Reads `path` and the environment.
pub fn load(path: &Path) -> Result<ServerConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError(format!(
            "error: cannot read {}: {e}\n  = help: create one with `gate init`",
            path.display()
        ))
    })?;
    let mut config = parse(&path.display().to_string(), &text, &|name| {
        std::env::var(name).ok()
    })?;
    // Relative paths are relative to the file, not to wherever the server was started.
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for s in &mut config.scenarios {
        if s.is_relative() {
            *s = base.join(&*s);
        }
    }
    if let Some(rest) = config.database_url.strip_prefix("sqlite://") {
        if !rest.starts_with('/') && !rest.starts_with(':') {
            config.database_url = format!("sqlite://{}", base.join(rest).display());
        }
    }
    Ok(config)
}

/// Parses a configuration text (`file` names it in messages) with `env` for overrides.
pub fn parse(
    file: &str,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ServerConfig, ConfigError> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let diagnostic = Diagnostic {
            severity: Severity::Error,
            message: format!("invalid configuration: {}", e.message()),
            path: file.to_string(),
            span: e.span(),
            label: None,
            help: Some("see the commented example that `gate init` writes".into()),
        };
        ConfigError(diagnostic.render(text, false))
    })?;
    let env_error =
        |name: &str, what: &str| ConfigError(format!("error: environment variable {name}: {what}"));
    let mut listen = raw.listen;
    if let Some(v) = env("GATE_LISTEN") {
        listen = v;
    }
    let mut database_url = raw.database_url;
    if let Some(v) = env("GATE_DATABASE_URL") {
        database_url = v;
    }
    let mut workers = raw
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    if let Some(v) = env("GATE_WORKERS") {
        workers = v
            .parse()
            .map_err(|_| env_error("GATE_WORKERS", "expected a number of browsers"))?;
    }
    let mut scenarios = raw.scenarios;
    if let Some(v) = env("GATE_SCENARIOS") {
        scenarios = v
            .split(':')
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
    }
    let default_base_url = env("GATE_DEFAULT_BASE_URL").or(raw.default_base_url);
    let browser = env("GATE_BROWSER").map(PathBuf::from).or(raw.browser);
    let public_url = env("GATE_PUBLIC_URL")
        .or(raw.public_url)
        .unwrap_or_else(|| format!("http://{listen}"));
    for (i, token) in raw.tokens.iter().enumerate() {
        let valid = token
            .hash
            .strip_prefix("sha256:")
            .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        if !valid {
            return Err(ConfigError(format!(
                "error: {file}: tokens[{i}] (`{}`): `hash` must be \"sha256:\" followed by 64 hex digits\n  = help: `gate token --name {} --scopes …` prints a token and its hash",
                token.name, token.name
            )));
        }
    }
    let webhook = match raw.webhook {
        None => None,
        Some(w) => Some(WebhookConfig {
            secret: env(&w.secret_env)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    ConfigError(format!(
                        "error: {file}: webhook.secret-env names {}, which is not set",
                        w.secret_env
                    ))
                })?,
            base_url: w.base_url,
        }),
    };
    let publish = match raw.publish {
        None => None,
        Some(p) => {
            if p.repository.split('/').filter(|s| !s.is_empty()).count() != 2 {
                return Err(ConfigError(format!(
                    "error: {file}: publish.repository must be \"owner/name\", not `{}`",
                    p.repository
                )));
            }
            Some(PublishConfig {
                token: env(&p.token_env).filter(|s| !s.is_empty()).ok_or_else(|| {
                    ConfigError(format!(
                        "error: {file}: publish.token-env names {}, which is not set",
                        p.token_env
                    ))
                })?,
                api_url: p.api_url.trim_end_matches('/').to_string(),
                repository: p.repository,
                context: p.context,
            })
        }
    };
    Ok(ServerConfig {
        listen,
        database_url,
        public_url: public_url.trim_end_matches('/').to_string(),
        scenarios,
        default_base_url,
        workers,
        browser,
        browser_args: raw.browser_args,
        step_timeout: raw.step_timeout.0,
        scenario_timeout: raw.scenario_timeout.0,
        lease: raw.lease.0,
        max_leases: raw.max_leases.max(1),
        tokens: raw.tokens,
        webhook,
        publish,
        max_body: raw.max_body,
        request_timeout: raw.request_timeout.0,
    })
}

/// The commented starter configuration `gate init` writes.
pub fn init_template() -> &'static str {
    include_str!("init_template.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_starter_file_parses_to_the_defaults() {
        let c = parse("gate.toml", init_template(), &no_env).unwrap();
        assert_eq!(c.listen, "127.0.0.1:8470");
        assert_eq!(c.lease, Duration::from_secs(60));
        assert_eq!(c.public_url, "http://127.0.0.1:8470");
    }

    #[test]
    fn errors_name_the_place_and_environment_overrides_apply() {
        let err = parse(
            "gate.toml",
            "listen = \"127.0.0.1:1\"\nleese = \"60s\"\n",
            &no_env,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("gate.toml:2:1") && err.contains("unknown field `leese`"),
            "{err}"
        );
        let err = parse("gate.toml", "lease = \"soon\"\n", &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("gate.toml:1:9") && err.contains("not a duration"),
            "{err}"
        );
        let err = parse(
            "gate.toml",
            "[[tokens]]\nname = \"ci\"\nhash = \"sha256:00\"\nscopes = [\"read\"]\n",
            &no_env,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("64 hex digits"), "{err}");
        let err = parse(
            "gate.toml",
            "[[tokens]]\nname = \"ci\"\nhash = \"x\"\nscopes = [\"reed\"]\n",
            &no_env,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("gate.toml:4:") && err.contains("reed"),
            "{err}"
        );
        let env = |name: &str| (name == "GATE_WORKERS").then(|| "3".to_string());
        assert_eq!(
            parse("gate.toml", "workers = 1\n", &env).unwrap().workers,
            3
        );
        let bad = |name: &str| (name == "GATE_WORKERS").then(|| "many".to_string());
        assert!(
            parse("gate.toml", "", &bad)
                .unwrap_err()
                .to_string()
                .contains("GATE_WORKERS")
        );
    }
}
