//! The request path: pick a version, rewrite the request for its upstream, send it over the
//! pooled client and hand the response back, labelled with the version. Bodies stream both
//! ways (hyper's `Incoming` is passed through, never collected). Counts every outcome on the
//! version's counters. Owns the upstream client; reads the table, never changes it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::api::VERSION_HEADER;
use crate::assign::{Assignment, Reason, assign};
use crate::config::ProxyConfig;
use crate::cookie;
use crate::headers;
use crate::routing::Routing;
use crate::table::Version;
use crate::tunnel::Tunnels;

/// What the proxy answers clients with: the upstream's streamed body, or a short text of its
/// own.
pub type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// Idle upstream connections are closed after this.
const POOL_IDLE: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Forwarder {
    routing: Arc<Routing>,
    /// Keeps connections to upstreams alive between requests (per host and port). Its
    /// connection tasks end when the client is dropped with the last `Forwarder` handle.
    client: Client<HttpConnector, Incoming>,
    cookie: String,
    response_timeout: Duration,
    draws: Mutex<StdRng>,
    tunnels: Tunnels,
}

impl Forwarder {
    pub fn new(routing: Arc<Routing>, config: &ProxyConfig, tunnels: Tunnels) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(config.timeouts.connect));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(POOL_IDLE)
            .build(connector);
        let draws = config
            .seed
            .map_or_else(StdRng::from_os_rng, StdRng::seed_from_u64);
        Forwarder {
            routing,
            client,
            cookie: config.sticky_cookie.clone(),
            response_timeout: config.timeouts.response_headers,
            draws: Mutex::new(draws),
            tunnels,
        }
    }

    pub async fn handle(&self, req: Request<Incoming>, client: SocketAddr) -> Response<ProxyBody> {
        let table = self.routing.table();
        let forced = req
            .headers()
            .get(VERSION_HEADER)
            .and_then(|v| v.to_str().ok());
        let sticky = cookie::value(req.headers(), &self.cookie);
        let Assignment { version, reason } = assign(&table, forced, sticky, self.ticket());
        version.counters.request();
        let mut response = self.forward(req, version, client).await;
        let headers = response.headers_mut();
        if let Ok(name) = HeaderValue::from_str(&version.name) {
            headers.insert(VERSION_HEADER, name);
        }
        if reason == Reason::Drawn {
            if let Some(c) = cookie::set_cookie(&self.cookie, &version.name) {
                headers.append(header::SET_COOKIE, c);
            }
        }
        response
    }

    /// A uniform draw from 0 to 99.
    fn ticket(&self) -> u32 {
        self.draws
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .random_range(0..100)
    }

    async fn forward(
        &self,
        mut req: Request<Incoming>,
        version: &Version,
        client: SocketAddr,
    ) -> Response<ProxyBody> {
        let upgrade = headers::upgrade_request(req.headers());
        let client_side = upgrade.is_some().then(|| hyper::upgrade::on(&mut req));
        let (mut parts, body) = req.into_parts();
        parts.uri = match version.upstream.uri_for(parts.uri.path_and_query()) {
            Ok(uri) => uri,
            Err(_) => return text(StatusCode::BAD_REQUEST, "bad request target"),
        };
        parts.version = http::Version::HTTP_11;
        let host = parts.headers.get(header::HOST).cloned();
        headers::remove_hop_by_hop(&mut parts.headers);
        if let Some(protocol) = upgrade {
            headers::keep_upgrade(&mut parts.headers, protocol);
        }
        headers::add_forwarded(&mut parts.headers, client.ip(), host);
        if let Ok(name) = HeaderValue::from_str(&version.name) {
            parts.headers.insert(VERSION_HEADER, name);
        }

        let started = Instant::now();
        let sent = tokio::time::timeout(
            self.response_timeout,
            self.client.request(Request::from_parts(parts, body)),
        )
        .await;
        let name = &version.name;
        let mut response = match sent {
            Ok(Ok(response)) => response,
            Ok(Err(e)) if e.is_connect() => {
                version.counters.connect_error();
                tracing::warn!(
                    "version {name}: cannot connect to {}: {}",
                    version.upstream.url(),
                    chain(&e)
                );
                return text(
                    StatusCode::BAD_GATEWAY,
                    &format!("bad gateway: version {name} is unreachable"),
                );
            }
            Ok(Err(e)) => {
                version.counters.response_error();
                tracing::warn!(
                    "version {name}: {} failed before answering: {}",
                    version.upstream.url(),
                    chain(&e)
                );
                return text(
                    StatusCode::BAD_GATEWAY,
                    &format!("bad gateway: version {name} failed to answer"),
                );
            }
            Err(_) => {
                version.counters.response_error();
                tracing::warn!(
                    "version {name}: {} sent no response headers within {:?}",
                    version.upstream.url(),
                    self.response_timeout
                );
                return text(
                    StatusCode::GATEWAY_TIMEOUT,
                    &format!("gateway timeout: version {name} did not answer in time"),
                );
            }
        };
        version
            .counters
            .response(response.status(), started.elapsed());

        let switched = response.status() == StatusCode::SWITCHING_PROTOCOLS;
        let protocol = response.headers().get(header::UPGRADE).cloned();
        headers::remove_hop_by_hop(response.headers_mut());
        if let (true, Some(client_side), Some(protocol)) = (switched, client_side, protocol) {
            let upstream_side = hyper::upgrade::on(&mut response);
            self.tunnels.open(name.clone(), client_side, upstream_side);
            headers::keep_upgrade(response.headers_mut(), protocol);
        }
        response.map(BodyExt::boxed)
    }
}

/// A short text answer of the proxy's own (never internal detail: that goes to the log).
pub fn text(status: StatusCode, message: &str) -> Response<ProxyBody> {
    let body = Full::new(Bytes::from(format!("{message}\n")))
        .map_err(|never| match never {})
        .boxed();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// An error with its causes, `: `-separated (hyper's own text is only the outermost).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
