//! Real HTTPS servers on loopback for the parity tests: tokio-rustls terminating TLS with the
//! protocol versions, cipher suites and ALPN a [`Site`] names, in front of a hyper HTTP/1.1
//! service answering `/version` with the site's JSON and every other path with its headers
//! and cookies. Certificates come from a [`TestCa`] made in the test with rcgen.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, CipherSuite, ServerConfig, SupportedProtocolVersion};

/// A certificate authority made for one test.
pub struct TestCa {
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

/// A leaf certificate (with the chain sent) and its key.
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let key = rcgen::KeyPair::generate().unwrap();
        TestCa {
            issuer: rcgen::CertifiedIssuer::self_signed(params, key).unwrap(),
        }
    }

    /// Writes the CA certificate as PEM into `dir` and returns its path.
    pub fn pem_file(&self, dir: &Path) -> PathBuf {
        let path = dir.join("ca.pem");
        std::fs::write(&path, self.issuer.pem()).unwrap();
        path
    }

    /// A certificate for 127.0.0.1 and localhost with subject `CN=<common_name>`, valid from
    /// yesterday for `days` days from now.
    pub fn leaf(&self, common_name: &str, days: i64) -> Leaf {
        let mut params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()])
                .unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(1);
        // Half a day more, so that whole days left read `days` however long the test takes.
        params.not_after = now + time::Duration::days(days) + time::Duration::hours(12);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            chain: vec![cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

/// How one server is set up and what it answers.
#[derive(Clone)]
pub struct Site {
    pub versions: &'static [&'static SupportedProtocolVersion],
    /// Only this cipher suite; `None`: ring's defaults.
    pub cipher: Option<CipherSuite>,
    pub alpn: Vec<&'static str>,
    pub headers: Vec<(&'static str, &'static str)>,
    /// `Set-Cookie` values.
    pub cookies: Vec<&'static str>,
    /// The `/version` document.
    pub version: serde_json::Value,
}

impl Default for Site {
    fn default() -> Site {
        Site {
            versions: rustls::ALL_VERSIONS,
            cipher: None,
            alpn: vec!["h2", "http/1.1"],
            headers: vec![
                ("server", "shop/1.0"),
                ("strict-transport-security", "max-age=63072000"),
                ("x-frame-options", "DENY"),
                ("x-content-type-options", "nosniff"),
                ("cache-control", "no-store"),
            ],
            cookies: vec!["session=s3cr3t; Path=/; Secure; HttpOnly; SameSite=Lax"],
            version: serde_json::json!({
                "app": "1.4.2",
                "runtime": "rust 1.85",
                "database": { "version": "16.2" }
            }),
        }
    }
}

/// A running server; stopped (and its thread joined) when dropped.
pub struct HttpsServer {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HttpsServer {
    pub fn start(site: Site, leaf: Leaf) -> HttpsServer {
        let mut provider = ring::default_provider();
        if let Some(suite) = site.cipher {
            provider.cipher_suites.retain(|s| s.suite() == suite);
        }
        let mut config = ServerConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(site.versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(leaf.chain, leaf.key)
            .unwrap();
        config.alpn_protocols = site.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let site = Arc::new(site);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(serve(listener, acceptor, site, stopped));
        });
        HttpsServer {
            url,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until `stopped`; the connections' tasks end with the runtime.
async fn serve(
    listener: std::net::TcpListener,
    acceptor: TlsAcceptor,
    site: Arc<Site>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    loop {
        let (tcp, _) = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
        };
        let acceptor = acceptor.clone();
        let site = site.clone();
        tokio::spawn(async move {
            // A client that only looks at the handshake (or agreed on h2) closes here.
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper::service::service_fn(move |request| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(answer(&site, &request)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

fn answer<B>(site: &Site, request: &hyper::Request<B>) -> hyper::Response<Full<Bytes>> {
    if request.uri().path() == "/version" {
        return hyper::Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(site.version.to_string())))
            .unwrap();
    }
    let mut response = hyper::Response::builder().header("content-type", "text/html");
    for (name, value) in &site.headers {
        response = response.header(*name, *value);
    }
    for cookie in &site.cookies {
        response = response.header("set-cookie", *cookie);
    }
    response
        .body(Full::new(Bytes::from_static(b"<!doctype html><p>shop</p>")))
        .unwrap()
}
