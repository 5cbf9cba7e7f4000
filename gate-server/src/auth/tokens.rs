//! The configured tokens and who presented one. Looking a token up takes the same time
//! whichever entry matches, or none: every configured hash is compared, in constant time.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::Scope;
use super::secret::{digest, parse_token_hash};
use crate::config::TokenConfig;

/// Who made a request: the configured token's name and scopes.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl Principal {
    /// Whether one of the principal's scopes allows what needs `needed`.
    pub fn allows(&self, needed: Scope) -> bool {
        self.scopes.iter().any(|s| s.allows(needed))
    }
}

/// A configured token whose hash is not `sha256:` and 64 hex digits. `config::load` reports
/// this with the line of the file; this error is for configurations built in code.
#[derive(Debug, thiserror::Error)]
#[error("token `{0}`: the hash must be \"sha256:\" and 64 hex digits")]
pub struct BadTokenHash(pub String);

/// The configured tokens, by hash. Its `Debug` shows names only.
pub struct Tokens {
    entries: Vec<([u8; 32], Principal)>,
}

impl Tokens {
    pub fn from_config(tokens: &[TokenConfig]) -> Result<Tokens, BadTokenHash> {
        let entries = tokens
            .iter()
            .map(|t| {
                let hash = parse_token_hash(&t.hash).ok_or_else(|| BadTokenHash(t.name.clone()))?;
                let principal = Principal {
                    name: t.name.clone(),
                    scopes: t.scopes.clone(),
                };
                Ok((hash, principal))
            })
            .collect::<Result<_, _>>()?;
        Ok(Tokens { entries })
    }

    /// The principal a presented bearer token belongs to, if any.
    pub fn authenticate(&self, bearer: &str) -> Option<Principal> {
        let presented = digest(bearer);
        // No early exit and no branch on a comparison: the loop does the same work whether
        // the first, the last or no entry matches. (Which one matched only shows afterwards.)
        let mut matched = Choice::from(0);
        let mut index = 0u64;
        for (i, (hash, _)) in self.entries.iter().enumerate() {
            let equal = hash.ct_eq(&presented);
            index.conditional_assign(&(i as u64), equal);
            matched |= equal;
        }
        if !bool::from(matched) {
            return None;
        }
        let index = usize::try_from(index).ok()?;
        self.entries.get(index).map(|(_, p)| p.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.entries.iter().map(|(_, p)| p.name.as_str()).collect();
        f.debug_struct("Tokens")
            .field("names", &names)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{generate_token, hash_token};

    fn entry(name: &str, token: &str, scopes: &[Scope]) -> TokenConfig {
        TokenConfig {
            name: name.into(),
            hash: hash_token(token),
            scopes: scopes.to_vec(),
        }
    }

    #[test]
    fn a_token_authenticates_as_its_entry_whatever_its_position() {
        let tokens: Vec<String> = (0..3).map(|_| generate_token()).collect();
        let config = [
            entry("ci", &tokens[0], &[Scope::Submit]),
            entry("agents", &tokens[1], &[Scope::Agent]),
            entry("ops", &tokens[2], &[Scope::Read, Scope::Deploy]),
        ];
        let configured = Tokens::from_config(&config).unwrap();
        for (token, entry) in tokens.iter().zip(&config) {
            let who = configured.authenticate(token).unwrap();
            assert_eq!((&who.name, &who.scopes), (&entry.name, &entry.scopes));
        }
        let ci = configured.authenticate(&tokens[0]).unwrap();
        assert!(ci.allows(Scope::Read) && ci.allows(Scope::Submit));
        assert!(!ci.allows(Scope::Agent) && !ci.allows(Scope::Admin));
    }

    #[test]
    fn unknown_and_near_tokens_are_refused() {
        let token = generate_token();
        let configured = Tokens::from_config(&[entry("ci", &token, &[Scope::Read])]).unwrap();
        assert_eq!(configured.authenticate(""), None);
        assert_eq!(configured.authenticate(&token[..token.len() - 1]), None);
        assert_eq!(configured.authenticate(&format!("{token} ")), None);
        assert_eq!(
            configured.authenticate(&hash_token(&token)),
            None,
            "the hash is no token"
        );
        assert_eq!(Tokens::from_config(&[]).unwrap().authenticate(&token), None);
    }

    #[test]
    fn malformed_hashes_are_refused_and_debug_shows_names_only() {
        let mut bad = entry("ci", "t", &[Scope::Read]);
        bad.hash = "sha256:abc".into();
        assert_eq!(
            Tokens::from_config(&[bad]).unwrap_err().to_string(),
            "token `ci`: the hash must be \"sha256:\" and 64 hex digits"
        );
        let token = generate_token();
        let configured = Tokens::from_config(&[entry("ci", &token, &[Scope::Read])]).unwrap();
        let debug = format!("{configured:?}");
        assert!(debug.contains("ci"), "{debug}");
        let hex_part = &hash_token(&token)[7..];
        assert!(
            !debug.contains(hex_part) && !debug.contains(&token),
            "{debug}"
        );
    }
}
