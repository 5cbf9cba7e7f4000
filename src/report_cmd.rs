//! `gate report`: the DORA report of a period — the headline, then each metric with its band
//! and its change against the period before — as the server computes it (`GET
//! /api/v1/report`), or the whole report as JSON. Exit codes: 0 printed, 2 refused or misused,
//! 3 the server could not be reached.

use clap::Args;

use crate::api::{Api, print_answer};
use crate::cli::ServerArgs;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The last full week (Monday to Monday in the digest's time zone): the default.
    #[arg(long, conflicts_with_all = ["since", "until", "this_week"])]
    pub week: bool,
    /// This week so far, as the dashboard shows it.
    #[arg(long, conflicts_with_all = ["since", "until"])]
    pub this_week: bool,
    /// The period's start (RFC 3339, e.g. 2026-11-01T00:00:00Z); with --until.
    #[arg(long, requires = "until", value_name = "TIME")]
    pub since: Option<String>,
    /// The period's end (exclusive; RFC 3339); with --since.
    #[arg(long, requires = "since", value_name = "TIME")]
    pub until: Option<String>,
    /// One service only (default: all).
    #[arg(long)]
    pub service: Option<String>,
    /// Print the whole report as JSON (`{headline, text, report}`).
    #[arg(long)]
    pub json: bool,
}

pub async fn report(args: ReportArgs) -> u8 {
    let api = Api::new(&args.server);
    let mut query: Vec<(&str, &str)> = Vec::new();
    if let (Some(since), Some(until)) = (&args.since, &args.until) {
        query.push(("since", since));
        query.push(("until", until));
    }
    if args.this_week {
        query.push(("week", "current"));
    }
    if let Some(service) = &args.service {
        query.push(("service", service));
    }
    match api.get::<serde_json::Value>(&["report"], &query).await {
        Ok(answer) => print_answer(&answer, args.json, "text"),
        Err(failure) => failure.report("cannot read the report"),
    }
}
