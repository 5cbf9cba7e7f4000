//! History from outside gate, end to end: a real `gate serve` takes a batch of external
//! deployments and an incident (all or nothing: a bad row stores nothing and names its field),
//! and `gate report` computes the DORA metrics from it, with values checked by hand.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;

use common::server::*;
use common::*;

fn report(dir: &Path, server: &Server) -> serde_json::Value {
    let out = gate(dir)
        .args(["report", "--server", &server.url, "--token", READ_TOKEN])
        .args([
            "--since",
            "2026-11-02T00:00:00Z",
            "--until",
            "2026-11-09T00:00:00Z",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn history() -> serde_json::Value {
    let a = "a".repeat(40);
    let b = "b".repeat(40);
    let c = "c".repeat(40);
    serde_json::json!({
        "deployments": [
            {"id": "d1", "service": "shop", "finished_at": "2026-11-03T10:00:00Z",
             "outcome": "success", "commits": [{"sha": a, "committed_at": "2026-11-03T08:00:00Z"}]},
            {"id": "d2", "service": "shop", "finished_at": "2026-11-04T10:00:00Z",
             "outcome": "auto_rolled_back", "detected_at": "2026-11-04T10:00:00Z",
             "recovered_at": "2026-11-04T10:02:14Z", "commits": [{"sha": b}]},
            {"id": "d3", "service": "shop", "finished_at": "2026-11-05T12:00:00Z",
             "outcome": "success", "commits": [
                {"sha": c, "committed_at": "2026-11-05T11:00:00Z"},
                {"sha": b, "committed_at": "2026-11-04T06:00:00Z"}]}
        ],
        "incidents": [
            {"id": "i1", "service": "shop", "title": "checkout errors",
             "started_at": "2026-11-04T09:58:00Z", "resolved_at": "2026-11-04T10:05:00Z",
             "caused_by": "d2"}
        ]
    })
}

#[test]
fn imported_history_gives_hand_checked_metrics_and_a_bad_row_stores_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let server = Server::without_workers(dir);

    // A batch with one bad row: refused with the row's field, and nothing of it stored.
    let mut bad = history();
    bad["deployments"][1]["finished_at"] = "last tuesday".into();
    let (status, body) = server.post("/api/v1/history", ADMIN_TOKEN, &bad);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "deployments[1].finished_at", "{body}");
    assert_eq!(report(dir, &server)["report"]["deploys"]["finished"], 0);

    // A batch that names one id twice is refused at the second row: it would replace the first.
    let mut twice = history();
    twice["deployments"][2]["id"] = "d1".into();
    let (status, body) = server.post("/api/v1/history", ADMIN_TOKEN, &twice);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "deployments[2].id", "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("deployments[0]"),
        "{body}"
    );
    assert_eq!(report(dir, &server)["report"]["deploys"]["finished"], 0);

    // Reading needs no more than read; recording needs deploy.
    let (status, _) = server.post("/api/v1/history", READ_TOKEN, &history());
    assert_eq!(status, 403);

    let (status, body) = server.post("/api/v1/history", ADMIN_TOKEN, &history());
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["created"], 4, "{body}");
    // The same import again replaces rather than doubles.
    let (status, body) = server.post("/api/v1/history", ADMIN_TOKEN, &history());
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["created"].as_u64(), body["replaced"].as_u64()),
        (Some(0), Some(4))
    );

    let answer = report(dir, &server);
    let headline = answer["headline"].as_str().unwrap();
    assert!(headline.starts_with("3 deploys"), "{headline}");
    assert!(
        headline.ends_with(", 2 successful, 1 auto-rolled-back, MTTR 2:14"),
        "{headline}"
    );
    let r = &answer["report"];
    assert_eq!(r["deploys"]["successful"], 2);
    assert_eq!(r["deploys"]["auto_rolled_back"], 1);
    assert_eq!(r["deployment_frequency"]["count"], 2, "{r:#}");
    // Lead times: a 2 h, c 1 h, b 30 h (its first promotion is d3): median 2 h.
    assert_eq!(r["lead_time"]["commits"], 3, "{r:#}");
    assert_eq!(r["lead_time"]["median_ms"], 7_200_000, "{r:#}");
    assert_eq!(r["change_failure"]["changes"], 3);
    assert_eq!(r["change_failure"]["failed"], 1);
    // An incident linked to a deployment from an unknown id is refused.
    let (status, body) = server.post(
        "/api/v1/incidents",
        ADMIN_TOKEN,
        &serde_json::json!({"service": "shop", "title": "x", "started_at": "2026-11-04T09:00:00Z", "caused_by": "nope"}),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "incidents[0].caused_by", "{body}");
}
