//! The driver: looks at one real environment and returns its [`Observation`].
//!
//! One TLS handshake offering `h2` and `http/1.1` records the protocol version, cipher suite,
//! ALPN and the certificate chain (rustls exposes all of them; the certificates are read with
//! x509-parser). Then a `GET` of the configured path and, if configured, of the version
//! document, each over HTTP/1.1 (on the first connection when ALPN did not pick `h2`), records
//! the status, headers and `Set-Cookie` flags; redirects are not followed. Last, each probe
//! command runs through `sh -c` with a time limit. Every network step has the same time
//! limit. This module does I/O and nothing else: what the results mean is [`crate::compare`]'s.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{CryptoProvider, ring};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    self, ClientConfig, DigitallySignedStruct, ProtocolVersion, RootCertStore, SignatureScheme,
};
use url::Url;

use crate::observation::{
    Certificate, Cookie, HttpResponse, Observation, ProbeOutcome, ProbeResult, Tls, VersionDocument,
};

/// The largest version document read.
const MAX_VERSION_DOCUMENT: usize = 1 << 20;

/// What to look at besides TLS, and for how long.
#[derive(Debug, Clone)]
pub struct Options {
    /// The page whose headers and cookies are compared, e.g. `/`.
    pub path: String,
    /// The version document, e.g. `/version`.
    pub version_path: Option<String>,
    /// Limit of each connection, handshake and request.
    pub timeout: Duration,
    pub probes: Vec<Probe>,
    /// Where probe commands run.
    pub probe_dir: PathBuf,
}

/// A `[[parity.probes]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub name: String,
    /// Run through `sh -c`, `{env}` and `{url}` replaced.
    pub command: String,
    pub timeout: Duration,
}

impl Probe {
    /// The command for environment `env` at `url`.
    pub fn command_for(&self, env: &str, url: &str) -> String {
        self.command.replace("{env}", env).replace("{url}", url)
    }
}

/// The certificates trusted (the system's and a `ca-file`'s), and whether an untrusted one
/// is observed anyway.
#[derive(Clone)]
pub struct Trust {
    roots: Arc<RootCertStore>,
    insecure_skip_verify: bool,
    provider: Arc<CryptoProvider>,
}

/// A `ca-file` that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("cannot use the CA file {}: {problem}", path.display())]
pub struct TrustError {
    pub path: PathBuf,
    pub problem: String,
}

impl Trust {
    /// The system's roots and those of the PEM file `ca_file`; with `insecure_skip_verify` a
    /// certificate none of them vouches for is observed anyway (and reported as untrusted).
    pub fn load(ca_file: Option<&Path>, insecure_skip_verify: bool) -> Result<Trust, TrustError> {
        let mut roots = RootCertStore::empty();
        // Unreadable system certificates are skipped: a `ca-file` may be all that is needed.
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        if let Some(path) = ca_file {
            let problem = |problem: String| TrustError {
                path: path.to_path_buf(),
                problem,
            };
            let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| problem(e.to_string()))?
                .collect::<Result<_, _>>()
                .map_err(|e| problem(e.to_string()))?;
            if certificates.is_empty() {
                return Err(problem("it holds no PEM certificate".into()));
            }
            for certificate in certificates {
                roots
                    .add(certificate)
                    .map_err(|e| problem(format!("a certificate in it is not usable: {e}")))?;
            }
        }
        Ok(Trust {
            roots: Arc::new(roots),
            insecure_skip_verify,
            provider: Arc::new(ring::default_provider()),
        })
    }

    /// A client configuration offering `alpn`, and where its verifier records why the
    /// server's certificate was not trusted.
    fn client(&self, alpn: &[&[u8]]) -> (ClientConfig, Arc<Mutex<Option<String>>>) {
        let untrusted = Arc::new(Mutex::new(None));
        let inner =
            WebPkiServerVerifier::builder_with_provider(self.roots.clone(), self.provider.clone())
                .build()
                .map_err(|e| e.to_string());
        let verifier = Recording {
            inner,
            insecure: self.insecure_skip_verify,
            untrusted: untrusted.clone(),
            provider: self.provider.clone(),
        };
        let mut config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .expect("ring supports every TLS version rustls does")
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        (config, untrusted)
    }
}

/// Verifies as the WebPKI does and records a refusal; with `insecure` it lets the
/// handshake go on (the signatures are still checked), so the chain can be observed.
#[derive(Debug)]
struct Recording {
    /// `Err`: no trusted root at all.
    inner: Result<Arc<WebPkiServerVerifier>, String>,
    insecure: bool,
    untrusted: Arc<Mutex<Option<String>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = match &self.inner {
            Ok(inner) => {
                inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            Err(why) => Err(rustls::Error::General(format!("no trusted roots: {why}"))),
        };
        match verified {
            Ok(v) => Ok(v),
            Err(e) => {
                if let Ok(mut slot) = self.untrusted.lock() {
                    *slot = Some(e.to_string());
                }
                if self.insecure {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(e)
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Why an environment could not be observed.
#[derive(Debug, thiserror::Error)]
#[error("{env} ({url}): {kind}")]
pub struct ObserveError {
    /// `staging` or `production`.
    pub env: String,
    pub url: String,
    pub kind: ErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot connect to {address}: {source}")]
    Connect {
        address: String,
        source: std::io::Error,
    },
    #[error("the TLS handshake failed: {0}")]
    Handshake(std::io::Error),
    #[error("the server's certificate is not trusted: {0}")]
    Untrusted(String),
    #[error("no answer within {} ({what})", humantime::format_duration(*limit))]
    Timeout { what: String, limit: Duration },
    #[error("GET {path} failed: {problem}")]
    Http { path: String, problem: String },
    #[error("the URL has no host")]
    NoHost,
}

impl ObserveError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self.kind {
            ErrorKind::Untrusted(_) => {
                "trust its CA with --ca-file (ca-file in [parity]), or observe it anyway with --insecure-skip-verify"
            }
            ErrorKind::Connect { .. } | ErrorKind::Timeout { .. } => {
                "check that the URL is right and the environment is up"
            }
            _ => "check that the URL points at the environment's HTTPS (or HTTP) endpoint",
        }
    }
}

/// A connection to the environment: TLS or plain TCP.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One environment being observed.
struct Environment<'a> {
    env: &'a str,
    url: &'a Url,
    trust: &'a Trust,
    timeout: Duration,
}

/// Looks at environment `env` (`staging` or `production`) at `url`.
pub async fn observe(
    env: &str,
    url: &Url,
    trust: &Trust,
    options: &Options,
) -> Result<Observation, ObserveError> {
    let environment = Environment {
        env,
        url,
        trust,
        timeout: options.timeout,
    };
    let host = url.host_str().unwrap_or_default().to_string();
    let (tls, first) = if url.scheme() == "https" {
        let (stream, tls) = environment.handshake(&[b"h2", b"http/1.1"]).await?;
        // A connection that agreed on HTTP/2 cannot carry the HTTP/1.1 requests below.
        let reusable = tls.alpn.as_deref() != Some("h2");
        (Some(tls), reusable.then(|| Box::new(stream) as Box<dyn Io>))
    } else {
        (None, None)
    };
    let (response, _) = environment.get(&options.path, first, false).await?;
    let version = match &options.version_path {
        None => None,
        Some(path) => {
            let (answer, body) = environment.get(path, None, true).await?;
            Some(version_document(answer.status, &body))
        }
    };
    let mut probes = Vec::new();
    for probe in &options.probes {
        let command = probe.command_for(env, url.as_str().trim_end_matches('/'));
        probes.push(ProbeResult {
            name: probe.name.clone(),
            outcome: run_probe(&command, &options.probe_dir, probe.timeout).await,
        });
    }
    Ok(Observation {
        url: url.to_string(),
        host,
        tls,
        response,
        version,
        probes,
    })
}

impl Environment<'_> {
    fn error(&self, kind: ErrorKind) -> ObserveError {
        ObserveError {
            env: self.env.to_string(),
            url: self.url.to_string(),
            kind,
        }
    }

    async fn limited<T>(
        &self,
        what: &str,
        step: impl Future<Output = Result<T, ErrorKind>>,
    ) -> Result<T, ObserveError> {
        match tokio::time::timeout(self.timeout, step).await {
            Ok(result) => result.map_err(|kind| self.error(kind)),
            Err(_) => Err(self.error(ErrorKind::Timeout {
                what: what.to_string(),
                limit: self.timeout,
            })),
        }
    }

    async fn connect(&self) -> Result<TcpStream, ObserveError> {
        let host = self
            .url
            .host_str()
            .ok_or_else(|| self.error(ErrorKind::NoHost))?;
        let port = self.url.port_or_known_default().unwrap_or(443);
        let address = format!("{host}:{port}");
        self.limited("connecting", async {
            TcpStream::connect(&address)
                .await
                .map_err(|source| ErrorKind::Connect {
                    address: address.clone(),
                    source,
                })
        })
        .await
    }

    /// A TLS connection offering `alpn`, and what its handshake showed.
    async fn handshake(
        &self,
        alpn: &[&[u8]],
    ) -> Result<(tokio_rustls::client::TlsStream<TcpStream>, Tls), ObserveError> {
        let tcp = self.connect().await?;
        let name = match self.url.host() {
            Some(url::Host::Domain(d)) => ServerName::try_from(d.to_string()).ok(),
            Some(url::Host::Ipv4(ip)) => Some(ServerName::from(std::net::IpAddr::V4(ip))),
            Some(url::Host::Ipv6(ip)) => Some(ServerName::from(std::net::IpAddr::V6(ip))),
            None => None,
        }
        .ok_or_else(|| self.error(ErrorKind::NoHost))?;
        let (config, untrusted) = self.trust.client(alpn);
        let connector = TlsConnector::from(Arc::new(config));
        let stream = self
            .limited("the TLS handshake", async {
                connector.connect(name, tcp).await.map_err(|e| {
                    let why = untrusted.lock().ok().and_then(|slot| slot.clone());
                    match why {
                        Some(why) => ErrorKind::Untrusted(why),
                        None => ErrorKind::Handshake(e),
                    }
                })
            })
            .await?;
        let (_, session) = stream.get_ref();
        let protocol = match session.protocol_version() {
            Some(ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
            Some(ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
            Some(other) => format!("{other:?}"),
            None => "unknown".to_string(),
        };
        let cipher = session
            .negotiated_cipher_suite()
            .map_or("unknown".to_string(), |s| format!("{:?}", s.suite()));
        let alpn = session
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned());
        let now = time::OffsetDateTime::now_utc();
        let chain = session
            .peer_certificates()
            .unwrap_or_default()
            .iter()
            .map(|der| certificate(der, now))
            .collect();
        let untrusted = untrusted.lock().ok().and_then(|slot| slot.clone());
        Ok((
            stream,
            Tls {
                protocol,
                cipher,
                alpn,
                chain,
                untrusted,
            },
        ))
    }

    /// `GET path` over HTTP/1.1 on `connection` (a new one if `None`): the response, and its
    /// body if `read_body`.
    async fn get(
        &self,
        path: &str,
        connection: Option<Box<dyn Io>>,
        read_body: bool,
    ) -> Result<(HttpResponse, Bytes), ObserveError> {
        let io: Box<dyn Io> = match connection {
            Some(io) => io,
            None if self.url.scheme() == "https" => {
                Box::new(self.handshake(&[b"http/1.1"]).await?.0)
            }
            None => Box::new(self.connect().await?),
        };
        let target = self.url.join(path).map_err(|e| {
            self.error(ErrorKind::Http {
                path: path.to_string(),
                problem: format!("not a path: {e}"),
            })
        })?;
        let what = format!("GET {path}");
        let failed = |problem: String| ErrorKind::Http {
            path: path.to_string(),
            problem,
        };
        self.limited(&what, async {
            let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
                .await
                .map_err(|e| failed(e.to_string()))?;
            let request = async {
                let request = http::Request::get(&target[url::Position::BeforePath..])
                    .header(
                        http::header::HOST,
                        &target[url::Position::BeforeHost..url::Position::AfterPort],
                    )
                    .header(
                        http::header::USER_AGENT,
                        concat!("gate-parity/", env!("CARGO_PKG_VERSION")),
                    )
                    .body(http_body_util::Empty::<Bytes>::new())
                    .map_err(|e| failed(e.to_string()))?;
                let response = sender
                    .send_request(request)
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                let answer = http_response(&response);
                let body = if read_body {
                    http_body_util::Limited::new(response.into_body(), MAX_VERSION_DOCUMENT)
                        .collect()
                        .await
                        .map_err(|e| failed(format!("reading the body: {e}")))?
                        .to_bytes()
                } else {
                    Bytes::new()
                };
                Ok((answer, body))
            };
            // The connection is driven while the request runs and dropped (closed) after.
            tokio::select! {
                result = request => result,
                closed = connection => Err(failed(match closed {
                    Ok(()) => "the server closed the connection".to_string(),
                    Err(e) => e.to_string(),
                })),
            }
        })
        .await
    }
}

/// The status, headers and cookies of `response`.
fn http_response<B>(response: &http::Response<B>) -> HttpResponse {
    // Set-Cookie is kept as names and flags only: its values may be secrets.
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| *name != http::header::SET_COOKIE)
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let cookies = response
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| cookie::Cookie::parse(v.to_string()).ok())
        .map(|c| Cookie {
            name: c.name().to_string(),
            secure: c.secure().unwrap_or(false),
            http_only: c.http_only().unwrap_or(false),
            same_site: c.same_site().map(|s| s.to_string()),
            path: c.path().map(str::to_string),
        })
        .collect();
    HttpResponse {
        status: response.status().as_u16(),
        headers,
        cookies,
    }
}

fn version_document(status: u16, body: &[u8]) -> VersionDocument {
    if !(200..300).contains(&status) {
        return VersionDocument::Unusable(format!("HTTP {status}"));
    }
    match serde_json::from_slice(body) {
        Ok(json) => VersionDocument::Json(json),
        Err(e) => VersionDocument::Unusable(format!("not JSON: {e}")),
    }
}

/// One certificate as the report shows it; `now` is the observation's time.
fn certificate(der: &CertificateDer<'_>, now: time::OffsetDateTime) -> Certificate {
    use x509_parser::prelude::*;
    let Ok((_, cert)) = X509Certificate::from_der(der.as_ref()) else {
        return Certificate {
            subject: "(unparseable certificate)".into(),
            issuer: String::new(),
            key: String::new(),
            not_after: String::new(),
            days_left: 0,
        };
    };
    let not_after = cert.validity().not_after.to_datetime();
    let registry = x509_parser::objects::oid_registry();
    let spki = cert.public_key();
    let name = |oid: &x509_parser::der_parser::oid::Oid<'_>| {
        x509_parser::objects::oid2sn(oid, registry)
            .map_or_else(|_| oid.to_id_string(), str::to_string)
    };
    let key = match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(x509_parser::public_key::PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map_or_else(|| "unknown curve".to_string(), |oid| name(&oid));
            format!("EC {curve}")
        }
        _ => name(&spki.algorithm.algorithm),
    };
    Certificate {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        key,
        not_after: not_after
            .format(&::time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        days_left: (not_after - now).whole_days(),
    }
}

/// Runs `command` through `sh -c` in `dir`, for at most `limit`.
async fn run_probe(command: &str, dir: &Path, limit: Duration) -> ProbeOutcome {
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => return ProbeOutcome::Failed(format!("cannot start sh: {e}")),
    };
    match tokio::time::timeout(limit, child.wait_with_output()).await {
        Err(_) => ProbeOutcome::Failed(format!(
            "timed out after {}",
            humantime::format_duration(limit)
        )),
        Ok(Err(e)) => ProbeOutcome::Failed(e.to_string()),
        Ok(Ok(output)) if output.status.success() => {
            ProbeOutcome::Output(String::from_utf8_lossy(&output.stdout).trim().to_string())
        }
        Ok(Ok(output)) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
            match last {
                Some(line) => ProbeOutcome::Failed(format!("{}: {}", output.status, line.trim())),
                None => ProbeOutcome::Failed(output.status.to_string()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_commands_are_templated_per_environment() {
        let probe = Probe {
            name: "db".into(),
            command: "psql -h db.{env}.internal -c 'select version()' # {url}".into(),
            timeout: Duration::from_secs(5),
        };
        assert_eq!(
            probe.command_for("staging", "https://staging.example.com"),
            "psql -h db.staging.internal -c 'select version()' # https://staging.example.com"
        );
    }

    #[test]
    fn version_documents_that_are_not_json_say_why() {
        assert_eq!(
            version_document(404, b""),
            VersionDocument::Unusable("HTTP 404".into())
        );
        assert!(matches!(
            version_document(200, b"<html>"),
            VersionDocument::Unusable(why) if why.starts_with("not JSON")
        ));
        assert_eq!(
            version_document(200, br#"{"app":"1"}"#),
            VersionDocument::Json(serde_json::json!({"app": "1"}))
        );
    }

    #[tokio::test]
    async fn probes_report_output_failure_and_timeout() {
        let dir = std::env::temp_dir();
        let limit = Duration::from_secs(5);
        assert_eq!(
            run_probe("echo '  hello '", &dir, limit).await,
            ProbeOutcome::Output("hello".into())
        );
        let failed = run_probe("echo oops >&2; exit 3", &dir, limit).await;
        assert_eq!(failed, ProbeOutcome::Failed("exit status: 3: oops".into()));
        let slow = run_probe("sleep 5", &dir, Duration::from_millis(50)).await;
        assert_eq!(slow, ProbeOutcome::Failed("timed out after 50ms".into()));
    }
}
