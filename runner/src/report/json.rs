//! The JSON report: exactly [`RunResult`] serialised, pretty-printed. Tools read this; its shape
//! is the result model's, so changing a field there changes this format.

use std::io;
use std::path::Path;

use crate::result::RunResult;

/// Pretty JSON of the whole run, with a trailing newline.
pub fn to_string(result: &RunResult) -> String {
    // Serialising plain structs, enums and strings to a String cannot fail: there are no maps
    // with non-string keys and no hand-written `Serialize` impls in the result model.
    let mut json = serde_json::to_string_pretty(result)
        .expect("the result model serialises to JSON infallibly");
    json.push('\n');
    json
}

/// Writes [`to_string`] to `path` atomically.
pub fn write(result: &RunResult, path: &Path) -> io::Result<()> {
    super::atomic::write(path, to_string(result).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn round_trips_through_serde() {
        let run = fixture::run();
        let json = to_string(&run);
        let back: RunResult = serde_json::from_str(&json).expect("parse the JSON back");
        assert_eq!(back, run);
    }

    #[test]
    fn uses_the_snake_case_wire_names() {
        let json = to_string(&fixture::run());
        assert!(json.contains(r#""outcome": "flaky""#), "{json}");
        assert!(json.contains(r#""kind": "assertion""#), "{json}");
        assert!(json.ends_with("}\n"));
    }

    #[test]
    fn write_puts_the_same_text_on_disk() {
        let dir = tempfile::tempdir().expect("create a temp dir");
        let path = dir.path().join("gate.json");
        let run = fixture::run();
        write(&run, &path).expect("write the file");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read the file back"),
            to_string(&run)
        );
    }
}
