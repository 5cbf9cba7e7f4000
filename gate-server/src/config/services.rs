//! `[[services]]`: what gate deploys. Each service names how its traffic is split (a `gate
//! proxy`'s admin API or an HAProxy runtime socket), the commands that bring a version up and
//! down, and the canary policy (steps, the error-rate increase allowed, confidence, …); every
//! policy key has a default, so a service needs only a name, a router and an `up` hook.

use std::path::PathBuf;
use std::time::Duration;

use gate_toml::duration::duration;
use gate_toml::{Section, Sink, Value, read};
use toml::de::DeValue;

use super::rules;
use super::secrets::{Env, PROXY_TOKEN};
use super::{CanaryConfig, FailSafe, HookConfig, ServiceConfig, StepConfig, VersionAt};
use gate_traffic::{HaproxyConfig, ProxyConfig, RouterConfig};

const KEYS: [&str; 6] = ["name", "router", "stable", "hooks", "canary", "watchdog"];
const ROUTER_KEYS: [&str; 7] = [
    "kind",
    "admin-url",
    "token-env",
    "socket",
    "backend",
    "servers",
    "versions-map",
];
const STABLE_KEYS: [&str; 2] = ["version", "url"];
const HOOK_KEYS: [&str; 4] = ["up", "down", "rollback", "timeout"];
const CANARY_KEYS: [&str; 10] = [
    "steps",
    "max-error-increase",
    "confidence",
    "min-requests",
    "interval",
    "max-p95-ratio",
    "when-inconclusive",
    "inconclusive-wait",
    "synthetic-tag",
    "synthetic-failures",
];
const HELP: &str =
    "a service needs a name, a router and an up hook: see the commented example `gate init` writes";

/// The router's watchdog timeout when the service names none.
pub(super) const WATCHDOG: Duration = Duration::from_secs(10);
/// A hook's time limit when the service names none.
pub(super) const HOOK_TIMEOUT: Duration = Duration::from_secs(120);

/// The entries of `services`, or `None` if any is wrong (the problems are recorded).
pub(super) fn read(
    sink: &mut Sink<'_>,
    env: Env<'_>,
    value: &Value<'_>,
) -> Option<Vec<ServiceConfig>> {
    let DeValue::Array(entries) = value.get_ref() else {
        sink.error(
            value.span(),
            "`services` must be a list of `[[services]]` sections",
        )
        .label("not a list of tables")
        .help(HELP);
        return None;
    };
    let mut services: Vec<ServiceConfig> = Vec::new();
    let mut complete = true;
    for entry in entries {
        match service(sink, env, entry, &services) {
            Some(s) => services.push(s),
            None => complete = false,
        }
    }
    complete.then_some(services)
}

fn service(
    sink: &mut Sink<'_>,
    env: Env<'_>,
    entry: &Value<'_>,
    earlier: &[ServiceConfig],
) -> Option<ServiceConfig> {
    let mut s = Section::open(sink, "[[services]]", entry, &KEYS)?;
    let name = s.read(sink, "name", |sink, what, value| {
        let name = read::checked(sink, what, value, rules::service_name)?;
        if earlier.iter().any(|e| e.name == name) {
            sink.error(
                value.span(),
                format!("service `{name}` is configured twice"),
            )
            .label("duplicate name")
            .help("each service is one [[services]] entry");
            return None;
        }
        Some(name)
    });
    let router = s.read(sink, "router", |sink, _, value| router(sink, env, value));
    let stable = s.read(sink, "stable", |sink, _, value| stable(sink, value));
    let hooks = s.read(sink, "hooks", |sink, _, value| hooks(sink, value));
    let canary = s.read(sink, "canary", |sink, _, value| canary(sink, value));
    let watchdog = s.read(sink, "watchdog", duration);
    s.require(sink, &["name", "router", "hooks"], HELP);
    s.finish(|| {
        Some(ServiceConfig {
            name: name?,
            router: router?,
            stable: stable.flatten(),
            hooks: hooks?,
            canary: canary.unwrap_or_default(),
            watchdog: watchdog.unwrap_or(WATCHDOG),
            dir: PathBuf::new(),
        })
    })
}

fn router(sink: &mut Sink<'_>, env: Env<'_>, value: &Value<'_>) -> Option<RouterConfig> {
    let mut s = Section::open(sink, "router", value, &ROUTER_KEYS)?;
    let kind = s.read(sink, "kind", |sink, what, value| {
        read::one_of(sink, what, "router kind", value, &["proxy", "haproxy"]).map(str::to_string)
    });
    let admin_url = s.checked(sink, "admin-url", rules::http_url("http://127.0.0.1:8471"));
    let token = s.read(sink, "token-env", |sink, what, value| {
        PROXY_TOKEN.read(sink, env, what, value)
    });
    let socket = s.read(sink, "socket", read::non_empty).map(PathBuf::from);
    let backend = s.read(sink, "backend", read::non_empty).map(str::to_string);
    let versions_map = s
        .read(sink, "versions-map", read::non_empty)
        .map(PathBuf::from);
    let servers = s.read(sink, "servers", |sink, what, value| {
        let names = read::list(sink, what, value, |s| Ok(s.to_string()))?;
        match <[String; 2]>::try_from(names) {
            Ok(pair) if pair[0] != pair[1] => Some(pair),
            _ => {
                sink.error(
                    value.span(),
                    format!("{what} must name the backend's two server slots"),
                )
                .label("not two different names")
                .help("servers = [\"a\", \"b\"]: stable and canary take turns in them");
                None
            }
        }
    });
    match kind.as_deref() {
        Some("proxy") => {
            s.require(
                sink,
                &["admin-url", "token-env"],
                "name the proxy's admin address and the environment variable holding its token",
            );
            s.finish(|| Some(RouterConfig::Proxy(ProxyConfig::new(admin_url?, token?))))
        }
        Some("haproxy") => {
            s.require(
                sink,
                &["socket", "backend", "versions-map"],
                "name HAProxy's admin socket, the service's backend and the map file its force-header rules read",
            );
            s.finish(|| {
                let mut config = HaproxyConfig::new(socket?, backend?, versions_map?);
                if let Some(slots) = servers {
                    config.slots = slots;
                }
                Some(RouterConfig::Haproxy(config))
            })
        }
        _ => {
            s.require(
                sink,
                &["kind"],
                "kind = \"proxy\" (gate proxy) or \"haproxy\"",
            );
            None
        }
    }
}

fn stable(sink: &mut Sink<'_>, value: &Value<'_>) -> Option<Option<VersionAt>> {
    let mut s = Section::open(sink, "stable", value, &STABLE_KEYS)?;
    let version = s.checked(sink, "version", rules::version_name);
    let url = s.checked(sink, "url", rules::http_url("http://127.0.0.1:9001"));
    s.require(
        sink,
        &STABLE_KEYS,
        "the version serving now and its URL, e.g. stable = { version = \"v1\", url = \"http://127.0.0.1:9001\" }",
    );
    s.finish(|| {
        Some(Some(VersionAt {
            version: version?,
            url: url?,
        }))
    })
}

fn hooks(sink: &mut Sink<'_>, value: &Value<'_>) -> Option<HookConfig> {
    let mut s = Section::open(sink, "hooks", value, &HOOK_KEYS)?;
    let mut command = |sink: &mut Sink<'_>, key: &str| {
        s.read(sink, key, |sink, what, value| {
            read::checked(sink, what, value, rules::hook_command)
        })
    };
    let up = command(sink, "up");
    let down = command(sink, "down");
    let rollback = command(sink, "rollback");
    let timeout = s.read(sink, "timeout", duration);
    s.require(
        sink,
        &["up"],
        "up = \"a command that starts {version} and prints its URL\"",
    );
    s.finish(|| {
        Some(HookConfig {
            up: up?,
            down,
            rollback,
            timeout: timeout.unwrap_or(HOOK_TIMEOUT),
        })
    })
}

fn canary(sink: &mut Sink<'_>, value: &Value<'_>) -> Option<CanaryConfig> {
    let mut s = Section::open(sink, "canary", value, &CANARY_KEYS)?;
    let steps = s.read(sink, "steps", steps);
    let max_error_increase = s.read(sink, "max-error-increase", |sink, what, value| {
        read::number(sink, what, value, 0.0..=100.0)
    });
    let confidence = s.read(sink, "confidence", |sink, what, value| {
        read::number(sink, what, value, 0.5..=0.9999)
    });
    let min_requests = s.read(sink, "min-requests", |sink, what, value| {
        read::integer(sink, what, value, 1..=10_000_000).map(|n| n as u64)
    });
    let interval = s.read(sink, "interval", duration);
    let max_p95_ratio = s.read(sink, "max-p95-ratio", |sink, what, value| {
        read::number(sink, what, value, 1.0..=100.0)
    });
    let when_inconclusive =
        s.read(
            sink,
            "when-inconclusive",
            |sink, what, value| match read::one_of(
                sink,
                what,
                "fail-safe",
                value,
                &["rollback", "hold"],
            )? {
                "hold" => Some(FailSafe::Hold),
                _ => Some(FailSafe::Rollback),
            },
        );
    let inconclusive_wait = s.read(sink, "inconclusive-wait", duration);
    let synthetic_tag = s
        .read(sink, "synthetic-tag", read::string)
        .map(str::to_string);
    let synthetic_failures = s.read(sink, "synthetic-failures", |sink, what, value| {
        read::integer(sink, what, value, 0..=1000).map(|n| n as u32)
    });
    let policy_problems = |config: &CanaryConfig| {
        super::canary::policy(config)
            .validate()
            .err()
            .unwrap_or_default()
    };
    let built = CanaryConfig {
        steps,
        max_error_increase_pt: max_error_increase,
        confidence,
        min_requests,
        interval,
        max_p95_ratio,
        when_inconclusive,
        inconclusive_wait,
        synthetic_tag,
        synthetic_failures,
    };
    let problems = policy_problems(&built);
    for problem in &problems {
        use gate_deploy::policy::Field;
        let key = match problem.field {
            Field::Steps | Field::StepWeight(_) | Field::StepHold(_) => "steps",
            Field::MaxIncrease | Field::BrokenIncrease => "max-error-increase",
            Field::FalseRollbackRate | Field::MissedFailureRate => "confidence",
            Field::MinRequests => "min-requests",
            Field::Interval => "interval",
            Field::LatencyFactor | Field::LatencyMinSamples => "max-p95-ratio",
        };
        let span = s.value(key).map_or_else(|| value.span(), |v| v.span());
        sink.error(
            span,
            format!("`{key}` in `[services.canary]`: {}", problem.message),
        )
        .label("not a policy a canary can follow")
        .help("see the canary keys in the README; leave a key out for its default");
    }
    s.finish(|| problems.is_empty().then_some(built))
}

/// `steps = [{ weight = 5, for = "10m" }, { weight = 100 }]`: rising weights ending at 100.
fn steps(sink: &mut Sink<'_>, what: &str, value: &Value<'_>) -> Option<Vec<StepConfig>> {
    let items = read::array(sink, what, value)?;
    let mut steps = Vec::with_capacity(items.len());
    let mut complete = true;
    for item in items {
        let Some(mut s) = Section::open(sink, "steps", item, &["weight", "for"]) else {
            complete = false;
            continue;
        };
        let weight = s.read(sink, "weight", |sink, what, value| {
            read::integer(sink, what, value, 1..=100).map(|n| n as u8)
        });
        let hold = s.read(sink, "for", duration);
        s.require(
            sink,
            &["weight"],
            "each step is { weight = 5, for = \"10m\" }",
        );
        match s.finish(|| {
            Some(StepConfig {
                weight: weight?,
                hold,
            })
        }) {
            Some(step) => {
                if let Some(last) = steps.last().map(|l: &StepConfig| l.weight)
                    && step.weight <= last
                {
                    sink.error(
                        item.span(),
                        format!("step weights must rise: {} after {last}", step.weight),
                    )
                    .label("not above the step before")
                    .help("e.g. steps = [{ weight = 5, for = \"10m\" }, { weight = 25, for = \"10m\" }, { weight = 100 }]");
                    complete = false;
                }
                steps.push(step);
            }
            None => complete = false,
        }
    }
    if complete && steps.last().is_none_or(|s| s.weight != 100) {
        sink.error(
            value.span(),
            format!("{what} must end with {{ weight = 100 }}"),
        )
        .label("no final step")
        .help("the last step puts the new version on all traffic: it is the promotion");
        return None;
    }
    complete.then_some(steps)
}
