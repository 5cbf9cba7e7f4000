//! What a token may do. The names are the ones written in `gate.toml` and on the command line.

use serde::{Deserialize, Serialize};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Read runs, verdicts, reports and pages.
    Read,
    /// Submit, cancel and re-run runs (includes `read`).
    Submit,
    /// Run jobs as an agent: lease, heartbeat, upload results. Nothing else: an agent's token
    /// sits on a build machine and should open as little as possible.
    Agent,
    /// Deployments and rollbacks (includes `read`).
    Deploy,
    /// Everything.
    Admin,
}

/// A scope name that is not one of [`Scope::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope `{0}`: use read, submit, agent, deploy or admin")]
pub struct UnknownScope(pub String);

impl Scope {
    /// Every scope, in the order they are documented.
    pub const ALL: [Scope; 5] = [
        Scope::Read,
        Scope::Submit,
        Scope::Agent,
        Scope::Deploy,
        Scope::Admin,
    ];

    /// The name used in `gate.toml`: `read`, `submit`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Submit => "submit",
            Scope::Agent => "agent",
            Scope::Deploy => "deploy",
            Scope::Admin => "admin",
        }
    }

    /// Whether a token with this scope may do what needs `needed`.
    pub fn allows(self, needed: Scope) -> bool {
        match self {
            Scope::Admin => true,
            Scope::Submit | Scope::Deploy => needed == self || needed == Scope::Read,
            Scope::Agent | Scope::Read => needed == self,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scope {
    type Err = UnknownScope;

    fn from_str(name: &str) -> Result<Scope, UnknownScope> {
        Scope::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| UnknownScope(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::Scope::{self, *};

    #[test]
    fn each_scope_allows_exactly_its_table_row() {
        // needed:                 read   submit agent  deploy admin
        let table: [(Scope, [bool; 5]); 5] = [
            (Read, [true, false, false, false, false]),
            (Submit, [true, true, false, false, false]),
            (Agent, [false, false, true, false, false]),
            (Deploy, [true, false, false, true, false]),
            (Admin, [true, true, true, true, true]),
        ];
        for (held, row) in table {
            for (needed, allowed) in Scope::ALL.into_iter().zip(row) {
                assert_eq!(held.allows(needed), allowed, "{held} for {needed}");
            }
        }
    }

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
            assert_eq!(
                serde_json::to_value(scope).ok(),
                Some(serde_json::Value::from(scope.as_str()))
            );
        }
        assert!("Admin".parse::<Scope>().is_err());
    }
}
