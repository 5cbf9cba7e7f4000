//! `gate.toml`: arbitrary text through [`gate_server::config::parse`], once with an empty
//! environment and once with every variable it may name for a secret set (outside `GATE_*`).
//! It never panics; a refused file has at least one diagnostic, each located in the file; no
//! diagnostic shows a secret's value.

use gate_server::config;

use crate::diagnostics::assert_located;

const PATH: &str = "gate.toml";

/// What every variable outside `GATE_*` holds in the second pass. The `GATE_*` ones (the
/// overrides `gate serve` reads from its environment) stay unset, so that every diagnostic is
/// about the file.
const SECRET: &str = "fuzz-secret-value-3f9c";

pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // A file that holds the value itself may be quoted back.
    let planted = text.contains(SECRET);
    let unset = |_: &str| None;
    let secrets = |name: &str| (!name.starts_with("GATE_")).then(|| SECRET.to_string());
    for env in [&unset as &dyn Fn(&str) -> Option<String>, &secrets] {
        let Err(err) = config::parse(PATH, &text, env) else {
            continue;
        };
        let diagnostics: Vec<_> = err.diagnostics().collect();
        assert!(!diagnostics.is_empty(), "refused without a diagnostic");
        for diagnostic in diagnostics {
            assert_located(diagnostic, PATH, &text);
            assert!(
                planted || !format!("{diagnostic:?}").contains(SECRET),
                "a diagnostic shows a secret: {diagnostic:?}"
            );
        }
        let rendered = err.render(false);
        assert!(
            planted || !rendered.contains(SECRET),
            "the rendered errors show a secret:\n{rendered}"
        );
    }
}
