//! An in-process proxy on 127.0.0.1 port 0 (seeded draw), a client for its traffic side that
//! keeps no cookies of its own (each test says which cookie it sends), an admin client, and
//! a wait on a condition.

use std::future::Future;
use std::time::{Duration, Instant};

use gate_proxy::api::{self, Routes, VersionRoute};
use gate_proxy::{Proxy, ProxyConfig};
use serde_json::Value;

pub const TOKEN: &str = "test-admin-token-7f3a9c";
pub const SEED: u64 = 20_240_917;

pub fn routes(stable: &str, versions: &[(&str, &str, u32)]) -> Routes {
    Routes {
        stable: stable.into(),
        versions: versions
            .iter()
            .map(|(name, url, weight)| VersionRoute {
                name: (*name).into(),
                url: (*url).into(),
                weight: *weight,
            })
            .collect(),
    }
}

pub struct TestProxy {
    proxy: Option<Proxy>,
    pub url: String,
    pub admin: String,
    pub http: reqwest::Client,
}

/// What a client saw of one response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// `X-Gate-Version`.
    pub version: String,
    /// The version the `Set-Cookie` pins the client to, if the response set one.
    pub pinned: Option<String>,
    pub body: String,
}

impl TestProxy {
    pub async fn start(routes: Routes) -> TestProxy {
        TestProxy::start_with(routes, |_| {}).await
    }

    pub async fn start_with(routes: Routes, adjust: impl FnOnce(&mut ProxyConfig)) -> TestProxy {
        let any = "127.0.0.1:0".parse().expect("address");
        let mut config = ProxyConfig::new(any, any, TOKEN);
        config.routes = Some(routes);
        config.seed = Some(SEED);
        adjust(&mut config);
        let proxy = Proxy::start(config).await.expect("proxy starts");
        TestProxy {
            url: format!("http://{}", proxy.proxy_addr()),
            admin: format!("http://{}", proxy.admin_addr()),
            proxy: Some(proxy),
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
        }
    }

    /// GET `path` with the sticky cookie set to `cookie` (if any).
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        self.get_with(path, cookie, &[]).await
    }

    pub async fn get_with(
        &self,
        path: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.get(format!("{}{path}", self.url));
        if let Some(v) = cookie {
            req = req.header("cookie", format!("other=1; gate_version={v}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("proxy answers");
        let status = resp.status().as_u16();
        let version = resp
            .headers()
            .get(api::VERSION_HEADER)
            .map(|v| v.to_str().expect("ascii").to_string())
            .unwrap_or_default();
        let pinned = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("gate_version="))
            .map(|c| c.split(';').next().unwrap_or_default().to_string());
        let body = resp.text().await.expect("body");
        Reply {
            status,
            version,
            pinned,
            body,
        }
    }

    /// An admin request: (status, JSON body or Null).
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.admin));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("admin answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn put_routes(&self, routes: &Routes) {
        let body = serde_json::to_value(routes).expect("json");
        let (status, answer) = self
            .admin(
                reqwest::Method::PUT,
                api::ROUTES_PATH,
                Some(TOKEN),
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
    }

    pub async fn heartbeat(&self, timeout_ms: u64) -> api::Watchdog {
        let body = serde_json::json!({ "timeout_ms": timeout_ms });
        let (status, answer) = self
            .admin(
                reqwest::Method::POST,
                api::HEARTBEAT_PATH,
                Some(TOKEN),
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        serde_json::from_value(answer).expect("watchdog status")
    }

    pub async fn state(&self) -> api::State {
        let (status, answer) = self
            .admin(reqwest::Method::GET, api::STATE_PATH, Some(TOKEN), None)
            .await;
        assert_eq!(status, 200, "{answer}");
        serde_json::from_value(answer).expect("state")
    }

    pub async fn counters(&self, version: &str) -> api::Counters {
        self.state()
            .await
            .versions
            .into_iter()
            .find(|v| v.name == version)
            .unwrap_or_else(|| panic!("no version {version}"))
            .counters
    }

    /// Shuts the proxy down and checks it drained cleanly.
    pub async fn stop(mut self) {
        let proxy = self.proxy.take().expect("running");
        assert_eq!(proxy.shutdown().await, gate_proxy::Drained::Finished);
    }
}

/// Polls `check` until it holds, panicking with `what` after `limit`.
pub async fn wait_until<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let until = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < until, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
