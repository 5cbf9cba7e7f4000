//! Checks of single values, shared by the file and the environment so that both accept the
//! same things and explain a refusal the same way. Each returns the (normalised) value, or an
//! [`Invalid`] that the caller places: at a span of the file, or on an environment variable.

use gate_toml::{Invalid, suggest};

use crate::auth::{Scope, parse_token_hash};

/// Examples of URL settings, shown in the help when a value cannot be turned into one.
pub(super) const PUBLIC_URL: &str = "https://gate.example.com";
pub(super) const BASE_URL: &str = "https://staging.example.com";
const BASE_URL_TEMPLATE: &str = "https://pr-{pr}.staging.example.com";

/// `host:port`, e.g. `127.0.0.1:8470`, `[::1]:8470`, `gate.internal:80`.
pub(super) fn listen(s: &str) -> Result<String, Invalid> {
    let help =
        "write host and port, e.g. \"127.0.0.1:8470\" (\"0.0.0.0:8470\" for every interface)";
    match s.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(s.to_string()),
        Some((_, port)) if port.parse::<u16>().is_err() => Err(Invalid::new(
            "must end in a port number (0 to 65535)",
            "no valid port",
            help,
        )),
        Some(_) => Err(Invalid::new(
            "must name a host before the port",
            "no host",
            help,
        )),
        None => Err(Invalid::new(
            "must be an address with a port",
            "no port",
            help,
        )),
    }
}

/// `sqlite://FILE`, `sqlite:FILE`, `sqlite::memory:` or `postgres://…`.
pub(super) fn database_url(s: &str) -> Result<String, Invalid> {
    let help = "use \"sqlite://gate.db\" or \"postgres://user:password@host:5432/gate\"";
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        return Ok(s.to_string());
    }
    match s.strip_prefix("sqlite:") {
        Some(rest) if !rest.trim_start_matches('/').is_empty() => Ok(s.to_string()),
        Some(_) => Err(Invalid::new("names no database file", "no file", help)),
        None => Err(Invalid::new(
            "must be a SQLite or PostgreSQL URL",
            "unsupported database",
            help,
        )),
    }
}

/// The rule of a URL setting: an absolute `http://` or `https://` URL with a host (the one
/// URL rule, `gate_toml`'s), returned without a trailing `/`. `example` is shown in the help.
pub(super) fn http_url(example: &'static str) -> impl Fn(&str) -> Result<String, Invalid> {
    move |s| gate_toml::http_url::http_url(s, example).map(|_| s.trim_end_matches('/').to_string())
}

/// The name of an environment variable: letters, digits and `_`, not starting with a digit.
/// `example` is shown in the help.
pub(super) fn env_name(s: &str, example: &str) -> Result<String, Invalid> {
    let valid = !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        return Ok(s.to_string());
    }
    Err(Invalid::new(
        "must be the name of an environment variable",
        "not a variable name",
        format!(
            "the file names the variable that holds the secret, e.g. \"{example}\", never the secret itself"
        ),
    ))
}

/// `owner/name` of a repository.
pub(super) fn repository(s: &str) -> Result<String, Invalid> {
    let part = |p: &str| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match s.split_once('/') {
        Some((owner, name)) if part(owner) && part(name) => Ok(s.to_string()),
        _ => Err(Invalid::new(
            "must be `owner/name`",
            "not owner/name",
            "write the repository as in its URL, e.g. \"acme/shop\"",
        )),
    }
}

/// The placeholders a `base-url` template may use.
const PLACEHOLDERS: [&str; 3] = ["pr", "sha", "branch"];

/// A value like the one a delivery gives each placeholder, to check the URL it makes.
fn sample(placeholder: &str) -> &'static str {
    match placeholder {
        "pr" => "123",
        "sha" => "3f1c0d6a9b7e4f2a8c5d1e0b9a7f6e5d4c3b2a1f",
        _ => "main",
    }
}

/// A `base-url` template: an absolute http(s) URL with a host once its `{pr}`, `{sha}` and
/// `{branch}` are filled in with sample values.
pub(super) fn base_url_template(s: &str) -> Result<String, Invalid> {
    let mut filled = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            return Err(Invalid::new(
                "has a `{` that is not closed",
                "unclosed placeholder",
                "placeholders are written `{pr}`, `{sha}` or `{branch}`",
            ));
        };
        let name = &rest[open + 1..open + close];
        if !PLACEHOLDERS.contains(&name) {
            let help = match meant_placeholder(name) {
                Some(c) => format!("did you mean `{{{c}}}`?"),
                None => "placeholders are `{pr}`, `{sha}` and `{branch}`".into(),
            };
            return Err(Invalid::new(
                format!("uses an unknown placeholder `{{{name}}}`"),
                "unknown placeholder",
                help,
            ));
        }
        filled.push_str(sample(name));
        rest = &rest[open + close + 1..];
    }
    filled.push_str(rest);
    gate_toml::http_url::http_url_template(&filled, s, BASE_URL_TEMPLATE)?;
    Ok(s.trim_end_matches('/').to_string())
}

/// The placeholder a wrong one probably means: `{pr_number}` is `{pr}`, `{commit}` is `{sha}`.
fn meant_placeholder(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    let synonyms: [(&str, &[&str]); 3] = [
        ("pr", &["pr", "pull", "number"]),
        ("sha", &["sha", "commit", "hash"]),
        ("branch", &["branch", "ref"]),
    ];
    synonyms
        .into_iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(placeholder, _)| placeholder)
        .or_else(|| suggest::closest(name, PLACEHOLDERS))
}

/// A scope name: `read`, `submit`, `agent`, `deploy` or `admin`.
pub(super) fn scope(s: &str) -> Result<Scope, Invalid> {
    s.parse().map_err(|_| {
        let names = Scope::ALL.map(Scope::as_str);
        let help = match suggest::closest(s, names) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!(
                "scopes are {} (submit and deploy include read; admin includes all)",
                suggest::one_of(&names)
            ),
        };
        Invalid::new(format!("has an unknown scope `{s}`"), "unknown scope", help)
    })
}

/// A token hash: `sha256:` and 64 hex digits.
pub(super) fn token_hash(s: &str) -> Result<String, Invalid> {
    if parse_token_hash(s).is_some() {
        return Ok(s.to_ascii_lowercase());
    }
    let help = if s.starts_with("gate_") {
        "this looks like the token itself: write its hash (`gate token` prints both) and keep the token out of the file"
    } else {
        "`gate token --name NAME --scopes SCOPES` makes a token and prints its hash"
    };
    Err(Invalid::new(
        "must be \"sha256:\" followed by 64 hex digits",
        "not a sha256 hash",
        help,
    ))
}

/// A token's `expires`: an RFC 3339 instant with its offset (`Z` or `+01:00`), as a string
/// or a TOML date-time.
pub(super) fn token_expiry(s: &str) -> Result<jiff::Timestamp, Invalid> {
    let s = s.trim();
    s.parse::<jiff::Timestamp>().map_err(|_| {
        let problem = if s.parse::<jiff::civil::Date>().is_ok() && s.len() <= 10 {
            "must be a time with its offset, not only a date"
        } else if s.parse::<jiff::civil::DateTime>().is_ok() {
            "must say its offset from UTC (`Z` for UTC itself, or e.g. `+01:00`)"
        } else {
            "must be an RFC 3339 time with its offset"
        };
        Invalid::new(
            problem,
            "not an instant",
            "write e.g. \"2026-12-31T00:00:00Z\" (`gate token --expires-in 90d` prints the entry with one)",
        )
    })
}

/// A service name: lowercase letters, digits and `-`, as in URLs and logs.
pub(super) fn service_name(s: &str) -> Result<String, Invalid> {
    name(s, "service name", "shop")
}

/// A release stage's name: as a service's (it is a path segment of the flow API).
pub(super) fn stage_name(s: &str) -> Result<String, Invalid> {
    name(s, "stage name", "qa-sign-off")
}

/// A version label: letters, digits, `.`, `_` and `-` (it is a cookie value and a header).
pub(super) fn version_name(s: &str) -> Result<String, Invalid> {
    if super::is_version_name(s) {
        Ok(s.to_string())
    } else {
        Err(Invalid::new(
            "must be a version label of letters, digits, `.`, `_` and `-`",
            "not a version label",
            "e.g. \"v2\", \"2026.12.02\" or a short commit id",
        ))
    }
}

fn name(s: &str, what: &str, example: &str) -> Result<String, Invalid> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(Invalid::new(
            format!("must be a {what}: lowercase letters, digits and `-`, starting with a letter"),
            format!("not a {what}"),
            format!("e.g. \"{example}\""),
        ))
    }
}

/// A hook: a shell command; `{version}`, `{commit}` and `{service}` are replaced.
pub(super) fn hook_command(s: &str) -> Result<String, Invalid> {
    if s.trim().is_empty() {
        return Err(Invalid::new(
            "must not be empty",
            "empty",
            "a shell command, e.g. \"scripts/start {service} {version}\"",
        ));
    }
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let placeholder = &rest[open + 1..open + close];
        if !["version", "commit", "service"].contains(&placeholder)
            && placeholder
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(Invalid::new(
                format!("names an unknown placeholder `{{{placeholder}}}`"),
                "unknown placeholder",
                "hooks may use {version}, {commit} and {service}",
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused<T: std::fmt::Debug>(result: Result<T, Invalid>) -> String {
        result
            .map(|ok| format!("accepted {ok:?}"))
            .unwrap_or_else(|e| e.label)
    }

    #[test]
    fn listen_addresses() {
        for ok in [
            "127.0.0.1:8470",
            "0.0.0.0:0",
            "[::1]:80",
            "gate.internal:8470",
        ] {
            assert_eq!(listen(ok), Ok(ok.to_string()));
        }
        assert_eq!(refused(listen("8470")), "no port");
        assert_eq!(refused(listen(":8470")), "no host");
        assert_eq!(refused(listen("localhost:http")), "no valid port");
        assert_eq!(refused(listen("localhost:70000")), "no valid port");
    }

    #[test]
    fn database_urls() {
        for ok in [
            "sqlite://gate.db",
            "sqlite:gate.db",
            "sqlite::memory:",
            "postgres://u@h/db",
            "postgresql://h/db",
        ] {
            assert!(database_url(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            refused(database_url("mysql://h/db")),
            "unsupported database"
        );
        assert_eq!(refused(database_url("gate.db")), "unsupported database");
        assert_eq!(refused(database_url("sqlite://")), "no file");
    }

    #[test]
    fn urls_and_templates() {
        let url = http_url(PUBLIC_URL);
        assert_eq!(
            url("https://gate.example.com/"),
            Ok("https://gate.example.com".into())
        );
        assert_eq!(refused(url("gate.example.com")), "not an http(s) URL");
        assert_eq!(refused(url("https://")), "no host");
        assert_eq!(
            url("/gate").unwrap_err().help,
            format!("write an absolute URL, e.g. \"{PUBLIC_URL}\"")
        );
        assert!(base_url_template("https://pr-{pr}.staging.example.com").is_ok());
        assert!(base_url_template("https://staging.example.com/{branch}/{sha}").is_ok());
        let typo = base_url_template("https://pr-{pr_number}.example.com").unwrap_err();
        assert_eq!(typo.help, "did you mean `{pr}`?");
        let typo = base_url_template("https://x.example.com/{commit}").unwrap_err();
        assert_eq!(typo.help, "did you mean `{sha}`?");
        let typo = base_url_template("https://x.example.com/{brnch}").unwrap_err();
        assert_eq!(typo.help, "did you mean `{branch}`?");
        assert_eq!(
            refused(base_url_template("https://pr-{pr.example.com")),
            "unclosed placeholder"
        );
        let no_scheme = base_url_template("pr-{pr}.example.com").unwrap_err();
        assert_eq!(no_scheme.label, "not an http(s) URL");
        assert_eq!(
            no_scheme.help,
            "write an absolute URL, e.g. \"https://pr-{pr}.example.com\""
        );
        // Filled with samples, not emptied: `{pr}` alone is a host.
        assert!(base_url_template("https://{pr}").is_ok());
        assert_eq!(
            refused(base_url_template("https://{branch}:99999")),
            "invalid port"
        );
        assert_eq!(refused(base_url_template("https:///{sha}")), "no host");
    }

    #[test]
    fn names_scopes_and_hashes() {
        assert!(env_name("GITHUB_TOKEN", "X").is_ok());
        assert_eq!(refused(env_name("ghp_abc-123", "X")), "not a variable name");
        assert_eq!(refused(env_name("1X", "X")), "not a variable name");
        assert!(repository("acme/shop.web").is_ok());
        for bad in ["acme", "acme/", "/shop", "acme/shop/x", "acme/..", "a b/c"] {
            assert_eq!(refused(repository(bad)), "not owner/name", "{bad}");
        }
        assert_eq!(scope("deploy"), Ok(Scope::Deploy));
        assert_eq!(scope("reed").unwrap_err().help, "did you mean `read`?");
        let hash = crate::auth::hash_token("t");
        assert_eq!(
            token_hash(&hash.to_uppercase().replace("SHA256", "sha256")),
            Ok(hash)
        );
        assert!(
            token_hash("gate_0123")
                .unwrap_err()
                .help
                .contains("the token itself")
        );
    }
}
