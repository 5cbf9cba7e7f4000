//! [`ServiceError`]: why a use case refused or failed, in terms any caller can translate (an
//! HTTP status, a page, a log line). Messages are safe to show; store details are not in them.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// There is no such thing: "run", "commit", "artifact".
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A value the caller gave is not acceptable: which one (a field of the request, e.g.
    /// `base_url`, `tags[1]`) and what to do.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// The request is understood but the state of things refuses it (a deploy of a red
    /// commit, a second deployment of a service): the message says why and what to do.
    #[error("{0}")]
    Refused(String),
    /// The caller may not do this (an override without the admin scope).
    #[error("{0}")]
    Forbidden(String),
    /// Something gate relies on did not answer (a traffic router).
    #[error("{0}")]
    Unreachable(String),
    /// The caller's lease no longer holds the job (it expired and went to another runner).
    #[error("the lease is no longer held")]
    LeaseLost,
    /// The database failed; the detail goes to the log.
    #[error("the gate database is unavailable")]
    Unavailable(#[from] StoreError),
    /// The server itself is broken (its scenario files cannot be read): the message is for
    /// the log; callers show something generic.
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
        ServiceError::Invalid {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }
}
