//! The second half of `gate demo`: after the test gate passed, the commit goes to production
//! through canaries. A `gate proxy` (its own process) routes simulated shoppers to the demo
//! shop; a gate server (in this process, on a SQLite file in a temporary directory) checks the
//! commit's gate verdict, then deploys v2, which fails 5% of orders, as a canary: gate's
//! analysis rolls it back by itself. Then v3, which is good, is promoted. The audit log's chain
//! is checked, and the rollback's postmortem is written next to the report. It ends with this
//! week's digest of what it did and the dashboard (`demo_digest`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use demo_shop::shoppers::{Shoppers, Tally};
use gate_wire::{CommitState, CommitStatus, DeploymentView};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_util::sync::CancellationToken;

use crate::exit;

/// Simulated shoppers through the proxy.
const SHOPPERS: usize = 16;
/// The demo's canary: half the traffic for 10 s, then all; 0.5 points of extra errors allowed.
/// The evidence comes at the shoppers' pace, which a loaded machine slows: a step that is not
/// decided yet gets up to 90 s more before the fail-safe (a rollback) applies, so the demo
/// shows the analysis deciding rather than its time limit.
const CANARY: &str = r#"{ steps = [{ weight = 50, for = "10s" }, { weight = 100 }], interval = "500ms", min-requests = 50, max-error-increase = 0.5, confidence = 0.99, inconclusive-wait = "90s" }"#;

/// What the demo needs from its first half.
pub struct Stable<'a> {
    /// The demo shop serving as v1.
    pub url: &'a str,
    pub password: &'a str,
    /// Where the report went (the postmortem is written beside it).
    pub report: &'a Path,
    /// Keep the gate server serving after the demo, until Ctrl-C.
    pub keep_serving: bool,
}

pub(crate) fn line(text: &str) {
    eprintln!("  {text}");
}

fn ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn parse_time(rfc3339: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// When the deployment's log first says `needle` (unix ms).
fn logged_at(d: &DeploymentView, needle: &str) -> Option<i64> {
    d.log
        .iter()
        .find(|l| l.text.contains(needle))
        .and_then(|l| parse_time(&l.at))
}

pub async fn deploy(stable: Stable<'_>) -> u8 {
    eprintln!("\n── Canary deploys: the green commit goes to production ─────────────────");
    match run(stable).await {
        Ok(()) => exit::PASSED,
        Err(err) => {
            eprintln!("error: the deploy demo failed: {err}");
            exit::INFRA
        }
    }
}

async fn run(stable: Stable<'_>) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
    let gate = std::env::current_exe().map_err(|e| e.to_string())?;
    let token = gate_server::auth::generate_token();
    let proxy_token = gate_server::auth::generate_token();
    write_hooks(dir.path(), &gate, &[("v2", 0.05)])?;

    // The router, in its own process as in production.
    let mut proxy = tokio::process::Command::new(&gate)
        .args(["proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        .arg("--version")
        .arg(format!("v1={}", stable.url))
        .env("GATE_PROXY_TOKEN", &proxy_token)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start gate proxy: {e}"))?;
    let stdout = proxy.stdout.take().ok_or("gate proxy has no output")?;
    let mut lines = BufReader::new(stdout).lines();
    let ready = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(l)) = lines.next_line().await {
            if let Some(rest) = l.strip_prefix("gate proxy listening on ") {
                return Some(rest.to_string());
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or("gate proxy did not start")?;
    let (proxy_url, admin) = ready
        .split_once(" (admin ")
        .ok_or("gate proxy: unexpected output")?;
    let admin = admin.trim_end_matches(')').to_string();
    let proxy_url = proxy_url.to_string();

    // The server, with the shop as a service behind the proxy.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let server_url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let viewer = gate_server::auth::generate_token();
    let config_text = format!(
        r#"listen = "127.0.0.1:0"
public-url = "{server_url}"
database-url = "sqlite://{db}"
scenarios = ["{scenarios}"]
workers = 2

[[tokens]]
name = "demo"
hash = "{hash}"
scopes = ["admin"]

[[tokens]]
name = "viewer"
hash = "{viewer_hash}"
scopes = ["read"]

[[services]]
name = "shop"
router = {{ kind = "proxy", admin-url = "{admin}", token-env = "GATE_PROXY_TOKEN" }}
stable = {{ version = "v1", url = "{stable}" }}
hooks = {{ up = "sh up.sh {{version}}", down = "sh down.sh {{version}}", timeout = "30s" }}
canary = {CANARY}
"#,
        db = dir.path().join("gate.db").display(),
        scenarios = write_scenarios(dir.path())?.display(),
        hash = gate_server::auth::hash_token(&token),
        viewer_hash = gate_server::auth::hash_token(&viewer),
        stable = stable.url,
    );
    let config_path = dir.path().join("gate.toml");
    std::fs::write(&config_path, &config_text).map_err(|e| e.to_string())?;
    let env = |name: &str| match name {
        "GATE_PROXY_TOKEN" => Some(proxy_token.clone()),
        other => std::env::var(other).ok(),
    };
    let mut config =
        gate_server::config::parse(&config_path.display().to_string(), &config_text, &env)
            .map_err(|e| e.to_string())?;
    // The bundled scenarios log in with `{{secret.SHOP_PASSWORD}}`.
    config
        .secrets
        .insert("SHOP_PASSWORD".into(), stable.password.to_string());
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(gate_server::serve::serve_on(
        listener,
        config,
        shutdown.clone(),
    ));
    let api = Api {
        client: reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?,
        base: server_url.clone(),
        token,
    };
    line(&format!(
        "gate proxy routes the shop at {proxy_url}; {SHOPPERS} simulated shoppers browse, fill carts and order through it"
    ));
    let shoppers = Shoppers::start(&proxy_url, SHOPPERS, "demo");

    // The gate, server side: the commit's run must pass before anything deploys.
    let commit = demo_commit();
    let result = api
        .gate(&commit, stable.url)
        .await
        .map_err(|e| format!("the gate run: {e}"))?;
    line(&format!(
        "gate server at {server_url}: commit {} is {} ({})",
        &commit[..12],
        result.state.as_str(),
        result.description
    ));

    let bad = api
        .canary("v2", &commit, "v2, which fails 5% of orders")
        .await?;
    report_rollback(&bad, &shoppers.tally());
    let postmortem = stable.report.join("postmortem-v2.md");
    if let Ok(text) = api
        .text(&format!("/api/v1/deployments/{}/postmortem", bad.id))
        .await
        && std::fs::write(&postmortem, text).is_ok()
    {
        line(&format!(
            "the rollback's postmortem: {}",
            postmortem.display()
        ));
    }
    let good = api.canary("v3", &commit, "v3, which is good").await?;
    if good.phase != gate_wire::DeployPhase::Promoted {
        line(&format!(
            "v3 ended {} (expected promoted)",
            good.phase.as_str()
        ));
    }
    let verified: gate_wire::AuditVerification = api.get("/api/v1/audit/verify").await?;
    line(&format!(
        "audit log: {} entries, the hash chain holds: {} (head {}…; `gate audit verify` checks it)",
        verified.entries,
        if verified.ok { "yes" } else { "NO" },
        verified.head.get(..12).unwrap_or_default()
    ));
    let tally = shoppers.stop().await;
    line(&format!(
        "shoppers made {} requests: v1 {}, v2 {} ({} failed orders), v3 {}",
        tally.requests(),
        tally.version("v1").requests,
        tally.version("v2").requests,
        tally.version("v2").failed_orders,
        tally.version("v3").requests
    ));
    crate::demo_digest::finish(&api, stable.report).await;
    if stable.keep_serving {
        crate::demo_digest::keep_serving(&server_url, &viewer).await;
    }
    shutdown.cancel();
    let _ = server.await;
    let _ = proxy.kill().await;
    kill_versions(dir.path());
    Ok(())
}

/// Prints how long detection and the traffic shift took.
fn report_rollback(d: &DeploymentView, tally: &Tally) {
    let (Some(start), Some(end)) = (logged_at(d, "→ canary"), logged_at(d, "→ rolled back"))
    else {
        line(&format!("v2 ended {}", d.phase.as_str()));
        return;
    };
    let last_v2 = tally.last_seen.get("v2").map(|t| ms(*t));
    let shift = last_v2.map(|last| (last - end).max(0));
    line(&format!(
        "rolled back automatically {:.1} s after the canary started; {}",
        (end - start) as f64 / 1000.0,
        match shift {
            Some(ms) => format!("v2 answered its last request {ms} ms after the decision"),
            None => "v2 answered no request".to_string(),
        }
    ));
}

pub(crate) struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    pub(crate) async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<T, String> {
        let answer = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !answer.status().is_success() {
            return Err(format!("{path}: {}", answer.status()));
        }
        answer.json().await.map_err(|e| e.to_string())
    }

    pub(crate) async fn text(&self, path: &str) -> Result<String, String> {
        let answer = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        answer.text().await.map_err(|e| e.to_string())
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, String> {
        let answer = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !answer.status().is_success() {
            let status = answer.status();
            return Err(format!(
                "{path}: {status}: {}",
                answer.text().await.unwrap_or_default()
            ));
        }
        answer.json().await.map_err(|e| e.to_string())
    }

    /// Submits the commit and waits for its verdict.
    async fn gate(&self, commit: &str, base_url: &str) -> Result<CommitStatus, String> {
        let _: serde_json::Value = self
            .post(
                "/api/v1/runs",
                &serde_json::json!({ "commit": commit, "base_url": base_url, "branch": "main" }),
            )
            .await?;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let status: CommitStatus = self
                .get(&format!("/api/v1/commits/{commit}/status"))
                .await?;
            if status.state != CommitState::Pending {
                return Ok(status);
            }
            if Instant::now() > deadline {
                return Err("no verdict within 2 minutes".into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Deploys `version` and follows it to the end, printing each change.
    async fn canary(
        &self,
        version: &str,
        commit: &str,
        what: &str,
    ) -> Result<DeploymentView, String> {
        line(&format!(
            "deploy {what}, as a canary: 50% of shoppers for 10 s, then all"
        ));
        let started: DeploymentView = self
            .post(
                "/api/v1/deployments",
                &serde_json::json!({ "service": "shop", "version": version, "commit": commit }),
            )
            .await?;
        let begun = Instant::now();
        let mut last = String::new();
        let mut printed = begun;
        let mut last_phase = None;
        let deadline = begun + Duration::from_secs(90);
        loop {
            let d: DeploymentView = self
                .get(&format!("/api/v1/deployments/{}", started.id))
                .await?;
            let now = match &d.decision {
                Some(decision) if d.phase == gate_wire::DeployPhase::Canary => {
                    format!("{}% to {version}: {}", d.weight, decision.summary)
                }
                _ => format!("{} ({}% to {version})", d.phase.as_str(), d.weight),
            };
            // A line when the phase changes, and every two seconds while only the numbers do.
            let phase_changed = last_phase != Some(d.phase);
            if !d.phase.is_final()
                && now != last
                && (phase_changed || printed.elapsed() >= Duration::from_secs(2))
            {
                line(&format!(
                    "  {:>5.1} s  {now}",
                    begun.elapsed().as_secs_f64()
                ));
                last = now;
                printed = Instant::now();
                last_phase = Some(d.phase);
            }
            if d.phase.is_final() {
                let outcome = match &d.decision {
                    Some(decision) => format!("{}: {}", d.phase.as_str(), decision.summary),
                    None => d.phase.as_str().to_string(),
                };
                line(&format!(
                    "  {:>5.1} s  {version} {outcome}",
                    begun.elapsed().as_secs_f64()
                ));
                return Ok(d);
            }
            if Instant::now() > deadline {
                return Err(format!("{version} did not finish within 90 s"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A commit id for the demo's build.
fn demo_commit() -> String {
    use sha2::Digest;
    let seed = format!("gate demo {}", ms(SystemTime::now()));
    hex::encode(&sha2::Sha256::digest(seed.as_bytes())[..20])
}

/// The bundled scenarios, for the server's gate run.
fn write_scenarios(dir: &Path) -> Result<PathBuf, String> {
    let scenarios = dir.join("scenarios");
    std::fs::create_dir_all(&scenarios).map_err(|e| e.to_string())?;
    for (path, text) in crate::demo::BUNDLED {
        let name = Path::new(path).file_name().ok_or("bad bundled path")?;
        std::fs::write(scenarios.join(name), text).map_err(|e| e.to_string())?;
    }
    Ok(scenarios)
}

/// `up.sh VERSION` starts the demo shop as VERSION on a free port (failing a share of orders
/// for the versions in `fail`), waits for it to listen, and prints its URL; `down.sh VERSION`
/// stops it.
fn write_hooks(dir: &Path, gate: &Path, fail: &[(&str, f64)]) -> Result<(), String> {
    let cases: String = fail
        .iter()
        .map(|(v, rate)| format!("  {v}) rate={rate} ;;\n"))
        .collect();
    let up = format!(
        r#"set -e
case "$1" in
{cases}  *) rate=0 ;;
esac
"{gate}" demo-shop --port 0 --version "$1" --fail-rate "$rate" > "$1.log" 2>&1 &
echo $! > "$1.pid"
i=0
until grep -q "listening on" "$1.log"; do
  i=$((i+1)); [ $i -lt 600 ] || {{ echo "the shop did not start" >&2; exit 1; }}
  sleep 0.05
done
sed -n 's/^demo shop listening on //p' "$1.log"
"#,
        gate = gate.display()
    );
    let down =
        "[ -f \"$1.pid\" ] && kill \"$(cat \"$1.pid\")\" && rm \"$1.pid\"\necho \"stopped $1\"\n";
    std::fs::write(dir.join("up.sh"), up).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("down.sh"), down).map_err(|e| e.to_string())
}

/// Stops the versions the hooks started and no down hook stopped.
fn kill_versions(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "pid")
                && let Ok(pid) = std::fs::read_to_string(&path)
                && let Ok(pid) = pid.trim().parse::<i32>()
            {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGTERM,
                );
            }
        }
    }
}
