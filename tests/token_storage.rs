//! Tokens at rest and in the log, through the real `gate serve` on SQLite and on PostgreSQL.
//! After requests with every kind of token — accepted ones by bearer header, the pages'
//! log-in and its cookie; unknown, expired and revoked ones refused — no token, nor its cookie
//! form (hex), is anywhere in the database (the SQLite file with its WAL, or a `pg_dump` of
//! the whole PostgreSQL database) or in the server's log, while the hashes and the requests'
//! own data are (so the search reads what the server wrote). The refusals say why, on the
//! real server: expired (and when) and revoked are told apart from unknown.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use common::server::{
    ADMIN_TOKEN, AGENT_TOKEN, READ_TOKEN, SUBMIT_TOKEN, Server, ServerSpec, hash,
    postgres_database, sha, write_config,
};
use common::*;

const EXPIRED_TOKEN: &str = "gate_test_expired_token_0123456789abcdef";
const REVOKED_TOKEN: &str = "gate_test_revoked_token_0123456789abcdef";
const UNKNOWN_TOKEN: &str = "gate_test_unknown_token_0123456789abcdef";
const EXPIRED_AT: &str = "2026-01-01T00:00:00Z";

/// Every token a request presents in [`exercise`].
const TOKENS: [&str; 7] = [
    ADMIN_TOKEN,
    SUBMIT_TOKEN,
    AGENT_TOKEN,
    READ_TOKEN,
    EXPIRED_TOKEN,
    REVOKED_TOKEN,
    UNKNOWN_TOKEN,
];

/// The test server's tokens, and one that has expired and one that was revoked.
fn start(dir: &Path, database_url: String, log: &Path) -> Server {
    let spec = ServerSpec {
        database_url,
        workers: 0,
        extra: format!(
            "[[tokens]]\nname = \"old-ci\"\nhash = \"{}\"\nscopes = [\"submit\"]\nexpires = \"{EXPIRED_AT}\"\n\n\
             [[tokens]]\nname = \"lost-laptop\"\nhash = \"{}\"\nscopes = [\"admin\"]\nrevoked = true\n\n",
            hash(EXPIRED_TOKEN),
            hash(REVOKED_TOKEN),
        ),
        ..ServerSpec::sqlite(dir)
    };
    let config = write_config(dir, &spec);
    let args = [OsStr::new("--config"), config.as_os_str()];
    Server::serve_logging(dir, &args, &[("GATE_LOG", "info,sqlx=error")], Some(log))
}

/// `curl` with `args`; the status and the headers and body as text.
fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-i", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (answer, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), answer.to_string())
}

/// Requests with every kind of token, checking each answer.
fn exercise(server: &Server) {
    let commit = sha("token-storage");
    let (status, run) = server.post(
        "/api/v1/runs",
        SUBMIT_TOKEN,
        &serde_json::json!({ "commit": commit, "base_url": "http://127.0.0.1:9" }),
    );
    assert_eq!(status, 201, "{run}");
    assert_eq!(server.get("/api/v1/runs", READ_TOKEN).0, 200);
    let (status, answer) = server.post(
        "/api/v1/incidents",
        ADMIN_TOKEN,
        &serde_json::json!({
            "id": "incident-token-storage", "service": "shop", "title": "checkout down",
            "started_at": "2026-03-02T10:00:00Z",
        }),
    );
    assert!((200..300).contains(&status), "{status} {answer}");
    let (status, answer) = server.post(
        "/api/v1/agent/lease",
        AGENT_TOKEN,
        &serde_json::json!({ "agent": "a", "capacity": 1, "wait_ms": 0 }),
    );
    assert!((200..300).contains(&status), "{status} {answer}");

    for (token, says) in [
        (
            UNKNOWN_TOKEN,
            "a valid bearer token is required".to_string(),
        ),
        (
            EXPIRED_TOKEN,
            format!("this token (`old-ci`) expired at {EXPIRED_AT}"),
        ),
        (
            REVOKED_TOKEN,
            "this token (`lost-laptop`) has been revoked".into(),
        ),
    ] {
        let (status, answer) = server.get("/api/v1/runs", token);
        assert_eq!(status, 401, "{answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.starts_with(&says), "{error}");
        assert!(!error.contains(token));
        let (status, _) = server.post(
            "/api/v1/runs",
            token,
            &serde_json::json!({ "commit": commit }),
        );
        assert_eq!(status, 401);
    }

    // The pages: log in (the token goes in the form), then use the cookie it sets.
    let login = format!("{}/login", server.url);
    let origin = format!("Origin: {}", server.url);
    let (status, answer) = curl(&[
        "-H",
        &origin,
        "--data-urlencode",
        &format!("token={READ_TOKEN}"),
        &login,
    ]);
    assert_eq!(status, 303, "{answer}");
    let cookie = answer
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("a cookie: {answer}"))
        .to_string();
    let (status, page) = curl(&[
        "-H",
        &format!("Cookie: {cookie}"),
        &format!("{}/runs", server.url),
    ]);
    assert_eq!(status, 200, "{page}");
    for (token, says) in [
        (EXPIRED_TOKEN, "expired at 2026-01-01T00:00:00Z"),
        (REVOKED_TOKEN, "has been revoked"),
    ] {
        let (status, page) = curl(&[
            "-H",
            &origin,
            "--data-urlencode",
            &format!("token={token}"),
            &login,
        ]);
        assert_eq!(status, 401);
        assert!(page.contains(says) && !page.contains(token), "{page}");
        let cookie = format!("Cookie: gate_token={}", hex::encode(token));
        let (status, page) = curl(&["-H", &cookie, &format!("{}/runs", server.url)]);
        assert_eq!(status, 401);
        assert!(page.contains(says), "{page}");
    }
}

/// Fails naming the token and where when `bytes` hold a token or its hex form; checks that
/// they hold the hashes and the submitted commit.
fn assert_no_tokens(what: &str, bytes: &[u8], holds_hashes: bool) {
    let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    for token in TOKENS {
        assert!(!has(token), "{what} holds the token {token}");
        assert!(!has(&hex::encode(token)), "{what} holds {token} in hex");
    }
    if holds_hashes {
        let digest = hash(READ_TOKEN);
        assert!(has(&digest["sha256:".len()..]), "{what} holds the hashes");
        assert!(has(&sha("token-storage")), "{what} holds the run");
    }
}

/// Runs [`exercise`] on a server over `database_url`, stops it, and checks its log and what
/// `dump` reads of its database.
fn check(dir: &Path, database_url: String, dump: impl FnOnce() -> Vec<u8>) {
    let log = dir.join("server.log");
    let mut server = start(dir, database_url, &log);
    exercise(&server);
    assert!(server.stop().success());
    assert_no_tokens("the database", &dump(), true);
    let log = std::fs::read(&log).unwrap();
    assert_no_tokens("the log", &log, false);
    let log = String::from_utf8_lossy(&log);
    for says in [
        "refused: the token has expired",
        "old-ci",
        "refused: the token is revoked",
        "lost-laptop",
    ] {
        assert!(log.contains(says), "the log says {says}:\n{log}");
    }
}

#[test]
fn tokens_are_stored_as_hashes_only_on_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("gate.db");
    check(tmp.path(), format!("sqlite://{}", db.display()), || {
        ["", "-wal", "-shm", "-journal"]
            .iter()
            .filter_map(|suffix| std::fs::read(format!("{}{suffix}", db.display())).ok())
            .flatten()
            .collect()
    });
}

#[test]
fn tokens_are_stored_as_hashes_only_on_postgres() {
    let Some(database) = postgres_database("tokens") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    check(tmp.path(), database.url.clone(), || {
        let out = Command::new("pg_dump")
            .args(["--no-owner", "--inserts", &database.url])
            .output()
            .unwrap();
        assert!(out.status.success(), "pg_dump: {}", text(&out));
        out.stdout
    });
}
