//! The admin API's gate and input checks: no route answers without the exact token, and a
//! bad table or heartbeat gets a 422 naming the field, leaving the table as it was.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{TOKEN, TestProxy, routes};
use crate::upstream::Upstream;

#[tokio::test]
async fn every_route_refuses_a_missing_or_wrong_token() {
    let v1 = Upstream::start("v1").await;
    let proxy = TestProxy::start(routes("v1", &[("v1", &v1.url(), 100)])).await;
    let routes_body =
        json!({ "stable": "v1", "versions": [{ "name": "v1", "url": v1.url(), "weight": 100 }] });
    let calls = [
        (Method::GET, "/api/state", None),
        (Method::PUT, "/api/routes", Some(routes_body)),
        (
            Method::POST,
            "/api/heartbeat",
            Some(json!({ "timeout_ms": 1000 })),
        ),
        (Method::DELETE, "/api/heartbeat", None),
        (Method::GET, "/metrics", None),
        (Method::GET, "/nowhere", None),
    ];
    for (method, path, body) in &calls {
        for token in [
            None,
            Some("wrong"),
            Some("test-admin-token-7f3a9"),
            Some(""),
        ] {
            let (status, answer) = proxy.admin(method.clone(), path, token, body.clone()).await;
            assert_eq!(status, 401, "{method} {path} with {token:?}: {answer}");
            assert!(
                answer["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("token")),
                "{answer}"
            );
        }
    }
    // No heartbeat got through: the watchdog was never armed.
    assert!(!proxy.state().await.watchdog.armed);
    let (status, _) = proxy
        .admin(Method::GET, "/nowhere", Some(TOKEN), None)
        .await;
    assert_eq!(status, 404);
    proxy.stop().await;
}

#[tokio::test]
async fn bad_tables_get_a_422_naming_the_field_and_change_nothing() {
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = TestProxy::start(routes(
        "v1",
        &[("v1", &v1.url(), 90), ("v2", &v2.url(), 10)],
    ))
    .await;
    let (a, b) = (v1.url(), v2.url());
    let version = |name: &str, url: &str, weight: Value| json!({ "name": name, "url": url, "weight": weight });
    let cases = [
        (
            json!({ "stable": "v1", "versions": [version("v1", &a, json!(90)), version("v2", &b, json!(5))] }),
            "versions[].weight",
        ),
        (
            json!({ "stable": "v3", "versions": [version("v1", &a, json!(90)), version("v2", &b, json!(10))] }),
            "stable",
        ),
        (
            json!({ "stable": "v1", "versions": [version("v1", &a, json!(90)), version("v2", "ftp://x", json!(10))] }),
            "versions[1].url",
        ),
        (
            json!({ "stable": "v1", "versions": [version("v1", &a, json!(90)), version("v2", "no url", json!(10))] }),
            "versions[1].url",
        ),
        (
            json!({ "stable": "v1", "versions": [version("v1", &a, json!(90)), version("v1", &b, json!(10))] }),
            "versions[1].name",
        ),
        (
            json!({ "stable": "v1", "versions": [version("v1", &a, json!(90)), version("v2", &b, json!("ten"))] }),
            "versions[1].weight",
        ),
        (
            json!({ "stable": "v1", "versions": [version("v1", &a, json!(-1))] }),
            "versions[0].weight",
        ),
        (json!({ "stable": "v1", "versions": [] }), "versions"),
        (json!({ "stable": "v1" }), "versions"),
        (
            json!({ "stable": "v1", "versions": [{ "name": "v1", "weight": 100 }] }),
            "versions[0].url",
        ),
        (
            json!({ "stable": "v1", "versions": [{ "name": "v1", "url": a, "weight": 100, "wieght": 1 }] }),
            "versions[0].wieght",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = proxy
            .admin(Method::PUT, "/api/routes", Some(TOKEN), Some(body.clone()))
            .await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer}"
        );
        assert_eq!(answer["field"], field, "{body}: {answer}");
    }
    let state = proxy.state().await;
    let weights: Vec<u32> = state.versions.iter().map(|v| v.weight).collect();
    assert_eq!(weights, [90, 10], "the table is unchanged");

    let (status, answer) = proxy
        .admin(
            Method::POST,
            "/api/heartbeat",
            Some(TOKEN),
            Some(json!({ "timeout_ms": 0 })),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (422, Some("timeout_ms")),
        "{answer}"
    );
    let (status, answer) = proxy
        .admin(
            Method::POST,
            "/api/heartbeat",
            Some(TOKEN),
            Some(json!({ "timeout": 5000 })),
        )
        .await;
    assert_eq!(status, 422, "{answer}");

    let not_json = proxy
        .http
        .put(format!("{}/api/routes", proxy.admin))
        .bearer_auth(TOKEN)
        .body("{ nope")
        .send()
        .await
        .expect("answer");
    assert_eq!(not_json.status(), 400);
    proxy.stop().await;
}

/// A good replacement answers with the new state, in the documented shape.
#[tokio::test]
async fn a_good_table_is_applied_and_the_state_has_the_documented_shape() {
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = TestProxy::start(routes("v1", &[("v1", &v1.url(), 100)])).await;
    let body = json!({ "stable": "v1", "versions": [
        { "name": "v1", "url": v1.url(), "weight": 95 },
        { "name": "v2", "url": v2.url(), "weight": 5 },
    ] });
    let (status, state) = proxy
        .admin(Method::PUT, "/api/routes", Some(TOKEN), Some(body))
        .await;
    assert_eq!(status, 200, "{state}");
    assert!(state["instance"].as_str().is_some_and(|i| !i.is_empty()));
    assert!(state["started_at_ms"].as_u64().is_some());
    assert_eq!(state["stable"], "v1");
    assert_eq!(state["versions"][1]["name"], "v2");
    assert_eq!(state["versions"][1]["weight"], 5);
    assert_eq!(state["versions"][1]["url"], v2.url());
    let counters = &state["versions"][0]["counters"];
    for key in ["requests", "connect_errors"] {
        assert!(counters[key].is_u64(), "{key} in {counters}");
    }
    for class in ["1xx", "2xx", "3xx", "4xx", "5xx"] {
        assert!(
            counters["responses"][class].is_u64(),
            "{class} in {counters}"
        );
    }
    assert_eq!(counters["latency_ms"]["buckets"][0], json!([1, 0]));
    assert_eq!(counters["latency_ms"]["buckets"][12], json!(["+Inf", 0]));
    assert!(counters["latency_ms"]["sum"].is_number());
    assert_eq!(state["watchdog"]["armed"], false);
    assert!(state["fallbacks"].as_array().is_some_and(Vec::is_empty));
    proxy.stop().await;
}
