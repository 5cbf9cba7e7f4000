//! What the API tests share: a gate (`app(state)` over a real SQLite store in a temp dir, with
//! small scenario files and one token per scope) and requests to it through `oneshot`
//! ([`Gate`]), and hand-built scenario results, recorded as a runner would ([`finish_all`]).

#![allow(
    dead_code,
    unused_imports,
    reason = "each test file uses its own part of the harness"
)]
#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod gate;
mod results;
mod services;

pub use gate::*;
pub use results::*;
pub use services::*;
