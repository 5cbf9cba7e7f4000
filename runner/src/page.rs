//! One scenario's browser side: a fresh browser context with one page, what the page logs
//! (console errors, failed requests, network activity, the main frame's navigations and load
//! states), the in-page probe script and real mouse/keyboard input. Created per attempt,
//! disposed after it.

pub mod context;
mod frame;
pub mod input;
mod log;
pub mod script;

pub use context::ScenarioPage;
pub use frame::Mark;
pub use input::key_chord_events;
pub use log::{InFlight, PageLog};
pub use script::ProbeError;
