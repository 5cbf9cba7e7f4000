//! The `gate` command line: a thin layer over the scenario, runner and demo-shop crates.
//!
//! - `cli`: flags and subcommands.
//! - `load`: reading and checking scenario files, variables and secrets.
//! - `run_cmd`: `gate run` from checked scenarios to reports and exit code.
//! - `progress`, `summary`: what the terminal shows.
//! - `demo`: `gate demo` and `gate demo-shop`; `demo_deploy`: the demo's canary deploys.
//! - `server_cmd`: `gate serve`, `gate agent`, `gate init`, `gate token`.
//! - `client`: `gate submit`, `gate wait`, `gate status` (what CI runs).
//! - `deploy_cmd`: `gate deploy`, `promote`, `advance`, `abort`, `rollback`, `deployments`,
//!   `services`; `audit_cmd`: `gate audit …`, `gate postmortem`; their flags in `deploy_args`.
//!   `digest_cmd`: `gate digest --send-now|--preview`; `report_cmd`: `gate report`;
//!   `review_cmd`: `gate review`;
//!   `import_cmd`: `gate import`, over the library's `gate::import` (reading history CSV
//!   files, pure);
//!   `flow_cmd`: `gate flow`, `gate flow done`.
//! - `api`: the server's JSON API as the deploy commands call it; `event_stream`: its events.
//! - `deploy_follow`, `deploy_progress`, `deploy_text`, `deploy_tables`: following a
//!   deployment and showing it (bars, lines, tables).
//! - `proxy_cmd`: `gate proxy`, the traffic router (the `gate-proxy` crate); `haproxy_cmd`:
//!   `gate haproxy-config`.
//! - `parity_cmd`: `gate parity`, staging compared with production (the `gate-parity` crate).
//! - `exit`: the documented exit codes.
//! - `url_arg`: URL-valued flags, checked when the command line is read.

mod api;
mod audit_cmd;
mod backend_args;
mod cli;
mod client;
mod demo;
mod demo_deploy;
mod demo_digest;
mod deploy_args;
mod deploy_cmd;
mod deploy_follow;
mod deploy_progress;
mod deploy_tables;
mod deploy_text;
mod digest_cmd;
mod event_stream;
mod exit;
mod flow_cmd;
mod haproxy_cmd;
mod import_cmd;
mod load;
mod parity_cmd;
mod progress;
mod proxy_cmd;
mod report_cmd;
mod review_cmd;
mod run_cmd;
mod server_cmd;
mod summary;
mod url_arg;

use clap::Parser;

use crate::cli::{CheckArgs, Cli, Command};

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GATE_LOG")
                .unwrap_or_else(|_| "warn,chromiumoxide=off,demo_shop=error,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(exit::INFRA);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run_cmd::run(args).await,
            Command::Check(args) => check(args),
            Command::Demo(args) => demo::demo(args).await,
            Command::DemoShop(args) => demo::demo_shop(args).await,
            Command::Serve(args) => server_cmd::serve(args).await,
            Command::Init(args) => server_cmd::init(args),
            Command::Agent(args) => server_cmd::agent(args).await,
            Command::Submit(args) => client::submit(args).await,
            Command::Wait(args) => client::wait(args).await,
            Command::Status(args) => client::status(args).await,
            Command::Token(args) => server_cmd::token(args),
            Command::Proxy(args) => proxy_cmd::proxy(args).await,
            Command::HaproxyConfig(args) => haproxy_cmd::haproxy_config(args),
            Command::Deploy(args) => deploy_cmd::deploy(args).await,
            Command::Promote(args) => deploy_cmd::promote(args).await,
            Command::Advance(args) => deploy_cmd::advance(args).await,
            Command::Abort(args) => deploy_cmd::abort(args).await,
            Command::Rollback(args) => deploy_cmd::rollback(args).await,
            Command::Deployments(args) => deploy_cmd::deployments(args).await,
            Command::Services(args) => deploy_cmd::services(args).await,
            Command::Audit(args) => match args.command {
                deploy_args::AuditCommand::Verify(args) => audit_cmd::verify(args).await,
                deploy_args::AuditCommand::List(args) => audit_cmd::list(args).await,
                deploy_args::AuditCommand::Export(args) => audit_cmd::export(args).await,
            },
            Command::Postmortem(args) => audit_cmd::postmortem(args).await,
            Command::Digest(args) => digest_cmd::digest(args).await,
            Command::Report(args) => report_cmd::report(args).await,
            Command::Review(args) => review_cmd::review(args).await,
            Command::Import(args) => import_cmd::import(args).await,
            Command::Flow(args) => flow_cmd::flow(args).await,
            Command::Parity(args) => parity_cmd::parity(args).await,
        }
    });
    std::process::ExitCode::from(code)
}

/// `gate check`: every problem in every file, then a one-line count. Exit 0 or 2.
fn check(args: CheckArgs) -> u8 {
    let sources = match load::Sources::read(&args.input.paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}", e.0);
            return exit::INVALID;
        }
    };
    let vars = load::vars(&args.input);
    let secrets = match load::secrets(&args.input) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}", e.0);
            return exit::INVALID;
        }
    };
    let (suite, diagnostics) = sources.check(&load::check_options(&vars, &secrets));
    eprint!("{}", sources.render(&diagnostics));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let files = sources.files.len();
    if errors > 0 {
        eprintln!("error: {errors} error(s), {warnings} warning(s) in {files} file(s)");
        exit::INVALID
    } else {
        println!(
            "ok: {} scenario(s) in {files} file(s), {warnings} warning(s)",
            suite.scenarios.len()
        );
        exit::PASSED
    }
}
