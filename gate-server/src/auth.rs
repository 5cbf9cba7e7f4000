//! Bearer tokens and their scopes.
//!
//! Tokens are configured as hashes (`sha256:<hex>`, which `gate token` prints), so neither
//! `gate.toml` nor the database ever holds one in clear. An entry may expire (`expires`) or
//! be revoked (`revoked = true`, kept in the file so the change is reviewed); such a token
//! is refused with a message that says which, naming the entry and never the token. A presented token is hashed and
//! compared with every configured hash in constant time. This module decides *who* a request
//! is and what its scopes allow; which route needs which scope is the HTTP layer's business.
//!
//! - [`scope`]: [`Scope`] and which scope includes which.
//! - [`credentials`]: the token a request presents (header or log-in cookie), and who it is.
//! - [`secret`]: making a new token and hashing one.
//! - [`tokens`]: [`Tokens`], the configured tokens, and [`Principal`], who a token belongs to.

mod credentials;
mod scope;
mod secret;
mod tokens;

pub use credentials::{COOKIE, Denied, authenticate, login_cookie, logout_cookie, presented_token};
pub use scope::{Scope, UnknownScope};
pub use secret::{generate_token, hash_token, parse_token_hash};
pub use tokens::{BadTokenHash, Principal, Refused, Tokens};
