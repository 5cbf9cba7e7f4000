//! kill -9 of the server, an agent, a browser and a browser container during many runs:
//! every submitted run reaches a final state, every scenario's result appears exactly once, no
//! verdict is `success` unless every scenario passed (and none is red when all did), and no
//! browser process, profile directory or labelled container is left.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::dice::{Dice, runs_wanted};
use crate::common::docker::{containers_with, image};
use crate::common::server::*;
use crate::common::*;

/// The chaos suite's scenarios, sorted: each run must show each exactly once.
const SUITE: [&str; 3] = ["catalogue", "health", "version"];

/// A runner the test can kill: the server's embedded pool, or an agent.
struct Fleet {
    server: Server,
    server_dir: PathBuf,
    agents: Vec<FleetAgent>,
}

struct FleetAgent {
    agent: Agent,
    dir: PathBuf,
    name: String,
    args: Vec<String>,
    docker: bool,
    /// Every pid this slot's agents had: their containers are labelled with it.
    pids: Vec<u32>,
}

impl FleetAgent {
    fn start(server: &Server, dir: PathBuf, name: &str, args: Vec<String>) -> FleetAgent {
        std::fs::create_dir_all(&dir).unwrap();
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let agent = Agent::start_with(server, &dir, name, 1, &arg_refs);
        let docker = args.iter().any(|a| a == "docker");
        FleetAgent {
            pids: vec![agent.child.id()],
            agent,
            dir,
            name: name.to_string(),
            args,
            docker,
        }
    }

    /// kill -9, and a replacement in the same TMPDIR (which must clean up after it).
    fn crash_and_replace(&mut self, server: &Server) {
        self.agent.kill();
        let arg_refs: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let fresh = Agent::start_with(server, &self.dir, &self.name, 1, &arg_refs);
        self.pids.push(fresh.child.id());
        std::mem::replace(&mut self.agent, fresh).crash();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    Server,
    Agent,
    Browser,
    Container,
}

/// A submitted run and what it should end as.
struct Submitted {
    commit: String,
    id: String,
    /// Against the shop serving v2: the `version` scenario must fail.
    red: bool,
}

/// Main browser processes whose profile lives under `dir`.
fn main_browsers(dir: &Path) -> Vec<u32> {
    browser_pids(&dir.to_string_lossy())
        .into_iter()
        .filter(|(_, main)| *main)
        .map(|(pid, _)| pid)
        .collect()
}

/// How many requests both shops have logged.
fn requests(shops: &[&Shop]) -> usize {
    shops.iter().map(|s| s.count(|_| true)).sum()
}

/// Waits until the shops saw `n` more requests than `since`, or `limit` passed.
fn wait_for_requests(shops: &[&Shop], since: usize, n: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    while requests(shops) < since + n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether any run is still queued or running.
fn unfinished(server: &Server) -> bool {
    ["queued", "running"].iter().any(|state| {
        let (status, page) = server.get(&format!("/api/v1/runs?state={state}&limit=1"), READ_TOKEN);
        status != 200 || !page["runs"].as_array().is_some_and(Vec::is_empty)
    })
}

#[test]
fn kill_9_at_random_points_loses_nothing_and_lies_about_nothing() {
    let mut dice = Dice::from_env("kill -9");
    let wanted = runs_wanted(6);
    let good = Shop::start(&["--fault", "slow-products", "--slow", "1s"]);
    let bad = Shop::start(&[
        "--version",
        "v2",
        "--fault",
        "slow-products",
        "--slow",
        "1s",
    ]);
    let shops = [&good, &bad];
    let tmp = tempfile::tempdir().unwrap();
    let server_dir = tmp.path().join("server");
    std::fs::create_dir_all(&server_dir).unwrap();
    let spec = ServerSpec {
        workers: 1,
        scenarios: repo().join("tests/scenarios/chaos"),
        lease: "2s",
        ..ServerSpec::sqlite(&server_dir)
    };
    let server = Server::start(&server_dir, &spec);
    server.pin_address();
    let mut fleet = Fleet {
        agents: Vec::new(),
        server,
        server_dir,
    };
    for i in 0..2 {
        let dir = tmp.path().join(format!("agent-{i}"));
        let agent = FleetAgent::start(&fleet.server, dir, &format!("local-{i}"), Vec::new());
        fleet.agents.push(agent);
    }
    let mut faults = vec![Fault::Server, Fault::Agent, Fault::Browser];
    if let Some(image) = image() {
        let port = |s: &Shop| s.base_url.rsplit(':').next().unwrap().to_string();
        let args = vec![
            "--backend".into(),
            "docker".into(),
            "--docker-image".into(),
            image,
            "--docker-forward".into(),
            port(&good),
            "--docker-forward".into(),
            port(&bad),
        ];
        let dir = tmp.path().join("agent-docker");
        let agent = FleetAgent::start(&fleet.server, dir, "docker", args);
        fleet.agents.push(agent);
        faults.push(Fault::Container);
    }

    let limit = Duration::from_secs(120 + 20 * wanted as u64);
    let deadline = Instant::now() + limit;
    let mut submitted: Vec<Submitted> = Vec::new();
    let mut injected: BTreeMap<Fault, usize> = BTreeMap::new();
    loop {
        assert!(
            Instant::now() < deadline,
            "the runs did not all finish within {limit:?} (seed {})",
            dice.seed
        );
        if submitted.len() < wanted {
            let batch = dice.between(1, 4) as usize;
            for _ in 0..batch.min(wanted - submitted.len()) {
                let red = dice.one_in(4);
                let commit = sha(&format!("chaos {} {}", dice.seed, submitted.len()));
                let shop = if red { &bad } else { &good };
                let body = serde_json::json!({ "commit": commit, "base_url": shop.base_url });
                let (status, run) = fleet.server.post("/api/v1/runs", SUBMIT_TOKEN, &body);
                assert_eq!(status, 201, "{run:#}");
                let id = run["id"].as_str().unwrap().to_string();
                submitted.push(Submitted { commit, id, red });
            }
        } else if !unfinished(&fleet.server) {
            break;
        }

        let since = requests(&shops);
        let wait = dice.between(0, 6) as usize;
        wait_for_requests(&shops, since, wait, Duration::from_secs(15));
        let fault = *dice.pick(&faults);
        let victim = dice.between(0, 100) as usize;
        let what = match fault {
            Fault::Server => {
                fleet.server.crash_and_restart();
                "the server".to_string()
            }
            Fault::Agent => {
                let count = fleet.agents.len();
                let slot = &mut fleet.agents[victim % count];
                slot.crash_and_replace(&fleet.server);
                format!("agent {}", slot.name)
            }
            Fault::Browser => {
                let mut dirs = vec![fleet.server_dir.clone()];
                dirs.extend(
                    fleet
                        .agents
                        .iter()
                        .filter(|a| !a.docker)
                        .map(|a| a.dir.clone()),
                );
                let browsers: Vec<u32> = dirs.iter().flat_map(|d| main_browsers(d)).collect();
                match browsers.get(victim % browsers.len().max(1)) {
                    Some(pid) => {
                        let _ = std::process::Command::new("kill")
                            .args(["-9", &pid.to_string()])
                            .status();
                        format!("browser {pid}")
                    }
                    None => "no browser (none running)".to_string(),
                }
            }
            Fault::Container => {
                let docker = fleet.agents.iter().find(|a| a.docker).unwrap();
                let pid = docker.agent.child.id();
                let ids = containers_with(&format!("dev.gate.pid={pid}"));
                match ids.get(victim % ids.len().max(1)) {
                    Some(id) => {
                        let _ = crate::common::docker::docker(&["kill", id]);
                        format!("container {id}")
                    }
                    None => "no container (none running)".to_string(),
                }
            }
        };
        *injected.entry(fault).or_default() += 1;
        eprintln!(
            "chaos: fault {} after {wait} requests: kill -9 {what} ({} of {wanted} runs submitted)",
            injected.values().sum::<usize>(),
            submitted.len()
        );
    }

    // Every run is final, each scenario appears once, and the verdict tells the truth.
    let mut ended: BTreeMap<String, usize> = BTreeMap::new();
    let mut retaken = 0;
    for run in &submitted {
        let (status, view) = fleet
            .server
            .get(&format!("/api/v1/runs/{}", run.id), READ_TOKEN);
        assert_eq!(status, 200, "{view:#}");
        let state = view["state"].as_str().unwrap().to_string();
        assert!(
            ["passed", "failed", "error"].contains(&state.as_str()),
            "run {} is final: {view:#}",
            run.id
        );
        let jobs = view["jobs"].as_array().unwrap();
        let mut names: Vec<&str> = jobs
            .iter()
            .map(|j| j["scenario"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, SUITE, "each scenario exactly once: {view:#}");
        assert!(
            jobs.iter()
                .all(|j| j["state"] == "done" && j["outcome"].is_string()),
            "every job done with an outcome: {view:#}"
        );
        retaken += jobs
            .iter()
            .filter(|j| j["leases"].as_u64().unwrap() > 1)
            .count();
        let all_passed = jobs
            .iter()
            .all(|j| ["passed", "flaky"].contains(&j["outcome"].as_str().unwrap()));
        let (_, verdict) = fleet.server.get(
            &format!("/api/v1/commits/{}/status", run.commit),
            READ_TOKEN,
        );
        let verdict = verdict["state"].as_str().unwrap().to_string();
        assert_eq!(
            verdict == "success",
            all_passed,
            "the verdict is success exactly when every scenario passed: {verdict}, {view:#}"
        );
        assert_eq!(state == "passed", all_passed, "{view:#}");
        if run.red {
            assert_ne!(
                verdict, "success",
                "a run against v2 is never green: {view:#}"
            );
        }
        let junit = fleet
            .server
            .get_text(&format!("/api/v1/runs/{}/junit.xml", run.id), READ_TOKEN);
        for name in SUITE {
            assert_eq!(
                junit.matches(&format!("<testcase name=\"{name}\"")).count(),
                1,
                "{name} once in the JUnit XML: {junit}"
            );
        }
        let against = if run.red { "v2" } else { "v1" };
        *ended.entry(format!("{state} ({against})")).or_default() += 1;
    }

    // Stopped cleanly, the last processes leave nothing: not their own browsers and
    // containers, nor those of the processes killed before them.
    for slot in &mut fleet.agents {
        let status = slot.agent.stop();
        assert!(status.success(), "agent {} stopped: {status:?}", slot.name);
    }
    let status = fleet.server.stop();
    assert!(status.success(), "the server stopped: {status:?}");
    assert_no_browsers_under(&fleet.server_dir);
    for slot in &fleet.agents {
        assert_no_browsers_under(&slot.dir);
        for pid in &slot.pids {
            let left = containers_with(&format!("dev.gate.pid={pid}"));
            assert!(
                left.is_empty(),
                "containers of agent pid {pid} left: {left:?}"
            );
        }
    }
    eprintln!(
        "chaos: kill -9 (seed {}): {} runs survived {} faults {injected:?}; ended {ended:?}; \
         {retaken} jobs taken again after a lost runner",
        dice.seed,
        submitted.len(),
        injected.values().sum::<usize>(),
    );
}
