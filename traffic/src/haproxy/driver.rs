//! [`HaproxyRouter`]: [`TrafficRouter`] over HAProxy's runtime API. Each call reads what sits
//! where from HAProxy (versions map, `show stat`), then acts, all within one deadline.

use std::time::Duration;

use tokio::time::Instant;

use crate::FORCE_HEADER;
use crate::error::{Action, RouterError, RouterErrorKind};
use crate::route_table::RouteTable;
use crate::router::{Backend, TrafficRouter};
use crate::sample::Sample;

use super::address::resolve;
use super::config::HaproxyConfig;
use super::placement::{self, Placed, SlotNow, Step};
use super::socket::RuntimeSocket;
use super::stat::{self, ServerStat, first_line};

/// A driver for one service's backend in one HAProxy. Holds no state of its own.
///
/// A route is a sequence of commands, not one transaction: calls for one service must not
/// overlap (the controller drives one deploy of a service at a time), and a route that failed
/// half-way is repaired by routing again.
#[derive(Debug, Clone)]
pub struct HaproxyRouter {
    config: HaproxyConfig,
}

/// The backend as HAProxy reports it at the start of a call.
struct Observed {
    slots: [SlotNow; 2],
    stats: [ServerStat; 2],
}

impl HaproxyRouter {
    /// A driver for `config`. Fails on names that cannot appear in a runtime API command.
    pub fn new(config: &HaproxyConfig) -> Result<HaproxyRouter, RouterError> {
        let invalid = |detail: String| {
            RouterError::new(
                Action::Configure,
                config.describe(),
                RouterErrorKind::Invalid,
                detail,
            )
        };
        for (what, name) in [
            ("backend", &config.backend),
            ("slot", &config.slots[0]),
            ("slot", &config.slots[1]),
        ] {
            check_name(name).map_err(|e| invalid(format!("{what} {e}")))?;
        }
        if config.slots[0] == config.slots[1] {
            return Err(invalid(format!(
                "both slots are `{}`: the backend needs two servers",
                config.slots[0]
            )));
        }
        let map = config.versions_map.to_string_lossy();
        if map.is_empty() || map.contains(char::is_whitespace) || map.contains(';') {
            return Err(invalid(format!(
                "versions map path `{map}` is empty or has spaces or `;`, which the runtime API \
                 cannot carry"
            )));
        }
        Ok(HaproxyRouter {
            config: config.clone(),
        })
    }

    pub fn config(&self) -> &HaproxyConfig {
        &self.config
    }

    fn socket<'s>(&'s self, action: Action, router: &'s str) -> RuntimeSocket<'s> {
        RuntimeSocket {
            path: &self.config.socket,
            router,
            action,
            deadline: Instant::now() + self.config.timeout,
            timeout: self.config.timeout,
        }
    }

    /// The versions map and the two slots' `show stat` lines.
    async fn observe(&self, socket: &RuntimeSocket<'_>) -> Result<Observed, RouterError> {
        let map = self.config.versions_map.display();
        let answer = socket.command(&format!("show map {map}")).await?;
        if answer.starts_with("Unknown map") {
            return Err(socket.error(
                RouterErrorKind::Refused,
                format!(
                    "HAProxy has no map {map}: the backend's `use-server` rules must look `{}` \
                     up in it (`gate-traffic` generates such a config)",
                    FORCE_HEADER
                ),
            ));
        }
        let versions = placement::versions_in(&placement::map_entries(&answer), &self.config.slots);

        let backend = &self.config.backend;
        let answer = socket.command(&format!("show stat {backend} 4 -1")).await?;
        if answer.starts_with("No such proxy") {
            return Err(socket.error(
                RouterErrorKind::Refused,
                format!(
                    "HAProxy has no backend `{backend}`: check the backend name in gate's config \
                     against HAProxy's"
                ),
            ));
        }
        let servers = stat::servers(&answer, backend)
            .map_err(|e| socket.error(RouterErrorKind::BadAnswer, e))?;
        let find = |slot: &str| {
            servers.iter().find(|s| s.name == slot).cloned().ok_or_else(|| {
                let detail = if servers.is_empty() {
                    format!(
                        "HAProxy has no backend `{backend}` with servers: check the backend name \
                         in gate's config against HAProxy's"
                    )
                } else {
                    let names: Vec<&str> = servers.iter().map(|s| s.name.as_str()).collect();
                    format!(
                        "HAProxy's backend `{backend}` has no server `{slot}` (it has {}): it needs \
                         the two slots {} and {}",
                        names.join(", "),
                        self.config.slots[0],
                        self.config.slots[1]
                    )
                };
                socket.error(RouterErrorKind::Refused, detail)
            })
        };
        let stats = [find(&self.config.slots[0])?, find(&self.config.slots[1])?];
        let [first, second] = versions;
        let slot = |name: &str, version: Option<String>, stat: &ServerStat| SlotNow {
            name: name.to_string(),
            version,
            weight: if stat.serving() { stat.weight } else { 0 },
        };
        Ok(Observed {
            slots: [
                slot(&self.config.slots[0], first, &stats[0]),
                slot(&self.config.slots[1], second, &stats[1]),
            ],
            stats,
        })
    }

    /// HAProxy's process: `pid 1234 started 1796220351`.
    async fn process(&self, socket: &RuntimeSocket<'_>) -> Result<String, RouterError> {
        let answer = socket.command("show info").await?;
        let field = |name: &str| {
            answer
                .lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
                .map(str::trim)
        };
        let pid = field("Pid").ok_or_else(|| {
            socket.error(
                RouterErrorKind::BadAnswer,
                format!("`show info` has no Pid: {}", first_line(&answer)),
            )
        })?;
        let started = field("Start_time_sec").unwrap_or("?");
        Ok(format!("pid {pid} started {started}"))
    }

    /// Sends one command whose success is an empty answer (or, for `addr`, HAProxy's report of
    /// what changed).
    async fn apply(&self, socket: &RuntimeSocket<'_>, command: &str) -> Result<(), RouterError> {
        let answer = socket.command(command).await?;
        let answer = answer.trim();
        let changed_addr = command.contains(" addr ")
            && (answer.starts_with("IP changed from") || answer.starts_with("no need to change"));
        if answer.is_empty() || changed_addr {
            return Ok(());
        }
        Err(socket.error(
            RouterErrorKind::Refused,
            format!(
                "HAProxy refused `{command}`: {}; the route may be half done: route again once \
                 fixed",
                first_line(answer)
            ),
        ))
    }

    /// Replaces the versions map's entries in one transaction (HAProxy 2.4+).
    async fn replace_map(
        &self,
        socket: &RuntimeSocket<'_>,
        entries: &[(String, String)],
    ) -> Result<(), RouterError> {
        let map = self.config.versions_map.display();
        let answer = socket.command(&format!("prepare map {map}")).await?;
        let version = answer
            .trim()
            .strip_prefix("New version created:")
            .map(str::trim)
            .filter(|v| v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty())
            .ok_or_else(|| {
                socket.error(
                    RouterErrorKind::Refused,
                    format!(
                        "HAProxy refused `prepare map {map}`: {}",
                        first_line(&answer)
                    ),
                )
            })?;
        for (key, slot) in entries {
            self.apply(socket, &format!("add map @{version} {map} {key} {slot}"))
                .await?;
        }
        self.apply(socket, &format!("commit map @{version} {map}"))
            .await
    }
}

impl TrafficRouter for HaproxyRouter {
    fn describe(&self) -> String {
        self.config.describe()
    }

    async fn route(
        &self,
        stable: &Backend,
        canary: Option<&Backend>,
        canary_weight: u8,
    ) -> Result<(), RouterError> {
        let router = self.describe();
        let table = RouteTable::new(&router, stable, canary, canary_weight)?;
        let socket = self.socket(Action::Route, &router);
        let observed = self.observe(&socket).await?;
        let mut targets: [Option<Placed>; 2] = [None, None];
        for (target, wanted) in targets
            .iter_mut()
            .zip(placement::place(&observed.slots, &table))
        {
            if let Some((backend, weight)) = wanted {
                *target = Some(Placed {
                    version: backend.version.clone(),
                    addr: resolve(&socket, &backend.url).await?,
                    weight,
                });
            }
        }
        for step in placement::steps(&self.config.backend, &observed.slots, &targets) {
            match step {
                Step::Command(command) => self.apply(&socket, &command).await?,
                Step::ReplaceMap(entries) => self.replace_map(&socket, &entries).await?,
            }
        }
        Ok(())
    }

    async fn sample(
        &self,
        stable_version: &str,
        canary_version: Option<&str>,
    ) -> Result<Sample, RouterError> {
        let router = self.describe();
        let socket = self.socket(Action::Sample, &router);
        let process = self.process(&socket).await?;
        let observed = self.observe(&socket).await?;
        let placed: Vec<String> = observed
            .slots
            .iter()
            .map(|s| format!("{}={}", s.name, s.version.as_deref().unwrap_or("-")))
            .collect();
        let counts = |version: &str| {
            let i = observed
                .slots
                .iter()
                .position(|s| s.version.as_deref() == Some(version))
                .ok_or_else(|| {
                    socket.error(
                        RouterErrorKind::NotRouted,
                        format!(
                            "no slot holds version `{version}` ({}): route it first (a restarted \
                             HAProxy serves what its config file says)",
                            placed.join(", ")
                        ),
                    )
                })?;
            Ok::<_, RouterError>(observed.stats[i].counts())
        };
        Ok(Sample {
            stable: counts(stable_version)?,
            canary: canary_version.map(counts).transpose()?.unwrap_or_default(),
            instance: format!("haproxy {process}; {}", placed.join(" ")),
            fallbacks: Vec::new(),
        })
    }

    /// HAProxy has no watchdog: nothing to renew.
    async fn heartbeat(&self, _timeout: Duration) -> Result<(), RouterError> {
        Ok(())
    }

    async fn disarm(&self) -> Result<(), RouterError> {
        Ok(())
    }

    fn has_watchdog(&self) -> bool {
        false
    }

    fn force_header(&self, version: &str) -> Option<(&'static str, String)> {
        Some((FORCE_HEADER, version.to_string()))
    }
}

/// Backend and server names go into commands: HAProxy's own name characters only.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
    {
        Ok(())
    } else {
        Err(format!(
            "name `{}` is not an HAProxy name (letters, digits, `-`, `_`, `.`, `:`)",
            name.escape_default()
        ))
    }
}
