//! Shows a deployment as it goes: on a terminal, bars (the canary's weight with the step and
//! the time left, both versions' traffic, the analysis' verdict) with the log printed above
//! them; elsewhere (CI logs) plain lines, one per change, no ANSI. Reads deployment views only
//! (what `deploy_text` says of them); it never calls the server.

use std::io::IsTerminal;
use std::time::Duration;

use gate_wire::{DeployPhase, DeploymentView, LogLine};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::deploy_text as text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Bars,
    Lines,
}

impl Mode {
    /// Bars on a terminal, lines elsewhere.
    pub fn detect() -> Mode {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        if std::io::stdout().is_terminal() && !dumb {
            Mode::Bars
        } else {
            Mode::Lines
        }
    }
}

/// What the user sees while a deployment is followed.
pub struct Progress {
    mode: Mode,
    bars: Option<Bars>,
    /// Log lines already shown (the log only grows).
    shown_log: usize,
    /// The last status line printed (lines mode): a new one only when it differs.
    last_status: Option<String>,
    view: Option<DeploymentView>,
}

struct Bars {
    multi: MultiProgress,
    weight: ProgressBar,
    traffic: ProgressBar,
    verdict: ProgressBar,
}

impl Progress {
    pub fn new(mode: Mode) -> Progress {
        Progress {
            mode,
            bars: None,
            shown_log: 0,
            last_status: None,
            view: None,
        }
    }

    /// A new reading of the deployment.
    pub fn show(&mut self, view: &DeploymentView, now_ms: i64) {
        let fresh: Vec<LogLine> = view.log.iter().skip(self.shown_log).cloned().collect();
        self.shown_log = self.shown_log.max(view.log.len());
        for line in &fresh {
            self.print(&log_line(line));
        }
        match self.mode {
            Mode::Lines => {
                let status = text::status(view);
                if self.last_status.as_ref() != Some(&status) && !view.phase.is_final() {
                    println!("{status}{}", text::countdown(view, now_ms));
                }
                self.last_status = Some(status);
            }
            Mode::Bars => {
                self.view = Some(view.clone());
                self.draw(now_ms);
            }
        }
    }

    /// A second passed: the countdown moves.
    pub fn tick(&mut self, now_ms: i64) {
        if self.mode == Mode::Bars {
            self.draw(now_ms);
        }
    }

    /// Something about following, not the deployment (the server is unreachable, say).
    pub fn note(&mut self, text: &str) {
        self.print(text);
    }

    /// Removes the bars (before the outcome is printed).
    pub fn finish(&mut self) {
        if let Some(bars) = self.bars.take() {
            bars.weight.finish_and_clear();
            bars.traffic.finish_and_clear();
            bars.verdict.finish_and_clear();
        }
    }

    fn print(&self, line: &str) {
        match &self.bars {
            Some(bars) => {
                let _ = bars.multi.println(line);
            }
            None => println!("{line}"),
        }
    }

    fn draw(&mut self, now_ms: i64) {
        let Some(view) = self.view.clone() else {
            return;
        };
        if view.phase.is_final() {
            return;
        }
        let bars = self.bars.get_or_insert_with(Bars::new);
        bars.weight.set_prefix(view.phase.as_str());
        bars.weight.set_position(u64::from(view.weight));
        bars.weight.set_message(match view.phase {
            DeployPhase::Canary => format!(
                "on {} · {}{}{}",
                view.version,
                text::step_of(&view),
                text::held(&view),
                text::countdown(&view, now_ms)
            ),
            _ => text::where_it_is(&view),
        });
        match &view.decision {
            Some(d) => {
                bars.traffic.set_message(text::traffic(&view, d));
                bars.verdict.set_message(text::judgement(d));
            }
            None if view.phase == DeployPhase::Canary => {
                bars.traffic
                    .set_message("no traffic counted in this step yet");
                bars.verdict.set_message("");
            }
            None => {
                bars.traffic.set_message("");
                bars.verdict.set_message("");
            }
        }
    }
}

impl Bars {
    fn new() -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stdout());
        let weight = multi.add(ProgressBar::new(100));
        weight.set_style(
            ProgressStyle::with_template(
                "{spinner:.cyan} {prefix:>8.bold} [{bar:30.green/dim}] {pos:>3}% {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        weight.enable_steady_tick(Duration::from_millis(120));
        let line = || {
            let bar = multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("           {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        };
        let traffic = line();
        let verdict = line();
        Bars {
            multi,
            weight,
            traffic,
            verdict,
        }
    }
}

/// `14:30:01 transition: pending → canary …`, a hook's output indented under it.
pub fn log_line(line: &LogLine) -> String {
    let clock = line
        .at
        .split_once('T')
        .and_then(|(_, t)| t.get(..8))
        .unwrap_or(&line.at);
    let mut out = String::new();
    for (i, part) in line.text.lines().enumerate() {
        if i == 0 {
            out.push_str(&format!("{clock} {}: {part}", line.kind));
        } else {
            out.push_str(&format!("\n         {part}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_show_the_clock_the_kind_and_indented_output() {
        let line = LogLine {
            at: "2026-12-02T14:30:01.250Z".into(),
            kind: "hook".into(),
            text: "up hook exited 0 in 1.2s\n  http://127.0.0.1:9002".into(),
        };
        assert_eq!(
            log_line(&line),
            "14:30:01 hook: up hook exited 0 in 1.2s\n           http://127.0.0.1:9002"
        );
    }
}
