//! The watchdog over the admin API: a heartbeat not renewed in time moves all traffic to
//! stable with a fallback entry, and nothing reaches the canary afterwards; heartbeats in
//! time leave the canary alone. (The exact deadlines are tested with a paused clock next to
//! the watchdog itself.)

use std::time::Duration;

use crate::harness::{TestProxy, routes, wait_until};
use crate::upstream::Upstream;

#[tokio::test]
async fn a_missed_heartbeat_falls_back_to_stable() {
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = TestProxy::start(routes(
        "v1",
        &[("v1", &v1.url(), 50), ("v2", &v2.url(), 50)],
    ))
    .await;
    assert_eq!(proxy.get_with("/", None, &[]).await.status, 200);
    let armed = proxy.heartbeat(300).await;
    assert!(armed.armed);
    assert_eq!(armed.timeout_ms, Some(300));

    wait_until(
        Duration::from_secs(10),
        "the watchdog falls back",
        || async { !proxy.state().await.fallbacks.is_empty() },
    )
    .await;
    let state = proxy.state().await;
    let weights: Vec<(String, u32)> = state
        .versions
        .iter()
        .map(|v| (v.name.clone(), v.weight))
        .collect();
    assert_eq!(weights, [("v1".to_string(), 100), ("v2".to_string(), 0)]);
    assert_eq!(state.fallbacks.len(), 1);
    assert_eq!(state.fallbacks[0].to, "v1");
    assert_eq!(
        state.fallbacks[0].reason,
        "no heartbeat from the controller for 300ms"
    );
    assert!(state.fallbacks[0].at_ms >= state.started_at_ms);
    assert!(
        !state.watchdog.armed,
        "the watchdog disarms after falling back"
    );

    let canary_served = v2.requests();
    for cookie in [Some("v2"), Some("v1"), None] {
        for _ in 0..50 {
            assert_eq!(proxy.get("/", cookie).await.body, "v1");
        }
    }
    assert_eq!(
        v2.requests(),
        canary_served,
        "nothing reached the canary after the fallback"
    );
    proxy.stop().await;
}

/// The controller's cadence is part of the behaviour under test: a heartbeat every 100 ms
/// against a 2 s timeout (room for a loaded machine), for 2.5 s (longer than the timeout).
#[tokio::test]
async fn heartbeats_in_time_keep_the_canary() {
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = TestProxy::start(routes(
        "v1",
        &[("v1", &v1.url(), 50), ("v2", &v2.url(), 50)],
    ))
    .await;
    let mut ticks = tokio::time::interval(Duration::from_millis(100));
    for _ in 0..25 {
        ticks.tick().await;
        proxy.heartbeat(2000).await;
    }
    let state = proxy.state().await;
    assert!(state.fallbacks.is_empty(), "{:?}", state.fallbacks);
    assert!(state.watchdog.armed);
    assert!(
        state
            .watchdog
            .since_heartbeat_ms
            .is_some_and(|ms| ms < 2000)
    );
    assert_eq!(state.versions[1].weight, 50);

    let (status, _) = proxy
        .admin(
            reqwest::Method::DELETE,
            "/api/heartbeat",
            Some(crate::harness::TOKEN),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let state = proxy.state().await;
    assert!(!state.watchdog.armed);
    assert_eq!(
        (state.watchdog.timeout_ms, state.watchdog.since_heartbeat_ms),
        (None, None)
    );
    proxy.stop().await;
}
