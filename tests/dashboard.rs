//! The DORA dashboard in real Chromium, driven by gate's own runner: a `gate serve` holds a
//! generated 12-week history (recorded through `POST /api/v1/history`), and the scenarios in
//! `tests/dashboard-pages` log in, check the headline and tiles against `gate report
//! --this-week --json`, find the five charts by their accessible names, take a screenshot
//! (kept in `target/tmp/dashboard.png`), then record one more deployment and see the open page
//! update itself.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;

use common::server::*;
use common::*;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// Twelve weeks of deployments of two services, newest first: one to three a week, every
/// fourth week one rolled back automatically (recovered in 2:30), every commit two hours old
/// when it reached users; this week's deployments end in the minutes before `now`.
fn history(now: OffsetDateTime) -> serde_json::Value {
    let mut deployments = Vec::new();
    for week in 0..12_i64 {
        for i in 0..(1 + week % 3) {
            let finished = now - Duration::weeks(week) - Duration::minutes(10 * (i + 1));
            let failed = week % 4 == 1 && i == 0;
            let mut d = serde_json::json!({
                "id": format!("w{week}-{i}"),
                "service": if i % 2 == 0 { "shop" } else { "api" },
                "version": format!("v{week}.{i}"),
                "finished_at": rfc3339(finished),
                "outcome": if failed { "auto_rolled_back" } else { "success" },
                "commits": [{
                    "sha": format!("{:040x}", week * 10 + i + 1),
                    "committed_at": rfc3339(finished - Duration::hours(2)),
                }],
            });
            if failed {
                d["detected_at"] = rfc3339(finished - Duration::minutes(3)).into();
                d["recovered_at"] = rfc3339(finished - Duration::seconds(30)).into();
            }
            deployments.push(d);
        }
    }
    serde_json::json!({ "deployments": deployments })
}

fn this_week(dir: &Path, server: &Server) -> serde_json::Value {
    let out = gate(dir)
        .args(["report", "--server", &server.url, "--token", READ_TOKEN])
        .args(["--this-week", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_dashboard_shows_the_reports_numbers_and_updates_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let server = Server::without_workers(dir);
    let now = OffsetDateTime::now_utc();
    let (status, body) = server.post("/api/v1/history", ADMIN_TOKEN, &history(now));
    assert_eq!(status, 201, "{body}");

    let answer = this_week(dir, &server);
    let deploys = &answer["report"]["deploys"];
    let (finished, successful) = (
        deploys["finished"].as_u64().unwrap(),
        deploys["successful"].as_u64().unwrap(),
    );
    assert!(finished > 0, "this week has deployments: {answer:#}");
    let rate = format!("{:.0}%", successful as f64 / finished as f64 * 100.0);
    let headline = answer["headline"].as_str().unwrap();
    assert!(headline.contains("this week"), "{headline}");

    let artifacts = dir.join("artifacts");
    let pages = GateRun::new(dir, &server.url, repo().join("tests/dashboard-pages"))
        .workers(1)
        .env("GATE_TOKEN", READ_TOKEN)
        .env("GATE_DEPLOY_TOKEN", ADMIN_TOKEN)
        .json_at(&dir.join("dashboard.json"))
        .arg("--artifacts")
        .arg(&artifacts)
        .args([
            "--var",
            &format!("rate={rate}"),
            "--var",
            &format!("deploys={finished}"),
            "--var",
            &format!("successful={successful}"),
            "--var",
            &format!("headline={headline}"),
            "--var",
            &format!("deploys_after={}", finished + 1),
            "--var",
            &format!("now={}", rfc3339(OffsetDateTime::now_utc())),
        ])
        .output();
    assert_eq!(pages.code, Some(0), "{}\n{:#}", pages.log, pages.json);
    assert!(!pages.log.contains(ADMIN_TOKEN), "tokens are secrets");

    // The screenshot, kept with the test artifacts.
    let shot = pages.json["scenarios"][0]["attempts"][0]["artifacts"]["screenshots"][0]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("a screenshot: {:#}", pages.json));
    let png = std::fs::read(artifacts.join(shot)).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    std::fs::write(&kept, &png).unwrap();

    // The page's numbers are the report's: one more deployment this week, as the page showed.
    let after = this_week(dir, &server);
    assert_eq!(after["report"]["deploys"]["finished"], finished + 1);
}

#[test]
fn the_dashboard_needs_a_read_token_and_allows_only_its_own_script() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let server = Server::without_workers(dir);
    let head = |token: Option<&str>| {
        let mut curl = std::process::Command::new("curl");
        curl.args(["-s", "-D", "-", "-o", "/dev/null"]);
        if let Some(token) = token {
            curl.arg("-H").arg(format!("Authorization: Bearer {token}"));
        }
        let out = curl
            .arg(format!("{}/dashboard?service=shop", server.url))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_lowercase()
    };
    let anonymous = head(None);
    assert!(anonymous.starts_with("http/1.1 303"), "{anonymous}");
    assert!(anonymous.contains("location: /login?next="), "{anonymous}");
    let page = head(Some(READ_TOKEN));
    assert!(page.starts_with("http/1.1 200"), "{page}");
    let policy = page
        .lines()
        .find(|l| l.starts_with("content-security-policy:"))
        .unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("script-src 'sha256-"), "{policy}");
    assert!(!policy.contains("script-src 'unsafe-inline'"), "{policy}");
    // Other pages still run no script at all.
    let runs = server.get_text("/runs", READ_TOKEN);
    assert!(!runs.contains("<script"), "{runs}");
}
