//! [`RouteTable`]: a `route` call's arguments, checked once for every driver before anything is
//! sent, so all routers refuse the same mistakes with the same words.

use crate::error::{Action, RouterError, RouterErrorKind};
use crate::router::Backend;

/// The longest version name a router is asked to carry (in a header, a map, a cookie).
pub const MAX_VERSION_LEN: usize = 128;

/// A valid routing request: stable gets `100 - canary weight` percent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable {
    pub stable: Backend,
    /// The canary and its weight in percent (0–100). Weight 0 keeps it placed (its counters
    /// stay readable) while no request reaches it.
    pub canary: Option<(Backend, u8)>,
}

impl RouteTable {
    /// Checks the arguments of [`crate::TrafficRouter::route`]; `router` names the router in
    /// the error.
    pub fn new(
        router: &str,
        stable: &Backend,
        canary: Option<&Backend>,
        canary_weight: u8,
    ) -> Result<RouteTable, RouterError> {
        let invalid = |detail: String| {
            RouterError::new(Action::Route, router, RouterErrorKind::Invalid, detail)
        };
        check_version(&stable.version).map_err(|e| invalid(format!("stable {e}")))?;
        if canary_weight > 100 {
            return Err(invalid(format!(
                "canary weight {canary_weight} is not a percentage (0-100)"
            )));
        }
        let canary = match canary {
            None if canary_weight > 0 => {
                return Err(invalid(format!(
                    "canary weight {canary_weight} but no canary: pass the canary's backend, or \
                     weight 0"
                )));
            }
            None => None,
            Some(canary) => {
                check_version(&canary.version).map_err(|e| invalid(format!("canary {e}")))?;
                if canary.version == stable.version {
                    return Err(invalid(format!(
                        "canary and stable are both version `{}`: a canary is another version",
                        stable.version
                    )));
                }
                Some((canary.clone(), canary_weight))
            }
        };
        Ok(RouteTable {
            stable: stable.clone(),
            canary,
        })
    }

    pub fn stable_weight(&self) -> u8 {
        100 - self.canary.as_ref().map_or(0, |(_, weight)| *weight)
    }

    /// Every placed version with its weight, stable first.
    pub fn weights(&self) -> Vec<(&Backend, u8)> {
        let mut all = vec![(&self.stable, self.stable_weight())];
        if let Some((canary, weight)) = &self.canary {
            all.push((canary, *weight));
        }
        all
    }
}

/// Checks a version name: 1 to [`MAX_VERSION_LEN`] ASCII letters, digits, `.`, `_`, `-`, `+`.
/// Routers carry it in headers, maps and commands where spaces or quotes would break things.
pub fn check_version(version: &str) -> Result<(), String> {
    if version.is_empty() {
        return Err("version name is empty".into());
    }
    if version.len() > MAX_VERSION_LEN {
        return Err(format!(
            "version name `{}…` is longer than {MAX_VERSION_LEN} characters",
            &version[..32]
        ));
    }
    if let Some(bad) = version
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+')))
    {
        return Err(format!(
            "version name `{}` has {bad:?}: use ASCII letters, digits, `.`, `_`, `-`, `+`",
            version.escape_default()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(name: &str) -> Backend {
        Backend::new(name, "http://127.0.0.1:8081")
    }

    fn refusal(canary: Option<&Backend>, weight: u8) -> String {
        let error = RouteTable::new("test router", &v("v1"), canary, weight).unwrap_err();
        assert_eq!(error.kind(), RouterErrorKind::Invalid);
        error.detail
    }

    #[test]
    fn stable_takes_what_the_canary_leaves() {
        let table = RouteTable::new("r", &v("v1"), Some(&v("v2")), 5).unwrap();
        assert_eq!(table.stable_weight(), 95);
        let weights: Vec<_> = table
            .weights()
            .into_iter()
            .map(|(b, w)| (b.version.as_str(), w))
            .collect();
        assert_eq!(weights, [("v1", 95), ("v2", 5)]);
        assert_eq!(
            RouteTable::new("r", &v("v1"), None, 0)
                .unwrap()
                .stable_weight(),
            100
        );
    }

    #[test]
    fn refuses_what_no_router_can_do() {
        assert!(refusal(Some(&v("v2")), 101).contains("not a percentage"));
        assert!(refusal(None, 5).contains("no canary"));
        assert!(refusal(Some(&v("v1")), 5).contains("both version `v1`"));
        assert!(refusal(Some(&v("v 2")), 5).contains("canary version name `v 2` has ' '"));
        assert!(refusal(Some(&v("")), 5).contains("empty"));
        assert!(refusal(Some(&v(&"x".repeat(129))), 5).contains("longer than 128"));
    }
}
