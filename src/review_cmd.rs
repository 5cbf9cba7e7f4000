//! `gate review`: the seven-gate review of a pipeline — each gate installed, partial or
//! missing with its evidence and what to add — as text, Markdown (`--markdown`, to paste into
//! a ticket) or JSON. It asks a running server (`GET /api/v1/review`), or with `--config`
//! judges a `gate.toml` without one: the configuration, its git state, staging parity checked
//! now, and the history in the database it names when that can be opened (else the
//! configuration alone, said so).
//! Exit codes: 0 printed, 2 refused or misused (a bad `--config`), 3 the server could not be
//! reached.

use std::path::{Path, PathBuf};

use clap::Args;
use gate_server::config::provenance;
use gate_server::store::Store;

use crate::api::{Api, print_answer};
use crate::cli::ServerArgs;
use crate::exit;

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Review this gate.toml here, without a server: its history is read from the database it
    /// names (when that can be opened).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The gate server's URL (without --config).
    #[arg(long, env = "GATE_SERVER", value_name = "URL", required_unless_present = "config", value_parser = crate::url_arg::http_url("https://gate.example.com"))]
    pub server: Option<String>,
    /// API token with scope `read` (without --config).
    #[arg(
        long,
        env = "GATE_TOKEN",
        hide_env_values = true,
        required_unless_present = "config"
    )]
    pub token: Option<String>,
    /// Print Markdown: a table of the gates, then what to add for each one missing.
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Print the review as JSON (`{review, text, markdown}`).
    #[arg(long)]
    pub json: bool,
}

pub async fn review(args: ReviewArgs) -> u8 {
    let field = if args.markdown { "markdown" } else { "text" };
    if let Some(path) = &args.config {
        return match offline(path).await {
            Ok(answer) => print_answer(&answer, args.json, field),
            Err(code) => code,
        };
    }
    let (Some(server), Some(token)) = (args.server, args.token) else {
        eprintln!("error: --server and --token are needed without --config");
        return exit::INVALID;
    };
    let api = Api::new(&ServerArgs { server, token });
    match api.get::<serde_json::Value>(&["review"], &[]).await {
        Ok(answer) => print_answer(&answer, args.json, field),
        Err(failure) => failure.report("cannot read the review"),
    }
}

/// The review of the configuration at `path`, as the server would answer it, with `history`
/// saying where the history came from.
async fn offline(path: &Path) -> Result<serde_json::Value, u8> {
    let mut config = gate_server::config::load(path).map_err(|e| {
        eprintln!("{e}");
        exit::INVALID
    })?;
    config.provenance = provenance::observe(path, &config.scenarios);
    let (store, history) = history(&config.database_url).await.map_err(|e| {
        eprintln!("error: no database to review with: {e}");
        exit::INFRA
    })?;
    let state = gate_server::state::AppState::new(
        config,
        store,
        tokio_util::sync::CancellationToken::new(),
    )
    .map_err(|e| {
        eprintln!("error: {}: {e:#}", path.display());
        exit::INVALID
    })?;
    // No server's schedule keeps a parity result fresh here: compare the environments now.
    let checked = state
        .service
        .check_parity(gate_server::service::ParityTrigger::Review)
        .await;
    if let Err(e) = checked {
        eprintln!("gate review: cannot keep the parity result: {e}");
    }
    let review = state.service.review().await.map_err(|e| {
        eprintln!("error: cannot review {}: {e}", path.display());
        exit::INFRA
    })?;
    if let Some(note) = &history {
        eprintln!("gate review: {note}");
    }
    Ok(serde_json::json!({
        "text": gate_server::review::text(&review),
        "markdown": gate_server::review::markdown(&review),
        "review": review,
        "history": history.unwrap_or_else(|| "from the configured database".to_string()),
    }))
}

/// The configured database, or an empty one in memory and why: a SQLite file that does not
/// exist is not created, and an unreachable database leaves the configuration to judge.
async fn history(url: &str) -> Result<(Store, Option<String>), gate_server::store::StoreError> {
    let shown = gate_server::store::redact_url(url);
    let missing = sqlite_file(url).filter(|file| !file.exists());
    let opened = match missing {
        Some(file) => Err(format!("{} does not exist yet", file.display())),
        None => Store::connect(url)
            .await
            .map_err(|e| format!("cannot open {shown}: {e}")),
    };
    Ok(match opened {
        Ok(store) => (store, None),
        Err(why) => (
            Store::connect("sqlite::memory:").await?,
            Some(format!(
                "no history ({why}): judged from the configuration alone"
            )),
        ),
    })
}

/// The file of a `sqlite:` URL, if it names one.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/gate/gate.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/gate/gate.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:gate.db"),
            Some(PathBuf::from("gate.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://gate@db/gate"), None);
    }
}
