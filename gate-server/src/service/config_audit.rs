//! Configuration and token changes in the audit log: at each start the server compares what it
//! runs with (a fingerprint of each section of `gate.toml`, secrets left out; the tokens by
//! name and hash) with what it ran with last time, and records what changed.

use std::collections::BTreeMap;

use gate_audit::{Action, NewEntry};
use sha2::{Digest, Sha256};

use super::{Service, ServiceError};
use crate::config::ServerConfig;
use crate::store::now_ms;

/// A short fingerprint of each section, by name. Secret values never enter it: the sections
/// holding secrets print them redacted.
fn sections(config: &ServerConfig) -> BTreeMap<&'static str, String> {
    let print = |v: &dyn std::fmt::Debug| {
        let digest = Sha256::digest(format!("{v:?}").as_bytes());
        hex::encode(&digest[..8])
    };
    BTreeMap::from([
        ("listen", print(&config.listen)),
        ("database-url", print(&redacted(&config.database_url))),
        ("scenarios", print(&config.scenarios)),
        ("default-base-url", print(&config.default_base_url)),
        ("workers", print(&config.workers)),
        ("browser", print(&(&config.browser, &config.browser_args))),
        ("recycle-after", print(&config.recycle_after)),
        (
            "timeouts",
            print(&(
                config.step_timeout,
                config.scenario_timeout,
                config.lease,
                config.max_leases,
            )),
        ),
        ("webhook", print(&config.webhook)),
        ("publish", print(&config.publish)),
        ("services", print(&config.services)),
        ("digest", print(&config.digest)),
        ("release", print(&config.release)),
        ("parity", print(&config.parity)),
    ])
}

/// Marks a revoked token's print.
const REVOKED: &str = " revoked";

/// What is compared of a token between starts: its hash (never the token), scopes, expiry
/// and whether it is revoked.
fn token_print(token: &crate::config::TokenConfig) -> String {
    let scopes: Vec<&str> = token.scopes.iter().map(|s| s.as_str()).collect();
    let mut print = format!("{} {}", token.hash, scopes.join(","));
    if let Some(at) = token.expires {
        print.push_str(&format!(" expires {at}"));
    }
    if token.revoked {
        print.push_str(REVOKED);
    }
    print
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// A database URL without its password.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = url[scheme + 3..at].split(':').next().unwrap_or("");
            format!("{}://{user}@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

impl Service {
    /// ` (commit 1a2b3c4d5e6f by Ana <ana@example.com>: "Raise the canary")`, or that the
    /// change is not committed, or nothing when the configuration is not in git.
    fn config_origin(&self) -> String {
        let Some(p) = &self.config.provenance else {
            return String::new();
        };
        if !p.dirty.is_empty() {
            return format!(
                " (uncommitted changes to {} on top of {})",
                p.dirty.join(", "),
                short(&p.commit)
            );
        }
        match &p.last_change {
            Some(c) => format!(
                " (commit {} by {}: \"{}\")",
                short(&c.commit),
                c.author,
                c.subject
            ),
            None => format!(" (at commit {})", short(&p.commit)),
        }
    }

    /// Records (and audits) configuration and token changes since the last start.
    pub async fn audit_configuration(&self) -> Result<(), ServiceError> {
        let now = now_ms();
        let current = sections(&self.config);
        let previous: Option<BTreeMap<String, String>> = self
            .store
            .server_state("config")
            .await?
            .and_then(|text| serde_json::from_str(&text).ok());
        let changed: Vec<&str> = match &previous {
            None => vec![],
            Some(previous) => current
                .iter()
                .filter(|(k, v)| previous.get(**k) != Some(*v))
                .map(|(k, _)| *k)
                .collect(),
        };
        let mut entries = Vec::new();
        if previous.is_none() {
            entries.push(NewEntry {
                reason: Some(format!(
                    "first start with this database{}",
                    self.config_origin()
                )),
                ..NewEntry::new(now, "gate", Action::ConfigChanged)
            });
        } else if !changed.is_empty() {
            entries.push(NewEntry {
                reason: Some(format!(
                    "gate.toml changed: {}{}",
                    changed.join(", "),
                    self.config_origin()
                )),
                ..NewEntry::new(now, "gate", Action::ConfigChanged)
            });
        }
        let config_json = serde_json::to_string(&current).unwrap_or_default();
        self.store
            .set_server_state("config", &config_json, &entries)
            .await?;

        let tokens: BTreeMap<String, String> = self
            .config
            .tokens
            .iter()
            .map(|t| (t.name.clone(), token_print(t)))
            .collect();
        let before: Option<BTreeMap<String, String>> = self
            .store
            .server_state("tokens")
            .await?
            .and_then(|text| serde_json::from_str(&text).ok());
        let mut words = Vec::new();
        if let Some(before) = &before {
            let names = |m: &BTreeMap<String, String>, other: &BTreeMap<String, String>| {
                m.keys()
                    .filter(|k| !other.contains_key(*k))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            let added = names(&tokens, before);
            let removed = names(before, &tokens);
            // A token revoked since the last start is said as such; other edits are "changed".
            let mut revoked = Vec::new();
            let mut changed = Vec::new();
            for (name, print) in &tokens {
                match before.get(name) {
                    Some(old) if old == print => {}
                    Some(old) if print.ends_with(REVOKED) && !old.ends_with(REVOKED) => {
                        revoked.push(name.clone())
                    }
                    Some(_) => changed.push(name.clone()),
                    None => {}
                }
            }
            for (what, list) in [
                ("added", added),
                ("removed", removed),
                ("revoked", revoked),
                ("changed", changed),
            ] {
                if !list.is_empty() {
                    words.push(format!("{what} {}", list.join(", ")));
                }
            }
        }
        let entries: Vec<NewEntry> = (!words.is_empty())
            .then(|| NewEntry {
                reason: Some(format!("tokens: {}", words.join("; "))),
                ..NewEntry::new(now, "gate", Action::TokensChanged)
            })
            .into_iter()
            .collect();
        self.store
            .set_server_state(
                "tokens",
                &serde_json::to_string(&tokens).unwrap_or_default(),
                &entries,
            )
            .await?;
        Ok(())
    }
}
