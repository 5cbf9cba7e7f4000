//! Which version serves a request: the force header, then the sticky cookie, then a weighted
//! draw. A pure function of the table and what the request carries, so the rules are tested
//! without sockets. Knows nothing of how the cookie or the ticket are read.

use crate::table::{Table, Version};

/// Why a request went where it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// `X-Gate-Version` named a version of the table that takes traffic (weight above 0): a
    /// synthetic check.
    Forced,
    /// The sticky cookie named a version that still takes traffic.
    Sticky,
    /// Drawn by weight: the response sets the cookie.
    Drawn,
}

#[derive(Debug)]
pub struct Assignment<'t> {
    pub version: &'t Version,
    pub reason: Reason,
}

/// `forced` is the `X-Gate-Version` header, `sticky` the cookie's value, `ticket` a uniform
/// draw from 0 to 99 (used only when neither decides).
///
/// A header or cookie naming a version whose weight is now 0 (rolled back, fallen back from)
/// or that is gone is ignored, and the request is drawn (the response replaces the cookie):
/// after a rollback no request reaches the canary at all. The header comes from anyone, not
/// only the controller's synthetic checks, so it must not reopen what a rollback closed.
pub fn assign<'t>(
    table: &'t Table,
    forced: Option<&str>,
    sticky: Option<&str>,
    ticket: u32,
) -> Assignment<'t> {
    if let Some(version) = forced
        .and_then(|name| table.version(name))
        .filter(|v| v.weight > 0)
    {
        return Assignment {
            version,
            reason: Reason::Forced,
        };
    }
    if let Some(version) = sticky
        .and_then(|name| table.version(name))
        .filter(|v| v.weight > 0)
    {
        return Assignment {
            version,
            reason: Reason::Sticky,
        };
    }
    Assignment {
        version: table.draw(ticket),
        reason: Reason::Drawn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Routes, VersionRoute};

    fn table(canary_weight: u32) -> Table {
        let v = |name: &str, weight| VersionRoute {
            name: name.into(),
            url: "http://127.0.0.1:1".into(),
            weight,
        };
        Table::build(
            &Routes {
                stable: "v1".into(),
                versions: vec![v("v1", 100 - canary_weight), v("v2", canary_weight)],
            },
            None,
        )
        .expect("valid")
    }

    #[test]
    fn force_beats_cookie_beats_draw() {
        let t = table(10);
        let a = assign(&t, Some("v2"), Some("v1"), 0);
        assert_eq!((a.version.name.as_str(), a.reason), ("v2", Reason::Forced));
        let a = assign(&t, None, Some("v2"), 0);
        assert_eq!((a.version.name.as_str(), a.reason), ("v2", Reason::Sticky));
        let a = assign(&t, Some("nope"), None, 95);
        assert_eq!((a.version.name.as_str(), a.reason), ("v2", Reason::Drawn));
    }

    #[test]
    fn a_cookie_or_header_for_a_rolled_back_or_gone_version_is_redrawn() {
        let t = table(0);
        for ticket in 0..100 {
            for (forced, sticky) in [
                (None, Some("v2")),
                (Some("v2"), None),
                (Some("v2"), Some("v2")),
            ] {
                let a = assign(&t, forced, sticky, ticket);
                assert_eq!((a.version.name.as_str(), a.reason), ("v1", Reason::Drawn));
            }
            let a = assign(&t, Some("v9"), Some("v9"), ticket);
            assert_eq!(a.reason, Reason::Drawn);
        }
    }
}
