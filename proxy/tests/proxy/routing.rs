//! Which version serves a request: weights over many requests, stickiness while weights move,
//! no canary traffic after a rollback, and the force header.

use tokio::task::JoinSet;

use crate::harness::{TestProxy, routes};
use crate::upstream::Upstream;

/// 10,000 fresh users at 90/10. The canary's count is Binomial(10,000, 0.1): mean 1,000,
/// standard deviation √(n·p·(1−p)) = 30. Accept ±z·σ with z = 4.89, the two-sided normal
/// quantile for a false alarm of 10⁻⁶ (the seeded draw makes the run repeatable anyway).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weights_are_honoured_over_many_requests() {
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = TestProxy::start(routes(
        "v1",
        &[("v1", &v1.url(), 90), ("v2", &v2.url(), 10)],
    ))
    .await;
    let (n, p, z) = (10_000_u32, 0.1_f64, 4.89_f64);
    let mut clients = JoinSet::new();
    let per_client = n / 8;
    for _ in 0..8 {
        let (http, url) = (proxy.http.clone(), proxy.url.clone());
        clients.spawn(async move {
            let mut canary = 0_u32;
            for _ in 0..per_client {
                let resp = http.get(&url).send().await.expect("answer");
                let served = resp.headers()["x-gate-version"]
                    .to_str()
                    .expect("ascii")
                    .to_string();
                let body = resp.text().await.expect("body");
                assert_eq!(served, body, "the header names the version that answered");
                canary += u32::from(body == "v2");
            }
            canary
        });
    }
    let canary: u32 = clients.join_all().await.into_iter().sum();
    let mean = f64::from(n) * p;
    let tolerance = z * (f64::from(n) * p * (1.0 - p)).sqrt();
    assert!(
        (f64::from(canary) - mean).abs() <= tolerance,
        "{canary} of {n} went to the canary; expected {mean} ± {tolerance:.0}"
    );
    assert_eq!(v1.requests() + v2.requests(), n as usize);
    proxy.stop().await;
}

/// Users keep their version while the canary's weight moves between 5 and 50; after it goes
/// to 0 no request with the old cookie reaches it, and those users are pinned to stable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_stay_on_their_version_until_a_rollback() {
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let table = |canary: u32| {
        routes(
            "v1",
            &[("v1", &v1.url(), 100 - canary), ("v2", &v2.url(), canary)],
        )
    };
    let proxy = TestProxy::start(table(50)).await;

    // 20 users arrive at 50/50 and are pinned.
    let mut pinned = Vec::new();
    for _ in 0..20 {
        let first = proxy.get("/", None).await;
        assert_eq!(first.pinned.as_deref(), Some(first.version.as_str()));
        pinned.push(first.version);
    }
    assert!(
        pinned.iter().any(|v| v == "v1") && pinned.iter().any(|v| v == "v2"),
        "{pinned:?}"
    );

    // 10 weight changes, 20 requests per user after each: 200 requests per user.
    for canary in [5, 50, 20, 5, 35, 50, 10, 5, 45, 25] {
        proxy.put_routes(&table(canary)).await;
        for (user, version) in pinned.iter().enumerate() {
            for _ in 0..20 {
                let r = proxy.get("/", Some(version)).await;
                assert_eq!(
                    r.body, *version,
                    "user {user} switched versions at weight {canary}"
                );
                assert_eq!(r.pinned, None, "a valid cookie is not replaced");
            }
        }
    }

    // Rollback: the canary's users are redrawn onto stable, the only version with weight.
    proxy.put_routes(&table(0)).await;
    let canary_served = v2.requests();
    for version in &pinned {
        for i in 0..10 {
            let r = proxy.get("/", Some(version)).await;
            assert_eq!(r.body, "v1");
            if version == "v2" && i == 0 {
                assert_eq!(
                    r.pinned.as_deref(),
                    Some("v1"),
                    "the void cookie is replaced"
                );
            }
        }
    }
    assert_eq!(
        v2.requests(),
        canary_served,
        "no request reached the rolled-back canary"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn the_force_header_reaches_a_version_with_weight_never_one_at_0() {
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = TestProxy::start(routes(
        "v1",
        &[("v1", &v1.url(), 100), ("v2", &v2.url(), 0)],
    ))
    .await;
    for header in ["v2", "v9"] {
        let ignored = proxy
            .get_with("/", None, &[("x-gate-version", header)])
            .await;
        assert_eq!(
            (ignored.body.as_str(), ignored.version.as_str()),
            ("v1", "v1"),
            "`{header}` is at weight 0 or not in the table"
        );
        assert_eq!(ignored.pinned.as_deref(), Some("v1"), "drawn, so pinned");
    }
    assert_eq!(v2.requests(), 0, "a rolled-back canary cannot be forced");

    proxy
        .put_routes(&routes(
            "v1",
            &[("v1", &v1.url(), 99), ("v2", &v2.url(), 1)],
        ))
        .await;
    let forced = proxy.get_with("/", None, &[("x-gate-version", "v2")]).await;
    assert_eq!(
        (forced.body.as_str(), forced.version.as_str()),
        ("v2", "v2")
    );
    assert_eq!(forced.pinned, None, "a synthetic check does not pin anyone");
    let forced = proxy
        .get_with("/", Some("v1"), &[("x-gate-version", "v2")])
        .await;
    assert_eq!(forced.body, "v2", "the header beats the cookie");
    proxy.stop().await;
}
