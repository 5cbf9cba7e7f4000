//! A canary rig: the demo shop's stable version as a process, a traffic router in front of it
//! (`gate proxy`, or HAProxy with the config gate generates), `gate serve` with a `[[services]]`
//! entry for the shop whose up hook starts another version of the demo shop (failing a share of
//! orders when asked), a commit made green by a real run, and shoppers through the router.
//! Everything is a real process on loopback, owned by the rig and stopped when it is dropped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use gate_traffic::{Backend, HaproxyService};

use super::proxy::{ProxyProcess, TOKEN};
use super::server::{ADMIN_TOKEN, READ_TOKEN, Server, ServerSpec, sha, submit, wait};
use super::{Shop, gate_bin, repo};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouterKind {
    Proxy,
    Haproxy,
}

/// The router in front of the shop.
pub enum Router {
    Proxy(ProxyProcess),
    Haproxy(Box<Haproxy>),
}

impl Router {
    /// Where users connect.
    pub fn url(&self) -> String {
        match self {
            Router::Proxy(p) => p.url.clone(),
            Router::Haproxy(h) => format!("http://{}", h.listen),
        }
    }
}

/// An HAProxy process with the config gate generates for a service.
pub struct Haproxy {
    child: Child,
    pub listen: SocketAddr,
    pub service: HaproxyService,
    config: PathBuf,
}

impl Haproxy {
    pub fn start(dir: &Path, stable: Backend) -> Haproxy {
        let listen = free_port();
        let service = HaproxyService::new("shop", listen, dir, stable);
        let config = dir.join("haproxy.cfg");
        service.files().unwrap().write(&config).unwrap();
        let child = Haproxy::launch(&config, &service, listen);
        Haproxy {
            child,
            listen,
            service,
            config,
        }
    }

    /// Starts HAProxy on `config` and waits until its socket answers and its frontend accepts
    /// connections.
    fn launch(config: &Path, service: &HaproxyService, listen: SocketAddr) -> Child {
        let _ = std::fs::remove_file(&service.socket);
        let child = Command::new("haproxy")
            .args(["-db", "-f"])
            .arg(config)
            .spawn()
            .expect("haproxy runs (scripts/setup installs it)");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !(service.socket.exists() && std::net::TcpStream::connect(listen).is_ok()) {
            assert!(Instant::now() < deadline, "haproxy did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        child
    }

    /// kill -9, then HAProxy again from its config file (what a crashed and restarted HAProxy
    /// serves: the config, not the runtime changes gate made).
    pub fn crash_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = Haproxy::launch(&self.config, &self.service, self.listen);
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback address nobody listens on now (for programs that cannot bind port 0 and say
/// which port they got).
fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// How the rig's canary behaves.
pub struct CanarySpec {
    pub router: RouterKind,
    /// `[services.canary]` keys, TOML.
    pub canary: &'static str,
    /// Share of orders each version's shop fails (`("v2", 0.3)`).
    pub fail_rates: Vec<(&'static str, f64)>,
    pub watchdog: &'static str,
    /// The hooks' time limit.
    pub hook_timeout: &'static str,
}

pub struct Rig {
    pub dir: tempfile::TempDir,
    pub stable: Shop,
    pub router: Router,
    pub server: Server,
    /// A commit whose gate verdict is success.
    pub green: String,
    /// The server's environment (for a restart).
    env: Vec<(String, String)>,
}

impl Rig {
    pub fn start(spec: &CanarySpec) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let stable = Shop::start(&["--version", "v1"]);
        let stable_backend = Backend::new("v1", stable.base_url.clone());
        let (router, router_toml) = match spec.router {
            RouterKind::Proxy => {
                let state = dir.path().join("proxy-state.json");
                let args = proxy_args(&stable.base_url, &state);
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let proxy = ProxyProcess::start(dir.path(), &args);
                let toml = format!(
                    "router = {{ kind = \"proxy\", admin-url = \"{}\", token-env = \"GATE_PROXY_TOKEN\" }}",
                    proxy.admin
                );
                (Router::Proxy(proxy), toml)
            }
            RouterKind::Haproxy => {
                let haproxy = Haproxy::start(dir.path(), stable_backend);
                let toml = format!(
                    "router = {{ kind = \"haproxy\", socket = \"{}\", backend = \"shop\", versions-map = \"{}\" }}",
                    haproxy.service.socket.display(),
                    haproxy.service.versions_map.display()
                );
                (Router::Haproxy(Box::new(haproxy)), toml)
            }
        };
        write_hooks(dir.path());
        let extra = format!(
            r#"
[[services]]
name = "shop"
{router_toml}
stable = {{ version = "v1", url = "{stable_url}" }}
watchdog = "{watchdog}"
hooks = {{ up = "sh up.sh {{version}}", down = "sh down.sh {{version}}", timeout = "{hook_timeout}" }}
canary = {canary}
"#,
            stable_url = stable.base_url,
            watchdog = spec.watchdog,
            hook_timeout = spec.hook_timeout,
            canary = spec.canary,
        );
        let server_spec = ServerSpec {
            workers: 1,
            scenarios: repo().join("tests/scenarios/canary-suite"),
            extra,
            ..ServerSpec::sqlite(dir.path())
        };
        let mut env: Vec<(String, String)> = vec![
            ("GATE_PROXY_TOKEN".into(), TOKEN.into()),
            ("GATE_BIN".into(), gate_bin().into()),
        ];
        for (version, rate) in &spec.fail_rates {
            env.push((format!("FAIL_RATE_{version}"), rate.to_string()));
        }
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let server = Server::start_with_env(dir.path(), &server_spec, &env);
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        // A commit made green by a real run against the stable version.
        let green = sha(&format!("green {:?}", dir.path()));
        let (code, out) = submit(&server, &green, &stable.base_url, &[]);
        assert_eq!(code, Some(0), "{out}");
        let (code, out) = wait(&server, &green, "2m");
        assert_eq!(code, Some(0), "the commit's run passed: {out}");
        Rig {
            dir,
            stable,
            router,
            server,
            green,
            env,
        }
    }

    /// kill -9 of the server, then a new one with the same config and environment.
    pub fn crash_and_restart_server(&mut self) {
        self.server.kill();
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let config = self.server.config.clone();
        self.server = Server::restart_with_env(self.dir.path(), &config, &env);
    }

    /// kill -9 of the router, then the same router again on the same addresses: `gate proxy`
    /// with its state file, HAProxy from its config file.
    pub fn crash_and_restart_router(&mut self) {
        match &mut self.router {
            Router::Proxy(proxy) => {
                let state = self.dir.path().join("proxy-state.json");
                let args = proxy_args(&self.stable.base_url, &state);
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                proxy.crash_and_restart(self.dir.path(), &args);
            }
            Router::Haproxy(haproxy) => haproxy.crash_and_restart(),
        }
    }

    /// Switches a hook's behaviour, for the deployments after this call: `up.fail` (exit 1),
    /// `up.hang` (sleep past any limit), `up.hold` and `down.hold` (wait, after creating
    /// `<hook>.held`, until the switch is removed).
    pub fn switch(&self, name: &str, on: bool) {
        let path = self.path(name);
        if on {
            std::fs::write(&path, "").unwrap();
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }

    /// Waits until a held hook is waiting (`up` or `down`).
    pub fn wait_until_held(&self, hook: &str) {
        let held = self.path(&format!("{hook}.held"));
        let deadline = Instant::now() + Duration::from_secs(60);
        while !held.exists() {
            assert!(Instant::now() < deadline, "the {hook} hook was not run");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::fs::remove_file(held).unwrap();
    }

    /// POSTs JSON to the server's API with the admin token: (status, body).
    pub fn post(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let out = Command::new("curl")
            .args(["-s", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", "-H"])
            .arg(format!("Authorization: Bearer {ADMIN_TOKEN}"))
            .args(["-H", "content-type: application/json", "--data-binary"])
            .arg(body.to_string())
            .arg(format!("{}{path}", self.server.url))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (
            code.trim().parse().unwrap_or(0),
            serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Deploys `version` of the shop from the green commit: the deployment's id.
    pub fn deploy(&self, version: &str) -> String {
        let (status, body) = self.post(
            "/api/v1/deployments",
            &serde_json::json!({ "service": "shop", "version": version, "commit": self.green }),
        );
        assert_eq!(status, 201, "{body:#}");
        body["id"].as_str().unwrap().to_string()
    }

    pub fn deployment(&self, id: &str) -> serde_json::Value {
        let (status, body) = self
            .server
            .get(&format!("/api/v1/deployments/{id}"), READ_TOKEN);
        assert_eq!(status, 200, "{body:#}");
        body
    }

    /// Waits until the deployment satisfies `done` (polling the API; the deadline is a failure).
    pub fn wait_for(
        &self,
        id: &str,
        limit: Duration,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + limit;
        loop {
            let d = self.deployment(id);
            if done(&d) {
                return d;
            }
            assert!(
                Instant::now() < deadline,
                "deployment never got there: {d:#}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The audit log's actions, in order.
    pub fn audit_actions(&self) -> Vec<String> {
        let (_, body) = self.server.get("/api/v1/audit?limit=1000", READ_TOKEN);
        body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        // Versions the up hook started and no down hook stopped.
        if let Ok(entries) = std::fs::read_dir(self.dir.path()) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "pid")
                    && let Ok(pid) = std::fs::read_to_string(&path)
                {
                    let _ = Command::new("kill").args(["-9", pid.trim()]).status();
                }
            }
        }
    }
}

/// `gate proxy`'s arguments: stable v1 at `stable`, its state kept in `state`.
fn proxy_args(stable: &str, state: &Path) -> Vec<String> {
    vec![
        "--version".into(),
        format!("v1={stable}"),
        "--state".into(),
        state.display().to_string(),
    ]
}

/// The hooks: `up.sh VERSION` starts the demo shop as VERSION on a free port (failing the share
/// of orders in `FAIL_RATE_<VERSION>`), waits for it to listen and prints its URL; `down.sh
/// VERSION` stops it. The switches of [`Rig::switch`] change what they do.
fn write_hooks(dir: &Path) {
    std::fs::write(
        dir.join("up.sh"),
        r#"set -e
[ ! -f up.fail ] || { echo "up.fail is set" >&2; exit 1; }
[ ! -f up.hang ] || exec sleep 3600
if [ -f up.hold ]; then touch up.held; while [ -f up.hold ]; do sleep 0.05; done; fi
eval "rate=\${FAIL_RATE_$1:-0}"
"$GATE_BIN" demo-shop --port 0 --version "$1" --fail-rate "$rate" > "$1.log" 2>&1 &
echo $! > "$1.pid"
i=0
until grep -q "listening on" "$1.log"; do
  i=$((i+1)); [ $i -lt 600 ] || { echo "the shop did not start" >&2; exit 1; }
  sleep 0.05
done
sed -n 's/^demo shop listening on //p' "$1.log"
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("down.sh"),
        "if [ -f down.hold ]; then touch down.held; while [ -f down.hold ]; do sleep 0.05; done; fi\n\
         [ -f \"$1.pid\" ] && kill \"$(cat \"$1.pid\")\" && rm \"$1.pid\"\necho \"stopped $1\"\n",
    )
    .unwrap();
}

/// Shoppers on a runtime of their own, for synchronous tests.
pub struct Traffic {
    runtime: tokio::runtime::Runtime,
    shoppers: Option<demo_shop::shoppers::Shoppers>,
}

impl Traffic {
    pub fn start(url: &str, users: usize, label: &str) -> Traffic {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let shoppers = {
            let _inside = runtime.enter();
            demo_shop::shoppers::Shoppers::start(url, users, label)
        };
        Traffic {
            runtime,
            shoppers: Some(shoppers),
        }
    }

    pub fn tally(&self) -> demo_shop::shoppers::Tally {
        self.shoppers
            .as_ref()
            .map(|s| s.tally())
            .unwrap_or_default()
    }

    pub fn stop(mut self) -> demo_shop::shoppers::Tally {
        let shoppers = self.shoppers.take();
        match shoppers {
            Some(s) => self.runtime.block_on(s.stop()),
            None => Default::default(),
        }
    }
}
