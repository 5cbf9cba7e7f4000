//! Shows a run as it happens: progress bars on a terminal (overall, and one line per worker),
//! one plain line per finished scenario elsewhere (CI logs), nothing with `--quiet`. Reads run
//! events only; it never looks at the browser or the files.

use std::io::IsTerminal;
use std::time::Duration;

use gate_runner::RunEvent;
use gate_runner::result::{Outcome, ScenarioResult};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc::UnboundedReceiver;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Bars,
    Lines,
    Quiet,
}

impl Mode {
    pub fn detect(quiet: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Lines
        }
    }
}

/// Consumes events until the run finishes (the sender is dropped).
pub async fn show(mode: Mode, mut events: UnboundedReceiver<RunEvent>) {
    let mut bars = Bars::default();
    while let Some(event) = events.recv().await {
        match mode {
            Mode::Quiet => {}
            Mode::Lines => {
                if let RunEvent::ScenarioFinished { result, .. } = &event {
                    eprintln!("{}", line(result));
                }
                if let RunEvent::BrowserRestarting { worker, reason } = &event {
                    eprintln!("worker {worker}: restarting its browser ({reason})");
                }
                if let RunEvent::BrowserRecycled { worker, attempts } = &event {
                    eprintln!("worker {worker}: fresh browser after {attempts} attempts");
                }
            }
            Mode::Bars => bars.apply(event),
        }
    }
    bars.clear();
}

#[derive(Default)]
struct Bars {
    multi: Option<MultiProgress>,
    overall: Option<ProgressBar>,
    workers: Vec<ProgressBar>,
}

impl Bars {
    fn apply(&mut self, event: RunEvent) {
        match event {
            RunEvent::Started { total, workers } => {
                let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
                let overall = multi.add(ProgressBar::new(total as u64));
                overall.set_style(
                    ProgressStyle::with_template("{prefix:>8.bold} [{bar:30.green/dim}] {pos}/{len} scenarios {msg} ({elapsed})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                overall.set_prefix("running");
                overall.enable_steady_tick(Duration::from_millis(120));
                for w in 0..workers {
                    let bar = multi.add(ProgressBar::new_spinner());
                    bar.set_style(
                        ProgressStyle::with_template(
                            "  {spinner:.cyan} worker {prefix}: {wide_msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    bar.set_prefix((w + 1).to_string());
                    bar.set_message("starting browser…");
                    bar.enable_steady_tick(Duration::from_millis(120));
                    self.workers.push(bar);
                }
                self.overall = Some(overall);
                self.multi = Some(multi);
            }
            RunEvent::BrowserReady { worker } => self.worker(worker, "browser ready".into()),
            RunEvent::BrowserRestarting { worker, reason } => {
                self.worker(worker, format!("restarting browser: {reason}"))
            }
            RunEvent::BrowserRecycled { worker, attempts } => {
                self.worker(worker, format!("fresh browser after {attempts} attempts"))
            }
            RunEvent::ScenarioStarted {
                worker,
                name,
                attempt,
            } => {
                let suffix = if attempt > 1 {
                    format!(" (attempt {attempt})")
                } else {
                    String::new()
                };
                self.worker(worker, format!("{name}{suffix}"));
            }
            RunEvent::StepStarted {
                worker,
                scenario,
                index,
                total,
                description,
            } => {
                self.worker(
                    worker,
                    format!("{scenario} › {description} [{}/{total}]", index + 1),
                );
            }
            RunEvent::Retrying {
                worker,
                name,
                attempt,
                ..
            } => self.worker(
                worker,
                format!("{name}: attempt {attempt} failed, retrying"),
            ),
            RunEvent::ScenarioFinished { worker, result } => {
                if let (Some(multi), Some(overall)) = (&self.multi, &self.overall) {
                    let _ = multi.println(line(&result));
                    overall.inc(1);
                    let failed = overall.message();
                    if matches!(result.outcome, Outcome::Failed | Outcome::Error) {
                        let n = failed
                            .split_whitespace()
                            .next()
                            .and_then(|n| n.parse::<u32>().ok())
                            .unwrap_or(0)
                            + 1;
                        overall.set_message(format!("{n} not passing"));
                    }
                }
                self.worker(worker, "idle".into());
            }
            RunEvent::Finished { .. } => self.clear(),
        }
    }

    fn worker(&self, worker: usize, message: String) {
        if let Some(bar) = worker.checked_sub(1).and_then(|i| self.workers.get(i)) {
            bar.set_message(message);
        }
    }

    fn clear(&mut self) {
        for bar in self.workers.drain(..) {
            bar.finish_and_clear();
        }
        if let Some(overall) = self.overall.take() {
            overall.finish_and_clear();
        }
        self.multi = None;
    }
}

/// `PASS checkout (1.2s)`, or with the failing step and reason.
pub fn line(result: &ScenarioResult) -> String {
    let label = match result.outcome {
        Outcome::Passed => "PASS ",
        Outcome::Flaky => "FLAKY",
        Outcome::Failed => "FAIL ",
        Outcome::Error => "ERROR",
        Outcome::Cancelled => "STOP ",
    };
    let mut s = format!(
        "{label} {} ({:.1}s)",
        result.name,
        result.duration_ms as f64 / 1000.0
    );
    if let Some(f) = result.failure() {
        if result.outcome != Outcome::Flaky {
            let at = f.location.as_deref().unwrap_or(&result.path);
            s.push_str(&format!("\n      at {at}: {}", f.message));
            if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
                s.push_str(&format!("\n      expected: {e}\n      actual:   {a}"));
            }
        }
    }
    s
}
