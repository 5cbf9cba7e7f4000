//! `[[tokens]]`: API tokens by hash, each with a name and its scopes, and optionally when it
//! expires (`expires`, an RFC 3339 instant) and whether it is revoked (`revoked = true`).
//! Names and hashes must be unique: a name identifies the client in logs, and one token per
//! client lets each be revoked alone.

use gate_toml::{Section, Sink, Value, read};
use toml::de::DeValue;

use super::TokenConfig;
use super::rules;

const KEYS: [&str; 5] = ["name", "hash", "scopes", "expires", "revoked"];
const REQUIRED: [&str; 3] = ["name", "hash", "scopes"];
const HELP: &str =
    "`gate token --name ci --scopes submit` makes a token and prints the entry to paste here";

/// The entries of `tokens`, or `None` if any is wrong (the problems are recorded).
pub(super) fn read(sink: &mut Sink<'_>, value: &Value<'_>) -> Option<Vec<TokenConfig>> {
    let DeValue::Array(entries) = value.get_ref() else {
        sink.error(
            value.span(),
            "`tokens` must be a list of `[[tokens]]` sections",
        )
        .label("not a list of tables")
        .help(HELP);
        return None;
    };
    let mut tokens: Vec<TokenConfig> = Vec::new();
    let mut complete = true;
    for entry in entries {
        match token(sink, entry, &tokens) {
            Some(token) => tokens.push(token),
            None => complete = false,
        }
    }
    complete.then_some(tokens)
}

/// One entry; `earlier` are the entries before it (for duplicates).
fn token(sink: &mut Sink<'_>, entry: &Value<'_>, earlier: &[TokenConfig]) -> Option<TokenConfig> {
    let mut s = Section::open(sink, "[[tokens]]", entry, &KEYS)?;
    let name = s.read(sink, "name", |sink, what, value| {
        let name = read::non_empty(sink, what, value)?;
        if earlier.iter().any(|t| t.name == name) {
            sink.error(value.span(), format!("token name `{name}` is used twice"))
                .label("duplicate name")
                .help("names tell clients apart in logs: give each its own");
            return None;
        }
        Some(name.to_string())
    });
    let hash = s.read(sink, "hash", |sink, what, value| {
        let hash = read::checked(sink, what, value, rules::token_hash)?;
        if earlier.iter().any(|t| t.hash == hash) {
            sink.error(value.span(), "this token hash is configured twice")
                .label("duplicate hash")
                .help("give every client its own token, so each can be revoked alone");
            return None;
        }
        Some(hash)
    });
    let scopes = s.read(sink, "scopes", |sink, what, value| {
        let scopes = read::list(sink, what, value, rules::scope)?;
        if scopes.is_empty() {
            sink.error(value.span(), format!("{what} must name at least one scope"))
                .label("no scope")
                .help("scopes are `read`, `submit`, `agent`, `deploy` and `admin`");
            return None;
        }
        Some(scopes)
    });
    let expires = s.read(sink, "expires", expiry);
    let revoked = s.read(sink, "revoked", read::boolean);
    s.require(sink, &REQUIRED, HELP);
    s.finish(|| {
        Some(TokenConfig {
            name: name?,
            hash: hash?,
            scopes: scopes?,
            expires,
            revoked: revoked.unwrap_or(false),
        })
    })
}

/// `expires`: a string, or a TOML offset date-time (`expires = 2026-12-31T00:00:00Z`).
fn expiry(sink: &mut Sink<'_>, what: &str, value: &Value<'_>) -> Option<jiff::Timestamp> {
    let DeValue::Datetime(datetime) = value.get_ref() else {
        return read::checked(sink, what, value, rules::token_expiry);
    };
    rules::token_expiry(&datetime.to_string())
        .map_err(|invalid| read::refuse(sink, what, value, invalid))
        .ok()
}
