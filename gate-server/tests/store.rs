//! The store against real SQLite and real PostgreSQL (`GATE_TEST_POSTGRES_URL`, which
//! `scripts/test` sets after starting PostgreSQL with `scripts/postgres`): submission
//! idempotency under concurrency, the lease protocol, run states, paging, artifacts, outbox.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::time::Duration;

use gate_runner::result::{Attempt, AttemptOutcome, Outcome, ScenarioResult};
use gate_server::store::{Completion, NewRun, OutboxStatus, RunFilter, Store};
use gate_server::wire::{JobState, RunState, SourceFile};

/// Runs `test` on a fresh SQLite file and, when configured, a fresh PostgreSQL database.
async fn on_both<F, Fut>(label: &str, test: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("gate.db").display()
    ))
    .await
    .unwrap();
    test(sqlite).await;
    match std::env::var("GATE_TEST_POSTGRES_URL") {
        Ok(admin) => {
            let name = format!("gate_store_{label}_{}", std::process::id());
            for sql in [
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ] {
                let out = std::process::Command::new("psql")
                    .arg(&admin)
                    .args(["-q", "-v", "ON_ERROR_STOP=1", "-c", &sql])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let base = admin.rsplit_once('/').unwrap().0;
            let pg = Store::connect(&format!("{base}/{name}")).await.unwrap();
            test(pg).await;
        }
        Err(_) => {
            assert!(
                std::env::var("GATE_REQUIRE_POSTGRES").is_err(),
                "GATE_REQUIRE_POSTGRES is set but GATE_TEST_POSTGRES_URL is not"
            );
            eprintln!("skipping the PostgreSQL half: GATE_TEST_POSTGRES_URL is not set");
        }
    }
}

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

fn result(name: &str, outcome: Outcome) -> ScenarioResult {
    let attempt = |outcome| Attempt {
        number: 1,
        outcome,
        worker: 1,
        duration_ms: 5,
        steps: vec![],
        failure: None,
        artifacts: Default::default(),
        console_errors: vec![],
        failed_requests: vec![],
    };
    let attempts = match outcome {
        Outcome::Flaky => vec![
            attempt(AttemptOutcome::Failed),
            attempt(AttemptOutcome::Passed),
        ],
        Outcome::Failed => vec![attempt(AttemptOutcome::Failed)],
        Outcome::Error => vec![attempt(AttemptOutcome::Error)],
        _ => vec![attempt(AttemptOutcome::Passed)],
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

const LEASE: Duration = Duration::from_secs(30);

#[tokio::test]
async fn submit_is_idempotent_even_under_concurrency() {
    on_both("idem", |store| async move {
        let (a, created) = store.submit(new_run("aaa", &["x"])).await.unwrap();
        assert!(created);
        let (b, created) = store.submit(new_run("aaa", &["x"])).await.unwrap();
        assert!(!created);
        assert_eq!(a.id, b.id);
        let (c, created) = store
            .submit(NewRun {
                rerun: true,
                ..new_run("aaa", &["x"])
            })
            .await
            .unwrap();
        assert!(created && c.id != a.id);
        // The latest generation is what the commit's verdict reads.
        let latest = store.latest_runs_for_commit("aaa").await.unwrap();
        assert_eq!(
            latest.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
            vec![c.id.clone()]
        );

        // 200 concurrent submissions of 50 commits (4 each): exactly 50 runs.
        let tasks = (0..200).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .submit(new_run(&format!("c{}", i % 50), &["x", "y"]))
                    .await
                    .unwrap()
            })
        });
        let results: Vec<_> = futures::future::join_all(tasks)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 50);
        let all = store
            .runs(&RunFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(all.len(), 52);
        for run in &all {
            assert_eq!(
                store.jobs(&run.id).await.unwrap().len(),
                if run.commit == "aaa" { 1 } else { 2 }
            );
        }
    })
    .await;
}

#[tokio::test]
async fn leases_results_and_run_states() {
    on_both("lease", |store| async move {
        let (run, _) = store.submit(new_run("bbb", &["one", "two"])).await.unwrap();
        let leased = store.lease("r1", 10, LEASE, 3).await.unwrap();
        assert_eq!(leased.len(), 2);
        assert!(
            store.lease("r2", 10, LEASE, 3).await.unwrap().is_empty(),
            "nothing left to lease"
        );
        assert_eq!(
            store.run(&run.id).await.unwrap().unwrap().state,
            RunState::Running
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

        let first = store
            .complete(
                &leased[0].job.id,
                &leased[0].token,
                &result("one", Outcome::Flaky),
                &[("one/shot.png".into(), vec![1, 2, 3])],
            )
            .await
            .unwrap();
        assert_eq!(first, Completion::Recorded { run_finished: None });
        // A second delivery of the same result (retry after a timeout) is not recorded twice.
        let again = store
            .complete(
                &leased[0].job.id,
                &leased[0].token,
                &result("one", Outcome::Flaky),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(again, Completion::LeaseLost);
        let Completion::Recorded {
            run_finished: Some(done),
        } = store
            .complete(
                &leased[1].job.id,
                &leased[1].token,
                &result("two", Outcome::Failed),
                &[],
            )
            .await
            .unwrap()
        else {
            panic!("the last result finishes the run")
        };
        assert_eq!(done.state, RunState::Failed);
        assert_eq!(
            store.artifact(&run.id, "one/shot.png").await.unwrap(),
            Some(vec![1, 2, 3])
        );
        assert_eq!(store.artifact(&run.id, "missing").await.unwrap(), None);
        let jobs = store.jobs(&run.id).await.unwrap();
        assert_eq!(
            jobs.iter()
                .map(|j| j.outcome.clone().unwrap())
                .collect::<Vec<_>>(),
            ["flaky", "failed"]
        );
        assert!(
            jobs.iter()
                .all(|j| j.state == JobState::Done && j.result.is_some())
        );

        // Re-running the failures makes a new run with only `two`.
        let rerun = store.rerun_failed(&run.id).await.unwrap().unwrap();
        assert_ne!(rerun.id, run.id);
        assert_eq!(
            store
                .jobs(&rerun.id)
                .await
                .unwrap()
                .iter()
                .map(|j| j.scenario.clone())
                .collect::<Vec<_>>(),
            ["two"]
        );
    })
    .await;
}

#[tokio::test]
async fn expired_leases_go_back_and_late_results_are_dropped() {
    on_both("expiry", |store| async move {
        let (run, _) = store.submit(new_run("ccc", &["only"])).await.unwrap();
        let short = Duration::from_millis(50);
        let first = store
            .lease("dead-agent", 1, short, 2)
            .await
            .unwrap()
            .remove(0);
        tokio::time::sleep(Duration::from_millis(120)).await; // past the lease: that is the point
        let second = store
            .lease("live-agent", 1, LEASE, 2)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(second.job.id, first.job.id);
        assert_eq!(second.job.leases, 2);
        assert_eq!(
            store
                .complete(
                    &first.job.id,
                    &first.token,
                    &result("only", Outcome::Passed),
                    &[]
                )
                .await
                .unwrap(),
            Completion::LeaseLost
        );
        assert!(matches!(
            store
                .complete(
                    &second.job.id,
                    &second.token,
                    &result("only", Outcome::Passed),
                    &[]
                )
                .await
                .unwrap(),
            Completion::Recorded {
                run_finished: Some(_)
            }
        ));
        assert_eq!(
            store.run(&run.id).await.unwrap().unwrap().state,
            RunState::Passed
        );

        // A job that keeps losing its runner ends as an error after `max_leases`.
        let (run, _) = store.submit(new_run("ddd", &["cursed"])).await.unwrap();
        for _ in 0..2 {
            store.lease("flaky-agent", 1, short, 2).await.unwrap();
            tokio::time::sleep(Duration::from_millis(120)).await;
        }
        assert!(
            store
                .lease("flaky-agent", 1, short, 2)
                .await
                .unwrap()
                .is_empty()
        );
        let run = store.run(&run.id).await.unwrap().unwrap();
        assert_eq!(run.state, RunState::Error);
        assert!(run.reason.unwrap().contains("lost 2 times"));
    })
    .await;
}

#[tokio::test]
async fn concurrent_leasing_never_hands_a_job_out_twice() {
    on_both("race", |store| async move {
        for i in 0..20 {
            store
                .submit(new_run(&format!("r{i}"), &["a", "b", "c"]))
                .await
                .unwrap();
        }
        let tasks = (0..8).map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = store.lease(&format!("w{w}"), 2, LEASE, 3).await.unwrap();
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|l| l.job.id));
                }
            })
        });
        let mut all: Vec<String> = futures::future::join_all(tasks)
            .await
            .into_iter()
            .flat_map(Result::unwrap)
            .collect();
        assert_eq!(all.len(), 60);
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 60, "no job leased twice");
    })
    .await;
}

#[tokio::test]
async fn release_cancel_paging_deliveries_and_outbox() {
    on_both("misc", |store| async move {
        let (run, _) = store.submit(new_run("eee", &["a", "b"])).await.unwrap();
        let lease = store.lease("r", 1, LEASE, 3).await.unwrap().remove(0);
        store.release(&lease.job.id, &lease.token).await.unwrap();
        assert_eq!(
            store.lease("r", 5, LEASE, 3).await.unwrap().len(),
            2,
            "the released job is queued again"
        );
        let cancelled = store
            .cancel_run(&run.id, "superseded")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(cancelled.state, RunState::Cancelled);

        for i in 0..7 {
            store
                .submit(new_run(&format!("p{i}"), &["a"]))
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
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
            if page.is_empty() {
                break;
            }
            before = page.last().map(|r| r.id.clone());
            seen.extend(page.into_iter().map(|r| r.id));
        }
        assert_eq!(seen.len(), 8);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 8, "pages do not overlap");

        assert!(store.record_delivery("d-1").await.unwrap());
        assert!(!store.record_delivery("d-1").await.unwrap());

        let status = OutboxStatus {
            id: "s1".into(),
            sha: "eee".into(),
            state: "success".into(),
            description: "ok".into(),
            target_url: "http://x".into(),
            attempts: 0,
            next_attempt_at: 0,
        };
        store.enqueue_status(&status).await.unwrap();
        assert_eq!(store.due_statuses(10, 10).await.unwrap().len(), 1);
        store.status_failed("s1", 1_000, "502").await.unwrap();
        assert!(store.due_statuses(10, 10).await.unwrap().is_empty());
        assert_eq!(store.due_statuses(1_000, 10).await.unwrap()[0].attempts, 1);
        // A newer status of the same commit supersedes an undelivered older one.
        let newer = OutboxStatus {
            id: "s2".into(),
            state: "failure".into(),
            ..status.clone()
        };
        store.enqueue_status(&newer).await.unwrap();
        let due = store.due_statuses(i64::MAX / 4, 10).await.unwrap();
        assert_eq!(
            due.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["s2"]
        );
        store.status_delivered("s2").await.unwrap();
        assert!(
            store
                .due_statuses(i64::MAX / 4, 10)
                .await
                .unwrap()
                .is_empty()
        );
        store.ping().await.unwrap();
    })
    .await;
}
