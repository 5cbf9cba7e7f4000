//! The deployment pages through `app()`: `/deployments` (what each service serves, every
//! deployment newest first, the filter by service) and `/deployments/{id}` for a deployment in
//! each phase the service can put it in (pending, canary with a decision, promoted, rolled back
//! by the analysis, aborted, failed) — phase, step and weight, plan, decision numbers, the
//! pictures, log, audit entries; pages of deployments in progress refresh themselves; every
//! string people give (reasons, hook failures) is escaped; the pages need the `read` scope.
//! No controller runs: the tests move deployments through the service as it would.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod api_support;

use api_support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gate_deploy::{Counts, Input, SyntheticTally, Window};
use serde_json::json;

const SCRIPT: &str = "<script>alert(1)</script>";

async fn gate() -> Gate {
    Gate::with(SCENARIOS, |c| {
        c.services = vec![service("shop"), service("cart")]
    })
    .await
}

fn cookie(scope: &str) -> String {
    format!("gate_token={}", hex::encode(token(scope)))
}

async fn page(gate: &Gate, uri: &str, scope: &str) -> Reply {
    gate.send(
        Request::get(uri)
            .header("cookie", cookie(scope))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// An admin's forced deploy (no commit here is green); the new deployment's id.
async fn deploy(gate: &Gate, service: &str, version: &str) -> String {
    let reply = gate
        .post_json(
            "/api/v1/deployments",
            Some(&token("admin")),
            &json!({
                "service": service, "version": version, "commit": sha(7),
                "force": true, "reason": SCRIPT,
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_str().unwrap().to_string()
}

async fn feed(gate: &Gate, id: &str, input: Input) {
    gate.service()
        .transition(id, move |_, _| Some(input.clone()))
        .await
        .unwrap();
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn observed(canary: (u64, u64), stable: (u64, u64)) -> Input {
    let counts = |(requests, errors)| Counts {
        requests,
        errors,
        p95_ms: Some(40.0),
    };
    Input::Observed {
        at: now(),
        window: Window {
            canary: counts(canary),
            stable: counts(stable),
        },
        synthetic: SyntheticTally::default(),
    }
}

/// The text of the element with `id` (up to its closing tag), for asserts.
fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</").unwrap_or(rest.len())]
}

fn assert_escaped(html: &str) {
    assert!(!html.contains("<script>alert"), "unescaped: {html}");
    assert!(!html.contains("<img src=x"), "unescaped: {html}");
}

#[tokio::test]
async fn a_pending_deployment_shows_its_plan_refreshes_and_escapes_the_reason() {
    let gate = gate().await;
    let id = deploy(&gate, "shop", "v2").await;
    let reply = page(&gate, &format!("/deployments/{id}"), "read").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let html = reply.text();
    assert!(element(&html, "deployment-phase").contains(r#"data-phase="pending""#));
    assert!(element(&html, "weight").ends_with(">0%"), "{html}");
    assert!(
        html.contains(r#"http-equiv="refresh""#),
        "in progress: refreshes"
    );
    assert!(html.contains(r#"id="forced""#), "the override is shown");
    assert!(
        element(&html, "reason").contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert_escaped(&html);
    // The plan, nothing current yet; no decision.
    assert!(html.contains(r#"id="plan""#) && html.contains(r#"data-step="4""#));
    assert!(html.contains("until a person moves it on") && html.contains("10m 00s"));
    assert!(!html.contains(r#"aria-current="step""#), "{html}");
    assert!(html.contains(r#"id="no-decision""#));
    assert!(element(&html, "traffic-split-title").contains("0% of traffic on v2, 100% on v1"));
    // The log and the audit entries of the deployment: the request and the override.
    assert!(html.contains(r#"data-kind="note""#), "{html}");
    let audit = &html[html.find(r#"id="audit""#).unwrap()..];
    assert!(
        audit.contains("deploy_requested") && audit.contains("override"),
        "{audit}"
    );
    assert!(html.contains(&format!(
        r#"id="postmortem-link" href="/api/v1/deployments/{id}/postmortem""#
    )));
    assert!(html.contains(r#"id="nav-deployments" href="/deployments""#));
}

#[tokio::test]
async fn a_canary_shows_its_step_the_decision_numbers_and_pictures() {
    let gate = gate().await;
    let id = deploy(&gate, "shop", "v2").await;
    feed(&gate, &id, Input::Ready { at: now() }).await;
    // Too few requests to decide: the canary stays at its first step with a decision.
    feed(&gate, &id, observed((12, 1), (300, 2))).await;
    let html = page(&gate, &format!("/deployments/{id}"), "read")
        .await
        .text();
    assert!(
        element(&html, "deployment-phase").contains(r#"data-phase="canary""#),
        "{html}"
    );
    assert_eq!(element(&html, "step"), r#"id="step">1 of 4"#);
    assert!(element(&html, "weight").ends_with(">5%"), "{html}");
    assert!(html.contains(r#"id="step-hold""#), "{html}");
    let current = &html[html.find(r#"aria-current="step""#).unwrap() - 80..];
    assert!(current.contains(r#"data-step="1""#), "{current}");
    assert!(
        element(&html, "judgement").contains("inconclusive"),
        "{html}"
    );
    let canary = &html[html.find(r#"id="decision-canary""#).unwrap()..];
    assert!(
        canary.contains("<td>12</td><td>1</td>") && canary.contains("8.33%"),
        "{canary}"
    );
    let stable = &html[html.find(r#"id="decision-stable""#).unwrap()..];
    assert!(
        stable.contains("<td>300</td><td>2</td>") && stable.contains("0.67%"),
        "{stable}"
    );
    assert!(
        !element(&html, "decision-summary").trim_end().ends_with('>'),
        "a summary line"
    );
    assert!(element(&html, "error-rates-title").contains("v2: 8.33%; of v1: 0.67%"));
    assert!(element(&html, "traffic-split-title").contains("5% of traffic on v2, 95% on v1"));
    assert!(html.contains(r#"data-kind="transition""#), "{html}");
    assert!(html.contains(r#"http-equiv="refresh""#));

    // The list shows it in progress for its service.
    let list = page(&gate, "/deployments", "read").await.text();
    let row = &list[list.find(r#"data-testid="service-shop""#).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("v1") && row.contains(&format!("/deployments/{id}")),
        "{row}"
    );
}

#[tokio::test]
async fn finished_deployments_render_in_every_phase_without_refreshing() {
    let gate = gate().await;
    let admin = token("admin");

    let failed = deploy(&gate, "shop", "v2").await;
    let why = "up hook exited 3: <img src=x onerror=alert(1)>";
    feed(
        &gate,
        &failed,
        Input::HookFailed {
            at: now(),
            reason: why.into(),
        },
    )
    .await;

    let aborted = deploy(&gate, "shop", "v3").await;
    let reply = gate
        .post_json(
            &format!("/api/v1/deployments/{aborted}/abort"),
            Some(&admin),
            &json!({ "reason": SCRIPT }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let rolled_back = deploy(&gate, "shop", "v4").await;
    feed(&gate, &rolled_back, Input::Ready { at: now() }).await;
    feed(&gate, &rolled_back, observed((2000, 400), (2000, 4))).await;

    let promoted = deploy(&gate, "shop", "v5").await;
    feed(&gate, &promoted, Input::Ready { at: now() }).await;
    let reply = gate
        .post_json(
            &format!("/api/v1/deployments/{promoted}/promote"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    for (id, phase, weight) in [
        (&failed, "failed", 0),
        (&aborted, "aborted", 0),
        (&rolled_back, "rolled_back", 0),
        (&promoted, "promoted", 100),
    ] {
        let reply = page(&gate, &format!("/deployments/{id}"), "read").await;
        assert_eq!(reply.status, StatusCode::OK, "{phase}: {}", reply.text());
        let html = reply.text();
        assert!(
            element(&html, "deployment-phase").contains(&format!(r#"data-phase="{phase}""#)),
            "{phase}: {html}"
        );
        assert!(
            element(&html, "weight").ends_with(&format!(">{weight}%")),
            "{phase}: {html}"
        );
        assert!(!html.contains(r#"http-equiv="refresh""#), "{phase} is over");
        assert!(
            !html.contains(r#"aria-current="step""#),
            "{phase}: no current step"
        );
        assert_escaped(&html);
    }

    let failed_page = page(&gate, &format!("/deployments/{failed}"), "read")
        .await
        .text();
    assert!(
        failed_page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{failed_page}"
    );
    let audit = &failed_page[failed_page.find(r#"id="audit""#).unwrap()..];
    assert!(audit.contains("hook_failed"), "{audit}");
    let aborted_page = page(&gate, &format!("/deployments/{aborted}"), "read")
        .await
        .text();
    assert!(aborted_page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let rolled_back_page = page(&gate, &format!("/deployments/{rolled_back}"), "read")
        .await
        .text();
    assert!(
        element(&rolled_back_page, "judgement").contains("failing"),
        "{rolled_back_page}"
    );
    assert!(rolled_back_page.contains("20.00%"), "the canary's rate");

    // The list: newest first, a badge per phase, nothing in progress.
    let list = page(&gate, "/deployments", "read").await.text();
    let order: Vec<usize> = [&promoted, &rolled_back, &aborted, &failed]
        .iter()
        .map(|id| {
            list.find(&format!(r#"data-testid="deployment-{id}""#))
                .unwrap()
        })
        .collect();
    assert!(order.is_sorted(), "newest first: {order:?}");
    assert!(list.contains(r#"data-phase="rolled_back""#) && list.contains("badge rolled_back"));
    let shop = &list[list.find(r#"data-testid="service-shop""#).unwrap()..];
    let shop = &shop[..shop.find("</tr>").unwrap()];
    assert!(
        shop.contains(r#"<span class="muted">none</span>"#),
        "{shop}"
    );
    assert_escaped(&list);
}

#[tokio::test]
async fn the_list_filters_by_service() {
    let gate = gate().await;
    let shop = deploy(&gate, "shop", "v2").await;
    let cart = deploy(&gate, "cart", "v7").await;
    let all = page(&gate, "/deployments", "read").await.text();
    assert!(all.contains(&shop) && all.contains(&cart));
    assert!(
        all.contains(r#"<option value="cart">cart</option>"#),
        "{all}"
    );

    let only = page(&gate, "/deployments?service=cart", "read").await;
    assert_eq!(only.status, StatusCode::OK);
    let only = only.text();
    assert!(
        only.contains(&format!(r#"data-testid="deployment-{cart}""#)),
        "{only}"
    );
    assert!(
        !only.contains(&format!(r#"data-testid="deployment-{shop}""#)),
        "{only}"
    );
    assert!(
        only.contains(r#"<option value="cart" selected>cart</option>"#),
        "{only}"
    );

    let unknown = page(&gate, "/deployments?service=%3Cb%3E", "read").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.text().contains("this server deploys shop, cart"));
    assert_escaped(&unknown.text());
    let missing = page(&gate, "/deployments/no-such-id", "read").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_pages_need_the_read_scope() {
    let gate = gate().await;
    let id = deploy(&gate, "shop", "v2").await;
    for uri in ["/deployments".to_string(), format!("/deployments/{id}")] {
        let anonymous = gate.get(&uri, None).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{uri}");
        assert!(
            anonymous.header("location").starts_with("/login?next="),
            "{uri}"
        );
        let agent = page(&gate, &uri, "agent").await;
        assert_eq!(agent.status, StatusCode::FORBIDDEN, "{uri}");
        let read = page(&gate, &uri, "read").await;
        assert_eq!(read.status, StatusCode::OK, "{uri}");
        let bearer = gate.get(&uri, Some(&token("read"))).await;
        assert_eq!(bearer.status, StatusCode::OK, "{uri}");
    }
}
