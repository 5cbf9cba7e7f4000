use super::*;
use crate::review::{ParityLast, ServiceEvidence};

fn full() -> Evidence {
    Evidence {
        scenarios: 12,
        critical_scenarios: 3,
        statuses_published: true,
        last_status_posted: Some("2026-11-30T09:12:00Z".into()),
        status_readers: vec![],
        runs_last_week: 40,
        flow_declared: true,
        flow_risks: vec![],
        config_in_git: Some(true),
        require_committed_config: true,
        parity_configured: true,
        parity_holds_deploys: true,
        parity_last: Some(matched()),
        services: vec![ServiceEvidence {
            name: "shop".into(),
            router: "proxy".into(),
            canary: "5% for 10m, 100%".into(),
            down_hook: true,
        }],
        deployments_last_month: 9,
        last_recovery_ms: Some(134_000),
        audit_ok: true,
        audit_entries: 120,
        digest_channels: vec!["email".into()],
        last_digest_delivered: Some("2026-11-30 08:00:02 UTC".into()),
    }
}

fn matched() -> ParityLast {
    ParityLast {
        at: "2026-11-30T08:00:00Z".into(),
        trigger: "schedule".into(),
        matches: Some(true),
        summary: "parity: staging matches production (0 allowed differences, 24 same)".into(),
    }
}

fn statuses(r: &Review) -> Vec<(&str, Status)> {
    r.gates.iter().map(|g| (g.id, g.status)).collect()
}

#[test]
fn a_complete_pipeline_has_all_seven() {
    let r = review(&full());
    assert!(
        r.gates.iter().all(|g| g.status == Status::Installed),
        "{r:#?}"
    );
    assert!(
        r.gates
            .iter()
            .all(|g| g.advice.is_empty() && g.snippet.is_none())
    );
    assert_eq!(r.summary, "7 of 7 gates installed, 0 partial, 0 missing");
    assert!(
        r.gates[5].evidence.iter().any(|e| e.contains("2:14")),
        "{r:#?}"
    );
}

#[test]
fn an_empty_configuration_misses_all_but_the_dashboard() {
    let r = review(&Evidence::default());
    use Status::*;
    assert_eq!(
        statuses(&r),
        [
            ("test-gate", Missing),
            ("release-flow", Missing),
            ("config-in-git", Missing),
            ("staging-parity", Missing),
            ("canary", Missing),
            ("rollback-audit", Missing),
            ("confidence", Partial),
        ]
    );
    // Every gate that is not installed says what to add.
    assert!(r.gates.iter().all(|g| !g.advice.is_empty()), "{r:#?}");
    assert!(r.gates[3].snippet.unwrap().contains("hold-deploys = true"));
    assert!(r.gates[4].snippet.unwrap().contains("[[services]]"));
}

#[test]
fn each_gate_is_partial_when_a_piece_is_missing() {
    let mut e = full();
    e.statuses_published = false;
    e.flow_risks = vec!["qa-sign-off: only ana can do it".into()];
    e.config_in_git = Some(false);
    e.parity_holds_deploys = false;
    e.deployments_last_month = 0;
    e.services[0].down_hook = false;
    e.last_digest_delivered = None;
    let r = review(&e);
    assert!(
        r.gates.iter().all(|g| g.status == Status::Partial),
        "{r:#?}"
    );
    assert_eq!(r.summary, "0 of 7 gates installed, 7 partial, 0 missing");
    assert!(r.gates[0].snippet.unwrap().contains("[publish]"));
    assert!(r.gates[1].evidence.iter().any(|l| l.contains("only ana")));
    assert!(r.gates[2].advice.iter().any(|a| a.contains("commit")));
    assert!(
        r.gates[5]
            .advice
            .iter()
            .any(|a| a.contains("shop a `down` hook"))
    );
}

#[test]
fn a_broken_audit_chain_is_not_installed() {
    let mut e = full();
    e.audit_ok = false;
    let g = &review(&e).gates[5];
    assert_eq!(g.status, Status::Partial);
    assert!(g.evidence[0].contains("BROKEN"));
}

#[test]
fn every_snippet_is_valid_gate_toml() {
    let mut partial = full();
    partial.require_committed_config = false;
    partial.statuses_published = false;
    let snippets: Vec<&str> = review(&Evidence::default())
        .gates
        .iter()
        .chain(review(&partial).gates.iter())
        .filter_map(|g| g.snippet)
        .collect();
    assert_eq!(snippets.len(), 7, "{snippets:#?}");
    for snippet in snippets {
        // The secrets the snippets name are set; the GATE_* overrides are not.
        let env = |name: &str| name.ends_with("_TOKEN").then(|| "secret-value".to_string());
        if let Err(e) = crate::config::parse("/tmp/gate.toml", snippet, &env) {
            panic!("{snippet}\n{e}");
        }
    }
}

#[test]
fn a_merge_check_reading_gate_wires_the_test_gate_without_publishing() {
    let mut e = full();
    e.statuses_published = false;
    e.last_status_posted = None;
    let g = &review(&e).gates[0];
    assert_eq!(g.status, Status::Partial);
    assert!(g.snippet.unwrap().contains("[publish]"));
    assert!(
        g.evidence.iter().any(|l| l.contains("no client read")),
        "{g:#?}"
    );

    e.status_readers = vec![("merge-check".into(), "2026-12-01T10:00:00Z".into())];
    let g = &review(&e).gates[0];
    assert_eq!(g.status, Status::Installed, "{g:#?}");
    assert!(
        g.evidence
            .iter()
            .any(|l| l.contains("by merge-check (last 2026-12-01T10:00:00Z)")),
        "{g:#?}"
    );
}

#[test]
fn published_statuses_that_never_arrive_are_partial() {
    let mut e = full();
    e.last_status_posted = None;
    let g = &review(&e).gates[0];
    assert_eq!(g.status, Status::Partial, "{g:#?}");
    assert!(
        g.advice[0].contains("no status reached the forge"),
        "{g:#?}"
    );
    // Nothing ran this week: nothing was there to post, and the advice is to gate commits.
    e.runs_last_week = 0;
    let g = &review(&e).gates[0];
    assert!(g.advice.iter().all(|a| !a.contains("forge")), "{g:#?}");
}

#[test]
fn parity_is_installed_only_while_the_last_check_matched() {
    let mut e = full();
    e.parity_last = None;
    let g = &review(&e).gates[3];
    assert_eq!(g.status, Status::Partial);
    assert!(g.evidence.iter().any(|l| l == "not checked yet"), "{g:#?}");

    e.parity_last = Some(ParityLast {
        matches: Some(false),
        summary: "staging does not match production: 1 difference not allowed (tls.protocol)"
            .into(),
        ..matched()
    });
    let g = &review(&e).gates[3];
    assert_eq!(g.status, Status::Partial);
    assert!(
        g.evidence.iter().any(|l| l.contains(
            "(schedule): staging does not match production: 1 difference not allowed (tls.protocol)"
        )),
        "{g:#?}"
    );
    assert!(
        g.advice[0].contains("make staging match production"),
        "{g:#?}"
    );

    e.parity_last = Some(ParityLast {
        matches: None,
        summary: "staging parity could not be checked: staging: connection refused".into(),
        ..matched()
    });
    let g = &review(&e).gates[3];
    assert_eq!(g.status, Status::Partial);
    assert!(g.advice[0].contains("could not observe"), "{g:#?}");
}
