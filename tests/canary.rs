//! Canary deploys end to end, on both traffic routers (`gate proxy` and HAProxy), with real
//! processes and real traffic: a good canary is promoted; a bad one (failing a share of orders)
//! is rolled back automatically before its step ends; a manual rollback moves all new requests
//! to stable at once; a shopper stays on one version while the canary runs; a server killed in
//! the middle of a canary leaves nothing split and unwatched; a red commit is refused; every
//! action lands in the audit log, and tampering with it is found.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::canary::{CanarySpec, Rig, RouterKind, Traffic};
use common::server::{READ_TOKEN, Server, sha, submit, wait};
use demo_shop::shoppers::Tally;

/// A short canary: half the traffic for 8 s, then all. With a 5-point margin a clean canary is
/// judged healthy within about 30 requests, and one failing a quarter of its requests is
/// caught within about 25 (a few seconds here, on a loaded test machine).
const QUICK: &str = r#"{ steps = [{ weight = 50, for = "8s" }, { weight = 100 }], interval = "250ms", min-requests = 20, max-error-increase = 5.0, inconclusive-wait = "30s" }"#;
/// A canary that holds long enough for a person to step in.
const LONG: &str = r#"{ steps = [{ weight = 50, for = "10m" }, { weight = 100 }], interval = "250ms", min-requests = 20, max-error-increase = 5.0 }"#;
/// A bad canary's step: it ends by the analysis's decision, long before the step would (on a
/// machine busy enough to slow the shoppers, deciding has taken 10 s).
const BAD: &str = r#"{ steps = [{ weight = 50, for = "40s" }, { weight = 100 }], interval = "250ms", min-requests = 20, max-error-increase = 5.0, inconclusive-wait = "30s" }"#;
/// The step's hold in [`BAD`].
const BAD_HOLD_MS: i64 = 40_000;

const SHOPPERS: usize = 12;

fn spec(
    router: RouterKind,
    canary: &'static str,
    fail_rates: Vec<(&'static str, f64)>,
) -> CanarySpec {
    CanarySpec {
        router,
        canary,
        fail_rates,
        watchdog: "2s",
        hook_timeout: "30s",
    }
}

/// After a change the test saw in the API (which the router follows a moment later, once the
/// change is stored), `version` gets no more traffic: the requests in flight and those routed
/// before the router changed are let through first.
fn traffic_left(shoppers: &Traffic, version: &str) {
    let settled = more_requests(shoppers, &shoppers.tally(), 2 * SHOPPERS as u64);
    no_more_requests_to(shoppers, &settled, version, 200);
}

/// Waits until the shoppers have made `n` more requests than in `since`.
fn more_requests(shoppers: &Traffic, since: &Tally, n: u64) -> Tally {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = shoppers.tally();
        if now.requests() >= since.requests() + n {
            return now;
        }
        assert!(Instant::now() < deadline, "the shoppers stalled: {now:#?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// After `since`, `version` served no request that had not started before (at most one in
/// flight per shopper), across `n` more requests.
fn no_more_requests_to(shoppers: &Traffic, since: &Tally, version: &str, n: u64) {
    let after = more_requests(shoppers, since, n);
    assert_stopped(since, &after, version);
}

fn assert_stopped(since: &Tally, after: &Tally, version: &str) {
    let grew = after.version(version).requests - since.version(version).requests;
    assert!(
        grew <= SHOPPERS as u64,
        "{version} still served {grew} requests after it lost its traffic: {after:#?}"
    );
}

fn log_time(deployment: &serde_json::Value, needle: &str) -> Option<i64> {
    deployment["log"].as_array()?.iter().find_map(|l| {
        let text = l["text"].as_str()?;
        if !text.contains(needle) {
            return None;
        }
        let at = time::OffsetDateTime::parse(
            l["at"].as_str()?,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()?;
        Some((at.unix_timestamp_nanos() / 1_000_000) as i64)
    })
}

fn assert_chain_holds(rig: &Rig) {
    let (_, verified) = rig.server.get("/api/v1/audit/verify", READ_TOKEN);
    assert_eq!(verified["ok"], true, "{verified:#}");
}

fn good_canary_is_promoted(router: RouterKind) {
    let rig = Rig::start(&spec(router, QUICK, vec![]));
    let shoppers = Traffic::start(&rig.router.url(), SHOPPERS, "good");
    more_requests(&shoppers, &Tally::default(), 50);
    let id = rig.deploy("v2");
    let done = rig.wait_for(&id, Duration::from_secs(90), |d| {
        d["phase"] != "pending" && d["phase"] != "canary"
    });
    assert_eq!(done["phase"], "promoted", "{done:#}");
    assert_eq!(done["weight"], 100);
    assert_eq!(done["decision"]["judgement"], "healthy", "{done:#}");
    let promoted = shoppers.tally();
    assert!(
        promoted.version("v2").requests > 0,
        "the canary got traffic: {promoted:#?}"
    );
    // From now on, new requests go to v2 only.
    traffic_left(&shoppers, "v1");
    let tally = shoppers.stop();
    // Sticky: during the canary nobody moved; at the promotion v1's shoppers moved to v2, once.
    assert!(
        tally
            .switches
            .iter()
            .all(|s| s.from == "v1" && s.to == "v2"),
        "a shopper changed versions during the canary: {:#?}",
        tally.switches
    );
    let mut moved: Vec<usize> = tally.switches.iter().map(|s| s.shopper).collect();
    moved.sort_unstable();
    let before = moved.len();
    moved.dedup();
    assert_eq!(
        moved.len(),
        before,
        "each shopper moved at most once: {:#?}",
        tally.switches
    );
    let actions = rig.audit_actions();
    for action in [
        "stable_changed",
        "deploy_requested",
        "version_up",
        "step_started",
        "promoted",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    assert_chain_holds(&rig);
    let (_, services) = rig.server.get("/api/v1/services", READ_TOKEN);
    assert_eq!(services["services"][0]["version"], "v2", "{services:#}");
}

fn bad_canary_is_rolled_back_before_its_step_ends(router: RouterKind) {
    let rig = Rig::start(&spec(router, BAD, vec![("v2", 0.5)]));
    let shoppers = Traffic::start(&rig.router.url(), SHOPPERS, "bad");
    more_requests(&shoppers, &Tally::default(), 50);
    let id = rig.deploy("v2");
    let done = rig.wait_for(&id, Duration::from_secs(60), |d| {
        d["phase"] != "pending" && d["phase"] != "canary"
    });
    let seen = shoppers.tally();
    assert_eq!(done["phase"], "rolled_back", "{done:#}");
    assert_eq!(done["decision"]["judgement"], "failing", "{done:#}");
    let started = log_time(&done, "→ canary").unwrap();
    let ended = log_time(&done, "→ rolled back").unwrap();
    assert!(
        ended - started < BAD_HOLD_MS,
        "decided in {} ms, within the step's {BAD_HOLD_MS} ms: {done:#}",
        ended - started
    );
    assert!(seen.version("v2").failed_orders > 0, "{seen:#?}");
    traffic_left(&shoppers, "v2");
    let (_, audit) = rig
        .server
        .get(&format!("/api/v1/audit?deployment={id}"), READ_TOKEN);
    let rolled = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "rolled_back")
        .unwrap_or_else(|| panic!("{audit:#}"));
    assert_eq!(rolled["actor"], "gate");
    assert!(
        rolled["reason"].as_str().unwrap().contains('%'),
        "the numbers: {rolled:#}"
    );
    // The down hook stopped the canary's shop.
    rig.wait_for(&id, Duration::from_secs(30), |d| {
        d["log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["text"].as_str().unwrap().contains("stopped v2"))
    });
    assert_chain_holds(&rig);
    shoppers.stop();
}

fn manual_rollback_moves_every_new_request_to_stable(router: RouterKind) {
    let rig = Rig::start(&spec(router, LONG, vec![]));
    let shoppers = Traffic::start(&rig.router.url(), SHOPPERS, "manual");
    let id = rig.deploy("v2");
    rig.wait_for(&id, Duration::from_secs(60), |d| d["phase"] == "canary");
    let deadline = Instant::now() + Duration::from_secs(60);
    while shoppers.tally().version("v2").requests < 30 {
        assert!(Instant::now() < deadline, "the canary got no traffic");
        std::thread::sleep(Duration::from_millis(20));
    }
    let asked = Instant::now();
    let (status, body) = rig.post(
        "/api/v1/services/shop/rollback",
        &serde_json::json!({ "reason": "checkout looks wrong" }),
    );
    let took = asked.elapsed();
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["deployment"]["phase"], "rolled_back", "{body:#}");
    assert_eq!(body["to_version"], "v1");
    assert!(took < Duration::from_secs(2), "the rollback took {took:?}");
    let at_rollback = shoppers.tally();
    // Sticky: nobody changed versions while the canary ran (the rollback itself moves v2's
    // shoppers to v1).
    let during: Vec<_> = at_rollback
        .switches
        .iter()
        .filter(|s| s.at < asked)
        .collect();
    assert!(during.is_empty(), "{during:#?}");
    no_more_requests_to(&shoppers, &at_rollback, "v2", 300);
    let (_, audit) = rig
        .server
        .get(&format!("/api/v1/audit?deployment={id}"), READ_TOKEN);
    let rolled = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "rolled_back")
        .unwrap_or_else(|| panic!("{audit:#}"));
    assert_eq!(rolled["actor"], "admin");
    assert!(
        rolled["reason"]
            .as_str()
            .unwrap()
            .contains("checkout looks wrong")
    );
    assert_chain_holds(&rig);
    shoppers.stop();
}

#[test]
fn proxy_good_canary_is_promoted() {
    good_canary_is_promoted(RouterKind::Proxy);
}

#[test]
fn haproxy_good_canary_is_promoted() {
    good_canary_is_promoted(RouterKind::Haproxy);
}

#[test]
fn proxy_bad_canary_is_rolled_back_before_its_step_ends() {
    bad_canary_is_rolled_back_before_its_step_ends(RouterKind::Proxy);
}

#[test]
fn haproxy_bad_canary_is_rolled_back_before_its_step_ends() {
    bad_canary_is_rolled_back_before_its_step_ends(RouterKind::Haproxy);
}

#[test]
fn proxy_manual_rollback_moves_every_new_request_to_stable() {
    manual_rollback_moves_every_new_request_to_stable(RouterKind::Proxy);
}

#[test]
fn haproxy_manual_rollback_moves_every_new_request_to_stable() {
    manual_rollback_moves_every_new_request_to_stable(RouterKind::Haproxy);
}

/// With `gate proxy`, a canary whose server is killed falls back to stable by itself; the
/// restarted server finds the fallback and ends the deployment as failed.
#[test]
fn proxy_falls_back_by_itself_when_the_server_is_killed_mid_canary() {
    let mut rig = Rig::start(&spec(RouterKind::Proxy, LONG, vec![]));
    let shoppers = Traffic::start(&rig.router.url(), SHOPPERS, "killed");
    let id = rig.deploy("v2");
    rig.wait_for(&id, Duration::from_secs(60), |d| d["phase"] == "canary");
    let deadline = Instant::now() + Duration::from_secs(60);
    while shoppers.tally().version("v2").requests < 30 {
        assert!(Instant::now() < deadline, "the canary got no traffic");
        std::thread::sleep(Duration::from_millis(20));
    }
    rig.server.kill();
    // Nobody watches now: within the watchdog's 2 s the proxy moves everything to v1.
    let common::canary::Router::Proxy(proxy) = &rig.router else {
        unreachable!()
    };
    let fallback = proxy.wait_for_stderr("no heartbeat");
    assert!(fallback.contains("v1"), "{fallback}");
    let at_fallback = shoppers.tally();
    no_more_requests_to(&shoppers, &at_fallback, "v2", 300);
    // The restarted server resumes the deployment, sees the fallback, and ends it.
    let config = rig.server.config.clone();
    rig.server = Server::restart_with_env(
        rig.dir.path(),
        &config,
        &[
            ("GATE_PROXY_TOKEN", common::proxy::TOKEN),
            ("GATE_BIN", common::gate_bin()),
        ],
    );
    let done = rig.wait_for(&id, Duration::from_secs(60), |d| d["phase"] != "canary");
    assert_eq!(done["phase"], "failed", "{done:#}");
    assert!(rig.audit_actions().iter().any(|a| a == "router_fell_back"));
    no_more_requests_to(&shoppers, &shoppers.tally(), "v2", 200);
    assert_chain_holds(&rig);
    shoppers.stop();
}

/// With HAProxy (no watchdog), a restarted server resumes the canary from its stored state.
#[test]
fn haproxy_canary_resumes_after_the_server_is_killed() {
    let mut rig = Rig::start(&spec(RouterKind::Haproxy, QUICK, vec![]));
    let shoppers = Traffic::start(&rig.router.url(), SHOPPERS, "resumed");
    let id = rig.deploy("v2");
    rig.wait_for(&id, Duration::from_secs(60), |d| d["phase"] == "canary");
    rig.server.kill();
    let config = rig.server.config.clone();
    rig.server = Server::restart_with_env(
        rig.dir.path(),
        &config,
        &[
            ("GATE_PROXY_TOKEN", common::proxy::TOKEN),
            ("GATE_BIN", common::gate_bin()),
        ],
    );
    let done = rig.wait_for(&id, Duration::from_secs(90), |d| d["phase"] != "canary");
    assert_eq!(done["phase"], "promoted", "{done:#}");
    assert!(
        log_time(&done, "resumed").is_some(),
        "the log says it resumed: {done:#}"
    );
    assert_chain_holds(&rig);
    shoppers.stop();
}

#[test]
fn a_red_commit_is_refused_and_the_refusal_audited() {
    let rig = Rig::start(&spec(RouterKind::Proxy, QUICK, vec![]));
    // A commit whose run fails: nothing answers at its base URL.
    let red = sha("red commit");
    assert_eq!(
        submit(&rig.server, &red, "http://127.0.0.1:9", &[]).0,
        Some(0)
    );
    let (code, out) = wait(&rig.server, &red, "2m");
    assert_ne!(code, Some(0), "{out}");
    for commit in [red.clone(), sha("no run at all")] {
        let (status, body) = rig.post(
            "/api/v1/deployments",
            &serde_json::json!({ "service": "shop", "version": "v2", "commit": commit }),
        );
        assert_eq!(status, 409, "{body:#}");
        assert!(
            body["error"].as_str().unwrap().contains("deploy refused"),
            "{body:#}"
        );
    }
    let actions = rig.audit_actions();
    assert_eq!(
        actions.iter().filter(|a| *a == "deploy_refused").count(),
        2,
        "{actions:?}"
    );
    // An admin may override, with a reason: audited as an override.
    let (status, body) = rig.post(
        "/api/v1/deployments",
        &serde_json::json!({ "service": "shop", "version": "v2", "commit": red, "force": true }),
    );
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("reason")),
        "{body:#}"
    );
    let (status, body) = rig.post(
        "/api/v1/deployments",
        &serde_json::json!({ "service": "shop", "version": "v2", "commit": red, "force": true, "reason": "hotfix, tests are wrong" }),
    );
    assert_eq!(status, 201, "{body:#}");
    assert_eq!(body["forced"], true);
    assert!(rig.audit_actions().iter().any(|a| a == "override"));
}

#[test]
fn tampering_with_the_audit_log_is_found() {
    let rig = Rig::start(&spec(RouterKind::Proxy, QUICK, vec![]));
    let shoppers = Traffic::start(&rig.router.url(), SHOPPERS, "tamper");
    let id = rig.deploy("v2");
    rig.wait_for(&id, Duration::from_secs(90), |d| d["phase"] == "promoted");
    shoppers.stop();
    assert_chain_holds(&rig);
    let db = rig.path("gate.db");
    let sql = |statement: &str| {
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(statement)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{statement}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // The table refuses changes…
    let refused = Command::new("sqlite3")
        .arg(&db)
        .arg("UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 2")
        .output()
        .unwrap();
    assert!(!refused.status.success(), "the audit log is append-only");
    // …until someone drops its guards: then every kind of change is found.
    sql("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
    let verify = || rig.server.get("/api/v1/audit/verify", READ_TOKEN).1;
    sql("UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 3");
    let v = verify();
    assert_eq!(
        (v["ok"].as_bool(), v["broken_at"].as_u64()),
        (Some(false), Some(3)),
        "{v:#}"
    );
    assert!(v["problem"].as_str().unwrap().contains("edited"), "{v:#}");
    sql("DELETE FROM audit_log WHERE seq = 3");
    let v = verify();
    assert_eq!(v["broken_at"].as_u64(), Some(3), "{v:#}");
    assert!(v["problem"].as_str().unwrap().contains("deleted"), "{v:#}");
    sql("UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 5;");
    let v = verify();
    assert_eq!(
        v["ok"], false,
        "reordered and renumbered rows break the chain: {v:#}"
    );
}
