//! The routing table: the versions, their upstreams, weights and counters, and which one is
//! stable. Owns the rules of a valid table (checked once, when it is built) and the weighted
//! draw. A table is immutable: a change builds a new one, so a request reads one consistent
//! snapshot. Knows nothing of HTTP serving, persistence or the watchdog.

use std::collections::HashMap;
use std::sync::Arc;

use crate::api::{Routes, VersionRoute};
use crate::counters::Counters;
use crate::upstream::Upstream;

/// A bad table: which field and what is wrong with it (a 422, or a flag error at start).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidRoutes {
    /// A path into the `PUT /api/routes` body, e.g. `versions[1].weight`.
    pub field: String,
    pub message: String,
}

#[derive(Debug)]
pub struct Version {
    pub name: String,
    pub upstream: Upstream,
    pub weight: u32,
    /// Shared with the versions of the same name in earlier and later tables.
    pub counters: Arc<Counters>,
}

#[derive(Debug)]
pub struct Table {
    versions: Vec<Version>,
    stable: usize,
}

impl Table {
    /// Checks `routes` and builds the table. Versions that were in `previous` (by name) keep
    /// their counters; new ones start at zero.
    pub fn build(routes: &Routes, previous: Option<&Table>) -> Result<Table, InvalidRoutes> {
        let invalid = |field: String, message: String| InvalidRoutes { field, message };
        if routes.versions.is_empty() {
            return Err(invalid(
                "versions".into(),
                "the table needs at least one version".into(),
            ));
        }
        let mut seen = HashMap::new();
        let mut versions = Vec::with_capacity(routes.versions.len());
        for (i, route) in routes.versions.iter().enumerate() {
            let field = |name: &str| format!("versions[{i}].{name}");
            check_name(&route.name).map_err(|m| invalid(field("name"), m))?;
            if let Some(first) = seen.insert(route.name.as_str(), i) {
                return Err(invalid(
                    field("name"),
                    format!("`{}` is already versions[{first}]", route.name),
                ));
            }
            let upstream = Upstream::parse(&route.url).map_err(|m| invalid(field("url"), m))?;
            if route.weight > 100 {
                return Err(invalid(
                    field("weight"),
                    format!("{} is not a weight from 0 to 100", route.weight),
                ));
            }
            let counters = previous
                .and_then(|t| t.version(&route.name))
                .map_or_else(Arc::default, |v| v.counters.clone());
            versions.push(Version {
                name: route.name.clone(),
                upstream,
                weight: route.weight,
                counters,
            });
        }
        let total: u32 = versions.iter().map(|v| v.weight).sum();
        if total != 100 {
            return Err(invalid(
                "versions[].weight".into(),
                format!("the weights add up to {total}, not 100"),
            ));
        }
        let stable = seen.get(routes.stable.as_str()).copied().ok_or_else(|| {
            let names: Vec<&str> = routes.versions.iter().map(|v| v.name.as_str()).collect();
            invalid(
                "stable".into(),
                format!(
                    "`{}` is not one of the versions ({})",
                    routes.stable,
                    names.join(", ")
                ),
            )
        })?;
        Ok(Table { versions, stable })
    }

    /// The same versions (and counters) with all the weight on stable: the fallback.
    pub fn all_on_stable(&self) -> Table {
        let versions = self
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| Version {
                name: v.name.clone(),
                upstream: v.upstream.clone(),
                weight: if i == self.stable { 100 } else { 0 },
                counters: v.counters.clone(),
            })
            .collect();
        Table {
            versions,
            stable: self.stable,
        }
    }

    pub fn routes(&self) -> Routes {
        Routes {
            stable: self.stable().name.clone(),
            versions: self
                .versions
                .iter()
                .map(|v| VersionRoute {
                    name: v.name.clone(),
                    url: v.upstream.url().to_string(),
                    weight: v.weight,
                })
                .collect(),
        }
    }

    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    pub fn version(&self, name: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.name == name)
    }

    pub fn stable(&self) -> &Version {
        &self.versions[self.stable]
    }

    /// The version a ticket from 0 to 99 (uniformly drawn) falls on: version `i` owns
    /// `weight_i` consecutive tickets, so it is drawn with probability `weight_i / 100`.
    pub fn draw(&self, ticket: u32) -> &Version {
        let mut below = 0;
        for v in &self.versions {
            below += v.weight;
            if ticket < below {
                return v;
            }
        }
        // Unreachable for tickets under 100 (the weights add up to 100).
        self.stable()
    }
}

/// Version names go into a cookie, a header and Prometheus labels: keep them plain.
fn check_name(name: &str) -> Result<(), String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > 64 || !name.chars().all(plain) {
        return Err(format!(
            "`{name}` is not a version name (1 to 64 letters, digits, `-`, `_` or `.`)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn routes(stable: &str, versions: &[(&str, &str, u32)]) -> Routes {
        Routes {
            stable: stable.into(),
            versions: versions
                .iter()
                .map(|(name, url, weight)| VersionRoute {
                    name: (*name).into(),
                    url: (*url).into(),
                    weight: *weight,
                })
                .collect(),
        }
    }

    fn field_of(r: &Routes) -> String {
        Table::build(r, None).expect_err("invalid").field
    }

    #[test]
    fn bad_tables_name_the_field() {
        let up = "http://127.0.0.1:1";
        assert_eq!(field_of(&routes("v1", &[])), "versions");
        assert_eq!(
            field_of(&routes("v1", &[("v1", up, 90), ("v2", up, 5)])),
            "versions[].weight"
        );
        assert_eq!(
            field_of(&routes("v3", &[("v1", up, 50), ("v2", up, 50)])),
            "stable"
        );
        assert_eq!(
            field_of(&routes("v1", &[("v1", up, 50), ("v2", "ftp://x", 50)])),
            "versions[1].url"
        );
        assert_eq!(
            field_of(&routes("v1", &[("v1", up, 50), ("v1", up, 50)])),
            "versions[1].name"
        );
        assert_eq!(
            field_of(&routes("v1", &[("v1", up, 150)])),
            "versions[0].weight"
        );
        assert_eq!(
            field_of(&routes("v 1", &[("v 1", up, 100)])),
            "versions[0].name"
        );
    }

    #[test]
    fn the_draw_gives_each_version_its_weight_in_tickets() {
        let up = "http://127.0.0.1:1";
        let t = Table::build(
            &routes("a", &[("a", up, 90), ("z", up, 0), ("b", up, 10)]),
            None,
        )
        .expect("valid");
        let drawn: Vec<&str> = (0..100).map(|n| t.draw(n).name.as_str()).collect();
        assert_eq!(drawn.iter().filter(|n| **n == "a").count(), 90);
        assert_eq!(drawn.iter().filter(|n| **n == "b").count(), 10);
        assert!(!drawn.contains(&"z"));
    }

    #[test]
    fn counters_follow_the_name_across_tables() {
        let up = "http://127.0.0.1:1";
        let first =
            Table::build(&routes("a", &[("a", up, 50), ("b", up, 50)]), None).expect("valid");
        first.version("a").expect("a").counters.request();
        let second = Table::build(&routes("a", &[("a", up, 100), ("c", up, 0)]), Some(&first))
            .expect("valid");
        assert_eq!(
            second.version("a").expect("a").counters.snapshot().requests,
            1
        );
        assert_eq!(
            second.version("c").expect("c").counters.snapshot().requests,
            0
        );
        let fallen = second.all_on_stable();
        assert_eq!(fallen.routes().versions[0].weight, 100);
        assert_eq!(fallen.routes().versions[1].weight, 0);
        assert!(Arc::ptr_eq(
            &fallen.stable().counters,
            &second.stable().counters
        ));
    }
}
