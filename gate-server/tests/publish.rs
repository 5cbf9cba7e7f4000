//! One commit status posted to a fake GitHub API (`publish/fake_github.rs`), every kind of
//! answer classified, and the retry schedule as a pure function.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

#[path = "publish/fake_github.rs"]
#[allow(dead_code, reason = "each test file uses its part of the fake")]
mod fake_github;

use std::time::Duration;

use fake_github::{Failure, FakeGitHub, OWNER, REPO, TOKEN};
use gate_server::config::PublishConfig;
use gate_server::model::CommitState;
use gate_server::publish::{Next, PublishError, PublishErrorKind, Publisher, RetryPolicy};

const SHA: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

fn publisher(api_url: &str, token: &str) -> Publisher {
    Publisher::new(&PublishConfig {
        api_url: api_url.to_string(),
        repository: format!("{OWNER}/{REPO}"),
        token: token.to_string(),
        context: "gate/scenarios".into(),
    })
    .unwrap()
}

#[tokio::test]
async fn a_status_is_posted_in_githubs_wire_format() {
    let github = FakeGitHub::start().await;
    let publisher = publisher(&github.url, TOKEN);
    publisher
        .post(
            SHA,
            CommitState::Failure,
            "1 of 3 scenarios failed: checkout",
            "https://gate.example.com/runs/r1",
        )
        .await
        .unwrap();
    let received = github.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].sha, SHA);
    assert_eq!(
        received[0].body,
        serde_json::json!({
            "state": "failure",
            "target_url": "https://gate.example.com/runs/r1",
            "description": "1 of 3 scenarios failed: checkout",
            "context": "gate/scenarios",
        })
    );
    assert_eq!(
        received[0].user_agent,
        format!("gate/{}", env!("CARGO_PKG_VERSION"))
    );

    // GitHub's limits: 140 characters of description; no link is `null`.
    let long = "scenario ".repeat(40);
    publisher
        .post(SHA, CommitState::Pending, &long, "")
        .await
        .unwrap();
    let body = &github.received()[1].body;
    assert_eq!(body["description"].as_str().unwrap().chars().count(), 140);
    assert!(body["target_url"].is_null());
}

fn kind(result: Result<(), PublishError>) -> (PublishErrorKind, bool) {
    let err = result.unwrap_err();
    let retryable = err.is_retryable();
    (err.kind, retryable)
}

#[tokio::test]
async fn outages_and_rate_limits_are_retryable_refusals_are_not() {
    let github = FakeGitHub::start().await;
    let publisher = publisher(&github.url, TOKEN);
    github.fail_next(&[
        Failure::BadGateway,
        Failure::TooManyRequests(7),
        Failure::RateLimitExhausted,
    ]);
    let post = || {
        publisher.post(
            SHA,
            CommitState::Success,
            "all passed",
            "https://gate.example.com/r",
        )
    };
    match kind(post().await) {
        (
            PublishErrorKind::Unavailable {
                status: 502,
                message,
            },
            true,
        ) => {
            assert_eq!(message, "<html>502 Bad Gateway</html>");
        }
        other => panic!("{other:?}"),
    }
    match kind(post().await) {
        (
            PublishErrorKind::RateLimited {
                status: 429,
                retry_after,
            },
            true,
        ) => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)));
        }
        other => panic!("{other:?}"),
    }
    match kind(post().await) {
        (
            PublishErrorKind::RateLimited {
                status: 403,
                retry_after: Some(wait),
            },
            true,
        ) => {
            assert!(wait <= Duration::from_secs(2), "until the reset: {wait:?}");
        }
        other => panic!("{other:?}"),
    }
    post().await.unwrap();

    let wrong_token = self::publisher(&github.url, "ghp_revoked");
    let err = wrong_token
        .post(SHA, CommitState::Success, "", "")
        .await
        .unwrap_err();
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        format!(
            "failed to post the `success` status of {SHA}: the API refused it with 401: Bad credentials"
        )
    );
    assert!(
        !err.to_string().contains("ghp_revoked"),
        "no token in messages"
    );

    let mut other_repo = PublishConfig {
        api_url: github.url.clone(),
        repository: "acme/elsewhere".into(),
        token: TOKEN.into(),
        context: "gate/scenarios".into(),
    };
    let err = post_refused(&other_repo).await;
    assert!(
        matches!(err.kind, PublishErrorKind::Refused { status: 404, .. }),
        "{err}"
    );

    // Invalid statuses are not sent at all.
    let before = github.attempts();
    for sha in ["../../orgs/acme", "abc"] {
        let (kind, retryable) = kind(publisher.post(sha, CommitState::Success, "", "").await);
        assert!(
            matches!(kind, PublishErrorKind::Invalid(_)) && !retryable,
            "{sha}"
        );
    }
    assert_eq!(github.attempts(), before);

    // Nobody listening: a network error, retryable.
    other_repo.api_url = closed_port_url().await;
    let err = post_refused(&other_repo).await;
    assert!(
        matches!(err.kind, PublishErrorKind::Network(_)) && err.is_retryable(),
        "{err}"
    );
}

/// The error of posting a `success` status of [`SHA`] with `config`, which must fail.
async fn post_refused(config: &PublishConfig) -> PublishError {
    Publisher::new(config)
        .unwrap()
        .post(SHA, CommitState::Success, "", "")
        .await
        .unwrap_err()
}

/// A loopback URL where nothing listens.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

fn error(kind: PublishErrorKind) -> PublishError {
    PublishError {
        sha: SHA.into(),
        state: "success".into(),
        kind,
    }
}

#[test]
fn the_default_schedule_doubles_from_one_second_to_five_minutes_for_a_day() {
    let policy = RetryPolicy::default();
    let delays: Vec<u64> = (1..=10).map(|n| policy.backoff(n).as_secs()).collect();
    assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
    assert_eq!(policy.backoff(1000), Duration::from_secs(300));
    // A forge down for an hour, or a night, loses no status: 8.5 minutes of doubling, then
    // one attempt every 5 minutes until a day has passed.
    let day = Duration::from_secs(24 * 3600);
    assert_eq!(policy.max_attempts, 297);
    assert!(
        policy.span() >= day && policy.span() < day + Duration::from_secs(300),
        "{:?}",
        policy.span()
    );

    let outage = error(PublishErrorKind::Unavailable {
        status: 503,
        message: String::new(),
    });
    assert_eq!(
        policy.after_failure(1, &outage),
        Next::RetryIn(Duration::from_secs(1))
    );
    assert_eq!(
        policy.after_failure(9, &outage),
        Next::RetryIn(Duration::from_secs(256))
    );
    assert_eq!(
        policy.after_failure(10, &outage),
        Next::RetryIn(Duration::from_secs(300)),
        "ten attempts are 8.5 minutes: not enough for an outage of an hour"
    );
    assert_eq!(
        policy.after_failure(296, &outage),
        Next::RetryIn(Duration::from_secs(300))
    );
    assert_eq!(
        policy.after_failure(297, &outage),
        Next::GiveUp,
        "297 attempts in all"
    );
    let network = error(PublishErrorKind::Network("connection refused".into()));
    assert_eq!(
        policy.after_failure(3, &network),
        Next::RetryIn(Duration::from_secs(4))
    );
}

#[test]
fn a_policy_spanning_a_time_has_the_fewest_attempts_that_wait_that_long() {
    let second = Duration::from_secs(1);
    // Waits 1, 2, 4, 4, 4: 15 s after six attempts; five attempts wait 11 s.
    let policy = RetryPolicy::spanning(second, 4 * second, 12 * second);
    assert_eq!(policy.max_attempts, 6);
    assert_eq!(policy.span(), 15 * second);
    assert_eq!(
        RetryPolicy::spanning(second, 4 * second, Duration::ZERO).max_attempts,
        1
    );
    assert_eq!(
        RetryPolicy::spanning(Duration::ZERO, second, second).max_attempts,
        1,
        "no delay never adds up to a span: one attempt, not a loop"
    );
}

#[test]
fn retry_after_is_honoured_up_to_an_hour_and_refusals_are_final() {
    let policy = RetryPolicy::default();
    let limited = |retry_after| {
        error(PublishErrorKind::RateLimited {
            status: 429,
            retry_after,
        })
    };
    assert_eq!(
        policy.after_failure(1, &limited(Some(Duration::ZERO))),
        Next::RetryIn(Duration::ZERO)
    );
    assert_eq!(
        policy.after_failure(1, &limited(Some(Duration::from_secs(90)))),
        Next::RetryIn(Duration::from_secs(90)),
        "longer than the backoff"
    );
    assert_eq!(
        policy.after_failure(1, &limited(Some(Duration::from_secs(86_400)))),
        Next::RetryIn(Duration::from_secs(3600))
    );
    assert_eq!(
        policy.after_failure(2, &limited(None)),
        Next::RetryIn(Duration::from_secs(2))
    );
    let refused = error(PublishErrorKind::Refused {
        status: 422,
        message: "Validation Failed".into(),
    });
    assert_eq!(policy.after_failure(1, &refused), Next::GiveUp);
    assert_eq!(
        policy.after_failure(1, &error(PublishErrorKind::Invalid(String::new()))),
        Next::GiveUp
    );
}
