//! PostgreSQL stopped and started under a running server: `/readyz` says not ready while it
//! is down, the server retries, and once it is back every submission it accepted finishes.
//! The test makes a PostgreSQL cluster of its own (Debian's `initdb`/`pg_ctl`, as
//! `scripts/postgres` does) on a free port, so stopping it disturbs no other test.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::server::*;
use crate::common::*;

/// A PostgreSQL cluster in a temporary directory, run as the `postgres` user. Stopped (fast)
/// when dropped.
struct PrivatePostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl PrivatePostgres {
    /// `None` (with the reason printed) where Debian's PostgreSQL is not installed.
    fn start() -> Option<PrivatePostgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|b| b.join("pg_ctl").exists())
            .max();
        let Some(bin) = bin else {
            eprintln!(
                "SKIPPED: no /usr/lib/postgresql/*/bin/pg_ctl (scripts/postgres installs it)"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(chown.success(), "chown the cluster's directory to postgres");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pg = PrivatePostgres {
            bin,
            data,
            port,
            _dir: dir,
        };
        let init = pg.as_postgres("initdb", &["-U", "postgres", "-A", "trust", "-D"], true);
        assert!(init.status.success(), "initdb: {}", text(&init));
        pg.pg_ctl_start();
        Some(pg)
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs `program args… [data dir]` of the cluster's binaries as `postgres`.
    fn as_postgres(&self, program: &str, args: &[&str], data: bool) -> std::process::Output {
        let mut cmd = Command::new("runuser");
        cmd.current_dir("/")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .args(args);
        if data {
            cmd.arg(&self.data);
        }
        cmd.output().unwrap()
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.data.display()
        );
        let log = self.data.join("server.log").display().to_string();
        let out = self.as_postgres(
            "pg_ctl",
            &["-w", "-t", "60", "-l", &log, "-o", &options, "start", "-D"],
            true,
        );
        assert!(out.status.success(), "pg_ctl start: {}", text(&out));
    }

    fn pg_ctl_stop(&self) {
        let out = self.as_postgres("pg_ctl", &["-w", "-m", "fast", "stop", "-D"], true);
        assert!(out.status.success(), "pg_ctl stop: {}", text(&out));
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self.as_postgres("pg_ctl", &["-w", "-m", "immediate", "stop", "-D"], true);
    }
}

/// `/readyz`'s status, polled until `want` (panics after a minute).
fn wait_ready(server: &Server, want: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = server.get("/readyz", READ_TOKEN);
        if status == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/readyz never answered {want}: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn postgres_stopped_and_started_loses_no_submission() {
    let Some(pg) = PrivatePostgres::start() else {
        return;
    };
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "2s"]);
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        database_url: pg.url(),
        workers: 1,
        scenarios: repo().join("tests/scenarios/chaos"),
        lease: "2s",
        extra: String::new(),
    };
    let server = Server::start(tmp.path(), &spec);
    wait_ready(&server, 200);
    let mut accepted = Vec::new();
    let submit = |label: &str| {
        let commit = sha(&format!("postgres {label} {:?}", tmp.path()));
        let body = serde_json::json!({ "commit": commit, "base_url": shop.base_url });
        let (status, run) = server.post("/api/v1/runs", SUBMIT_TOKEN, &body);
        (status, run, commit)
    };
    for i in 0..3 {
        let (status, run, commit) = submit(&format!("before {i}"));
        assert_eq!(status, 201, "{run:#}");
        accepted.push(commit);
    }
    // Down while a browser waits for the slow catalogue.
    shop.wait_for("GET /products");
    pg.pg_ctl_stop();
    wait_ready(&server, 503);
    let (status, body, _) = submit("while down");
    assert!(
        status >= 500,
        "a submission is refused, not half-taken, while the database is down: {status} {body:#}"
    );
    assert!(
        !body.to_string().to_lowercase().contains("sqlx"),
        "the client gets no internal detail: {body:#}"
    );
    pg.pg_ctl_start();
    wait_ready(&server, 200);
    let (status, run, commit) = submit("after");
    assert_eq!(status, 201, "{run:#}");
    accepted.push(commit);

    for commit in &accepted {
        let (code, out) = wait(&server, commit, "3m");
        assert_eq!(code, Some(0), "{commit}: {out}");
        let run = server.run_of(commit);
        let mut names: Vec<&str> = run["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["scenario"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["catalogue", "health", "version"], "{run:#}");
    }
}
