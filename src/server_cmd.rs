//! `gate serve`, `gate agent`, `gate init`, `gate token`: running the gate server and its
//! agents, and setting them up.

use std::path::Path;
use std::sync::Arc;

use gate_server::config::{ServerConfig, provenance};
use gate_server::executor::{self, NoHooks, RemoteSource, RunnerSettings};
use tokio_util::sync::CancellationToken;

use crate::cli::{AgentArgs, InitArgs, ServeArgs, TokenArgs};
use crate::exit;

pub async fn serve(args: ServeArgs) -> u8 {
    // A configuration from git lives in a checkout owned by this process.
    let checkout = match &args.config_repo {
        Some(repo) => match checkout(repo, &args.config_ref) {
            Ok(dir) => Some(dir),
            Err(code) => return code,
        },
        None => None,
    };
    let path = match &checkout {
        Some(dir) => dir.path().join("config").join(&args.config),
        None => args.config.clone(),
    };
    let mut config = match gate_server::config::load(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return exit::INVALID;
        }
    };
    config.provenance = provenance::observe(&path, &config.scenarios);
    if let Err(refusal) = committed(&config, &path) {
        eprintln!("{refusal}");
        return exit::INVALID;
    }
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    match gate_server::serve::serve(config, shutdown).await {
        Ok(()) => exit::PASSED,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::INFRA
        }
    }
}

/// Checks out `reference` of `repository` into a temporary directory (its `config/`).
fn checkout(repository: &str, reference: &str) -> Result<tempfile::TempDir, u8> {
    let dir = tempfile::Builder::new()
        .prefix("gate-config-")
        .tempdir()
        .map_err(|e| {
            eprintln!("error: no temporary directory for the configuration checkout: {e}");
            exit::INFRA
        })?;
    match provenance::checkout(repository, reference, &dir.path().join("config")) {
        Ok(commit) => {
            eprintln!(
                "gate serve: configuration from {repository} at {reference} ({})",
                commit.get(..12).unwrap_or(&commit)
            );
            Ok(dir)
        }
        Err(e) => {
            eprintln!("error: --config-repo: {e}");
            Err(exit::INVALID)
        }
    }
}

/// With `require-committed-config = true`: the configuration must be in a git work tree with
/// every loaded file committed.
fn committed(config: &ServerConfig, path: &Path) -> Result<(), String> {
    if !config.require_committed_config {
        return Ok(());
    }
    match &config.provenance {
        None => Err(format!(
            "error: {}: require-committed-config is set, but the file is not in a git work tree (or git is not installed)\n  hint: keep gate.toml and the scenarios in the repository they gate, or serve them with --config-repo",
            path.display()
        )),
        Some(p) if !p.dirty.is_empty() => Err(format!(
            "error: {}: require-committed-config is set, and these files have changes git has not committed: {}\n  hint: commit them (`git add` and `git commit`, through review), or set require-committed-config = false while editing",
            path.display(),
            p.dirty.join(", ")
        )),
        Some(_) => Ok(()),
    }
}

pub async fn agent(args: AgentArgs) -> u8 {
    // Jobs name their own base URLs: only --docker-forward ports are forwarded.
    let browser = args.backend.browser_options("", || {
        match args.browser.clone().or_else(gate_runner::browser::find_browser) {
            Some(path) if path.is_file() => Ok(path),
            _ => {
                eprintln!(
                    "error: no Chromium found: install it with `apt-get install chromium` or point --browser/GATE_BROWSER at it"
                );
                Err(exit::INFRA)
            }
        }
    });
    let browser = match browser {
        Ok(b) => b,
        Err(code) => return code,
    };
    let name = args.name.clone().unwrap_or_else(|| {
        std::env::var("HOSTNAME").unwrap_or_else(|_| format!("agent-{}", std::process::id()))
    });
    let workers = args.workers.map_or_else(
        || std::thread::available_parallelism().map_or(2, |n| n.get()),
        usize::from,
    );
    let settings = RunnerSettings {
        browser,
        workers,
        step_timeout: args.step_timeout,
        scenario_timeout: args.scenario_timeout,
        artifacts_root: std::env::temp_dir().join(format!("gate-agent-{}", std::process::id())),
        // An agent's secrets come from its environment.
        secrets: Default::default(),
    };
    let root = settings.artifacts_root.clone();
    let source = Arc::new(RemoteSource::new(
        &args.server.server,
        &args.server.token,
        &name,
    ));
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    eprintln!(
        "agent {name}: running jobs of {} on {workers} browser(s)",
        args.server.server
    );
    let ran = executor::run(source, settings, Arc::new(NoHooks), shutdown).await;
    let _ = std::fs::remove_dir_all(root);
    if let Err(err) = ran {
        eprintln!("error: agent {name}: {err}");
        return exit::INFRA;
    }
    eprintln!("agent {name}: stopped");
    exit::PASSED
}

/// SIGTERM or Ctrl-C: stop taking work, hand back running jobs, close browsers.
async fn cancel_on_signal(shutdown: CancellationToken) {
    let term = async {
        #[cfg(unix)]
        {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
                return;
            }
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    eprintln!("stopping: finishing or handing back running jobs");
    shutdown.cancel();
}

pub fn init(args: InitArgs) -> u8 {
    let config = args.dir.join("gate.toml");
    let scenarios = args.dir.join("scenarios");
    let example = scenarios.join("smoke.toml");
    for path in [&config, &example] {
        if path.exists() {
            eprintln!(
                "error: {} already exists; not overwriting it",
                path.display()
            );
            return exit::INVALID;
        }
    }
    let write = |path: &Path, text: &str| -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)
    };
    if let Err(e) = write(&config, gate_server::config::init_template())
        .and_then(|()| write(&example, EXAMPLE_SCENARIO))
    {
        eprintln!("error: cannot write the starter files: {e}");
        return exit::INVALID;
    }
    println!("wrote {} and {}", config.display(), example.display());
    println!(
        "next: create a token with `gate token --scopes submit`, add it to gate.toml, then `gate serve`"
    );
    exit::PASSED
}

const EXAMPLE_SCENARIO: &str = r#"# A first scenario: the home page answers and shows a heading.
# Reference: the README's "Writing scenarios" section. Check files with `gate check scenarios/`.
name = "smoke"
tags = ["smoke"]

[[step]]
goto = "/"

[[step]]
expect = { selector = "h1", visible = true }
"#;

pub fn token(args: TokenArgs) -> u8 {
    let mut scopes = Vec::new();
    for s in &args.scopes {
        match serde_json::from_value::<gate_server::auth::Scope>(serde_json::Value::String(
            s.clone(),
        )) {
            Ok(scope) => scopes.push(scope),
            Err(_) => {
                eprintln!("error: unknown scope `{s}` (use read, submit, agent, deploy or admin)");
                return exit::INVALID;
            }
        }
    }
    let expires = match args.expires_in.as_deref().map(expiry).transpose() {
        Ok(expires) => expires,
        Err(message) => {
            eprintln!("error: --expires-in: {message}");
            return exit::INVALID;
        }
    };
    let token = gate_server::auth::generate_token();
    let hash = gate_server::auth::hash_token(&token);
    let list = args
        .scopes
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ");
    println!("token (shown once; give it to the client, e.g. as GATE_TOKEN):\n  {token}\n");
    println!(
        "add to gate.toml:\n[[tokens]]\nname = \"{}\"\nhash = \"{hash}\"\nscopes = [{list}]",
        args.name
    );
    if let Some(at) = expires {
        println!("expires = \"{at}\"");
    }
    exit::PASSED
}

/// The instant `--expires-in` (a human duration such as `90d`) from now, to the second.
fn expiry(text: &str) -> Result<jiff::Timestamp, String> {
    let duration = humantime::parse_duration(text.trim()).map_err(|e| {
        format!("`{text}` is not a duration ({e}); write e.g. `90d`, `12h` or `1y`")
    })?;
    if duration.as_secs() == 0 {
        return Err("the token would expire at once; give a duration of a second or more".into());
    }
    let now = jiff::Timestamp::now().as_second();
    i64::try_from(duration.as_secs())
        .ok()
        .and_then(|secs| now.checked_add(secs))
        .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
        .ok_or_else(|| format!("`{text}` is further away than a timestamp reaches"))
}
