//! `gate review`: the seven-gate review of the server's pipeline (`GET /api/v1/review`) —
//! each gate installed, partial or missing with its evidence and what to add — as text,
//! Markdown (`--markdown`, to paste into a ticket) or JSON. Exit codes: 0 printed, 2 refused
//! or misused, 3 the server could not be reached.

use clap::Args;

use crate::api::{Api, print_answer};
use crate::cli::ServerArgs;

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Print Markdown: a table of the gates, then what to add for each one missing.
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Print the review as JSON (`{review, text, markdown}`).
    #[arg(long)]
    pub json: bool,
}

pub async fn review(args: ReviewArgs) -> u8 {
    let api = Api::new(&args.server);
    match api.get::<serde_json::Value>(&["review"], &[]).await {
        Ok(answer) => {
            let field = if args.markdown { "markdown" } else { "text" };
            print_answer(&answer, args.json, field)
        }
        Err(failure) => failure.report("cannot read the review"),
    }
}
