//! `gate flow`: the release flow as the server sees it (`GET /api/v1/flow`): one line per
//! stage (order, name, gate's or people's, owners, runs, median duration, failure share), then
//! the risks with what to do about each; `--json` prints the answer. `gate flow done STAGE
//! --release VERSION` records that someone performed a manual stage (`POST
//! /api/v1/flow/{stage}/done`, audited). Exit codes: 0 printed or recorded, 2 refused or
//! misused, 3 the server could not be reached.

use clap::{Args, Subcommand};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use gate_wire::{Flow, StageDone, StagePerformed};

use crate::api::Api;
use crate::cli::ServerArgs;
use crate::exit;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FlowArgs {
    #[command(subcommand)]
    pub command: Option<FlowCommand>,
    /// The gate server's URL.
    #[arg(long, env = "GATE_SERVER", global = true, value_name = "URL", value_parser = crate::url_arg::http_url("https://gate.example.com"))]
    pub server: Option<String>,
    /// API token (scope `read` to show the flow, `deploy` to record a stage).
    #[arg(long, env = "GATE_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// Print the server's JSON answer instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// Record that a manual stage was performed for a release (audited).
    Done(DoneArgs),
}

#[derive(Debug, Args)]
pub struct DoneArgs {
    /// The manual stage, by its name in [release].
    pub stage: String,
    /// The release's version, e.g. 1.4.2.
    #[arg(long, value_name = "VERSION")]
    pub release: String,
    /// Who performed it [default: the token's name].
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// A note for the audit log.
    #[arg(long)]
    pub note: Option<String>,
    /// How long it took, e.g. 25m.
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub took: Option<std::time::Duration>,
}

pub async fn flow(args: FlowArgs) -> u8 {
    let (Some(server), Some(token)) = (args.server, args.token) else {
        eprintln!(
            "error: name the gate server and a token: --server URL --token TOKEN (or GATE_SERVER and GATE_TOKEN)"
        );
        return exit::INVALID;
    };
    let api = Api::new(&ServerArgs { server, token });
    match args.command {
        Some(FlowCommand::Done(done)) => record(&api, done).await,
        None => show(&api, args.json).await,
    }
}

async fn show(api: &Api, json: bool) -> u8 {
    if json {
        return match api.get::<serde_json::Value>(&["flow"], &[]).await {
            Ok(answer) => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&answer).unwrap_or_default()
                );
                exit::PASSED
            }
            Err(failure) => failure.report("cannot read the release flow"),
        };
    }
    match api.get::<Flow>(&["flow"], &[]).await {
        Ok(flow) => {
            print!("{}", text(&flow));
            exit::PASSED
        }
        Err(failure) => failure.report("cannot read the release flow"),
    }
}

async fn record(api: &Api, args: DoneArgs) -> u8 {
    let body = StageDone {
        release: args.release,
        by: args.by,
        note: args.note,
        took_seconds: args.took.map(|d| d.as_secs_f64()),
    };
    match api
        .post::<_, StagePerformed>(&["flow", &args.stage, "done"], &body)
        .await
    {
        Ok(p) => {
            println!(
                "recorded: {} of release {} performed by {} (audited)",
                p.stage, p.release, p.by
            );
            exit::PASSED
        }
        Err(failure) => failure.report("cannot record the stage"),
    }
}

/// The flow for people: where it comes from, the stage table, the risks, the notes.
fn text(flow: &Flow) -> String {
    let mut out = format!(
        "Release flow ({}; figures over the last {} days)\n",
        if flow.declared {
            "declared in [release]"
        } else {
            "the stages gate runs"
        },
        flow.window_days
    );
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "#", "stage", "done by", "owners", "runs", "median", "failed",
        ]);
    for s in &flow.stages {
        let median = match (&s.median, s.median_is_usual) {
            (Some(m), true) => format!("{m} (usually)"),
            (Some(m), false) => m.clone(),
            (None, _) => "-".into(),
        };
        table.add_row(vec![
            s.position.to_string(),
            format!("{} ({})", s.name, s.kind),
            if s.automated { "gate" } else { "people" }.to_string(),
            s.owners.join(", "),
            s.runs.to_string(),
            median,
            s.failure_share
                .map_or("-".into(), |f| format!("{:.0}%", f * 100.0)),
        ]);
    }
    out.push_str(&format!("{table}\n"));
    if flow.risks.is_empty() {
        out.push_str("No risk found.\n");
    } else {
        out.push_str(&format!("Risks ({}):\n", flow.risks.len()));
        for r in &flow.risks {
            out.push_str(&format!(
                "  ! {} [{}]: {}\n    what to do: {}\n",
                r.stage, r.kind, r.message, r.advice
            ));
        }
    }
    for note in &flow.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}
