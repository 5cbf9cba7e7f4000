//! The web pages through `app()`: logging in with a token and the cookie it sets, the run list
//! with filters, a run page with a failing scenario's evidence (and names escaped), the commit
//! page, the cancel and re-run forms, every form's posts from other sites refused (by
//! `Origin`, `Referer` and `Sec-Fetch-Site`) and its own accepted, and 404 pages.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod api_support;

use api_support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gate_runner::result::Outcome;
use gate_server::app::{Surface, Verb, endpoints};

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

/// Where a form post says it comes from, as a browser on another site (or a script that
/// strips the headers) would send it: none of these may change anything.
const FOREIGN: &[&[(&str, &str)]] = &[
    &[("origin", "https://evil.example")],
    &[("origin", "null")],
    &[],
    &[("referer", "https://evil.example/gate")],
    &[("origin", "https://gate.test.evil.example")],
    // The Origin looks like ours, but the browser itself says the form is not.
    &[("origin", PUBLIC_URL), ("sec-fetch-site", "cross-site")],
    &[("origin", PUBLIC_URL), ("sec-fetch-site", "same-site")],
];

#[tokio::test]
async fn every_form_refuses_posts_from_other_sites() {
    let gate = Gate::new().await;
    let run = gate.submit(&sha(1)).await;
    let id = run["id"].as_str().unwrap();
    let forms: Vec<_> = endpoints()
        .into_iter()
        .filter(|e| e.surface == Surface::Page && e.verb == Verb::Post)
        .collect();
    assert!(forms.len() >= 4, "{forms:?}");
    let post = |path: &str, headers: &[(&str, &str)]| {
        let mut request = Request::post(path.replace("{id}", id))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie("admin"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .body(Body::from(format!("token={}", token("admin"))))
            .unwrap()
    };
    for form in &forms {
        for headers in FOREIGN {
            let reply = gate.send(post(form.path, headers)).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{} {headers:?}",
                form.path
            );
            assert!(reply.text().contains("another site"), "{}", reply.text());
            assert_eq!(
                reply.header("set-cookie"),
                "",
                "{}: no log-in or out",
                form.path
            );
        }
    }
    let state = || async {
        let reply = gate
            .get(&format!("/api/v1/runs/{id}"), Some(&token("read")))
            .await;
        reply.json()["state"].clone()
    };
    assert_eq!(state().await, "queued", "nothing was cancelled");
    assert_eq!(gate.runs("").await.len(), 1, "nothing was re-run");
    // From our own page (as browsers send it, or with only a Referer): accepted.
    for form in &forms {
        let ours: &[(&str, &str)] = &[("origin", PUBLIC_URL), ("sec-fetch-site", "same-origin")];
        let reply = gate.send(post(form.path, ours)).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            form.path,
            reply.text()
        );
    }
    assert_eq!(state().await, "cancelled");
    let referer = format!("{PUBLIC_URL}/runs/{id}");
    let reply = gate
        .send(post(
            "/runs/{id}/rerun-failed",
            &[("referer", referer.as_str())],
        ))
        .await;
    assert_ne!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text());
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

#[tokio::test]
async fn every_page_and_report_forbids_framing_sniffing_and_foreign_content() {
    let gate = Gate::new().await;
    let commit = sha(3);
    let run = gate.submit(&commit).await;
    let id = run["id"].as_str().unwrap().to_string();
    finish_all(&gate, outcome_for("home", Outcome::Failed, Outcome::Passed)).await;
    let mut uris: Vec<String> = endpoints()
        .into_iter()
        .filter(|e| e.surface == Surface::Page && e.verb == Verb::Get)
        .map(|e| e.path.replace("{id}", &id).replace("{sha}", &commit))
        .collect();
    uris.push("/no/such/page".into());
    let mut pages = 0;
    for uri in &uris {
        let reply = page(&gate, uri, "admin").await;
        check_document_headers(uri, &reply);
        if reply.header("content-type").starts_with("text/html") {
            assert!(reply.text().starts_with("<!DOCTYPE html>"), "{uri}");
            pages += 1;
        }
    }
    assert!(pages >= 10, "the pages were rendered: {pages}");
    // The run's HTML report, served by the API on the same origin.
    let reply = gate
        .get(&format!("/api/v1/runs/{id}/report/"), Some(&token("read")))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    check_document_headers("the report", &reply);
    assert!(
        !reply
            .header("content-security-policy")
            .contains("script-src"),
        "the report runs no script"
    );
}

/// No framing, no sniffing, nothing loaded from elsewhere, forms only to us where HTML is.
fn check_document_headers(what: &str, reply: &Reply) {
    assert_eq!(reply.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(reply.header("x-frame-options"), "DENY", "{what}");
    let policy = reply.header("content-security-policy");
    for directive in ["default-src 'none'", "frame-ancestors 'none'"] {
        assert!(policy.contains(directive), "{what}: {policy}");
    }
    if reply.header("content-type").starts_with("text/html") {
        for directive in ["form-action '", "base-uri 'none'"] {
            assert!(policy.contains(directive), "{what}: {policy}");
        }
    }
}
