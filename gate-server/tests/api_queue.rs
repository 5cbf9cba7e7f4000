//! Runs through their life over the API: idempotent submission, re-runs, cancelling, listing
//! and paging, the commit verdict through every state, the reports, and the agent protocol
//! (long-poll lease, heartbeats, results with artifacts, stale leases).

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod api_support;

use std::time::{Duration, Instant};

use api_support::*;
use axum::http::StatusCode;
use base64::Engine;
use gate_runner::result::Outcome;

#[tokio::test]
async fn submissions_are_idempotent_and_reruns_are_new_runs() {
    let gate = Gate::new().await;
    let commit = sha(1);
    let body = serde_json::json!({ "commit": commit.to_uppercase(), "base_url": "http://127.0.0.1:9", "branch": "main", "pr": 7 });
    let first = gate.submit_json(&body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let first = first.json();
    assert_eq!(first["commit"], commit, "SHAs are stored lowercase");
    assert_eq!(first["state"], "queued");
    assert_eq!(first["jobs"].as_array().unwrap().len(), 2);
    let id = first["id"].as_str().unwrap();
    assert_eq!(first["links"]["html"], format!("{PUBLIC_URL}/runs/{id}"));
    assert_eq!(
        first["links"]["junit"],
        format!("{PUBLIC_URL}/api/v1/runs/{id}/junit.xml")
    );
    assert_eq!(
        first["links"]["report"],
        format!("{PUBLIC_URL}/api/v1/runs/{id}/report/")
    );

    let second = gate.submit_json(&body).await;
    assert_eq!(
        second.status,
        StatusCode::OK,
        "the same commit and suite: the same run"
    );
    assert_eq!(second.json()["id"], first["id"]);

    let mut again = body.clone();
    again["rerun"] = true.into();
    let rerun = gate.submit_json(&again).await;
    assert_eq!(rerun.status, StatusCode::CREATED);
    assert_ne!(rerun.json()["id"], first["id"], "rerun asks for a new run");

    let read = gate
        .get(&format!("/api/v1/runs/{id}"), Some(&token("read")))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["pr"], 7);
}

#[tokio::test]
async fn the_commit_verdict_follows_its_runs() {
    let gate = Gate::new().await;
    let commit = sha(2);
    assert_eq!(
        gate.get(
            &format!("/api/v1/commits/{commit}/status"),
            Some(&token("read"))
        )
        .await
        .status,
        StatusCode::NOT_FOUND,
        "no run, no verdict"
    );

    // Queued, then running: pending.
    let run = gate.submit(&commit).await;
    let verdict = gate.verdict(&commit).await;
    assert_eq!(verdict["state"], "pending");
    assert_eq!(
        verdict["target_url"],
        format!("{PUBLIC_URL}/commits/{commit}")
    );
    assert_eq!(verdict["runs"][0]["id"], run["id"]);
    let leased = gate.service().lease("t", 1, Duration::ZERO).await.unwrap();
    assert_eq!(leased.len(), 1);
    assert_eq!(gate.verdict(&commit).await["state"], "pending");
    gate.service()
        .release(&leased[0].job.id, &leased[0].token)
        .await
        .unwrap();

    // One scenario fails: failure, with the failing scenario's place and message.
    finish_all(
        &gate,
        outcome_for("checkout", Outcome::Failed, Outcome::Passed),
    )
    .await;
    let verdict = gate.verdict(&commit).await;
    assert_eq!(verdict["state"], "failure", "{verdict:#}");
    assert_eq!(verdict["failing"].as_array().unwrap().len(), 1);
    let failing = &verdict["failing"][0];
    assert_eq!(failing["scenario"], "checkout");
    assert_eq!(failing["outcome"], "failed");
    assert!(
        failing["location"]
            .as_str()
            .unwrap()
            .ends_with("checkout.toml:7"),
        "{failing}"
    );
    assert_eq!(failing["message"], "the confirmation did not appear");
    assert!(
        verdict["description"]
            .as_str()
            .unwrap()
            .contains("1 scenario(s) failed")
    );

    // Re-running the failures: a new run with only `checkout`, and pending again.
    let id = run["id"].as_str().unwrap();
    let rerun = gate.run_action(id, "rerun-failed").await;
    assert_eq!(rerun.status, StatusCode::CREATED, "{}", rerun.text());
    let rerun = rerun.json();
    assert_ne!(rerun["id"], run["id"]);
    let scenarios: Vec<&str> = rerun["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(scenarios, ["checkout"]);
    assert_eq!(gate.verdict(&commit).await["state"], "pending");

    // It passes on a retry: success, and the flaky scenario is listed.
    finish_all(&gate, |_| Outcome::Flaky).await;
    let verdict = gate.verdict(&commit).await;
    assert_eq!(verdict["state"], "success", "{verdict:#}");
    assert_eq!(verdict["flaky"], serde_json::json!(["checkout"]));
    assert!(verdict["failing"].as_array().unwrap().is_empty());
    // Nothing left to re-run: the run itself, 200.
    let rerun_id = rerun["id"].as_str().unwrap();
    let none = gate.run_action(rerun_id, "rerun-failed").await;
    assert_eq!(
        (none.status, none.json()["id"].as_str()),
        (StatusCode::OK, Some(rerun_id))
    );

    // An infrastructure error (and no failure): error.
    let broken = sha(3);
    gate.submit(&broken).await;
    finish_all(&gate, outcome_for("home", Outcome::Error, Outcome::Passed)).await;
    let verdict = gate.verdict(&broken).await;
    assert_eq!(verdict["state"], "error", "{verdict:#}");
    assert_eq!(verdict["failing"][0]["outcome"], "error");

    // A cancelled run: error too, with who cancelled it.
    let cancelled = sha(4);
    let run = gate.submit(&cancelled).await;
    let id = run["id"].as_str().unwrap();
    let reply = gate.run_action(id, "cancel").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["state"], "cancelled");
    assert_eq!(reply.json()["reason"], "cancelled by submit");
    let verdict = gate.verdict(&cancelled).await;
    assert_eq!(verdict["state"], "error", "{verdict:#}");
    assert!(
        verdict["description"]
            .as_str()
            .unwrap()
            .contains("cancelled by submit")
    );
    let metrics = gate.get("/metrics", Some(&token("read"))).await.text();
    assert!(
        metrics.contains("gate_runs_total{outcome=\"cancelled\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn runs_are_listed_newest_first_filtered_and_paged() {
    let gate = Gate::new().await;
    let mut ids = Vec::new();
    for i in 0..5u8 {
        let branch = if i % 2 == 0 { "main" } else { "feature" };
        let reply = gate
            .submit_json(&serde_json::json!({ "commit": sha(10 + i), "base_url": "http://127.0.0.1:9", "branch": branch }))
            .await;
        ids.push(reply.json()["id"].as_str().unwrap().to_string());
    }
    let read = token("read");
    // Page through two at a time: every run exactly once, newest first.
    let (mut seen, mut created, mut sizes) = (Vec::new(), Vec::new(), Vec::new());
    let mut uri = "/api/v1/runs?limit=2".to_string();
    loop {
        let page = gate.get(&uri, Some(&read)).await.json();
        let runs = page["runs"].as_array().unwrap();
        sizes.push(runs.len());
        for run in runs {
            seen.push(run["id"].as_str().unwrap().to_string());
            created.push(run["created_at"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(next) => uri = format!("/api/v1/runs?limit=2&before={next}"),
            None => break,
        }
    }
    assert_eq!(sizes, [2, 2, 1], "the last page has no next");
    assert!(
        created.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {created:?}"
    );
    seen.sort();
    ids.sort();
    assert_eq!(seen, ids);

    assert_eq!(gate.runs("?branch=main").await.len(), 3);
    let by_commit = gate
        .runs(&format!("?commit={}", sha(11).to_uppercase()))
        .await;
    assert_eq!(by_commit.len(), 1);
    assert_eq!(by_commit[0]["commit"], sha(11));
    finish_all(&gate, |_| Outcome::Passed).await;
    assert_eq!(gate.runs("?state=passed&limit=100").await.len(), 5);
    assert!(gate.runs("?state=queued").await.is_empty());
}

#[tokio::test]
async fn junit_report_and_artifacts_of_a_run() {
    let gate = Gate::new().await;
    let run = gate.submit(&sha(5)).await;
    let id = run["id"].as_str().unwrap();
    finish_all(
        &gate,
        outcome_for("checkout", Outcome::Failed, Outcome::Passed),
    )
    .await;
    let read = token("read");

    let junit = gate
        .get(&format!("/api/v1/runs/{id}/junit.xml"), Some(&read))
        .await;
    assert_eq!(junit.status, StatusCode::OK);
    assert!(junit.header("content-type").starts_with("application/xml"));
    let xml = junit.text();
    assert!(
        xml.contains("<testsuites")
            && xml.contains("name=\"checkout\"")
            && xml.contains("<failure"),
        "{xml}"
    );

    let report = gate
        .get(&format!("/api/v1/runs/{id}/report/"), Some(&read))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.header("content-type").starts_with("text/html"));
    assert!(
        report
            .header("content-security-policy")
            .contains("default-src 'none'")
    );
    let html = report.text();
    assert!(html.contains("checkout") && html.contains("the confirmation did not appear"));
    assert!(
        html.contains("artifacts/checkout/attempt-1/failure.png"),
        "the report links the screenshot"
    );

    let view = gate
        .get(&format!("/api/v1/runs/{id}"), Some(&read))
        .await
        .json();
    let checkout = view["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["scenario"] == "checkout")
        .unwrap()
        .clone();
    assert_eq!(checkout["outcome"], "failed");
    assert_eq!(checkout["expected"], "text \"Thank you\"");
    assert_eq!(checkout["actual"], "h1 \"Something went wrong\"");
    let screenshot = checkout["screenshot_url"].as_str().unwrap();
    assert_eq!(
        screenshot,
        format!("{PUBLIC_URL}/api/v1/runs/{id}/report/artifacts/checkout/attempt-1/failure.png")
    );
    let image = gate
        .get(screenshot.strip_prefix(PUBLIC_URL).unwrap(), Some(&read))
        .await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.header("content-type"), "image/png");
    assert_eq!(image.header("x-content-type-options"), "nosniff");
    assert_eq!(&image.body[..], b"\x89PNG fake");
}

/// A lease request that waits for work, answered by a submission made while it waits.
#[tokio::test]
async fn an_agent_lease_waits_for_work_and_gets_it() {
    let gate = Gate::new().await;
    let agent = token("agent");

    let started = Instant::now();
    let empty = gate
        .lease(&serde_json::json!({ "agent": "a1", "capacity": 2, "wait_ms": 300 }))
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.json()["leases"].as_array().unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(300), "it waited");

    let waiting = {
        let gate_state = gate.state.clone();
        let agent = agent.clone();
        tokio::spawn(async move {
            let app = gate_server::app::app(gate_state);
            let started = Instant::now();
            let response = tower::ServiceExt::oneshot(
                app,
                request(
                    "POST",
                    "/api/v1/agent/lease",
                    Some(&agent),
                    Some("application/json"),
                    br#"{"agent": "a1", "capacity": 2, "wait_ms": 20000}"#.to_vec(),
                ),
            )
            .await
            .unwrap();
            let body = axum::body::to_bytes(response.into_body(), 1 << 24)
                .await
                .unwrap();
            (
                started.elapsed(),
                serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
            )
        })
    };
    // The submission lands while the agent waits (the server counts it as waiting).
    let until = Instant::now() + Duration::from_secs(10);
    while gate.state.metrics.agents_waiting() == 0 {
        assert!(Instant::now() < until, "the agent never started waiting");
        tokio::task::yield_now().await;
    }
    let run = gate.submit(&sha(6)).await;
    let (waited, grant) = waiting.await.unwrap();
    assert!(
        waited < Duration::from_secs(10),
        "woken by the submission, not the deadline: {waited:?}"
    );
    let leases = grant["leases"].as_array().unwrap();
    assert_eq!(leases.len(), 2, "{grant:#}");
    let lease = &leases[0];
    assert_eq!(lease["run"], run["id"]);
    assert_eq!(lease["base_url"], "http://127.0.0.1:9");
    assert_eq!(lease["heartbeat_ms"], 10_000, "a third of the 30 s lease");
    assert!(
        !lease["sources"].as_array().unwrap().is_empty(),
        "the run's scenario files travel with it"
    );
    assert_eq!(gate.verdict(&sha(6)).await["state"], "pending");
    assert_eq!(gate.state.metrics.agents_waiting(), 0, "no longer waiting");
}

#[tokio::test]
async fn agents_heartbeat_and_report_results_only_while_they_hold_the_lease() {
    let gate = Gate::new().await;
    let commit = sha(7);
    gate.submit(&commit).await;
    let lease = async |capacity: u32| {
        gate.lease(&serde_json::json!({ "agent": "a1", "capacity": capacity }))
            .await
            .json()["leases"]
            .as_array()
            .unwrap()
            .clone()
    };
    let first = lease(1).await;
    let (job, stale) = (
        first[0]["job"].as_str().unwrap().to_string(),
        first[0]["token"].as_str().unwrap().to_string(),
    );

    let beat = gate
        .job(&job, "heartbeat", &serde_json::json!({ "token": stale }))
        .await;
    assert_eq!(beat.status, StatusCode::NO_CONTENT);
    let wrong = gate
        .job(
            &job,
            "heartbeat",
            &serde_json::json!({ "token": "not-the-token" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);

    // The agent hands the job back; the next lease of it has a new token.
    let release = gate
        .job(&job, "release", &serde_json::json!({ "token": stale }))
        .await;
    assert_eq!(release.status, StatusCode::NO_CONTENT);
    let again = lease(2).await;
    let current = again.iter().find(|l| l["job"] == job.as_str()).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(current, stale);

    let scenario = again.iter().find(|l| l["job"] == job.as_str()).unwrap()["scenario"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("{scenario}.toml");
    let outcome = Outcome::Failed;
    let mut body = serde_json::json!({
        "token": stale,
        "result": serde_json::to_value(result(&scenario, &path, outcome)).unwrap(),
        "artifacts": [{ "path": format!("{scenario}/attempt-1/failure.png"), "content_base64": base64::engine::general_purpose::STANDARD.encode(b"\x89PNG agent") }],
    });
    let late = gate.job(&job, "result", &body).await;
    assert_eq!(
        late.status,
        StatusCode::CONFLICT,
        "a stale lease's result is dropped: {}",
        late.text()
    );
    let beat = gate
        .job(&job, "heartbeat", &serde_json::json!({ "token": stale }))
        .await;
    assert_eq!(beat.status, StatusCode::CONFLICT);

    body["token"] = current.clone().into();
    body["artifacts"][0]["path"] = "../escape.png".into();
    let bad = gate.job(&job, "result", &body).await;
    assert_eq!(
        (bad.status, bad.json()["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("artifacts[0].path"))
    );
    body["artifacts"][0]["path"] = format!("{scenario}/attempt-1/failure.png").into();
    body["artifacts"][0]["content_base64"] = "!!!".into();
    let bad = gate.job(&job, "result", &body).await;
    assert_eq!(
        (bad.status, bad.json()["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("artifacts[0].content_base64")
        )
    );
    // A result in a format this server does not know is refused, not misread.
    body["result_version"] = 2.into();
    let bad = gate.job(&job, "result", &body).await;
    assert_eq!(
        (bad.status, bad.json()["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("result_version"))
    );
    body["result_version"] = 1.into();

    // Results carry screenshots: larger than the API's own body limit is fine here.
    body["artifacts"][0]["content_base64"] = base64::engine::general_purpose::STANDARD
        .encode(vec![7u8; 2 * 1024 * 1024])
        .into();
    let ok = gate.job(&job, "result", &body).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.text());
    let twice = gate.job(&job, "result", &body).await;
    assert_eq!(
        twice.status,
        StatusCode::CONFLICT,
        "a result is recorded once"
    );

    // The other job finishes the run; the verdict and the metrics follow.
    let other = again.iter().find(|l| l["job"] != job.as_str()).unwrap();
    let other_scenario = other["scenario"].as_str().unwrap();
    let done = gate
        .job(
            other["job"].as_str().unwrap(),
            "result",
            &serde_json::json!({
                "token": other["token"],
                "result": serde_json::to_value(result(other_scenario, &format!("{other_scenario}.toml"), Outcome::Passed)).unwrap(),
            }),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text());
    assert_eq!(gate.verdict(&commit).await["state"], "failure");
    let metrics = gate.get("/metrics", Some(&token("read"))).await.text();
    assert!(
        metrics.contains("gate_runs_total{outcome=\"failed\"} 1"),
        "{metrics}"
    );
    for outcome in ["failed", "passed"] {
        let sample = format!("gate_scenario_duration_seconds_count{{outcome=\"{outcome}\"}} 1");
        assert!(metrics.contains(&sample), "{sample} in {metrics}");
    }
}

#[tokio::test]
async fn a_publisher_gets_a_pending_status_and_the_final_one() {
    let gate = Gate::with(SCENARIOS, |c| {
        c.publish = Some(gate_server::config::PublishConfig {
            api_url: "http://127.0.0.1:9".into(),
            repository: "acme/shop".into(),
            token: "t".into(),
            context: "gate/scenarios".into(),
        });
    })
    .await;
    let commit = sha(8);
    let outbox = tokio::sync::Notify::new();
    let drain = || gate_server::statuses::drain(gate.service(), Some(&outbox));
    gate.submit(&commit).await;
    assert_eq!(drain().await.unwrap(), 1, "the new run marked its commit");
    assert_eq!(drain().await.unwrap(), 0, "and the mark was cleared");
    let states = || async {
        gate.store()
            .due_statuses(i64::MAX / 4, 10)
            .await
            .unwrap()
            .into_iter()
            .filter(|s| s.sha == commit)
            .map(|s| (s.state.as_str(), s.target_url))
            .collect::<Vec<_>>()
    };
    let target = format!("{PUBLIC_URL}/commits/{commit}");
    assert_eq!(states().await, [("pending", target.clone())]);
    finish_all(&gate, |_| Outcome::Passed).await;
    assert_eq!(drain().await.unwrap(), 1);
    // The final verdict supersedes the pending one that was never delivered.
    assert_eq!(states().await, [("success", target)]);
}
