//! The configured tokens and who presented one. Looking a token up takes the same time
//! whichever entry matches, or none: every configured hash is compared, in constant time.
//! A matching token is then refused if its entry is revoked or its expiry has passed; the
//! refusal names the entry (never the token) so its holder knows which one to replace.

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

/// Why a presented token does not say who the caller is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// No token, or one that is not configured.
    #[error("a valid bearer token is required")]
    Unknown,
    /// A configured token whose `expires` has passed.
    #[error("this token (`{name}`) expired at {at}; ask for a new one")]
    Expired { name: String, at: jiff::Timestamp },
    /// A configured token marked `revoked = true`.
    #[error("this token (`{name}`) has been revoked; ask for a new one")]
    Revoked { name: String },
}

/// A configured token: who it is, and until when.
struct Entry {
    hash: [u8; 32],
    principal: Principal,
    expires: Option<jiff::Timestamp>,
    revoked: bool,
}

/// The configured tokens, by hash. Its `Debug` shows names only.
pub struct Tokens {
    entries: Vec<Entry>,
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
                Ok(Entry {
                    hash,
                    principal,
                    expires: t.expires,
                    revoked: t.revoked,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Tokens { entries })
    }

    /// The principal a presented bearer token belongs to now.
    pub fn authenticate(&self, bearer: &str) -> Result<Principal, Refused> {
        self.authenticate_at(bearer, jiff::Timestamp::now())
    }

    /// The principal a presented bearer token belongs to at `now`: refused when no entry
    /// has its hash, or the entry is revoked or expired by then.
    pub fn authenticate_at(
        &self,
        bearer: &str,
        now: jiff::Timestamp,
    ) -> Result<Principal, Refused> {
        let entry = self.find(bearer).ok_or(Refused::Unknown)?;
        let name = || entry.principal.name.clone();
        if entry.revoked {
            return Err(Refused::Revoked { name: name() });
        }
        match entry.expires {
            Some(at) if at <= now => Err(Refused::Expired { name: name(), at }),
            _ => Ok(entry.principal.clone()),
        }
    }

    /// The entry whose hash is the presented token's.
    fn find(&self, bearer: &str) -> Option<&Entry> {
        let presented = digest(bearer);
        // No early exit and no branch on a comparison: the loop does the same work whether
        // the first, the last or no entry matches. (Which one matched only shows afterwards.)
        let mut matched = Choice::from(0);
        let mut index = 0u64;
        for (i, entry) in self.entries.iter().enumerate() {
            let equal = entry.hash.ct_eq(&presented);
            index.conditional_assign(&(i as u64), equal);
            matched |= equal;
        }
        if !bool::from(matched) {
            return None;
        }
        let index = usize::try_from(index).ok()?;
        self.entries.get(index)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .entries
            .iter()
            .map(|e| e.principal.name.as_str())
            .collect();
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
            expires: None,
            revoked: false,
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
        let unknown = Err(Refused::Unknown);
        assert_eq!(configured.authenticate(""), unknown);
        assert_eq!(configured.authenticate(&token[..token.len() - 1]), unknown);
        assert_eq!(configured.authenticate(&format!("{token} ")), unknown);
        assert_eq!(
            configured.authenticate(&hash_token(&token)),
            unknown,
            "the hash is no token"
        );
        assert_eq!(
            Tokens::from_config(&[]).unwrap().authenticate(&token),
            unknown
        );
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

    #[test]
    fn expired_and_revoked_tokens_are_refused_by_name() {
        let (token, old, gone) = (generate_token(), generate_token(), generate_token());
        let at: jiff::Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
        let mut expiring = entry("ci", &token, &[Scope::Submit]);
        expiring.expires = Some(at);
        let mut revoked = entry("laptop", &gone, &[Scope::Admin]);
        revoked.revoked = true;
        revoked.expires = Some(at);
        let configured =
            Tokens::from_config(&[expiring, entry("old", &old, &[Scope::Read]), revoked]).unwrap();
        let before = at - jiff::SignedDuration::from_secs(1);
        assert_eq!(
            configured.authenticate_at(&token, before).unwrap().name,
            "ci"
        );
        let expired = configured.authenticate_at(&token, at).unwrap_err();
        assert_eq!(
            expired,
            Refused::Expired {
                name: "ci".into(),
                at
            }
        );
        assert_eq!(
            expired.to_string(),
            "this token (`ci`) expired at 2026-03-01T00:00:00Z; ask for a new one"
        );
        assert!(!expired.to_string().contains(&token));
        assert_eq!(configured.authenticate_at(&old, at).unwrap().name, "old");
        // Revocation wins over expiry, before and after it.
        for now in [before, at] {
            assert_eq!(
                configured.authenticate_at(&gone, now),
                Err(Refused::Revoked {
                    name: "laptop".into()
                })
            );
        }
    }
}
