//! The exit codes of `gate`, documented in the README. CI systems rely on them.

/// Every scenario passed (flaky ones count as passed unless `--fail-on-flaky`).
pub const PASSED: u8 = 0;
/// At least one scenario failed: the code under test is at fault.
pub const FAILED: u8 = 1;
/// Invalid scenarios, configuration or command-line usage: nothing ran.
pub const INVALID: u8 = 2;
/// Infrastructure error: the browser could not start or kept dying.
pub const INFRA: u8 = 3;
/// Interrupted (Ctrl-C or SIGTERM); partial reports were written.
pub const INTERRUPTED: u8 = 130;
