//! `gate parity`: staging compared with production, side by side. Settings come from
//! `[parity]` of `--config` with the flags over them; the observing is `gate_parity`'s
//! driver, the comparison its pure core; this module merges the settings, prints the table
//! (or JSON) and the verdict, and maps the outcome to an exit code: 0 no disallowed
//! difference, 1 one or more, 2 usage or configuration error, 3 an environment could not be
//! observed.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use gate_parity::{Comparison, Ignore, Status};
use gate_server::config::ParityConfig;
use gate_server::parity::Unchecked;

use crate::exit;

#[derive(Debug, Args)]
pub struct ParityArgs {
    /// Staging's base URL [default: `staging` in [parity] of --config]
    #[arg(long, value_name = "URL", value_parser = crate::url_arg::http_url("https://staging.example.com"))]
    pub staging: Option<String>,
    /// Production's base URL [default: `production` in [parity] of --config]
    #[arg(long, value_name = "URL", value_parser = crate::url_arg::http_url("https://www.example.com"))]
    pub production: Option<String>,
    /// A gate.toml whose [parity] section gives the settings the flags leave out.
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// An item allowed to differ, on top of `ignore` in [parity] (repeatable): an item name or
    /// a glob, e.g. header.server, cookie.*.path, version.app, tls.certificate.
    #[arg(long = "ignore", value_name = "ITEM", value_parser = parse_ignore)]
    pub ignore: Vec<Ignore>,
    /// The page whose headers and cookies are compared [default: /]
    #[arg(long, value_name = "PATH", value_parser = parse_path("/"))]
    pub path: Option<String>,
    /// A JSON document to compare field by field, e.g. /version.
    #[arg(long, value_name = "PATH", value_parser = parse_path("/version"))]
    pub version_path: Option<String>,
    /// PEM certificates to trust besides the system's (an internal or test CA).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Observe an environment whose certificate is not trusted; it is reported as untrusted.
    #[arg(long)]
    pub insecure_skip_verify: bool,
    /// Limit of each connection, handshake and request [default: 10s]
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Option<Duration>,
    /// Print both observations and the comparison as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_ignore(s: &str) -> Result<Ignore, String> {
    Ignore::parse(s).map_err(|e| format!("`{s}` {}: {}", e.problem, e.help))
}

fn parse_path(example: &'static str) -> impl Fn(&str) -> Result<String, String> + Clone {
    move |s: &str| {
        gate_parity::request_path(s, example)
            .map(|()| s.to_string())
            .map_err(|e| format!("`{s}` {}: {}", e.problem, e.help))
    }
}

pub async fn parity(args: ParityArgs) -> u8 {
    let config = match settings(&args) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{message}");
            return exit::INVALID;
        }
    };
    let checked = match gate_server::parity::check(&config).await {
        Ok(c) => c,
        Err(Unchecked::Unobserved(errors)) => {
            for error in errors {
                eprintln!("error: cannot observe {error}\n  hint: {}", error.hint());
            }
            return exit::INFRA;
        }
        Err(Unchecked::Trust(e)) => {
            let place = if args.ca_file.is_some() {
                "--ca-file"
            } else {
                "`ca-file` in [parity]"
            };
            eprintln!("error: {e}\n  hint: {place} names a PEM file of CA certificates");
            return exit::INVALID;
        }
        Err(Unchecked::NoUrl(name)) => {
            eprintln!(
                "error: no {name} URL: pass --{name} URL, or set `{name}` in [parity] of the file --config names"
            );
            return exit::INVALID;
        }
    };
    let comparison = &checked.comparison;
    if args.json {
        let json = serde_json::json!({
            "holds": comparison.holds(),
            "verdict": comparison.verdict(),
            "rows": comparison.rows,
            "staging": checked.staging,
            "production": checked.production,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    } else {
        println!("{}", table(comparison));
        println!("{}", comparison.verdict());
    }
    if comparison.holds() {
        exit::PASSED
    } else {
        exit::FAILED
    }
}

/// The file's `[parity]` (or the defaults) with the flags over it.
fn settings(args: &ParityArgs) -> Result<ParityConfig, String> {
    let mut config = match &args.config {
        None => ParityConfig::default(),
        Some(path) => gate_server::config::load(path)
            .map_err(|e| e.render(false))?
            .parity
            .unwrap_or_default(),
    };
    if let Some(url) = &args.staging {
        config.staging = Some(url.clone());
    }
    if let Some(url) = &args.production {
        config.production = Some(url.clone());
    }
    config.ignore.extend(args.ignore.iter().cloned());
    if let Some(path) = &args.path {
        config.path = path.clone();
    }
    if let Some(path) = &args.version_path {
        config.version_path = Some(path.clone());
    }
    if let Some(file) = &args.ca_file {
        config.ca_file = Some(file.clone());
    }
    config.insecure_skip_verify |= args.insecure_skip_verify;
    if let Some(timeout) = args.timeout {
        config.timeout = timeout;
    }
    Ok(config)
}

/// Every compared item: staging, production, and how they compare. Pure.
fn table(comparison: &Comparison) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["item", "staging", "production", ""]);
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    for row in &comparison.rows {
        let status = match row.status {
            Status::Same => "same".to_string(),
            Status::Allowed => format!(
                "differs (allowed: {})",
                row.why.as_deref().unwrap_or("ignored")
            ),
            Status::Differs => "DIFFERS".to_string(),
        };
        table.add_row(vec![
            row.item.clone(),
            shown(&row.staging),
            shown(&row.production),
            status,
        ]);
    }
    table
}
