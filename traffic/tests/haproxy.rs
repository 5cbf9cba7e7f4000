//! The HAProxy driver against real `haproxy` processes (started by each test from the
//! generated config, on loopback) in front of real upstreams that answer with their version.

mod support;

use gate_traffic::{
    Backend, FORCE_HEADER, HaproxyConfig, HaproxyRouter, RouterErrorKind, TrafficRouter,
};
use support::{HangUp, Haproxy, Upstream, assert_share, client, get, tally};

struct Setup {
    // Field order is drop order: HAProxy goes before the directory holding its socket.
    haproxy: Haproxy,
    router: HaproxyRouter,
    v1: Upstream,
    v2: Upstream,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("a temporary directory for HAProxy's files");
    let v1 = Upstream::start("v1").await;
    let v2 = Upstream::start("v2").await;
    let haproxy = Haproxy::start(dir.path(), &v1).await;
    let router = HaproxyRouter::new(&haproxy.service.router_config())
        .expect("the generated config's names are valid");
    Setup {
        haproxy,
        router,
        v1,
        v2,
        _dir: dir,
    }
}

#[tokio::test]
async fn the_generated_config_serves_stable_and_weights_take_effect_at_once_without_a_reload() {
    let s = setup().await;
    let http = client();
    let before = tally(&http, &s.haproxy.url, &[], 20).await;
    assert_eq!(before.count(200, "v1"), 20, "{before:?}");

    s.router
        .route(&s.v1.backend(), Some(&s.v2.backend()), 20)
        .await
        .unwrap();
    let n = 400;
    let twenty = tally(&http, &s.haproxy.url, &[], n).await;
    assert_eq!(twenty.count(200, "v1") + twenty.count(200, "v2"), n as u64);
    assert_share("v2 at 20%", twenty.count(200, "v2"), n as u64, 0.2);

    s.router
        .route(&s.v1.backend(), Some(&s.v2.backend()), 50)
        .await
        .unwrap();
    let half = tally(&http, &s.haproxy.url, &[], n).await;
    assert_share("v2 at 50%", half.count(200, "v2"), n as u64, 0.5);

    // The same HAProxy process did all of it: no reload, no restart.
    let sample = s.router.sample("v1", Some("v2")).await.unwrap();
    assert!(
        sample
            .instance
            .starts_with(&format!("haproxy pid {} ", s.haproxy.pid())),
        "{}",
        sample.instance
    );
}

#[tokio::test]
async fn the_force_header_reaches_the_version_it_names_while_it_has_weight() {
    let s = setup().await;
    let http = client();
    s.router
        .route(&s.v1.backend(), Some(&s.v2.backend()), 1)
        .await
        .unwrap();
    let (name, value) = s.router.force_header("v2").unwrap();
    assert_eq!(name, FORCE_HEADER);
    let forced = tally(&http, &s.haproxy.url, &[(name, &value)], 30).await;
    assert_eq!(forced.count(200, "v2"), 30, "{forced:?}");
    let (name, value) = s.router.force_header("v1").unwrap();
    let forced = tally(&http, &s.haproxy.url, &[(name, &value)], 30).await;
    assert_eq!(forced.count(200, "v1"), 30, "{forced:?}");
}

#[tokio::test]
async fn weight_zero_stops_every_request_to_the_canary_even_with_its_sticky_cookie() {
    let s = setup().await;
    let http = client();
    s.router
        .route(&s.v1.backend(), Some(&s.v2.backend()), 50)
        .await
        .unwrap();
    // A user the balancer sends to v2 gets a cookie naming its slot, and sticks to it.
    let mut cookie = None;
    for _ in 0..20 {
        let answer = get(&http, &s.haproxy.url, &[]).await;
        if answer.body == "v2" {
            cookie = answer.sticky;
            break;
        }
    }
    let cookie = format!(
        "gate_version={}",
        cookie.expect("a v2 answer sets a cookie")
    );
    let sticky = [("cookie", cookie.as_str())];
    assert_eq!(
        tally(&http, &s.haproxy.url, &sticky, 20).await.from("v2"),
        20
    );

    // Why the driver also sets `maint`: at weight 0 alone, HAProxy still sends sticky users.
    assert_eq!(s.haproxy.command("set weight shop/b 0").await.trim(), "");
    let weight_only = tally(&http, &s.haproxy.url, &sticky, 20).await;
    assert_eq!(weight_only.from("v2"), 20, "{weight_only:?}");
    assert_eq!(tally(&http, &s.haproxy.url, &[], 20).await.from("v1"), 20);

    // Rollback.
    s.router
        .route(&s.v1.backend(), Some(&s.v2.backend()), 0)
        .await
        .unwrap();
    let before = s.router.sample("v1", Some("v2")).await.unwrap();
    let with_cookie = tally(&http, &s.haproxy.url, &sticky, 50).await;
    assert_eq!(with_cookie.count(200, "v1"), 50, "{with_cookie:?}");
    // HAProxy moves the sticky user to the stable slot's cookie.
    assert_eq!(
        get(&http, &s.haproxy.url, &sticky).await.sticky.as_deref(),
        Some("a")
    );
    let without = tally(&http, &s.haproxy.url, &[], 50).await;
    assert_eq!(without.count(200, "v1"), 50, "{without:?}");
    let forced = tally(&http, &s.haproxy.url, &[(FORCE_HEADER, "v2")], 10).await;
    assert_eq!(forced.count(200, "v1"), 10, "{forced:?}");

    // The canary stays placed: its counters are still readable and show nothing new.
    let after = s.router.sample("v1", Some("v2")).await.unwrap();
    let interval = after.since(&before).expect("same instance");
    assert_eq!(interval.canary.requests, 0);
    assert_eq!(interval.stable.requests, 111);
}

#[tokio::test]
async fn counters_count_answers_5xx_refused_connections_and_hang_ups_per_version() {
    let mut s = setup().await;
    let http = client();
    let url = s.haproxy.url.clone();
    s.router
        .route(&s.v1.backend(), Some(&s.v2.backend()), 50)
        .await
        .unwrap();
    let mut last = s.router.sample("v1", Some("v2")).await.unwrap();
    assert!(last.canary.latency.is_none() && last.fallbacks.is_empty());
    let mut interval = async |router: &HaproxyRouter| {
        let now = router.sample("v1", Some("v2")).await.unwrap();
        let interval = now.since(&last).expect("same instance, counters only grow");
        last = now;
        interval
    };

    let healthy = tally(&http, &url, &[], 100).await;
    let i = interval(&s.router).await;
    assert_eq!(
        (i.stable.requests, i.stable.errors),
        (healthy.from("v1"), 0)
    );
    assert_eq!(
        (i.canary.requests, i.canary.errors),
        (healthy.from("v2"), 0)
    );
    assert!(i.canary.requests > 0);

    s.v2.fail_with(500);
    let failing = tally(&http, &url, &[], 100).await;
    let i = interval(&s.router).await;
    assert_eq!(failing.count(500, "v2") + failing.count(200, "v1"), 100);
    assert_eq!(
        (i.stable.requests, i.stable.errors),
        (failing.from("v1"), 0)
    );
    assert_eq!(i.canary.requests, failing.count(500, "v2"));
    assert_eq!(i.canary.errors, failing.count(500, "v2"));

    // The canary's process goes away: HAProxy answers 503 for the requests sent to it.
    s.v2.close().await;
    let refused = tally(&http, &url, &[], 100).await;
    let i = interval(&s.router).await;
    assert_eq!(
        refused.status(503) + refused.count(200, "v1"),
        100,
        "{refused:?}"
    );
    assert!(refused.status(503) > 0);
    assert_eq!(
        (i.stable.requests, i.stable.errors),
        (refused.from("v1"), 0)
    );
    assert_eq!(i.canary.requests, refused.status(503));
    assert_eq!(i.canary.errors, refused.status(503));

    // The canary moves to a process that hangs up without answering (same version, new URL:
    // it keeps its slot, so the counters go on): HAProxy answers 502.
    let hang_up = HangUp::start().await;
    s.router
        .route(&s.v1.backend(), Some(&Backend::new("v2", &hang_up.url)), 50)
        .await
        .unwrap();
    let cut = tally(&http, &url, &[], 100).await;
    let i = interval(&s.router).await;
    assert_eq!(cut.status(502) + cut.count(200, "v1"), 100, "{cut:?}");
    assert!(cut.status(502) > 0);
    assert_eq!(i.canary.requests, cut.status(502));
    assert_eq!(i.canary.errors, cut.status(502));
    assert_eq!(i.stable.errors, 0);
}

#[tokio::test]
async fn the_instance_changes_when_haproxy_restarts_and_routing_again_restores_the_canary() {
    let mut s = setup().await;
    let http = client();
    s.router
        .route(&s.v1.backend(), Some(&s.v2.backend()), 50)
        .await
        .unwrap();
    tally(&http, &s.haproxy.url, &[], 20).await;
    let before = s.router.sample("v1", Some("v2")).await.unwrap();
    assert_eq!(before.stable.requests + before.canary.requests, 20);

    s.haproxy.restart().await;
    // HAProxy serves its config file again: stable only, the canary is gone.
    let error = s.router.sample("v1", Some("v2")).await.unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::NotRouted);
    assert!(error.detail.contains("`v2`") && error.detail.contains("route it first"));
    let after = s.router.sample("v1", None).await.unwrap();
    assert_ne!(after.instance, before.instance);
    assert_eq!(after.since(&before), None);
    assert_eq!(after.stable.requests, 0);

    // The same driver routes the restarted HAProxy as the gate server resumes.
    s.router
        .route(&s.v1.backend(), Some(&s.v2.backend()), 50)
        .await
        .unwrap();
    let forced = tally(&http, &s.haproxy.url, &[(FORCE_HEADER, "v2")], 5).await;
    assert_eq!(forced.count(200, "v2"), 5, "{forced:?}");
    let resumed = s.router.sample("v1", Some("v2")).await.unwrap();
    assert_eq!(resumed.canary.requests, 5);
}

#[tokio::test]
async fn stable_never_moves_and_a_new_driver_finds_what_sits_where() {
    let s = setup().await;
    let http = client();
    let url = &s.haproxy.url;
    s.router
        .route(&s.v1.backend(), Some(&s.v2.backend()), 10)
        .await
        .unwrap();
    // Promotion: v2 becomes stable where it is; v1 no longer gets anything, forced or not.
    s.router.route(&s.v2.backend(), None, 0).await.unwrap();
    assert_eq!(tally(&http, url, &[], 20).await.count(200, "v2"), 20);
    let forced = tally(&http, url, &[(FORCE_HEADER, "v1")], 10).await;
    assert_eq!(forced.count(200, "v2"), 10, "{forced:?}");

    // The gate server restarts (a new driver) and starts the next canary: it goes into the
    // slot v1 left, and v2 stays in its slot.
    let v3 = Upstream::start("v3").await;
    let fresh = HaproxyRouter::new(&s.haproxy.service.router_config()).unwrap();
    fresh
        .route(&s.v2.backend(), Some(&v3.backend()), 50)
        .await
        .unwrap();
    let map = s
        .haproxy
        .command(&format!(
            "show map {}",
            s.haproxy.service.versions_map.display()
        ))
        .await;
    let mut entries: Vec<String> = map
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(_, entry)| entry.to_string()))
        .collect();
    entries.sort();
    assert_eq!(entries, ["v2 b", "v3 a"]);
    let mixed = tally(&http, url, &[], 100).await;
    assert_eq!(
        mixed.count(200, "v2") + mixed.count(200, "v3"),
        100,
        "{mixed:?}"
    );
    assert_share("v3 at 50%", mixed.count(200, "v3"), 100, 0.5);
    let forced = tally(&http, url, &[(FORCE_HEADER, "v3")], 10).await;
    assert_eq!(forced.count(200, "v3"), 10, "{forced:?}");
    // Counters of slot `a` carried v1's: the instance says a slot changed version.
    let sample = fresh.sample("v2", Some("v3")).await.unwrap();
    assert!(
        sample.instance.ends_with("a=v3 b=v2"),
        "{}",
        sample.instance
    );
}

#[tokio::test]
async fn a_missing_or_dead_socket_is_an_error_naming_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("haproxy.sock");
    let config = HaproxyConfig::new(&socket, "shop", dir.path().join("versions.map"));
    let router = HaproxyRouter::new(&config).unwrap();
    let stable = Backend::new("v1", "http://127.0.0.1:8081");
    let path = socket.display().to_string();

    let error = router.route(&stable, None, 0).await.unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::Unreachable);
    let message = format!("failed to {error}");
    assert!(
        message.contains(&format!("no socket at {path}"))
            && message.contains(&format!("`stats socket {path} mode 600 level admin`")),
        "{message}"
    );
    assert!(message.starts_with("failed to route traffic via HAProxy backend `shop`"));

    // A socket left behind by a stopped HAProxy.
    drop(tokio::net::UnixListener::bind(&socket).unwrap());
    let error = router.sample("v1", None).await.unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::Unreachable);
    assert!(
        error.detail.contains(&format!("nothing listens on {path}")),
        "{error}"
    );
}

#[tokio::test]
async fn a_backend_slot_or_map_haproxy_lacks_is_refused_with_what_to_check() {
    let s = setup().await;
    let config = s.haproxy.service.router_config();
    let refusal = async |config: HaproxyConfig| {
        let error = HaproxyRouter::new(&config)
            .unwrap()
            .sample("v1", None)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), RouterErrorKind::Refused, "{error}");
        error.detail
    };
    let detail = refusal(HaproxyConfig {
        backend: "shoop".into(),
        ..config.clone()
    })
    .await;
    assert!(detail.contains("no backend `shoop`"), "{detail}");
    let detail = refusal(HaproxyConfig {
        slots: ["a".into(), "c".into()],
        ..config.clone()
    })
    .await;
    assert!(detail.contains("no server `c` (it has a, b)"), "{detail}");
    let detail = refusal(HaproxyConfig {
        versions_map: "/nowhere/versions.map".into(),
        ..config.clone()
    })
    .await;
    assert!(detail.contains("no map /nowhere/versions.map"), "{detail}");

    // And a URL HAProxy cannot route to is refused before anything changes.
    let error = s
        .router
        .route(
            &s.v1.backend(),
            Some(&Backend::new("v2", "https://127.0.0.1:8443")),
            5,
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), RouterErrorKind::Invalid);
    let still = tally(&client(), &s.haproxy.url, &[], 10).await;
    assert_eq!(still.count(200, "v1"), 10);
}
