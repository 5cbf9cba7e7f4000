//! `gate demo`, the front door, end to end: the test gate passes, then v2 (failing 5% of
//! orders) is rolled back by gate's analysis, v3 is promoted, the audit chain holds and the
//! rollback's postmortem is written; it ends with this week's digest of those deploys and the
//! dashboard saved beside the report. With a fault the gate goes red and nothing deploys.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::*;

#[test]
fn the_demo_gates_then_rolls_back_the_bad_canary_and_promotes_the_good_one() {
    let tmp = tempfile::tempdir().unwrap();
    let output = gate(tmp.path()).arg("demo").output().unwrap();
    let stderr = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    for needle in [
        "gate: 3 passed",
        "is success",
        "v2 rolled_back",
        // By the analysis's decision, not its time limit.
        "→ roll back",
        "rolled back automatically",
        "v3 promoted",
        "the hash chain holds: yes",
        // The digest of what it just did: v2 rolled back by gate, v3 promoted.
        "This week's digest",
        "2 deploys this week, 1 successful, 1 auto-rolled-back, MTTR ",
        "the dashboard as it stood",
        // And the review of its own pipeline: it has a canary, no parity.
        "The seven gates of this pipeline",
        "5. Canary after merge",
        " of 7 gates installed",
    ] {
        assert!(stderr.contains(needle), "`{needle}` in:\n{stderr}");
    }
    // The demo configures no [parity]: that gate is missing.
    assert!(
        stderr.lines().any(
            |l| l.trim_start().starts_with("4. Staging matches production")
                && l.ends_with("missing")
        ),
        "{stderr}"
    );
    let postmortem =
        std::fs::read_to_string(tmp.path().join("gate-report/postmortem-v2.md")).unwrap();
    assert!(
        postmortem.contains("# Deployment of shop `v2`"),
        "{postmortem}"
    );
    assert!(postmortem.contains("rolled_back"), "{postmortem}");
    assert!(tmp.path().join("gate-report/index.html").is_file());
    let dashboard = std::fs::read_to_string(tmp.path().join("gate-report/dashboard.html")).unwrap();
    assert!(
        dashboard.contains(r#"<span id="deploys-this-week">2</span>"#),
        "{dashboard}"
    );
    assert_eq!(dashboard.matches(r#"role="img""#).count(), 5, "{dashboard}");
    assert!(!dashboard.contains("<script"), "a snapshot runs nothing");
    assert_no_browsers_under(tmp.path());
}

#[test]
fn a_red_gate_deploys_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let output = gate(tmp.path())
        .args(["demo", "--fault", "checkout-500"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(stderr.contains("nothing is deployed"), "{stderr}");
    assert!(!stderr.contains("Canary deploys"), "{stderr}");
}
