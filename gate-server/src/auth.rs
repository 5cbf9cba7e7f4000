//! Bearer tokens with scopes. Tokens are configured as hashes (`sha256:<hex>`), never stored
//! or logged in clear, and compared in constant time.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::TokenConfig;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Read runs, verdicts, reports and pages.
    Read,
    /// Submit, cancel and re-run runs (includes `read`).
    Submit,
    /// Run jobs as an agent: lease, heartbeat, upload results.
    Agent,
    /// Deployments and rollbacks (includes `read`).
    Deploy,
    /// Everything.
    Admin,
}

impl Scope {
    /// Whether a token with this scope may do what needs `needed`.
    pub fn allows(self, needed: Scope) -> bool {
        match self {
            Scope::Admin => true,
            Scope::Submit | Scope::Deploy => needed == self || needed == Scope::Read,
            Scope::Agent | Scope::Read => needed == self,
        }
    }
}

/// Who made a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl Principal {
    pub fn allows(&self, needed: Scope) -> bool {
        self.scopes.iter().any(|s| s.allows(needed))
    }
}

/// The configured tokens.
pub struct Tokens {
    entries: Vec<([u8; 32], Principal)>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.entries.iter().map(|(_, p)| p.name.as_str()).collect();
        f.debug_struct("Tokens")
            .field("names", &names)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("token `{0}`: the hash must be \"sha256:\" and 64 hex digits")]
pub struct BadTokenHash(String);

impl Tokens {
    pub fn from_config(tokens: &[TokenConfig]) -> Result<Tokens, BadTokenHash> {
        let mut entries = Vec::new();
        for t in tokens {
            let digest = t
                .hash
                .strip_prefix("sha256:")
                .and_then(|h| hex::decode(h).ok())
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| BadTokenHash(t.name.clone()))?;
            entries.push((
                digest,
                Principal {
                    name: t.name.clone(),
                    scopes: t.scopes.clone(),
                },
            ));
        }
        Ok(Tokens { entries })
    }

    /// The principal a presented token belongs to. Every configured hash is compared, in
    /// constant time, whatever matches.
    pub fn authenticate(&self, bearer: &str) -> Option<Principal> {
        let presented: [u8; 32] = Sha256::digest(bearer.as_bytes()).into();
        let mut found = None;
        for (digest, principal) in &self.entries {
            if bool::from(digest.ct_eq(&presented)) {
                found = Some(principal.clone());
            }
        }
        found
    }
}

/// `sha256:<hex>` of a token, as configured.
pub fn hash_token(plain: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(plain.as_bytes())))
}

/// A new random token.
pub fn generate_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("gate_{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_constant_time_lookup() {
        let token = generate_token();
        let tokens = Tokens::from_config(&[TokenConfig {
            name: "ci".into(),
            hash: hash_token(&token),
            scopes: vec![Scope::Submit],
        }])
        .unwrap();
        let who = tokens.authenticate(&token).unwrap();
        assert_eq!(who.name, "ci");
        assert!(who.allows(Scope::Read) && who.allows(Scope::Submit));
        assert!(!who.allows(Scope::Agent) && !who.allows(Scope::Admin));
        assert!(tokens.authenticate("gate_wrong").is_none());
        assert!(!format!("{tokens:?}").contains(&hash_token(&token)));
        assert!(Scope::Admin.allows(Scope::Agent));
        assert!(!Scope::Read.allows(Scope::Submit));
    }
}
