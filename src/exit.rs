//! The exit codes of `gate`, documented in the README. CI systems rely on them.

/// Every scenario passed (flaky ones count as passed unless `--fail-on-flaky`); a deployment
/// was promoted; the audit log holds; a command did what it was asked.
pub const PASSED: u8 = 0;
/// At least one scenario failed: the code under test is at fault. A deployment was rolled
/// back, aborted or failed; the audit log's chain is broken.
pub const FAILED: u8 = 1;
/// Invalid scenarios, configuration or command-line usage: nothing ran. A request the server
/// refused (a commit that is not green, a deployment in progress, a missing scope).
pub const INVALID: u8 = 2;
/// Infrastructure error: the browser could not start or kept dying; the gate server could not
/// be reached or failed.
pub const INFRA: u8 = 3;
/// Interrupted (Ctrl-C or SIGTERM); partial reports were written.
pub const INTERRUPTED: u8 = 130;
