//! A deployment is claimed by a controller until its last commands are carried out, not only
//! until its final phase: a server killed between an abort and routing back to stable (or the
//! down hook) must leave them to the next controller. No controller runs here; the router is a
//! gate proxy nobody runs, so every command fails and stays pending.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod api_support;

use api_support::*;
use axum::http::StatusCode;
use gate_deploy::Input;
use serde_json::json;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn an_aborted_deployment_with_commands_left_is_still_claimed() {
    let gate = Gate::with(SCENARIOS, |c| c.services = vec![service("shop")]).await;
    let reply = gate
        .post_json(
            "/api/v1/deployments",
            Some(&token("admin")),
            &json!({
                "service": "shop", "version": "v2", "commit": sha(7),
                "force": true, "reason": "claims",
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let id = reply.json()["id"].as_str().unwrap().to_string();
    let store = gate.store();
    let until = now() + 60_000;
    let claimed = store.claim_deployments("first", until).await.unwrap();
    assert_eq!(claimed, std::slice::from_ref(&id));

    let abort = Input::Abort {
        at: now(),
        actor: "admin".into(),
        reason: "claims".into(),
    };
    gate.service()
        .transition(&id, move |_, _| Some(abort.clone()))
        .await
        .unwrap();
    let record = store.deployment(&id).await.unwrap().unwrap();
    assert!(record.phase.is_final(), "{:?}", record.phase);
    assert!(record.finished_at.is_some());
    store.release_deployment(&id, "first").await.unwrap();
    assert_eq!(
        store.claim_deployments("second", until).await.unwrap(),
        std::slice::from_ref(&id),
        "over, but the route back to stable and the down hook are still to do"
    );
}
