//! The web pages through `app()`: logging in with a token and the cookie it sets, the run list
//! with filters, a run page with a failing scenario's evidence (and names escaped), the commit
//! page, the cancel and re-run forms, cross-site form posts refused, and 404 pages.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod api_support;

use api_support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gate_runner::result::Outcome;

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

/// A form post from one of our pages (same origin), as a browser sends it.
async fn form(gate: &Gate, uri: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut request = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", PUBLIC_URL);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    gate.send(request.body(Body::from(body.to_string())).unwrap())
        .await
}

#[tokio::test]
async fn logging_in_sets_a_strict_cookie_and_logging_out_clears_it() {
    let gate = Gate::new().await;
    let home = gate.get("/", None).await;
    assert_eq!(
        (home.status, home.header("location")),
        (StatusCode::SEE_OTHER, "/runs")
    );
    let runs = gate.get("/runs?branch=main", None).await;
    assert_eq!(runs.status, StatusCode::SEE_OTHER);
    assert_eq!(runs.header("location"), "/login?next=/runs%3Fbranch%3Dmain");

    let login = gate.get("/login?next=/runs%3Fbranch%3Dmain", None).await;
    assert_eq!(login.status, StatusCode::OK);
    let html = login.text();
    assert!(
        html.contains(r#"id="token""#) && html.contains(r#"id="login""#),
        "{html}"
    );
    assert!(
        html.contains(r#"value="/runs?branch=main""#),
        "the form returns where it came from"
    );
    assert!(
        !html.contains(r#"id="logout""#),
        "nothing to log out of yet"
    );

    let bad = form(&gate, "/login", None, "token=nope").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.text().contains(r#"id="login-error""#));
    assert!(bad.header("set-cookie").is_empty());
    let agent = form(&gate, "/login", None, &format!("token={}", token("agent"))).await;
    assert_eq!(
        agent.status,
        StatusCode::FORBIDDEN,
        "an agent token cannot read the pages"
    );

    let ok = form(
        &gate,
        "/login",
        None,
        &format!("token={}&next=%2Fruns%3Fbranch%3Dmain", token("read")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.header("location"), "/runs?branch=main");
    let set = ok.header("set-cookie");
    assert!(set.starts_with(&format!("{}; ", cookie("read"))), "{set}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(!set.contains("Secure"), "plain http here");

    // Only local paths are followed after logging in.
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
    ] {
        let body = format!(
            "token={}&next={}",
            token("read"),
            gate_server::pages::encode(next)
        );
        let reply = form(&gate, "/login", None, &body).await;
        assert_eq!(reply.header("location"), "/runs", "{next}");
    }

    let out = form(&gate, "/logout", Some(&cookie("read")), "").await;
    assert_eq!(
        (out.status, out.header("location")),
        (StatusCode::SEE_OTHER, "/login")
    );
    assert!(out.header("set-cookie").contains("Max-Age=0"));
}

#[tokio::test]
async fn an_https_public_url_makes_the_cookie_secure() {
    let gate = Gate::with(SCENARIOS, |c| {
        c.public_url = "https://gate.example.com".into()
    })
    .await;
    let reply = gate
        .send(
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "https://gate.example.com")
                .body(Body::from(format!("token={}", token("read"))))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(reply.header("set-cookie").contains("; Secure"));
}

#[tokio::test]
async fn forms_from_other_sites_are_refused() {
    let gate = Gate::new().await;
    let run = gate.submit(&sha(1)).await;
    let id = run["id"].as_str().unwrap();
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let mut request = Request::post(format!("/runs/{id}/cancel"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie("submit"));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let reply = gate.send(request.body(Body::empty()).unwrap()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "origin {origin:?}");
        let login = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", origin.unwrap_or("https://evil.example"))
            .body(Body::from(format!("token={}", token("read"))))
            .unwrap();
        assert_eq!(gate.send(login).await.status, StatusCode::FORBIDDEN);
    }
    // A browser that sends only a Referer is fine when it is ours.
    let reply = gate
        .send(
            Request::post(format!("/runs/{id}/cancel"))
                .header("cookie", cookie("submit"))
                .header("referer", format!("{PUBLIC_URL}/runs/{id}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(gate.verdict(&sha(1)).await["runs"][0]["state"], "cancelled");
}

#[tokio::test]
async fn the_run_list_shows_verdicts_and_filters() {
    let gate = Gate::new().await;
    let empty = page(&gate, "/runs", "read").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.text().contains(r#"id="no-runs""#));
    for (i, branch) in ["main", "feature/<b>", "main"].iter().enumerate() {
        let body = serde_json::json!({ "commit": sha(20 + i as u8), "base_url": "http://127.0.0.1:9", "branch": branch, "pr": 40 + i });
        gate.submit_json(&body).await;
    }
    finish_all(&gate, |_| Outcome::Passed).await;
    gate.submit(&sha(30)).await;

    let list = page(&gate, "/runs", "read").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.header("content-type").starts_with("text/html"));
    assert!(
        list.header("content-security-policy")
            .contains("default-src 'none'")
    );
    assert_eq!(list.header("cache-control"), "no-store");
    let html = list.text();
    assert!(html.contains("<title>Runs · gate</title>"));
    assert_eq!(html.matches(r#"<tr class="run""#).count(), 4, "{html}");
    assert!(html.contains(&format!(r#"data-commit="{}""#, sha(20))));
    assert!(html.contains(r#"<span class="badge passed">passed</span>"#));
    assert!(html.contains(r#"<span class="badge queued">queued</span>"#));
    assert!(html.contains(&sha(21)[..10]) && html.contains("#41"));
    assert!(
        html.contains("feature/&lt;b&gt;") && !html.contains("feature/<b>"),
        "escaped"
    );

    let main = page(&gate, "/runs?branch=main&state=", "read").await.text();
    assert_eq!(main.matches(r#"<tr class="run""#).count(), 2);
    assert!(main.contains(r#"value="main""#), "the filter is shown");
    let queued = page(&gate, "/runs?state=queued", "read").await.text();
    assert_eq!(queued.matches(r#"<tr class="run""#).count(), 1);
    assert!(
        queued.contains(r#"<option value="queued" selected>"#),
        "{queued}"
    );
    let nonsense = page(&gate, "/runs?state=green&before=nope", "read").await;
    assert_eq!(
        nonsense.status,
        StatusCode::OK,
        "bad filters show everything"
    );
}

#[tokio::test]
async fn a_run_page_shows_the_failure_evidence_escaped() {
    let evil = "<script>alert(1)</script>";
    let scenarios = [
        (
            "home.toml",
            "name = \"home\"\n[[step]]\ngoto = \"/\"\n".to_string(),
        ),
        (
            "evil.toml",
            format!("name = \"{evil}\"\n[[step]]\ngoto = \"/\"\n"),
        ),
    ];
    let files: Vec<(&str, &str)> = scenarios.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let gate = Gate::with(&files, |_| {}).await;
    let commit = sha(2);
    let run = gate.submit(&commit).await;
    let id = run["id"].as_str().unwrap();

    let queued = page(&gate, &format!("/runs/{id}"), "read").await.text();
    assert!(
        queued.contains(r#"http-equiv="refresh""#),
        "a running run refreshes itself"
    );
    assert!(
        !queued.contains(r#"id="cancel-run""#),
        "a read token cannot cancel"
    );
    let queued = page(&gate, &format!("/runs/{id}"), "submit").await.text();
    assert!(queued.contains(r#"id="cancel-run""#), "a submit token can");

    finish_all(&gate, outcome_for("home", Outcome::Passed, Outcome::Failed)).await;
    let reply = page(&gate, &format!("/runs/{id}"), "submit").await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    assert!(!html.contains(evil), "the scenario name is escaped");
    assert!(!html.contains("<script"), "no script at all");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        html.contains(r#"id="verdict" class="badge failed""#),
        "{html}"
    );
    assert!(html.contains(r#"data-testid="scenario-home" data-outcome="passed""#));
    assert!(html.contains(r#"data-outcome="failed""#));
    for evidence in [
        "evil.toml:7",
        "the confirmation did not appear",
        "text \"Thank you\"",
        "h1 \"Something went wrong\"",
        "TypeError: cart is undefined",
        "http://127.0.0.1:9/api/orders",
        r#"class="shot""#,
        "/report/artifacts/",
    ] {
        let escaped = evidence.replace('"', "&quot;");
        assert!(
            html.contains(evidence) || html.contains(&escaped),
            "{evidence} on the page"
        );
    }
    // Links relative to the page: right whatever the configured public URL says.
    assert!(html.contains(&format!(r#"href="/api/v1/runs/{id}/junit.xml""#)));
    assert!(html.contains(&format!(r#"href="/api/v1/runs/{id}/report/""#)));
    assert!(html.contains(&format!(r#"src="/api/v1/runs/{id}/report/artifacts/"#)));
    assert_eq!(
        html.matches(r#"href="/commits/"#).count(),
        1,
        "one link to the commit"
    );
    assert!(
        !html.contains(r#"http-equiv="refresh""#),
        "a finished run stays put"
    );
    assert!(html.contains(r#"id="rerun-failed""#));

    // The re-run form makes a run of the failure and shows it.
    let rerun = form(
        &gate,
        &format!("/runs/{id}/rerun-failed"),
        Some(&cookie("submit")),
        "",
    )
    .await;
    assert_eq!(rerun.status, StatusCode::SEE_OTHER);
    let new = rerun.header("location").to_string();
    assert!(new.starts_with("/runs/") && new != format!("/runs/{id}"));
    let html = page(&gate, &new, "read").await.text();
    assert_eq!(
        html.matches(r#"<tr class="scenario""#).count(),
        1,
        "only the failed scenario"
    );
    let denied = form(
        &gate,
        &format!("/runs/{id}/rerun-failed"),
        Some(&cookie("read")),
        "",
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_commit_page_shows_the_combined_verdict() {
    let gate = Gate::new().await;
    let commit = sha(3);
    gate.submit(&commit).await;
    finish_all(&gate, outcome_for("home", Outcome::Flaky, Outcome::Failed)).await;
    let reply = page(
        &gate,
        &format!("/commits/{}", commit.to_uppercase()),
        "read",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    assert!(
        html.contains(r#"id="commit-verdict" class="badge failure""#),
        "{html}"
    );
    assert!(html.contains(r#"id="failing""#) && html.contains("checkout.toml:7"));
    assert!(html.contains(r#"id="flaky""#));
    assert_eq!(html.matches(r#"<tr class="run""#).count(), 1);
}

#[tokio::test]
async fn unknown_runs_commits_and_pages_are_404_pages() {
    let gate = Gate::new().await;
    for uri in [
        "/runs/00000000-0000-0000-0000-000000000000".to_string(),
        format!("/commits/{}", sha(9)),
        "/commits/not-a-sha".to_string(),
        "/nothing-here".to_string(),
    ] {
        let reply = page(&gate, &uri, "read").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            reply.header("content-type").starts_with("text/html"),
            "{uri}"
        );
        assert!(reply.text().contains(r#"id="message-title""#));
    }
}
