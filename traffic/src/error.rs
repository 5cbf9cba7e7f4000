//! [`RouterError`]: a router call that did not happen, which kind of failure it was, and what
//! to check.

use std::fmt;
use std::time::Duration;

/// What the caller was doing when it failed. Reads after "failed to".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Route,
    Sample,
    Heartbeat,
    Disarm,
    /// Building a driver or generating a router's config from settings.
    Configure,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Route => "route traffic",
            Action::Sample => "read the counters",
            Action::Heartbeat => "renew the watchdog",
            Action::Disarm => "disarm the watchdog",
            Action::Configure => "set up the router",
        })
    }
}

/// Which kind of failure, for the controller to decide what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouterErrorKind {
    /// No answer: nothing listens, the connection failed, or the router did not answer within
    /// the timeout. The same call may work later.
    Unreachable,
    /// The router answered and said no (bad credentials, a rejected table, a missing backend or
    /// server, not enough rights). The same call will fail again until someone fixes the
    /// router's config or gate's.
    Refused,
    /// The router answered something this driver cannot read (not JSON, not the expected
    /// shape, an unexpected status). Usually a version mismatch between gate and the router.
    BadAnswer,
    /// The call was not sent: its arguments are invalid (a weight over 100, the same version
    /// as stable and canary, a URL the router cannot route to).
    Invalid,
    /// The router does not route the version asked about (it restarted with another config,
    /// or fell back): route again before sampling it.
    NotRouted,
}

/// A failed router call: `failed to {action} via {router}: {detail}`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{action} via {router}: {detail}")]
pub struct RouterError {
    pub action: Action,
    /// The router's [`describe`](crate::TrafficRouter::describe).
    pub router: String,
    pub kind: RouterErrorKind,
    /// What happened and what to check, in a form that reads after the router's name.
    pub detail: String,
}

impl RouterError {
    pub fn new(
        action: Action,
        router: impl Into<String>,
        kind: RouterErrorKind,
        detail: impl Into<String>,
    ) -> RouterError {
        RouterError {
            action,
            router: router.into(),
            kind,
            detail: detail.into(),
        }
    }

    pub fn kind(&self) -> RouterErrorKind {
        self.kind
    }

    /// Whether repeating the same call may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        self.kind == RouterErrorKind::Unreachable
    }
}

/// `5s`, `250ms`.
pub(crate) fn humanize(duration: Duration) -> String {
    if duration.subsec_millis() == 0 && duration.as_secs() > 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_after_failed_to() {
        let error = RouterError::new(
            Action::Sample,
            "gate proxy at http://127.0.0.1:9901",
            RouterErrorKind::Unreachable,
            "connection refused: check that `gate proxy` runs",
        );
        assert_eq!(
            format!("failed to {error}"),
            "failed to read the counters via gate proxy at http://127.0.0.1:9901: connection \
             refused: check that `gate proxy` runs"
        );
        assert!(error.is_transient());
    }
}
