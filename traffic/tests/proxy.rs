//! The `gate proxy` driver against a fake of its admin API, for the shapes of requests and
//! answers and for error handling only. What the proxy does with traffic is tested against the
//! real `gate proxy` once it lands.

#![expect(clippy::unwrap_used, reason = "the fake and its helpers fail loudly")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use gate_traffic::{
    Backend, FORCE_HEADER, ProxyConfig, ProxyRouter, RouterErrorKind, TrafficRouter,
};
use serde_json::{Value, json};
use tokio::net::TcpListener;

const TOKEN: &str = "t0ken";

/// A request the fake received: method, path, body.
type Seen = (String, String, Value);

#[derive(Clone, Default)]
struct Fake {
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// The documented admin API, with the checks a client can trip: the token, and 422 for a URL
/// outside loopback.
async fn admin(
    State(fake): State<Fake>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    fake.seen
        .lock()
        .unwrap()
        .push((method.to_string(), uri.path().to_string(), body.clone()));
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "bad token" })),
        )
            .into_response();
    }
    match (method.as_str(), uri.path()) {
        ("GET", "/api/state") => Json(state()).into_response(),
        ("PUT", "/api/routes") => {
            let versions = body["versions"].as_array().cloned().unwrap_or_default();
            if let Some(i) = versions
                .iter()
                .position(|v| !v["url"].as_str().unwrap_or("").starts_with("http://127."))
            {
                let error = json!({ "error": "url must be on loopback", "field": format!("versions[{i}].url") });
                return (StatusCode::UNPROCESSABLE_ENTITY, Json(error)).into_response();
            }
            StatusCode::NO_CONTENT.into_response()
        }
        ("POST" | "DELETE", "/api/heartbeat") => StatusCode::NO_CONTENT.into_response(),
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn state() -> Value {
    let counters = |requests: u64, s5xx: u64, connect_errors: u64| {
        json!({
            "requests": requests,
            "responses": { "1xx": 0, "2xx": requests - s5xx - connect_errors, "3xx": 0, "4xx": 0, "5xx": s5xx },
            "connect_errors": connect_errors,
            "latency_ms": {
                "buckets": [[1, 0], [2, 0], [5, 0], [10, requests * 4 / 5], [25, requests], [50, requests],
                            [100, requests], [250, requests], [500, requests], [1000, requests],
                            [2500, requests], [5000, requests], ["+Inf", requests]],
                "sum": 12.5 * requests as f64
            }
        })
    };
    json!({
        "instance": "proxy-7f3a",
        "started_at_ms": 1_700_000_000_000u64,
        "stable": "v1",
        "versions": [
            { "name": "v1", "url": "http://127.0.0.1:8081", "weight": 95, "counters": counters(1000, 2, 0) },
            { "name": "v2", "url": "http://127.0.0.1:8082", "weight": 5, "counters": counters(100, 3, 4) }
        ],
        "watchdog": { "armed": true, "timeout_ms": 5000, "since_heartbeat_ms": 120 },
        "fallbacks": [ { "at_ms": 1_700_000_000_500u64, "to": "v1", "reason": "no heartbeat for 5000 ms" } ]
    })
}

async fn serve(app: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn fake() -> (Fake, ProxyRouter) {
    let fake = Fake::default();
    let url = serve(
        axum::Router::new()
            .fallback(any(admin))
            .with_state(fake.clone()),
    )
    .await;
    let router = ProxyRouter::new(&ProxyConfig::new(url, TOKEN)).unwrap();
    (fake, router)
}

fn v(version: &str, port: u16) -> Backend {
    Backend::new(version, format!("http://127.0.0.1:{port}"))
}

#[tokio::test]
async fn route_puts_the_whole_table_with_weights_summing_to_100() {
    let (fake, router) = fake().await;
    router
        .route(&v("v1", 8081), Some(&v("v2", 8082)), 5)
        .await
        .unwrap();
    router
        .route(&v("v1", 8081), Some(&v("v2", 8082)), 0)
        .await
        .unwrap();
    router.route(&v("v2", 8082), None, 0).await.unwrap();
    let seen = fake.seen.lock().unwrap().clone();
    let entry = |name: &str, port: u16, weight: u8| json!({ "name": name, "url": format!("http://127.0.0.1:{port}"), "weight": weight });
    assert_eq!(
        seen,
        [
            (
                "PUT".to_string(),
                "/api/routes".to_string(),
                json!({ "stable": "v1", "versions": [entry("v1", 8081, 95), entry("v2", 8082, 5)] })
            ),
            (
                "PUT".to_string(),
                "/api/routes".to_string(),
                json!({ "stable": "v1", "versions": [entry("v1", 8081, 100), entry("v2", 8082, 0)] })
            ),
            (
                "PUT".to_string(),
                "/api/routes".to_string(),
                json!({ "stable": "v2", "versions": [entry("v2", 8082, 100)] })
            ),
        ]
    );
}

#[tokio::test]
async fn sample_reads_counters_p95_and_fallbacks_from_the_state() {
    let (_fake, router) = fake().await;
    let sample = router.sample("v1", Some("v2")).await.unwrap();
    assert_eq!(sample.instance, "proxy-7f3a");
    assert_eq!((sample.stable.requests, sample.stable.errors), (1000, 2));
    // Errors are 5xx answers plus connections that could not be made.
    assert_eq!((sample.canary.requests, sample.canary.errors), (100, 7));
    // 80 of 100 within 10 ms, the rest within 25: rank 95 is 10 + 15 * 15/20.
    assert_eq!(sample.canary.latency_p95_ms(), Some(21.25));
    assert_eq!(sample.fallbacks.len(), 1);
    assert_eq!(sample.fallbacks[0].to, "v1");
    assert_eq!(sample.fallbacks[0].reason, "no heartbeat for 5000 ms");

    let error = router.sample("v1", Some("v3")).await.unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::NotRouted);
    assert!(error.detail.contains("it routes v1, v2"), "{error}");
}

#[tokio::test]
async fn heartbeat_arms_the_watchdog_and_disarm_deletes_it() {
    let (fake, router) = fake().await;
    assert!(router.has_watchdog());
    router.heartbeat(Duration::from_secs(5)).await.unwrap();
    router.disarm().await.unwrap();
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (
                "POST".to_string(),
                "/api/heartbeat".to_string(),
                json!({ "timeout_ms": 5000 })
            ),
            (
                "DELETE".to_string(),
                "/api/heartbeat".to_string(),
                Value::Null
            ),
        ]
    );
    assert_eq!(
        router.force_header("v2"),
        Some((FORCE_HEADER, "v2".to_string()))
    );
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_says_to_check_the_token() {
    let (_fake, router) = fake().await;
    let config = ProxyConfig::new(router.config().admin_url.clone(), "n0t-the-t0ken-x9");
    let error = ProxyRouter::new(&config)
        .unwrap()
        .sample("v1", None)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::Refused);
    assert!(error.detail.contains("HTTP 401"), "{error}");
    assert!(error.detail.contains("token"), "{error}");
    assert!(
        !format!("{error:?}").contains("x9"),
        "the token stays out: {error:?}"
    );
}

#[tokio::test]
async fn a_rejected_table_is_refused_with_the_proxys_words_and_field() {
    let (_fake, router) = fake().await;
    let canary = Backend::new("v2", "http://10.9.9.9:8082");
    let error = router
        .route(&v("v1", 8081), Some(&canary), 5)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::Refused);
    assert_eq!(
        error.detail,
        "the proxy refused it: url must be on loopback (field `versions[1].url`)"
    );
    // Arguments no router accepts are refused before anything is sent.
    let error = router.route(&v("v1", 8081), None, 5).await.unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::Invalid);
}

#[tokio::test]
async fn nothing_listening_is_unreachable_and_names_the_admin_address() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let router = ProxyRouter::new(&ProxyConfig::new(&url, TOKEN)).unwrap();
    let error = router.heartbeat(Duration::from_secs(5)).await.unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::Unreachable);
    assert!(error.is_transient());
    let message = format!("failed to {error}");
    assert!(
        message.starts_with(&format!(
            "failed to renew the watchdog via gate proxy at {url}"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!("its admin address is {url}")),
        "{message}"
    );
}

#[tokio::test]
async fn a_proxy_that_does_not_answer_in_time_is_unreachable() {
    let url =
        serve(axum::Router::new().route("/api/state", get(std::future::pending::<&'static str>)))
            .await;
    let config = ProxyConfig {
        timeout: Duration::from_millis(200),
        ..ProxyConfig::new(url, TOKEN)
    };
    let error = ProxyRouter::new(&config)
        .unwrap()
        .sample("v1", None)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::Unreachable);
    assert!(
        error.detail.contains("did not answer within 200ms"),
        "{error}"
    );
}

#[tokio::test]
async fn answers_that_are_not_the_api_are_bad_answers_or_a_wrong_address() {
    let url = serve(
        axum::Router::new()
            .route(
                "/api/state",
                get(|| async { Json(json!({ "instance": 3 })) }),
            )
            .route(
                "/api/heartbeat",
                any(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
            ),
    )
    .await;
    let router = ProxyRouter::new(&ProxyConfig::new(&url, TOKEN)).unwrap();
    let error = router.sample("v1", None).await.unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::BadAnswer);
    assert!(error.detail.contains("cannot read"), "{error}");
    let error = router.disarm().await.unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::BadAnswer);
    assert!(
        error
            .detail
            .contains("HTTP 500 Internal Server Error: boom"),
        "{error}"
    );
    let error = router.route(&v("v1", 8081), None, 0).await.unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::Refused);
    assert!(
        error.detail.contains("admin address, not its traffic port"),
        "{error}"
    );
}
