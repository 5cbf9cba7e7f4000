//! The walk of `gate.toml`: TOML syntax, then every top-level key into a [`Layer`].

use std::path::PathBuf;

use toml::de::DeTable;

use super::error::ConfigError;
use super::layer::{Layer, Located};
use super::read::Reader;
use super::{publish, rules, tokens, webhook};

/// The keys allowed at the top of the file.
const TOP_KEYS: [&str; 17] = [
    "listen",
    "database-url",
    "public-url",
    "scenarios",
    "default-base-url",
    "workers",
    "browser",
    "browser-args",
    "step-timeout",
    "scenario-timeout",
    "lease",
    "max-leases",
    "max-body",
    "request-timeout",
    "tokens",
    "webhook",
    "publish",
];

/// What the file at `path` (with contents `text`) sets. Problems go to `errors`.
pub(super) fn read(
    path: &str,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    errors: &mut ConfigError,
) -> Layer {
    let mut reader = Reader::new(path, text, env, errors);
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        // The recovered tree guesses at what was meant; checking it would pile guesses on
        // the syntax errors, so they are reported alone.
        for error in &syntax_errors {
            let message = error.message().trim_end_matches('.');
            reader.push(
                reader
                    .at(
                        error.span().unwrap_or(0..0),
                        format!("invalid TOML: {message}"),
                    )
                    .with_label("syntax error")
                    .with_help("see the commented gate.toml that `gate init` writes"),
            );
        }
        return Layer::default();
    }
    top_level(&mut reader, root.get_ref())
}

fn top_level(r: &mut Reader<'_>, root: &DeTable<'_>) -> Layer {
    let mut layer = Layer::default();
    for (key, value) in root {
        let name = key.get_ref().as_ref();
        let what = format!("`{name}`");
        let what = what.as_str();
        match name {
            "listen" => layer.listen = r.checked(what, value, rules::listen),
            "database-url" => {
                layer.database_url = r.checked(what, value, rules::database_url).map(in_file);
            }
            "public-url" => layer.public_url = r.checked(what, value, rules::http_url),
            "scenarios" => {
                layer.scenarios = r
                    .list(what, value, |s| Ok(PathBuf::from(s)))
                    .filter(|paths| {
                        if paths.is_empty() {
                            r.push(
                                r.at(
                                    value.span(),
                                    "`scenarios` must name at least one file or directory",
                                )
                                .with_label("empty")
                                .with_help("the default is [\"scenarios\"], next to this file"),
                            );
                        }
                        !paths.is_empty()
                    })
                    .map(in_file);
            }
            "default-base-url" => {
                layer.default_base_url = r.checked(what, value, rules::http_url);
            }
            "workers" => {
                layer.workers = r
                    .integer(what, value, 0, 1024)
                    .and_then(|n| usize::try_from(n).ok());
            }
            "browser" => layer.browser = r.non_empty(what, value).map(PathBuf::from),
            "browser-args" => layer.browser_args = r.list(what, value, |s| Ok(s.to_string())),
            "step-timeout" => layer.step_timeout = r.duration(what, value),
            "scenario-timeout" => layer.scenario_timeout = r.duration(what, value),
            "lease" => layer.lease = r.duration(what, value),
            "max-leases" => {
                layer.max_leases = r
                    .integer(what, value, 1, 100)
                    .and_then(|n| u32::try_from(n).ok());
            }
            "max-body" => {
                layer.max_body = r
                    .integer(what, value, 1024, 1 << 30)
                    .and_then(|n| usize::try_from(n).ok());
            }
            "request-timeout" => layer.request_timeout = r.duration(what, value),
            "tokens" => layer.tokens = tokens::read(r, value),
            "webhook" => layer.webhook = webhook::read(r, value),
            "publish" => layer.publish = publish::read(r, value),
            _ => {
                r.unknown_key(key, "", &TOP_KEYS);
            }
        }
    }
    layer
}

fn in_file<T>(value: T) -> Located<T> {
    Located {
        value,
        in_file: true,
    }
}
