//! `[digest]` in `gate.toml`: the keys, their defaults, secrets from the environment, and a
//! clear diagnostic (file:line:col, the key, what to write) for each kind of mistake.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use gate_server::config::{self, ServerConfig, SmtpSecurity};

fn parse(text: &str, vars: &[(&str, &str)]) -> Result<ServerConfig, String> {
    let env = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    config::parse("gate.toml", text, &env).map_err(|e| e.render(false))
}

const FULL: &str = r#"
[digest]
schedule = "friday 17:30"
time-zone = "Europe/Berlin"
dashboard-url = "https://grafana.example.com/d/dora"

[digest.email]
smtp-url = "smtp://mail.example.com"
starttls = "required"
username = "gate"
password-env = "GATE_SMTP_PASSWORD"
from = "gate <gate@example.com>"
to = ["team@example.com"]

[digest.slack]
webhook-url-env = "GATE_SLACK_WEBHOOK_URL"
"#;

const SECRETS: [(&str, &str); 2] = [
    ("GATE_SMTP_PASSWORD", "hunter2-smtp"),
    (
        "GATE_SLACK_WEBHOOK_URL",
        "https://hooks.slack.com/services/T0/B0/XYZ",
    ),
];

#[test]
fn every_key_is_read_and_secrets_come_from_the_environment() {
    let c = parse(FULL, &SECRETS).unwrap();
    let d = c.digest.unwrap();
    assert_eq!(d.schedule.to_string(), "friday 17:30");
    assert_eq!(d.time_zone_name, "Europe/Berlin");
    assert_eq!(
        d.dashboard_url.as_deref(),
        Some("https://grafana.example.com/d/dora")
    );
    let email = d.email.unwrap();
    assert_eq!((email.host.as_str(), email.port), ("mail.example.com", 587));
    assert_eq!(email.security, SmtpSecurity::StartTls);
    assert_eq!(email.password.as_deref(), Some("hunter2-smtp"));
    assert!(
        !format!("{email:?}").contains("hunter2"),
        "the password is redacted"
    );
    let slack = d.slack.unwrap();
    assert!(
        !format!("{slack:?}").contains("XYZ"),
        "the webhook URL is redacted"
    );
}

#[test]
fn an_empty_section_is_monday_eight_in_utc_with_no_channel() {
    let d = parse("[digest]\n", &[]).unwrap().digest.unwrap();
    assert_eq!(d.schedule.to_string(), "monday 08:00");
    assert_eq!(d.time_zone_name, "UTC");
    assert!(d.channels().is_empty());
    assert!(parse("", &[]).unwrap().digest.is_none());
}

#[test]
fn a_bad_schedule_names_the_key_and_the_fix() {
    let e = parse("[digest]\nschedule = \"mondy 8am\"\n", &[]).unwrap_err();
    assert!(e.contains("gate.toml:2:12"), "{e}");
    assert!(e.contains("`schedule` in `[digest]`"), "{e}");
    let e = parse("[digest]\nschedule = \"mondy 08:00\"\n", &[]).unwrap_err();
    assert!(
        e.contains("names no weekday: `mondy`") && e.contains("did you mean `monday`?"),
        "{e}"
    );
}

#[test]
fn a_bad_time_zone_names_the_key_and_suggests_one() {
    let e = parse("[digest]\ntime-zone = \"Europe/Berln\"\n", &[]).unwrap_err();
    assert!(
        e.contains("`time-zone` in `[digest]` is not a known time zone: `Europe/Berln`"),
        "{e}"
    );
    assert!(e.contains("did you mean `Europe/Berlin`?"), "{e}");
}

#[test]
fn a_missing_password_or_webhook_variable_is_named_and_never_shown() {
    let e = parse(FULL, &[SECRETS[1]]).unwrap_err();
    assert!(
        e.contains("the environment variable GATE_SMTP_PASSWORD (the SMTP password) is not set"),
        "{e}"
    );
    let e = parse(FULL, &[SECRETS[0]]).unwrap_err();
    assert!(
        e.contains("GATE_SLACK_WEBHOOK_URL (the Slack webhook URL) is not set"),
        "{e}"
    );
    let bad = [
        SECRETS[0],
        ("GATE_SLACK_WEBHOOK_URL", "hooks.slack.com/secret-part"),
    ];
    let e = parse(FULL, &bad).unwrap_err();
    assert!(
        e.contains("the webhook URL in the environment variable GATE_SLACK_WEBHOOK_URL"),
        "{e}"
    );
    assert!(!e.contains("secret-part"), "the URL is a secret: {e}");
}

#[test]
fn email_mistakes_are_caught_up_front() {
    let base = "[digest.email]\nfrom = \"gate@example.com\"\nto = [\"team@example.com\"]\n";
    let e = parse(&format!("[digest]\n{base}"), &[]).unwrap_err();
    assert!(
        e.contains("`[digest.email]` needs `smtp-url` or `host`"),
        "{e}"
    );
    let e = parse(
        &format!("[digest]\n{base}smtp-url = \"http://mail.example.com\"\n"),
        &[],
    )
    .unwrap_err();
    assert!(
        e.contains("`smtp-url` in `[digest.email]` must be an smtp:// or smtps:// URL"),
        "{e}"
    );
    let e = parse(
        &format!("[digest]\n{base}host = \"m\"\nusername = \"u\"\n"),
        &[],
    )
    .unwrap_err();
    assert!(
        e.contains("`username` in `[digest.email]` needs `password-env`"),
        "{e}"
    );
    let e = parse(
        &format!("[digest]\n{base}host = \"m\"\nstarttls = \"maybe\"\n"),
        &[],
    )
    .unwrap_err();
    assert!(e.contains("unknown STARTTLS mode `maybe`"), "{e}");
    let e = parse(
        "[digest]\n[digest.email]\nhost = \"m\"\nfrom = \"not an address\"\nto = [\"team@example.com\"]\n",
        &[],
    )
    .unwrap_err();
    assert!(
        e.contains("`from` in `[digest.email]` is not an e-mail address"),
        "{e}"
    );
    let c = parse(
        &format!("[digest]\n{base}smtp-url = \"smtps://mail.example.com\"\n"),
        &[],
    )
    .unwrap();
    let email = c.digest.unwrap().email.unwrap();
    assert_eq!((email.port, email.security), (465, SmtpSecurity::Tls));
}
