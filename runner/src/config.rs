//! What a run needs to know that is not in the scenario files: where the system under test is,
//! how many browsers, which browser, limits and where to keep evidence.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::backend::{Backend, Isolation};

/// Settings of one run. Defaults live in [`RunConfig::new`].
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Relative URLs in scenarios are resolved against this.
    pub base_url: String,
    /// Number of browsers running scenarios at once.
    pub workers: usize,
    pub browser: BrowserOptions,
    /// Per-step limit when neither the step nor the scenario sets one.
    pub step_timeout: Duration,
    /// Per-attempt limit when the scenario sets none.
    pub scenario_timeout: Duration,
    /// How often a scenario hit by an infrastructure error is re-run on a fresh browser.
    pub infra_retries: u32,
    /// Where screenshots and page snapshots are written.
    pub artifacts_dir: PathBuf,
    /// `--var name=value` and `GATE_VAR_name`: override `[vars]`.
    pub vars: BTreeMap<String, String>,
    /// Secret values by name. Every value is redacted from all output.
    pub secrets: BTreeMap<String, String>,
    /// Run id used in reports and artifact paths.
    pub run_id: String,
}

impl RunConfig {
    pub fn new(base_url: impl Into<String>, browser: BrowserOptions) -> RunConfig {
        RunConfig {
            base_url: base_url.into(),
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            browser,
            step_timeout: Duration::from_secs(5),
            scenario_timeout: Duration::from_secs(120),
            infra_retries: 2,
            artifacts_dir: PathBuf::from("gate-artifacts"),
            vars: BTreeMap::new(),
            secrets: BTreeMap::new(),
            run_id: crate::run_id::new_run_id(),
        }
    }
}

/// Attempts a kept browser serves before it is replaced ([`BrowserOptions::recycle_after`]).
pub const DEFAULT_RECYCLE_AFTER: u32 = 200;

/// How to start Chromium.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// The Chromium (or Chrome) executable.
    pub executable: PathBuf,
    /// Extra command-line flags, appended to the ones gate always passes.
    pub extra_args: Vec<String>,
    /// Time allowed for the browser to start and open its DevTools endpoint.
    pub launch_timeout: Duration,
    /// Window size of each page.
    pub window: (u32, u32),
    /// Where browsers run: local processes, Docker containers or remote endpoints.
    pub backend: Backend,
    /// The run's isolation level; a scenario's `isolation:<level>` tag can raise it.
    pub isolation: Isolation,
    /// A kept browser is replaced by a fresh one after this many attempts' contexts (0: never),
    /// so what a long-lived browser accumulates (renderer caches, leaked handles) is bounded.
    pub recycle_after: u32,
}

impl BrowserOptions {
    pub fn new(executable: PathBuf) -> BrowserOptions {
        BrowserOptions {
            executable,
            extra_args: Vec::new(),
            launch_timeout: Duration::from_secs(20),
            window: (1280, 800),
            backend: Backend::Local,
            isolation: Isolation::Context,
            recycle_after: DEFAULT_RECYCLE_AFTER,
        }
    }
}
