//! Canary faults: the server killed at each deployment state, the router (`gate proxy`,
//! HAProxy) killed and restarted mid-canary, an up hook that fails or hangs, and the canary's
//! process killed (its network cut: connections refused). After each, nothing ends with
//! traffic split and nobody watching: the deployment is over, every new request reaches one
//! version, `gate proxy`'s watchdog is disarmed, and the service has no deployment in progress.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::canary::{CanarySpec, Rig, Router, RouterKind, Traffic};
use crate::common::proxy::TOKEN;
use crate::common::server::READ_TOKEN;

/// Half the traffic for 8 s, then all: a clean canary is promoted within seconds.
const QUICK: &str = r#"{ steps = [{ weight = 50, for = "8s" }, { weight = 100 }], interval = "250ms", min-requests = 20, max-error-increase = 5.0, inconclusive-wait = "30s" }"#;
/// A hold no test waits out: only a person or a failing canary ends it.
const LONG: &str = r#"{ steps = [{ weight = 50, for = "10m" }, { weight = 100 }], interval = "250ms", min-requests = 20, max-error-increase = 5.0 }"#;

const SHOPPERS: usize = 8;

fn rig(router: RouterKind, canary: &'static str, hook_timeout: &'static str) -> Rig {
    Rig::start(&CanarySpec {
        router,
        canary,
        fail_rates: Vec::new(),
        watchdog: "2s",
        hook_timeout,
    })
}

fn is_over(d: &serde_json::Value) -> bool {
    d["phase"] != "pending" && d["phase"] != "canary"
}

/// The versions that answered `n` fresh visitors (no cookie) through the router.
fn versions_served(rig: &Rig, n: usize) -> BTreeSet<String> {
    (0..n)
        .map(|_| {
            let out = Command::new("curl")
                .args(["-s", "-o", "/dev/null", "-D", "-"])
                .arg(format!("{}/api/health", rig.router.url()))
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("x-shop-version")
                        .then(|| value.trim().to_string())
                })
                .unwrap_or_else(|| "(no answer)".into())
        })
        .collect()
}

/// `gate proxy`'s `GET /api/state`.
fn proxy_state(rig: &Rig) -> Option<serde_json::Value> {
    let Router::Proxy(proxy) = &rig.router else {
        return None;
    };
    let out = Command::new("curl")
        .args(["-s", "-H"])
        .arg(format!("Authorization: Bearer {TOKEN}"))
        .arg(format!("{}/api/state", proxy.admin))
        .output()
        .unwrap();
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// Nothing split, nobody needed: the deployment `id` is over, the service has no deployment
/// in progress and says it serves `serving`, every new visitor gets `serving`, and `gate
/// proxy` has all weight on it with its watchdog disarmed.
fn assert_settled(rig: &Rig, id: &str, serving: &str) {
    let d = rig.deployment(id);
    assert!(is_over(&d), "the deployment is over: {d:#}");
    let (_, services) = rig.server.get("/api/v1/services", READ_TOKEN);
    let shop = &services["services"][0];
    assert_eq!(shop["deployment"], serde_json::Value::Null, "{services:#}");
    assert_eq!(shop["version"], serving, "{services:#}");
    let served = versions_served(rig, 20);
    assert_eq!(
        served,
        BTreeSet::from([serving.to_string()]),
        "every new visitor gets {serving}"
    );
    if let Some(state) = proxy_state(rig) {
        assert_eq!(state["watchdog"]["armed"], false, "{state:#}");
        let weighted: Vec<&str> = state["versions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["weight"].as_u64().unwrap() > 0)
            .map(|v| v["name"].as_str().unwrap())
            .collect();
        assert_eq!(weighted, [serving], "{state:#}");
    }
}

/// Waits until the canary has served `n` shoppers' requests.
fn canary_served(shoppers: &Traffic, version: &str, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while shoppers.tally().version(version).requests < n {
        assert!(
            Instant::now() < deadline,
            "{version} got no traffic: {:#?}",
            shoppers.tally()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Demo shops of `version` the up hooks started that still run (by their command line).
fn shops_of(version: &str, rig: &Rig) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cwd = std::fs::read_link(entry.path().join("cwd")).unwrap_or_default();
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cwd == rig.dir.path()
            && cmdline.contains("demo-shop")
            && cmdline.contains(&format!("--version {version} "))
        {
            pids.push(pid);
        }
    }
    pids
}

/// The server killed while the up hook runs, during the canary, while the down hook of an
/// abort runs, and right after a promotion: each time the restarted server carries the
/// deployment on to a final state with traffic on one version.
#[test]
fn server_killed_at_each_deployment_state() {
    let mut rig = rig(RouterKind::Proxy, LONG, "30s");
    let shoppers = Traffic::start(&rig.router.url(), SHOPPERS, "chaos");

    // pending: killed while the up hook brings v2 up; the restarted server runs it again.
    rig.switch("up.hold", true);
    let first = rig.deploy("v2");
    rig.wait_until_held("up");
    rig.crash_and_restart_server();
    rig.wait_until_held("up");
    rig.switch("up.hold", false);
    let d = rig.wait_for(&first, Duration::from_secs(60), |d| d["phase"] != "pending");
    // The killed server's hook is not killed with it: it finishes beside the new one, and the
    // two may trip over each other (here they share the shop's log file). Failing is then
    // the safe ending; going on to the canary is the other.
    let (first, version) = if is_over(&d) {
        assert_eq!(d["phase"], "failed", "{d:#}");
        eprintln!(
            "chaos: killed in pending: the deployment failed: {}",
            d["reason"]
        );
        assert_settled(&rig, &first, "v1");
        let again = rig.deploy("v5");
        rig.wait_for(&again, Duration::from_secs(60), |d| d["phase"] == "canary");
        (again, "v5")
    } else {
        assert_eq!(d["phase"], "canary", "{d:#}");
        (first, "v2")
    };
    canary_served(&shoppers, version, 20);

    // canary: killed with half the traffic on v2. gate proxy falls back by itself if the
    // watchdog runs out before the restarted server resumes; either way a person can end it.
    rig.crash_and_restart_server();
    let d = rig.deployment(&first);
    if d["phase"] == "canary" {
        let (status, body) = rig.post(
            &format!("/api/v1/deployments/{first}/abort"),
            &serde_json::json!({ "reason": "chaos: canary after a restart" }),
        );
        assert!(status == 200 || status == 409, "{status} {body:#}");
    }
    let done = rig.wait_for(&first, Duration::from_secs(60), is_over);
    assert!(
        ["failed", "aborted"].contains(&done["phase"].as_str().unwrap()),
        "{done:#}"
    );
    assert_settled(&rig, &first, "v1");

    // aborting: killed while the down hook stops v3; the restarted server runs it again.
    let second = rig.deploy("v3");
    rig.wait_for(&second, Duration::from_secs(60), |d| d["phase"] == "canary");
    canary_served(&shoppers, "v3", 10);
    rig.switch("down.hold", true);
    let (status, body) = rig.post(
        &format!("/api/v1/deployments/{second}/abort"),
        &serde_json::json!({ "reason": "chaos: abort, then kill" }),
    );
    assert_eq!(status, 200, "{body:#}");
    rig.wait_until_held("down");
    rig.crash_and_restart_server();
    rig.wait_until_held("down");
    rig.switch("down.hold", false);
    let done = rig.wait_for(&second, Duration::from_secs(60), |d| {
        is_over(d) && d["log"].to_string().contains("stopped v3")
    });
    assert_eq!(done["phase"], "aborted", "{done:#}");
    assert_settled(&rig, &second, "v1");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !shops_of("v3", &rig).is_empty() {
        assert!(
            Instant::now() < deadline,
            "v3 still runs after its down hook"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // promoted: killed right after a person promoted v4.
    let third = rig.deploy("v4");
    rig.wait_for(&third, Duration::from_secs(60), |d| d["phase"] == "canary");
    canary_served(&shoppers, "v4", 10);
    let (status, body) = rig.post(
        &format!("/api/v1/deployments/{third}/promote"),
        &serde_json::json!({}),
    );
    assert_eq!(status, 200, "{body:#}");
    rig.crash_and_restart_server();
    let done = rig.wait_for(&third, Duration::from_secs(60), is_over);
    assert_eq!(done["phase"], "promoted", "{done:#}");
    assert_settled(&rig, &third, "v4");

    // The pending kill ran the up hook twice: what the orphaned first run started is left
    // (no pid file names it any more). Known, not fixed: ended here.
    let left = shops_of("v2", &rig);
    eprintln!("chaos: v2 shops still running after its deployment ended: {left:?}");
    for pid in left {
        crate::common::signal(pid, "-9");
    }
    shoppers.stop();
}

/// The router killed and restarted with half the traffic on the canary: the deployment still
/// ends, promoted or failed, with every request on one version.
fn router_restarted_mid_canary(router: RouterKind) {
    let mut rig = rig(router, QUICK, "30s");
    let shoppers = Traffic::start(&rig.router.url(), SHOPPERS, "router");
    let id = rig.deploy("v2");
    rig.wait_for(&id, Duration::from_secs(60), |d| d["phase"] == "canary");
    canary_served(&shoppers, "v2", 20);
    rig.crash_and_restart_router();
    let done = rig.wait_for(&id, Duration::from_secs(90), is_over);
    eprintln!(
        "chaos: {router:?} restarted mid-canary: the deployment ended {}",
        done["phase"]
    );
    let serving = match done["phase"].as_str().unwrap() {
        "promoted" => "v2",
        "failed" => "v1",
        other => panic!("ended {other}: {done:#}"),
    };
    assert_settled(&rig, &id, serving);
    shoppers.stop();
}

#[test]
fn proxy_restarted_mid_canary() {
    router_restarted_mid_canary(RouterKind::Proxy);
}

#[test]
fn haproxy_restarted_mid_canary() {
    router_restarted_mid_canary(RouterKind::Haproxy);
}

/// An up hook that fails, and one that hangs past its limit (killed with its process group),
/// fail their deployments without moving traffic; the next deployment goes ahead.
#[test]
fn failing_and_hanging_up_hooks_fail_the_deployment_and_move_no_traffic() {
    let rig = rig(RouterKind::Proxy, LONG, "3s");
    for (switch, says) in [("up.fail", "exited with 1"), ("up.hang", "did not finish")] {
        rig.switch(switch, true);
        let id = rig.deploy("v2");
        let done = rig.wait_for(&id, Duration::from_secs(60), is_over);
        assert_eq!(done["phase"], "failed", "{switch}: {done:#}");
        assert!(done["log"].to_string().contains(says), "{switch}: {done:#}");
        assert_settled(&rig, &id, "v1");
        rig.switch(switch, false);
    }
    let hung: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read_link(e.path().join("cwd")).unwrap_or_default() == rig.dir.path())
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains("sleep 3600"))
        .collect();
    assert!(hung.is_empty(), "the hung hook was not killed: {hung:?}");
    let id = rig.deploy("v3");
    rig.wait_for(&id, Duration::from_secs(60), |d| d["phase"] == "canary");
}

/// The canary's process killed mid-canary: every request routed to it is a connection error,
/// counted against it, and the canary is rolled back.
fn a_canary_cut_off_is_rolled_back(router: RouterKind) {
    let rig = rig(router, LONG, "30s");
    let shoppers = Traffic::start(&rig.router.url(), SHOPPERS, "cut");
    let id = rig.deploy("v2");
    rig.wait_for(&id, Duration::from_secs(60), |d| d["phase"] == "canary");
    canary_served(&shoppers, "v2", 20);
    let pid = std::fs::read_to_string(rig.path("v2.pid")).unwrap();
    crate::common::signal(pid.trim().parse().unwrap(), "-9");
    let done = rig.wait_for(&id, Duration::from_secs(90), is_over);
    assert_eq!(done["phase"], "rolled_back", "{done:#}");
    eprintln!(
        "chaos: {router:?}, canary cut off: {}",
        done["decision"]["summary"]
    );
    assert_settled(&rig, &id, "v1");
    shoppers.stop();
}

#[test]
fn proxy_canary_cut_off_is_rolled_back() {
    a_canary_cut_off_is_rolled_back(RouterKind::Proxy);
}

#[test]
fn haproxy_canary_cut_off_is_rolled_back() {
    a_canary_cut_off_is_rolled_back(RouterKind::Haproxy);
}
