//! `gate.toml`: the server's configuration.
//!
//! Three layers, lowest first: the defaults ([`defaults`], the only place they are written),
//! the file, then the `GATE_*` environment variables. The file uses kebab-case keys and human
//! durations (`"90s"`); unknown keys, wrong types and bad values are all reported at once,
//! each with `file:line:col`, what is wrong and what to write instead, rendered like the
//! scenario diagnostics. Secrets (the webhook secret, the status API token) never appear in
//! the file: it names the environment variables that hold them.
//!
//! This module reads and checks; it does not open databases, bind sockets or read scenarios.
//!
//! The typed reads, key checks, "did you mean" and diagnostics are `gate_toml`'s, shared with
//! the scenario files; a section is a `gate_toml::Section` read key by key.
//!
//! - [`file`] walks the TOML document; [`tokens`], [`webhook`], [`publish`], [`services`],
//!   [`digest`], [`release`] and [`parity`] its sections.
//!   A new section is a module like [`publish`] (its keys, one read per key, the required
//!   ones) plus a line in [`file`] and a field in [`layer`].
//! - [`env`] reads the environment overrides.
//! - [`rules`] holds the value checks the file and the environment share.
//! - [`secrets`] reads the secrets that the file names environment variables for.

pub mod canary;
mod defaults;
mod digest;
mod env;
mod error;
mod file;
mod layer;
mod parity;
mod paths;
pub mod provenance;
mod publish;
mod redact;
mod release;
mod rules;
mod secrets;
mod services;
mod tokens;
mod webhook;

use std::path::{Path, PathBuf};
use std::time::Duration;

use gate_toml::Diagnostic;

use crate::auth::Scope;

pub use error::ConfigError;

/// The configuration, with defaults applied and environment overrides merged.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on, e.g. `127.0.0.1:8470`.
    pub listen: String,
    /// `sqlite://gate.db` or `postgres://user@host/db`.
    pub database_url: String,
    /// Base of links in statuses and pages, e.g. `https://gate.example.com` (no trailing `/`).
    pub public_url: String,
    /// Scenario files or directories.
    pub scenarios: Vec<PathBuf>,
    /// Used when a submission or webhook gives no base URL.
    pub default_base_url: Option<String>,
    /// Browsers of the embedded pool; 0 = agents only.
    pub workers: usize,
    /// The Chromium executable; `None` = look for one on `PATH`.
    pub browser: Option<PathBuf>,
    pub browser_args: Vec<String>,
    /// Attempts a worker's browser serves before a fresh one replaces it (0: never).
    pub recycle_after: u32,
    pub step_timeout: Duration,
    pub scenario_timeout: Duration,
    /// How long a lease lasts without a heartbeat.
    pub lease: Duration,
    /// How many times a job is handed out before it ends as `error` (at least 1).
    pub max_leases: u32,
    pub tokens: Vec<TokenConfig>,
    pub webhook: Option<WebhookConfig>,
    pub publish: Option<PublishConfig>,
    /// What gate deploys (`[[services]]`).
    pub services: Vec<ServiceConfig>,
    /// The weekly digest (`[digest]`): when and where it goes.
    pub digest: Option<DigestConfig>,
    /// The release flow a team declared (`[release]`); `None`: gate derives its own stages.
    pub release: Option<ReleaseConfig>,
    /// Staging compared with production (`[parity]`, `gate parity`).
    pub parity: Option<ParityConfig>,
    /// Where the digest scheduler's clock starts (`GATE_DIGEST_NOW`, RFC 3339; for tests,
    /// undocumented): it runs on from there at the real pace. `None`: the real clock.
    pub digest_now: Option<jiff::Timestamp>,
    /// Secrets for the embedded pool's scenarios beside the process environment, set by a
    /// program that embeds the server (`gate demo`); never read from the file.
    pub secrets: std::collections::BTreeMap<String, String>,
    /// Largest accepted request body (bytes), except agent results.
    pub max_body: usize,
    pub request_timeout: Duration,
    /// Refuse to start when `gate.toml` or a scenario file has changes git has not committed.
    pub require_committed_config: bool,
    /// The git commit the configuration and scenarios were loaded from, when they live in a
    /// git work tree (filled in by whoever loaded the file: `config::provenance`).
    pub provenance: Option<provenance::Provenance>,
}

/// A `[[tokens]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenConfig {
    /// Shown in logs and audit entries instead of the token.
    pub name: String,
    /// `sha256:<hex>` of the token (`gate token` prints it).
    pub hash: String,
    pub scopes: Vec<Scope>,
    /// From this instant on the token is refused as expired; `None`: it does not expire.
    pub expires: Option<jiff::Timestamp>,
    /// Refused as revoked. The entry stays in the file, so the revocation is reviewed and
    /// its holder told why, rather than "unknown token".
    pub revoked: bool,
}

/// A `[[services]]` entry: what gate deploys, how its traffic is split, how a version is
/// brought up and down, and the canary policy.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub name: String,
    /// How the service's traffic is split between its versions.
    pub router: gate_traffic::RouterConfig,
    /// The version serving when gate first meets the service (afterwards the store knows).
    pub stable: Option<VersionAt>,
    pub hooks: HookConfig,
    pub canary: CanaryConfig,
    /// How long the router waits for the controller's heartbeat during a canary before it
    /// moves all traffic to stable by itself.
    pub watchdog: Duration,
    /// Where hooks run: the configuration file's directory.
    pub dir: PathBuf,
}

/// Whether `s` is a version label: letters, digits, `.`, `_` and `-` (it is a cookie value and
/// a header value), at most 64 characters.
pub fn is_version_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A version and where it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionAt {
    pub version: String,
    pub url: String,
}

/// `[services.hooks]`: shell commands run in the configuration file's directory, with
/// `{version}`, `{commit}` and `{service}` replaced. `up` prints the version's URL as the last
/// line of its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookConfig {
    pub up: String,
    pub down: Option<String>,
    /// Run after a rollback (for example to page someone or tear the bad version down).
    pub rollback: Option<String>,
    pub timeout: Duration,
}

/// `[services.canary]`: each key left out takes the canary policy's default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CanaryConfig {
    pub steps: Option<Vec<StepConfig>>,
    /// Percentage points.
    pub max_error_increase_pt: Option<f64>,
    pub confidence: Option<f64>,
    pub min_requests: Option<u64>,
    pub interval: Option<Duration>,
    pub max_p95_ratio: Option<f64>,
    pub when_inconclusive: Option<FailSafe>,
    pub inconclusive_wait: Option<Duration>,
    /// Scenarios with this tag run against the canary during each step (default `canary`).
    pub synthetic_tag: Option<String>,
    pub synthetic_failures: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepConfig {
    /// Percent of traffic to the canary.
    pub weight: u8,
    pub hold: Option<Duration>,
}

/// What a step does when its data stays inconclusive for too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailSafe {
    Rollback,
    Hold,
}

/// `[webhook]`: GitHub deliveries signed with a shared secret.
#[derive(Clone)]
pub struct WebhookConfig {
    /// The shared secret GitHub signs deliveries with (read from `secret-env`).
    pub secret: String,
    /// Base URL of a commit's staging build: `{pr}`, `{sha}`, `{branch}` are replaced.
    pub base_url: Option<String>,
}

/// `[publish]`: verdicts posted as commit statuses to a GitHub-compatible API.
#[derive(Clone)]
pub struct PublishConfig {
    /// No trailing `/`, e.g. `https://api.github.com`.
    pub api_url: String,
    /// `owner/name`.
    pub repository: String,
    /// The API token (read from `token-env`).
    pub token: String,
    /// The status context a required check names, e.g. `gate/scenarios`.
    pub context: String,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("secret", &"***")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl std::fmt::Debug for PublishConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublishConfig")
            .field("api_url", &self.api_url)
            .field("repository", &self.repository)
            .field("token", &"***")
            .field("context", &self.context)
            .finish()
    }
}

/// `[release]`: the release flow's stages in order, and how many of the latest releases a
/// manual stage must have been performed in.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseConfig {
    pub stages: Vec<gate_flow::StageDecl>,
    pub recent_releases: u32,
}

/// `[parity]`: how `gate parity` compares staging with production.
#[derive(Debug, Clone)]
pub struct ParityConfig {
    pub staging: Option<String>,
    pub production: Option<String>,
    /// The page whose headers and cookies are compared (default `/`).
    pub path: String,
    /// The version document, e.g. `/version`; `None`: none is compared.
    pub version_path: Option<String>,
    /// Items allowed to differ.
    pub ignore: Vec<gate_parity::Ignore>,
    pub probes: Vec<ProbeConfig>,
    /// PEM certificates trusted besides the system's, relative to the file's directory.
    pub ca_file: Option<PathBuf>,
    /// Observe an environment whose certificate is not trusted (and report it as such).
    pub insecure_skip_verify: bool,
    /// Limit of each connection, handshake and request.
    pub timeout: Duration,
    /// Refuse a deploy (audited, with the differences as the reason) while staging does not
    /// match production or cannot be observed.
    pub hold_deploys: bool,
    /// How often the server compares the environments on its own (besides before each
    /// canary); the last result is kept for the review.
    pub every: Duration,
    /// Where probe commands run: the configuration file's directory.
    pub dir: PathBuf,
}

/// A `[[parity.probes]]` entry: a shell command run once per environment, `{env}` and `{url}`
/// replaced; the trimmed outputs must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeConfig {
    pub name: String,
    pub command: String,
    pub timeout: Duration,
}

/// `[digest]`: the weekly digest's schedule and channels.
#[derive(Debug, Clone)]
pub struct DigestConfig {
    pub schedule: crate::digest::Schedule,
    pub time_zone: jiff::tz::TimeZone,
    /// The IANA name, as written (`Europe/Berlin`; `UTC` by default).
    pub time_zone_name: String,
    /// Linked from the digest.
    pub dashboard_url: Option<String>,
    pub email: Option<EmailConfig>,
    pub slack: Option<SlackConfig>,
}

/// `[digest.email]`: an SMTP server, its credentials, the sender and the recipients.
#[derive(Clone)]
pub struct EmailConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// Read from `password-env`.
    pub password: Option<String>,
    /// Mailboxes as `name <address>` or `address`.
    pub from: String,
    pub to: Vec<String>,
    /// Limit of one delivery (connecting, talking, sending).
    pub timeout: Duration,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `starttls = "required"` (the default): refuse a server that does not offer it.
    StartTls,
    /// `starttls = "opportunistic"`: STARTTLS when the server offers it.
    StartTlsOpportunistic,
    /// `starttls = "off"`: plain text (a relay on loopback).
    Plain,
}

/// `[digest.slack]`: a Slack-compatible incoming webhook.
#[derive(Clone)]
pub struct SlackConfig {
    /// Read from `webhook-url-env`: the URL is the credential.
    pub webhook_url: String,
    pub timeout: Duration,
}

impl DigestConfig {
    /// No channel, the default schedule in UTC (what a preview uses without `[digest]`).
    pub fn utc() -> DigestConfig {
        DigestConfig {
            schedule: crate::digest::Schedule::default(),
            time_zone: jiff::tz::TimeZone::UTC,
            time_zone_name: "UTC".into(),
            dashboard_url: None,
            email: None,
            slack: None,
        }
    }

    /// The names of the configured channels, in the order they are sent.
    pub fn channels(&self) -> Vec<&'static str> {
        let mut channels = Vec::new();
        if self.email.is_some() {
            channels.push("email");
        }
        if self.slack.is_some() {
            channels.push("slack");
        }
        channels
    }
}

impl std::fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("to", &self.to)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl std::fmt::Debug for SlackConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackConfig")
            .field("webhook_url", &"***")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Reads the file at `path`, then the process environment.
pub fn load(path: &Path) -> Result<ServerConfig, ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        let mut diagnostic = Diagnostic::error(
            &name,
            None,
            format!("cannot read the configuration file: {e}"),
        );
        if e.kind() == std::io::ErrorKind::NotFound {
            diagnostic = diagnostic.with_help("`gate init` writes a commented starter gate.toml");
        }
        ConfigError::single(diagnostic, String::new())
    })?;
    parse(&name, &text, &|var| std::env::var(var).ok())
}

/// Parses `text`, the file `path` (named in messages; relative paths in the file are taken
/// relative to its directory), with `env` for the overrides and the secrets. No I/O.
pub fn parse(
    path: &str,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ServerConfig, ConfigError> {
    let dir = Path::new(path).parent().unwrap_or(Path::new(""));
    let mut errors = ConfigError::default();
    let from_file = file::read(path, text, env, &mut errors);
    let from_env = env::read(env, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(defaults::resolve(from_env.over(from_file), dir))
}

/// The commented starter configuration `gate init` writes. It parses to the defaults.
pub fn init_template() -> &'static str {
    include_str!("init_template.toml")
}
