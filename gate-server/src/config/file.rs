//! The walk of `gate.toml`: TOML syntax, then every top-level key into a [`Layer`]. A key is
//! one line here: its name and how its value is read (a [`rules`] check, a `gate_toml` read,
//! or a section's own module).

use std::ops::RangeInclusive;
use std::path::PathBuf;

use gate_toml::duration::duration;
use gate_toml::{KeyCase, Section, Sink, Value, read};
use toml::de::DeTable;

use super::error::ConfigError;
use super::layer::{Layer, Located};
use super::secrets::Env;
use super::{digest, parity, publish, release, rules, services, tokens, webhook};

/// The keys allowed at the top of the file.
const TOP_KEYS: [&str; 23] = [
    "listen",
    "database-url",
    "public-url",
    "scenarios",
    "default-base-url",
    "workers",
    "browser",
    "browser-args",
    "recycle-after",
    "step-timeout",
    "scenario-timeout",
    "lease",
    "max-leases",
    "max-body",
    "request-timeout",
    "tokens",
    "webhook",
    "publish",
    "services",
    "digest",
    "release",
    "require-committed-config",
    "parity",
];

/// What the file at `path` (with contents `text`) sets. Problems go to `errors`, in the order
/// of the file.
pub(super) fn read(path: &str, text: &str, env: Env<'_>, errors: &mut ConfigError) -> Layer {
    let mut sink = Sink::new(path, text, KeyCase::Kebab);
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    let layer = if syntax_errors.is_empty() {
        top_level(&mut sink, env, root.get_ref())
    } else {
        // The recovered tree guesses at what was meant; checking it would pile guesses on
        // the syntax errors, so they are reported alone.
        for error in &syntax_errors {
            let message = error.message().trim_end_matches('.');
            sink.error(
                error.span().unwrap_or(0..0),
                format!("invalid TOML: {message}"),
            )
            .label("syntax error")
            .help("see the commented gate.toml that `gate init` writes");
        }
        Layer::default()
    };
    errors.extend(sink.into_diagnostics(), text);
    layer
}

fn top_level(sink: &mut Sink<'_>, env: Env<'_>, root: &DeTable<'_>) -> Layer {
    let mut top = Section::top(sink, root, &TOP_KEYS);
    Layer {
        listen: top.checked(sink, "listen", rules::listen),
        database_url: top
            .checked(sink, "database-url", rules::database_url)
            .map(in_file),
        public_url: top.checked(sink, "public-url", rules::http_url(rules::PUBLIC_URL)),
        scenarios: top.read(sink, "scenarios", scenarios).map(in_file),
        default_base_url: top.checked(sink, "default-base-url", rules::http_url(rules::BASE_URL)),
        workers: top.read(sink, "workers", integer(0..=1024)),
        browser: top
            .read(sink, "browser", read::non_empty)
            .map(PathBuf::from),
        browser_args: top.read(sink, "browser-args", |sink, what, value| {
            read::list(sink, what, value, |s| Ok(s.to_string()))
        }),
        recycle_after: top.read(sink, "recycle-after", integer(0..=1_000_000)),
        step_timeout: top.read(sink, "step-timeout", duration),
        scenario_timeout: top.read(sink, "scenario-timeout", duration),
        lease: top.read(sink, "lease", duration),
        max_leases: top.read(sink, "max-leases", integer(1..=100)),
        max_body: top.read(sink, "max-body", integer(1024..=1 << 30)),
        request_timeout: top.read(sink, "request-timeout", duration),
        tokens: top.read(sink, "tokens", |sink, _, value| tokens::read(sink, value)),
        webhook: top.read(sink, "webhook", |sink, _, value| {
            webhook::read(sink, env, value)
        }),
        publish: top.read(sink, "publish", |sink, _, value| {
            publish::read(sink, env, value)
        }),
        services: top.read(sink, "services", |sink, _, value| {
            services::read(sink, env, value)
        }),
        digest: top.read(sink, "digest", |sink, _, value| {
            digest::read(sink, env, value)
        }),
        release: top.read(sink, "release", |sink, _, value| release::read(sink, value)),
        parity: top.read(sink, "parity", |sink, _, value| parity::read(sink, value)),
        digest_now: None,
        require_committed_config: top.read(sink, "require-committed-config", read::boolean),
    }
}

/// A read of an integer in `range`, as a `T` that holds all of it.
fn integer<T: TryFrom<i64>>(
    range: RangeInclusive<i64>,
) -> impl FnOnce(&mut Sink<'_>, &str, &Value<'_>) -> Option<T> {
    move |sink, what, value| {
        read::integer(sink, what, value, range).and_then(|n| T::try_from(n).ok())
    }
}

/// `scenarios`: files or directories, at least one.
fn scenarios(sink: &mut Sink<'_>, what: &str, value: &Value<'_>) -> Option<Vec<PathBuf>> {
    let paths = read::list(sink, what, value, |s| Ok(PathBuf::from(s)))?;
    if paths.is_empty() {
        sink.error(
            value.span(),
            format!("{what} must name at least one file or directory"),
        )
        .label("empty")
        .help("the default is [\"scenarios\"], next to this file");
        return None;
    }
    Some(paths)
}

fn in_file<T>(value: T) -> Located<T> {
    Located {
        value,
        in_file: true,
    }
}
