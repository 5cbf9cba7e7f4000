//! The commit-status and digest outboxes through long outages, on a simulated clock: the real
//! delivery loops (`run_outbox`, the digest `deliver::run`), a real store (SQLite, and
//! PostgreSQL when `GATE_TEST_POSTGRES_URL` is set) and real HTTP receivers on loopback
//! (`outage/receivers.rs`) that drop connections, then answer 503, for the first simulated
//! hour. A sleep of the loops moves the simulated time on at once, so the hour passes in
//! seconds; HTTP time limits stay real.
//!
//! Through the hour each loop (and its receiver) has a simulated clock of its own: a sleep
//! moves only its own loop's time, so the status loop polls every simulated second as it would
//! for real, and the digest loop's long sleeps (up to an hour between retries, an hour when
//! idle) do not skip the statuses' retries. Rows are queued before the loops start, which
//! would otherwise begin with an idle sleep.
//!
//! - Down for an hour: every commit's latest status and every digest is delivered exactly once
//!   after it, none superseded is posted, none given up.
//! - Never back: each row is given up after its retry span (a day of statuses, half a day of
//!   digests), kept in the store with the last error and counted in the metrics.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod api_support;
#[path = "outage/database.rs"]
mod database;
#[path = "outage/receivers.rs"]
mod receivers;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use database::Db;
use gate_server::clock::Clock;
use gate_server::config::{PublishConfig, SlackConfig};
use gate_server::digest::deliver::{self, Channels};
use gate_server::digest::slack::SlackChannel;
use gate_server::model::CommitState;
use gate_server::publish::{Publisher, RetryPolicy, run_outbox};
use gate_server::service::DigestContent;
use gate_server::state::AppState;
use gate_server::store::{GIVEN_UP, NewDigest, OutboxStatus, QueueStats, Store};
use receivers::{Outage, Receivers};
use tokio_util::sync::CancellationToken;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
/// Commits with a status queued when the outage starts.
const COMMITS: u8 = 12;
/// Of them, commits that get a newer status ten minutes into the outage.
const SUPERSEDED: u8 = 8;
/// Digests queued when the outage starts.
const DIGESTS: usize = 6;
/// Statuses and digests queued for receivers that never come back.
const STATUSES: u8 = 3;
const GIVEN_UP_DIGESTS: usize = 2;
/// `next_attempt_at` of a row given up, status or digest: never due.
const NEVER: i64 = i64::MAX;
/// Real time allowed for simulated days.
const LIMIT: Duration = Duration::from_secs(240);

fn sha(byte: u8) -> String {
    format!("{byte:02x}").repeat(20)
}

/// The simulated clocks of the two loops, started now.
struct Clocks {
    statuses: Clock,
    digests: Clock,
    /// When the outage starts, on both.
    t0: i64,
}

impl Clocks {
    /// A clock for each loop.
    fn apart() -> Clocks {
        Clocks::of(Clock::simulated(), Clock::simulated())
    }

    /// One clock for both: the digest loop's sleeps move the statuses' time on too (their
    /// retries are polled less often than for real, but counted the same).
    fn shared() -> Clocks {
        let clock = Clock::simulated();
        Clocks::of(clock.clone(), clock)
    }

    fn of(statuses: Clock, digests: Clock) -> Clocks {
        let t0 = statuses.now_ms().max(digests.now_ms());
        Clocks {
            statuses,
            digests,
            t0,
        }
    }

    /// A forge and a Slack webhook down until these offsets from `t0` (simulated ms).
    async fn receivers(&self, dropping: i64, failing: i64) -> (Receivers, Receivers) {
        let outage = |clock: &Clock| Outage {
            clock: clock.clone(),
            dropping_until: self.t0.saturating_add(dropping),
            failing_until: self.t0.saturating_add(failing),
        };
        (
            Receivers::start(outage(&self.statuses)).await,
            Receivers::start(outage(&self.digests)).await,
        )
    }
}

/// The outboxes' loops over `db`, posting to the receivers, each on its clock.
struct Loops {
    state: AppState,
    notify: Arc<tokio::sync::Notify>,
    shutdown: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Loops {
    async fn start(db: &Db, (github, slack): &(Receivers, Receivers), clocks: &Clocks) -> Loops {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(
            api_support::config(dir.path()),
            db.store.clone(),
            CancellationToken::new(),
        )
        .unwrap();
        let publisher = Publisher::new(&PublishConfig {
            api_url: github.url.clone(),
            repository: format!("{}/{}", receivers::OWNER, receivers::REPO),
            token: receivers::TOKEN.into(),
            context: "gate/scenarios".into(),
        })
        .unwrap();
        assert_eq!(*publisher.retry_policy(), RetryPolicy::default());
        let mut channels = Channels::new();
        let slack = SlackChannel::new(&SlackConfig {
            webhook_url: format!("{}/slack/hook", slack.url),
            timeout: Duration::from_secs(10),
        })
        .unwrap();
        channels.insert("slack", Box::new(slack));
        let notify = Arc::new(tokio::sync::Notify::new());
        let shutdown = CancellationToken::new();
        let tasks = vec![
            tokio::spawn(run_outbox(
                publisher,
                db.store.clone(),
                notify.clone(),
                clocks.statuses.clone(),
                shutdown.clone(),
            )),
            tokio::spawn(deliver::run(
                state.service.clone(),
                channels,
                state.metrics.clone(),
                clocks.digests.clone(),
                shutdown.clone(),
            )),
        ];
        Loops {
            state,
            notify,
            shutdown,
            tasks,
            _dir: dir,
        }
    }

    /// Wakes the status loop (a status was queued).
    fn statuses_queued(&self) {
        self.notify.notify_one();
    }

    fn metrics(&self) -> String {
        self.state.metrics.render(QueueStats::default())
    }

    async fn stop(self) {
        self.shutdown.cancel();
        for task in self.tasks {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("the loops stop when asked")
                .unwrap();
        }
    }
}

/// Queues a status of `sha`, due now on `clock`.
async fn queue_status(store: &Store, clock: &Clock, id: &str, sha: &str, state: CommitState) {
    let status = OutboxStatus {
        id: id.into(),
        sha: sha.into(),
        state,
        description: format!("{state}: 3 scenarios"),
        target_url: format!("https://gate.example.com/runs/{id}"),
        attempts: 0,
        next_attempt_at: clock.now_ms(),
    };
    store.enqueue_status(&status).await.unwrap();
}

/// Queues digests numbered `0..n` for Slack, each with its own text.
async fn queue_digests(store: &Store, n: usize) {
    let rows: Vec<NewDigest> = (0..n)
        .map(|i| {
            let content = DigestContent {
                subject: format!("digest {i}"),
                text: format!("digest {i}"),
                html: format!("<p>digest {i}</p>"),
                slack: serde_json::json!({ "text": format!("digest {i}"), "blocks": [] }),
            };
            NewDigest {
                period_since: 0,
                period_until: 1,
                channel: "slack".into(),
                manual: true,
                content: serde_json::to_string(&content).unwrap(),
            }
        })
        .collect();
    assert_eq!(store.enqueue_digests(&rows).await.unwrap().len(), n);
}

/// Waits (in real time, up to [`LIMIT`]) until `done` holds, re-checking every few
/// milliseconds; `what` names the condition in the failure.
async fn wait_until<F: Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < LIMIT,
            "not within {LIMIT:?} of real time: {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Undelivered statuses that will be tried again (not given up).
async fn pending_statuses(db: &Db) -> usize {
    db.store.due_statuses(NEVER - 1, 1000).await.unwrap().len()
}

async fn down_for_an_hour_then_everything_is_delivered_once(db: &Db) {
    let started = Instant::now();
    let clocks = Clocks::apart();
    let (t0, clock) = (clocks.t0, &clocks.statuses);
    let receivers = clocks.receivers(20 * MINUTE, HOUR).await;
    let (github, slack) = &receivers;
    // Queued before the loops start: the digest loop, idle, would sleep an hour first.
    let mut latest = BTreeMap::new();
    for i in 0..COMMITS {
        let id = format!("a{i:02}");
        queue_status(&db.store, clock, &id, &sha(i), CommitState::Pending).await;
        latest.insert(sha(i), (id, "pending"));
    }
    queue_digests(&db.store, DIGESTS).await;
    let loops = Loops::start(db, &receivers, &clocks).await;

    // Ten minutes into the outage, newer verdicts of some commits supersede the queued ones.
    wait_until("ten simulated minutes pass", || async {
        clock.now_ms() >= t0 + 10 * MINUTE
    })
    .await;
    for i in 0..SUPERSEDED {
        let id = format!("b{i:02}");
        queue_status(&db.store, clock, &id, &sha(i), CommitState::Failure).await;
        latest.insert(sha(i), (id, "failure"));
    }
    loops.statuses_queued();
    let superseded_at = clock.now_ms();
    assert!(superseded_at < t0 + HOUR, "still down");

    wait_until(
        "every status and digest is delivered or given up",
        || async {
            pending_statuses(db).await == 0 && db.store.pending_digests().await.unwrap() == 0
        },
    )
    .await;
    let simulated = clock.now_ms() - t0;
    let metrics = loops.metrics();
    loops.stop().await;
    let real = started.elapsed();

    // Retried across the hour, nothing given up; superseded rows never posted.
    let mut refused = (0, 0);
    for receiver in [github, slack] {
        let (dropped, unavailable) = receiver.refused();
        assert!(
            dropped > 0 && unavailable > 0,
            "{dropped} dropped, {unavailable} 503s"
        );
        refused = (refused.0 + dropped, refused.1 + unavailable);
    }
    let (dropped, unavailable) = refused;
    let rows = db.status_rows().await;
    assert_eq!(rows.len(), usize::from(COMMITS + SUPERSEDED));
    let mut status_attempts = Vec::new();
    for row in &rows {
        let error = row.last_error.as_deref().unwrap_or_default();
        assert!(!error.starts_with("gave up"), "{row:?}");
        assert_ne!(row.next_attempt_at, NEVER, "{row:?}");
        assert!(row.delivered, "{row:?}");
        if latest[&row.sha].0 == row.id {
            // Failed attempts, then the one that went through.
            assert!(row.attempts > 1, "{row:?}");
            status_attempts.push(row.attempts + 1);
        } else {
            assert_eq!(error, "superseded", "{row:?}");
            assert_eq!(row.state, "pending");
            assert!(row.attempts >= 1, "tried before it was superseded: {row:?}");
        }
    }
    let digests = db.store.digests(100).await.unwrap();
    assert_eq!(digests.len(), DIGESTS);
    let mut digest_attempts = Vec::new();
    for digest in &digests {
        assert!(digest.delivered_at.is_some(), "{digest:?}");
        assert!(digest.attempts > 1, "{digest:?}");
        digest_attempts.push(digest.attempts);
    }

    // Exactly once each, after the outage.
    let accepted: Vec<_> = github
        .accepted()
        .into_iter()
        .chain(slack.accepted())
        .collect();
    let first = accepted.iter().map(|a| a.at_ms).min().unwrap();
    assert!(first >= t0 + HOUR, "first delivery {} ms in", first - t0);
    let posted: Vec<_> = accepted.iter().filter(|a| a.kind == "status").collect();
    assert_eq!(posted.len(), usize::from(COMMITS), "one status per commit");
    for (sha, (id, state)) in &latest {
        let of_commit: Vec<_> = posted.iter().filter(|p| &p.sha == sha).collect();
        assert_eq!(of_commit.len(), 1, "{sha}: {of_commit:?}");
        assert_eq!(
            of_commit[0].body["state"], *state,
            "{sha}: the latest verdict"
        );
        assert_eq!(
            of_commit[0].body["target_url"],
            format!("https://gate.example.com/runs/{id}")
        );
    }
    let mut texts: Vec<String> = accepted
        .iter()
        .filter(|a| a.kind == "slack")
        .map(|a| a.body["text"].as_str().unwrap().to_string())
        .collect();
    texts.sort();
    let want: Vec<String> = (0..DIGESTS).map(|i| format!("digest {i}")).collect();
    assert_eq!(texts, want, "each digest once");

    assert!(
        metrics.contains(&format!(
            "gate_digest_deliveries_total{{channel=\"slack\",result=\"delivered\"}} {DIGESTS}"
        )),
        "{metrics}"
    );
    assert!(!metrics.contains("given_up"), "{metrics}");

    status_attempts.sort();
    digest_attempts.sort();
    eprintln!(
        "{}: receivers down for 1 simulated hour ({dropped} connections dropped, \
         {unavailable} answered 503); {COMMITS} commits' latest statuses ({SUPERSEDED} \
         superseded) delivered after {status_attempts:?} attempts, {DIGESTS} digests after \
         {digest_attempts:?}; first delivery {} simulated minutes in; {} simulated minutes \
         in {real:.1?} of real time",
        db.kind,
        (first - t0) / MINUTE,
        simulated / MINUTE,
    );
}

async fn never_back_then_everything_is_given_up_and_shown(db: &Db) {
    let started = Instant::now();
    // A day of polls every simulated second would take minutes of real time: both loops on
    // one clock, the digest loop's hour-long idle sleeps carry the statuses through their day.
    let clocks = Clocks::shared();
    let (t0, clock) = (clocks.t0, &clocks.statuses);
    let receivers = clocks.receivers(20 * MINUTE, i64::MAX).await;
    for i in 0..STATUSES {
        queue_status(
            &db.store,
            clock,
            &format!("s{i}"),
            &sha(i),
            CommitState::Success,
        )
        .await;
    }
    queue_digests(&db.store, GIVEN_UP_DIGESTS).await;
    let loops = Loops::start(db, &receivers, &clocks).await;

    wait_until("every status and digest is given up", || async {
        pending_statuses(db).await == 0 && db.store.pending_digests().await.unwrap() == 0
    })
    .await;
    let simulated = clock.now_ms() - t0;
    let metrics = loops.metrics();
    loops.stop().await;

    assert!(receivers.0.accepted().is_empty() && receivers.1.accepted().is_empty());
    let digests_simulated = clocks.digests.now_ms() - t0;
    assert!(
        digests_simulated >= i64::try_from(deliver::RETRY.span().as_millis()).unwrap(),
        "digests given up after {digests_simulated} ms: before their retry span"
    );
    let policy = RetryPolicy::default();
    assert!(
        simulated >= i64::try_from(policy.span().as_millis()).unwrap(),
        "given up after {simulated} ms: before the retry span"
    );
    let rows = db.status_rows().await;
    assert_eq!(rows.len(), usize::from(STATUSES));
    for row in &rows {
        // Kept, not delivered, never due again, with why.
        assert!(!row.delivered, "{row:?}");
        assert_eq!(row.next_attempt_at, NEVER, "{row:?}");
        assert_eq!(row.attempts, i64::from(policy.max_attempts), "{row:?}");
        let error = row.last_error.as_deref().unwrap();
        assert!(
            error.starts_with(&format!(
                "gave up after {} attempt(s): failed to post the `success` status of {}",
                policy.max_attempts, row.sha
            )) && error.contains("503"),
            "{error}"
        );
    }
    let digests = db.store.digests(100).await.unwrap();
    assert_eq!(digests.len(), GIVEN_UP_DIGESTS);
    for digest in &digests {
        assert_eq!(digest.delivered_at, None);
        assert_eq!(digest.next_attempt_at, GIVEN_UP);
        assert_eq!(digest.attempts, deliver::RETRY.max_attempts, "{digest:?}");
        let error = digest.last_error.as_deref().unwrap();
        assert!(
            error.starts_with(&format!(
                "gave up after {} attempt(s): webhook answered 503",
                deliver::RETRY.max_attempts
            )),
            "{error}"
        );
    }
    assert!(
        metrics.contains(&format!(
            "gate_digest_deliveries_total{{channel=\"slack\",result=\"given_up\"}} {GIVEN_UP_DIGESTS}"
        )),
        "{metrics}"
    );
    eprintln!(
        "{}: receivers never back: {STATUSES} statuses given up after {} attempts, \
         {GIVEN_UP_DIGESTS} digests after {}; {} simulated hours in {:.1?} of real time",
        db.kind,
        policy.max_attempts,
        deliver::RETRY.max_attempts,
        simulated / HOUR,
        started.elapsed(),
    );
}

/// Declares each test once per database.
macro_rules! on_both_databases {
    ($($test:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let db = super::Db::sqlite().await;
                    super::$test(&db).await;
                    db.finish().await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(db) = super::Db::postgres().await else {
                        return;
                    };
                    super::$test(&db).await;
                    db.finish().await;
                }
            )*
        }
    };
}

on_both_databases!(
    down_for_an_hour_then_everything_is_delivered_once,
    never_back_then_everything_is_given_up_and_shown,
);
