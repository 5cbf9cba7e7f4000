//! A DevTools connection to a browser gate did not start itself: discovery of the WebSocket URL
//! from an HTTP endpoint, the connection, and the task that drives it.

use std::time::{Duration, Instant};

use chromiumoxide::Browser;
use chromiumoxide::handler::HandlerConfig;
use tokio::task::JoinHandle;

/// A connected browser and the task polling its connection.
pub(crate) struct Connection {
    pub browser: Browser,
    driver: JoinHandle<()>,
    /// The WebSocket URL it is connected to (names the browser instance).
    pub ws_url: String,
}

impl Connection {
    /// Connects to `endpoint`: an `http(s)://host:port` DevTools endpoint (the WebSocket URL is
    /// read from its `/json/version`) or a `ws(s)://` URL used as given.
    pub async fn open(endpoint: &str, http: &reqwest::Client) -> Result<Connection, String> {
        let ws_url = if endpoint.starts_with("ws://") || endpoint.starts_with("wss://") {
            endpoint.to_string()
        } else {
            websocket_url(endpoint, http).await?
        };
        let config = HandlerConfig {
            viewport: None,
            // Each CDP call has its own deadline in gate; this is only the outer backstop.
            request_timeout: Duration::from_secs(60),
            ..HandlerConfig::default()
        };
        let (browser, handler) = Browser::connect_with_config(ws_url.clone(), config)
            .await
            .map_err(|e| format!("cannot open the DevTools connection {ws_url}: {e}"))?;
        let driver = tokio::spawn(crate::browser::drive(handler));
        Ok(Connection {
            browser,
            driver,
            ws_url,
        })
    }

    /// Waits until `endpoint` answers (a browser starting up), then connects. Gives up at
    /// `limit`, or early when `still_starting` says the browser cannot come up any more.
    pub async fn open_when_ready<F, Fut>(
        endpoint: &str,
        http: &reqwest::Client,
        limit: Duration,
        mut still_starting: F,
    ) -> Result<Connection, String>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let started = Instant::now();
        let mut pause = Duration::from_millis(20);
        loop {
            match Connection::open(endpoint, http).await {
                Ok(c) => return Ok(c),
                Err(err) if started.elapsed() >= limit => {
                    return Err(format!(
                        "no DevTools endpoint at {endpoint} after {}s: {err}",
                        limit.as_secs()
                    ));
                }
                Err(_) => {}
            }
            still_starting().await?;
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    /// False once the DevTools connection ended (the browser or its container went away).
    pub fn is_alive(&self) -> bool {
        !self.driver.is_finished()
    }

    /// Ends the connection without closing the browser.
    pub async fn disconnect(mut self) {
        self.driver.abort();
        let _ = (&mut self.driver).await;
    }

    /// Asks the browser to exit, then ends the connection.
    pub async fn close_browser(mut self) {
        if self.is_alive() {
            let _ = tokio::time::timeout(Duration::from_secs(3), self.browser.close()).await;
        }
        // The connection ends when the browser has gone.
        if tokio::time::timeout(Duration::from_secs(3), &mut self.driver)
            .await
            .is_err()
        {
            self.disconnect().await;
        }
    }
}

/// The browser-level WebSocket URL that `endpoint`'s `/json/version` names, with its host and
/// port replaced by the endpoint's (a browser behind a published or forwarded port names its
/// own).
pub(crate) async fn websocket_url(
    endpoint: &str,
    http: &reqwest::Client,
) -> Result<String, String> {
    let base = endpoint.trim_end_matches('/');
    let url = format!("{base}/json/version");
    let response = http
        .get(&url)
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let version: serde_json::Value = response
        .json()
        .await
        .map_err(|e| format!("{url}: not a DevTools version document: {e}"))?;
    let ws = version["webSocketDebuggerUrl"]
        .as_str()
        .ok_or_else(|| format!("{url}: no webSocketDebuggerUrl"))?;
    let mut ws =
        reqwest::Url::parse(ws).map_err(|e| format!("{url}: bad webSocketDebuggerUrl: {e}"))?;
    let endpoint = reqwest::Url::parse(base).map_err(|e| format!("{endpoint}: {e}"))?;
    let _ = ws.set_host(endpoint.host_str());
    let _ = ws.set_port(endpoint.port_or_known_default());
    if endpoint.scheme() == "https" {
        let _ = ws.set_scheme("wss");
    }
    Ok(ws.to_string())
}
