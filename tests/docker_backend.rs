//! `--backend docker` on the real Docker engine: the bundled suite at each isolation level, a
//! container killed mid-scenario, containers of a SIGKILLed runner removed by the next pool,
//! the limits and lock-down visible in `docker inspect`, a named network, a remote engine
//! through DOCKER_HOST, and the clear errors for a missing image, a stopped engine and a broken
//! image. Each test prints why it is skipped when no Docker engine answers.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::process::{Command, Stdio};

use common::docker::{chrono_now, containers_with, created_since, docker, image, inspect};
use common::*;

/// `gate run --backend docker` of `suite` with `image`.
fn docker_run(
    tmp: &std::path::Path,
    image: &str,
    base_url: &str,
    suite: &std::path::Path,
) -> GateRun {
    GateRun::new(tmp, base_url, suite).args(["--backend", "docker", "--docker-image", image])
}

/// Exit code 3 (infrastructure) and an error that says each of `needles`.
fn assert_infra_error(run: &RunOutput, needles: &[&str]) {
    assert_eq!(run.code, Some(3), "{}", run.log);
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "`{needle}` not in: {}",
            run.stderr
        );
    }
}

/// Containers of the `gate` process `pid`.
fn containers_of(pid: u32) -> Vec<String> {
    containers_with(&format!("dev.gate.pid={pid}"))
}

#[test]
fn bundled_suite_passes_at_each_isolation_level() {
    let Some(image) = image() else { return };
    let shop = Shop::start(&[]);
    for (level, workers) in [("context", "2"), ("browser", "1"), ("container", "2")] {
        let tmp = tempfile::tempdir().unwrap();
        let since = chrono_now();
        let run = docker_run(tmp.path(), &image, &shop.base_url, &examples())
            .env("GATE_LOG", "gate_runner::backend=debug")
            .args(["--isolation", level, "--workers", workers])
            .output();
        assert_eq!(run.code, Some(0), "{level}: {}", run.log);
        let result = &run.json;
        let scenarios = result["scenarios"].as_array().unwrap();
        assert_eq!(scenarios.len(), 3);
        for s in scenarios {
            assert_eq!(s["outcome"], "passed", "{level}: {s:#}");
        }
        // What each level means, counted in containers the run created.
        let run_id = result["run_id"].as_str().unwrap();
        let created = created_since(&since, &format!("dev.gate.run={run_id}"));
        let attempts: usize = scenarios
            .iter()
            .map(|s| s["attempts"].as_array().unwrap().len())
            .sum();
        let restarts = run
            .stderr
            .matches("a fresh browser in the same container")
            .count();
        match level {
            // Every attempt after a worker's first gets a new browser in the kept container.
            "browser" => assert!(
                restarts + 1 >= attempts,
                "browser: {restarts} browser restarts for {attempts} attempts"
            ),
            _ => assert_eq!(restarts, 0, "{level}: no browser restarts expected"),
        }
        match level {
            "container" => assert!(
                created >= attempts,
                "a fresh container per scenario: {created} containers for {attempts} attempts"
            ),
            _ => assert!(
                created <= workers.parse().unwrap(),
                "{level}: one container per worker, got {created}"
            ),
        }
        assert!(
            containers_with(&format!("dev.gate.run={run_id}")).is_empty(),
            "{level}: containers left behind"
        );
    }
}

#[test]
fn killed_container_is_an_error_retried_in_a_new_one() {
    let Some(image) = image() else { return };
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "3s"]);
    let tmp = tempfile::tempdir().unwrap();
    let running = docker_run(
        tmp.path(),
        &image,
        &shop.base_url,
        &repo().join("tests/scenarios/crash"),
    )
    .workers(1)
    .arg("--artifacts")
    .arg(tmp.path().join("artifacts"))
    .spawn();
    let pid = running.pid();
    // The browser now waits for the slow catalogue: kill its container.
    shop.wait_for("GET /products");
    let ids = containers_of(pid);
    assert_eq!(ids.len(), 1, "one container for one worker: {ids:?}");
    let killed = docker(&["kill", &ids[0]]);
    assert!(killed.status.success());

    let run = running.wait();
    assert_eq!(run.code, Some(0), "{}", run.log);
    let s = scenario(&run.json, "slow-catalogue");
    let attempts = s["attempts"].as_array().unwrap();
    assert_eq!(s["outcome"], "passed", "{s:#}");
    assert_eq!(attempts.len(), 2, "{s:#}");
    assert_eq!(attempts[0]["outcome"], "error");
    assert_eq!(attempts[0]["failure"]["kind"], "infrastructure");
    assert_eq!(attempts[1]["outcome"], "passed");
    // The dead container's output is kept with the failed attempt.
    let log = attempts[0]["artifacts"]["browser_log"]
        .as_str()
        .expect("a browser log artifact");
    let log = std::fs::read_to_string(tmp.path().join("artifacts").join(log)).unwrap();
    assert!(!log.trim().is_empty(), "the container log is empty");
    assert!(containers_of(pid).is_empty(), "containers left behind");
}

#[test]
fn containers_of_a_killed_runner_are_removed_by_the_next_pool_and_limits_are_set() {
    let Some(image) = image() else { return };
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "30s"]);
    let tmp = tempfile::tempdir().unwrap();
    let mut victim = docker_run(
        tmp.path(),
        &image,
        &shop.base_url,
        &repo().join("tests/scenarios/crash"),
    )
    .workers(1)
    .args([
        "-q",
        "--docker-memory",
        "768m",
        "--docker-cpus",
        "0.5",
        "--docker-shm",
        "128m",
    ])
    .spawn();
    shop.wait_for("GET /products");
    let ids = containers_of(victim.pid());
    assert_eq!(ids.len(), 1, "{ids:?}");

    // The limits and the lock-down, as the engine reports them.
    let c = inspect(&ids[0]);
    let host = &c["HostConfig"];
    assert_eq!(host["Memory"], 768 << 20, "{host:#}");
    assert_eq!(host["MemorySwap"], 768 << 20);
    assert_eq!(host["NanoCpus"], 500_000_000);
    assert_eq!(host["ShmSize"], 128 << 20);
    assert_eq!(host["Privileged"], false);
    assert_eq!(host["ReadonlyRootfs"], true);
    assert_eq!(host["CapDrop"], serde_json::json!(["ALL"]));
    assert!(host["CapAdd"].is_null() || host["CapAdd"] == serde_json::json!([]));
    assert_eq!(
        host["SecurityOpt"],
        serde_json::json!(["no-new-privileges"])
    );
    assert!(host["PidsLimit"].as_i64().unwrap() > 0);
    let tmpfs = host["Tmpfs"].as_object().unwrap();
    assert!(
        tmpfs.contains_key("/tmp") && tmpfs.contains_key("/home/browser"),
        "{tmpfs:?}"
    );
    let bindings = &c["NetworkSettings"]["Ports"]["9222/tcp"];
    for b in bindings.as_array().unwrap() {
        assert_eq!(
            b["HostIp"], "127.0.0.1",
            "DevTools only on loopback: {bindings}"
        );
    }
    assert_eq!(c["Config"]["User"], "browser", "not root");
    let labels = c["Config"]["Labels"].as_object().unwrap();
    assert!(labels.contains_key("dev.gate.pool") && labels.contains_key("dev.gate.run"));

    // SIGKILL: the runner cannot remove its container.
    victim.kill();
    assert_eq!(
        containers_of(victim.pid()).len(),
        1,
        "the container outlives a SIGKILLed gate"
    );

    let run = docker_run(tmp.path(), &image, &shop.base_url, &examples())
        .workers(1)
        .args(["--grep", "^api$"])
        .output();
    assert_eq!(run.code, Some(0), "{}", run.log);
    assert!(
        containers_of(victim.pid()).is_empty(),
        "the next pool start removes the killed runner's container"
    );
}

#[test]
fn browsers_reach_a_system_under_test_on_a_named_network() {
    let Some(image) = image() else { return };
    let network = format!("gate-test-{}", std::process::id());
    assert!(docker(&["network", "create", &network]).status.success());
    let shop_name = format!("gate-test-shop-{}", std::process::id());
    // The shop runs in a container on the network (the browser image has the libraries the
    // gate binary needs), reachable there as `shop`.
    let started = docker(&[
        "run",
        "-d",
        "--rm",
        "--name",
        &shop_name,
        "--network",
        &network,
        "--network-alias",
        "shop",
        "-v",
        &format!("{}:/gate:ro", gate_bin()),
        "--entrypoint",
        "/gate",
        &image,
        "demo-shop",
        "--host",
        "0.0.0.0",
        "--port",
        "8080",
        "--password",
        PASSWORD,
    ]);
    let cleanup = || {
        docker(&["rm", "-f", &shop_name]);
        docker(&["network", "rm", &network]);
    };
    if !started.status.success() {
        cleanup();
        panic!(
            "shop container: {}",
            String::from_utf8_lossy(&started.stderr)
        );
    }
    // Ready when it prints its address: follow its output until that line (the stream ends if
    // the container dies).
    let mut follow = Command::new("docker")
        .args(["logs", "-f", &shop_name])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = wait_for_line(follow.stdout.take().unwrap(), "demo shop listening");
    let _ = follow.kill();
    let _ = follow.wait();
    if ready.is_none() {
        cleanup();
        panic!("the shop container stopped before it listened");
    }
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    std::fs::create_dir_all(&suite).unwrap();
    // Browser steps only: API steps run from gate's own process, which is not on the network.
    std::fs::write(
        suite.join("catalogue.toml"),
        "name = \"catalogue\"\n\n[[step]]\ngoto = \"/products\"\n\n[[step]]\nexpect = { selector = \"h1\", text = \"Products\" }\n",
    )
    .unwrap();
    let run = docker_run(tmp.path(), &image, "http://shop:8080", &suite)
        .args(["--docker-network", &network])
        .output();
    cleanup();
    assert_eq!(run.code, Some(0), "{}", run.log);
    assert!(run.stdout.contains("1 passed"), "{}", run.log);
}

#[test]
fn docker_host_over_tcp_is_honoured() {
    let Some(image) = image() else { return };
    // The local engine's socket, served on a loopback TCP port: a "remote" engine.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut socat = Command::new("socat")
        .args([
            "-d",
            "-d",
            &format!("TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr"),
            "UNIX-CONNECT:/var/run/docker.sock",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("socat (scripts/setup installs it)");
    // socat -d -d says when it listens.
    let listening = wait_for_line(socat.stderr.take().unwrap(), "listening on");
    assert!(listening.is_some(), "socat exited before it listened");
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let run = docker_run(tmp.path(), &image, &shop.base_url, &examples())
        .env("DOCKER_HOST", format!("tcp://127.0.0.1:{port}"))
        .args(["--grep", "^api$"])
        .output();
    let _ = socat.kill();
    let _ = socat.wait();
    assert_eq!(run.code, Some(0), "{}", run.log);

    // And a DOCKER_HOST where nothing answers gives one clear line.
    let run = docker_run(tmp.path(), &image, &shop.base_url, &examples())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output();
    assert_infra_error(
        &run,
        &[
            "the Docker engine does not answer at unix:///nonexistent/docker.sock",
            "systemctl start docker",
        ],
    );
}

#[test]
fn a_missing_or_broken_image_gives_a_clear_error() {
    let Some(image) = image() else { return };
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let run = docker_run(
        tmp.path(),
        "gate-browser:does-not-exist",
        &shop.base_url,
        &examples(),
    )
    .output();
    assert_infra_error(
        &run,
        &[
            "the browser image `gate-browser:does-not-exist` is not there",
            "containers/build-image",
        ],
    );

    // An image whose browser never comes up and whose healthcheck fails.
    let broken = "gate-browser-broken:test";
    let dockerfile = format!(
        "FROM {image}\nHEALTHCHECK --interval=1s --timeout=1s --start-period=1ms --retries=1 CMD [\"false\"]\nENTRYPOINT [\"/bin/sh\", \"-c\", \"echo chromium: cannot open display >&2; exec sleep 600\"]\n"
    );
    let mut build = Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "-t", broken, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    build
        .stdin
        .take()
        .unwrap()
        .write_all(dockerfile.as_bytes())
        .unwrap();
    assert!(build.wait().unwrap().success());
    let run = docker_run(tmp.path(), broken, &shop.base_url, &examples())
        .args(["--grep", "^api$"])
        .output();
    docker(&["rmi", "-f", broken]);
    assert_eq!(run.code, Some(3), "{}", run.log);
    let s = scenario(&run.json, "api");
    assert_eq!(s["outcome"], "error");
    let message = s["attempts"][0]["failure"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("the image `{broken}` failed its healthcheck"))
            && message.contains("chromium: cannot open display")
            && message.contains("containers/build-image"),
        "{message}"
    );
}
