//! The interface between the runner and whatever shows progress (terminal bars, CI lines).
//!
//! The runner sends these on an unbounded channel as things happen; it never waits for the
//! receiver, and a dropped receiver is fine.

use crate::result::{RunResult, ScenarioResult};

#[derive(Debug, Clone)]
pub enum RunEvent {
    /// The run starts with `total` scenarios on `workers` browsers.
    Started { total: usize, workers: usize },
    /// A worker's browser is up (or back up after a crash).
    BrowserReady { worker: usize },
    /// A worker lost its browser and is starting a new one.
    BrowserRestarting { worker: usize, reason: String },
    /// A worker replaced its healthy browser after it served `attempts` attempts
    /// (`--recycle-after`).
    BrowserRecycled { worker: usize, attempts: u32 },
    ScenarioStarted {
        worker: usize,
        name: String,
        attempt: u32,
    },
    StepStarted {
        worker: usize,
        scenario: String,
        index: usize,
        total: usize,
        description: String,
    },
    /// An attempt did not pass and the scenario will run again.
    Retrying {
        worker: usize,
        name: String,
        attempt: u32,
        reason: String,
    },
    ScenarioFinished {
        worker: usize,
        result: ScenarioResult,
    },
    /// Everything is done (or stopped); `result` is what the reporters get.
    Finished { result: Box<RunResult> },
}
