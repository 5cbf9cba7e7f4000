//! The weekly digest, end to end: a real `gate serve` whose digest clock starts just after
//! Monday 08:00 in Europe/Berlin (`GATE_DIGEST_NOW`), a real SMTP server (aiosmtpd, installed
//! by `scripts/setup` into its virtualenv) and a local Slack-compatible webhook receiver that
//! can fail its first requests. Each scheduled digest reaches each channel once, across a
//! restart; failures are retried and shown.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use common::server::*;
use common::*;

/// Monday 2026-12-07, five past eight in Berlin: that morning's digest is due.
const NOW: &str = "2026-12-07T08:05:00+01:00";
/// The week it covers: Monday 2026-11-30 00:00 to Monday 2026-12-07 00:00, Berlin.
const SINCE: &str = "2026-11-29T23:00:00.000Z";
const EMPTY_WEEK: &str =
    "0 deploys last week, 0 successful, 0 auto-rolled-back, no failures to recover from";

/// A real SMTP server on a loopback port: aiosmtpd, storing each message in a maildir.
struct Smtp {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Smtp {
    fn start(dir: &Path) -> Smtp {
        let venv = std::env::var("GATE_TEST_VENV").unwrap_or("/var/tmp/gate-test-venv".into());
        let python = Path::new(&venv).join("bin/python");
        assert!(
            python.exists(),
            "{} is missing: run scripts/setup (it installs aiosmtpd from PyPI)",
            python.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = dir.join("maildir");
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let smtp = Smtp {
            child,
            port,
            maildir,
        };
        wait_for("the SMTP server to listen", Duration::from_secs(20), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        smtp
    }

    /// Every message received, as raw text.
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Slack-compatible incoming webhook: answers the first `fail_first` posts with 500, then
/// 200 `ok`; records every accepted payload.
#[derive(Default)]
struct Hook {
    fail_first: usize,
    posts: usize,
    accepted: Vec<serde_json::Value>,
}

fn webhook(fail_first: usize) -> (String, Arc<Mutex<Hook>>) {
    let hook = Arc::new(Mutex::new(Hook {
        fail_first,
        ..Hook::default()
    }));
    let state = hook.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let app = axum::Router::new()
                    .route("/services/T0/B0/secret", post(receive))
                    .with_state(state);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
    });
    let address = rx.recv().unwrap();
    (format!("http://{address}/services/T0/B0/secret"), hook)
}

async fn receive(State(hook): State<Arc<Mutex<Hook>>>, body: String) -> (StatusCode, String) {
    let mut hook = hook.lock().unwrap();
    hook.posts += 1;
    if hook.posts <= hook.fail_first {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal_error".into());
    }
    hook.accepted.push(serde_json::from_str(&body).unwrap());
    (StatusCode::OK, "ok".into())
}

/// Polls `ready` until it holds, failing after `limit`.
fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `gate digest FLAG` against `server` with `token`.
fn gate_digest(dir: &Path, server: &Server, flag: &str, token: &str) -> std::process::Output {
    gate(dir)
        .args(["digest", flag, "--server", &server.url, "--token", token])
        .output()
        .unwrap()
}

fn digests(server: &Server) -> Vec<serde_json::Value> {
    let (status, list) = server.get("/api/v1/digests", READ_TOKEN);
    assert_eq!(status, 200, "{list}");
    list["digests"].as_array().unwrap().clone()
}

/// Waits until every digest row is delivered, and returns them.
fn delivered(server: &Server, rows: usize) -> Vec<serde_json::Value> {
    let mut last = Vec::new();
    wait_for(
        "the digests to be delivered",
        Duration::from_secs(60),
        || {
            last = digests(server);
            last.len() == rows && last.iter().all(|d| d["state"] == "delivered")
        },
    );
    last
}

fn spec(dir: &Path, digest: &str) -> ServerSpec {
    ServerSpec {
        workers: 0,
        extra: digest.to_string(),
        ..ServerSpec::sqlite(dir)
    }
}

fn email_section(smtp: &Smtp) -> String {
    format!(
        "[digest.email]\nsmtp-url = \"smtp://127.0.0.1:{}\"\nstarttls = \"off\"\n\
         from = \"gate <gate@example.com>\"\nto = [\"team@example.com\", \"lead@example.com\"]\ntimeout = \"10s\"\n",
        smtp.port
    )
}

const DIGEST: &str = "[digest]\nschedule = \"monday 08:00\"\ntime-zone = \"Europe/Berlin\"\n";
const SLACK: &str = "[digest.slack]\nwebhook-url-env = \"TEST_SLACK_WEBHOOK\"\n";

#[test]
fn the_due_digest_reaches_email_and_slack_once_across_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(tmp.path());
    let (hook_url, hook) = webhook(0);
    let config = format!("{DIGEST}{}{SLACK}", email_section(&smtp));
    let env = [
        ("GATE_DIGEST_NOW", NOW),
        ("TEST_SLACK_WEBHOOK", hook_url.as_str()),
    ];
    let mut server = Server::start_with_env(tmp.path(), &spec(tmp.path(), &config), &env);

    let rows = delivered(&server, 2);
    for row in &rows {
        assert_eq!(row["period_since"], SINCE, "{row}");
        assert_eq!(row["manual"], false);
        assert_eq!(row["attempts"], 1);
    }
    let mut channels: Vec<&str> = rows
        .iter()
        .map(|r| r["channel"].as_str().unwrap())
        .collect();
    channels.sort();
    assert_eq!(channels, ["email", "slack"]);

    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    // Long header lines are folded: unfold them.
    let mail = &mails[0].replace("\r\n", "\n").replace("\n ", " ");
    assert!(
        mail.contains(&format!("Subject: gate weekly digest: {EMPTY_WEEK}")),
        "{mail}"
    );
    assert!(mail.contains("From: gate <gate@example.com>"), "{mail}");
    assert!(
        mail.contains("To: team@example.com, lead@example.com"),
        "{mail}"
    );
    assert!(
        mail.contains("Content-Type: multipart/alternative;"),
        "{mail}"
    );
    assert!(mail.contains("Content-Type: text/plain"), "{mail}");
    assert!(mail.contains("Content-Type: text/html"), "{mail}");
    assert!(mail.contains(EMPTY_WEEK), "{mail}");
    // Once in the subject, once in the text part, once in the HTML part.
    assert!(mail.matches("0 deploys last week").count() >= 3, "{mail}");

    {
        let hook = hook.lock().unwrap();
        assert_eq!(hook.accepted.len(), 1);
        let payload = &hook.accepted[0];
        assert_eq!(payload["text"], EMPTY_WEEK);
        assert_eq!(payload["blocks"][0]["type"], "header");
        assert!(
            payload["blocks"].as_array().is_some_and(|b| !b.is_empty())
                && payload["blocks"]
                    .to_string()
                    .contains("0 deploys last week"),
            "{payload}"
        );
    }

    // A restart on the same Monday: the week's digest is queued, nothing is sent again.
    assert!(server.stop().success());
    let server = Server::restart_with_env(tmp.path(), &server.config, &env);
    assert_eq!(
        digests(&server).len(),
        2,
        "queued once per week and channel"
    );

    // `gate digest --send-now` sends the last full week again, to both, and waits.
    let out = gate_digest(tmp.path(), &server, "--send-now", ADMIN_TOKEN);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("queued for email, slack"), "{stdout}");
    assert!(
        stdout.contains("email: delivered") && stdout.contains("slack: delivered"),
        "{stdout}"
    );
    let rows = delivered(&server, 4);
    assert_eq!(rows.iter().filter(|r| r["manual"] == true).count(), 2);
    assert_eq!(
        smtp.messages().len(),
        2,
        "the scheduled one once, the manual one"
    );
    assert_eq!(hook.lock().unwrap().accepted.len(), 2);

    let out = gate_digest(tmp.path(), &server, "--preview", READ_TOKEN);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(EMPTY_WEEK),
        "{}",
        text(&out)
    );
}

#[test]
fn a_failing_webhook_is_retried_and_gets_one_message_and_failures_show() {
    let tmp = tempfile::tempdir().unwrap();
    let (hook_url, hook) = webhook(2);
    // Nothing listens on this port: every e-mail attempt fails (and is retried).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "{DIGEST}{SLACK}[digest.email]\nhost = \"127.0.0.1\"\nport = {closed}\nstarttls = \"off\"\n\
         from = \"gate@example.com\"\nto = [\"team@example.com\"]\ntimeout = \"2s\"\n"
    );
    let env = [
        ("GATE_DIGEST_NOW", NOW),
        ("TEST_SLACK_WEBHOOK", hook_url.as_str()),
    ];
    let server = Server::start_with_env(tmp.path(), &spec(tmp.path(), &config), &env);

    let mut rows = Vec::new();
    wait_for(
        "the webhook to take the digest",
        Duration::from_secs(60),
        || {
            rows = digests(&server);
            rows.iter()
                .any(|r| r["channel"] == "slack" && r["state"] == "delivered")
        },
    );
    let slack = rows.iter().find(|r| r["channel"] == "slack").unwrap();
    assert_eq!(slack["attempts"], 3, "{slack}");
    assert_eq!(slack["last_error"], "webhook answered 500: internal_error");
    {
        let hook = hook.lock().unwrap();
        assert_eq!((hook.posts, hook.accepted.len()), (3, 1));
    }

    wait_for("a failed e-mail attempt", Duration::from_secs(30), || {
        rows = digests(&server);
        rows.iter()
            .any(|r| r["channel"] == "email" && r["last_error"].is_string())
    });
    let email = rows.iter().find(|r| r["channel"] == "email").unwrap();
    assert_eq!(email["state"], "pending", "retried, not given up: {email}");
    assert!(email["next_attempt_at"].is_string());
    let error = email["last_error"].as_str().unwrap();
    assert!(error.starts_with("SMTP: "), "{error}");

    let page = server.get_text("/digests", READ_TOKEN);
    assert!(page.contains(r#"id="digests""#), "{page}");
    assert!(
        page.contains(r#"data-state="pending" data-channel="email""#),
        "{page}"
    );
    let escaped = error
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    assert!(page.contains(&escaped), "the page shows {error}: {page}");
    assert!(page.contains("webhook answered 500"), "{page}");
    assert!(page.contains(r#"id="nav-digests""#), "{page}");
    assert!(!page.contains(&hook_url), "the webhook URL is a secret");

    let metrics = server.get_text("/metrics", READ_TOKEN);
    assert!(
        metrics.contains(r#"gate_digest_deliveries_total{channel="slack",result="delivered"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"gate_digest_deliveries_total{channel="slack",result="failed"} 2"#),
        "{metrics}"
    );
    assert!(metrics.contains("gate_digests_pending 1"), "{metrics}");
}

#[test]
fn send_now_without_a_channel_says_what_to_configure() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), &spec(tmp.path(), ""));
    let out = gate_digest(tmp.path(), &server, "--send-now", ADMIN_TOKEN);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no digest channel is configured: add [digest.email] or [digest.slack]"),
        "{stderr}"
    );
}
