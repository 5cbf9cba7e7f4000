//! `gate import FILE.csv…`: a team's deployment and incident history from CSV files, checked
//! here row by row (all problems at once, by file, line and column), then sent as one
//! `POST /api/v1/history`, which the server stores all or nothing. A row the server refuses is
//! pointed at by its line too. Exit codes: 0 imported (or checked, with `--dry-run`), 2 a
//! file's problem or the server's refusal (nothing imported), 3 the server could not be
//! reached.

use std::path::PathBuf;

use clap::Args;
use gate_wire::{HistoryRecorded, MAX_HISTORY_BYTES, MAX_HISTORY_ROWS};
use reqwest::StatusCode;

use crate::api::{Api, Failure};
use crate::cli::ServerArgs;
use crate::exit;
use gate::import::batch::{Batch, Located};
use gate::import::parse::{self, Kind, Problem, Rows};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV files of deployments or incidents, each told by its header row (README: Importing
    /// history). All of them go in one request: imported all or nothing.
    #[arg(required = true, value_name = "FILE.csv")]
    pub files: Vec<PathBuf>,
    /// Check the files and print what would be imported; send nothing (no server needed).
    #[arg(long)]
    pub dry_run: bool,
    /// The gate server's URL.
    #[arg(long, env = "GATE_SERVER", value_name = "URL", required_unless_present = "dry_run", value_parser = crate::url_arg::http_url("https://gate.example.com"))]
    pub server: Option<String>,
    /// API token with the `deploy` scope.
    #[arg(
        long,
        env = "GATE_TOKEN",
        hide_env_values = true,
        required_unless_present = "dry_run"
    )]
    pub token: Option<String>,
}

pub async fn import(args: ImportArgs) -> u8 {
    let names: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let mut files = Vec::new();
    let mut problems: Vec<Located> = Vec::new();
    for (index, path) in args.files.iter().enumerate() {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", names[index]);
                return exit::INVALID;
            }
        };
        let parsed = parse::parse(&bytes);
        problems.extend(parsed.problems.into_iter().map(|problem| Located {
            file: index,
            problem,
        }));
        files.extend(parsed.rows.map(|rows| (index, rows)));
    }
    let mut batch = Batch::default();
    let mut summaries = Vec::new();
    for (index, rows) in files {
        summaries.push(summary(&names[index], &rows));
        batch.add(index, &names[index], rows);
    }
    problems.extend(batch.check());
    if !problems.is_empty() {
        return refuse(&names, problems);
    }
    if let Some(why) = too_large(&batch) {
        eprintln!("error: {why}");
        eprintln!(
            "  hint: split the history into files of fewer rows (by date, say) and import them \
             one after the other; each import is stored all or nothing"
        );
        return exit::INVALID;
    }
    let totals = totals(&batch);
    if args.dry_run {
        for line in &summaries {
            println!("{line}");
        }
        println!("would import {totals}; nothing was sent (--dry-run)");
        return exit::PASSED;
    }
    let (Some(server), Some(token)) = (args.server, args.token) else {
        // clap requires both without --dry-run.
        eprintln!("error: give --server and --token (or GATE_SERVER and GATE_TOKEN)");
        return exit::INVALID;
    };
    let api = Api::new(&ServerArgs { server, token });
    match api
        .post::<_, HistoryRecorded>(&["history"], &batch.request)
        .await
    {
        Ok(recorded) => {
            println!(
                "imported {totals} ({} new, {} replaced) from {}",
                recorded.created,
                recorded.replaced,
                names.join(", ")
            );
            exit::PASSED
        }
        Err(failure) => refused_by_server(&names, &batch, &failure),
    }
}

/// Prints every problem, in file and line order, and says that nothing was imported.
fn refuse(names: &[String], mut problems: Vec<Located>) -> u8 {
    problems.sort_by_key(|l| (l.file, l.problem.line));
    for located in &problems {
        eprint!("{}", render(&names[located.file], &located.problem));
    }
    let files = {
        let mut files: Vec<usize> = problems.iter().map(|l| l.file).collect();
        files.dedup();
        files.len()
    };
    eprintln!(
        "error: {} problem(s) in {files} file(s); nothing was imported",
        problems.len()
    );
    exit::INVALID
}

/// `FILE:LINE: column NAME: message`, and a hint under it.
fn render(file: &str, problem: &Problem) -> String {
    let mut out = file.to_string();
    if let Some(line) = problem.line {
        out += &format!(":{line}");
    }
    out += ": ";
    if let Some(column) = &problem.column {
        out += &format!("column {column}: ");
    }
    out += &problem.message;
    out.push('\n');
    if let Some(hint) = &problem.hint {
        out += &format!("  hint: {hint}\n");
    }
    out
}

/// The server's refusal, at the row it names when it names one; else its message and what to
/// do.
fn refused_by_server(names: &[String], batch: &Batch, failure: &Failure) -> u8 {
    if let Failure::Refused {
        field: Some(field),
        message,
        ..
    } = failure
        && let Some(mut located) = batch.locate(field, message)
    {
        located.problem = located
            .problem
            .with_hint("the server refused this row; nothing was imported");
        eprint!("{}", render(&names[located.file], &located.problem));
        return exit::INVALID;
    }
    let code = failure.report("cannot import");
    let hint = match failure {
        Failure::Refused { status, .. } if *status == StatusCode::PAYLOAD_TOO_LARGE => {
            "this server takes smaller requests: split the files and import them one after the \
             other"
        }
        Failure::Refused { .. } => "nothing was imported",
        // A lost answer leaves the outcome unknown; a repeat cannot double anything.
        Failure::Infrastructure(_) => {
            "the server stores an import all or nothing, and a row recorded again replaces \
             itself: running the same import again is safe"
        }
    };
    eprintln!("  hint: {hint}");
    code
}

/// Why the request is more than the server takes in one, if it is.
fn too_large(batch: &Batch) -> Option<String> {
    if batch.rows() > MAX_HISTORY_ROWS {
        return Some(format!(
            "{} rows: one import takes at most {MAX_HISTORY_ROWS}",
            batch.rows()
        ));
    }
    let bytes = serde_json::to_vec(&batch.request).map_or(0, |b| b.len());
    (bytes > MAX_HISTORY_BYTES).then(|| {
        format!(
            "the import is {} MiB as JSON: one request takes at most {} MiB",
            bytes >> 20,
            MAX_HISTORY_BYTES >> 20
        )
    })
}

/// "3 deployments and 1 incident".
fn totals(batch: &Batch) -> String {
    let d = batch.request.deployments.len();
    let i = batch.request.incidents.len();
    match (d, i) {
        (d, 0) => counted(d, Kind::Deployments),
        (0, i) => counted(i, Kind::Incidents),
        (d, i) => format!(
            "{} and {}",
            counted(d, Kind::Deployments),
            counted(i, Kind::Incidents)
        ),
    }
}

fn counted(n: usize, kind: Kind) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {}{s}", kind.noun())
}

/// What a file would import: `deployments.csv: 3 deployments of shop, finished 2026-11-03T…
/// to 2026-11-05T…`.
fn summary(name: &str, rows: &Rows) -> String {
    let (services, times, verb): (Vec<&str>, Vec<&str>, &str) = match rows {
        Rows::Deployments(rows) => (
            rows.iter().map(|r| r.row.service.as_str()).collect(),
            rows.iter().map(|r| r.row.finished_at.as_str()).collect(),
            "finished",
        ),
        Rows::Incidents(rows) => (
            rows.iter().map(|r| r.row.service.as_str()).collect(),
            rows.iter().map(|r| r.row.started_at.as_str()).collect(),
            "started",
        ),
    };
    let mut services = services;
    services.sort_unstable();
    services.dedup();
    let shown = match services.len() {
        0..=5 => services.join(", "),
        n => format!("{} and {} more", services[..5].join(", "), n - 5),
    };
    let instant = |t: &&&str| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
    };
    let first = times
        .iter()
        .min_by_key(instant)
        .copied()
        .unwrap_or_default();
    let last = times
        .iter()
        .max_by_key(instant)
        .copied()
        .unwrap_or_default();
    format!(
        "{name}: {} of {shown}, {verb} {first} to {last}",
        counted(rows.len(), rows.kind())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_as_file_line_column_and_hint() {
        let problem = Problem::at(3, Some("finished_at"), "`x` is not an RFC 3339 time")
            .with_hint("write it as 2026-11-30T14:05:00Z");
        assert_eq!(
            render("d.csv", &problem),
            "d.csv:3: column finished_at: `x` is not an RFC 3339 time\n  hint: write it as 2026-11-30T14:05:00Z\n"
        );
        let whole = Problem {
            line: None,
            column: None,
            message: "the file is empty".into(),
            hint: None,
        };
        assert_eq!(render("d.csv", &whole), "d.csv: the file is empty\n");
    }

    #[test]
    fn a_summary_names_the_count_services_and_period() {
        let rows = parse::parse(
            b"service,finished_at,outcome\n\
              web,2026-11-05T12:00:00Z,success\n\
              shop,2026-11-03T11:00:00+01:00,success\n\
              shop,2026-11-03T10:30:00Z,failed\n",
        )
        .rows
        .expect("valid");
        assert_eq!(
            summary("d.csv", &rows),
            "d.csv: 3 deployments of shop, web, finished 2026-11-03T11:00:00+01:00 to 2026-11-05T12:00:00Z"
        );
    }
}
