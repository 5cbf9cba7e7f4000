//! Per-version counters through real requests: 5xx responses, connection errors to a closed
//! port, a response-header timeout, the latency histogram, and the same numbers in /metrics.

use std::time::Duration;

use gate_proxy::api::{Bucket, Le};

use crate::harness::{TOKEN, TestProxy, routes};
use crate::upstream::{Upstream, closed_port_url};

#[tokio::test]
async fn errors_and_latencies_are_counted_per_version() {
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let gone = closed_port_url().await;
    let proxy = TestProxy::start(routes(
        "v1",
        &[
            ("v1", &v1.url(), 98),
            ("v2", &v2.url(), 1),
            ("v3", &gone, 1),
        ],
    ))
    .await;
    // Only versions with a weight can be forced; users pinned to v1 stay there.
    let forced = |v: &'static str| [("x-gate-version", v)];
    for _ in 0..10 {
        assert_eq!(proxy.get("/", Some("v1")).await.status, 200);
    }
    for _ in 0..4 {
        let r = proxy.get_with("/status/503", None, &forced("v2")).await;
        assert_eq!((r.status, r.version.as_str()), (503, "v2"));
    }
    assert_eq!(
        proxy
            .get_with("/status/404", None, &forced("v2"))
            .await
            .status,
        404
    );
    for _ in 0..3 {
        let r = proxy.get_with("/", None, &forced("v3")).await;
        assert_eq!((r.status, r.version.as_str()), (502, "v3"));
        assert_eq!(r.body, "bad gateway: version v3 is unreachable\n");
    }

    let v1c = proxy.counters("v1").await;
    assert_eq!((v1c.requests, v1c.responses.success), (10, 10));
    assert_eq!(v1c.responses.server_error + v1c.connect_errors, 0);
    assert_eq!(v1c.latency_ms.count, 10);
    assert_eq!(v1c.latency_ms.buckets.len(), 13);
    assert_eq!(v1c.latency_ms.buckets.last(), Some(&Bucket(Le::Inf, 10)));
    assert!(v1c.latency_ms.sum > 0.0);
    let counts: Vec<u64> = v1c.latency_ms.buckets.iter().map(|b| b.1).collect();
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]),
        "cumulative: {counts:?}"
    );

    let v2c = proxy.counters("v2").await;
    assert_eq!(v2c.requests, 5);
    assert_eq!(
        (v2c.responses.server_error, v2c.responses.client_error),
        (4, 1)
    );
    assert_eq!(v2c.connect_errors, 0);

    let v3c = proxy.counters("v3").await;
    assert_eq!(
        (v3c.requests, v3c.connect_errors, v3c.latency_ms.count),
        (3, 3, 0)
    );

    let (status, text) = proxy
        .admin(reqwest::Method::GET, "/metrics", Some(TOKEN), None)
        .await;
    assert_eq!(status, 200);
    let text = text.as_str().expect("text").to_string();
    for line in [
        "gate_proxy_requests_total{version=\"v1\"} 10",
        "gate_proxy_responses_total{version=\"v2\",class=\"5xx\"} 4",
        "gate_proxy_connect_errors_total{version=\"v3\"} 3",
        "gate_proxy_latency_ms_bucket{version=\"v1\",le=\"+Inf\"} 10",
        "gate_proxy_latency_ms_count{version=\"v1\"} 10",
        "gate_proxy_weight{version=\"v1\"} 98",
        "# TYPE gate_proxy_latency_ms histogram",
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
    }
    proxy.stop().await;
}

#[tokio::test]
async fn an_upstream_without_response_headers_in_time_is_a_504() {
    let v1 = Upstream::start("v1").await;
    let proxy = TestProxy::start_with(routes("v1", &[("v1", &v1.url(), 100)]), |c| {
        c.timeouts.response_headers = Duration::from_millis(200);
    })
    .await;
    let r = proxy.get("/hang", None).await;
    assert_eq!((r.status, r.version.as_str()), (504, "v1"));
    let c = proxy.counters("v1").await;
    assert_eq!(
        (c.requests, c.response_errors, c.latency_ms.count),
        (1, 1, 0)
    );
    proxy.stop().await;
}

/// Counters belong to the version's name: a table replacement keeps them for versions that
/// stay and starts new ones at zero.
#[tokio::test]
async fn counters_survive_a_table_replacement_by_name() {
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = TestProxy::start(routes("v1", &[("v1", &v1.url(), 100)])).await;
    for _ in 0..3 {
        proxy.get("/", None).await;
    }
    proxy
        .put_routes(&routes(
            "v1",
            &[("v1", &v1.url(), 100), ("v2", &v2.url(), 0)],
        ))
        .await;
    assert_eq!(proxy.counters("v1").await.requests, 3);
    assert_eq!(proxy.counters("v2").await.requests, 0);
    proxy.stop().await;
}
