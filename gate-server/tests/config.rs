//! `gate.toml` as the server reads it: the starter file, layering (defaults, file,
//! environment), paths relative to the file, secrets from the environment. The broken cases
//! and their exact diagnostics are in `config_golden.rs`.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::path::PathBuf;
use std::time::Duration;

use gate_server::auth::{Scope, Tokens, generate_token, hash_token};
use gate_server::config::{self, ServerConfig};

fn no_env(_: &str) -> Option<String> {
    None
}

fn parse_with(text: &str, vars: &[(&str, &str)]) -> ServerConfig {
    let env = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    config::parse("gate.toml", text, &env).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_starter_file_parses_to_the_defaults() {
    let c = config::parse("gate.toml", config::init_template(), &no_env).unwrap();
    let empty = config::parse("gate.toml", "", &no_env).unwrap();
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(c.listen, "127.0.0.1:8470");
    assert_eq!(c.database_url, "sqlite://gate.db");
    assert_eq!(c.public_url, "http://127.0.0.1:8470");
    assert_eq!(c.scenarios, [PathBuf::from("scenarios")]);
    assert_eq!(c.default_base_url, None);
    assert_eq!(c.workers, cores);
    assert_eq!((c.browser.clone(), c.browser_args.clone()), (None, vec![]));
    assert_eq!(c.recycle_after, gate_runner::DEFAULT_RECYCLE_AFTER);
    assert_eq!(c.step_timeout, Duration::from_secs(5));
    assert_eq!(c.scenario_timeout, Duration::from_secs(120));
    assert_eq!(c.lease, Duration::from_secs(60));
    assert_eq!(c.max_leases, 3);
    assert_eq!(c.max_body, 1024 * 1024);
    assert_eq!(c.request_timeout, Duration::from_secs(30));
    assert!(c.tokens.is_empty() && c.webhook.is_none() && c.publish.is_none());
    // The file shows the defaults: an empty file means the same.
    assert_eq!(format!("{c:?}"), format!("{empty:?}"));
}

#[test]
fn every_commented_example_in_the_starter_file_is_valid() {
    let hash = hash_token(&generate_token());
    let uncommented: String = config::init_template()
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest.to_string(),
            _ => line.to_string(),
        })
        .map(|line| line.replace("sha256:<64 hex digits printed by gate token>", &hash))
        .collect::<Vec<_>>()
        .join("\n");
    let c = parse_with(
        &uncommented,
        &[
            ("GATE_WEBHOOK_SECRET", "s3cret"),
            ("GITHUB_TOKEN", "ghp_x"),
            ("GATE_PROXY_TOKEN", "proxy-token"),
            ("GATE_SMTP_PASSWORD", "smtp-password"),
            (
                "GATE_SLACK_WEBHOOK_URL",
                "https://hooks.slack.com/services/T0/B0/X",
            ),
        ],
    );
    assert_eq!(c.public_url, "https://gate.example.com");
    let parity = c.parity.as_ref().unwrap();
    assert_eq!(
        parity.staging.as_deref(),
        Some("https://staging.example.com")
    );
    assert_eq!(parity.probes[0].name, "postgres");
    let digest = c.digest.as_ref().unwrap();
    assert_eq!(digest.schedule.to_string(), "monday 08:00");
    assert_eq!(digest.channels(), ["email", "slack"]);
    // The commented service shows the canary policy's defaults (and the optional latency bound).
    let [shop] = c.services.as_slice() else {
        panic!("one service: {:?}", c.services)
    };
    assert_eq!(shop.name, "shop");
    let mut policy = config::canary::policy(&shop.canary);
    assert_eq!(policy.latency.take().map(|l| l.factor), Some(1.5));
    assert_eq!(policy, gate_deploy::CanaryPolicy::default());
    assert_eq!(c.workers, 4);
    assert_eq!(c.browser, Some(PathBuf::from("/usr/bin/chromium")));
    assert_eq!(c.browser_args, ["--lang=en-US"]);
    assert_eq!(c.recycle_after, 200);
    assert_eq!(c.tokens.len(), 1);
    assert_eq!(
        (c.tokens[0].name.as_str(), c.tokens[0].scopes.as_slice()),
        ("ci", &[Scope::Submit][..])
    );
    let webhook = c.webhook.unwrap();
    assert_eq!(webhook.secret, "s3cret");
    assert_eq!(
        webhook.base_url.as_deref(),
        Some("https://pr-{pr}.staging.example.com")
    );
    let publish = c.publish.unwrap();
    assert_eq!(
        (
            publish.api_url.as_str(),
            publish.repository.as_str(),
            publish.token.as_str(),
            publish.context.as_str()
        ),
        (
            "https://api.github.com",
            "owner/name",
            "ghp_x",
            "gate/scenarios"
        )
    );
}

#[test]
fn the_environment_overrides_the_file() {
    let file = r#"
listen = "127.0.0.1:9000"
database-url = "sqlite://file.db"
workers = 1
scenarios = ["from-file"]
default-base-url = "https://file.example.com"
browser = "/opt/file-chromium"
"#;
    let from_file = parse_with(file, &[]);
    assert_eq!(
        from_file.public_url, "http://127.0.0.1:9000",
        "follows listen"
    );
    let c = parse_with(
        file,
        &[
            ("GATE_LISTEN", "0.0.0.0:9100"),
            ("GATE_DATABASE_URL", "postgres://gate:pw@db/gate"),
            ("GATE_WORKERS", "0"),
            ("GATE_SCENARIOS", "a:b/c::"),
            ("GATE_DEFAULT_BASE_URL", "https://env.example.com/"),
            ("GATE_BROWSER", "/usr/bin/chromium"),
        ],
    );
    assert_eq!(c.listen, "0.0.0.0:9100");
    assert_eq!(
        c.public_url, "http://127.0.0.1:9100",
        "a link a browser can open"
    );
    assert_eq!(c.database_url, "postgres://gate:pw@db/gate");
    assert_eq!(c.workers, 0);
    assert_eq!(c.scenarios, [PathBuf::from("a"), PathBuf::from("b/c")]);
    assert_eq!(
        c.default_base_url.as_deref(),
        Some("https://env.example.com")
    );
    assert_eq!(c.browser, Some(PathBuf::from("/usr/bin/chromium")));
    let c = parse_with(file, &[("GATE_PUBLIC_URL", "https://gate.example.com/")]);
    assert_eq!(c.public_url, "https://gate.example.com");
}

#[test]
fn recycling_browsers_can_be_tuned_or_turned_off_but_not_negative() {
    assert_eq!(parse_with("recycle-after = 0\n", &[]).recycle_after, 0);
    assert_eq!(parse_with("recycle-after = 50\n", &[]).recycle_after, 50);
    let err = config::parse("gate.toml", "recycle-after = -5\n", &no_env).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("recycle-after") && text.contains("gate.toml:1:"),
        "{text}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = "leese = \"1m\"\nworkers = \"two\"\n[publish]\nrepository = \"acme\"\n";
    let env = |name: &str| (name == "GATE_LISTEN").then(|| "nowhere".to_string());
    let err = config::parse("gate.toml", text, &env).unwrap_err();
    let messages: Vec<&str> = err.diagnostics().map(|d| d.message.as_str()).collect();
    // In the order of the file (a section's missing keys at its header), then the environment.
    assert_eq!(
        messages,
        [
            "unknown key `leese`",
            "`workers` must be an integer, found a string",
            "`[publish]` needs `token-env`",
            "`repository` in `[publish]` must be `owner/name`",
            "`GATE_LISTEN` must be an address with a port",
        ]
    );
    assert!(err.render(true).contains('\u{1b}'), "colour for terminals");
    assert!(!err.to_string().contains('\u{1b}'));
}

#[test]
fn secrets_come_from_the_environment_and_stay_out_of_debug_output() {
    let text = "[webhook]\nsecret-env = \"HOOK_SECRET\"\n\n[publish]\nrepository = \"acme/shop\"\ntoken-env = \"STATUS_TOKEN\"\napi-url = \"http://127.0.0.1:1/api/\"\ncontext = \"gate/e2e\"\n";
    let c = parse_with(
        text,
        &[
            ("HOOK_SECRET", "hook-s3cret"),
            ("STATUS_TOKEN", "ghp_s3cret"),
        ],
    );
    assert_eq!(c.webhook.as_ref().unwrap().secret, "hook-s3cret");
    let publish = c.publish.as_ref().unwrap();
    assert_eq!(publish.token, "ghp_s3cret");
    assert_eq!(
        publish.api_url, "http://127.0.0.1:1/api",
        "no trailing slash"
    );
    assert_eq!(publish.context, "gate/e2e");
    let debug = format!("{c:?}");
    assert!(!debug.contains("s3cret"), "{debug}");
}

#[test]
fn configured_tokens_authenticate() {
    let token = generate_token();
    let text = format!(
        "[[tokens]]\nname = \"ci\"\nhash = \"{}\"\nscopes = [\"submit\", \"read\"]\n",
        hash_token(&token)
            .to_uppercase()
            .replace("SHA256:", "sha256:")
    );
    let c = parse_with(&text, &[]);
    let tokens = Tokens::from_config(&c.tokens).unwrap();
    let who = tokens.authenticate(&token).unwrap();
    assert_eq!(who.name, "ci");
    assert!(who.allows(Scope::Submit) && !who.allows(Scope::Admin));
    assert_eq!((c.tokens[0].expires, c.tokens[0].revoked), (None, false));
}

#[test]
fn tokens_may_expire_and_be_revoked() {
    let entry = |name: &str, extra: &str| {
        format!(
            "[[tokens]]\nname = \"{name}\"\nhash = \"{}\"\nscopes = [\"read\"]\n{extra}\n",
            hash_token(name)
        )
    };
    let text = [
        entry("quoted", "expires = \"2027-01-01T01:00:00+01:00\""),
        entry("native", "expires = 2027-01-01T00:00:00Z"),
        entry("gone", "revoked = true"),
        entry("kept", "revoked = false"),
    ]
    .concat();
    let c = parse_with(&text, &[]);
    let at: jiff::Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
    let got: Vec<_> = c.tokens.iter().map(|t| (t.expires, t.revoked)).collect();
    assert_eq!(
        got,
        [
            (Some(at), false),
            (Some(at), false),
            (None, true),
            (None, false)
        ]
    );
}

#[test]
fn load_takes_relative_paths_from_the_files_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("deploy");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("gate.toml");
    std::fs::write(
        &file,
        "scenarios = [\"suite\", \"/abs/suite\"]\ndatabase-url = \"sqlite://data/gate.db\"\n",
    )
    .unwrap();
    let c = config::load(&file).unwrap();
    assert_eq!(
        c.scenarios,
        [dir.join("suite"), PathBuf::from("/abs/suite")]
    );
    assert_eq!(
        c.database_url,
        format!("sqlite://{}", dir.join("data/gate.db").display())
    );
    // The defaults are beside the file too.
    std::fs::write(&file, "").unwrap();
    let c = config::load(&file).unwrap();
    assert_eq!(c.scenarios, [dir.join("scenarios")]);
    assert_eq!(
        c.database_url,
        format!("sqlite://{}", dir.join("gate.db").display())
    );
}

#[test]
fn a_missing_file_says_how_to_make_one() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("gate.toml");
    let err = config::load(&missing).unwrap_err().to_string();
    assert!(
        err.starts_with("error: cannot read the configuration file: "),
        "{err}"
    );
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("`gate init`"), "{err}");
}

#[test]
fn parity_reads_every_key_with_defaults_and_paths_beside_the_file() {
    let text = r#"
[parity]
staging = "https://staging.example.com/"
production = "https://www.example.com"
version-path = "/version"
ignore = ["version.app", "cookie.*.path"]
ca-file = "certs/ca.pem"
insecure-skip-verify = true

[[parity.probes]]
name = "postgres"
command = "psql -h db.{env}.internal -Atc 'select version()'"

[[parity.probes]]
name = "size"
command = "echo {url}"
timeout = "5s"
"#;
    let c = config::parse("/etc/gate/gate.toml", text, &no_env).unwrap();
    let p = c.parity.unwrap();
    assert_eq!(p.staging.as_deref(), Some("https://staging.example.com"));
    assert_eq!(p.production.as_deref(), Some("https://www.example.com"));
    assert_eq!(
        (p.path.as_str(), p.version_path.as_deref()),
        ("/", Some("/version"))
    );
    let ignore: Vec<&str> = p.ignore.iter().map(|i| i.pattern()).collect();
    assert_eq!(ignore, ["version.app", "cookie.*.path"]);
    assert_eq!(p.ca_file, Some(PathBuf::from("/etc/gate/certs/ca.pem")));
    assert!(p.insecure_skip_verify);
    assert_eq!(p.timeout, Duration::from_secs(10));
    assert_eq!(p.dir, PathBuf::from("/etc/gate"));
    let probes: Vec<(&str, Duration)> = p
        .probes
        .iter()
        .map(|p| (p.name.as_str(), p.timeout))
        .collect();
    assert_eq!(
        probes,
        [
            ("postgres", Duration::from_secs(30)),
            ("size", Duration::from_secs(5))
        ]
    );
    assert!(
        config::parse("gate.toml", "", &no_env)
            .unwrap()
            .parity
            .is_none()
    );
}
