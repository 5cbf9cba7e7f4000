//! A version's URL as the address an HAProxy slot connects to: `set server … addr` takes an IP
//! and a port, so names are resolved here (once per route, within the call's deadline).

use std::net::{IpAddr, SocketAddr};

use tokio::time::timeout_at;
use url::{Host, Url};

use crate::error::RouterError;
use crate::error::RouterErrorKind;

use super::socket::RuntimeSocket;

/// The address for `url` (`http://127.0.0.1:8081`, `http://localhost:8081`).
pub async fn resolve(socket: &RuntimeSocket<'_>, url: &str) -> Result<SocketAddr, RouterError> {
    let invalid = |detail: String| socket.error(RouterErrorKind::Invalid, detail);
    let parsed = Url::parse(url).map_err(|e| invalid(format!("`{url}` is not a URL: {e}")))?;
    if parsed.scheme() != "http" {
        return Err(invalid(format!(
            "`{url}` is not http: HAProxy's slots speak plain HTTP to the versions"
        )));
    }
    if parsed.path() != "/" || parsed.query().is_some() {
        return Err(invalid(format!(
            "`{url}` has a path: HAProxy forwards request paths as they come, so give the \
             version's base URL (http://HOST:PORT)"
        )));
    }
    let port = parsed.port_or_known_default().unwrap_or(80);
    let ip = match parsed.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(Host::Domain(name)) => {
            let found = timeout_at(socket.deadline, tokio::net::lookup_host((name, port)))
                .await
                .map_err(|_| {
                    socket.error(
                        RouterErrorKind::Unreachable,
                        format!("resolving `{name}` did not finish in time"),
                    )
                })?
                .map_err(|e| {
                    socket.error(
                        RouterErrorKind::Unreachable,
                        format!("cannot resolve `{name}` (in `{url}`): {e}"),
                    )
                })?
                .collect::<Vec<_>>();
            let first = found.iter().find(|a| a.is_ipv4()).or(found.first());
            first
                .ok_or_else(|| {
                    socket.error(
                        RouterErrorKind::Unreachable,
                        format!("`{name}` (in `{url}`) resolves to no address"),
                    )
                })?
                .ip()
        }
        None => return Err(invalid(format!("`{url}` has no host"))),
    };
    Ok(SocketAddr::new(ip, port))
}
