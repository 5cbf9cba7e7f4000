//! End-to-end tests of the metrics over small, hand-built histories in Europe/Berlin; every
//! expected value is worked out by hand in the test.

mod builder;
mod deploys_and_frequency;
mod digest;
mod failures_and_recovery;
mod gate;
mod lead_time;
mod local_weeks;
mod report_shape;
mod rework;
