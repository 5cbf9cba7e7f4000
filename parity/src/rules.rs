//! What may differ: `ignore` patterns (`header.server`, `cookie.*.path`, `version`) and the
//! differences allowed by default.
//!
//! A pattern is an item name or a glob (`*` matches any run of characters, `?` one) and also
//! covers the items under it: `tls.certificate` covers `tls.certificate.subject` and the rest.
//! Patterns are checked when read, so a typo cannot silently ignore nothing.

use gate_toml::suggest::closest;
use globset::{Glob, GlobMatcher};

use crate::HEADERS;
use crate::item::FAMILIES;

/// Allowed unless the user says otherwise, and why. A certificate's subject names its own
/// host (`CN=staging.example.com`); wildcard and per-host certificates differ in it too.
pub const DEFAULT_ALLOWED: [(&str, &str); 1] = [(
    "tls.certificate.subject",
    "each environment's certificate names its own host",
)];

/// An `ignore` pattern, checked.
#[derive(Debug, Clone)]
pub struct Ignore {
    pattern: String,
    exact: GlobMatcher,
    under: GlobMatcher,
}

/// Why a pattern or path was refused, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct Invalid {
    pub problem: String,
    pub help: String,
}

impl Ignore {
    /// Reads `pattern`: a glob whose first segment is an item family (or a wildcard), and
    /// for a header, one of the compared headers.
    pub fn parse(pattern: &str) -> Result<Ignore, Invalid> {
        let example = "e.g. \"header.server\", \"cookie.*.path\" or \"version.app\"";
        if pattern.trim().is_empty() {
            return Err(Invalid {
                problem: "is empty".into(),
                help: format!("name an item to ignore, {example}"),
            });
        }
        let family = pattern.split(['.', '[']).next().unwrap_or_default();
        let wild = family.contains(['*', '?', '[', '{']);
        if !wild && !FAMILIES.contains(&family) {
            let help = match closest(family, FAMILIES) {
                Some(meant) => format!("did you mean `{meant}`? items start with {}", families()),
                None => format!("items start with {}; {example}", families()),
            };
            return Err(Invalid {
                problem: format!("names no compared item: `{family}` is not an item family"),
                help,
            });
        }
        if let Some(header) = pattern.strip_prefix("header.") {
            let literal = !header.contains(['*', '?', '[', '{']);
            if literal && !HEADERS.contains(&header) {
                let help = match closest(header, HEADERS) {
                    Some(meant) => format!("did you mean `header.{meant}`?"),
                    None => format!("the compared headers are {}", HEADERS.join(", ")),
                };
                return Err(Invalid {
                    problem: format!("names no compared header: `{header}`"),
                    help,
                });
            }
        }
        let glob = |text: &str| {
            Glob::new(text)
                .map(|g| g.compile_matcher())
                .map_err(|e| Invalid {
                    problem: format!("is not a valid pattern: {}", e.kind()),
                    help: format!("`*` matches any characters, `?` one; {example}"),
                })
        };
        Ok(Ignore {
            pattern: pattern.to_string(),
            exact: glob(pattern)?,
            under: glob(&format!("{pattern}.*"))?,
        })
    }

    /// As written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether this pattern covers `item`.
    pub fn covers(&self, item: &str) -> bool {
        self.exact.is_match(item) || self.under.is_match(item)
    }
}

/// Checks a path requested on both environments (`/`, `/version`): it starts with one `/`.
pub fn request_path(path: &str, example: &str) -> Result<(), Invalid> {
    if path.starts_with('/') && !path.starts_with("//") {
        return Ok(());
    }
    Err(Invalid {
        problem: "must be a path starting with `/`".into(),
        help: format!("the path is requested on both environments' hosts, e.g. \"{example}\""),
    })
}

/// The differences allowed: the user's `ignore` patterns, then (unless turned off) the
/// defaults.
#[derive(Debug, Clone)]
pub struct Rules {
    pub ignore: Vec<Ignore>,
    /// Whether [`DEFAULT_ALLOWED`] applies.
    pub defaults: bool,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            ignore: Vec::new(),
            defaults: true,
        }
    }
}

impl Rules {
    pub fn new(ignore: Vec<Ignore>) -> Rules {
        Rules {
            ignore,
            defaults: true,
        }
    }

    /// Why a difference in `item` is allowed, or `None` if it is not.
    pub fn allows(&self, item: &str) -> Option<String> {
        if let Some(rule) = self.ignore.iter().find(|i| i.covers(item)) {
            return Some(format!("ignored: {}", rule.pattern));
        }
        if !self.defaults {
            return None;
        }
        DEFAULT_ALLOWED
            .iter()
            .find(|(name, _)| *name == item)
            .map(|(_, why)| (*why).to_string())
    }
}

fn families() -> String {
    FAMILIES
        .iter()
        .map(|f| format!("`{f}.`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_cover_names_globs_and_what_is_under_them() {
        let covers = |p: &str, item: &str| Ignore::parse(p).unwrap().covers(item);
        assert!(covers("header.server", "header.server"));
        assert!(!covers("header.server", "header.strict-transport-security"));
        assert!(covers("cookie.*.path", "cookie.session.path"));
        assert!(!covers("cookie.*.path", "cookie.session.secure"));
        assert!(covers("tls.certificate", "tls.certificate.subject"));
        assert!(!covers("tls.certificate", "tls.cipher"));
        assert!(covers("version", "version.database.version"));
        assert!(covers("version", "version"));
        assert!(covers("*", "probe.postgres"));
        assert!(covers("header.*", "header.cache-control"));
    }

    #[test]
    fn typos_are_refused_with_a_suggestion() {
        let err = Ignore::parse("hedaer.server").unwrap_err();
        assert!(err.problem.contains("`hedaer`"), "{err:?}");
        assert!(err.help.contains("did you mean `header`?"), "{err:?}");
        let err = Ignore::parse("header.x-frame-option").unwrap_err();
        assert!(err.help.contains("`header.x-frame-options`"), "{err:?}");
        let err = Ignore::parse("header.date").unwrap_err();
        assert!(err.help.contains("strict-transport-security"), "{err:?}");
        assert!(Ignore::parse("").is_err());
        assert!(Ignore::parse("cookie.[").is_err());
        assert!(Ignore::parse("header.x-*").is_ok());
    }

    #[test]
    fn the_user_s_patterns_come_before_the_defaults() {
        let rules = Rules::new(vec![Ignore::parse("version.app").unwrap()]);
        assert_eq!(
            rules.allows("version.app").as_deref(),
            Some("ignored: version.app")
        );
        assert!(rules.allows("tls.certificate.subject").is_some());
        assert_eq!(rules.allows("tls.cipher"), None);
        let strict = Rules {
            defaults: false,
            ..Rules::default()
        };
        assert_eq!(strict.allows("tls.certificate.subject"), None);
    }
}
