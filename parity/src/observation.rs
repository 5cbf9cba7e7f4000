//! [`Observation`]: what one environment showed, as plain serialisable data. The driver
//! ([`crate::observe`]) fills it in; everything else only reads it.

use serde::{Deserialize, Serialize};

/// What one environment showed when it was looked at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The base URL looked at.
    pub url: String,
    /// The URL's host. Compared values have it replaced by `{host}`: each environment naming
    /// itself is not a difference.
    pub host: String,
    /// The TLS session; `None` for an `http://` URL.
    pub tls: Option<Tls>,
    /// The answer to a request for the configured path (`/` by default).
    pub response: HttpResponse,
    /// The version document; `None` when no `version-path` is configured.
    pub version: Option<VersionDocument>,
    /// The probe commands' results, in the configured order.
    pub probes: Vec<ProbeResult>,
}

/// The negotiated TLS session and the certificates the server sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tls {
    /// e.g. `TLSv1.3`.
    pub protocol: String,
    /// The IANA-style name rustls gives, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher: String,
    /// The protocol agreed by ALPN when `h2` and `http/1.1` were offered; `None`: the server
    /// chose none (it speaks HTTP/1.1).
    pub alpn: Option<String>,
    /// The chain as the server sent it, leaf first.
    pub chain: Vec<Certificate>,
    /// Why the chain is not trusted (observed anyway, with `insecure-skip-verify`); `None`:
    /// it is.
    pub untrusted: Option<String>,
}

/// One certificate of a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// The subject's distinguished name, e.g. `CN=shop.example.com`.
    pub subject: String,
    pub issuer: String,
    /// The public key's algorithm, e.g. `ECDSA P-256` or `RSA 2048`.
    pub key: String,
    /// The end of its validity, RFC 3339.
    pub not_after: String,
    /// Whole days from the observation to `not_after` (negative: expired).
    pub days_left: i64,
}

/// The answer to one HTTP request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    /// Every header but `Set-Cookie` (see `cookies`), names lowercase, in the order received
    /// (repeated names repeat).
    pub headers: Vec<(String, String)>,
    /// The cookies set (`Set-Cookie`), in the order received.
    pub cookies: Vec<Cookie>,
}

impl HttpResponse {
    /// The values of header `name` (lowercase) joined by `, `, or `None` when absent.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// A cookie's name and flags; its value is never kept (it differs by nature and may be a
/// secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cookie {
    pub name: String,
    pub secure: bool,
    pub http_only: bool,
    /// `Strict`, `Lax` or `None` as written; `None` here when the attribute is absent.
    pub same_site: Option<String>,
    pub path: Option<String>,
}

/// What the version path answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum VersionDocument {
    /// A JSON document.
    Json(serde_json::Value),
    /// Something that is not one: why, e.g. `HTTP 404` or `not JSON: expected value at line 1`.
    Unusable(String),
}

/// A probe command's result in one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub name: String,
    pub outcome: ProbeOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum ProbeOutcome {
    /// It exited 0; its standard output, trimmed.
    Output(String),
    /// It exited otherwise, timed out or could not start: what happened.
    Failed(String),
}
