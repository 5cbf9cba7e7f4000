//! What the end-to-end tests share: the real `gate` binary ([`GateRun`] for `gate run`), the
//! real demo shop as a child process on a free loopback port ([`Shop`]), real Chromium, and in
//! [`server`] a real `gate serve` with its agents, commands and API, with [`events`] to wait on
//! what it announces. Nothing is mocked. A new test is a few lines:
//!
//! ```ignore
//! let shop = Shop::start(&[]);
//! let tmp = tempfile::tempdir().unwrap();
//! let run = GateRun::new(tmp.path(), &shop.base_url, examples()).workers(1).output();
//! assert_eq!(run.code, Some(0), "{}", run.log);
//! assert_eq!(scenario(&run.json, "login")["outcome"], "passed");
//! ```

#![allow(
    dead_code,
    unused_imports,
    reason = "each test binary uses a different subset"
)]
#![allow(clippy::unwrap_used, reason = "test helpers should fail loudly")]

pub mod canary;
pub mod dice;
pub mod docker;
pub mod events;
mod files;
mod gate_run;
mod git;
mod process;
pub mod proxy;
mod result;
pub mod server;
mod shop;

pub use files::{examples, files_under, line_of, repo, step_line_of};
pub use gate_run::{GateRun, RunOutput, Running, gate, gate_bin, text};
pub use git::git;
pub use process::{Footprint, assert_no_browsers_under, browser_pids, signal, wait_for_line};
pub use result::{read_json, scenario, scenario_names};
pub use shop::{PASSWORD, Shop};
