//! `gate import`, end to end: the real `gate` binary reads CSV files and sends them to a real
//! `gate serve`. Bad rows are reported by file, line and column, and nothing is imported; a
//! row only the server can refuse is pointed at by its line too; `--dry-run` sends nothing; a
//! good import shows in `gate report`, and a history larger than the server's ordinary body
//! limit goes in one request.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::server::*;
use common::*;

/// `gate import ARGS… --server URL --token T`: the exit code, stdout and stderr.
fn import(dir: &Path, server: &Server, args: &[&str]) -> (Option<i32>, String, String) {
    let out = gate(dir)
        .arg("import")
        .args(args)
        .args(["--server", &server.url, "--token", ADMIN_TOKEN])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `gate report --json` for `since`..`until`, optionally of one service.
fn report(
    dir: &Path,
    server: &Server,
    since: &str,
    until: &str,
    service: &[&str],
) -> serde_json::Value {
    let out = gate(dir)
        .args(["report", "--server", &server.url, "--token", READ_TOKEN])
        .args(["--since", since, "--until", until, "--json"])
        .args(service)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn week(dir: &Path, server: &Server) -> serde_json::Value {
    report(
        dir,
        server,
        "2026-11-02T00:00:00Z",
        "2026-11-09T00:00:00Z",
        &[],
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
}

/// The week of tests/history.rs, as CSV: its headline is known.
fn deployments_csv() -> String {
    let (a, b, c) = ("a".repeat(40), "b".repeat(40), "c".repeat(40));
    format!(
        "id,service,version,commits,finished_at,outcome,detected_at,recovered_at,hotfix\n\
         d1,shop,v1,{a}@2026-11-03T08:00:00Z,2026-11-03T10:00:00Z,success,,,no\n\
         d2,shop,v2,{b},2026-11-04T10:00:00Z,auto_rolled_back,2026-11-04T10:00:00Z,2026-11-04T10:02:14Z,\n\
         d3,shop,v3,\"{c}@2026-11-05T11:00:00Z;\n  {b}@2026-11-04T06:00:00Z\",2026-11-05T12:00:00Z,success,,,false\n"
    )
}

const INCIDENTS_CSV: &str = "Title,Service,Started_At,Resolved_At,Caused_By\n\
     checkout errors,shop,2026-11-04T09:58:00Z,2026-11-04T10:05:00Z,d2\n";

#[test]
fn bad_rows_are_reported_by_line_and_nothing_is_imported_until_all_are_good() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let server = Server::without_workers(dir);

    // Several bad rows, one after a quoted cell spanning two lines: each is reported at its
    // physical line and column, with a hint, and nothing is sent.
    let bad = write(
        dir,
        "bad.csv",
        "service,finished_at,outcome,started_at,version\n\
         shop,2026-11-03T10:00:00Z,success,,\"v1\nsecond line\"\n\
         shop,2026-11-03T10:00:00,success,,\n\
         shop,2026-11-04T10:00:00Z,rolled-back,,\n\
         shop,2026-11-04T10:00:00Z,success,2026-11-04T11:00:00Z,\n\
         ,2026-11-05T10:00:00Z,success,,\n",
    );
    let good = write(dir, "deployments.csv", &deployments_csv());
    let (code, out, err) = import(dir, &server, &[&good, &bad]);
    assert_eq!(code, Some(2), "{out}\n{err}");
    for expected in [
        "bad.csv:2: column version: a version label is letters",
        "bad.csv:4: column finished_at: `2026-11-03T10:00:00` is not an RFC 3339 time\n  hint: add the UTC offset the time was taken in: 2026-11-03T10:00:00Z for UTC",
        "bad.csv:5: column outcome: unknown outcome `rolled-back`\n  hint: did you mean `rolled_back`?",
        "bad.csv:6: column started_at: started_at is after finished_at",
        "bad.csv:7: column service: is empty",
        "error: 5 problem(s) in 1 file(s); nothing was imported",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!err.contains("deployments.csv:"), "{err}");
    assert_eq!(week(dir, &server)["report"]["deploys"]["finished"], 0);

    // A header with a misspelt column: named, with the column it likely means.
    let header = write(
        dir,
        "header.csv",
        "service,finshed_at,outcome\nshop,2026-11-03T10:00:00Z,success\n",
    );
    let (code, _, err) = import(dir, &server, &[&header]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("header.csv:1: column finshed_at: unknown column in a deployments file\n  hint: did you mean `finished_at`?"),
        "{err}"
    );

    // What only the server can tell (the incident's deployment is unknown to it) is refused by
    // it, and pointed at by line and column.
    let unknown = write(
        dir,
        "unknown.csv",
        "title,service,started_at,caused_by\n\
         \"checkout\nerrors\",shop,2026-11-04T09:58:00Z,d2\n\
         search slow,shop,2026-11-04T11:00:00Z,nope\n",
    );
    let (code, out, err) = import(dir, &server, &[&good, &unknown]);
    assert_eq!(code, Some(2), "{out}\n{err}");
    assert!(
        err.contains("unknown.csv:4: column caused_by: no deployment `nope`"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(week(dir, &server)["report"]["deploys"]["finished"], 0);

    // --dry-run checks and says what it would import, and sends nothing (no server needed).
    let incidents = write(dir, "incidents.csv", INCIDENTS_CSV);
    let out = gate(dir)
        .args(["import", "--dry-run", &good, &incidents])
        .env_remove("GATE_SERVER")
        .env_remove("GATE_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(
            "deployments.csv: 3 deployments of shop, finished 2026-11-03T10:00:00Z to 2026-11-05T12:00:00Z"
        ),
        "{said}"
    );
    assert!(
        said.contains("would import 3 deployments and 1 incident; nothing was sent (--dry-run)"),
        "{said}"
    );
    assert_eq!(week(dir, &server)["report"]["deploys"]["finished"], 0);

    // The good files: imported in one request, and the report is the week's.
    let (code, out, err) = import(dir, &server, &[&good, &incidents]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert_eq!(
        out.trim(),
        "imported 3 deployments and 1 incident (4 new, 0 replaced) from deployments.csv, incidents.csv"
    );
    let answer = week(dir, &server);
    let headline = answer["headline"].as_str().unwrap();
    assert!(headline.starts_with("3 deploys"), "{headline}");
    assert!(
        headline.ends_with(", 2 successful, 1 auto-rolled-back, MTTR 2:14"),
        "{headline}"
    );
    assert_eq!(answer["report"]["lead_time"]["commits"], 3, "{answer:#}");
    assert_eq!(
        answer["report"]["change_failure"]["failed"], 1,
        "{answer:#}"
    );

    // Again: the same ids replace rather than double.
    let (code, out, err) = import(dir, &server, &[&good]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("(0 new, 3 replaced)"), "{out}");
    assert_eq!(week(dir, &server)["report"]["deploys"]["finished"], 3);
}

#[test]
fn a_history_larger_than_the_ordinary_body_limit_goes_in_one_request() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let server = Server::without_workers(dir);
    // 10,000 deployments with a commit each: over 2 MiB of JSON, past the 1 MiB `max-body`.
    let rows = 10_000;
    let mut csv = String::from("id,service,version,commits,started_at,finished_at,outcome\n");
    for i in 0..rows {
        let (day, minute) = (1 + i / 1000, i % 1000);
        let at = format!("2026-10-{day:02}T{:02}:{:02}:00Z", minute / 60, minute % 60);
        writeln!(
            csv,
            "bulk-{i},bulk,v{i},{:040x}@{at},{at},{at},success",
            i + 1
        )
        .unwrap();
    }
    assert!(csv.len() > 1 << 20, "{}", csv.len());
    let file = write(dir, "bulk.csv", &csv);
    let (code, out, err) = import(dir, &server, &[&file]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert_eq!(
        out.trim(),
        format!("imported {rows} deployments ({rows} new, 0 replaced) from bulk.csv")
    );
    // Again: every row, in every chunk the server writes, replaces its earlier self.
    let (code, out, err) = import(dir, &server, &[&file]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert_eq!(
        out.trim(),
        format!("imported {rows} deployments (0 new, {rows} replaced) from bulk.csv")
    );
    let answer = report(
        dir,
        &server,
        "2026-10-01T00:00:00Z",
        "2026-10-15T00:00:00Z",
        &["--service", "bulk"],
    );
    assert_eq!(
        answer["report"]["deploys"]["finished"], rows,
        "{}",
        answer["headline"]
    );
}
