//! One scenario file → one [`Scenario`]. (Stub: being implemented.)

use crate::diagnostic::Diagnostic;
use crate::model::Scenario;

/// Parses and validates one file on its own. Returns every problem found, not just the first.
pub fn parse_scenario(path: &str, text: &str) -> Result<Scenario, Vec<Diagnostic>> {
    let _ = (path, text);
    todo!("parse_scenario")
}
