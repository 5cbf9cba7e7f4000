//! The store against real databases. Every test runs twice: `store_on_sqlite::…` on a fresh
//! SQLite file, and `store_on_postgres::…` on a fresh database of the PostgreSQL server at
//! `GATE_TEST_POSTGRES_URL` (`scripts/test` starts one with `scripts/postgres` and sets it;
//! without it the PostgreSQL half is skipped loudly, or fails if `GATE_REQUIRE_POSTGRES=1`).
//!
//! Leases use the real clock with 50 ms lease times; tests wait for a lease's expiry time to
//! pass, since expiry is the thing under test, and for nothing else.

#![expect(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use gate_runner::result::{Attempt, AttemptOutcome, Failure, FailureKind, Outcome, ScenarioResult};
use gate_server::model::{CommitState, JobState, RunState, SourceFile};
use gate_server::store::{
    Completion, LeasedJob, NewRun, OutboxStatus, QueueStats, RunFilter, RunRecord, SYNTHETIC_SUITE,
    Store, VerdictRun,
};
use rand::seq::SliceRandom;
use sqlx::{Connection, Executor};

/// Long enough never to expire during a test.
const LEASE: Duration = Duration::from_secs(60);
/// Short enough to expire at once.
const SHORT: Duration = Duration::from_millis(50);

// ---------------------------------------------------------------------------------------------
// The two databases

/// A fresh database for one test.
struct Db {
    kind: &'static str,
    url: String,
    store: Store,
    /// The SQLite file's directory, removed at the end.
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the test's database, dropped after the store (fields drop in order), pass
    /// or fail.
    postgres: Option<PgDatabase>,
}

/// A database of the test server, dropped (with `psql`, so also while a failed test unwinds)
/// when this value is.
struct PgDatabase {
    admin: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // Not `WITH (FORCE)`: that needs rights over any autovacuum worker visiting the
        // database. A plain drop waits a few seconds for sessions to end.
        let dropped = std::process::Command::new("psql")
            .arg(&self.admin)
            .args(["-q", "-c"])
            .arg(format!("DROP DATABASE IF EXISTS {}", self.name))
            .output();
        if !dropped.is_ok_and(|o| o.status.success()) {
            eprintln!("warning: could not drop the test database {}", self.name);
        }
    }
}

impl Db {
    async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        // A directory that does not exist yet: the store creates it, and the file.
        let url = format!("sqlite://{}", dir.path().join("data/gate.db").display());
        let store = Store::connect(&url).await.unwrap();
        Db {
            kind: "SQLite",
            url,
            store,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new database on the test server, or `None` (and a loud note) when none is configured.
    async fn postgres() -> Option<Db> {
        let Ok(admin) = std::env::var("GATE_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("GATE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "GATE_REQUIRE_POSTGRES=1 but GATE_TEST_POSTGRES_URL is not set \
                 (run scripts/postgres and export its output)"
            );
            eprintln!(
                "\n!!! skipping Postgres store tests: GATE_TEST_POSTGRES_URL not set \
                 (GATE_TEST_POSTGRES_URL=$(scripts/postgres) to run them) !!!\n"
            );
            return None;
        };
        // `scripts/test` names its run's databases by GATE_TEST_RUN_ID, to find those left behind.
        let run = std::env::var("GATE_TEST_RUN_ID").map_or(String::new(), |id| format!("{id}_"));
        let name = format!("gate_t_{run}{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        conn.close().await.unwrap();
        let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
        let (server, _) = base.rsplit_once('/').unwrap();
        let url = if query.is_empty() {
            format!("{server}/{name}")
        } else {
            format!("{server}/{name}?{query}")
        };
        let store = Store::connect(&url).await.unwrap();
        Some(Db {
            kind: "PostgreSQL",
            url,
            store,
            _dir: None,
            postgres: Some(PgDatabase { admin, name }),
        })
    }

    /// Closes the store, then drops a PostgreSQL test database.
    async fn finish(self) {
        let Db {
            store, postgres, ..
        } = self;
        store.close().await;
        // Connections handed back while `close` waited can stay open until the pool is dropped.
        drop(store);
        drop(postgres);
    }
}

/// Declares each test once per database.
macro_rules! on_both_databases {
    ($($test:ident),* $(,)?) => {
        mod store_on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let db = super::Db::sqlite().await;
                    super::$test(&db).await;
                    db.finish().await;
                }
            )*
        }
        mod store_on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
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
    migrations_apply_again_on_reconnect,
    submit_is_idempotent_per_commit_and_suite,
    a_thousand_concurrent_submissions,
    leases_results_and_run_states,
    an_expired_lease_goes_back_and_the_late_result_is_dropped,
    a_job_that_keeps_losing_its_runner_ends_as_error,
    concurrent_runners_never_get_the_same_job,
    release_hands_a_job_back,
    cancel_ends_queued_jobs_and_keeps_late_results,
    rerun_failed_runs_only_the_failures,
    runs_page_newest_first,
    verdict_runs_are_each_suites_latest_with_outcomes_and_failures,
    synthetic_check_runs_are_left_out_of_the_verdict,
    artifacts_round_trip,
    webhook_deliveries_are_deduplicated,
    outbox_due_failed_delivered,
    stage_performances_are_recorded_with_their_audit_entry,
    concurrent_audit_writers_keep_one_valid_chain,
    a_large_history_is_recorded_in_chunks_and_replaces_itself,
);

/// Four stores on the same database (as four gate servers would be), each appending 50
/// entries from 5 tasks at once: the chain has all 200, each once, and verifies.
async fn concurrent_audit_writers_keep_one_valid_chain(db: &Db) {
    use gate_audit::{Action, NewEntry};
    let mut stores = vec![db.store.clone()];
    for _ in 0..3 {
        stores.push(Store::connect(&db.url).await.unwrap());
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (s, store) in stores.iter().enumerate() {
        for t in 0..5 {
            let store = store.clone();
            tasks.spawn(async move {
                for i in 0..10 {
                    let entry = NewEntry {
                        reason: Some(format!("writer {s}.{t} entry {i}")),
                        ..NewEntry::new(1_000 + i, "ci", Action::ConfigChanged)
                    };
                    store.append_audit(&[entry]).await.unwrap();
                }
            });
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let chain = db.store.audit_chain().await.unwrap();
    assert_eq!(chain.len(), 200, "{} entries", chain.len());
    let mut reasons: Vec<String> = chain
        .iter()
        .map(|e| e.content.reason.clone().unwrap())
        .collect();
    reasons.sort();
    reasons.dedup();
    assert_eq!(reasons.len(), 200, "each entry once");
    if let Err(e) = gate_audit::verify(&chain) {
        panic!(
            "the chain does not verify after concurrent writers on {}: {e:?}",
            db.kind
        );
    }
    for store in stores.into_iter().skip(1) {
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn new_run(commit: &str, scenarios: &[&str]) -> NewRun {
    NewRun {
        commit: commit.into(),
        branch: Some("main".into()),
        pr: None,
        committed_at: None,
        base_url: "http://127.0.0.1:1".into(),
        tags: vec![],
        suite: "suite-1".into(),
        sources: vec![SourceFile {
            path: "a.toml".into(),
            text: "name = \"a\"".into(),
        }],
        scenarios: scenarios
            .iter()
            .map(|s| (s.to_string(), format!("{s}.toml")))
            .collect(),
        rerun: false,
    }
}

fn rerun(commit: &str, scenarios: &[&str]) -> NewRun {
    NewRun {
        rerun: true,
        ..new_run(commit, scenarios)
    }
}

/// A scenario result as a runner would send it; failures and errors say `boom in <name>`.
fn result(name: &str, outcome: Outcome) -> ScenarioResult {
    let attempt = |outcome, failure: Option<FailureKind>| Attempt {
        number: 1,
        outcome,
        worker: 1,
        duration_ms: 5,
        steps: vec![],
        failure: failure.map(|kind| Failure {
            kind,
            step: Some(0),
            location: Some(format!("{name}.toml:3:1")),
            step_description: Some("click #buy".into()),
            message: format!("boom in {name}"),
            expected: None,
            actual: None,
        }),
        artifacts: Default::default(),
        console_errors: vec![],
        failed_requests: vec![],
    };
    let attempts = match outcome {
        Outcome::Flaky => vec![
            attempt(AttemptOutcome::Failed, Some(FailureKind::Assertion)),
            attempt(AttemptOutcome::Passed, None),
        ],
        Outcome::Failed => vec![attempt(
            AttemptOutcome::Failed,
            Some(FailureKind::Assertion),
        )],
        Outcome::Error => vec![attempt(
            AttemptOutcome::Error,
            Some(FailureKind::Infrastructure),
        )],
        Outcome::Cancelled => vec![attempt(AttemptOutcome::Cancelled, None)],
        Outcome::Passed => vec![attempt(AttemptOutcome::Passed, None)],
    };
    ScenarioResult {
        name: name.into(),
        path: format!("{name}.toml"),
        tags: vec![],
        outcome,
        duration_ms: 5,
        attempts,
    }
}

/// Waits until a lease that expires at `expires_at` (unix ms) has expired.
async fn wait_past(expires_at: i64) {
    loop {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        if now.as_millis() as i64 > expires_at {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Runs in the store's "oldest first" order: creation time, then id (for runs created in the
/// same millisecond).
fn oldest_first<const N: usize>(mut runs: [RunRecord; N]) -> [RunRecord; N] {
    runs.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    runs
}

/// What the verdict should read, made from the full records of `runs` as stored now.
async fn views<const N: usize>(store: &Store, runs: [RunRecord; N]) -> Vec<VerdictRun> {
    let mut out = Vec::new();
    for r in runs {
        let (r, jobs) = (run(store, &r.id).await, store.jobs(&r.id).await.unwrap());
        out.push(VerdictRun::of(&r, &jobs));
    }
    out
}

async fn run(store: &Store, id: &str) -> RunRecord {
    store.run(id).await.unwrap().unwrap()
}

async fn complete(store: &Store, lease: &LeasedJob, outcome: Outcome) -> Completion {
    store
        .complete(
            &lease.job.id,
            &lease.token,
            &result(&lease.job.scenario, outcome),
            &[],
        )
        .await
        .unwrap()
}

fn finished(completion: Completion) -> Option<RunRecord> {
    match completion {
        Completion::Recorded { run_finished, .. } => run_finished.map(|r| *r),
        Completion::LeaseLost => panic!("the lease was lost"),
    }
}

// ---------------------------------------------------------------------------------------------
// Tests

async fn migrations_apply_again_on_reconnect(db: &Db) {
    let (created, _) = db.store.submit(new_run("m1", &["a", "b"])).await.unwrap();
    // A restart: the migrations run again (a no-op) and nothing is lost.
    db.store.close().await;
    for _ in 0..2 {
        let again = Store::connect(&db.url).await.unwrap();
        assert_eq!(run(&again, &created.id).await, created);
        assert_eq!(again.jobs(&created.id).await.unwrap().len(), 2);
        again.ping().await.unwrap();
        again.close().await;
    }
}

async fn submit_is_idempotent_per_commit_and_suite(db: &Db) {
    let store = &db.store;
    let full = NewRun {
        branch: Some("feature/x".into()),
        pr: Some(42),
        committed_at: Some("2026-11-27T10:00:00Z".into()),
        tags: vec!["critical".into()],
        ..new_run("aaa", &["login", "checkout", "api"])
    };
    let (first, created) = store.submit(full.clone()).await.unwrap();
    assert!(created);
    assert_eq!(
        (first.commit.as_str(), first.branch.as_deref(), first.pr),
        ("aaa", Some("feature/x"), Some(42))
    );
    assert_eq!(first.committed_at.as_deref(), Some("2026-11-27T10:00:00Z"));
    assert_eq!(
        (first.tags.clone(), first.sources.clone()),
        (full.tags.clone(), full.sources.clone())
    );
    assert_eq!(
        (first.state, first.reason.clone(), first.started_at),
        (RunState::Queued, None, None)
    );
    assert_eq!(
        run(store, &first.id).await,
        first,
        "what submit returns is what is stored"
    );
    let jobs = store.jobs(&first.id).await.unwrap();
    assert_eq!(
        jobs.iter()
            .map(|j| (j.scenario.as_str(), j.path.as_str(), j.position))
            .collect::<Vec<_>>(),
        [
            ("login", "login.toml", 0),
            ("checkout", "checkout.toml", 1),
            ("api", "api.toml", 2)
        ]
    );
    assert!(jobs.iter().all(|j| j.state == JobState::Queued
        && j.leases == 0
        && j.outcome.is_none()
        && j.result.is_none()));

    let (again, created) = store.submit(full.clone()).await.unwrap();
    assert!(!created);
    assert_eq!(again.id, first.id);

    // Another suite of the same commit is another run.
    let (other_suite, created) = store
        .submit(NewRun {
            suite: "suite-2".into(),
            ..full.clone()
        })
        .await
        .unwrap();
    assert!(created && other_suite.id != first.id);

    // A re-run is a new run, and plain submissions then give the newest.
    let (second, created) = store
        .submit(NewRun {
            rerun: true,
            ..full.clone()
        })
        .await
        .unwrap();
    assert!(created && second.id != first.id);
    assert_eq!(
        store.submit(full.clone()).await.unwrap(),
        (second.clone(), false)
    );
    assert_eq!(
        store.verdict_runs("aaa").await.unwrap(),
        views(store, oldest_first([other_suite, second])).await
    );

    assert_eq!(store.run("no-such-run").await.unwrap(), None);
    assert!(store.jobs("no-such-run").await.unwrap().is_empty());

    // A run with nothing to run ends at once instead of waiting forever.
    let (empty, _) = store.submit(new_run("empty", &[])).await.unwrap();
    assert_eq!(empty.state, RunState::Error);
    assert_eq!(run(store, &empty.id).await, empty);
}

async fn a_thousand_concurrent_submissions(db: &Db) {
    let store = &db.store;
    // Ten commits with a run already, re-run ten times each; 150 commits submitted six times
    // each; all 1,000 submissions at once, in random order.
    for i in 0..10 {
        store
            .submit(new_run(&format!("r{i}"), &["x", "y"]))
            .await
            .unwrap();
    }
    let mut submissions: Vec<NewRun> = (0..900)
        .map(|i| new_run(&format!("c{}", i % 150), &["a", "b", "c"]))
        .chain((0..100).map(|i| rerun(&format!("r{}", i % 10), &["x", "y"])))
        .collect();
    submissions.shuffle(&mut rand::rng());
    let started = Instant::now();
    let tasks = submissions.into_iter().map(|new| {
        let store = store.clone();
        tokio::spawn(async move {
            let rerun = new.rerun;
            let (run, created) = store.submit(new).await.unwrap();
            (run, created, rerun)
        })
    });
    let results: Vec<(RunRecord, bool, bool)> = futures::future::try_join_all(tasks).await.unwrap();
    let elapsed = started.elapsed();
    eprintln!("1,000 concurrent submissions on {}: {elapsed:?}", db.kind);

    let mut plain: HashMap<String, HashSet<String>> = HashMap::new();
    let mut reruns = HashSet::new();
    for (run, created, rerun) in &results {
        if *rerun {
            assert!(created, "a re-run always makes a new run");
            reruns.insert(run.id.clone());
        } else {
            plain
                .entry(run.commit.clone())
                .or_default()
                .insert(run.id.clone());
        }
    }
    assert_eq!(plain.len(), 150);
    assert!(
        plain.values().all(|ids| ids.len() == 1),
        "one run per commit"
    );
    assert_eq!(reruns.len(), 100);
    assert_eq!(
        results.iter().filter(|(_, created, _)| *created).count(),
        250
    );

    let all = store
        .runs(&RunFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 10 + 150 + 100);
    let r3 = store
        .runs(&RunFilter {
            commit: Some("r3".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(r3.len(), 11, "the first run and ten re-runs");
    let latest = store.verdict_runs("r3").await.unwrap();
    assert_eq!(latest.len(), 1);
    assert!(reruns.contains(&latest[0].id));
    assert_eq!(
        store.queue_stats().await.unwrap(),
        QueueStats {
            queued_jobs: 10 * 2 + 150 * 3 + 100 * 2,
            running_jobs: 0,
            queued_runs: 260,
            running_runs: 0,
        }
    );
}

async fn leases_results_and_run_states(db: &Db) {
    use Outcome::{Error, Failed, Flaky, Passed};
    let store = &db.store;
    let cases: [(&[Outcome], RunState); 6] = [
        (&[Passed, Passed], RunState::Passed),
        (&[Flaky, Passed], RunState::Passed),
        (&[Passed, Failed, Error], RunState::Failed),
        (&[Passed, Error, Error], RunState::Error),
        (&[Passed, Outcome::Cancelled], RunState::Error),
        (&[Flaky], RunState::Passed),
    ];
    for (case, (outcomes, expected)) in cases.iter().enumerate() {
        let names: Vec<String> = (0..outcomes.len()).map(|i| format!("s{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let (submitted, _) = store
            .submit(new_run(&format!("states{case}"), &names))
            .await
            .unwrap();

        let leased = store.lease("runner-1", 10, LEASE, 3).await.unwrap();
        assert_eq!(
            leased.len(),
            outcomes.len(),
            "case {case}: every job handed out"
        );
        assert!(
            store
                .lease("runner-2", 10, LEASE, 3)
                .await
                .unwrap()
                .is_empty()
        );
        for (i, lease) in leased.iter().enumerate() {
            assert_eq!(lease.job.position as usize, i, "in scenario order");
            assert_eq!((lease.job.state, lease.job.leases), (JobState::Running, 1));
            assert_eq!(lease.job.lease_owner.as_deref(), Some("runner-1"));
            assert_eq!(lease.run.id, submitted.id);
            assert_eq!(lease.run.base_url, submitted.base_url);
            assert_eq!(lease.run.sources, submitted.sources);
        }
        let running = run(store, &submitted.id).await;
        assert_eq!(running.state, RunState::Running);
        assert!(running.started_at.is_some());
        assert_eq!(
            store.queue_stats().await.unwrap().running_jobs,
            outcomes.len() as u64
        );
        assert!(
            store
                .heartbeat(&leased[0].job.id, &leased[0].token, LEASE)
                .await
                .unwrap()
        );
        assert!(
            !store
                .heartbeat(&leased[0].job.id, "not-the-token", LEASE)
                .await
                .unwrap()
        );

        let mut done = None;
        for (i, (lease, outcome)) in leased.iter().zip(outcomes.iter()).enumerate() {
            let finished_run = finished(complete(store, lease, *outcome).await);
            assert_eq!(
                finished_run.is_some(),
                i + 1 == outcomes.len(),
                "only the last job finishes the run"
            );
            done = finished_run;
        }
        let done = done.unwrap();
        assert_eq!(done.state, *expected, "case {case}: {outcomes:?}");
        assert_eq!(run(store, &submitted.id).await, done);
        assert!(done.finished_at.is_some());
        match expected {
            RunState::Error if outcomes.contains(&Error) => {
                assert_eq!(
                    done.reason.as_deref(),
                    Some("scenario `s1`: boom in s1 (and 1 more)")
                );
            }
            RunState::Error => {
                assert_eq!(
                    done.reason.as_deref(),
                    Some("scenario `s1`: it was not run (its runner stopped it)")
                );
            }
            _ => assert_eq!(done.reason, None),
        }
        let jobs = store.jobs(&submitted.id).await.unwrap();
        for (job, outcome) in jobs.iter().zip(outcomes.iter()) {
            assert_eq!(job.state, JobState::Done);
            assert_eq!(job.outcome, Some(*outcome));
            assert_eq!(job.result, Some(result(&job.scenario, *outcome)));
            assert!(job.finished_at.is_some());
        }
        // A result delivered twice (a retry after a timeout) is recorded once.
        assert_eq!(
            complete(store, &leased[0], Passed).await,
            Completion::LeaseLost
        );
        assert!(
            !store
                .heartbeat(&leased[0].job.id, &leased[0].token, LEASE)
                .await
                .unwrap()
        );
        assert_eq!(store.jobs(&submitted.id).await.unwrap(), jobs);
    }
    assert_eq!(store.queue_stats().await.unwrap(), QueueStats::default());
}

async fn an_expired_lease_goes_back_and_the_late_result_is_dropped(db: &Db) {
    let store = &db.store;
    let (submitted, _) = store.submit(new_run("ccc", &["only"])).await.unwrap();
    let first = store
        .lease("dead-agent", 1, SHORT, 3)
        .await
        .unwrap()
        .remove(0);
    wait_past(first.expires_at).await;
    let second = store
        .lease("live-agent", 1, LEASE, 3)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(second.job.id, first.job.id);
    assert_eq!(second.job.leases, 2);
    assert_eq!(second.job.lease_owner.as_deref(), Some("live-agent"));
    assert_ne!(second.token, first.token);

    // The first runner comes back: its heartbeat and its result are refused.
    assert!(
        !store
            .heartbeat(&first.job.id, &first.token, LEASE)
            .await
            .unwrap()
    );
    let late = store
        .complete(
            &first.job.id,
            &first.token,
            &result("only", Outcome::Passed),
            &[("only/late.png".into(), vec![1])],
        )
        .await
        .unwrap();
    assert_eq!(late, Completion::LeaseLost);
    assert_eq!(
        store
            .artifact(&submitted.id, "only/late.png")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.jobs(&submitted.id).await.unwrap()[0].state,
        JobState::Running
    );

    let done = finished(complete(store, &second, Outcome::Failed).await).unwrap();
    assert_eq!(done.state, RunState::Failed);
    let jobs = store.jobs(&submitted.id).await.unwrap();
    assert_eq!(jobs[0].result, Some(result("only", Outcome::Failed)));

    // A lease that expired but that nobody took yet still holds: its result counts.
    let (slow, _) = store.submit(new_run("slow", &["only"])).await.unwrap();
    let lease = store
        .lease("slow-agent", 1, SHORT, 3)
        .await
        .unwrap()
        .remove(0);
    wait_past(lease.expires_at).await;
    let done = finished(complete(store, &lease, Outcome::Passed).await).unwrap();
    assert_eq!((done.id, done.state), (slow.id, RunState::Passed));
}

async fn a_job_that_keeps_losing_its_runner_ends_as_error(db: &Db) {
    let store = &db.store;
    let (cursed, _) = store.submit(new_run("ddd", &["cursed"])).await.unwrap();
    for attempt in 1..=3 {
        let lease = store
            .lease("dying-agent", 1, SHORT, 3)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(
            (lease.job.id.clone(), lease.job.leases),
            (store.jobs(&cursed.id).await.unwrap()[0].id.clone(), attempt)
        );
        wait_past(lease.expires_at).await;
    }
    let (healthy, _) = store.submit(new_run("eee", &["fine"])).await.unwrap();
    // The lost job is ended instead of leased, and the capacity goes to the next job.
    let (leased, ended) = store.lease_and_expire("agent", 1, LEASE, 3).await.unwrap();
    assert_eq!(leased.len(), 1);
    assert_eq!(leased[0].run.id, healthy.id);
    assert_eq!(ended.len(), 1);
    let ended = &ended[0];
    assert_eq!(
        (ended.id.as_str(), ended.state),
        (cursed.id.as_str(), RunState::Error)
    );
    let reason = "the runner was lost 3 times (agent died or server restarted)";
    assert_eq!(
        ended.reason.clone().unwrap(),
        format!("scenario `cursed`: {reason}")
    );
    assert_eq!(run(store, &cursed.id).await, *ended);
    let job = store.jobs(&cursed.id).await.unwrap().remove(0);
    assert_eq!(
        (job.state, job.outcome, job.leases),
        (JobState::Done, Some(Outcome::Error), 3)
    );
    let recorded = job.result.unwrap();
    assert_eq!(recorded.outcome, Outcome::Error);
    assert_eq!(recorded.failure().unwrap().message, reason);
    assert!(store.lease("agent", 5, LEASE, 3).await.unwrap().is_empty());
}

async fn concurrent_runners_never_get_the_same_job(db: &Db) {
    let store = &db.store;
    for i in 0..20 {
        store
            .submit(new_run(&format!("race{i}"), &["a", "b", "c"]))
            .await
            .unwrap();
    }
    let runners = (0..8).map(|w| {
        let store = store.clone();
        tokio::spawn(async move {
            let owner = format!("runner-{w}");
            let mut mine = Vec::new();
            loop {
                let got = store.lease(&owner, 2, LEASE, 3).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got);
            }
        })
    });
    let leased: Vec<LeasedJob> = futures::future::try_join_all(runners)
        .await
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(leased.len(), 60);
    let distinct: HashSet<&str> = leased.iter().map(|l| l.job.id.as_str()).collect();
    assert_eq!(distinct.len(), 60, "no job leased twice");

    // Every runner reports at once: each result is recorded, each run finished exactly once.
    let reports = leased.into_iter().map(|lease| {
        let store = store.clone();
        tokio::spawn(async move { finished(complete(&store, &lease, Outcome::Passed).await) })
    });
    let finished_runs: Vec<RunRecord> = futures::future::try_join_all(reports)
        .await
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(finished_runs.len(), 20);
    assert!(finished_runs.iter().all(|r| r.state == RunState::Passed));
    assert_eq!(
        finished_runs
            .iter()
            .map(|r| r.id.as_str())
            .collect::<HashSet<_>>()
            .len(),
        20
    );
    for run in &finished_runs {
        assert!(
            store
                .jobs(&run.id)
                .await
                .unwrap()
                .iter()
                .all(|j| j.leases == 1)
        );
    }
}

async fn release_hands_a_job_back(db: &Db) {
    let store = &db.store;
    let (submitted, _) = store.submit(new_run("rel", &["a", "b"])).await.unwrap();
    let lease = store.lease("r", 1, LEASE, 3).await.unwrap().remove(0);
    assert_eq!(lease.job.scenario, "a");

    store.release(&lease.job.id, "not-the-token").await.unwrap();
    assert_eq!(
        store.jobs(&submitted.id).await.unwrap()[0].state,
        JobState::Running
    );

    store.release(&lease.job.id, &lease.token).await.unwrap();
    let job = store.jobs(&submitted.id).await.unwrap().remove(0);
    assert_eq!(
        (job.state, job.lease_owner, job.leases),
        (JobState::Queued, None, 1)
    );
    assert!(
        !store
            .heartbeat(&lease.job.id, &lease.token, LEASE)
            .await
            .unwrap()
    );
    assert_eq!(
        complete(store, &lease, Outcome::Passed).await,
        Completion::LeaseLost
    );
    assert_eq!(run(store, &submitted.id).await.state, RunState::Running);

    let again = store.lease("r2", 5, LEASE, 3).await.unwrap();
    assert_eq!(
        again
            .iter()
            .map(|l| (l.job.scenario.as_str(), l.job.leases))
            .collect::<Vec<_>>(),
        [("a", 2), ("b", 1)],
        "the released job is queued again, in its place"
    );
}

async fn cancel_ends_queued_jobs_and_keeps_late_results(db: &Db) {
    let store = &db.store;
    let (submitted, _) = store
        .submit(new_run("can", &["a", "b", "c"]))
        .await
        .unwrap();
    let running = store.lease("r", 1, LEASE, 3).await.unwrap().remove(0);
    let (cancelled, changed) = store
        .cancel_run(&submitted.id, "cancelled by alice")
        .await
        .unwrap()
        .unwrap();
    assert!(changed, "this call cancelled it");
    assert_eq!(cancelled.state, RunState::Cancelled);
    assert_eq!(cancelled.reason.as_deref(), Some("cancelled by alice"));
    assert!(cancelled.finished_at.is_some());
    let jobs = store.jobs(&submitted.id).await.unwrap();
    assert_eq!(
        jobs.iter()
            .map(|j| (j.state, j.outcome))
            .collect::<Vec<_>>(),
        [
            (JobState::Running, None),
            (JobState::Done, Some(Outcome::Cancelled)),
            (JobState::Done, Some(Outcome::Cancelled))
        ]
    );
    assert!(store.lease("r", 5, LEASE, 3).await.unwrap().is_empty());

    // The running scenario may still report; the run stays cancelled.
    assert_eq!(
        finished(complete(store, &running, Outcome::Passed).await),
        None
    );
    assert_eq!(run(store, &submitted.id).await, cancelled);
    assert_eq!(
        store.jobs(&submitted.id).await.unwrap()[0].outcome,
        Some(Outcome::Passed)
    );

    // Cancelling again, or cancelling a finished run, changes nothing.
    let again = store
        .cancel_run(&submitted.id, "cancelled by bob")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, (cancelled, false));
    let (passed, _) = store.submit(new_run("done", &["a"])).await.unwrap();
    let lease = store.lease("r", 1, LEASE, 3).await.unwrap().remove(0);
    finished(complete(store, &lease, Outcome::Passed).await).unwrap();
    let kept = store
        .cancel_run(&passed.id, "too late")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.0.state, kept.0.reason, kept.1),
        (RunState::Passed, None, false),
        "a finished run is left as it is"
    );
    assert_eq!(store.cancel_run("no-such-run", "x").await.unwrap(), None);

    // Jobs of a cancelled run never queue again: handed back, or their runner lost.
    let (other, _) = store.submit(new_run("can2", &["a", "b"])).await.unwrap();
    let [handed_back, lost]: [LeasedJob; 2] = store
        .lease("r", 2, SHORT, 3)
        .await
        .unwrap()
        .try_into()
        .unwrap();
    store
        .cancel_run(&other.id, "cancelled by carol")
        .await
        .unwrap();
    store
        .release(&handed_back.job.id, &handed_back.token)
        .await
        .unwrap();
    wait_past(lost.expires_at).await;
    assert!(store.lease("r", 5, LEASE, 3).await.unwrap().is_empty());
    let jobs = store.jobs(&other.id).await.unwrap();
    assert!(
        jobs.iter()
            .all(|j| j.state == JobState::Done && j.outcome == Some(Outcome::Cancelled))
    );
    assert_eq!(run(store, &other.id).await.state, RunState::Cancelled);
    assert_eq!(store.queue_stats().await.unwrap(), QueueStats::default());
}

async fn rerun_failed_runs_only_the_failures(db: &Db) {
    let store = &db.store;
    let (first, _) = store
        .submit(new_run("fff", &["a", "b", "c", "d"]))
        .await
        .unwrap();
    let leased = store.lease("r", 4, LEASE, 3).await.unwrap();
    for (lease, outcome) in leased.iter().zip([
        Outcome::Passed,
        Outcome::Failed,
        Outcome::Error,
        Outcome::Flaky,
    ]) {
        complete(store, lease, outcome).await;
    }
    let second = store.rerun_failed(&first.id).await.unwrap().unwrap();
    assert_ne!(second.id, first.id);
    assert_eq!(
        (
            &second.commit,
            &second.suite,
            &second.sources,
            &second.base_url,
            second.state
        ),
        (
            &first.commit,
            &first.suite,
            &first.sources,
            &first.base_url,
            RunState::Queued
        )
    );
    let jobs = store.jobs(&second.id).await.unwrap();
    assert_eq!(
        jobs.iter()
            .map(|j| (j.scenario.as_str(), j.position))
            .collect::<Vec<_>>(),
        [("b", 0), ("c", 1)]
    );
    assert_eq!(
        store.verdict_runs("fff").await.unwrap(),
        views(store, [second.clone()]).await
    );

    // Cancelled scenarios are re-run too; a re-run of a re-run is the next generation.
    store.cancel_run(&second.id, "cancelled").await.unwrap();
    let third = store.rerun_failed(&second.id).await.unwrap().unwrap();
    assert_eq!(store.jobs(&third.id).await.unwrap().len(), 2);
    assert_eq!(
        store.verdict_runs("fff").await.unwrap(),
        views(store, [third]).await
    );

    // Nothing failed: the run itself, unchanged.
    let (clean, _) = store.submit(new_run("ggg", &["a"])).await.unwrap();
    let lease = store.lease("r", 5, LEASE, 3).await.unwrap();
    assert_eq!(
        lease.len(),
        3,
        "the re-run's two jobs, then the clean run's"
    );
    for lease in &lease {
        complete(store, lease, Outcome::Passed).await;
    }
    let clean = run(store, &clean.id).await;
    assert_eq!(store.rerun_failed(&clean.id).await.unwrap(), Some(clean));
    assert_eq!(store.rerun_failed("no-such-run").await.unwrap(), None);
}

async fn runs_page_newest_first(db: &Db) {
    let store = &db.store;
    for i in 0..10 {
        let branch = if i < 7 { "main" } else { "dev" };
        store
            .submit(NewRun {
                branch: Some(branch.into()),
                ..new_run(&format!("p{i}"), &["a"])
            })
            .await
            .unwrap();
    }
    let mut seen: Vec<RunRecord> = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .runs(&RunFilter {
                limit: 3,
                before: before.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        before = Some(last.id.clone());
        seen.extend(page);
    }
    assert_eq!(seen.len(), 10);
    assert!(
        seen.windows(2)
            .all(|w| (w[0].created_at, &w[0].id) > (w[1].created_at, &w[1].id)),
        "newest first, no run twice"
    );

    let count = |filter: RunFilter| async move { store.runs(&filter).await.unwrap().len() };
    assert_eq!(
        count(RunFilter {
            branch: Some("dev".into()),
            ..Default::default()
        })
        .await,
        3
    );
    assert_eq!(
        count(RunFilter {
            commit: Some("p2".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(RunFilter {
            state: Some(RunState::Queued),
            ..Default::default()
        })
        .await,
        10
    );
    assert_eq!(
        count(RunFilter {
            state: Some(RunState::Passed),
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        count(RunFilter {
            before: Some("no-such-run".into()),
            ..Default::default()
        })
        .await,
        0
    );
    let dev_after_newest = RunFilter {
        branch: Some("dev".into()),
        before: Some(seen[0].id.clone()),
        ..Default::default()
    };
    assert_eq!(count(dev_after_newest).await, 2);
}

async fn verdict_runs_are_each_suites_latest_with_outcomes_and_failures(db: &Db) {
    let store = &db.store;
    let suite = |name: &str, new: NewRun| NewRun {
        suite: name.into(),
        ..new
    };
    store
        .submit(suite("s1", new_run("hhh", &["a"])))
        .await
        .unwrap();
    let (s2, _) = store
        .submit(suite("s2", new_run("hhh", &["a", "b", "c", "d", "e"])))
        .await
        .unwrap();
    store
        .submit(suite("s1", rerun("hhh", &["a"])))
        .await
        .unwrap();
    let (s1_latest, _) = store
        .submit(suite("s1", rerun("hhh", &["a"])))
        .await
        .unwrap();
    store
        .submit(suite("s1", new_run("iii", &["a"])))
        .await
        .unwrap();
    // s1's latest is cancelled before it runs (a job ended without a result); s2's jobs end
    // in every outcome but one, which stays running.
    store.cancel_run(&s1_latest.id, "superseded").await.unwrap();
    for lease in store.lease("r", 20, LEASE, 3).await.unwrap() {
        if lease.run.id != s2.id {
            continue;
        }
        let outcome = match lease.job.scenario.as_str() {
            "a" => Outcome::Passed,
            "b" => Outcome::Failed,
            "c" => Outcome::Flaky,
            "d" => Outcome::Error,
            _ => continue,
        };
        complete(store, &lease, outcome).await;
    }

    let verdict = store.verdict_runs("hhh").await.unwrap();
    assert_eq!(
        verdict,
        views(store, oldest_first([s2.clone(), s1_latest.clone()])).await
    );
    let s2_view = verdict.iter().find(|r| r.id == s2.id).unwrap();
    assert_eq!((s2_view.total, s2_view.done), (5, 4), "e is still running");
    let named: Vec<_> = s2_view
        .notable
        .iter()
        .map(|j| (j.scenario.as_str(), j.outcome.as_str()))
        .collect();
    assert_eq!(named, [("b", "failed"), ("c", "flaky"), ("d", "error")]);
    let failure = s2_view.notable[0].failure.as_ref().unwrap();
    assert_eq!(
        (failure.location.as_deref(), failure.message.as_str()),
        (Some("b.toml:3:1"), "boom in b")
    );
    assert!(
        s2_view.notable[1].failure.is_none(),
        "a flaky pass names no failure"
    );
    assert_eq!(
        s2_view.notable[2].failure.as_ref().unwrap().message,
        "boom in d"
    );
    let s1_view = verdict.iter().find(|r| r.id == s1_latest.id).unwrap();
    assert_eq!(s1_view.state, RunState::Cancelled);
    assert_eq!((s1_view.total, s1_view.done), (1, 1));
    assert!(
        s1_view.notable.is_empty(),
        "cancelled before it ran: no result to name"
    );
    assert!(store.verdict_runs("unknown").await.unwrap().is_empty());
}

/// A canary's synthetic check run (its suite starts with `synthetic:`) tests the deployment,
/// not the commit: one still running, or failed against a canary already stopped, must not
/// turn the commit's verdict pending or red (it refused the commit's next deployment).
async fn synthetic_check_runs_are_left_out_of_the_verdict(db: &Db) {
    let store = &db.store;
    let (gate_run, _) = store.submit(new_run("jjj", &["a"])).await.unwrap();
    let lease = store.lease("r", 1, LEASE, 3).await.unwrap().pop().unwrap();
    complete(store, &lease, Outcome::Passed).await;
    let synthetic = |new: NewRun| NewRun {
        suite: format!("{SYNTHETIC_SUITE}suite-1"),
        ..new
    };
    let (running, _) = store.submit(synthetic(rerun("jjj", &["a"]))).await.unwrap();
    assert_eq!(
        store.verdict_runs("jjj").await.unwrap(),
        views(store, [run(store, &gate_run.id).await]).await,
        "a synthetic run in progress is not part of the verdict"
    );
    let lease = store.lease("r", 1, LEASE, 3).await.unwrap().pop().unwrap();
    assert_eq!(lease.run.id, running.id);
    complete(store, &lease, Outcome::Failed).await;
    let verdict = store.verdict_runs("jjj").await.unwrap();
    assert_eq!(verdict.len(), 1, "{verdict:?}");
    assert_eq!(verdict[0].id, gate_run.id);
    assert_eq!(verdict[0].state, RunState::Passed);
}

async fn artifacts_round_trip(db: &Db) {
    let store = &db.store;
    let (submitted, _) = store.submit(new_run("art", &["a", "b"])).await.unwrap();
    let [a, b]: [LeasedJob; 2] = store
        .lease("r", 2, LEASE, 3)
        .await
        .unwrap()
        .try_into()
        .unwrap();
    let png: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let html = "<p>Ünïcödé ✓</p>".as_bytes().to_vec();
    store
        .complete(
            &a.job.id,
            &a.token,
            &result("a", Outcome::Failed),
            &[
                ("a/attempt-1/failure.png".into(), png.clone()),
                ("a/attempt-1/page.html".into(), html.clone()),
                ("shared/empty.txt".into(), vec![]),
            ],
        )
        .await
        .unwrap();
    for (run, path, stored) in [
        (submitted.id.as_str(), "a/attempt-1/failure.png", Some(png)),
        (&submitted.id, "a/attempt-1/page.html", Some(html)),
        (&submitted.id, "shared/empty.txt", Some(vec![])),
        (&submitted.id, "missing.png", None),
        ("other-run", "a/attempt-1/failure.png", None),
    ] {
        assert_eq!(
            store.artifact(run, path).await.unwrap(),
            stored,
            "{run} {path}"
        );
    }
    // A later job of the run writing the same path replaces the file.
    store
        .complete(
            &b.job.id,
            &b.token,
            &result("b", Outcome::Passed),
            &[("shared/empty.txt".into(), b"now full".to_vec())],
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .artifact(&submitted.id, "shared/empty.txt")
            .await
            .unwrap(),
        Some(b"now full".to_vec())
    );
}

async fn webhook_deliveries_are_deduplicated(db: &Db) {
    let store = &db.store;
    let attempts = (0..50).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.record_delivery("delivery-1").await.unwrap() })
    });
    let fresh = futures::future::try_join_all(attempts).await.unwrap();
    assert_eq!(
        fresh.iter().filter(|f| **f).count(),
        1,
        "exactly one delivery is new"
    );
    assert!(store.record_delivery("delivery-2").await.unwrap());
    assert!(!store.record_delivery("delivery-2").await.unwrap());
}

async fn outbox_due_failed_delivered(db: &Db) {
    let store = &db.store;
    let status = OutboxStatus {
        id: "s1".into(),
        sha: "jjj".into(),
        state: CommitState::Pending,
        description: "running".into(),
        target_url: "http://gate/runs/1".into(),
        attempts: 0,
        next_attempt_at: 0,
    };
    store.enqueue_status(&status).await.unwrap();
    assert_eq!(
        store.due_statuses(10, 10).await.unwrap(),
        std::slice::from_ref(&status)
    );

    store
        .status_failed("s1", 1_000, "502 Bad Gateway")
        .await
        .unwrap();
    assert!(
        store.due_statuses(10, 10).await.unwrap().is_empty(),
        "not due before its retry time"
    );
    let due = store.due_statuses(1_000, 10).await.unwrap();
    assert_eq!((due[0].attempts, due[0].next_attempt_at), (1, 1_000));

    // A newer status of the same commit supersedes the undelivered older one; other commits'
    // statuses are not touched.
    let other = OutboxStatus {
        id: "o1".into(),
        sha: "kkk".into(),
        next_attempt_at: 5,
        ..status.clone()
    };
    store.enqueue_status(&other).await.unwrap();
    let newer = OutboxStatus {
        id: "s2".into(),
        state: CommitState::Failure,
        next_attempt_at: 20,
        ..status.clone()
    };
    store.enqueue_status(&newer).await.unwrap();
    let due = store.due_statuses(i64::MAX / 4, 10).await.unwrap();
    assert_eq!(
        due.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["o1", "s2"],
        "oldest first"
    );
    assert_eq!(
        store.due_statuses(i64::MAX / 4, 1).await.unwrap().len(),
        1,
        "limit"
    );
    // An attempt at the older status that fails after the newer one was queued (the loop was
    // posting it meanwhile) leaves it superseded: not counted as posted, not due again.
    store
        .status_failed("s1", 30, "502 Bad Gateway")
        .await
        .unwrap();
    assert_eq!(
        store.last_status_delivered().await.unwrap(),
        None,
        "nothing was posted"
    );

    store.status_delivered("s2").await.unwrap();
    store.status_delivered("o1").await.unwrap();
    assert!(
        store
            .due_statuses(i64::MAX / 4, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn stage_performances_are_recorded_with_their_audit_entry(db: &Db) {
    use gate_audit::{Action, NewEntry};
    use gate_server::store::StagePerformance;
    let store = &db.store;
    assert!(store.releases(5).await.unwrap().is_empty());
    for (i, release) in ["1.0", "1.1", "1.2"].iter().enumerate() {
        let performance = StagePerformance {
            id: format!("p{i}"),
            stage: "qa-sign-off".into(),
            release: release.to_string(),
            performed_by: "ana".into(),
            recorded_by: "ci".into(),
            note: (i == 0).then(|| "first".to_string()),
            duration_ms: (i == 1).then_some(60_000),
            at_ms: 1_000 + i as i64,
        };
        let entry = NewEntry {
            to_version: Some(release.to_string()),
            ..NewEntry::new(1_000 + i as i64, "ci", Action::StagePerformed)
        };
        store
            .record_performance(&performance, &entry)
            .await
            .unwrap();
    }
    let recorded = store.performances().await.unwrap();
    assert_eq!(recorded.len(), 3);
    assert_eq!(recorded[0].note.as_deref(), Some("first"));
    assert_eq!(recorded[1].duration_ms, Some(60_000));
    assert_eq!(store.releases(2).await.unwrap(), ["1.2", "1.1"]);
    let chain = store.audit_chain().await.unwrap();
    assert_eq!(chain.len(), 3);
    assert!(
        chain
            .iter()
            .all(|e| e.content.action == Action::StagePerformed)
    );
    assert!(gate_audit::verify(&chain).is_ok());
}

/// A history of 1,200 deployments and 600 incidents (several of the store's chunks each) goes
/// in all at once; recorded again, every row, a few of them changed, replaces itself.
async fn a_large_history_is_recorded_in_chunks_and_replaces_itself(db: &Db) {
    use gate_server::store::{CarriedCommit, ExternalDeployment, ExternalOutcome, Incident};
    let store = &db.store;
    let deployments: Vec<ExternalDeployment> = (0..1_200)
        .map(|i| ExternalDeployment {
            id: format!("d{i}"),
            service: "shop".into(),
            version: (i % 2 == 0).then(|| format!("v{i}")),
            commits: vec![CarriedCommit {
                sha: format!("{i:040x}"),
                committed_at: Some(i),
            }],
            started_at: 1_000 + i,
            finished_at: 2_000 + i,
            outcome: if i % 100 == 0 {
                ExternalOutcome::RolledBack
            } else {
                ExternalOutcome::Success
            },
            hotfix: i % 7 == 0,
            rollback: false,
            detected_at: (i % 100 == 0).then_some(2_000 + i),
            recovered_at: (i % 100 == 0).then_some(2_500 + i),
        })
        .collect();
    let incidents: Vec<Incident> = (0..600)
        .map(|i| Incident {
            id: format!("i{i}"),
            service: "shop".into(),
            title: format!("incident {i}"),
            started_at: 3_000 + i,
            resolved_at: (i % 3 == 0).then_some(4_000 + i),
            caused_by: (i % 2 == 0).then(|| format!("d{i}")),
        })
        .collect();
    let recorded = store
        .record_history(&deployments, &incidents, "ci")
        .await
        .unwrap();
    assert_eq!((recorded.created, recorded.replaced), (1_800, 0));
    assert_eq!(
        store.external_deployments(0, i64::MAX).await.unwrap(),
        deployments
    );
    assert_eq!(store.incidents(0, i64::MAX).await.unwrap(), incidents);

    let mut changed = deployments.clone();
    changed[1_100].service = "cart".into();
    changed.push(ExternalDeployment {
        id: "d-new".into(),
        ..deployments[0].clone()
    });
    let recorded = store.record_history(&changed, &[], "ci").await.unwrap();
    assert_eq!((recorded.created, recorded.replaced), (1, 1_200));
    let stored = store.external_deployments(0, i64::MAX).await.unwrap();
    assert_eq!(stored.len(), 1_201);
    assert_eq!(
        stored.iter().find(|d| d.id == "d1100").unwrap().service,
        "cart"
    );
}

/// The change marker of an SQLite file, against the real WAL index: reads leave it as it is; a
/// commit by this store or by another one on the same file (another server) changes it; on
/// PostgreSQL and in memory there is none.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sqlite_change_marker_moves_with_every_commit_from_any_store() {
    let db = Db::sqlite().await;
    let other = Store::connect(&db.url).await.unwrap();
    let store = &db.store;
    // Every connection of both stores' read pools open (16 reads at once each; a pool opens
    // at most 4): a connection opened later would rightly move the marker.
    let sha = "a".repeat(40);
    for s in [store, &other] {
        let reads = (0..16).map(|_| s.verdict_fingerprint(&sha));
        for read in futures::future::join_all(reads).await {
            read.unwrap();
        }
    }
    let before = store
        .change_marker()
        .expect("a marker on an SQLite file in WAL mode");
    for _ in 0..3 {
        store.server_states("x").await.unwrap();
        store.verdict_fingerprint(&sha).await.unwrap();
        other.server_states("x").await.unwrap();
    }
    assert_eq!(store.change_marker(), Some(before), "reads change nothing");
    other.set_server_state("x:1", "1", &[]).await.unwrap();
    let after_other = store.change_marker().unwrap();
    assert_ne!(after_other, before, "another store's commit");
    store.set_server_state("x:2", "2", &[]).await.unwrap();
    let after_own = store.change_marker().unwrap();
    assert_ne!(after_own, after_other, "this store's commit");
    // A commit that leaves every page as it was need not move it (nothing to see); any change
    // of content does.
    other.set_server_state("x:2", "3", &[]).await.unwrap();
    assert_ne!(store.change_marker(), Some(after_own), "a changed value");
    other.close().await;
    db.finish().await;

    let memory = Store::connect("sqlite::memory:").await.unwrap();
    assert_eq!(memory.change_marker(), None);
    if let Some(pg) = Db::postgres().await {
        assert_eq!(pg.store.change_marker(), None);
        pg.finish().await;
    }
}
