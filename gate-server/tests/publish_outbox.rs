//! The delivery loop end to end: statuses queued in a real (SQLite) store are posted to the
//! fake GitHub API, retried through outages and rate limits, parked when refused, and the
//! loop stops when asked.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

#[path = "publish/fake_github.rs"]
#[allow(dead_code, reason = "each test file uses its part of the fake")]
mod fake_github;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fake_github::{Failure, FakeGitHub, OWNER, REPO, TOKEN};
use gate_server::clock::Clock;
use gate_server::config::PublishConfig;
use gate_server::model::CommitState;
use gate_server::publish::{Publisher, RetryPolicy, run_outbox};
use gate_server::store::{OutboxStatus, Store};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

const LIMIT: Duration = Duration::from_secs(20);

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn sha(byte: u8) -> String {
    format!("{byte:02x}").repeat(20)
}

fn status(id: &str, sha: &str, state: CommitState) -> OutboxStatus {
    OutboxStatus {
        id: id.into(),
        sha: sha.into(),
        state,
        description: format!("{state}: 3 scenarios"),
        target_url: format!("https://gate.example.com/runs/{id}"),
        attempts: 0,
        next_attempt_at: now_ms(),
    }
}

/// A store in `dir`, a fake GitHub, and a running outbox with short retry delays.
struct Outbox {
    store: Store,
    github: FakeGitHub,
    notify: Arc<Notify>,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn start(token: &str) -> Outbox {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("gate.db").display()
    ))
    .await
    .unwrap();
    let github = FakeGitHub::start().await;
    let publisher = Publisher::new(&PublishConfig {
        api_url: github.url.clone(),
        repository: format!("{OWNER}/{REPO}"),
        token: token.into(),
        context: "gate/scenarios".into(),
    })
    .unwrap()
    .with_retry(RetryPolicy {
        first_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        max_attempts: 4,
        max_retry_after: Duration::from_secs(2),
    });
    let notify = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(run_outbox(
        publisher,
        store.clone(),
        notify.clone(),
        Clock::real(),
        shutdown.clone(),
    ));
    Outbox {
        store,
        github,
        notify,
        shutdown,
        task,
        _dir: dir,
    }
}

impl Outbox {
    async fn enqueue(&self, status: OutboxStatus) {
        self.store.enqueue_status(&status).await.unwrap();
        self.notify.notify_one();
    }

    /// Waits until the store's undelivered statuses (due ever) are `want` (id, attempts).
    async fn wait_for_outbox(&self, want: &[(&str, u32)]) {
        let mut seen = Vec::new();
        let reached = tokio::time::timeout(LIMIT, async {
            loop {
                let pending = self.store.due_statuses(i64::MAX, 100).await.unwrap();
                seen = pending.iter().map(|s| (s.id.clone(), s.attempts)).collect();
                let now: Vec<(&str, u32)> = seen.iter().map(|(i, a)| (i.as_str(), *a)).collect();
                if now == want {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(reached.is_ok(), "outbox {seen:?}, want {want:?}");
    }

    async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("the outbox stops when asked")
            .unwrap();
    }
}

#[tokio::test]
async fn statuses_are_delivered_through_outages_and_rate_limits() {
    let outbox = start(TOKEN).await;
    outbox.github.fail_next(&[
        Failure::BadGateway,
        Failure::TooManyRequests(0),
        Failure::BadGateway,
    ]);
    outbox
        .enqueue(status("s1", &sha(1), CommitState::Success))
        .await;
    outbox.github.wait_for_attempts(4, LIMIT).await;
    outbox.wait_for_outbox(&[]).await;
    let received = outbox.github.received();
    assert_eq!(received.len(), 1, "posted once it went through");
    assert_eq!(received[0].sha, sha(1));
    assert_eq!(received[0].body["state"], "success");
    assert_eq!(
        received[0].body["target_url"],
        "https://gate.example.com/runs/s1"
    );
    outbox.stop().await;
}

#[tokio::test]
async fn refused_statuses_are_parked_after_one_attempt_and_outages_after_the_last() {
    let outbox = start("ghp_revoked").await;
    outbox
        .enqueue(status("refused", &sha(2), CommitState::Failure))
        .await;
    outbox.github.wait_for_attempts(1, LIMIT).await;
    // Parked: never due again, kept with its error.
    outbox.wait_for_outbox(&[("refused", 1)]).await;
    assert!(
        outbox
            .store
            .due_statuses(now_ms() + 3_600_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    outbox.stop().await;

    let outbox = start(TOKEN).await;
    outbox.github.fail_next(&[Failure::BadGateway; 4]);
    outbox
        .enqueue(status("down", &sha(3), CommitState::Pending))
        .await;
    outbox.github.wait_for_attempts(4, LIMIT).await;
    outbox.wait_for_outbox(&[("down", 4)]).await;
    assert!(outbox.github.received().is_empty());
    outbox.stop().await;
}

#[tokio::test]
async fn statuses_queued_while_no_publisher_runs_are_posted_at_start() {
    let outbox = start(TOKEN).await;
    outbox.shutdown.cancel();
    let Outbox {
        store,
        github,
        task,
        _dir,
        ..
    } = outbox;
    task.await.unwrap();
    // Queued while the loop is down (as after a crash): a backlog larger than one batch,
    // and a newer verdict superseding an older one of the same commit.
    for i in 0..25u8 {
        store
            .enqueue_status(&status(
                &format!("b{i:02}"),
                &sha(10 + i),
                CommitState::Success,
            ))
            .await
            .unwrap();
    }
    store
        .enqueue_status(&status("old", &sha(99), CommitState::Pending))
        .await
        .unwrap();
    store
        .enqueue_status(&status("new", &sha(99), CommitState::Failure))
        .await
        .unwrap();

    let publisher = Publisher::new(&PublishConfig {
        api_url: github.url.clone(),
        repository: format!("{OWNER}/{REPO}"),
        token: TOKEN.into(),
        context: "gate/scenarios".into(),
    })
    .unwrap();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(run_outbox(
        publisher,
        store.clone(),
        Arc::new(Notify::new()),
        Clock::real(),
        shutdown.clone(),
    ));
    github.wait_for_attempts(26, LIMIT).await;
    let received = github.received();
    assert_eq!(received.len(), 26);
    let last = received
        .iter()
        .filter(|r| r.sha == sha(99))
        .collect::<Vec<_>>();
    assert_eq!(last.len(), 1);
    assert_eq!(
        last[0].body["state"], "failure",
        "only the newest verdict of a commit"
    );
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
}
