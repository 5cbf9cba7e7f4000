//! Command-line interface definition: every subcommand, flag and its documentation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// gate: mechanical gates between `git push` and production.
#[derive(Debug, Parser)]
#[command(name = "gate", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios against a deployed build in headless Chromium.
    Run(RunArgs),
    /// Validate scenario files without running them.
    Check(CheckArgs),
    /// Start the demo shop and run the bundled scenarios against it.
    Demo(DemoArgs),
    /// Serve the demo shop (the system under test of the demo and the tests).
    #[command(disable_version_flag = true)]
    DemoShop(DemoShopArgs),
    /// Run the gate server: API, queue, embedded browser pool, web pages.
    Serve(ServeArgs),
    /// Write a commented starter gate.toml and an example scenario folder.
    Init(InitArgs),
    /// Run scenario jobs for a gate server from this machine.
    Agent(AgentArgs),
    /// Submit a commit's staging build to a gate server.
    Submit(SubmitArgs),
    /// Wait for a commit's verdict (exit 0 success, 1 failure, 2 error or timeout).
    Wait(WaitArgs),
    /// Print a commit's verdict.
    Status(StatusArgs),
    /// Create an API token and print the line that configures it.
    Token(TokenArgs),
    /// Deploy a version of a service through its canary and follow it to the end.
    #[command(after_help = DEPLOY_HELP, disable_version_flag = true)]
    Deploy(crate::deploy_args::DeployArgs),
    /// Put a canary on all traffic now.
    Promote(crate::deploy_args::PromoteArgs),
    /// Move a canary on to its next step now.
    Advance(crate::deploy_args::PromoteArgs),
    /// Stop a canary: all traffic goes back to the stable version.
    Abort(crate::deploy_args::AbortArgs),
    /// Move a service's traffic at once to an earlier version (a canary in progress: to its
    /// stable one). Prints what serves now and how long it took.
    Rollback(crate::deploy_args::RollbackArgs),
    /// List deployments, newest first.
    Deployments(crate::deploy_args::DeploymentsArgs),
    /// Show what each service serves, and its deployment in progress.
    Services(crate::deploy_args::ServicesArgs),
    /// Verify, list or export the audit log of deploys, overrides and rollbacks.
    Audit(crate::deploy_args::AuditArgs),
    /// Print a deployment's timeline as Markdown, for a blameless postmortem.
    Postmortem(crate::deploy_args::PostmortemArgs),
    /// Send the weekly digest of the last full week now (--send-now), or print it (--preview).
    Digest(crate::digest_cmd::DigestArgs),
    /// Print the DORA report of the last full week (or --since/--until): the headline, then
    /// each metric with its band and its change against the period before.
    Report(crate::report_cmd::ReportArgs),
    /// The seven-gate review of the server's pipeline: each gate installed, partial or missing,
    /// with the evidence and what to add (`--markdown` for a ticket, `--json`).
    Review(crate::review_cmd::ReviewArgs),
    /// Import deployment and incident history from CSV files, checked row by row and stored
    /// all or nothing, so the DORA metrics start with a team's real past.
    Import(crate::import_cmd::ImportArgs),
    /// Print the release flow: each stage (gate's and the manual ones) with its runs, median
    /// duration and failure share, and the risks with what to do; `gate flow done` records
    /// that someone performed a manual stage for a release.
    Flow(crate::flow_cmd::FlowArgs),
    /// Compare staging with production: TLS, certificates, HTTP version, security headers,
    /// cookie flags, a version document and probe outputs, side by side.
    #[command(after_help = PARITY_HELP)]
    Parity(crate::parity_cmd::ParityArgs),
    /// Run the traffic router for canary deploys: weighted, sticky routing to versions, with
    /// an admin API for the gate server and a watchdog that falls back to stable.
    #[command(disable_version_flag = true)]
    Proxy(ProxyArgs),
    /// Write the HAProxy config and versions map gate's HAProxy router drives, and print the
    /// `router` line for the service's [[services]] entry.
    HaproxyConfig(crate::haproxy_cmd::HaproxyConfigArgs),
}

const DEPLOY_HELP: &str = "\
Shows the phase, the step and its weight, both versions' requests and error rates with the
analysis' summary, and the time left in the step: as bars on a terminal, one plain line per
change elsewhere (CI). Ctrl-C stops following; the deployment goes on.

Exit codes: 0 promoted; 1 rolled back, aborted or failed (the reason and the numbers are
printed); 2 bad usage or refused (a commit whose gate verdict is not success: the server's
message says what to do); 3 the server could not be reached.

Example: gate deploy --service shop --version v2 --commit \"$(git rev-parse HEAD)\"";

const PARITY_HELP: &str = "\
Exit codes: 0 no difference that is not allowed; 1 a difference that is not allowed (the table
marks it DIFFERS); 2 bad usage or configuration; 3 an environment could not be observed.

Example: gate parity --staging https://staging.example.com --production https://www.example.com \\
  --version-path /version --ignore version.app";

#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Where production traffic comes in (port 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// The admin API's address; keep it on loopback (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "ADDR")]
    pub admin: std::net::SocketAddr,
    /// A version and its upstream, e.g. v1=http://127.0.0.1:9001 (repeatable). The first is
    /// stable unless --stable names another. Ignored when --state holds a saved table.
    #[arg(long = "version", value_name = "NAME=URL", value_parser = parse_proxy_version)]
    pub versions: Vec<(String, String)>,
    /// A version's share of new users, 0 to 100, e.g. v2=5 (repeatable) [default: 0 for each
    /// version but stable, which gets the rest of 100]
    #[arg(long = "weight", value_name = "NAME=N", value_parser = parse_proxy_weight)]
    pub weights: Vec<(String, u32)>,
    /// The version traffic falls back to [default: the first --version]
    #[arg(long, value_name = "NAME")]
    pub stable: Option<String>,
    /// Save the routing table here on every change and restore it at start.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Name of the cookie that keeps a user on one version.
    #[arg(long, default_value = gate_proxy::DEFAULT_COOKIE, value_name = "NAME")]
    pub sticky_cookie: String,
    /// The environment variable holding the admin API's bearer token (required).
    #[arg(long, default_value = "GATE_PROXY_TOKEN", value_name = "VAR")]
    pub admin_token_env: String,
    /// Time limit for connecting to an upstream (then 502).
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub connect_timeout: std::time::Duration,
    /// Time limit for an upstream's response headers (then 504).
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub response_timeout: std::time::Duration,
    /// At SIGTERM or Ctrl-C, how long in-flight requests may take to finish.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub drain_timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The configuration file (with --config-repo: its path inside the repository).
    #[arg(long, short, default_value = "gate.toml", env = "GATE_CONFIG")]
    pub config: PathBuf,
    /// Take the configuration and scenarios from this git repository (a path or a URL git
    /// can clone) at --config-ref, so that a change to the pipeline is a reviewed commit.
    #[arg(long, env = "GATE_CONFIG_REPO", value_name = "REPOSITORY")]
    pub config_repo: Option<String>,
    /// The branch, tag or commit of --config-repo to serve.
    #[arg(
        long,
        env = "GATE_CONFIG_REF",
        value_name = "REF",
        default_value = "main",
        requires = "config_repo"
    )]
    pub config_ref: String,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write gate.toml and scenarios/ into.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// How to reach a gate server.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The gate server's URL.
    #[arg(long, env = "GATE_SERVER", value_name = "URL", value_parser = crate::url_arg::http_url("https://gate.example.com"))]
    pub server: String,
    /// API token (scope `submit` to submit, `read` to read verdicts and deployments, `agent`
    /// for agents, `deploy` to deploy, promote, advance, abort and roll back, `admin` to
    /// override the gate).
    #[arg(long, env = "GATE_TOKEN", hide_env_values = true)]
    pub token: String,
}

#[derive(Debug, Args)]
pub struct AgentArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Browsers to run jobs in [default: number of CPU cores]
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: Option<u16>,
    /// Name shown in the server's logs and pages [default: host name]
    #[arg(long)]
    pub name: Option<String>,
    /// The Chromium executable [default: chromium or google-chrome on PATH]
    #[arg(long, env = "GATE_BROWSER", value_name = "PATH")]
    pub browser: Option<PathBuf>,
    /// Default time limit of a step.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub step_timeout: std::time::Duration,
    /// Default time limit of a scenario attempt.
    #[arg(long, default_value = "2m", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub scenario_timeout: std::time::Duration,
    #[command(flatten)]
    pub backend: crate::backend_args::BackendArgs,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The commit SHA (full).
    #[arg(long)]
    pub commit: String,
    /// Base URL of this commit's deployed staging build [default: the server's default-base-url]
    #[arg(long, value_name = "URL", value_parser = crate::url_arg::http_url("https://staging.example.com"))]
    pub base_url: Option<String>,
    #[arg(long)]
    pub branch: Option<String>,
    #[arg(long)]
    pub pr: Option<u64>,
    /// When the commit was made (RFC 3339), for lead-time metrics.
    #[arg(long, value_name = "TIME")]
    pub committed_at: Option<String>,
    /// Only scenarios with one of these tags.
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Run again even if this commit already has a run.
    #[arg(long)]
    pub rerun: bool,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    #[arg(long)]
    pub commit: String,
    /// Give up after this long (exit 2).
    #[arg(long, default_value = "20m", value_parser = humantime::parse_duration)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The commit SHA.
    pub commit: String,
    /// Print the JSON answer instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Name of the token (shown in logs).
    #[arg(long, default_value = "ci")]
    pub name: String,
    /// Scopes: read, submit, agent, deploy, admin.
    #[arg(long, value_delimiter = ',', default_value = "submit")]
    pub scopes: Vec<String>,
    /// The token expires this long from now (`90d`, `12h`, `1y`); the entry gets
    /// `expires = "<RFC 3339 time>"`. Without it the token does not expire.
    #[arg(long, value_name = "DURATION")]
    pub expires_in: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScenarioInput {
    /// Scenario files or directories (searched for *.toml). Default: ./scenarios
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// A variable for `{{name}}` placeholders, overriding `[vars]` (repeatable).
    /// `GATE_VAR_<name>` environment variables work too.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// A file of `NAME=value` lines for `{{secret.NAME}}`; the environment is read first.
    #[arg(long, value_name = "FILE", env = "GATE_SECRETS_FILE")]
    pub secrets: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: ScenarioInput,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: ScenarioInput,
    /// Base URL of the build under test; relative URLs in scenarios are resolved against it.
    #[arg(long, env = "GATE_BASE_URL", value_name = "URL", value_parser = crate::url_arg::http_url("http://127.0.0.1:8080"))]
    pub base_url: String,
    #[command(flatten)]
    pub options: RunOptions,
}

/// Options shared by `run` and `demo`.
#[derive(Debug, Args)]
pub struct RunOptions {
    /// Number of browsers running scenarios at once [default: number of CPU cores]
    #[arg(long, short = 'j', env = "GATE_WORKERS", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: Option<u16>,
    /// The Chromium executable [default: chromium or google-chrome on PATH]
    #[arg(long, env = "GATE_BROWSER", value_name = "PATH")]
    pub browser: Option<PathBuf>,
    /// An extra Chromium flag (repeatable), e.g. --browser-arg=--lang=de
    #[arg(long = "browser-arg", value_name = "FLAG", allow_hyphen_values = true)]
    pub browser_args: Vec<String>,
    /// Only scenarios with one of these tags (comma-separated, repeatable).
    #[arg(long, value_delimiter = ',', value_name = "TAGS")]
    pub tags: Vec<String>,
    /// Only scenarios whose name matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub grep: Option<String>,
    /// Default time limit of a step.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub step_timeout: std::time::Duration,
    /// Default time limit of a scenario attempt.
    #[arg(long, default_value = "2m", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub scenario_timeout: std::time::Duration,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the machine-readable JSON result here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a self-contained HTML report (with screenshots) into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Where screenshots and page snapshots go [default: <report>/artifacts, else gate-artifacts/<run id>]
    #[arg(long, value_name = "DIR")]
    pub artifacts: Option<PathBuf>,
    /// Exit with 1 when a scenario only passed on a retry.
    #[arg(long)]
    pub fail_on_flaky: bool,
    /// Print only the summary.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub backend: crate::backend_args::BackendArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Start the shop with this fault to see the gate go red: checkout-500, slow-products, late-element.
    #[arg(long, value_name = "FAULT")]
    pub fault: Vec<demo_shop::Fault>,
    /// Stop after the test gate: no canary deploys.
    #[arg(long)]
    pub no_deploy: bool,
    /// After the demo, keep its gate server running (until Ctrl-C) to look at the live
    /// dashboard and the other pages; a read-only token to log in with is printed.
    #[arg(long, conflicts_with = "no_deploy")]
    pub keep_serving: bool,
    #[command(flatten)]
    pub options: RunOptions,
}

#[derive(Debug, Args)]
pub struct DemoShopArgs {
    /// Port to listen on (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Version label shown in the footer, /api/health and the X-Shop-Version header.
    #[arg(long, default_value = "v1")]
    pub version: String,
    /// The share of orders (0 to 1) that fail with a 500, at random: a slightly broken
    /// version for a canary to catch.
    #[arg(long, default_value_t = 0.0, value_parser = parse_share, value_name = "SHARE")]
    pub fail_rate: f64,
    /// A fault to switch on (repeatable): checkout-500, slow-products, late-element.
    #[arg(long, value_name = "FAULT")]
    pub fault: Vec<demo_shop::Fault>,
    /// Password of the `demo` user.
    #[arg(
        long,
        env = "SHOP_PASSWORD",
        default_value = "correct-horse-battery",
        hide_default_value = true,
        hide_env_values = true
    )]
    pub password: String,
    /// Delay of the slow-products fault.
    #[arg(long, default_value = "3s", value_parser = humantime::parse_duration)]
    pub slow: std::time::Duration,
    /// Delay of the late-element fault.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub late: std::time::Duration,
    /// Print `request METHOD PATH` for every request.
    #[arg(long)]
    pub log_requests: bool,
}

fn parse_proxy_version(s: &str) -> Result<(String, String), String> {
    let (name, url) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=URL, e.g. v1=http://127.0.0.1:9001"))?;
    gate_proxy::check_upstream_url(url)?;
    Ok((name.to_string(), url.to_string()))
}

fn parse_proxy_weight(s: &str) -> Result<(String, u32), String> {
    let (name, weight) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=N, e.g. v2=5"))?;
    let weight = weight
        .parse::<u32>()
        .ok()
        .filter(|w| *w <= 100)
        .ok_or_else(|| format!("`{weight}` is not a weight from 0 to 100"))?;
    Ok((name.to_string(), weight))
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE"))?;
    let valid = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{name}` is not a variable name (letters, digits and _)"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// A share from 0 to 1 (`0.05`, or `5%`).
fn parse_share(s: &str) -> Result<f64, String> {
    let (text, scale) = match s.strip_suffix('%') {
        Some(p) => (p, 100.0),
        None => (s, 1.0),
    };
    let share = text
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("`{s}` is not a number: write 0.05 or 5%"))?
        / scale;
    if (0.0..=1.0).contains(&share) {
        Ok(share)
    } else {
        Err(format!("`{s}` is not between 0 and 1 (0% and 100%)"))
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn variables_need_a_name_and_a_value() {
        assert_eq!(
            super::parse_var("a_1=x=y"),
            Ok(("a_1".into(), "x=y".into()))
        );
        assert!(super::parse_var("novalue").is_err());
        assert!(super::parse_var("1a=x").is_err());
    }

    #[test]
    fn proxy_versions_and_weights_are_checked_when_read() {
        assert_eq!(
            super::parse_proxy_version("v1=http://127.0.0.1:9001"),
            Ok(("v1".into(), "http://127.0.0.1:9001".into()))
        );
        assert!(super::parse_proxy_version("v1").is_err());
        assert!(super::parse_proxy_version("v1=https://x:1").is_err());
        assert_eq!(super::parse_proxy_weight("v2=5"), Ok(("v2".into(), 5)));
        assert!(super::parse_proxy_weight("v2=101").is_err());
        assert!(super::parse_proxy_weight("v2").is_err());
    }
}
