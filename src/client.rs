//! `gate submit`, `gate wait`, `gate status`: what CI runs to make the gate a required check.
//! They speak the server's JSON API with the shared wire types.

use std::time::{Duration, Instant};

use gate_wire::{CommitState, CommitStatus, ErrorBody, RunView, SubmitRun};
use reqwest::StatusCode;

use crate::cli::{ServerArgs, StatusArgs, SubmitArgs, WaitArgs};
use crate::exit;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

fn url(server: &ServerArgs, path: &str) -> String {
    format!("{}/api/v1{path}", server.server.trim_end_matches('/'))
}

/// The server's error message (its JSON `error`, with the field) or the status line.
async fn explain(response: reqwest::Response) -> String {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    match serde_json::from_str::<ErrorBody>(&body) {
        Ok(ErrorBody {
            error,
            field: Some(field),
        }) => format!("{status}: {error} (field `{field}`)"),
        Ok(ErrorBody { error, field: None }) => format!("{status}: {error}"),
        Err(_) => format!("{status}: {}", body.trim()),
    }
}

pub async fn submit(args: SubmitArgs) -> u8 {
    let body = SubmitRun {
        commit: args.commit,
        branch: args.branch,
        pr: args.pr,
        committed_at: args.committed_at,
        base_url: args.base_url.unwrap_or_default(),
        tags: args.tags,
        rerun: args.rerun,
    };
    let response = match client()
        .post(url(&args.server, "/runs"))
        .bearer_auth(&args.server.token)
        .json(&body)
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "error: cannot reach the gate server at {}: {e}",
                args.server.server
            );
            return exit::INFRA;
        }
    };
    if !response.status().is_success() {
        eprintln!(
            "error: the run was not accepted: {}",
            explain(response).await
        );
        return exit::INVALID;
    }
    let created = response.status() == StatusCode::CREATED;
    match response.json::<RunView>().await {
        Ok(run) => {
            let how = if created {
                "submitted"
            } else {
                "already submitted"
            };
            println!(
                "{how}: run {} for {} ({} scenarios) {}",
                run.id,
                run.commit,
                run.jobs.len(),
                run.links.html
            );
            exit::PASSED
        }
        Err(e) => {
            eprintln!("error: unexpected answer from the server: {e}");
            exit::INFRA
        }
    }
}

/// Fetches the commit's verdict. `Ok(None)`: the server knows no run for it (yet).
async fn fetch(
    http: &reqwest::Client,
    server: &ServerArgs,
    sha: &str,
) -> Result<Option<CommitStatus>, String> {
    let response = http
        .get(url(server, &format!("/commits/{sha}/status")))
        .bearer_auth(&server.token)
        .send()
        .await
        .map_err(|e| format!("cannot reach the gate server at {}: {e}", server.server))?;
    match response.status() {
        StatusCode::OK => response
            .json()
            .await
            .map(Some)
            .map_err(|e| format!("unexpected answer from the server: {e}")),
        StatusCode::NOT_FOUND => Ok(None),
        _ => Err(explain(response).await),
    }
}

fn print_status(status: &CommitStatus) {
    println!(
        "{}: {} — {}",
        status.sha,
        status.state.as_str(),
        status.description
    );
    for f in &status.failing {
        let at = f.location.as_deref().unwrap_or("");
        println!(
            "  {} {} {at} {}",
            f.outcome.as_str().to_uppercase(),
            f.scenario,
            f.message.as_deref().unwrap_or("")
        );
    }
    for name in &status.flaky {
        println!("  flaky {name} (passed on a retry)");
    }
    println!("details: {}", status.target_url);
}

fn code_of(state: CommitState) -> u8 {
    match state {
        CommitState::Success => exit::PASSED,
        CommitState::Failure => exit::FAILED,
        CommitState::Pending | CommitState::Error => exit::INVALID,
    }
}

pub async fn wait(args: WaitArgs) -> u8 {
    let started = Instant::now();
    let mut delay = Duration::from_millis(500);
    // One client for every poll: a new one per poll loaded the TLS trust store and opened a
    // connection each time, which with a thousand waiting CI jobs saturated the machine.
    let http = client();
    loop {
        // Keep waiting through a server restart; report the error if it lasts until the timeout.
        let last_error = match fetch(&http, &args.server, &args.commit).await {
            Ok(Some(status)) if status.state != CommitState::Pending => {
                print_status(&status);
                return code_of(status.state);
            }
            Ok(_) => None,
            Err(e) => Some(e),
        };
        if started.elapsed() >= args.timeout {
            match last_error {
                Some(e) => eprintln!("error: {e}"),
                None => eprintln!(
                    "error: no verdict for {} after {}",
                    args.commit,
                    humantime::format_duration(args.timeout)
                ),
            }
            return exit::INVALID;
        }
        tokio::time::sleep(delay.min(args.timeout.saturating_sub(started.elapsed()))).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

pub async fn status(args: StatusArgs) -> u8 {
    match fetch(&client(), &args.server, &args.commit).await {
        Ok(Some(status)) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&status).unwrap_or_default()
                );
            } else {
                print_status(&status);
            }
            exit::PASSED
        }
        Ok(None) => {
            eprintln!(
                "error: the gate server has no run for commit {}",
                args.commit
            );
            exit::INVALID
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::INFRA
        }
    }
}
