//! `gate parity` end to end: the real `gate` binary compares two real HTTPS servers on
//! loopback (tokio-rustls and hyper, started by the test with certificates made by rcgen)
//! that differ in TLS version and cipher, ALPN, security headers, cookie flags and their
//! `/version` documents, and probe commands whose outputs differ. Last, a real `gate serve`
//! with `[parity] hold-deploys` refuses a deploy while staging differs, and audits why.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;
#[path = "parity/https.rs"]
mod https;

use std::path::Path;
use std::process::Output;

use common::server::{ADMIN_TOKEN, READ_TOKEN, Server, ServerSpec, sha};
use common::{gate, text};
use https::{HttpsServer, Site, TestCa};
use serde_json::Value;
use tokio_rustls::rustls::{self, CipherSuite};

/// Staging as a test would configure it differently from production: TLS 1.2 only with one
/// cipher, HTTP/1.1 only, no HSTS, a frame policy of its own, a session cookie without
/// Secure or SameSite, newer app and database versions.
const TLS12_ONLY: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];

fn drifted_staging() -> Site {
    Site {
        versions: TLS12_ONLY,
        cipher: Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256),
        alpn: vec!["http/1.1"],
        headers: vec![
            ("server", "shop/1.0"),
            ("x-frame-options", "SAMEORIGIN"),
            ("x-content-type-options", "nosniff"),
            ("cache-control", "no-store"),
        ],
        cookies: vec!["session=abc; Path=/; HttpOnly"],
        version: serde_json::json!({
            "app": "1.5.0",
            "runtime": "rust 1.85",
            "database": { "version": "17.0" }
        }),
    }
}

fn parity(dir: &Path, args: &[&str]) -> Output {
    gate(dir).arg("parity").args(args).output().unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(output)))
}

/// The row of `item` in `gate parity --json` output.
fn row<'a>(report: &'a Value, item: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item"] == item)
        .unwrap_or_else(|| panic!("no row {item} in {report:#}"))
}

fn config(dir: &Path, staging: &str, production: &str, ca: &Path, extra: &str) -> String {
    let path = dir.join("gate.toml");
    std::fs::write(
        &path,
        format!(
            r#"[parity]
staging = "{staging}"
production = "{production}"
version-path = "/version"
ca-file = "{}"
{extra}
[[parity.probes]]
name = "env"
command = "echo {{env}}"

[[parity.probes]]
name = "instance-size"
command = "echo m6i.large"
"#,
            ca.display()
        ),
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn each_difference_is_named_side_by_side_and_fails_parity() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = TestCa::new("gate parity test CA");
    // Renewed at different times: the days left differ, the window (14 days or more) not.
    let staging = HttpsServer::start(drifted_staging(), ca.leaf("staging.test", 20));
    let production = HttpsServer::start(Site::default(), ca.leaf("production.test", 80));
    let ca_file = ca.pem_file(tmp.path());
    let config = config(tmp.path(), &staging.url, &production.url, &ca_file, "");

    let out = parity(tmp.path(), &["--config", &config, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = json(&out);
    assert_eq!(report["holds"], false);
    let differs = |item: &str, s: &str, p: &str| {
        let r = row(&report, item);
        assert_eq!(
            (
                r["staging"].as_str(),
                r["production"].as_str(),
                r["status"].as_str()
            ),
            (Some(s), Some(p), Some("differs")),
            "{item}: {r:#}"
        );
    };
    differs("tls.protocol", "TLSv1.2", "TLSv1.3");
    let cipher = row(&report, "tls.cipher");
    assert_eq!(
        cipher["staging"],
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
    );
    assert_eq!(cipher["status"], "differs");
    differs("http.version", "http/1.1", "h2");
    differs("header.x-frame-options", "SAMEORIGIN", "DENY");
    let hsts = row(&report, "header.strict-transport-security");
    assert_eq!(
        (
            &hsts["staging"],
            hsts["production"].as_str(),
            hsts["status"].as_str()
        ),
        (&Value::Null, Some("max-age=63072000"), Some("differs"))
    );
    differs("cookie.session.secure", "no", "yes");
    differs("cookie.session.samesite", "(not set)", "Lax");
    differs("version.app", "1.5.0", "1.4.2");
    differs("version.database.version", "17.0", "16.2");
    differs("probe.env", "staging", "production");
    // What is alike is `same`; the subjects name their own hosts and are allowed to differ.
    for same in [
        "header.server",
        "cookie.session.httponly",
        "cookie.session.path",
        "version.runtime",
        "probe.instance-size",
        "tls.certificate.issuer",
        "tls.certificate.key",
        "tls.certificate.trusted",
        "tls.chain",
        "http.status",
    ] {
        assert_eq!(row(&report, same)["status"], "same", "{same}");
    }
    let subject = row(&report, "tls.certificate.subject");
    assert_eq!(subject["staging"], "CN=staging.test");
    assert_eq!(subject["status"], "allowed");
    assert_eq!(
        row(&report, "tls.certificate.issuer")["staging"],
        "CN=gate parity test CA"
    );
    assert_eq!(
        row(&report, "tls.certificate.key")["staging"],
        "EC prime256v1"
    );
    let expiry = row(&report, "tls.certificate.expiry");
    assert!(
        expiry["staging"]
            .as_str()
            .unwrap()
            .starts_with("20 days left ("),
        "{expiry:#}"
    );
    assert_eq!(expiry["status"], "allowed");
    assert_eq!(expiry["why"], "both valid for 14 days or more");
    // The cookie's value is never shown or compared.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("s3cr3t"));

    // The table for people: every item with both sides and the verdict.
    let out = parity(tmp.path(), &["--config", &config]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    let line = |item: &str| {
        table
            .lines()
            .find(|l| l.contains(&format!(" {item} ")))
            .unwrap_or_else(|| panic!("no line for {item}:\n{table}"))
            .to_string()
    };
    let protocol = line("tls.protocol");
    assert!(
        protocol.contains("TLSv1.2")
            && protocol.contains("TLSv1.3")
            && protocol.contains("DIFFERS"),
        "{protocol}"
    );
    assert!(line("header.server").contains("same"), "{table}");
    assert!(
        line("tls.certificate.subject")
            .contains("differs (allowed: each environment's certificate names its own host)"),
        "{table}"
    );
    let verdict = table.lines().last().unwrap();
    assert!(
        verdict.starts_with("parity: 10 differences not allowed (tls.protocol, tls.cipher, http.version, header.strict-transport-security, header.x-frame-options, cookie.session.secure, cookie.session.samesite, version.app, version.database.version, probe.env); 2 allowed differences, "),
        "{verdict}"
    );
}

#[test]
fn ignored_items_are_allowed_and_parity_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = TestCa::new("gate parity test CA");
    let staging = HttpsServer::start(drifted_staging(), ca.leaf("staging.test", 90));
    let production = HttpsServer::start(Site::default(), ca.leaf("production.test", 90));
    let ca_file = ca.pem_file(tmp.path());
    // Some ignored in the file, the rest on the command line; globs and whole families.
    let config = config(
        tmp.path(),
        &staging.url,
        &production.url,
        &ca_file,
        r#"ignore = ["tls.protocol", "tls.cipher", "cookie.*.secure", "cookie.*.samesite"]"#,
    );
    let args = [
        "--config",
        &config,
        "--ignore",
        "http.version",
        "--ignore",
        "header.*",
        "--ignore",
        "version",
        "--ignore",
        "probe.env",
        "--json",
    ];
    let out = parity(tmp.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = json(&out);
    assert_eq!(report["holds"], true);
    let protocol = row(&report, "tls.protocol");
    assert_eq!(protocol["status"], "allowed");
    assert_eq!(protocol["why"], "ignored: tls.protocol");
    assert_eq!(
        row(&report, "cookie.session.secure")["why"],
        "ignored: cookie.*.secure"
    );
    assert_eq!(
        row(&report, "version.database.version")["why"],
        "ignored: version"
    );
    assert_eq!(
        row(&report, "header.x-frame-options")["why"],
        "ignored: header.*"
    );
    assert_eq!(row(&report, "probe.env")["status"], "allowed");
    assert!(
        report["verdict"]
            .as_str()
            .unwrap()
            .starts_with("parity: staging matches production (11 allowed differences, "),
        "{}",
        report["verdict"]
    );
}

#[test]
fn identical_environments_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = TestCa::new("gate parity test CA");
    let staging = HttpsServer::start(Site::default(), ca.leaf("staging.test", 90));
    let production = HttpsServer::start(Site::default(), ca.leaf("production.test", 90));
    let ca_file = ca.pem_file(tmp.path()).display().to_string();
    let out = parity(
        tmp.path(),
        &[
            "--staging",
            &staging.url,
            "--production",
            &production.url,
            "--ca-file",
            &ca_file,
            "--version-path",
            "/version",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("DIFFERS"), "{stdout}");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("parity: staging matches production (1 allowed difference, "),
        "{stdout}"
    );
    assert!(stdout.contains("version.database.version"), "{stdout}");

    // Staging's certificate runs out within 14 days, production's does not: a difference.
    let expiring = HttpsServer::start(Site::default(), ca.leaf("staging.test", 5));
    let out = parity(
        tmp.path(),
        &[
            "--staging",
            &expiring.url,
            "--production",
            &production.url,
            "--ca-file",
            &ca_file,
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = json(&out);
    let expiry = row(&report, "tls.certificate.expiry");
    assert!(
        expiry["staging"]
            .as_str()
            .unwrap()
            .starts_with("5 days left ("),
        "{expiry:#}"
    );
    assert_eq!(expiry["status"], "differs");
}

#[test]
fn an_environment_that_cannot_be_observed_exits_3_and_says_why() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = TestCa::new("gate parity test CA");
    let staging = HttpsServer::start(Site::default(), ca.leaf("staging.test", 90));
    let ca_file = ca.pem_file(tmp.path()).display().to_string();
    // A port nothing listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let production = format!("https://{closed}");
    let out = parity(
        tmp.path(),
        &[
            "--staging",
            &staging.url,
            "--production",
            &production,
            "--ca-file",
            &ca_file,
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "error: cannot observe production (https://{closed}/): cannot connect to {closed}:"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: check that the URL is right"),
        "{stderr}"
    );

    // A certificate no trusted CA signed: refused with what to do, or observed on request.
    let out = parity(
        tmp.path(),
        &["--staging", &staging.url, "--production", &staging.url],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "the server's certificate is not trusted: invalid peer certificate: UnknownIssuer"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--ca-file"), "{stderr}");
    let out = parity(
        tmp.path(),
        &[
            "--staging",
            &staging.url,
            "--production",
            &staging.url,
            "--insecure-skip-verify",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = json(&out);
    let trusted = row(&report, "tls.certificate.trusted");
    assert_eq!(
        trusted["staging"],
        "no: invalid peer certificate: UnknownIssuer"
    );
    assert_eq!(
        row(&report, "tls.certificate.subject")["staging"],
        "CN=staging.test"
    );
}

#[test]
fn bad_settings_are_usage_errors_that_say_where() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("gate.toml");
    std::fs::write(
        &path,
        "[parity]\nstaging = \"staging.example.com\"\nignore = [\"hedaer.server\"]\n\n[[parity.probes]]\nname = \"db\"\n",
    )
    .unwrap();
    let out = parity(tmp.path(), &["--config", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "gate.toml:2:11",
        "`staging` in `[parity]`",
        "gate.toml:3:11",
        "did you mean `header`?",
        "`command`",
    ] {
        assert!(stderr.contains(expected), "{expected}:\n{stderr}");
    }

    let out = parity(
        tmp.path(),
        &[
            "--staging",
            "https://a.example",
            "--production",
            "https://b.example",
            "--ignore",
            "header.x-frame-option",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--ignore"), "{stderr}");
    assert!(
        stderr.contains("did you mean `header.x-frame-options`?"),
        "{stderr}"
    );

    let out = parity(tmp.path(), &["--staging", "https://a.example"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: no production URL: pass --production URL"),
        "{stderr}"
    );
}

#[test]
fn a_server_that_holds_deploys_refuses_one_while_staging_differs_and_audits_why() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = TestCa::new("gate parity test CA");
    let staging = HttpsServer::start(drifted_staging(), ca.leaf("staging.test", 90));
    let production = HttpsServer::start(Site::default(), ca.leaf("production.test", 90));
    let ca_file = ca.pem_file(tmp.path());
    // A service whose router (a gate proxy nobody runs) is never reached: the deploy stops
    // at the checks.
    let extra = format!(
        r#"
[[services]]
name = "shop"
router = {{ kind = "proxy", admin-url = "http://127.0.0.1:1", token-env = "GATE_TEST_PROXY_TOKEN" }}
stable = {{ version = "v1", url = "http://127.0.0.1:9" }}
hooks = {{ up = "echo http://127.0.0.1:9" }}

[parity]
staging = "{}"
production = "{}"
ca-file = "{}"
ignore = ["cookie"]
hold-deploys = true
"#,
        staging.url,
        production.url,
        ca_file.display()
    );
    let spec = ServerSpec {
        workers: 0,
        extra,
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start_with_env(
        tmp.path(),
        &spec,
        &[("GATE_TEST_PROXY_TOKEN", "proxy-token-not-used")],
    );
    let commit = sha("drifted");
    let deploy = gate(tmp.path())
        .args(["deploy", "--server", &server.url, "--token", ADMIN_TOKEN])
        .args(["--service", "shop", "--version", "v2", "--commit", &commit])
        .output()
        .unwrap();
    assert_eq!(deploy.status.code(), Some(2), "{}", text(&deploy));
    let stderr = String::from_utf8_lossy(&deploy.stderr);
    for expected in [
        "deploy refused",
        "has no gate run",
        "staging does not match production: ",
        "(tls.protocol, tls.cipher, http.version, header.strict-transport-security, header.x-frame-options)",
        "gate parity --config gate.toml",
        "--force --reason",
    ] {
        assert!(stderr.contains(expected), "{expected}:\n{stderr}");
    }
    let export = gate(tmp.path())
        .args([
            "audit",
            "export",
            "--server",
            &server.url,
            "--token",
            READ_TOKEN,
        ])
        .output()
        .unwrap();
    assert_eq!(export.status.code(), Some(0), "{}", text(&export));
    let refusal: Value = String::from_utf8_lossy(&export.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["action"] == "deploy_refused")
        .unwrap_or_else(|| panic!("no refusal: {}", text(&export)));
    let reason = refusal["reason"].as_str().unwrap();
    assert!(
        reason.contains("has no gate run; staging does not match production: 5 differences not allowed (tls.protocol, "),
        "{reason}"
    );
}
