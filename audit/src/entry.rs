//! What an audit entry says, and its canonical form (the bytes its hash is taken over).

use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A deployment was asked for (its commit's verdict checked).
    DeployRequested,
    /// A deploy was refused (for example a commit whose gate verdict is not success).
    DeployRefused,
    /// A deploy went ahead although a check refused it (admin scope, with a reason).
    Override,
    /// The deploy hook brought the new version up.
    VersionUp,
    /// A hook failed; the deployment failed.
    HookFailed,
    /// The canary entered a step (its weight changed).
    StepStarted,
    /// The new version took all traffic.
    Promoted,
    /// Traffic went back to the stable version: by gate's analysis, or by a person.
    RolledBack,
    /// A person stopped the canary; traffic went back to stable.
    Aborted,
    /// The router lost its controller and moved traffic to stable by itself.
    RouterFellBack,
    /// A service's stable version changed outside a canary (a rollback to a named version).
    StableChanged,
    /// The server started with a configuration different from the last one it ran with.
    ConfigChanged,
    /// The set of configured tokens changed.
    TokensChanged,
    /// A person performed a manual stage of the release flow for a release (`gate flow done`).
    StagePerformed,
}

impl Action {
    pub const ALL: [Action; 14] = [
        Action::DeployRequested,
        Action::DeployRefused,
        Action::Override,
        Action::VersionUp,
        Action::HookFailed,
        Action::StepStarted,
        Action::Promoted,
        Action::RolledBack,
        Action::Aborted,
        Action::RouterFellBack,
        Action::StableChanged,
        Action::ConfigChanged,
        Action::TokensChanged,
        Action::StagePerformed,
    ];

    /// The stored name: `deploy_requested`, `rolled_back`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Action::DeployRequested => "deploy_requested",
            Action::DeployRefused => "deploy_refused",
            Action::Override => "override",
            Action::VersionUp => "version_up",
            Action::HookFailed => "hook_failed",
            Action::StepStarted => "step_started",
            Action::Promoted => "promoted",
            Action::RolledBack => "rolled_back",
            Action::Aborted => "aborted",
            Action::RouterFellBack => "router_fell_back",
            Action::StableChanged => "stable_changed",
            Action::ConfigChanged => "config_changed",
            Action::TokensChanged => "tokens_changed",
            Action::StagePerformed => "stage_performed",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An entry to append: everything but its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// A token's name, or `gate` for what gate did by itself.
    pub actor: String,
    pub action: Action,
    pub service: Option<String>,
    pub from_version: Option<String>,
    pub to_version: Option<String>,
    pub commit: Option<String>,
    pub deployment: Option<String>,
    /// Why, in words (a person's reason, or gate's numbers).
    pub reason: Option<String>,
    /// The git commit of the configuration the server ran with (`<sha>`, `<sha>-dirty`).
    pub config: Option<String>,
}

impl NewEntry {
    /// An entry with only the required parts; set the rest with struct update syntax.
    pub fn new(at_ms: i64, actor: &str, action: Action) -> NewEntry {
        NewEntry {
            at_ms,
            actor: actor.to_string(),
            action,
            service: None,
            from_version: None,
            to_version: None,
            commit: None,
            deployment: None,
            reason: None,
            config: None,
        }
    }
}

/// A stored entry: its content, its place in the chain and the hashes that tie it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// 1, 2, 3, … with no gaps.
    pub seq: u64,
    #[serde(flatten)]
    pub content: NewEntry,
    /// The `hash` of the entry before (for the first, [`crate::GENESIS`]).
    pub prev_hash: String,
    /// SHA-256 (hex) of this entry's canonical form.
    pub hash: String,
}

/// The hashed form of an entry: every field but `hash`, in a fixed order, as compact JSON.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: u64,
    at_ms: i64,
    actor: &'a str,
    action: Action,
    service: &'a Option<String>,
    from_version: &'a Option<String>,
    to_version: &'a Option<String>,
    commit: &'a Option<String>,
    deployment: &'a Option<String>,
    reason: &'a Option<String>,
    /// Left out when absent, so entries written before it existed keep their hashes.
    #[serde(skip_serializing_if = "Option::is_none")]
    config: &'a Option<String>,
    prev_hash: &'a str,
}

/// The bytes an entry's hash is taken over.
pub fn canonical(seq: u64, content: &NewEntry, prev_hash: &str) -> Vec<u8> {
    let c = Canonical {
        seq,
        at_ms: content.at_ms,
        actor: &content.actor,
        action: content.action,
        service: &content.service,
        from_version: &content.from_version,
        to_version: &content.to_version,
        commit: &content.commit,
        deployment: &content.deployment,
        reason: &content.reason,
        config: &content.config,
        prev_hash,
    };
    // Serialising plain strings, numbers and options cannot fail.
    serde_json::to_vec(&c).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip_and_match_serde() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
            assert_eq!(
                serde_json::to_value(action).ok(),
                Some(serde_json::Value::from(action.as_str()))
            );
        }
    }

    #[test]
    fn the_canonical_form_is_fixed_and_covers_every_field() {
        let content = NewEntry {
            service: Some("shop".into()),
            reason: Some("a \"quoted\" reason".into()),
            ..NewEntry::new(7, "alice", Action::RolledBack)
        };
        let text = String::from_utf8(canonical(3, &content, "ab")).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"seq":3,"at_ms":7,"actor":"alice","action":"rolled_back","service":"shop","from_version":null,"to_version":null,"commit":null,"deployment":null,"reason":"a \"quoted\" reason","prev_hash":"ab"}"#
        );
    }
}
