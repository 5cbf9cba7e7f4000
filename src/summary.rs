//! The summary at the end of a run: a table of scenarios and a one-line verdict.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use gate_runner::result::{Outcome, RunResult};

use crate::progress::Mode;

pub fn print(result: &RunResult, reports: &[(String, String)], mode: Mode) {
    let color = mode == Mode::Bars;
    if mode != Mode::Quiet {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        table.set_header(["result", "scenario", "time", "attempts", "details"]);
        for s in &result.scenarios {
            let (label, c) = match s.outcome {
                Outcome::Passed => ("passed", Color::Green),
                Outcome::Flaky => ("flaky", Color::Yellow),
                Outcome::Failed => ("FAILED", Color::Red),
                Outcome::Error => ("ERROR", Color::Magenta),
                Outcome::Cancelled => ("cancelled", Color::Grey),
            };
            let mut cell = Cell::new(label);
            if color {
                cell = cell.fg(c);
            }
            let details = match (s.outcome, s.failure()) {
                (Outcome::Passed, _) | (_, None) => String::new(),
                (Outcome::Flaky, _) => {
                    let first = s.attempts.iter().find_map(|a| a.failure.as_ref());
                    first
                        .map(|f| format!("passed on retry; first: {}", f.message))
                        .unwrap_or_default()
                }
                (_, Some(f)) => format!(
                    "{}: {}",
                    f.location.as_deref().unwrap_or(&s.path),
                    f.message
                ),
            };
            table.add_row(vec![
                cell,
                Cell::new(&s.name),
                Cell::new(format!("{:.1}s", s.duration_ms as f64 / 1000.0)),
                Cell::new(s.attempts.len()),
                Cell::new(details),
            ]);
        }
        eprintln!("{table}");
    }
    for (what, path) in reports {
        eprintln!("{what} report: {path}");
    }
    println!("{}", verdict_line(result));
}

/// e.g. `gate: 3 passed, 1 failed, 0 flaky, 0 errors in 4.2s (2 workers)`.
pub fn verdict_line(result: &RunResult) -> String {
    let mut s = format!(
        "gate: {} passed, {} failed, {} flaky, {} errors",
        result.count(Outcome::Passed),
        result.count(Outcome::Failed),
        result.count(Outcome::Flaky),
        result.count(Outcome::Error)
    );
    let cancelled = result.count(Outcome::Cancelled);
    if cancelled > 0 {
        s.push_str(&format!(", {cancelled} not run (interrupted)"));
    }
    s.push_str(&format!(
        " in {:.1}s ({} workers)",
        result.duration_ms as f64 / 1000.0,
        result.workers
    ));
    s
}
