//! `[release]` in `gate.toml`: ordered stages of gate's kinds and manual ones with owners, a
//! runbook and how long they usually take; a clear diagnostic for each kind of mistake.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::time::Duration;

use gate_flow::StageKind;
use gate_server::config::{self, ServerConfig};

fn parse(text: &str) -> Result<ServerConfig, String> {
    config::parse("gate.toml", text, &|_| None).map_err(|e| e.render(false))
}

#[test]
fn stages_are_read_in_order_with_their_keys() {
    let c = parse(
        r#"
[release]
recent-releases = 3

[[release.stages]]
name = "tests"
kind = "gate"

[[release.stages]]
name = "qa-sign-off"
kind = "manual"
owners = ["ana", "bo"]
runbook = "https://wiki.example.com/qa"
usually = "30m"

[[release.stages]]
name = "changelog"
kind = "manual"
owners = ["cy"]
automated-by-gate = true
"#,
    )
    .unwrap();
    let release = c.release.unwrap();
    assert_eq!(release.recent_releases, 3);
    let s = &release.stages;
    assert_eq!(s.len(), 3);
    assert_eq!((s[0].name.as_str(), s[0].kind), ("tests", StageKind::Gate));
    assert_eq!(s[1].owners, ["ana", "bo"]);
    assert_eq!(s[1].runbook.as_deref(), Some("https://wiki.example.com/qa"));
    assert_eq!(s[1].usually, Some(Duration::from_secs(1800)));
    assert!(!s[1].automated_by_gate && s[2].automated_by_gate);
}

#[test]
fn without_release_there_is_no_declared_flow_and_the_default_is_five_releases() {
    assert!(parse("").unwrap().release.is_none());
    let c = parse("[release]\n[[release.stages]]\nname = \"t\"\nkind = \"gate\"\n").unwrap();
    assert_eq!(
        c.release.unwrap().recent_releases,
        gate_flow::RECENT_RELEASES
    );
}

#[test]
fn mistakes_are_named_with_their_place_and_a_fix() {
    let err = parse(
        "[release]\n[[release.stages]]\nname = \"qa\"\nkind = \"manul\"\nowners = [\"ana\"]\n",
    )
    .unwrap_err();
    assert!(err.contains("gate.toml:4:8"), "{err}");
    assert!(err.contains("unknown stage kind `manul`"), "{err}");
    assert!(err.contains("did you mean `manual`?"), "{err}");

    let err = parse(
        "[release]\n[[release.stages]]\nname = \"qa\"\nkind = \"manual\"\nowners = [\"ana\"]\nrunbook = \"wiki/qa\"\n",
    )
    .unwrap_err();
    assert!(err.contains("gate.toml:6:11"), "{err}");
    assert!(
        err.contains("`runbook` in `[[release.stages]]` must be an http:// or https:// URL"),
        "{err}"
    );

    for (text, expected) in [
        (
            "[[release.stages]]\nname = \"qa\"\nkind = \"manual\"\n",
            "needs `owners`",
        ),
        (
            "[[release.stages]]\nname = \"qa\"\nkind = \"manual\"\nowners = []\n",
            "must name at least one person",
        ),
        (
            "[[release.stages]]\nname = \"c\"\nkind = \"canary\"\nrunbook = \"https://x.example\"\n",
            "is for manual stages",
        ),
        (
            "[[release.stages]]\nname = \"a\"\nkind = \"gate\"\n[[release.stages]]\nname = \"b\"\nkind = \"gate\"\n",
            "a release has one `gate` stage: `a` is it already",
        ),
        (
            "[[release.stages]]\nname = \"a\"\nkind = \"gate\"\n[[release.stages]]\nname = \"a\"\nkind = \"manual\"\nowners = [\"x\"]\n",
            "stage `a` is declared twice",
        ),
        (
            "[[release.stages]]\nname = \"QA sign-off\"\nkind = \"gate\"\n",
            "must be a stage name",
        ),
        (
            "recent-releases = 0\n[[release.stages]]\nname = \"a\"\nkind = \"gate\"\n",
            "`recent-releases` in `[release]` must be between 1 and 1000",
        ),
        ("stages = []\n", "must list at least one stage"),
    ] {
        let err = parse(&format!("[release]\n{text}")).unwrap_err();
        assert!(err.contains(expected), "{text}\n→ {err}");
    }
}
