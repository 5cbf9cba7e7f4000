//! Scenario files: arbitrary text through [`parse_scenario`] and [`check_suite`]. Neither
//! panics; a refused file has at least one error and every diagnostic is located; the two
//! entry points agree on whether the file is valid and on the scenario it holds, and the
//! suite's diagnostics hold the file's own.

use gate_scenarios::{CheckOptions, Diagnostic, SourceFile, check_suite, parse_scenario};

use crate::diagnostics::assert_located;

const PATH: &str = "tests/fuzz.toml";

pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_scenario(PATH, &text);
    let file = SourceFile {
        path: PATH,
        text: &text,
    };
    let (suite, diagnostics) = check_suite(&[file], &CheckOptions::default());
    for diagnostic in &diagnostics {
        assert_located(diagnostic, PATH, &text);
    }
    match parsed {
        Ok(scenario) => {
            assert_eq!(
                suite.scenarios,
                [scenario],
                "check_suite does not hold the scenario parse_scenario read"
            );
        }
        Err(refused) => {
            assert!(
                refused.iter().any(Diagnostic::is_error),
                "refused without an error: {refused:?}"
            );
            // check_suite adds the cross-file ones (a `session` naming no scenario of the run).
            for diagnostic in &refused {
                assert!(
                    diagnostics.contains(diagnostic),
                    "check_suite lost a diagnostic of parse_scenario: {diagnostic:?}"
                );
            }
            assert!(
                suite.scenarios.is_empty(),
                "check_suite took a file parse_scenario refused: {refused:?}"
            );
            assert!(
                diagnostics.iter().any(Diagnostic::is_error),
                "check_suite found no error in a file parse_scenario refused: {refused:?}"
            );
        }
    }
}
