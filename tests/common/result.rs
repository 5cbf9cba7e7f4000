//! Reading gate's JSON result.

use std::path::Path;

/// The JSON result file, parsed.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON result")
}

/// The scenario named `name` in a JSON result.
pub fn scenario<'a>(result: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    result["scenarios"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no scenario {name} in {result:#}"))
}

/// The names of the scenarios in a JSON result, in its order.
pub fn scenario_names(result: &serde_json::Value) -> Vec<&str> {
    result["scenarios"]
        .as_array()
        .unwrap_or_else(|| panic!("no scenarios in {result:#}"))
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect()
}
