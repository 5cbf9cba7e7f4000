//! The `GATE_*` environment overrides, applied over the file. A problem is shown as the
//! `NAME=value` line the operator set (passwords in URLs masked), with the value underlined.
//! An empty variable counts as unset.

use std::path::PathBuf;
use std::sync::Arc;

use gate_toml::{Diagnostic, Invalid};

use super::error::ConfigError;
use super::layer::{Layer, Located};
use super::rules;
use super::secrets::Env;

/// What the environment sets. Problems go to `errors`.
pub(super) fn read(env: Env<'_>, errors: &mut ConfigError) -> Layer {
    let mut read = |name: &str, rule: &dyn Fn(&str) -> Result<String, Invalid>| {
        let value = env(name).filter(|v| !v.is_empty())?;
        rule(&value)
            .map_err(|invalid| refuse(errors, name, &value, invalid))
            .ok()
    };
    Layer {
        listen: read("GATE_LISTEN", &rules::listen),
        database_url: read("GATE_DATABASE_URL", &rules::database_url).map(from_env),
        public_url: read("GATE_PUBLIC_URL", &rules::http_url(rules::PUBLIC_URL)),
        workers: read("GATE_WORKERS", &workers).and_then(|n| n.parse().ok()),
        default_base_url: read("GATE_DEFAULT_BASE_URL", &rules::http_url(rules::BASE_URL)),
        scenarios: read("GATE_SCENARIOS", &scenarios)
            .map(|list| {
                list.split(':')
                    .filter(|s| !s.is_empty())
                    .map(PathBuf::from)
                    .collect()
            })
            .map(from_env),
        browser: read("GATE_BROWSER", &|s| Ok(s.to_string())).map(PathBuf::from),
        digest_now: read("GATE_DIGEST_NOW", &instant).and_then(|s| s.parse().ok()),
        ..Layer::default()
    }
}

fn from_env<T>(value: T) -> Located<T> {
    Located {
        value,
        in_file: false,
    }
}

/// `GATE_DIGEST_NOW`: an RFC 3339 instant.
fn instant(s: &str) -> Result<String, Invalid> {
    match s.trim().parse::<jiff::Timestamp>() {
        Ok(_) => Ok(s.trim().to_string()),
        Err(_) => Err(Invalid::new(
            "must be an RFC 3339 time",
            "not a time",
            "e.g. GATE_DIGEST_NOW=2026-12-07T08:05:00+01:00",
        )),
    }
}

/// `GATE_WORKERS`: a whole number of browsers.
fn workers(s: &str) -> Result<String, Invalid> {
    match s.trim().parse::<usize>() {
        Ok(n) if n <= 1024 => Ok(n.to_string()),
        _ => Err(Invalid {
            problem: "must be a number of browsers from 0 to 1024".into(),
            label: "not a number of browsers".into(),
            help: "e.g. GATE_WORKERS=4; 0 leaves all work to agents".into(),
        }),
    }
}

/// `GATE_SCENARIOS`: paths separated by `:`, at least one.
fn scenarios(s: &str) -> Result<String, Invalid> {
    if s.split(':').any(|p| !p.is_empty()) {
        return Ok(s.to_string());
    }
    Err(Invalid::new(
        "names no path",
        "no path",
        "separate files or directories with `:`, e.g. GATE_SCENARIOS=scenarios:more-scenarios",
    ))
}

fn refuse(errors: &mut ConfigError, name: &str, value: &str, invalid: Invalid) {
    let shown = mask_password(value).replace('\n', "\\n");
    let line = format!("{name}={shown}");
    let span = name.len() + 1..line.len();
    let diagnostic = Diagnostic::error(
        "environment",
        Some(span),
        format!("`{name}` {}", invalid.problem),
    )
    .with_label(invalid.label)
    .with_help(invalid.help);
    errors.push(diagnostic, Arc::from(line));
}

/// `scheme://user:password@host…` with the password replaced by `***`.
fn mask_password(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once("://") else {
        return value.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => value.to_string(),
        },
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask_password("postgres://gate:s3cr3t@db:5432/gate"),
            "postgres://gate:***@db:5432/gate"
        );
        assert_eq!(
            mask_password("postgres://gate@db/gate"),
            "postgres://gate@db/gate"
        );
        assert_eq!(mask_password("sqlite://gate.db"), "sqlite://gate.db");
        assert_eq!(mask_password("mysql://a:b@h/x@y"), "mysql://a:***@h/x@y");
    }

    #[test]
    fn the_starter_file_documents_every_variable() {
        for name in [
            "GATE_LISTEN",
            "GATE_DATABASE_URL",
            "GATE_PUBLIC_URL",
            "GATE_WORKERS",
            "GATE_DEFAULT_BASE_URL",
            "GATE_SCENARIOS",
            "GATE_BROWSER",
        ] {
            assert!(crate::config::init_template().contains(name), "{name}");
        }
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let mut errors = ConfigError::default();
        let layer = read(&|_| Some(String::new()), &mut errors);
        assert!(errors.is_empty());
        assert!(layer.listen.is_none() && layer.workers.is_none());
    }
}
