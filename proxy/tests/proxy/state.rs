//! `--state`: what a restarted proxy keeps. The table a PUT made, the fallbacks the watchdog
//! recorded (with the table it left), and an armed watchdog, which is re-armed from the start
//! so a canary stays watched across a restart; counters start anew under a new instance id.

use std::path::Path;
use std::time::Duration;

use crate::harness::{TestProxy, routes, wait_until};
use crate::upstream::Upstream;

async fn start(file: &Path, table: gate_proxy::api::Routes) -> TestProxy {
    let file = file.to_path_buf();
    TestProxy::start_with(table, move |c| c.state_file = Some(file)).await
}

#[tokio::test]
async fn a_restart_keeps_the_table_the_fallbacks_and_the_watchdog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("state.json");
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let given = routes("v1", &[("v1", &v1.url(), 100), ("v2", &v2.url(), 0)]);
    let canary = routes("v1", &[("v1", &v1.url(), 80), ("v2", &v2.url(), 20)]);

    // A table and an armed watchdog survive a restart; the flags' table does not win.
    let proxy = start(&file, given.clone()).await;
    proxy.put_routes(&canary).await;
    proxy.heartbeat(600_000).await;
    let first = proxy.state().await;
    proxy.stop().await;
    let proxy = start(&file, given.clone()).await;
    let second = proxy.state().await;
    assert_ne!(second.instance, first.instance);
    let weights: Vec<u32> = second.versions.iter().map(|v| v.weight).collect();
    assert_eq!(weights, [80, 20]);
    assert!(second.watchdog.armed, "re-armed at start");
    assert_eq!(second.watchdog.timeout_ms, Some(600_000));

    // A fallback is saved with the table it left, and survives a restart too.
    proxy.heartbeat(100).await;
    wait_until(
        Duration::from_secs(10),
        "the watchdog falls back",
        || async { !proxy.state().await.fallbacks.is_empty() },
    )
    .await;
    proxy.stop().await;
    let proxy = start(&file, given).await;
    let third = proxy.state().await;
    let weights: Vec<u32> = third.versions.iter().map(|v| v.weight).collect();
    assert_eq!(weights, [100, 0]);
    assert_eq!(third.fallbacks.len(), 1);
    assert_eq!(
        third.fallbacks[0].reason,
        "no heartbeat from the controller for 100ms"
    );
    assert!(!third.watchdog.armed);
    proxy.stop().await;
}
