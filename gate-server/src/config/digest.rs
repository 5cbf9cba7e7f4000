//! `[digest]`: when the weekly digest goes out (a weekday and time in a time zone) and where:
//! `[digest.email]` (an SMTP server, the sender and the recipients; the password in an
//! environment variable) and `[digest.slack]` (an incoming webhook whose URL, a secret, is
//! in an environment variable). Every URL and address is checked here, so a digest cannot
//! fail next Monday for a typo made today.

use gate_toml::duration::duration;
use gate_toml::{Invalid, Section, Sink, Value, read, suggest};
use jiff::tz::TimeZone;

use super::defaults::{DIGEST_TIME_ZONE, DIGEST_TIMEOUT};
use super::rules;
use super::secrets::{Env, SLACK_WEBHOOK, SMTP_PASSWORD};
use super::{DigestConfig, EmailConfig, SlackConfig, SmtpSecurity};
use crate::digest::Schedule;

const KEYS: [&str; 5] = ["schedule", "time-zone", "dashboard-url", "email", "slack"];
const EMAIL_KEYS: [&str; 9] = [
    "smtp-url",
    "host",
    "port",
    "starttls",
    "username",
    "password-env",
    "from",
    "to",
    "timeout",
];
const SLACK_KEYS: [&str; 2] = ["webhook-url-env", "timeout"];

pub(super) fn read(sink: &mut Sink<'_>, env: Env<'_>, value: &Value<'_>) -> Option<DigestConfig> {
    let mut s = Section::open(sink, "[digest]", value, &KEYS)?;
    let schedule = s.checked(sink, "schedule", Schedule::parse);
    let time_zone = s.checked(sink, "time-zone", time_zone);
    let dashboard_url = s.checked(
        sink,
        "dashboard-url",
        rules::http_url("https://grafana.example.com/d/dora"),
    );
    let email = s.read(sink, "email", |sink, _, value| email(sink, env, value));
    let slack = s.read(sink, "slack", |sink, _, value| slack(sink, env, value));
    s.finish(|| {
        let (time_zone_name, time_zone) =
            time_zone.unwrap_or_else(|| (DIGEST_TIME_ZONE.to_string(), TimeZone::UTC));
        Some(DigestConfig {
            schedule: schedule.unwrap_or_default(),
            time_zone,
            time_zone_name,
            dashboard_url,
            email,
            slack,
        })
    })
}

/// An IANA time zone name (`Europe/Berlin`), from the bundled time zone database.
fn time_zone(s: &str) -> Result<(String, TimeZone), Invalid> {
    match TimeZone::get(s) {
        Ok(zone) => Ok((s.to_string(), zone)),
        Err(_) => {
            let names: Vec<String> = jiff::tz::db()
                .available()
                .map(|n| n.as_str().to_string())
                .collect();
            let help = match suggest::closest(s, &names) {
                Some(meant) => format!("did you mean `{meant}`?"),
                None => "use an IANA time zone name, e.g. \"Europe/Berlin\" or \"UTC\"".into(),
            };
            Err(Invalid::new(
                format!("is not a known time zone: `{s}`"),
                "unknown time zone",
                help,
            ))
        }
    }
}

fn email(sink: &mut Sink<'_>, env: Env<'_>, value: &Value<'_>) -> Option<EmailConfig> {
    let mut s = Section::open(sink, "[digest.email]", value, &EMAIL_KEYS)?;
    let url = s.checked(sink, "smtp-url", smtp_url);
    let host = s.read(sink, "host", read::non_empty).map(str::to_string);
    let port = s.read(sink, "port", |sink, what, value| {
        read::integer(sink, what, value, 1..=65535).and_then(|p| u16::try_from(p).ok())
    });
    let starttls = s.read(sink, "starttls", |sink, what, value| {
        let valid = ["required", "opportunistic", "off"];
        read::one_of(sink, what, "STARTTLS mode", value, &valid).map(str::to_string)
    });
    let username = s
        .read(sink, "username", read::non_empty)
        .map(str::to_string);
    let password = s.read(sink, "password-env", |sink, what, value| {
        SMTP_PASSWORD.read(sink, env, what, value)
    });
    let from = s.checked(sink, "from", mailbox);
    let to = s.read(sink, "to", |sink, what, value| {
        let to = read::list(sink, what, value, mailbox)?;
        if to.is_empty() {
            sink.error(
                value.span(),
                format!("{what} must name at least one recipient"),
            )
            .label("no recipient")
            .help("e.g. to = [\"team@example.com\"]");
            return None;
        }
        Some(to)
    });
    let timeout = s.read(sink, "timeout", duration);
    s.require(
        sink,
        &["from", "to"],
        "name the sender and the recipients, e.g. from = \"gate <gate@example.com>\" and to = [\"team@example.com\"]",
    );
    let place = |s: &Section<'_, '_>, key| s.value(key).map(|v| v.span());
    let mut consistent = true;
    match (&url, &host, place(&s, "smtp-url"), place(&s, "host")) {
        (_, _, Some(_), Some(span)) => {
            sink.error(
                span,
                "`host` in `[digest.email]` cannot be used with `smtp-url`",
            )
            .label("give the server once")
            .help("write either smtp-url = \"smtp://mail.example.com:587\" or host and port");
            consistent = false;
        }
        (_, _, None, None) => {
            sink.error(value.span(), "`[digest.email]` needs `smtp-url` or `host`")
                .label("no SMTP server")
                .help("e.g. smtp-url = \"smtp://mail.example.com:587\"");
            consistent = false;
        }
        _ => {}
    }
    let without_password = s.value("password-env").is_none();
    if let (Some(_), None, Some(span), true) = (
        &username,
        &password,
        place(&s, "username"),
        without_password,
    ) {
        sink.error(span, "`username` in `[digest.email]` needs `password-env`")
            .label("no password")
            .help("name the environment variable that holds the password, e.g. password-env = \"GATE_SMTP_PASSWORD\"");
        consistent = false;
    }
    let implicit_tls = url.as_ref().is_some_and(|u| u.2);
    if let (true, Some(span)) = (implicit_tls, place(&s, "starttls")) {
        sink.error(
            span,
            "`starttls` in `[digest.email]` does not apply to `smtps://`",
        )
        .label("smtps:// is TLS from the start")
        .help("remove starttls, or use smtp:// with starttls = \"required\"");
        consistent = false;
    }
    let security = if implicit_tls {
        SmtpSecurity::Tls
    } else {
        match starttls.as_deref() {
            Some("opportunistic") => SmtpSecurity::StartTlsOpportunistic,
            Some("off") => SmtpSecurity::Plain,
            _ => SmtpSecurity::StartTls,
        }
    };
    s.finish(|| {
        if !consistent {
            return None;
        }
        let (host, url_port) = match url {
            Some((host, port, _)) => (host, port),
            None => (host?, None),
        };
        Some(EmailConfig {
            port: port.or(url_port).unwrap_or(security.default_port()),
            host,
            security,
            username,
            password,
            from: from?,
            to: to?,
            timeout: timeout.unwrap_or(DIGEST_TIMEOUT),
        })
    })
}

/// `smtp://host[:port]` or `smtps://host[:port]`: the host, the port and whether TLS starts
/// at once (`smtps`).
fn smtp_url(s: &str) -> Result<(String, Option<u16>, bool), Invalid> {
    let help = "write smtp://HOST:PORT (STARTTLS per `starttls`) or smtps://HOST:PORT (TLS from the start), e.g. \"smtp://mail.example.com:587\"";
    let parsed = url::Url::parse(s)
        .map_err(|e| Invalid::new(format!("is not a URL: {e}"), "not a URL", help))?;
    let tls = match parsed.scheme() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(Invalid::new(
                format!("must be an smtp:// or smtps:// URL, not {other}://"),
                "not an SMTP URL",
                help,
            ));
        }
    };
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Err(Invalid::new("names no host", "no host", help));
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Invalid::new(
            "must not hold credentials",
            "credentials in the URL",
            "set `username` and `password-env` instead: the password stays out of gate.toml",
        ));
    }
    if !parsed.path().trim_start_matches('/').is_empty() || parsed.query().is_some() {
        return Err(Invalid::new(
            "must have no path or query",
            "unexpected path",
            help,
        ));
    }
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    Ok((host, parsed.port(), tls))
}

/// An e-mail address, optionally with a name: `gate <gate@example.com>`.
fn mailbox(s: &str) -> Result<String, Invalid> {
    s.parse::<lettre::message::Mailbox>()
        .map(|m| m.to_string())
        .map_err(|e| {
            Invalid::new(
                format!("is not an e-mail address ({e})"),
                "not an address",
                "write an address, optionally with a name: \"gate <gate@example.com>\"",
            )
        })
}

fn slack(sink: &mut Sink<'_>, env: Env<'_>, value: &Value<'_>) -> Option<SlackConfig> {
    let mut s = Section::open(sink, "[digest.slack]", value, &SLACK_KEYS)?;
    let webhook_url = s.read(sink, "webhook-url-env", |sink, what, value| {
        let url = SLACK_WEBHOOK.read(sink, env, what, value)?;
        // The URL is a secret: say what is wrong with it without showing it.
        match gate_toml::http_url::http_url(&url, "https://hooks.slack.com/services/…") {
            Ok(_) => Some(url),
            Err(invalid) => {
                let name = value.get_ref().as_str().unwrap_or_default().to_string();
                sink.error(
                    value.span(),
                    format!("the webhook URL in the environment variable {name} {}", invalid.problem),
                )
                .label(format!("{name} holds no usable URL"))
                .help("set it to the incoming webhook's URL, e.g. https://hooks.slack.com/services/T000/B000/XXXX");
                None
            }
        }
    });
    let timeout = s.read(sink, "timeout", duration);
    s.require(
        sink,
        &["webhook-url-env"],
        "name the environment variable that holds the incoming webhook's URL, e.g. webhook-url-env = \"GATE_SLACK_WEBHOOK_URL\"",
    );
    s.finish(|| {
        Some(SlackConfig {
            webhook_url: webhook_url?,
            timeout: timeout.unwrap_or(DIGEST_TIMEOUT),
        })
    })
}

impl SmtpSecurity {
    /// 465 for TLS from the start, 587 (submission) otherwise.
    fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::Tls => 465,
            _ => 587,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        assert_eq!(
            smtp_url("smtp://mail.example.com:2525").unwrap(),
            ("mail.example.com".into(), Some(2525), false)
        );
        assert_eq!(
            smtp_url("smtps://127.0.0.1").unwrap(),
            ("127.0.0.1".into(), None, true)
        );
        assert!(smtp_url("http://mail.example.com").is_err());
        assert!(smtp_url("smtp://user:pw@mail.example.com").is_err());
        assert!(smtp_url("mail.example.com").is_err());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(time_zone("Europe/Berlin").unwrap().0, "Europe/Berlin");
        assert_eq!(
            time_zone("Europe/Berln").unwrap_err().help,
            "did you mean `Europe/Berlin`?"
        );
    }
}
