//! GitHub webhook deliveries: signatures over the raw bytes, and the events (fixtures under
//! `tests/webhook/`, shaped like GitHub's documented payloads) read into runs or ignored.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use gate_server::webhook::{
    SignatureError, WebhookAction, WebhookError, WebhookRun, base_url_for, parse_event, sign,
    staging_url, verify_signature,
};

const SECRET: &[u8] = b"a webhook secret";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/webhook/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The event of a fixture named `event-action`, or `event`.
fn deliver(name: &str) -> WebhookAction {
    let event = name.split('-').next().unwrap();
    let body = fixture(name);
    verify_signature(SECRET, &body, Some(&sign(SECRET, &body))).unwrap();
    parse_event(event, &body).unwrap()
}

fn submitted(name: &str) -> WebhookRun {
    match deliver(name) {
        WebhookAction::Submit(run) => run,
        WebhookAction::Ignore(reason) => panic!("{name} was ignored: {reason}"),
    }
}

fn ignored(name: &str) -> String {
    match deliver(name) {
        WebhookAction::Ignore(reason) => reason,
        WebhookAction::Submit(run) => panic!("{name} submitted {run:?}"),
    }
}

#[test]
fn only_the_exact_bytes_signed_with_the_secret_pass() {
    let body = fixture("push");
    let signature = sign(SECRET, &body);
    assert!(signature.starts_with("sha256=") && signature.len() == 7 + 64);
    assert_eq!(verify_signature(SECRET, &body, Some(&signature)), Ok(()));
    let upper = format!("sha256={}", signature[7..].to_uppercase());
    assert_eq!(
        verify_signature(SECRET, &body, Some(&upper)),
        Ok(()),
        "hex in any case"
    );

    // The same JSON, re-serialised: other bytes, so another signature.
    let reformatted =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&body).unwrap()).unwrap();
    assert_eq!(
        verify_signature(SECRET, &reformatted, Some(&signature)),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(b"another secret", &body, Some(&signature)),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(SECRET, &body, None),
        Err(SignatureError::Missing)
    );
    for malformed in [
        "",
        "sha256=",
        "sha256=zz",
        &signature[7..],
        &signature.replace("sha256=", "sha1="),
        &signature[..signature.len() - 2],
    ] {
        assert_eq!(
            verify_signature(SECRET, &body, Some(malformed)),
            Err(SignatureError::Malformed),
            "{malformed:?}"
        );
    }
}

#[test]
fn a_push_tests_the_new_head_of_the_branch() {
    assert_eq!(
        submitted("push"),
        WebhookRun {
            commit: "6dcb09b5b57875f334f61aebed695e2e4193db5e".into(),
            branch: Some("main".into()),
            pr: None,
            committed_at: Some("2026-11-26T10:59:41+01:00".into()),
            delivery_kind: "push",
        }
    );
    let tag = submitted("push-tag");
    assert_eq!(
        (tag.branch, tag.delivery_kind),
        (None, "push"),
        "a tag is no branch"
    );
    assert_eq!(
        ignored("push-branch-deleted"),
        "refs/heads/feature/old-cart was deleted"
    );
}

#[test]
fn pull_requests_test_their_head_when_it_changes() {
    let opened = submitted("pull_request-opened");
    assert_eq!(
        opened,
        WebhookRun {
            commit: "e4b7c1f0a3d2b5c6d7e8f90a1b2c3d4e5f6a7b8c".into(),
            branch: Some("order-number".into()),
            pr: Some(42),
            committed_at: None,
            delivery_kind: "pull_request",
        }
    );
    assert_eq!(submitted("pull_request-synchronize"), opened);
    for action in ["reopened", "ready_for_review"] {
        let body = String::from_utf8(fixture("pull_request-opened"))
            .unwrap()
            .replace(
                "\"action\": \"opened\"",
                &format!("\"action\": \"{action}\""),
            );
        assert_eq!(
            parse_event("pull_request", body.as_bytes()).unwrap(),
            WebhookAction::Submit(opened.clone()),
            "{action}"
        );
    }
    assert_eq!(
        ignored("pull_request-closed"),
        "pull_request action `closed` starts no run"
    );
    assert_eq!(
        ignored("pull_request-labeled"),
        "pull_request action `labeled` starts no run"
    );
}

#[test]
fn a_merge_queue_asks_for_its_temporary_commit() {
    assert_eq!(
        submitted("merge_group-checks_requested"),
        WebhookRun {
            commit: "ec26c3e57ca3a959ca5aad62de7213c562f8c821".into(),
            branch: Some(
                "gh-readonly-queue/main/pr-42-6dcb09b5b57875f334f61aebed695e2e4193db5e".into()
            ),
            pr: None,
            committed_at: Some("2026-11-26T11:15:02Z".into()),
            delivery_kind: "merge_group",
        }
    );
    assert_eq!(
        ignored("merge_group-destroyed"),
        "merge_group action `destroyed` starts no run"
    );
}

#[test]
fn pings_and_other_events_are_ignored() {
    assert_eq!(ignored("ping"), "ping");
    let body = fixture("push");
    assert_eq!(
        parse_event("check_suite", &body).unwrap(),
        WebhookAction::Ignore("event `check_suite` starts no run".into())
    );
}

#[test]
fn malformed_payloads_are_errors_that_say_where() {
    let err = parse_event("push", b"{\"ref\": ").unwrap_err();
    assert!(matches!(err, WebhookError::Json { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the push payload is not valid JSON: "),
        "{err}"
    );

    let no_head_sha = String::from_utf8(fixture("pull_request-opened"))
        .unwrap()
        .replace("\"sha\": \"e4b7c1f0", "\"shaa\": \"e4b7c1f0");
    let err = parse_event("pull_request", no_head_sha.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the pull_request payload is not as expected at `pull_request.head`: missing field `sha`"
    );
    let err = parse_event("push", br#"{"ref": "refs/heads/main", "after": 7}"#).unwrap_err();
    assert!(
        err.to_string().contains("at `after`: invalid type"),
        "{err}"
    );
    let err = parse_event("push", b"[]").unwrap_err();
    assert!(matches!(err, WebhookError::Payload { .. }), "{err:?}");
}

#[test]
fn the_staging_url_comes_from_the_template() {
    let pr = submitted("pull_request-opened");
    let template = "https://pr-{pr}.staging.example.com";
    assert_eq!(
        base_url_for(template, &pr),
        "https://pr-42.staging.example.com"
    );
    assert_eq!(
        staging_url(template, &pr).as_deref(),
        Some("https://pr-42.staging.example.com")
    );
    let push = submitted("push");
    assert_eq!(
        staging_url(template, &push),
        None,
        "a push has no PR: use the default"
    );
    assert_eq!(
        staging_url("https://staging.example.com/{branch}?sha={sha}", &push).as_deref(),
        Some("https://staging.example.com/main?sha=6dcb09b5b57875f334f61aebed695e2e4193db5e")
    );
}
