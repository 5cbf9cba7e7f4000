//! A real `gate serve` child process with its own config file and database, and helpers for
//! `gate agent`, `gate submit`, `gate wait` and the JSON API.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::events::EventStream;
use super::process::announced_address;
use super::*;

/// Tokens the test servers accept, by scope.
pub const ADMIN_TOKEN: &str = "gate_test_admin_token_0123456789abcdef";
pub const SUBMIT_TOKEN: &str = "gate_test_submit_token_0123456789abcdef";
pub const AGENT_TOKEN: &str = "gate_test_agent_token_0123456789abcdef";
pub const READ_TOKEN: &str = "gate_test_read_token_0123456789abcdef";

pub struct ServerSpec {
    pub database_url: String,
    pub workers: usize,
    pub scenarios: PathBuf,
    pub lease: &'static str,
    pub extra: String,
}

impl ServerSpec {
    pub fn sqlite(dir: &Path) -> ServerSpec {
        ServerSpec {
            database_url: format!("sqlite://{}", dir.join("gate.db").display()),
            workers: 2,
            scenarios: examples(),
            lease: "3s",
            extra: String::new(),
        }
    }
}

/// The configured form of a token: what `gate token` prints (sha256 of the token, hex).
pub fn hash(token: &str) -> String {
    use sha2::Digest;
    format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    )
}

/// A running `gate serve`. Killed (SIGKILL) when dropped, unless stopped first.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub config: PathBuf,
    /// The server's TMPDIR: its browsers' profiles live there.
    tmp: PathBuf,
}

impl Server {
    /// Writes `dir/gate.toml` from `spec` and starts the server on a free loopback port.
    pub fn start(dir: &Path, spec: &ServerSpec) -> Server {
        Server::start_with_env(dir, spec, &[])
    }

    /// A server on a SQLite file in `dir` with no embedded browsers, for tests of the API and
    /// the commands that call it.
    pub fn without_workers(dir: &Path) -> Server {
        let spec = ServerSpec {
            workers: 0,
            ..ServerSpec::sqlite(dir)
        };
        Server::start(dir, &spec)
    }

    /// Like [`Server::start`], with extra environment variables for the server process.
    pub fn start_with_env(dir: &Path, spec: &ServerSpec, env: &[(&str, &str)]) -> Server {
        let config = write_config(dir, spec);
        Server::launch(dir, &config, env)
    }

    /// Starts a server with an existing config (a restart).
    pub fn start_with(dir: &Path, config: &Path) -> Server {
        Server::launch(dir, config, &[])
    }

    /// [`Server::start_with`], with extra environment variables for the server process.
    pub fn restart_with_env(dir: &Path, config: &Path, env: &[(&str, &str)]) -> Server {
        Server::launch(dir, config, env)
    }

    fn launch(dir: &Path, config: &Path, env: &[(&str, &str)]) -> Server {
        let args = [OsStr::new("--config"), config.as_os_str()];
        Server::serve(dir, &args, env)
    }

    /// `gate serve args…` in `dir` (for the ways of naming a configuration other than
    /// `--config FILE`).
    pub fn serve(dir: &Path, args: &[&OsStr], env: &[(&str, &str)]) -> Server {
        Server::serve_logging(dir, args, env, None)
    }

    /// [`Server::serve`] with the server's log (stderr) written to `log` instead of the
    /// test's; `GATE_LOG` in `env` sets what it logs.
    pub fn serve_logging(
        dir: &Path,
        args: &[&OsStr],
        env: &[(&str, &str)],
        log: Option<&Path>,
    ) -> Server {
        let stderr = match log {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None => Stdio::inherit(),
        };
        let config = args
            .iter()
            .position(|a| *a == "--config")
            .and_then(|i| args.get(i + 1))
            .map_or_else(|| dir.join("gate.toml"), PathBuf::from);
        let mut child = Command::new(gate_bin())
            .current_dir(dir)
            .arg("serve")
            .args(args)
            .env("GATE_LOG", "warn,chromiumoxide=off,sqlx=error")
            .envs(env.iter().copied())
            .env("SHOP_PASSWORD", PASSWORD)
            .env("TMPDIR", dir)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let url = announced_address(
            child.stdout.take().unwrap(),
            "gate server listening on ",
            Duration::from_secs(60),
            |_| {},
        );
        Server {
            child,
            url,
            config,
            tmp: dir.to_path_buf(),
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGKILL, then a new server with the same config and TMPDIR (at the same address after
    /// [`Server::pin_address`]). The killed server's browsers are left as a crash leaves them:
    /// the new one must end them.
    pub fn crash_and_restart(&mut self) {
        self.kill();
        let fresh = Server::launch(&self.tmp, &self.config, &[]);
        // The old value's drop would end the browsers under the TMPDIR, the new server's too.
        std::mem::forget(std::mem::replace(self, fresh));
    }

    /// Makes a restart listen where this server listens now (instead of on a new free port),
    /// so that agents and clients holding its URL find the restarted server.
    pub fn pin_address(&self) {
        let text = std::fs::read_to_string(&self.config).unwrap();
        let address = self.url.trim_start_matches("http://");
        let pinned = text.replacen(
            "listen = \"127.0.0.1:0\"",
            &format!("listen = \"{address}\""),
            1,
        );
        assert_ne!(pinned, text, "the config listens on port 0");
        std::fs::write(&self.config, pinned).unwrap();
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }

    /// The body of a GET, as text (empty on failure).
    pub fn get_text(&self, path: &str, token: &str) -> String {
        self.curl(path, token).1
    }

    /// The status and JSON body of a GET (`null` for a body that is not JSON).
    pub fn get(&self, path: &str, token: &str) -> (u16, serde_json::Value) {
        let (status, body) = self.curl(path, token);
        (
            status,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    /// The status and JSON body of a POST of `body` as JSON (`null` for a body that is not
    /// JSON).
    pub fn post(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let (status, answer) = self.curl_with(path, token, Some(body));
        (
            status,
            serde_json::from_str(&answer).unwrap_or(serde_json::Value::Null),
        )
    }

    /// `GET path` with `token`: the status (0 when nothing answered) and the body.
    fn curl(&self, path: &str, token: &str) -> (u16, String) {
        self.curl_with(path, token, None)
    }

    /// `GET path`, or a POST of `json`, with `token`.
    fn curl_with(
        &self,
        path: &str,
        token: &str,
        json: Option<&serde_json::Value>,
    ) -> (u16, String) {
        let mut curl = Command::new("curl");
        curl.args(["-s", "-o", "-", "-w", "\n%{http_code}", "-H"])
            .arg(format!("Authorization: Bearer {token}"));
        if let Some(json) = json {
            curl.args([
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "--data-binary",
            ])
            .arg(json.to_string());
        }
        let out = curl.arg(format!("{}{path}", self.url)).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }

    /// The run of `commit` (its first, when there are several), as `GET /api/v1/runs/{id}`
    /// shows it.
    pub fn run_of(&self, commit: &str) -> serde_json::Value {
        let (status, verdict) = self.get(&format!("/api/v1/commits/{commit}/status"), READ_TOKEN);
        assert_eq!(status, 200, "{commit}: {verdict:#}");
        let id = verdict["runs"][0]["id"].as_str().unwrap();
        let (status, run) = self.get(&format!("/api/v1/runs/{id}"), READ_TOKEN);
        assert_eq!(status, 200, "{id}: {run:#}");
        run
    }
}

/// Writes `dir/gate.toml` for `spec`: the test tokens, a loopback port chosen by the system.
pub fn write_config(dir: &Path, spec: &ServerSpec) -> PathBuf {
    let config = dir.join("gate.toml");
    let mut text = format!(
        "listen = \"127.0.0.1:0\"\ndatabase-url = \"{db}\"\nscenarios = [\"{scenarios}\"]\n\
         workers = {workers}\nlease = \"{lease}\"\nmax-leases = 5\n{extra}\n",
        db = spec.database_url,
        scenarios = spec.scenarios.display(),
        workers = spec.workers,
        lease = spec.lease,
        extra = spec.extra,
    );
    for (name, token, scope) in [
        ("admin", ADMIN_TOKEN, "admin"),
        ("ci", SUBMIT_TOKEN, "submit"),
        ("agents", AGENT_TOKEN, "agent"),
        ("dashboard", READ_TOKEN, "read"),
    ] {
        text += &format!(
            "[[tokens]]\nname = \"{name}\"\nhash = \"{}\"\nscopes = [\"{scope}\"]\n\n",
            hash(token)
        );
    }
    std::fs::write(&config, text).unwrap();
    config
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        end_browsers_under(&self.tmp);
    }
}

/// SIGKILL leaves a gate process's browsers running until the next gate start in the same
/// TMPDIR, which a test never makes: end them, so they do not load the machine for later tests.
fn end_browsers_under(dir: &Path) {
    for (pid, _) in browser_pids(&dir.to_string_lossy()) {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
}

/// `gate agent` against `server`. Killed when dropped.
pub struct Agent {
    pub child: Child,
    tmp: PathBuf,
}

impl Agent {
    pub fn start(server: &Server, dir: &Path, name: &str, workers: u16) -> Agent {
        Agent::start_with(server, dir, name, workers, &[])
    }

    /// [`Agent::start`] with more `gate agent` arguments (`--backend docker`, …).
    pub fn start_with(
        server: &Server,
        dir: &Path,
        name: &str,
        workers: u16,
        args: &[&str],
    ) -> Agent {
        let child = Command::new(gate_bin())
            .current_dir(dir)
            .args([
                "agent",
                "--server",
                &server.url,
                "--token",
                AGENT_TOKEN,
                "--name",
                name,
                "--workers",
                &workers.to_string(),
            ])
            .args(args)
            .env("SHOP_PASSWORD", PASSWORD)
            .env("TMPDIR", dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Agent {
            child,
            tmp: dir.to_path_buf(),
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGKILL, leaving its browsers and containers as a crash leaves them: the next agent in
    /// the same TMPDIR must end them.
    pub fn crash(mut self) {
        self.kill();
        std::mem::forget(self);
    }

    /// SIGTERM, then wait for it to exit.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        signal(self.child.id(), "-TERM");
        self.child.wait().unwrap()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.kill();
        end_browsers_under(&self.tmp);
    }
}

/// `gate submit`; returns the exit code and output.
pub fn submit(
    server: &Server,
    commit: &str,
    base_url: &str,
    extra: &[&str],
) -> (Option<i32>, String) {
    let out = Command::new(gate_bin())
        .args([
            "submit",
            "--server",
            &server.url,
            "--token",
            SUBMIT_TOKEN,
            "--commit",
            commit,
            "--base-url",
            base_url,
        ])
        .args(extra)
        .output()
        .unwrap();
    (out.status.code(), text(&out))
}

/// `gate wait`; returns the exit code and output.
pub fn wait(server: &Server, commit: &str, timeout: &str) -> (Option<i32>, String) {
    let out = Command::new(gate_bin())
        .args([
            "wait",
            "--server",
            &server.url,
            "--token",
            READ_TOKEN,
            "--commit",
            commit,
            "--timeout",
            timeout,
        ])
        .output()
        .unwrap();
    (out.status.code(), text(&out))
}

/// `gate wait` for `commit` once its run is over (seen on `events`, which must have been
/// opened before the run could end): the verdict at once, without `gate wait`'s polling
/// (it backs off to 5 s between polls). Returns the exit code and output.
pub fn wait_after(
    events: &EventStream,
    server: &Server,
    commit: &str,
    timeout: Duration,
) -> (Option<i32>, String) {
    events.wait_for_run_of(server, commit, timeout);
    wait(server, commit, "30s")
}

/// A 40-hex-digit commit id derived from a label.
pub fn sha(label: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(label.as_bytes())[..20])
}

/// A fresh PostgreSQL database for one test, from `GATE_TEST_POSTGRES_URL` (set by
/// `scripts/test`). Without it the test is skipped with a printed reason, unless
/// `GATE_REQUIRE_POSTGRES=1`, which makes it a failure. The database is dropped when the
/// value is, pass or fail: declare it before the server that uses it, so the server goes first.
pub fn postgres_database(label: &str) -> Option<TestDatabase> {
    let Ok(admin) = std::env::var("GATE_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("GATE_REQUIRE_POSTGRES").is_err(),
            "GATE_REQUIRE_POSTGRES is set but GATE_TEST_POSTGRES_URL is not"
        );
        eprintln!(
            "skipping: GATE_TEST_POSTGRES_URL is not set (scripts/test starts PostgreSQL and sets it)"
        );
        return None;
    };
    // `scripts/test` names its run's databases by GATE_TEST_RUN_ID, to find those left behind.
    let run = std::env::var("GATE_TEST_RUN_ID").map_or(String::new(), |id| format!("{id}_"));
    let name = format!("gate_e2e_{run}{label}_{}", std::process::id());
    let out = Command::new("psql")
        .arg(&admin)
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c"])
        .arg(format!("DROP DATABASE IF EXISTS {name}"))
        .arg("-c")
        .arg(format!("CREATE DATABASE {name}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cannot create a test database: {}",
        text(&out)
    );
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Some(TestDatabase {
        url: format!("{base}/{name}"),
        name,
        admin,
    })
}

/// A PostgreSQL database made for one test; dropped with this value.
pub struct TestDatabase {
    pub url: String,
    name: String,
    admin: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // A plain drop waits a few seconds for the last sessions of a stopped server to end.
        let dropped = Command::new("psql")
            .arg(&self.admin)
            .args(["-q", "-c"])
            .arg(format!("DROP DATABASE IF EXISTS {}", self.name))
            .output();
        if !dropped.is_ok_and(|o| o.status.success()) {
            eprintln!("warning: could not drop the test database {}", self.name);
        }
    }
}
