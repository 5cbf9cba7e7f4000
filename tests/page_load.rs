//! How far a page load goes before a step moves on (`wait_until`), against a site whose account
//! page has a stylesheet, a web font and an image that do not arrive until the test ends: a
//! login click that lands there passes (it waits for the new page to commit, not for every
//! subresource), a `goto` there waits for `load` and names what is still loading when it gives
//! up, and `wait_until` on a step or scenario chooses the state.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::Uri;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use common::*;
use tokio::sync::{oneshot, watch};

const HOME: &str = r#"<!doctype html>
<html><head><title>Heavy shop</title></head>
<body><form method="post" action="/session"><button>Log in</button></form></body></html>"#;

/// The heavy page: its subresources are held until the test releases them.
const ACCOUNT: &str = r#"<!doctype html>
<html><head><title>Your account</title>
<link rel="stylesheet" href="/slow.css">
<link rel="preload" href="/slow.woff2" as="font" type="font/woff2" crossorigin>
</head>
<body><h1>Welcome back</h1><img src="/slow.png" alt="banner"></body></html>"#;

#[derive(Clone)]
struct Site {
    released: watch::Receiver<bool>,
    /// Paths of the held requests, in arrival order.
    held: Arc<Mutex<Vec<String>>>,
}

/// The site on a loopback port of its own; dropping it releases the held responses and stops it.
struct HeavySite {
    base_url: String,
    release: watch::Sender<bool>,
    held: Arc<Mutex<Vec<String>>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn held(State(site): State<Site>, uri: Uri) -> Response {
    site.held.lock().unwrap().push(uri.path().to_string());
    let mut released = site.released.clone();
    let _ = released.wait_for(|r| *r).await;
    let kind = match uri.path() {
        "/slow.css" => "text/css",
        "/slow.png" => "image/png",
        _ => "font/woff2",
    };
    ([(CONTENT_TYPE, kind)], "").into_response()
}

impl HeavySite {
    fn start() -> HeavySite {
        let (release, released) = watch::channel(false);
        let held_paths: Arc<Mutex<Vec<String>>> = Arc::default();
        let site = Site {
            released,
            held: held_paths.clone(),
        };
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let app = axum::Router::new()
                    .route("/", get(|| async { Html(HOME) }))
                    .route(
                        "/session",
                        post(|| async {
                            (axum::http::StatusCode::SEE_OTHER, [(LOCATION, "/account")])
                        }),
                    )
                    .route("/account", get(|| async { Html(ACCOUNT) }))
                    .route("/slow.css", get(held))
                    .route("/slow.png", get(held))
                    .route("/slow.woff2", get(held))
                    .with_state(site);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                url_tx
                    .send(format!("http://{}", listener.local_addr().unwrap()))
                    .unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        HeavySite {
            base_url: url_rx.recv().unwrap(),
            release,
            held: held_paths,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn held(&self) -> Vec<String> {
        self.held.lock().unwrap().clone()
    }
}

impl Drop for HeavySite {
    fn drop(&mut self) {
        let _ = self.release.send(true);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs the scenarios `(file name, text)` against the site with 6s steps: the held
/// subresources never arrive, so a step waiting for them always takes all of it, and the
/// document itself must have loaded well within it even on a loaded machine (with 2s, a
/// document that took 1.6s under load was still the one named as loading).
fn run_files(site: &HeavySite, tmp: &Path, files: &[(&str, &str)]) -> RunOutput {
    let suite = tmp.join("suite");
    std::fs::create_dir_all(&suite).unwrap();
    for (name, text) in files {
        std::fs::write(suite.join(name), text).unwrap();
    }
    GateRun::new(tmp, &site.base_url, &suite)
        .workers(2)
        .args(["--step-timeout", "6s"])
        .output()
}

fn message(result: &serde_json::Value, name: &str) -> String {
    let s = scenario(result, name);
    s["attempts"][0]["failure"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{name} has no failure: {s:#}"))
        .to_string()
}

const LOGIN: &str = r#"
[[step]]
goto = "/"

[[step]]
click = { role = "button", name = "Log in" }
"#;

const ON_THE_ACCOUNT_PAGE: &str = r#"
[[step]]
expect = { url = "/account" }

[[step]]
expect = { selector = "h1", text = "Welcome back" }
"#;

#[test]
fn a_click_into_a_page_with_slow_subresources_passes() {
    let site = HeavySite::start();
    let tmp = tempfile::tempdir().unwrap();
    let login = format!("name = \"login\"\n{LOGIN}{ON_THE_ACCOUNT_PAGE}");
    let run = run_files(&site, tmp.path(), &[("login.toml", &login)]);
    let s = scenario(&run.json, "login");
    assert_eq!(run.code, Some(0), "{}\n{s:#}", run.log);
    assert_eq!(s["outcome"], "passed", "{s:#}");
    let held = site.held();
    for path in ["/slow.css", "/slow.png", "/slow.woff2"] {
        assert!(
            held.iter().any(|p| p == path),
            "the account page asked for {path}: {held:?}"
        );
    }
}

#[test]
fn a_goto_waits_for_load_and_names_what_is_still_loading() {
    let site = HeavySite::start();
    let tmp = tempfile::tempdir().unwrap();
    let goto = format!("name = \"goto\"\n\n[[step]]\ngoto = \"/account\"\n{ON_THE_ACCOUNT_PAGE}");
    let run = run_files(&site, tmp.path(), &[("goto.toml", &goto)]);
    assert_eq!(run.code, Some(1), "{}", run.log);
    let failure = &scenario(&run.json, "goto")["attempts"][0]["failure"];
    assert_eq!(failure["step"], 0, "{failure:#}");
    let message = message(&run.json, "goto");
    let base = &site.base_url;
    assert!(
        message.starts_with(&format!(
            "navigation to {base}/account did not finish loading (load) within 6s; still loading: "
        )),
        "{message}"
    );
    for (path, kind) in [
        ("/slow.css", "Stylesheet"),
        ("/slow.png", "Image"),
        ("/slow.woff2", "Font"),
    ] {
        assert!(
            message.contains(&format!("GET {base}{path} ({kind}, ")),
            "{path} is named: {message}"
        );
    }
    assert!(!message.contains("/account (Document"), "{message}");
}

#[test]
fn wait_until_chooses_how_far_a_load_goes() {
    let site = HeavySite::start();
    let tmp = tempfile::tempdir().unwrap();
    let goto_commit = format!(
        "name = \"goto-commit\"\n\n[[step]]\ngoto = \"/account\"\nwait_until = \"commit\"\n{ON_THE_ACCOUNT_PAGE}"
    );
    let click_dcl = format!(
        "name = \"click-domcontentloaded\"\n{}\nwait_until = \"domcontentloaded\"\n{ON_THE_ACCOUNT_PAGE}",
        LOGIN.trim_end()
    );
    let click_load = format!("name = \"click-load\"\nwait_until = \"load\"\n{LOGIN}");
    let idle = "name = \"idle\"\n\n[[step]]\ngoto = \"/\"\nwait_until = \"networkidle\"\n";
    let run = run_files(
        &site,
        tmp.path(),
        &[
            ("click-dcl.toml", &click_dcl),
            ("click-load.toml", &click_load),
            ("goto-commit.toml", &goto_commit),
            ("idle.toml", idle),
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.log);
    for name in ["goto-commit", "click-domcontentloaded", "idle"] {
        let s = scenario(&run.json, name);
        assert_eq!(s["outcome"], "passed", "{s:#}");
    }
    // The scenario's `wait_until` applies to its click, which then waits for every subresource.
    let failure = &scenario(&run.json, "click-load")["attempts"][0]["failure"];
    assert_eq!(failure["step"], 1, "{failure:#}");
    let message = message(&run.json, "click-load");
    assert!(
        message.starts_with("the page did not finish loading (load) within 6s; still loading: "),
        "{message}"
    );
    assert!(
        message.contains(&format!("GET {}/slow.css (Stylesheet, ", site.base_url)),
        "{message}"
    );
}
