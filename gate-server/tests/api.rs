//! The HTTP surface through `app()` with a real SQLite store: every route of the router against
//! every kind of caller — no token, a wrong one, an expired one, a revoked one, each scope too
//! small and each big enough — table-driven from the router's own route table, which must
//! match the access written down here (the OpenAPI test checks the document lists the same
//! routes); the security headers on every answer; malformed input, the signed GitHub webhook,
//! the OpenAPI document's coverage, health and metrics.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod api_support;

use api_support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gate_server::app::{Access, Endpoint, Surface, Verb, endpoints};
use gate_server::auth::Scope;

const NO_RUN: &str = "00000000-0000-0000-0000-000000000000";

/// The endpoint's path with its parameters filled in.
fn concrete(path: &str) -> String {
    path.replace("{id}", NO_RUN)
        .replace("{sha}", &sha(0xab))
        .replace("{*path}", "x.png")
}

/// A body that is valid for the route, so a right token never fails on input.
fn body_for(path: &str) -> serde_json::Value {
    match path {
        "/api/v1/runs" => {
            serde_json::json!({ "commit": sha(0xab), "base_url": "http://127.0.0.1:9" })
        }
        "/api/v1/agent/lease" => serde_json::json!({ "agent": "t", "capacity": 1, "wait_ms": 0 }),
        p if p.ends_with("/result") => serde_json::json!({
            "token": "x",
            "result": serde_json::to_value(result("home", "home.toml", gate_runner::result::Outcome::Passed)).unwrap(),
        }),
        p if p.ends_with("/heartbeat") || p.ends_with("/release") => {
            serde_json::json!({ "token": "x" })
        }
        _ => serde_json::json!({}),
    }
}

/// The test tokens whose scope does not include `needed`.
fn too_small(needed: Scope) -> Vec<String> {
    Scope::ALL
        .into_iter()
        .filter(|held| !held.allows(needed))
        .map(|held| token(held.as_str()))
        .collect()
}

/// The test tokens whose scope includes `needed` (admin's always does).
fn big_enough(needed: Scope) -> Vec<String> {
    Scope::ALL
        .into_iter()
        .filter(|held| held.allows(needed))
        .map(|held| token(held.as_str()))
        .collect()
}

/// Who may call each route, written out: the route table must say the same, so a route
/// whose access loosens, or a new route without an entry here, fails the test. `page:` marks
/// a page (the pages' cookie, a log-in redirect).
#[rustfmt::skip]
const WHO_MAY_CALL: &[(&str, &str, &str)] = &[
    ("POST", "/api/v1/runs", "submit"),
    ("GET", "/api/v1/runs", "read"),
    ("GET", "/api/v1/runs/{id}", "read"),
    ("POST", "/api/v1/runs/{id}/cancel", "submit"),
    ("POST", "/api/v1/runs/{id}/rerun-failed", "submit"),
    ("GET", "/api/v1/runs/{id}/junit.xml", "read"),
    ("GET", "/api/v1/runs/{id}/report/", "read"),
    ("GET", "/api/v1/runs/{id}/report/artifacts/{*path}", "read"),
    ("GET", "/api/v1/commits/{sha}/status", "read"),
    ("GET", "/api/v1/events", "read"),
    ("POST", "/api/v1/deployments", "deploy"),
    ("POST", "/api/v1/deployments/external", "deploy"),
    ("POST", "/api/v1/incidents", "deploy"),
    ("POST", "/api/v1/history", "deploy"),
    ("GET", "/api/v1/report", "read"),
    ("GET", "/api/v1/deployments", "read"),
    ("GET", "/api/v1/deployments/{id}", "read"),
    ("POST", "/api/v1/deployments/{id}/promote", "deploy"),
    ("POST", "/api/v1/deployments/{id}/advance", "deploy"),
    ("POST", "/api/v1/deployments/{id}/abort", "deploy"),
    ("GET", "/api/v1/deployments/{id}/postmortem", "read"),
    ("GET", "/api/v1/services", "read"),
    ("POST", "/api/v1/services/{name}/rollback", "deploy"),
    ("GET", "/api/v1/audit", "read"),
    ("GET", "/api/v1/audit/verify", "read"),
    ("GET", "/api/v1/digests", "read"),
    ("GET", "/api/v1/digests/preview", "read"),
    ("POST", "/api/v1/digests/send", "deploy"),
    ("GET", "/api/v1/flow", "read"),
    ("GET", "/api/v1/review", "read"),
    ("POST", "/api/v1/flow/{stage}/done", "deploy"),
    ("POST", "/api/v1/webhooks/github", "signed"),
    ("GET", "/api/v1/openapi.json", "open"),
    ("GET", "/healthz", "open"),
    ("GET", "/readyz", "open"),
    ("GET", "/metrics", "read"),
    ("POST", "/api/v1/agent/lease", "agent"),
    ("POST", "/api/v1/agent/jobs/{id}/heartbeat", "agent"),
    ("POST", "/api/v1/agent/jobs/{id}/result", "agent"),
    ("POST", "/api/v1/agent/jobs/{id}/release", "agent"),
    ("GET", "/", "open"),
    ("GET", "/dashboard", "page:read"),
    ("GET", "/review", "page:read"),
    ("GET", "/dashboard/updates", "page:read"),
    ("GET", "/runs", "page:read"),
    ("GET", "/runs/{id}", "page:read"),
    ("POST", "/runs/{id}/cancel", "page:submit"),
    ("POST", "/runs/{id}/rerun-failed", "page:submit"),
    ("GET", "/commits/{sha}", "page:read"),
    ("GET", "/deployments", "page:read"),
    ("GET", "/deployments/{id}", "page:read"),
    ("GET", "/digests", "page:read"),
    ("GET", "/flow", "page:read"),
    ("GET", "/login", "open"),
    ("POST", "/login", "open"),
    ("POST", "/logout", "open"),
];

fn access_name(access: Access) -> String {
    match access {
        Access::Open => "open".into(),
        Access::Signed => "signed".into(),
        Access::Token(scope) => scope.as_str().into(),
        Access::Page(scope) => format!("page:{scope}"),
    }
}

#[test]
fn the_route_table_gives_each_route_the_access_written_here() {
    let routed: Vec<(String, String, String)> = endpoints()
        .iter()
        .map(|e| {
            (
                e.verb.as_str().to_uppercase(),
                e.path.to_string(),
                access_name(e.access),
            )
        })
        .collect();
    let written: Vec<(String, String, String)> = WHO_MAY_CALL
        .iter()
        .map(|(v, p, a)| (v.to_string(), p.to_string(), a.to_string()))
        .collect();
    for route in &routed {
        assert!(
            written.contains(route),
            "{route:?}: a new route, or its access changed; write who may call it in WHO_MAY_CALL"
        );
    }
    for route in &written {
        assert!(routed.contains(route), "{route:?} is no longer routed");
    }
}

/// Every answer, a refusal or not, says "no sniffing, no framing".
fn assert_security_headers(route: &str, reply: &Reply) {
    assert_eq!(reply.header("x-content-type-options"), "nosniff", "{route}");
    let policy = reply.header("content-security-policy");
    assert!(
        policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'none'"),
        "{route}: {policy}"
    );
}

/// A request to `endpoint` with `bearer`, or with the pages' cookie for page routes.
fn call(endpoint: &Endpoint, credential: Option<&str>) -> Request<Body> {
    let method = match endpoint.verb {
        Verb::Get => "GET",
        Verb::Post => "POST",
    };
    let mut builder = Request::builder()
        .method(method)
        .uri(concrete(endpoint.path));
    let page = endpoint.surface == Surface::Page;
    if let Some(credential) = credential {
        builder = if page {
            builder.header("cookie", format!("gate_token={}", hex::encode(credential)))
        } else {
            builder.header("authorization", format!("Bearer {credential}"))
        };
    }
    let body = match (endpoint.verb, page) {
        (Verb::Get, _) => Vec::new(),
        (Verb::Post, true) => {
            builder = builder
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", PUBLIC_URL);
            format!("token={}", credential.unwrap_or_default()).into_bytes()
        }
        (Verb::Post, false) => {
            builder = builder.header("content-type", "application/json");
            serde_json::to_vec(&body_for(endpoint.path)).unwrap()
        }
    };
    builder.body(Body::from(body)).unwrap()
}

/// The refused credentials every guarded route answers 401 to, with what the answer says.
fn refused_credentials() -> [(&'static str, Option<String>, &'static str); 4] {
    [
        ("no token", None, "a valid bearer token is required"),
        (
            "a wrong token",
            Some("not-a-token".into()),
            "a valid bearer token is required",
        ),
        (
            "an expired token",
            Some(token("expired")),
            "this token (`expired`) expired at 2026-01-02T03:04:05Z",
        ),
        (
            "a revoked token",
            Some(token("revoked")),
            "this token (`revoked`) has been revoked",
        ),
    ]
}

/// Every test token too weak for `needed` gets a 403 that names the scope; every strong
/// enough one (admin's too) gets past the check: no 401, 403 or 405, no log-in redirect.
async fn check_scopes(gate: &Gate, endpoint: &Endpoint, needed: Scope) {
    let route = format!("{:?} {}", endpoint.verb, endpoint.path);
    for weak in too_small(needed) {
        let reply = gate.send(call(endpoint, Some(&weak))).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{route}, too small a scope ({weak})"
        );
        assert!(
            reply.text().contains(&format!("`{needed}` scope")),
            "{route}: says the scope needed: {}",
            reply.text()
        );
        assert_security_headers(&route, &reply);
    }
    for good in big_enough(needed) {
        let reply = gate.send(call(endpoint, Some(&good))).await;
        let refused = [
            StatusCode::UNAUTHORIZED,
            StatusCode::FORBIDDEN,
            StatusCode::METHOD_NOT_ALLOWED,
        ];
        assert!(
            !refused.contains(&reply.status) && !reply.header("location").starts_with("/login"),
            "{route} with {good}: {} {} {}",
            reply.status,
            reply.header("location"),
            reply.text()
        );
        if endpoint.surface != Surface::Page {
            assert_ne!(
                reply.json()["error"],
                "route not found",
                "{route} is routed"
            );
        }
        assert_security_headers(&route, &reply);
    }
}

#[tokio::test]
async fn every_route_checks_who_calls_it() {
    let gate = Gate::new().await;
    let all = endpoints();
    assert!(all.len() >= 25, "the table lists every route: {all:?}");
    let mut checked = 0;
    for endpoint in &all {
        let route = format!("{:?} {}", endpoint.verb, endpoint.path);
        let send = |credential: Option<&str>| gate.send(call(endpoint, credential));
        match endpoint.access {
            Access::Open => {
                let request = if endpoint.path == "/login" && endpoint.verb == Verb::Post {
                    // Logging in needs no cookie, only the token in the form.
                    Request::post("/login")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("origin", PUBLIC_URL)
                        .body(Body::from(format!("token={}", token("read"))))
                        .unwrap()
                } else {
                    call(endpoint, None)
                };
                let reply = gate.send(request).await;
                assert!(
                    reply.status.is_success() || reply.status.is_redirection(),
                    "{route} answers without a token: {}",
                    reply.status
                );
                assert_security_headers(&route, &reply);
            }
            Access::Signed => {
                // Checked in detail by the webhook test: nothing passes unsigned.
                let reply = send(None).await;
                assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{route} unsigned");
                assert_security_headers(&route, &reply);
                let reply = send(Some(&token("admin"))).await;
                assert_eq!(
                    reply.status,
                    StatusCode::UNAUTHORIZED,
                    "{route}: a token is no signature"
                );
            }
            Access::Token(scope) => {
                for (who, credential, says) in refused_credentials() {
                    let reply = send(credential.as_deref()).await;
                    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{route} with {who}");
                    let error = reply.json()["error"].as_str().map(str::to_string);
                    let error = error.unwrap_or_else(|| panic!("{route}: a JSON error body"));
                    assert!(error.starts_with(says), "{route} with {who}: {error}");
                    if let Some(credential) = &credential {
                        assert!(
                            !reply.text().contains(credential.as_str()),
                            "{route}: echoed"
                        );
                    }
                    assert_eq!(reply.header("www-authenticate"), "Bearer");
                    assert_security_headers(&route, &reply);
                }
                check_scopes(&gate, endpoint, scope).await;
                if endpoint.verb == Verb::Post {
                    // A foreign page's form carries the cookie; the API does not take it.
                    let mut request = call(endpoint, None);
                    request.headers_mut().insert(
                        "cookie",
                        format!("gate_token={}", hex::encode(token("admin")))
                            .parse()
                            .unwrap(),
                    );
                    let reply = gate.send(request).await;
                    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{route} by cookie");
                }
            }
            Access::Page(scope) => {
                for (who, credential, _) in refused_credentials() {
                    let reply = send(credential.as_deref()).await;
                    assert_security_headers(&route, &reply);
                    if credential.is_none() || who == "a wrong token" {
                        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{route} with {who}");
                        assert!(
                            reply.header("location").starts_with("/login?next=/"),
                            "{route} with {who} goes to log in: {}",
                            reply.header("location")
                        );
                        continue;
                    }
                    // Expired or revoked: the log-in form says which, and drops the cookie.
                    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{route} with {who}");
                    let html = reply.text();
                    let word = if who.contains("expired") {
                        "expired at 2026-01-02T03:04:05Z"
                    } else {
                        "has been revoked"
                    };
                    assert!(
                        html.contains("id=\"login-error\"") && html.contains(word),
                        "{route} with {who}: {html}"
                    );
                    assert!(
                        !html.contains(credential.as_deref().unwrap()),
                        "{route}: echoed"
                    );
                    assert!(
                        reply.header("set-cookie").contains("Max-Age=0"),
                        "{route} with {who}: the cookie is dropped"
                    );
                }
                check_scopes(&gate, endpoint, scope).await;
            }
        }
        checked += 1;
    }
    assert_eq!(checked, WHO_MAY_CALL.len(), "every route was called");
}

#[tokio::test]
async fn cookies_read_the_api_but_never_change_it() {
    let gate = Gate::new().await;
    let run = gate.submit(&sha(1)).await;
    let cookie = format!("gate_token={}", hex::encode(token("admin")));
    let get = Request::get(format!("/api/v1/runs/{}", run["id"].as_str().unwrap()))
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        gate.send(get).await.status,
        StatusCode::OK,
        "screenshots on the pages load"
    );
    let cancel = Request::post(format!(
        "/api/v1/runs/{}/cancel",
        run["id"].as_str().unwrap()
    ))
    .header("cookie", &cookie)
    .header("origin", PUBLIC_URL)
    .body(Body::empty())
    .unwrap();
    assert_eq!(
        gate.send(cancel).await.status,
        StatusCode::UNAUTHORIZED,
        "API changes need the bearer header"
    );
}

#[tokio::test]
async fn malformed_input_gets_a_clear_400_413_415_422_or_404() {
    let gate = Gate::new().await;
    let submit = token("submit");
    let post = |body: Vec<u8>, content_type: &'static str| {
        gate.send(request(
            "POST",
            "/api/v1/runs",
            Some(&submit),
            Some(content_type),
            body,
        ))
    };
    let json = "application/json";
    let check = |reply: &Reply, status: StatusCode, field: Option<&str>| {
        assert_eq!(reply.status, status, "{}", reply.text());
        assert_eq!(reply.json()["field"].as_str(), field, "{}", reply.text());
        assert!(reply.json()["error"].is_string(), "{}", reply.text());
    };

    // A valid submission's members followed by `extra` ones.
    let with = |extra: &str| {
        format!(
            r#"{{"commit": "{}", "base_url": "http://x"{extra}}}"#,
            sha(1)
        )
        .into_bytes()
    };

    let reply = post(b"{not json".to_vec(), json).await;
    check(&reply, StatusCode::BAD_REQUEST, None);
    assert!(
        reply.json()["error"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    let reply = post([with(""), b" trailing".to_vec()].concat(), json).await;
    check(&reply, StatusCode::BAD_REQUEST, None);

    // Wrong types, unknown and missing fields name the field (400); values that parse but make
    // no sense name it too (422). Each with what its error says.
    let bad = StatusCode::BAD_REQUEST;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    for (body, status, field, says) in [
        (
            br#"{"commit": 5, "base_url": "http://x"}"#.to_vec(),
            bad,
            "commit",
            "",
        ),
        (with(r#", "pr": "twelve""#), bad, "pr", ""),
        (with(r#", "tags": ["a", 3]"#), bad, "tags[1]", ""),
        (with(r#", "colour": "red""#), bad, "colour", "unknown field"),
        (
            format!(r#"{{"sha": "{}"}}"#, sha(1)).into_bytes(),
            bad,
            "sha",
            "",
        ),
        (
            br#"{"base_url": "http://x"}"#.to_vec(),
            bad,
            "commit",
            "missing field",
        ),
        // No base URL, and no default to fall back on: the field, and an example of one.
        (
            format!(r#"{{"commit": "{}"}}"#, sha(1)).into_bytes(),
            unprocessable,
            "base_url",
            "e.g. https://",
        ),
        (
            with(r#", "tags": ["smoke", " "]"#),
            unprocessable,
            "tags[1]",
            "",
        ),
        (
            with(r#", "committed_at": "yesterday""#),
            unprocessable,
            "committed_at",
            "",
        ),
        (
            with(r#", "tags": ["nothing-has-this"]"#),
            unprocessable,
            "tags",
            "",
        ),
    ] {
        let reply = post(body, json).await;
        check(&reply, status, Some(field));
        let error = reply.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(error.contains(says), "{field}: {error}");
    }
    for bad in [
        "nope",
        "abc123",
        &sha(1)[..39],
        &format!("{}zz", &sha(1)[..38]),
    ] {
        let reply = post(
            format!(r#"{{"commit": "{bad}", "base_url": "http://x"}}"#).into_bytes(),
            json,
        )
        .await;
        check(&reply, unprocessable, Some("commit"));
    }
    for bad in ["ftp://x", "not a url", "javascript:alert(1)", ""] {
        let reply = post(
            format!(r#"{{"commit": "{}", "base_url": "{bad}"}}"#, sha(1)).into_bytes(),
            json,
        )
        .await;
        check(&reply, unprocessable, Some("base_url"));
    }

    // Content type and size.
    let reply = post(b"commit=abc".to_vec(), "application/x-www-form-urlencoded").await;
    check(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, None);
    let reply = gate
        .send(request(
            "POST",
            "/api/v1/runs",
            Some(&submit),
            None,
            b"{}".to_vec(),
        ))
        .await;
    check(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, None);
    let mut huge = format!(
        r#"{{"commit": "{}", "base_url": "http://x", "branch": ""#,
        sha(1)
    )
    .into_bytes();
    huge.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    huge.extend(b"\"}");
    let reply = post(huge, json).await;
    check(&reply, StatusCode::PAYLOAD_TOO_LARGE, None);

    // The agent protocol is just as strict.
    let reply = gate
        .lease(&serde_json::json!({ "agent": "a", "capacity": "two" }))
        .await;
    check(&reply, StatusCode::BAD_REQUEST, Some("capacity"));
    let reply = gate
        .lease(&serde_json::json!({ "agent": "a", "capacity": 0 }))
        .await;
    check(&reply, StatusCode::UNPROCESSABLE_ENTITY, Some("capacity"));
    let reply = gate.job(NO_RUN, "heartbeat", &serde_json::json!({})).await;
    check(&reply, StatusCode::BAD_REQUEST, Some("token"));

    // Query strings too.
    let read = token("read");
    let reply = gate.get("/api/v1/runs?limit=1000", Some(&read)).await;
    check(&reply, StatusCode::UNPROCESSABLE_ENTITY, Some("limit"));
    let reply = gate.get("/api/v1/runs?state=green", Some(&read)).await;
    check(&reply, StatusCode::BAD_REQUEST, Some("state"));
    let reply = gate.get("/api/v1/runs?colour=red", Some(&read)).await;
    check(&reply, StatusCode::BAD_REQUEST, Some("colour"));
    let reply = gate
        .get(&format!("/api/v1/runs?before={NO_RUN}"), Some(&read))
        .await;
    check(&reply, StatusCode::UNPROCESSABLE_ENTITY, Some("before"));

    // Unknown things are JSON 404s.
    for uri in [
        format!("/api/v1/commits/{}/status", sha(0xcd)),
        format!("/api/v1/runs/{NO_RUN}"),
        format!("/api/v1/runs/{NO_RUN}/junit.xml"),
        format!("/api/v1/runs/{NO_RUN}/report/"),
        format!("/api/v1/runs/{NO_RUN}/report/artifacts/a.png"),
        "/api/v1/nothing-here".to_string(),
    ] {
        let reply = gate.get(&uri, Some(&read)).await;
        check(&reply, StatusCode::NOT_FOUND, None);
    }
    let reply = gate
        .get("/api/v1/commits/not-a-sha/status", Some(&read))
        .await;
    check(&reply, StatusCode::UNPROCESSABLE_ENTITY, Some("sha"));

    // Nothing above created a run.
    assert!(gate.runs("").await.is_empty());
}

#[tokio::test]
async fn an_empty_base_url_falls_back_to_the_configured_default() {
    let gate = Gate::with(SCENARIOS, |c| {
        c.default_base_url = Some("https://staging.example.test".into());
    })
    .await;
    let reply = gate
        .submit_json(&serde_json::json!({ "commit": sha(2), "base_url": "", "tags": ["smoke"] }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let run = reply.json();
    assert_eq!(run["base_url"], "https://staging.example.test");
    assert_eq!(
        run["jobs"].as_array().unwrap().len(),
        1,
        "only the smoke scenario"
    );
    assert_eq!(run["jobs"][0]["scenario"], "home");
}

#[tokio::test]
async fn the_github_webhook_queues_runs_only_with_a_valid_signature() {
    let gate = Gate::new().await;
    let runs = async || gate.runs("").await.len();
    let pr = format!(
        r#"{{"action":"opened","number":12,"pull_request":{{"number":12,"head":{{"sha":"{}","ref":"feature"}}}}}}"#,
        sha(3)
    );

    let forged = gate
        .send(signed("pull_request", "d1", &pr, "wrong-secret"))
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let mut unsigned = signed("pull_request", "d1", &pr, SECRET);
    unsigned.headers_mut().remove("x-hub-signature-256");
    assert_eq!(gate.send(unsigned).await.status, StatusCode::UNAUTHORIZED);
    let mut garbled = signed("pull_request", "d1", &pr, SECRET);
    garbled
        .headers_mut()
        .insert("x-hub-signature-256", "sha256=zz".parse().unwrap());
    assert_eq!(gate.send(garbled).await.status, StatusCode::UNAUTHORIZED);
    // A signature over other bytes than the ones sent.
    let mut tampered = signed("pull_request", "d1", &pr, SECRET);
    *tampered.body_mut() = Body::from(pr.replace("12", "13"));
    assert_eq!(gate.send(tampered).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(runs().await, 0, "nothing queued by bad signatures");
    // The signature is checked before the body is parsed.
    let junk = gate
        .send(signed("push", "d0", "{not json", "wrong-secret"))
        .await;
    assert_eq!(junk.status, StatusCode::UNAUTHORIZED);
    let junk = gate.send(signed("push", "d0", "{not json", SECRET)).await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);

    let ok = gate.send(signed("pull_request", "d2", &pr, SECRET)).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text());
    let run = ok.json();
    assert_eq!(
        (
            run["pr"].as_u64(),
            run["base_url"].as_str(),
            run["branch"].as_str()
        ),
        (Some(12), Some("http://pr-12.staging.test"), Some("feature"))
    );
    let again = gate.send(signed("pull_request", "d2", &pr, SECRET)).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "a redelivery queues nothing new"
    );
    assert_eq!(again.json()["ignored"], "redelivery");
    let ping = gate
        .send(signed("ping", "d3", r#"{"zen":"hi"}"#, SECRET))
        .await;
    assert_eq!(ping.status, StatusCode::ACCEPTED);
    assert!(ping.json()["ignored"].is_string());
    // Deliveries may be larger than other API bodies (GitHub sends up to 25 MB).
    let big = format!(r#"{{"zen":"{}"}}"#, "z".repeat(3 * 1024 * 1024));
    let ping = gate.send(signed("ping", "d5", &big, SECRET)).await;
    assert_eq!(ping.status, StatusCode::ACCEPTED);

    let push = format!(
        r#"{{"ref":"refs/heads/main","after":"{}","head_commit":{{"timestamp":"2026-11-27T10:00:00Z"}}}}"#,
        sha(4)
    );
    // The staging URL template names the PR, which a push does not have, and there is no
    // default: nothing to test (rather than `http://pr-.staging.test`).
    let pushed = gate.send(signed("push", "d4", &push, SECRET)).await;
    assert_eq!(pushed.status, StatusCode::ACCEPTED, "{}", pushed.text());
    let reason = pushed.json()["ignored"].as_str().unwrap().to_string();
    assert!(
        reason.contains("pr-{pr}") && reason.contains("default-base-url"),
        "{reason}"
    );
    assert_eq!(runs().await, 1);
}

#[tokio::test]
async fn a_push_without_a_pr_is_tested_at_the_default_base_url() {
    let gate = Gate::with(SCENARIOS, |c| {
        c.default_base_url = Some("http://staging.test".into());
    })
    .await;
    let push = format!(
        r#"{{"ref":"refs/heads/main","after":"{}","head_commit":{{"timestamp":"2026-11-27T10:00:00Z"}}}}"#,
        sha(4)
    );
    let pushed = gate.send(signed("push", "d4", &push, SECRET)).await;
    assert_eq!(pushed.status, StatusCode::CREATED, "{}", pushed.text());
    let run = pushed.json();
    assert_eq!(
        (run["branch"].as_str(), run["base_url"].as_str()),
        (Some("main"), Some("http://staging.test"))
    );
    // A pull request still gets its own staging URL from the template.
    let pr = format!(
        r#"{{"action":"opened","number":7,"pull_request":{{"number":7,"head":{{"sha":"{}","ref":"f"}}}}}}"#,
        sha(5)
    );
    let opened = gate.send(signed("pull_request", "d5", &pr, SECRET)).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
    assert_eq!(opened.json()["base_url"], "http://pr-7.staging.test");
}

#[tokio::test]
async fn without_a_configured_secret_no_delivery_is_accepted() {
    let gate = Gate::with(SCENARIOS, |c| c.webhook = None).await;
    let reply = gate.send(signed("push", "d1", "{}", SECRET)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route_with_its_scope() {
    let gate = Gate::new().await;
    let reply = gate.get("/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    // It is an OpenAPI 3.1 document a standard parser accepts.
    let parsed = oas3::from_json(reply.text()).expect("a valid OpenAPI 3.1 document");
    let version = parsed
        .validate_version()
        .expect("a supported OpenAPI version");
    assert_eq!((version.major, version.minor), (3, 1));
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let api: Vec<Endpoint> = endpoints()
        .into_iter()
        .filter(|e| e.surface != Surface::Page)
        .collect();
    let mut documented = 0;
    for endpoint in &api {
        let path = gate_server::openapi::openapi_path(endpoint.path);
        let op = &doc["paths"][&path][endpoint.verb.as_str()];
        assert!(op.is_object(), "{:?} {path} is documented", endpoint.verb);
        assert!(
            gate_server::openapi::describe(endpoint.verb, endpoint.path).is_some(),
            "{path} has a summary"
        );
        let description = op["description"].as_str().unwrap();
        match endpoint.access.scope() {
            Some(scope) => {
                let name = format!("{scope:?}").to_lowercase();
                assert!(
                    description.contains(&format!("`{name}`")),
                    "{path}: {description}"
                );
                assert!(op["security"].is_array(), "{path} needs the bearer scheme");
                assert!(op["responses"]["401"].is_object() && op["responses"]["403"].is_object());
            }
            None => assert!(op["security"].is_null(), "{path} needs no token"),
        }
        for parameter in path.split('/').filter(|s| s.starts_with('{')) {
            let name = parameter.trim_matches(|c| c == '{' || c == '}');
            let declared = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == name && p["in"] == "path");
            assert!(declared, "{path} declares its parameter {name}");
        }
        documented += 1;
    }
    // ...and nothing the router does not serve.
    assert_eq!(
        parsed.operations().count(),
        documented,
        "every documented operation is routed"
    );
    for schema in [
        "SubmitRun",
        "RunView",
        "CommitStatus",
        "ErrorBody",
        "LeaseGrant",
        "JobResult",
        "Event",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    // Every reference resolves: the schemas come from the types, nested ones included.
    fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(|r| r.as_str()) {
                    out.push(r.to_string());
                }
                map.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 20, "{all:?}");
    for r in &all {
        let name = r.strip_prefix("#/components/schemas/").unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} resolves"
        );
    }
    // The scenario result an agent uploads is described, down to its failures.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["JobResult"]["properties"]["result"]["$ref"],
        "#/components/schemas/ScenarioResult"
    );
    for (schema, property) in [
        ("ScenarioResult", "attempts"),
        ("Attempt", "failure"),
        ("Failure", "location"),
        ("JobView", "outcome"),
    ] {
        assert!(
            schemas[schema]["properties"][property].is_object(),
            "{schema}.{property}"
        );
    }
    assert!(
        schemas["Outcome"]["enum"]
            .as_array()
            .unwrap()
            .contains(&"flaky".into())
    );
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let gate = Gate::new().await;
    assert_eq!(gate.get("/healthz", None).await.status, StatusCode::OK);
    let ready = gate.get("/readyz", None).await;
    assert_eq!(
        (ready.status, ready.json()["ready"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    gate.state
        .pool_ready
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let starting = gate.get("/readyz", None).await;
    assert_eq!(starting.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(starting.json()["reason"].as_str().unwrap().contains("pool"));
    gate.state
        .pool_ready
        .store(true, std::sync::atomic::Ordering::SeqCst);

    // A run that goes through, so every family has samples.
    gate.submit(&sha(5)).await;
    finish_all(&gate, |_| gate_runner::result::Outcome::Passed).await;
    gate.state.metrics.pool_capacity(4);
    gate.state.metrics.pool_busy_add(1);
    gate.submit(&sha(6)).await;

    let reply = gate.get("/metrics", Some(&token("read"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .header("content-type")
            .starts_with("application/openmetrics-text")
    );
    let text = reply.text();
    for sample in [
        "gate_queue_jobs{state=\"queued\"} 2",
        "gate_queue_runs{state=\"queued\"} 1",
        "gate_runs_total{outcome=\"passed\"} 1",
        "gate_scenario_duration_seconds_bucket",
        "gate_browser_pool_capacity 4",
        "gate_browser_pool_busy 1",
        "gate_http_requests_total{method=\"POST\",route=\"/api/v1/runs\",status=\"201\"} 2",
    ] {
        assert!(text.contains(sample), "{sample} in\n{text}");
    }
}
