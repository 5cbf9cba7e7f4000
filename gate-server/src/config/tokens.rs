//! `[[tokens]]`: API tokens by hash, each with a name and its scopes. Names and hashes must
//! be unique: a name identifies the client in logs, and one token per client lets each be
//! revoked alone.

use toml::de::DeValue;

use super::TokenConfig;
use super::read::{Reader, Value};
use super::rules;

const KEYS: [&str; 3] = ["name", "hash", "scopes"];
const PLACE: &str = "[[tokens]]";
const HELP: &str =
    "`gate token --name ci --scopes submit` makes a token and prints the entry to paste here";

/// The entries of `tokens`, or `None` if any is wrong (the problems are recorded).
pub(super) fn read(r: &mut Reader<'_>, value: &Value<'_>) -> Option<Vec<TokenConfig>> {
    let DeValue::Array(entries) = value.get_ref() else {
        r.push(
            r.at(
                value.span(),
                "`tokens` must be a list of `[[tokens]]` sections",
            )
            .with_label("not a list of tables")
            .with_help(HELP),
        );
        return None;
    };
    let mut tokens: Vec<TokenConfig> = Vec::new();
    let mut complete = true;
    for entry in entries {
        match token(r, entry, &tokens) {
            Some(token) => tokens.push(token),
            None => complete = false,
        }
    }
    complete.then_some(tokens)
}

/// One entry; `earlier` are the entries before it (for duplicates).
fn token(r: &mut Reader<'_>, entry: &Value<'_>, earlier: &[TokenConfig]) -> Option<TokenConfig> {
    let table = r.table("`tokens`", entry)?;
    let (mut name, mut hash, mut scopes) = (None, None, None);
    let mut complete = true;
    let mut explained = Vec::new();
    for (key, value) in table {
        let what = format!("`{}` in `{PLACE}`", key.get_ref());
        complete &= match key.get_ref().as_ref() {
            "name" => {
                name = r.non_empty(&what, value).filter(|n| {
                    let unique = !earlier.iter().any(|t| t.name == *n);
                    if !unique {
                        r.push(
                            r.at(value.span(), format!("token name `{n}` is used twice"))
                                .with_label("duplicate name")
                                .with_help("names tell clients apart in logs: give each its own"),
                        );
                    }
                    unique
                });
                name.is_some()
            }
            "hash" => {
                hash = r.checked(&what, value, rules::token_hash).filter(|h| {
                    let unique = !earlier.iter().any(|t| t.hash == *h);
                    if !unique {
                        r.push(
                            r.at(value.span(), "this token hash is configured twice")
                                .with_label("duplicate hash")
                                .with_help(
                                    "give every client its own token, so each can be revoked alone",
                                ),
                        );
                    }
                    unique
                });
                hash.is_some()
            }
            "scopes" => {
                scopes = r.list(&what, value, rules::scope).filter(|s| {
                    if s.is_empty() {
                        r.push(
                            r.at(value.span(), format!("{what} must name at least one scope"))
                                .with_label("no scope")
                                .with_help(
                                    "scopes are `read`, `submit`, `agent`, `deploy` and `admin`",
                                ),
                        );
                    }
                    !s.is_empty()
                });
                scopes.is_some()
            }
            _ => {
                explained.extend(r.unknown_key(key, &format!(" in `{PLACE}`"), &KEYS));
                false
            }
        };
    }
    r.require((table, entry.span()), PLACE, &KEYS, &explained, HELP);
    Some(TokenConfig {
        name: name?,
        hash: hash?,
        scopes: scopes?,
    })
    .filter(|_| complete)
}
