//! The `gate proxy` driver against a fake of its admin API, for the shapes of requests and
//! answers and for error handling only. The fake reads and answers `gate_proxy::api` values,
//! the types the real proxy serves, so its shapes cannot drift from the proxy's. What the
//! proxy does with traffic is tested against the real `gate proxy` process in the root
//! package's `tests/traffic_proxy.rs`.

#![expect(clippy::unwrap_used, reason = "the fake and its helpers fail loudly")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use gate_traffic::proxy::api::{
    self, ApiError, Bucket, Counters, Fallback, Heartbeat, Latency, Le, Responses, Routes,
    VersionRoute, VersionState, Watchdog,
};
use gate_traffic::{
    Backend, FORCE_HEADER, ProxyConfig, ProxyRouter, RouterErrorKind, TrafficRouter,
};
use serde::de::DeserializeOwned;
use serde_json::json;
use tokio::net::TcpListener;

const TOKEN: &str = "t0ken";

/// A request the fake received, read with the proxy's own request types.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Routes(Routes),
    Heartbeat(Heartbeat),
    Disarm,
}

#[derive(Clone, Default)]
struct Fake {
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn refuse(status: StatusCode, error: &str, field: Option<String>) -> Response {
    let error = ApiError {
        error: error.into(),
        field,
    };
    (status, Json(error)).into_response()
}

/// A request body as the proxy reads it (unknown fields refused), or the proxy's 422.
fn parse<T: DeserializeOwned>(body: &str) -> Result<T, Box<Response>> {
    serde_json::from_str(body).map_err(|e| {
        Box::new(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            &e.to_string(),
            None,
        ))
    })
}

/// The documented admin API, with the checks a client can trip: the token, the request types,
/// and 422 for a URL outside loopback.
async fn admin(
    State(fake): State<Fake>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return refuse(StatusCode::UNAUTHORIZED, "bad token", None);
    }
    let seen = |request: Seen| fake.seen.lock().unwrap().push(request);
    match (method.as_str(), uri.path()) {
        ("GET", api::STATE_PATH) => Json(state()).into_response(),
        ("PUT", api::ROUTES_PATH) => {
            let routes: Routes = match parse(&body) {
                Ok(routes) => routes,
                Err(refused) => return *refused,
            };
            seen(Seen::Routes(routes.clone()));
            if let Some(i) = routes
                .versions
                .iter()
                .position(|v| !v.url.starts_with("http://127."))
            {
                let field = Some(format!("versions[{i}].url"));
                return refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "url must be on loopback",
                    field,
                );
            }
            Json(state()).into_response()
        }
        ("POST", api::HEARTBEAT_PATH) => {
            let beat: Heartbeat = match parse(&body) {
                Ok(beat) => beat,
                Err(refused) => return *refused,
            };
            seen(Seen::Heartbeat(beat.clone()));
            Json(Watchdog {
                armed: true,
                timeout_ms: Some(beat.timeout_ms),
                since_heartbeat_ms: Some(0),
            })
            .into_response()
        }
        ("DELETE", api::HEARTBEAT_PATH) => {
            seen(Seen::Disarm);
            Json(Watchdog {
                armed: false,
                timeout_ms: None,
                since_heartbeat_ms: None,
            })
            .into_response()
        }
        _ => refuse(StatusCode::NOT_FOUND, "not found", None),
    }
}

/// Counters as the proxy keeps them: every request in `requests`; those it answered itself
/// (connection and response errors) in no status class and not timed.
fn counters(requests: u64, s5xx: u64, connect_errors: u64, response_errors: u64) -> Counters {
    let answered = requests - connect_errors - response_errors;
    let buckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
        .into_iter()
        .map(|ms| {
            let within = match ms {
                ..10 => 0,
                10 => answered * 4 / 5,
                _ => answered,
            };
            Bucket(Le::Ms(ms), within)
        })
        .chain([Bucket(Le::Inf, answered)])
        .collect();
    Counters {
        requests,
        responses: Responses {
            success: answered - s5xx,
            server_error: s5xx,
            ..Responses::default()
        },
        connect_errors,
        response_errors,
        latency_ms: Latency {
            buckets,
            sum: 12.5 * answered as f64,
            count: answered,
        },
    }
}

fn state() -> api::State {
    let version = |name: &str, port: u16, weight: u32, counters: Counters| VersionState {
        name: name.into(),
        url: format!("http://127.0.0.1:{port}"),
        weight,
        counters,
    };
    api::State {
        instance: "proxy-7f3a".into(),
        started_at_ms: 1_700_000_000_000,
        stable: "v1".into(),
        versions: vec![
            version("v1", 8081, 95, counters(1000, 2, 0, 0)),
            version("v2", 8082, 5, counters(105, 3, 4, 5)),
        ],
        watchdog: Watchdog {
            armed: true,
            timeout_ms: Some(5000),
            since_heartbeat_ms: Some(120),
        },
        fallbacks: vec![Fallback {
            at_ms: 1_700_000_000_500,
            to: "v1".into(),
            reason: "no heartbeat for 5000 ms".into(),
        }],
    }
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
    let entry = |name: &str, port: u16, weight: u32| VersionRoute {
        name: name.into(),
        url: format!("http://127.0.0.1:{port}"),
        weight,
    };
    let table = |stable: &str, versions: Vec<VersionRoute>| {
        Seen::Routes(Routes {
            stable: stable.into(),
            versions,
        })
    };
    assert_eq!(
        seen,
        [
            table("v1", vec![entry("v1", 8081, 95), entry("v2", 8082, 5)]),
            table("v1", vec![entry("v1", 8081, 100), entry("v2", 8082, 0)]),
            table("v2", vec![entry("v2", 8082, 100)]),
        ]
    );
}

#[tokio::test]
async fn sample_reads_counters_p95_and_fallbacks_from_the_state() {
    let (_fake, router) = fake().await;
    let sample = router.sample("v1", Some("v2")).await.unwrap();
    assert_eq!(sample.instance, "proxy-7f3a");
    assert_eq!((sample.stable.requests, sample.stable.errors), (1000, 2));
    // Errors are 5xx answers, connections that could not be made and answers that never came;
    // requests already count the last two.
    assert_eq!((sample.canary.requests, sample.canary.errors), (105, 12));
    // Of the 96 answers, 76 within 10 ms, the rest within 25: rank 91.2 is the 15.2th of the
    // 20 in (10, 25].
    let p95 = sample.canary.latency_p95_ms().unwrap();
    assert!((p95 - (10.0 + 15.0 * 15.2 / 20.0)).abs() < 1e-9, "{p95}");
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
            Seen::Heartbeat(Heartbeat { timeout_ms: 5000 }),
            Seen::Disarm
        ]
    );
    assert_eq!(
        router.force_header("v2"),
        Some((FORCE_HEADER, "v2".to_string()))
    );
    // The header the driver hands out is the one the proxy reads (names are case-blind).
    assert!(FORCE_HEADER.eq_ignore_ascii_case(api::VERSION_HEADER));
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
