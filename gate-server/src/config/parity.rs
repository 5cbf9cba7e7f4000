//! `[parity]`: staging compared with production (`gate parity`). The two URLs, the page and
//! the version document looked at, what may differ (`ignore`, checked against the items
//! gate compares), probe commands (`[[parity.probes]]`), and how certificates are trusted.

use std::path::PathBuf;

use gate_toml::duration::duration;
use gate_toml::{Invalid, Section, Sink, Value, read};
use toml::de::DeValue;

use super::defaults::PROBE_TIMEOUT;

/// The shortest `every`.
const MIN_EVERY: std::time::Duration = std::time::Duration::from_secs(10);
use super::rules;
use super::{ParityConfig, ProbeConfig};

const KEYS: [&str; 11] = [
    "staging",
    "production",
    "path",
    "version-path",
    "ignore",
    "probes",
    "ca-file",
    "insecure-skip-verify",
    "timeout",
    "hold-deploys",
    "every",
];
const PROBE_KEYS: [&str; 3] = ["name", "command", "timeout"];
const PROBE_HELP: &str = "a probe needs a name and a command, e.g. [[parity.probes]] name = \"postgres\" command = \"psql -h db.{env}.internal -Atc 'select version()'\"";

pub(super) fn read(sink: &mut Sink<'_>, value: &Value<'_>) -> Option<ParityConfig> {
    let mut s = Section::open(sink, "[parity]", value, &KEYS)?;
    let staging = s.checked(sink, "staging", rules::http_url(rules::BASE_URL));
    let production = s.checked(
        sink,
        "production",
        rules::http_url("https://www.example.com"),
    );
    let path = s.checked(sink, "path", absolute_path("/"));
    let version_path = s.checked(sink, "version-path", absolute_path("/version"));
    let ignore = s.read(sink, "ignore", |sink, what, value| {
        read::list(sink, what, value, ignore_pattern)
    });
    let probes = s.read(sink, "probes", probes);
    let ca_file = s.read(sink, "ca-file", read::non_empty).map(PathBuf::from);
    let insecure_skip_verify = s.read(sink, "insecure-skip-verify", read::boolean);
    let timeout = s.read(sink, "timeout", duration);
    let hold_deploys = s.read(sink, "hold-deploys", read::boolean);
    let every = s.read(sink, "every", |sink, what, value| {
        let every = duration(sink, what, value)?;
        if every < MIN_EVERY {
            sink.error(value.span(), format!("{what} must be at least 10s"))
                .label("too often")
                .help("each check opens connections to both environments: every = \"1h\" is usual");
            return None;
        }
        Some(every)
    });
    let mut consistent = true;
    if let (Some(true), Some(place)) = (hold_deploys, s.value("hold-deploys")) {
        let missing: Vec<&str> = [("staging", &staging), ("production", &production)]
            .into_iter()
            .filter(|(key, url)| url.is_none() && s.value(key).is_none())
            .map(|(key, _)| key)
            .collect();
        if !missing.is_empty() {
            sink.error(
                place.span(),
                format!(
                    "`hold-deploys` in `[parity]` needs {}",
                    missing
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            )
            .label("nothing to compare")
            .help("the server compares staging with production before each canary: set staging = \"https://…\" and production = \"https://…\"");
            consistent = false;
        }
    }
    s.finish(|| {
        if !consistent {
            return None;
        }
        let defaults = ParityConfig::default();
        Some(ParityConfig {
            staging,
            production,
            path: path.unwrap_or(defaults.path),
            version_path,
            ignore: ignore.unwrap_or_default(),
            probes: probes.unwrap_or_default(),
            ca_file,
            insecure_skip_verify: insecure_skip_verify.unwrap_or(false),
            timeout: timeout.unwrap_or(defaults.timeout),
            hold_deploys: hold_deploys.unwrap_or(false),
            every: every.unwrap_or(defaults.every),
            dir: PathBuf::new(),
        })
    })
}

/// A path requested on both environments' hosts, e.g. `/version`.
fn absolute_path(example: &'static str) -> impl Fn(&str) -> Result<String, Invalid> {
    move |s| {
        gate_parity::request_path(s, example)
            .map(|()| s.to_string())
            .map_err(|e| Invalid::new(e.problem, "not a path", e.help))
    }
}

/// An `ignore` pattern, checked against the items gate compares.
pub(crate) fn ignore_pattern(s: &str) -> Result<gate_parity::Ignore, Invalid> {
    gate_parity::Ignore::parse(s).map_err(|e| Invalid::new(e.problem, "not an item", e.help))
}

/// The `[[parity.probes]]` entries, or `None` if any is wrong (the problems are recorded).
fn probes(sink: &mut Sink<'_>, what: &str, value: &Value<'_>) -> Option<Vec<ProbeConfig>> {
    let DeValue::Array(entries) = value.get_ref() else {
        sink.error(
            value.span(),
            format!("{what} must be a list of `[[parity.probes]]` sections"),
        )
        .label("not a list of tables")
        .help(PROBE_HELP);
        return None;
    };
    let mut probes: Vec<ProbeConfig> = Vec::new();
    let mut complete = true;
    for entry in entries {
        match probe(sink, entry, &probes) {
            Some(p) => probes.push(p),
            None => complete = false,
        }
    }
    complete.then_some(probes)
}

fn probe(sink: &mut Sink<'_>, entry: &Value<'_>, earlier: &[ProbeConfig]) -> Option<ProbeConfig> {
    let mut s = Section::open(sink, "[[parity.probes]]", entry, &PROBE_KEYS)?;
    let name = s.read(sink, "name", |sink, what, value| {
        let name = read::checked(sink, what, value, probe_name)?;
        if earlier.iter().any(|e| e.name == name) {
            sink.error(value.span(), format!("probe `{name}` is configured twice"))
                .label("duplicate name")
                .help(
                    "each probe is one [[parity.probes]] entry; its name is its item, probe.NAME",
                );
            return None;
        }
        Some(name)
    });
    let command = s.read(sink, "command", read::non_empty).map(str::to_string);
    let timeout = s.read(sink, "timeout", duration);
    s.require(sink, &["name", "command"], PROBE_HELP);
    s.finish(|| {
        Some(ProbeConfig {
            name: name?,
            command: command?,
            timeout: timeout.unwrap_or(PROBE_TIMEOUT),
        })
    })
}

/// A probe's name: it becomes the item `probe.NAME`.
fn probe_name(s: &str) -> Result<String, Invalid> {
    let valid = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if valid {
        Ok(s.to_string())
    } else {
        Err(Invalid::new(
            "must be letters, digits, `-` and `_`",
            "not a probe name",
            "the name is the report's item probe.NAME, e.g. \"postgres\"",
        ))
    }
}
