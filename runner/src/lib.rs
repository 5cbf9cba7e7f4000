//! The gate runner: executes scenarios in a pool of headless Chromium browsers and turns what
//! happened into plain result data, which the reporters render.

pub mod report;
pub mod result;
