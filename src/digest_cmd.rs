//! `gate digest --send-now` and `gate digest --preview`: the weekly digest of the last full
//! week, sent at once to every channel the server has (following each delivery until it went
//! out or an attempt failed), or printed without sending. Exit codes: 0 delivered (or
//! printed), 1 a channel's attempt failed (the server retries it: `/digests` shows it), 2 the
//! server refused (no channel configured, a missing scope), 3 the server could not be reached.

use std::time::{Duration, Instant};

use clap::Args;
use gate_wire::{DigestList, DigestPreview, DigestSent, DigestView};

use crate::api::Api;
use crate::cli::ServerArgs;
use crate::exit;

#[derive(Debug, Args)]
#[group(id = "what", required = true, multiple = false)]
pub struct DigestArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Compose the digest of the last full week and send it to every configured channel now
    /// (needs the `deploy` scope), then wait until each delivery went out or failed.
    #[arg(long, group = "what")]
    pub send_now: bool,
    /// Print the digest of the last full week (its subject and text) without sending it.
    #[arg(long, group = "what")]
    pub preview: bool,
    /// How long `--send-now` waits for the deliveries.
    #[arg(long, default_value = "2m", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub wait: Duration,
}

pub async fn digest(args: DigestArgs) -> u8 {
    let api = Api::new(&args.server);
    if args.preview {
        return match api.get::<DigestPreview>(&["digests", "preview"], &[]).await {
            Ok(p) => {
                println!("Subject: {}", p.subject);
                println!("Week: {} to {}", p.period_since, p.period_until);
                match p.channels.is_empty() {
                    true => println!("Channels: none configured"),
                    false => println!("Channels: {}", p.channels.join(", ")),
                }
                println!();
                print!("{}", p.text);
                exit::PASSED
            }
            Err(failure) => failure.report("cannot preview the digest"),
        };
    }
    let sent: DigestSent = match api.post(&["digests", "send"], &serde_json::json!({})).await {
        Ok(sent) => sent,
        Err(failure) => return failure.report("cannot send the digest"),
    };
    let channels: Vec<&str> = sent.digests.iter().map(|d| d.channel.as_str()).collect();
    println!(
        "digest of {} to {} queued for {}",
        sent.digests.first().map_or("", |d| d.period_since.as_str()),
        sent.digests.first().map_or("", |d| d.period_until.as_str()),
        channels.join(", ")
    );
    follow(&api, &sent.digests, args.wait).await
}

/// Waits until every row in `queued` went out or had an attempt fail, printing each outcome.
async fn follow(api: &Api, queued: &[DigestView], limit: Duration) -> u8 {
    let started = Instant::now();
    let mut pause = Duration::from_millis(100);
    let mut reported: Vec<String> = Vec::new();
    let mut failed = false;
    loop {
        let list: DigestList = match api.get(&["digests"], &[("limit", "1000")]).await {
            Ok(list) => list,
            Err(failure) => return failure.report("cannot follow the digest"),
        };
        let fresh: Vec<&DigestView> = list
            .digests
            .iter()
            .filter(|d| queued.iter().any(|q| q.id == d.id) && !reported.contains(&d.id))
            .collect();
        for row in fresh {
            let line = match (row.state.as_str(), &row.last_error) {
                ("delivered", _) => format!("{}: delivered", row.channel),
                ("failed", error) => {
                    format!(
                        "{}: given up: {}",
                        row.channel,
                        error.as_deref().unwrap_or("")
                    )
                }
                (_, Some(error)) => format!(
                    "{}: attempt {} failed: {error}; the server retries at {}",
                    row.channel,
                    row.attempts,
                    row.next_attempt_at.as_deref().unwrap_or("?")
                ),
                _ => continue,
            };
            failed |= row.state != "delivered";
            println!("{line}");
            reported.push(row.id.clone());
        }
        if reported.len() == queued.len() {
            break;
        }
        if started.elapsed() >= limit {
            eprintln!(
                "error: not every digest went out within {limit:?}; the server keeps trying (see /digests)"
            );
            return exit::FAILED;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(1));
    }
    if failed {
        eprintln!("not every channel got the digest: /digests shows its state");
        exit::FAILED
    } else {
        exit::PASSED
    }
}
